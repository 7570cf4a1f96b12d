//! `provision salesforce-credentials` against the local Salesforce org
//! (scripts/fake_salesforce.py, its Connect REST API) and the emulator's Secrets Manager: the
//! consumer key and secret land in the referenced secrets as a new version, each refusal
//! Salesforce can give (an org switch of the local org) has its own message, and neither the
//! key, the secret nor the access token is ever printed (the World checks every run for the
//! values registered with it).

use crate::support::{FakeOrg, World};
use serde_json::json;

const TOKEN: &str = "00Dxx0000000001!AQ4AQFake.Access.Token.For.Tests";
const KEY: &str = "3MVG9fakeConsumerKeyForTheTests0123456789";
const SECRET: &str = "F00DBA11CAFE0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123";

/// The local org: the app `sf_acme_prod` (the API name of `sf-acme-prod`'s app) beside
/// another, the signed-in user's token, and the `switches` given.
fn org(switches: serde_json::Value) -> FakeOrg {
    FakeOrg::start(&json!({
        "apps": [
            {"name": "Other_App", "consumerKey": "3MVG9otherAppKey", "consumerSecret": "other-app-secret-0000",
             "runAsUser": "other@acme.example"},
            {"name": "sf_acme_prod", "consumerKey": KEY, "consumerSecret": SECRET,
             "runAsUser": "eventbridge@acme.example"}
        ],
        "signedInToken": TOKEN,
        "switches": switches
    }))
}

/// A world signed in to `org` (SF_ACCESS_TOKEN, SF_INSTANCE_URL) with the document of the
/// connection `sf-acme-prod`, whose app is `sf_acme_prod`.
fn world_with_salesforce(org: &FakeOrg, client_id: &str, client_secret: &str) -> World {
    let mut world = World::new();
    world.secret_env("SF_ACCESS_TOKEN", TOKEN);
    world.env("SF_INSTANCE_URL", &org.url);
    world.secret(KEY);
    world.secret(SECRET);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {client_id}\nclientSecret: {client_secret}\n",
            org.token_url()
        ),
    );
    world
}

fn secret_value(world: &World, name: &str) -> (String, String) {
    let value = world
        .block_on(
            world
                .secrets_manager
                .get_secret_value()
                .secret_id(name)
                .send(),
        )
        .unwrap();
    (
        value.secret_string().unwrap().to_string(),
        value.version_id().unwrap().to_string(),
    )
}

#[test]
fn the_key_and_secret_become_a_new_version_of_the_referenced_secret() {
    let org = org(json!({}));
    let mut world = world_with_salesforce(
        &org,
        "{ secretsManager: salesforce/acme-prod, key: client_id }",
        "{ secretsManager: salesforce/acme-prod, key: client_secret }",
    );
    world.create_secret(
        "salesforce/acme-prod",
        r#"{"client_id": "old-client-id-0000", "client_secret": "old-secret-0000", "note": "kept-as-is"}"#,
    );
    let (_, old_version) = secret_value(&world, "salesforce/acme-prod");

    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(0);

    let (value, version) = secret_value(&world, "salesforce/acme-prod");
    assert_ne!(version, old_version, "a new version was written");
    let value: serde_json::Value = serde_json::from_str(&value).unwrap();
    assert_eq!(
        value,
        json!({ "client_id": KEY, "client_secret": SECRET, "note": "kept-as-is" })
    );
    assert_eq!(
        run.stdout,
        format!(
            "= sf-acme-prod  us-east-1  app sf_acme_prod: new version of Secrets Manager secret salesforce/acme-prod, version {version}\n"
        )
    );
    // Three reads of the Connect API (the org accepts only the signed-in user's token there).
    let requests = org.requests();
    assert_eq!(
        requests.len(),
        3,
        "usage, consumers, key and secret: {requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET /services/data/v64.0/apps/oauth/")),
        "{requests:?}"
    );
}

