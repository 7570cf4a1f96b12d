//! A client secret changed behind the tool's back is a difference; one that cannot be read is
//! shown as unverifiable, and is a difference only with --strict.

use super::{ACME_SECRET, SHARED_TOKEN, world_with_examples};
use crate::support::World;
use crate::support::json::{PlanDocument, Secret};
use aws_sdk_eventbridge::types::{
    ConnectionOAuthHttpMethod, UpdateConnectionAuthRequestParameters,
    UpdateConnectionOAuthClientRequestParameters, UpdateConnectionOAuthRequestParameters,
};

/// Someone pastes another secret into the connection in the console.
pub(super) fn rotate_in_console(world: &mut World, name: &str, new_secret: &str) {
    world.secret(new_secret);
    let oauth = UpdateConnectionOAuthRequestParameters::builder()
        .client_parameters(
            UpdateConnectionOAuthClientRequestParameters::builder()
                .client_secret(new_secret)
                .build(),
        )
        .http_method(ConnectionOAuthHttpMethod::Post)
        .build();
    let auth = UpdateConnectionAuthRequestParameters::builder()
        .o_auth_parameters(oauth)
        .build();
    world
        .block_on(
            world
                .events
                .update_connection()
                .name(name)
                .auth_parameters(auth)
                .send(),
        )
        .unwrap();
}

#[test]
fn a_secret_rotated_in_the_console_is_a_difference_until_applied() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    rotate_in_console(&mut world, "sf-acme-prod", "pasted-by-hand-secret-000111");

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains(
            "~ update   sf-acme-prod  us-east-1\n      ~ client secret: changed outside provision (clientSecret); apply re-sends the declared value\n"
        ),
        "{}",
        diff.stdout
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(2)
        .stdout_json();
    assert_eq!(
        json.connection("sf-acme-prod").secret,
        Secret::Changed {
            fields: vec!["clientSecret".to_string()]
        }
    );

    world.provision(&["apply", "connections/"]).expect(0);
    assert_eq!(
        world.managed_secret("sf-acme-prod").0["client_secret"],
        ACME_SECRET
    );
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_secret_rotated_at_its_source_is_a_difference_until_applied() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    let (_, version_before) = world.managed_secret("sf-acme-prod");
    world.put_secret(
        "salesforce/acme-prod",
        r#"{"consumer_secret": "rotated-in-secrets-manager-42"}"#,
    );

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("client secret: changed outside provision (clientSecret)"),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    let (managed, version_after) = world.managed_secret("sf-acme-prod");
    assert_eq!(managed["client_secret"], "rotated-in-secrets-manager-42");
    assert_ne!(
        version_before, version_after,
        "AWS rewrites the managed secret in place"
    );
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_changed_secret_parameter_value_is_a_difference() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.secret_env("ACME_SHARED_TOKEN", "a-new-shared-token-777");
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("(invocation.headers.X-Shared-Token)"),
        "{}",
        diff.stdout
    );
    assert!(!diff.stdout.contains(SHARED_TOKEN));
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn an_unreadable_managed_secret_is_unverifiable_and_strict_makes_it_a_difference() {
    let mut world = World::with_emulator_env(&[("MOTO_DENY_MANAGED_SECRET_READS", "1")]);
    world.create_secret(
        "salesforce/acme-prod",
        &format!(r#"{{"consumer_secret": "{ACME_SECRET}"}}"#),
    );
    world.secret_env("ACME_SHARED_TOKEN", SHARED_TOKEN);
    world.write("connections/acme.yaml", super::acme_yaml());
    world.provision(&["apply", "connections/"]).expect(0);

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(0);
    assert!(
        diff.stdout.contains(
            "= in sync  sf-acme-prod  us-east-1  (AUTHORIZED, client secret unverifiable)"
        ),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("? client secret: unverifiable: access denied to the managed secret; allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:"),
        "{}",
        diff.stdout
    );
    world
        .provision(&["diff", "connections/", "--strict"])
        .expect(2);
}
