//! Classes of defect a hostile review found, pinned through the binary: parameters AWS holds
//! beyond the declared ones, and secrets reaching output by a side door (a value flipped to
//! plain in AWS, a client id read from a secret store, text echoed by the token endpoint).

use super::{SHARED_TOKEN, world_with_examples};
use crate::support::World;
use aws_sdk_eventbridge::types::{
    ConnectionHeaderParameter, ConnectionHttpParameters, UpdateConnectionAuthRequestParameters,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Replaces the invocation headers of `name` in AWS, as a console edit would.
pub(super) fn set_invocation_headers(world: &World, name: &str, headers: &[(&str, &str, bool)]) {
    let mut parameters = ConnectionHttpParameters::builder();
    for (key, value, secret) in headers {
        parameters = parameters.header_parameters(
            ConnectionHeaderParameter::builder()
                .key(*key)
                .value(*value)
                .is_value_secret(*secret)
                .build(),
        );
    }
    world
        .block_on(
            world
                .events
                .update_connection()
                .name(name)
                .auth_parameters(
                    UpdateConnectionAuthRequestParameters::builder()
                        .invocation_http_parameters(parameters.build())
                        .build(),
                )
                .send(),
        )
        .unwrap();
}

#[test]
fn a_header_aws_holds_twice_is_a_difference_that_apply_removes() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    // A second header with a declared key, next to the declared one.
    set_invocation_headers(
        &world,
        "sf-acme-prod",
        &[
            ("Sforce-Call-Options", "client=orders", false),
            ("Sforce-Call-Options", "client=attacker", false),
            ("X-Shared-Token", SHARED_TOKEN, true),
        ],
    );
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains(
            "~ invocation.headers.Sforce-Call-Options: \"2 values: client=orders, client=attacker\" -> \"client=orders\""
        ),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    let headers: Vec<String> = world
        .describe("sf-acme-prod")
        .auth_parameters()
        .and_then(|a| a.invocation_http_parameters())
        .map(|p| {
            p.header_parameters()
                .iter()
                .map(|h| h.key().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(headers, ["Sforce-Call-Options", "X-Shared-Token"]);
}

#[test]
fn a_declared_secret_flipped_to_plain_in_aws_is_never_shown() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    // Someone marks the secret header plain in the console: AWS now returns its value.
    let visible = world.secret("flipped-visible-value-77aa88bb");
    set_invocation_headers(
        &world,
        "sf-acme-prod",
        &[
            ("Sforce-Call-Options", "client=orders", false),
            ("X-Shared-Token", &visible, false),
        ],
    );
    for output in ["text", "json"] {
        let diff = world.provision(&["diff", "connections/", "--output", output]);
        diff.expect(2);
        assert!(diff.stdout.contains("invocation.headers.X-Shared-Token"));
        assert!(diff.stdout.contains("(secret)"), "{}", diff.stdout);
    }
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_client_id_read_from_a_secret_store_is_never_printed() {
    let mut world = World::new();
    // The classic mistake: the client id reference points at the JSON key of the secret.
    world.create_secret(
        "salesforce/mixed-up",
        r#"{"consumer_key": "3MVG9-mixed-up-consumer-key-value", "consumer_secret": "mixed-up-consumer-secret-value-99"}"#,
    );
    world.write(
        "connections/mixed.yaml",
        "name: sf-mixed\nsalesforce:\n  myDomain: acme\nclientId:\n  secretsManager: salesforce/mixed-up\n  key: consumer_secret\nclientSecret:\n  secretsManager: salesforce/mixed-up\n  key: consumer_secret\n",
    );
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("+ clientId: (secret)"),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    // Changed at its source: the change is named, the values are not.
    world.put_secret(
        "salesforce/mixed-up",
        r#"{"consumer_key": "3MVG9-mixed-up-consumer-key-value", "consumer_secret": "mixed-up-consumer-secret-value-00"}"#,
    );
    let diff = world.provision(&["diff", "connections/", "-vv"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("~ clientId: (secret) -> (secret)"),
        "{}",
        diff.stdout
    );
}

/// A token endpoint that echoes the request it was sent in its error description, as a
/// misconfigured proxy might.
struct EchoingTokenEndpoint;

impl Respond for EchoingTokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": format!("could not authenticate request {body}"),
        }))
    }
}

#[test]
fn text_echoed_by_the_token_endpoint_has_the_secret_redacted() {
    let mut world = World::new();
    let server = world.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(EchoingTokenEndpoint)
            .mount(&server)
            .await;
        server
    });
    world.secret_env("ECHOED_SECRET", "echoed-consumer-secret-5e6f7a8b9c");
    world.write(
        "connections/echo.yaml",
        &format!(
            "name: sf-echo\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9echo\nclientSecret: {{ env: ECHOED_SECRET }}\n",
            server.uri()
        ),
    );
    for output in ["text", "json"] {
        let apply = world.provision(&[
            "apply",
            "connections/",
            "--verify-credentials",
            "--output",
            output,
        ]);
        apply.expect(1);
        assert!(
            apply.stdout.contains("client_secret=(secret)"),
            "the echo is shown with the secret replaced:\n{}",
            apply.stdout
        );
    }
}

/// A transport failure while the client secret is on the wire (the connection is reset before
/// AWS answers `CreateConnection`, whose body holds the secret): the error says what failed and
/// holds no secret, and no request is printed.
#[test]
fn a_reset_during_create_reports_no_secret_and_no_request() {
    let mut world = World::new();
    world.secret_env("RESET_SECRET", "reset-consumer-secret-9f8e7d6c5b4a");
    world.write(
        "connections/reset.yaml",
        "name: sf-reset\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9reset\nclientSecret: { env: RESET_SECRET }\n",
    );
    let proxy = crate::support::Proxy::start(
        &world.emulator.endpoint,
        &["--reset", "1.0", "--only-target", "CreateConnection"],
    );
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    world.env("AWS_MAX_ATTEMPTS", "2");
    for output in ["text", "json", "markdown"] {
        let apply = world.provision(&["apply", "connections/", "-vv", "--output", output]);
        apply.expect(1);
        let all = format!("{}{}", apply.stdout, apply.stderr);
        assert!(all.contains("cannot create the connection"), "{all}");
        assert!(all.contains("could not reach"), "{all}");
        for leak in ["SdkBody", "ClientSecret", "client_secret", "Request {"] {
            assert!(!all.contains(leak), "{leak} printed:\n{all}");
        }
    }
}
