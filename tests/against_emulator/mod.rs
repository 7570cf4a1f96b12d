//! Behaviour users rely on, through the binary, against the emulator.

mod accounts;
mod converge;
mod delivery;
mod destinations;
mod hardening;
mod health;
mod iam_oracle;
mod iam_policy;
mod output;
mod output_schemas;
mod outside_text;
mod ownership;
mod project_file;
mod reconcile;
mod redaction;
mod report_merge;
mod rotation;
mod rules;
mod rules_verify;
mod salesforce_credentials;
mod saved_plans;
mod secret_drift;
mod ssm;
mod targets;
mod unattended;
mod verify;

use crate::support::World;

/// A production-org connection with a header, a query parameter and a secret header.
pub fn acme_yaml() -> &'static str {
    r#"name: sf-acme-prod
description: Acme production org
salesforce:
  myDomain: acme
clientId: 3MVG9acmeClientId
clientSecret:
  secretsManager: salesforce/acme-prod
  key: consumer_secret
oauth:
  body:
    scope: api
invocation:
  headers:
    Sforce-Call-Options: client=orders
    X-Shared-Token: { env: ACME_SHARED_TOKEN }
  query:
    source: eventbridge
"#
}

/// A sandbox connection whose secret comes from the environment.
pub fn sandbox_yaml() -> &'static str {
    r#"name: sf-acme-uat
salesforce:
  myDomain: acme
  sandbox: uat
clientId: 3MVG9uatClientId
clientSecret: { env: ACME_UAT_SECRET }
"#
}

pub const ACME_SECRET: &str = "acme-consumer-secret-0123456789abcdef";
pub const UAT_SECRET: &str = "uat-consumer-secret-fedcba9876543210";
pub const SHARED_TOKEN: &str = "shared-token-5f4e3d2c1b";

/// A world with the two example connections and their secrets.
pub fn world_with_examples() -> World {
    let mut world = World::new();
    world.create_secret(
        "salesforce/acme-prod",
        &format!(r#"{{"consumer_secret": "{ACME_SECRET}"}}"#),
    );
    world.secret_env("ACME_SHARED_TOKEN", SHARED_TOKEN);
    world.secret_env("ACME_UAT_SECRET", UAT_SECRET);
    world.write("connections/acme.yaml", acme_yaml());
    world.write("connections/sandbox/uat.yml", sandbox_yaml());
    world
}
