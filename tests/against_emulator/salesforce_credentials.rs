//! `provision salesforce-credentials` against a fake Salesforce Connect REST API (wiremock on
//! 127.0.0.1) and the emulator's Secrets Manager: the consumer key and secret land in the
//! referenced secrets as a new version, each refusal Salesforce can give has its own message,
//! and neither the key, the secret nor the access token is ever printed (the World checks
//! every run for the values registered with it).

use crate::support::World;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "00Dxx0000000001!AQ4AQFake.Access.Token.For.Tests";
const KEY: &str = "3MVG9fakeConsumerKeyForTheTests0123456789";
const SECRET: &str = "F00DBA11CAFE0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123";
const APP_ID: &str = "0xIxx0000000001AAA";
const CONSUMER_ID: &str = "0Cixx0000000001AAA";
const BASE: &str = "/services/data/v64.0/apps/oauth";

/// A world with a fake Salesforce, the token and instance URL in the environment, and a
/// document for the fake org whose app is `sf_acme_prod`.
fn world_with_salesforce(client_id: &str, client_secret: &str) -> (World, MockServer) {
    let mut world = World::new();
    let salesforce = world.block_on(MockServer::start());
    world.secret_env("SF_ACCESS_TOKEN", TOKEN);
    world.env("SF_INSTANCE_URL", &salesforce.uri());
    world.secret(KEY);
    world.secret(SECRET);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {client_id}\nclientSecret: {client_secret}\n",
            salesforce.uri()
        ),
    );
    (world, salesforce)
}

fn mount(world: &World, salesforce: &MockServer, mock: Mock) {
    world.block_on(mock.mount(salesforce));
}

/// The usage listing with `apps`, the consumer listing, and the key and secret.
fn mount_app(world: &World, salesforce: &MockServer, apps: serde_json::Value) {
    mount(
        world,
        salesforce,
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/usage")))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ "apps": apps })),
            ),
    );
    mount(
        world,
        salesforce,
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/credentials/{APP_ID}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "consumers": [{ "id": CONSUMER_ID, "url": format!("{BASE}/credentials/{APP_ID}/{CONSUMER_ID}") }]
            }))),
    );
}

fn acme_listed() -> serde_json::Value {
    serde_json::json!([
        { "identifier": "0xIxx0000000009AAA", "developerName": "Other_App", "name": "Other App" },
        { "identifier": APP_ID, "developerName": "sf_acme_prod", "name": "sf-acme-prod" },
    ])
}

fn mount_key_and_secret(world: &World, salesforce: &MockServer, response: ResponseTemplate) {
    mount(
        world,
        salesforce,
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/credentials/{APP_ID}/{CONSUMER_ID}")))
            .and(query_param("part", "keyandsecret"))
            .respond_with(response),
    );
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
    let (mut world, salesforce) = world_with_salesforce(
        "{ secretsManager: salesforce/acme-prod, key: client_id }",
        "{ secretsManager: salesforce/acme-prod, key: client_secret }",
    );
    world.create_secret(
        "salesforce/acme-prod",
        r#"{"client_id": "old-client-id-0000", "client_secret": "old-secret-0000", "note": "kept-as-is"}"#,
    );
    let (_, old_version) = secret_value(&world, "salesforce/acme-prod");
    mount_app(&world, &salesforce, acme_listed());
    mount_key_and_secret(
        &world,
        &salesforce,
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "id": CONSUMER_ID, "key": KEY, "secret": SECRET })),
    );

    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(0);

    let (value, version) = secret_value(&world, "salesforce/acme-prod");
    assert_ne!(version, old_version, "a new version was written");
    let value: serde_json::Value = serde_json::from_str(&value).unwrap();
    assert_eq!(
        value,
        serde_json::json!({ "client_id": KEY, "client_secret": SECRET, "note": "kept-as-is" })
    );
    assert_eq!(
        run.stdout,
        format!(
            "= sf-acme-prod  us-east-1  app sf_acme_prod: new version of Secrets Manager secret salesforce/acme-prod, version {version}\n"
        )
    );
    // The very token the environment gave was sent, as a bearer token.
    let requests = world.block_on(salesforce.received_requests()).unwrap();
    assert_eq!(requests.len(), 3, "usage, consumers, key and secret");
}