#[test]
fn missing_secrets_are_created_and_json_output_names_the_versions() {
    let org = org(json!({}));
    let world = world_with_salesforce(
        &org,
        "{ secretsManager: salesforce/acme-prod-key }",
        "{ secretsManager: salesforce/acme-prod-secret }",
    );

    let run = world.provision(&["salesforce-credentials", "connections/", "--output", "json"]);
    run.expect(0);

    let (key, key_version) = secret_value(&world, "salesforce/acme-prod-key");
    let (secret, secret_version) = secret_value(&world, "salesforce/acme-prod-secret");
    assert_eq!((key.as_str(), secret.as_str()), (KEY, SECRET));
    let json = run.json();
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["secret"], "salesforce/acme-prod-key");
    assert_eq!(results[0]["versionId"], key_version.as_str());
    assert_eq!(results[0]["created"], true);
    assert_eq!(results[1]["secret"], "salesforce/acme-prod-secret");
    assert_eq!(results[1]["versionId"], secret_version.as_str());
}

/// Runs the command against `org`; returns stdout + stderr.
fn failing_run(org: &FakeOrg) -> String {
    let world = world_with_salesforce(org, REFERENCES.0, REFERENCES.1);
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    format!("{}{}", run.stdout, run.stderr)
}

const REFERENCES: (&str, &str) = (
    "{ secretsManager: salesforce/acme-prod, key: client_id }",
    "{ secretsManager: salesforce/acme-prod, key: client_secret }",
);

#[test]
fn a_user_without_the_developer_permission_is_told_which_permission() {
    let output = failing_run(&org(json!({"developerPermission": false})));
    assert!(
        output.contains(": Salesforce refused the request: the signed-in user lacks the \"External Client App Developer\" permission (HTTP 403 INSUFFICIENT_ACCESS: You need the External Client App Developer permission)"),
        "{output}"
    );
    assert!(output.contains("\"View Client Secret\""), "{output}");
}

#[test]
fn a_user_who_may_not_view_the_secret_is_told_which_permission() {
    let output = failing_run(&org(json!({"viewClientSecret": false})));
    assert!(
        output.contains("x sf-acme-prod  app sf_acme_prod: Salesforce refused the request: the signed-in user lacks the \"View Client Secret\" permission"),
        "{output}"
    );
    assert!(
        output.contains("error: 1 of 1 connections failed"),
        "{output}"
    );
}

#[test]
fn the_org_setting_off_is_named() {
    let output = failing_run(&org(json!({"secretInRestApi": false})));
    assert!(
        output.contains("Salesforce returned the app's consumer key but not its secret"),
        "{output}"
    );
    assert!(
        output.contains(
            "turn on \"Allow access to External Client App consumer secrets via REST API\""
        ),
        "{output}"
    );
}

#[test]
fn an_app_the_org_does_not_have_is_named() {
    let org = FakeOrg::start(&json!({
        "apps": [{"name": "Other_App", "consumerKey": "3MVG9otherAppKey",
                  "consumerSecret": "other-app-secret-0000", "runAsUser": "other@acme.example"}],
        "signedInToken": TOKEN
    }));
    let output = failing_run(&org);
    assert!(
        output.contains("x sf-acme-prod  app sf_acme_prod: the org has no External Client App named `sf_acme_prod` (Salesforce listed 1 app)"),
        "{output}"
    );
}

#[test]
fn an_expired_token_says_to_sign_in_again() {
    let org = FakeOrg::start(&json!({
        "apps": [{"name": "sf_acme_prod", "consumerKey": KEY, "consumerSecret": SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "signedInToken": "00Dxx0000000001!a-later-session-than-the-one-in-the-environment"
    }));
    let output = failing_run(&org);
    assert!(
        output.contains("Salesforce refused the access token (HTTP 401 INVALID_SESSION_ID: Session expired or invalid)"),
        "{output}"
    );
    assert!(output.contains("sf org login web"), "{output}");
}

#[test]
fn an_env_reference_is_refused_before_any_call() {
    let org = org(json!({}));
    let world = world_with_salesforce(&org, REFERENCES.0, "{ env: ACME_CONSUMER_SECRET }");
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    assert!(
        run.stderr.contains("connections/acme.yaml:9:15: clientSecret: `clientSecret` reads the environment variable ACME_CONSUMER_SECRET, which salesforce-credentials cannot write"),
        "{}",
        run.stderr
    );
    assert_eq!(
        org.requests(),
        Vec::<String>::new(),
        "no call to Salesforce"
    );
}
