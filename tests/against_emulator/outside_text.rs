//! Text from outside is data: what AWS, the token endpoint or Salesforce answers is printed
//! escaped in text and Markdown, on stdout and on stderr (in every format), so it can neither
//! drive a terminal (an escape sequence, a carriage return that overwrites `failed` with `ok`)
//! nor start a line a CI runner reads as a workflow command; JSON keeps it exactly.
//!
//! The answers carry free text where the real services do: EventBridge's `StateReason` (it
//! copies the token endpoint's refusal, as the recorded `DescribeConnection` answers show), the
//! OAuth 2.0 error answer's `error` and `error_description` (RFC 6749 §5.2: the description is
//! "human-readable ASCII text"; a hostile or broken endpoint sends what it likes), and an AWS
//! JSON error's `message` (the `awsJson1_1` protocol's error body: `__type` and `message`).

use super::world_with_examples;
use crate::support::{Run, World};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Erases the screen, an OSC 8 link, an OSC 52 clipboard write, a carriage return that puts
/// `ok` over `failed`, and three workflow commands after newlines (one indented: the runner
/// trims leading spaces).
const HOSTILE: &str = "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x1b]52;c;b3duZWQ=\x07 failed\rok\n::error::x\n  ::add-mask::x\n::stop-commands::tok";

/// `HOSTILE` as every text line shows it.
const SHOWN: &str = "\\u001b[2J\\u001b]8;;https://evil.example/\\u0007click\\u001b]8;;\\u0007\\u001b]52;c;b3duZWQ=\\u0007 failed\\rok\\n::error::x\\n  ::add-mask::x\\n::stop-commands::tok";

/// Nothing in `run`'s stdout or stderr can act on a terminal or a CI runner: no control
/// character but a newline (and the tab of no view), and no line the runner reads as a
/// command (`::` after white space, `##[` anywhere).
#[track_caller]
fn inert(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{stream} holds a control character:\n{text:?}"
        );
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("::") && !line.contains("##["),
                "{stream} holds a workflow command: {line:?}"
            );
        }
    }
}

#[test]
fn a_state_reason_is_shown_escaped_in_text_and_markdown_and_exactly_in_json() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world
        .emulator
        .set_state("sf-acme-uat", "DEAUTHORIZED", HOSTILE);

    let text = world.provision(&["diff", "connections/"]);
    text.expect(2);
    inert(&text);
    assert!(
        text.stdout.contains(&format!(
            "~ update   sf-acme-uat   us-east-1\n      ! state: DEAUTHORIZED: {SHOWN}; apply re-sends the credentials to re-authorize\n"
        )),
        "{}",
        text.stdout
    );

    let markdown = world.provision(&["diff", "connections/", "--output", "markdown"]);
    markdown.expect(2);
    inert(&markdown);
    assert!(
        markdown.stdout.contains(
            "**Health:** ⚠️ `DEAUTHORIZED`: \\\\u001b\\[2J\\\\u001b\\]8;;https:\u{200d}//evil.example/\\\\u0007click\\\\u001b\\]8;;\\\\u0007\\\\u001b\\]52;c;b3duZWQ=\\\\u0007 failed\\\\rok\\\\n::error::x\\\\n  ::add-mask::x\\\\n::stop-commands::tok; apply re-sends the credentials to re-authorize.\n"
        ),
        "{}",
        markdown.stdout
    );

    let json = world.provision(&["diff", "connections/", "--output", "json"]);
    json.expect(2);
    inert(&json);
    let plan = json.json();
    let uat = plan["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sf-acme-uat")
        .unwrap();
    assert_eq!(uat["health"]["reason"], HOSTILE, "{uat}");
}

/// A token endpoint that refuses with `error` and `error_description` as given.
fn refusing_token_endpoint(world: &World, error: &str, description: &str) -> MockServer {
    let endpoint = world.block_on(MockServer::start());
    world.block_on(
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
                "error": error,
                "error_description": description,
            })))
            .mount(&endpoint),
    );
    endpoint
}

#[test]
fn the_token_endpoints_error_is_shown_escaped_in_text_and_markdown_and_exactly_in_json() {
    let mut world = World::new();
    let endpoint = refusing_token_endpoint(&world, "invalid_client\r::add-mask::x", HOSTILE);
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-escapes-0123");
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9acme\nclientSecret: {{ env: ACME_SECRET }}\n",
            endpoint.uri()
        ),
    );

    let text = world.provision(&["verify", "connections/"]);
    text.expect(1);
    inert(&text);
    assert_eq!(
        text.stdout,
        format!(
            "failed  sf-acme-prod  us-east-1  invalid_client\\r::add-mask::x: {SHOWN}\n      hint: the consumer secret does not match the consumer key: check the clientSecret reference, or the secret after a rotation in Salesforce\n\nVerify: 0 ok, 1 failed.\n"
        )
    );

    let markdown = world.provision(&["verify", "connections/", "--output", "markdown"]);
    markdown.expect(1);
    inert(&markdown);
    assert!(
        markdown.stdout.contains(&format!(
            "failed  sf-acme-prod  us-east-1  invalid_client\\r::add-mask::x: {SHOWN}\n"
        )),
        "{}",
        markdown.stdout
    );

    let json = world.provision(&["verify", "connections/", "--output", "json"]);
    json.expect(1);
    inert(&json);
    let result = &json.json()["results"][0];
    assert_eq!(result["error"], "invalid_client\r::add-mask::x", "{result}");
    assert_eq!(result["errorDescription"], HOSTILE, "{result}");
}

