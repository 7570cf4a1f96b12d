//! `provision verify`: the token request as EventBridge makes it, against a fake Salesforce
//! token endpoint on loopback that answers each documented error, a success, a delay longer
//! than the call timeout; plus a closed port and a TLS handshake with a plain-HTTP server.

use crate::support::World;
use crate::support::json::{Failure, Kind, Verified, VerifyCommand, VerifyDocument, VerifySummary};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCESS_TOKEN: &str = "00D5g00000FAKE!AQ0AQFakeAccessTokenValue.never-printed";
const INSTANCE_URL: &str = "https://acme.my.salesforce.com";

/// Each connection of the fake org: its client id, what the endpoint answers, and the hint
/// `verify` must give. The secret of each is `<client id>-secret`.
const REFUSALS: &[(&str, &str, &str, &str)] = &[
    (
        "sf-no-run-as",
        "invalid_grant",
        "no client credentials user enabled",
        "Run As user",
    ),
    (
        "sf-unknown-key",
        "invalid_client_id",
        "client identifier invalid",
        "Salesforce does not know this consumer key",
    ),
    (
        "sf-wrong-secret",
        "invalid_client",
        "invalid client credentials",
        "the consumer secret does not match the consumer key",
    ),
    (
        "sf-flow-off",
        "unsupported_grant_type",
        "grant type not supported",
        "Enable Client Credentials Flow",
    ),
    (
        "sf-wrong-domain",
        "invalid_grant",
        "request not supported on this domain",
        "use the org's My Domain token URL",
    ),
];

fn secret_of(name: &str) -> String {
    format!("{name}-consumer-secret-0123456789")
}

fn env_of(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

/// The fake token endpoint: a token only for `sf-ok` with its secret and the declared OAuth
/// parameters; each documented error for its connection; `sf-slow` answered after 5 s.
fn token_endpoint(world: &World) -> MockServer {
    world.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(header("x-trace", "verify"))
            .and(query_param("format", "json"))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("scope=api"))
            .and(body_string_contains("client_id=3MVG9-sf-ok"))
            .and(body_string_contains(format!(
                "client_secret={}",
                secret_of("sf-ok")
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": ACCESS_TOKEN,
                "instance_url": INSTANCE_URL,
                "id": "https://login.salesforce.com/id/00D5g00000FAKE/0055g00000FAKE",
                "token_type": "Bearer",
                "issued_at": "1700000000000",
                "signature": "c2lnbmF0dXJl"
            })))
            .mount(&server)
            .await;
        for (name, error, description, _) in REFUSALS {
            Mock::given(method("POST"))
                .and(path("/services/oauth2/token"))
                .and(body_string_contains(format!("client_id=3MVG9-{name}&")))
                .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
                    "error": error, "error_description": description
                })))
                .mount(&server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .and(body_string_contains("client_id=3MVG9-sf-slow&"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_delay(std::time::Duration::from_secs(5))
                    .set_body_json(serde_json::json!({
                        "access_token": ACCESS_TOKEN, "instance_url": INSTANCE_URL
                    })),
            )
            .mount(&server)
            .await;
        server
    })
}

/// One connection against `token_url`, its secret in the environment, with the OAuth
/// parameters the fake endpoint requires of `sf-ok`.
fn connection(name: &str, token_url: &str, extra: &str) -> String {
    format!(
        "name: {name}\nsalesforce:\n  tokenUrl: {token_url}\n  allowAnyHost: true\nclientId: 3MVG9-{name}\nclientSecret: {{ env: {} }}\noauth:\n  body: {{ scope: api }}\n  query: {{ format: json }}\n  headers: {{ X-Trace: verify }}\n{extra}",
        env_of(name)
    )
}

/// A port on loopback that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The world: every documented refusal, a success in two Regions, a slow endpoint, a closed
/// port, a TLS handshake with a plain-HTTP server, and a secret that cannot be read.
fn fake_org() -> (World, MockServer) {
    let mut world = World::new();
    let server = token_endpoint(&world);
    world.secret(ACCESS_TOKEN);
    let token_url = format!("{}/services/oauth2/token", server.uri());
    let mut documents = vec![connection(
        "sf-ok",
        &token_url,
        "regions: [us-east-1, eu-west-1]\n",
    )];
    for (name, ..) in REFUSALS {
        documents.push(connection(name, &token_url, ""));
    }
    documents.push(connection("sf-slow", &token_url, ""));
    documents.push(connection(
        "sf-closed",
        &format!("http://127.0.0.1:{}/services/oauth2/token", closed_port()),
        "",
    ));
    documents.push(connection(
        "sf-not-tls",
        &token_url.replace("http://", "https://"),
        "",
    ));
    for name in std::iter::once("sf-ok")
        .chain(REFUSALS.iter().map(|r| r.0))
        .chain(["sf-slow", "sf-closed", "sf-not-tls"])
    {
        world.secret_env(&env_of(name), &secret_of(name));
    }
    // Declared, but its secret is not in the environment: fails alone, nothing is sent.
    documents.push(connection("sf-unreadable", &token_url, ""));
    world.write("connections/org.yaml", &documents.join("---\n"));
    (world, server)
}

