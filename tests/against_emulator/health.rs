//! A dead connection is a difference that `apply` heals; credentials Salesforce refuses fail
//! the run with the reason and a hint, and never replace working ones when checked first.

use super::world_with_examples;
use crate::support::World;
use crate::support::json::{Action, Health, PlanDocument};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The examples applied, then the sandbox connection DEAUTHORIZED as an expired refresh
/// token leaves it.
fn world_with_uat_deauthorized() -> World {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.emulator.set_state(
        "sf-acme-uat",
        "DEAUTHORIZED",
        "Token refresh failed: invalid_grant: expired access/refresh token",
    );
    world
}

#[test]
fn a_deauthorized_connection_is_a_difference_and_apply_reauthorizes_it() {
    let world = world_with_uat_deauthorized();

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("~ update   sf-acme-uat   us-east-1\n      ! state: DEAUTHORIZED: Token refresh failed: invalid_grant: expired access/refresh token; apply re-sends the credentials to re-authorize\n"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("apply re-sends the credentials to re-authorize\n        hint: in Salesforce Setup check that the connected app has Enable Client Credentials Flow selected"),
        "{}",
        diff.stdout
    );
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(0);
    assert!(
        apply
            .stdout
            .contains("updated     sf-acme-uat   us-east-1  AUTHORIZED\n"),
        "{}",
        apply.stdout
    );
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn failed_connectivity_is_a_difference_with_its_reason() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.emulator.set_state(
        "sf-acme-prod",
        "FAILED_CONNECTIVITY",
        "Unable to reach the authorization endpoint",
    );
    let document: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(2)
        .stdout_json();
    let acme = document.connection("sf-acme-prod");
    assert_eq!(acme.action, Action::Update);
    assert_eq!(
        acme.health,
        Some(Health {
            state: "FAILED_CONNECTIVITY".to_string(),
            reason: Some("Unable to reach the authorization endpoint".to_string()),
            broken: true,
            help: Some("EventBridge could not reach the token endpoint: check the My Domain host name, and for a private endpoint the VPC Lattice resource configuration".to_string()),
        })
    );
}

#[test]
fn credentials_salesforce_refuses_fail_the_run_with_reason_and_hint() {
    let mut world = World::with_emulator_env(&[("MOTO_DEAUTHORIZE_SECRET_PREFIX", "bad-")]);
    world.secret_env("ACME_UAT_SECRET", "bad-secret-from-an-old-app");
    world.write("connections/uat.yaml", super::sandbox_yaml());
    world
        .test(&["apply", "connections/"])
        .status(1)
        .stdout_contains("failed      sf-acme-uat  us-east-1  DEAUTHORIZED: Unable to authorize connection: invalid_client: invalid client credentials")
        .stdout_contains("hint: the consumer secret does not match the consumer key")
        .stderr("error: 1 of 1 connections failed\n")
        .run();
}

const GOOD: &str = "good-consumer-secret-abc123";
const WRONG: &str = "wrong-consumer-secret-xyz789";

/// A token endpoint on loopback that accepts only the good secret.
fn token_endpoint(world: &World) -> MockServer {
    world.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .and(body_string_contains(format!("client_secret={GOOD}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "00Dxx!token", "instance_url": "https://acme.my.salesforce.com",
                "id": "https://login.salesforce.com/id/00D/005", "token_type": "Bearer",
                "issued_at": "1700000000000", "signature": "sig"
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
                "error": "invalid_client", "error_description": "invalid client credentials"
            })))
            .mount(&server)
            .await;
        server
    })
}

fn local_endpoint_yaml(uri: &str) -> String {
    format!(
        "name: sf-local\nsalesforce:\n  tokenUrl: {uri}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9local\nclientSecret: {{ env: LOCAL_SECRET }}\n"
    )
}

#[test]
fn a_failed_credentials_check_leaves_the_working_connection_untouched() {
    let mut world = World::new();
    let server = token_endpoint(&world);
    world.write(
        "connections/local.yaml",
        &local_endpoint_yaml(&server.uri()),
    );
    world.secret_env("LOCAL_SECRET", GOOD);
    world
        .provision(&["apply", "connections/", "--verify-credentials"])
        .expect(0);
    let (managed, version) = world.managed_secret("sf-local");
    assert_eq!(managed["client_secret"], GOOD);

    world.secret_env("LOCAL_SECRET", WRONG);
    let apply = world.provision(&["apply", "connections/", "--verify-credentials"]);
    apply.expect(1);
    assert!(
        apply.stdout.contains("the token endpoint refused the credentials: HTTP 400: invalid_client: invalid client credentials; the connection was left as it was"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("hint: the consumer secret does not match the consumer key"),
        "{}",
        apply.stdout
    );
    let (managed, version_after) = world.managed_secret("sf-local");
    assert_eq!(
        managed["client_secret"], GOOD,
        "the good secret is still in place"
    );
    assert_eq!(version, version_after, "the connection was not written");
    assert_eq!(
        world
            .describe("sf-local")
            .connection_state()
            .unwrap()
            .as_str(),
        "AUTHORIZED"
    );
}

/// `diff --fail-on unhealthy`: a broken declared connection is an outage (exit 3), told apart
/// from drift (exit 2), and the plan is printed as always.
#[test]
fn fail_on_unhealthy_exits_3_for_a_broken_connection_and_still_prints_the_plan() {
    let world = world_with_uat_deauthorized();

    let text = world.provision(&["diff", "connections/", "--fail-on", "unhealthy"]);
    text.expect(3);
    assert!(
        text.stdout
            .contains("~ update   sf-acme-uat   us-east-1\n      ! state: DEAUTHORIZED"),
        "{}",
        text.stdout
    );
    let document: PlanDocument = world
        .test(&[
            "diff",
            "connections/",
            "--fail-on",
            "unhealthy",
            "--output",
            "json",
        ])
        .status(3)
        .stdout_json();
    assert!(document.differences);
    assert_eq!(document.connection("sf-acme-uat").action, Action::Update);
    assert!(
        document
            .connection("sf-acme-uat")
            .health
            .as_ref()
            .is_some_and(|health| health.broken)
    );

    // Without the option the outage is a difference, as before.
    world.provision(&["diff", "connections/"]).expect(2);
}

#[test]
fn fail_on_unhealthy_leaves_in_sync_at_0_and_drift_at_2() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world
        .provision(&["diff", "connections/", "--fail-on", "unhealthy"])
        .expect(0);

    // A changed description is drift, not an outage.
    world.write(
        "connections/acme.yaml",
        &super::acme_yaml().replace(
            "description: Acme production org",
            "description: Acme production org, renamed",
        ),
    );
    let diff = world.provision(&["diff", "connections/", "--fail-on", "unhealthy"]);
    diff.expect(2);
    assert!(diff.stdout.contains("description"), "{}", diff.stdout);
}

/// An error in the plan wins over an outage: exit 1, as a run that cannot be trusted whole.
#[test]
fn fail_on_unhealthy_with_an_error_in_the_plan_exits_1() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.emulator.set_state(
        "sf-acme-prod",
        "FAILED_CONNECTIVITY",
        "Unable to reach the authorization endpoint",
    );
    world.write(
        "connections/unset.yaml",
        "name: sf-unset\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9unset\nclientSecret: { env: PROVISION_TEST_NEVER_SET }\n",
    );
    let diff = world.provision(&["diff", "connections/", "--fail-on", "unhealthy"]);
    diff.expect(1);
    assert!(
        diff.stdout.contains("FAILED_CONNECTIVITY"),
        "{}",
        diff.stdout
    );
}