/// A fake EventBridge whose every `ListConnections` is refused with `message` (the run's
/// account is asked first, and answered).
fn refusing_eventbridge(world: &World, message: &str) -> MockServer {
    let server = world.block_on(MockServer::start());
    world.block_on(crate::support::sts::answer_caller_identity(&server));
    world.block_on(
        Mock::given(method("POST"))
            .and(header("x-amz-target", "AWSEvents.ListConnections"))
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("content-type", "application/x-amz-json-1.1")
                    .set_body_string(
                        serde_json::json!({
                            "__type": "ValidationException",
                            "message": message,
                        })
                        .to_string(),
                    ),
            )
            .mount(&server),
    );
    server
}

#[test]
fn an_aws_error_message_is_shown_escaped_on_stderr_in_every_format() {
    let mut world = World::new();
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-escapes-0123");
    world.write(
        "connections/acme.yaml",
        "name: sf-acme-prod\nsalesforce: { myDomain: acme }\nclientId: 3MVG9acme\nclientSecret: { env: ACME_SECRET }\n",
    );
    let endpoint = refusing_eventbridge(&world, HOSTILE);
    for format in ["text", "markdown", "json"] {
        let run = world.provision(&[
            "diff",
            "connections/",
            "--output",
            format,
            "--endpoint-url",
            &endpoint.uri(),
        ]);
        run.expect(1);
        inert(&run);
        assert!(
            run.stderr
                .contains(&format!("ValidationException: {SHOWN}")),
            "{format}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_instance_url_is_shown_escaped_and_exactly_in_json() {
    let mut world = World::new();
    let endpoint = world.block_on(MockServer::start());
    world.block_on(
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "00Dxx!granted-token-for-escapes",
                "instance_url": HOSTILE,
                "token_type": "Bearer",
            })))
            .mount(&endpoint),
    );
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-escapes-0123");
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9acme\nclientSecret: {{ env: ACME_SECRET }}\n",
            endpoint.uri()
        ),
    );
    let text = world.provision(&["verify", "connections/"]);
    text.expect(0);
    inert(&text);
    assert_eq!(
        text.stdout,
        format!("ok  sf-acme-prod  us-east-1  {SHOWN}\n\nVerify: 1 ok, 0 failed.\n")
    );
    let json = world.provision(&["verify", "connections/", "--output", "json"]);
    json.expect(0);
    inert(&json);
    assert_eq!(json.json()["results"][0]["instanceUrl"], HOSTILE);
}

/// A field name as a described object gives it (the REST API's sObject Describe `fields[].name`):
/// the local org serves whatever name its file declares.
#[test]
fn described_field_names_are_shown_escaped_and_exactly_in_json() {
    const KEY: &str = "3MVG9fakeOrdersConsumerKey";
    const SECRET: &str = "orders-consumer-secret-for-escapes-0123456789";
    const FIELD: &str = "Order_Id__c\n::add-mask::x\x1b]52;c;eA==\x07";
    let org = crate::support::FakeOrg::start(&serde_json::json!({
        "apps": [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "objects": {"Order_Placed__e": {"createable": true, "fields": {
            FIELD: {"type": "string", "nillable": false, "createable": true, "defaultedOnCreate": false}
        }}},
    }));
    let mut world = World::new();
    world.secret_env("ACME_SECRET", SECRET);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\nclientId: {KEY}\nclientSecret: {{ env: ACME_SECRET }}\ndestinations:\n  - {{ name: orders, event: Order_Placed__e, rateLimitPerSecond: 1 }}\n",
            org.token_url()
        ),
    );
    let text = world.provision(&["verify", "connections/"]);
    text.expect(0);
    inert(&text);
    assert!(
        text.stdout.contains(
            "      required fields: Order_Id__c\\n::add-mask::x\\u001b]52;c;eA==\\u0007\n"
        ),
        "{}",
        text.stdout
    );
    let json = world.provision(&["verify", "connections/", "--output", "json"]);
    json.expect(0);
    inert(&json);
    assert_eq!(json.json()["results"][1]["requiredFields"][0], FIELD);
}

#[test]
fn a_connect_api_message_is_shown_escaped() {
    let mut world = World::new();
    let org = world.block_on(MockServer::start());
    // The Connect REST API's error body, a list of `errorCode` and `message`.
    world.block_on(
        Mock::given(method("GET"))
            .and(path("/services/data/v64.0/apps/oauth/usage"))
            .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!([
                {"errorCode": "FORBIDDEN\r::error::x", "message": HOSTILE}
            ])))
            .mount(&org),
    );
    world.secret_env("SF_ACCESS_TOKEN", "00Dxx0000000001!AQ4AQFake.Escapes.Token");
    world.env("SF_INSTANCE_URL", &org.uri());
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {{ secretsManager: salesforce/acme, key: client_id }}\nclientSecret: {{ secretsManager: salesforce/acme, key: client_secret }}\n",
            org.uri()
        ),
    );
    for format in ["text", "markdown", "json"] {
        let run = world.provision(&["salesforce-credentials", "connections/", "--output", format]);
        run.expect(1);
        inert(&run);
        let shown = format!("HTTP 403 FORBIDDEN\\r::error::x: {SHOWN}");
        assert!(
            run.stdout.contains(&shown) || run.stderr.contains(&shown),
            "{format}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}