#[test]
fn verify_reports_each_answer_with_its_hint_and_never_the_token_or_a_secret() {
    let (world, server) = fake_org();
    let started = std::time::Instant::now();
    let run = world.provision(&["verify", "connections/", "--call-timeout", "1s"]);
    run.expect(1);
    // Did not hang on the slow endpoint (it answers after 5 s; the limit is 1 s).
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let out = &run.stdout;

    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            out.contains(&format!("ok  sf-ok  {region}  {INSTANCE_URL}\n")),
            "{out}"
        );
    }
    for (name, error, description, hint) in REFUSALS {
        assert!(
            out.contains(&format!(
                "failed  {name}  us-east-1  {error}: {description}\n"
            )),
            "{name}: {out}"
        );
        let block = block_of(out, name);
        assert!(
            block
                .lines()
                .any(|line| line.trim_start().starts_with("hint: ") && line.contains(hint)),
            "{name}: {block}"
        );
    }
    let slow = block_of(out, "sf-slow");
    assert!(
        slow.contains(&format!(
            "{}/services/oauth2/token did not answer within 1s (--call-timeout)",
            server.uri()
        )),
        "{slow}"
    );
    assert!(
        slow.contains("hint:") && slow.contains("--call-timeout"),
        "{slow}"
    );
    let closed = block_of(out, "sf-closed");
    assert!(
        closed.contains("cannot reach http://127.0.0.1:"),
        "{closed}"
    );
    assert!(closed.to_lowercase().contains("refused"), "{closed}");
    let tls = block_of(out, "sf-not-tls");
    assert!(
        tls.contains("the TLS handshake with https://127.0.0.1:"),
        "{tls}"
    );
    let unreadable = block_of(out, "sf-unreadable");
    assert!(
        unreadable.contains("environment variable SF_UNREADABLE is not set"),
        "{unreadable}"
    );
    assert!(out.contains("Verify: 2 ok, 9 failed."), "{out}");
    assert!(
        run.stderr.contains("error: 9 of 11 connections failed"),
        "{}",
        run.stderr
    );
    // The unreadable connection sent nothing; every other one asked exactly once per Region.
    let requests = world.block_on(server.received_requests()).unwrap();
    let sent = |name: &str| {
        requests
            .iter()
            .filter(|r| {
                String::from_utf8_lossy(&r.body).contains(&format!("client_id=3MVG9-{name}&"))
            })
            .count()
    };
    assert_eq!(sent("sf-unreadable"), 0);
    assert_eq!(sent("sf-ok"), 2);
    assert_eq!(sent("sf-wrong-secret"), 1);
}

#[test]
fn verify_json_says_the_same_per_connection() {
    let (world, _server) = fake_org();
    let run = world.provision(&[
        "verify",
        "connections/",
        "--call-timeout",
        "1s",
        "--output",
        "json",
        "--concurrency",
        "3",
    ]);
    run.expect(1);
    let json: VerifyDocument = run.document();
    assert_eq!(json.version, 2);
    assert_eq!(json.command, VerifyCommand::Verify);
    assert_eq!(
        json.summary,
        VerifySummary {
            ok: 2,
            failed: 9,
            warnings: 0
        }
    );
    assert_eq!(json.results.len(), 11);
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            json.result("sf-ok", region),
            &Verified {
                kind: Kind::Connection,
                name: "sf-ok".to_string(),
                region: region.to_string(),
                ok: true,
                instance_url: Some(INSTANCE_URL.to_string()),
                ..Verified::default()
            }
        );
    }
    for (name, error, description, hint) in REFUSALS {
        let refused = json.result(name, "us-east-1");
        assert!(!refused.ok);
        assert_eq!(refused.error.as_deref(), Some(*error));
        assert_eq!(refused.error_description.as_deref(), Some(*description));
        assert_eq!(refused.failure, Some(Failure::Refused));
        assert_eq!(refused.http_status, Some(400));
        assert!(
            refused.help.as_deref().is_some_and(|h| h.contains(hint)),
            "{refused:?}"
        );
        assert_eq!(refused.instance_url, None);
    }
    let failure = |name: &str| json.result(name, "us-east-1").failure;
    assert_eq!(failure("sf-slow"), Some(Failure::Timeout));
    assert_eq!(failure("sf-closed"), Some(Failure::Unreachable));
    assert_eq!(failure("sf-not-tls"), Some(Failure::Tls));
    assert_eq!(failure("sf-unreadable"), Some(Failure::Secret));
    assert!(!run.stdout.contains("access_token"), "{}", run.stdout);
}

#[test]
fn verify_exits_0_when_every_token_is_granted() {
    let mut world = World::new();
    let server = token_endpoint(&world);
    world.secret(ACCESS_TOKEN);
    world.secret_env("SF_OK", &secret_of("sf-ok"));
    world.write(
        "connections/ok.yaml",
        &connection(
            "sf-ok",
            &format!("{}/services/oauth2/token", server.uri()),
            "",
        ),
    );
    let run = world.provision(&["verify", "connections/"]);
    run.expect(0);
    assert_eq!(
        run.stdout,
        format!("ok  sf-ok  us-east-1  {INSTANCE_URL}\n\nVerify: 1 ok, 0 failed.\n")
    );
    assert_eq!(run.stderr, "");
}

/// The lines of one connection's result: its head line and the indented lines below it.
fn block_of(out: &str, name: &str) -> String {
    let mut block = Vec::new();
    let mut inside = false;
    for line in out.lines() {
        if line.starts_with("failed  ") || line.starts_with("ok  ") {
            inside = line.split("  ").nth(1) == Some(name);
        } else if !line.starts_with("      ") {
            inside = false;
        }
        if inside {
            block.push(line);
        }
    }
    assert!(!block.is_empty(), "no result for {name}:\n{out}");
    block.join("\n")
}
