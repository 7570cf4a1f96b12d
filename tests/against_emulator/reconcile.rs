//! The spine: validate offline, create on an empty account, stay in sync, follow YAML edits.

use super::{acme_yaml, world_with_examples};
use crate::support::World;
use crate::support::json::{ApplySummary, Outcome, PlanDocument};

#[test]
fn validate_needs_no_aws_configuration() {
    // The shipped examples, with no credentials, Region or endpoint anywhere.
    let root = env!("CARGO_MANIFEST_DIR");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_provision"));
    command.args(["validate", "connections/"]).current_dir(root);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        command.env_remove(key);
    }
    let output = command
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "4 connections valid.\n"
    );
}

#[test]
fn apply_creates_every_connection_exactly_as_declared() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);

    let acme = world.describe("sf-acme-prod");
    assert_eq!(
        acme.description(),
        Some("Acme production org [managed by provision]")
    );
    assert_eq!(
        acme.authorization_type().unwrap().as_str(),
        "OAUTH_CLIENT_CREDENTIALS"
    );
    let oauth = acme.auth_parameters().unwrap().o_auth_parameters().unwrap();
    assert_eq!(
        oauth.authorization_endpoint(),
        Some("https://acme.my.salesforce.com/services/oauth2/token")
    );
    assert_eq!(oauth.http_method().unwrap().as_str(), "POST");
    assert_eq!(
        oauth.client_parameters().unwrap().client_id(),
        Some("3MVG9acmeClientId")
    );
    let body: Vec<(&str, &str)> = oauth
        .o_auth_http_parameters()
        .unwrap()
        .body_parameters()
        .iter()
        .map(|p| (p.key().unwrap(), p.value().unwrap()))
        .collect();
    assert_eq!(
        body,
        [("grant_type", "client_credentials"), ("scope", "api")]
    );
    let invocation = acme
        .auth_parameters()
        .unwrap()
        .invocation_http_parameters()
        .unwrap();
    let headers: Vec<(&str, Option<&str>, bool)> = invocation
        .header_parameters()
        .iter()
        .map(|p| (p.key().unwrap(), p.value(), p.is_value_secret()))
        .collect();
    // The secret header's value is hidden by AWS, and marked secret.
    assert_eq!(
        headers,
        [
            ("Sforce-Call-Options", Some("client=orders"), false),
            ("X-Shared-Token", None, true)
        ]
    );
    let query: Vec<(&str, &str)> = invocation
        .query_string_parameters()
        .iter()
        .map(|p| (p.key().unwrap(), p.value().unwrap()))
        .collect();
    assert_eq!(query, [("source", "eventbridge")]);

    let uat = world.describe("sf-acme-uat");
    let oauth = uat.auth_parameters().unwrap().o_auth_parameters().unwrap();
    assert_eq!(
        oauth.authorization_endpoint(),
        Some("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token")
    );
    assert_eq!(uat.description(), Some("[managed by provision]"));

    // The managed secret holds the declared credentials (AWS's layout).
    let (managed, _) = world.managed_secret("sf-acme-prod");
    assert_eq!(managed["client_secret"], super::ACME_SECRET);
    assert_eq!(managed["client_id"], "3MVG9acmeClientId");
}

#[test]
fn diff_after_apply_is_in_sync_and_a_second_apply_changes_nothing() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    let before = world.describe("sf-acme-prod");
    let (_, version_before) = world.managed_secret("sf-acme-prod");

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(0);
    assert!(
        diff.stdout
            .contains("= in sync  sf-acme-prod  us-east-1  (AUTHORIZED, client secret in sync)"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 2 in sync."),
        "{}",
        diff.stdout
    );

    let again: PlanDocument = world
        .test(&["apply", "connections/", "--output", "json"])
        .stdout_json();
    assert_eq!(
        again.apply_summary(),
        &ApplySummary {
            unchanged: 2,
            ..ApplySummary::default()
        }
    );
    assert!(
        again
            .results()
            .iter()
            .all(|r| r.outcome == Outcome::Unchanged),
        "{again:?}"
    );
    // No mutating call: the connection and its managed secret were not written.
    let after = world.describe("sf-acme-prod");
    assert_eq!(before.last_modified_time(), after.last_modified_time());
    assert_eq!(world.managed_secret("sf-acme-prod").1, version_before);
}

#[test]
fn a_changed_yaml_field_is_a_difference_until_applied() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.write(
        "connections/acme.yaml",
        &acme_yaml().replace("client=orders", "client=orders-v2"),
    );

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("~ update   sf-acme-prod  us-east-1\n      ~ invocation.headers.Sforce-Call-Options: \"client=orders\" -> \"client=orders-v2\"\n"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .contains("Plan: 0 to create, 1 to update, 0 to delete, 1 in sync."),
        "{}",
        diff.stdout
    );

    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    let headers = world.describe("sf-acme-prod");
    let header = &headers
        .auth_parameters()
        .unwrap()
        .invocation_http_parameters()
        .unwrap()
        .header_parameters()[0];
    assert_eq!(header.value(), Some("client=orders-v2"));
}

#[test]
fn a_change_made_outside_the_tool_is_a_difference() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world
        .block_on(
            world
                .events
                .update_connection()
                .name("sf-acme-uat")
                // The marker stays: without it the connection would no longer be this set's.
                .description("edited in the console [managed by provision]")
                .send(),
        )
        .unwrap();

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("~ description: \"edited in the console [managed by provision]\" -> \"[managed by provision]\""),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn removing_an_optional_parameter_removes_it_in_aws() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    let without_query = acme_yaml().replace("  query:\n    source: eventbridge\n", "");
    world.write("connections/acme.yaml", &without_query);

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("- invocation.query.source: \"eventbridge\" (removed)"),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    let acme = world.describe("sf-acme-prod");
    assert!(
        acme.auth_parameters()
            .unwrap()
            .invocation_http_parameters()
            .unwrap()
            .query_string_parameters()
            .is_empty()
    );
}

#[test]
fn verbose_runs_and_error_paths_print_no_secret() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/", "-vv"]).expect(0);
    world
        .provision(&["diff", "connections/", "-vv", "--output", "json"])
        .expect(0);
    // An error path: a secret that breaks AWS's rules (a `:` inside the value).
    let bad = world.secret("bad:secret-with-colon");
    world.env("ACME_UAT_SECRET", &bad);
    let run = world.provision(&["diff", "connections/", "-vv"]);
    run.expect(1);
    assert!(
        run.stdout.contains(
            "clientSecret: the client secret from environment variable ACME_UAT_SECRET contains `:`, which AWS does not allow"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_emulator_secret_fails_only_that_connection() {
    let mut world = World::new();
    world.secret_env("ACME_UAT_SECRET", super::UAT_SECRET);
    world.write("connections/acme.yaml", acme_yaml());
    world.write("connections/uat.yaml", super::sandbox_yaml());
    world
        .test(&["apply", "connections/"])
        .status(1)
        .stdout_contains("created     sf-acme-uat")
        .stdout_contains("Secrets Manager secret salesforce/acme-prod was not found in us-east-1")
        .stderr("error: 1 of 2 connections failed\n")
        .run();
    world.describe("sf-acme-uat");
}