#[test]
fn missing_secrets_are_created_and_json_output_names_the_versions() {
    let (world, salesforce) = world_with_salesforce(
        "{ secretsManager: salesforce/acme-prod-key }",
        "{ secretsManager: salesforce/acme-prod-secret }",
    );
    mount_app(&world, &salesforce, acme_listed());
    mount_key_and_secret(
        &world,
        &salesforce,
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "id": CONSUMER_ID, "key": KEY, "secret": SECRET })),
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

/// Runs the command against a Salesforce that answers as mounted; returns stdout + stderr.
fn failing_run(world: &World) -> String {
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    format!("{}{}", run.stdout, run.stderr)
}

fn refused(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        serde_json::json!([{ "errorCode": code, "message": "refused by the fake org" }]),
    )
}

const REFERENCES: (&str, &str) = (
    "{ secretsManager: salesforce/acme-prod, key: client_id }",
    "{ secretsManager: salesforce/acme-prod, key: client_secret }",
);

#[test]
fn a_user_without_the_developer_permission_is_told_which_permission() {
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, REFERENCES.1);
    mount(
        &world,
        &salesforce,
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/usage")))
            .respond_with(refused(403, "INSUFFICIENT_ACCESS")),
    );
    let output = failing_run(&world);
    assert!(
        output.contains(": Salesforce refused the request: the signed-in user lacks the \"External Client App Developer\" permission (HTTP 403 INSUFFICIENT_ACCESS: refused by the fake org)"),
        "{output}"
    );
    assert!(output.contains("\"View Client Secret\""), "{output}");
}

#[test]
fn a_user_who_may_not_view_the_secret_is_told_which_permission() {
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, REFERENCES.1);
    mount_app(&world, &salesforce, acme_listed());
    mount_key_and_secret(&world, &salesforce, refused(403, "INSUFFICIENT_ACCESS"));
    let output = failing_run(&world);
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
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, REFERENCES.1);
    mount_app(&world, &salesforce, acme_listed());
    mount_key_and_secret(
        &world,
        &salesforce,
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "id": CONSUMER_ID, "key": KEY })),
    );
    let output = failing_run(&world);
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
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, REFERENCES.1);
    mount_app(
        &world,
        &salesforce,
        serde_json::json!([{ "identifier": "0xIxx0000000009AAA", "developerName": "Other_App" }]),
    );
    let output = failing_run(&world);
    assert!(
        output.contains("x sf-acme-prod  app sf_acme_prod: the org has no External Client App named `sf_acme_prod` (Salesforce listed 1 app)"),
        "{output}"
    );
}

#[test]
fn an_expired_token_says_to_sign_in_again() {
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, REFERENCES.1);
    mount(
        &world,
        &salesforce,
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/usage")))
            .respond_with(refused(401, "INVALID_SESSION_ID")),
    );
    let output = failing_run(&world);
    assert!(
        output.contains("Salesforce refused the access token (HTTP 401 INVALID_SESSION_ID: refused by the fake org)"),
        "{output}"
    );
    assert!(output.contains("sf org login web"), "{output}");
}

#[test]
fn an_env_reference_is_refused_before_any_call() {
    let (world, salesforce) = world_with_salesforce(REFERENCES.0, "{ env: ACME_CONSUMER_SECRET }");
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    assert!(
        run.stderr.contains("connections/acme.yaml:9:15: clientSecret: `clientSecret` reads the environment variable ACME_CONSUMER_SECRET, which salesforce-credentials cannot write"),
        "{}",
        run.stderr
    );
    let requests = world.block_on(salesforce.received_requests()).unwrap();
    assert!(requests.is_empty(), "no call to Salesforce: {requests:?}");
}
