//! Remote answers are untrusted: an answer too large, a listing without end or too slow to
//! finish is stopped at a bound (`src/bounds.rs`), and the message names the bound or the
//! time limit. The Salesforce side runs against fake endpoints (wiremock on 127.0.0.1); the
//! AWS listings' bounds are pinned with mocked clients (`src/tests/mocked/pagination.rs`).

use crate::support::World;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/services/data/v64.0/apps/oauth";

/// A world whose document's app is `sf_acme_prod`, with a fake org at `SF_INSTANCE_URL`.
fn world_with_org() -> (World, MockServer) {
    let mut world = World::new();
    let org = world.block_on(MockServer::start());
    world.secret_env(
        "SF_ACCESS_TOKEN",
        "00Dxx0000000001!AQ4AQFake.Untrusted.Token",
    );
    world.env("SF_INSTANCE_URL", &org.uri());
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {{ secretsManager: salesforce/acme, key: client_id }}\nclientSecret: {{ secretsManager: salesforce/acme, key: client_secret }}\n",
            org.uri()
        ),
    );
    (world, org)
}

/// `n` apps, none of them the document's.
fn other_apps(n: usize) -> serde_json::Value {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "identifier": format!("0xI{i:015}"),
                "developerName": format!("Other_App_{i}"),
                "name": format!("Other app number {i}, listed to fill the page"),
            })
        })
        .collect()
}

fn answer_every_page(world: &World, org: &MockServer, response: ResponseTemplate) {
    world.block_on(
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/usage")))
            .respond_with(response)
            .mount(org),
    );
}

fn pages_asked(world: &World, org: &MockServer) -> usize {
    world
        .block_on(org.received_requests())
        .unwrap_or_default()
        .len()
}

#[test]
fn an_app_page_larger_than_the_bound_is_refused_and_the_bound_named() {
    let (world, org) = world_with_org();
    // About 2 MiB on one page: far more than the 100 apps asked for.
    let page = serde_json::json!({ "apps": other_apps(20_000) });
    answer_every_page(&world, &org, ResponseTemplate::new(200).set_body_json(page));
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    assert!(
        run.stderr.contains("listing the org's External Client Apps failed: the answer is larger than 1 MiB, the most provision reads of it"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("listed"), "{}", run.stderr);
}

#[test]
fn a_listing_that_never_ends_stops_at_the_page_bound() {
    let (world, org) = world_with_org();
    let full = serde_json::json!({ "apps": other_apps(100) });
    answer_every_page(&world, &org, ResponseTemplate::new(200).set_body_json(full));
    let run = world.provision(&["salesforce-credentials", "connections/"]);
    run.expect(1);
    assert!(
        run.stderr.contains("listing the org's External Client Apps failed: the listing goes on past 100 pages of 100, the most provision reads"),
        "{}",
        run.stderr
    );
    assert_eq!(pages_asked(&world, &org), 100);
}

#[test]
fn a_slow_listing_is_one_call_and_its_time_out_is_said_as_a_time_out() {
    let (world, org) = world_with_org();
    // Each page alone is within the limit; together they are not.
    let full = serde_json::json!({ "apps": other_apps(100) });
    answer_every_page(
        &world,
        &org,
        ResponseTemplate::new(200)
            .set_body_json(full)
            .set_delay(Duration::from_millis(800)),
    );
    let started = Instant::now();
    let run = world.provision(&[
        "salesforce-credentials",
        "connections/",
        "--call-timeout",
        "3s",
    ]);
    let took = started.elapsed();
    run.expect(1);
    assert!(
        run.stderr.contains(&format!(
            "listing the org's External Client Apps timed out: {}{BASE} did not answer within 3s (--call-timeout)",
            org.uri()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("cannot reach"), "{}", run.stderr);
    assert!(took < Duration::from_secs(10), "a 3s listing took {took:?}");
    assert!(pages_asked(&world, &org) <= 5);
}

#[test]
fn a_token_answer_larger_than_the_bound_is_no_token() {
    let mut world = World::new();
    let endpoint = world.block_on(MockServer::start());
    let padding = "x".repeat(100 * 1024);
    world.block_on(
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "00Dxx!granted",
                "instance_url": "https://acme.my.salesforce.com",
                "padding": padding,
            })))
            .mount(&endpoint),
    );
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-bounds-0123");
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9acme\nclientSecret: {{ env: ACME_SECRET }}\n",
            endpoint.uri()
        ),
    );
    let run = world.provision(&["verify", "connections/"]);
    run.expect(1);
    assert!(
        run.stdout
            .contains("HTTP 200: the answer is larger than 64 KiB, the most provision reads of it\n      hint: a token answer is a small JSON object"),
        "{}",
        run.stdout
    );
}

/// A fake EventBridge (wiremock) whose listing holds `names`, each of `described` described as
/// an OAuth client-credentials connection of that name (the run's account is asked first, and
/// answered).
fn hostile_eventbridge(world: &World, names: &[&str], described: &[&str]) -> MockServer {
    use wiremock::matchers::{body_string_contains, header};
    let server = world.block_on(MockServer::start());
    world.block_on(crate::support::caller_identity().mount(&server));
    let json = |body: serde_json::Value| {
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(body.to_string())
    };
    let listed: Vec<_> = names
        .iter()
        .map(|name| serde_json::json!({"Name": name, "ConnectionState": "AUTHORIZED"}))
        .collect();
    world.block_on(
        Mock::given(method("POST"))
            .and(header("x-amz-target", "AWSEvents.ListConnections"))
            .respond_with(json(serde_json::json!({ "Connections": listed })))
            .mount(&server),
    );
    for name in described {
        world.block_on(
            Mock::given(method("POST"))
                .and(header("x-amz-target", "AWSEvents.DescribeConnection"))
                .and(body_string_contains(format!(r#""Name":"{name}""#)))
                .respond_with(json(serde_json::json!({
                    "Name": name,
                    "ConnectionArn": format!("arn:aws:events:us-east-1:123456789012:connection/{name}/0f0e0d0c"),
                    "ConnectionState": "AUTHORIZED",
                    "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                    "AuthParameters": {"OAuthParameters": {
                        "AuthorizationEndpoint": "https://acme.my.salesforce.com/services/oauth2/token",
                        "HttpMethod": "POST",
                        "ClientParameters": {"ClientID": "3MVG9acme"}
                    }}
                })))
                .mount(&server),
        );
    }
    server
}

#[test]
fn export_refuses_names_aws_forbids_and_gives_alike_names_their_own_variables() {
    let world = World::new();
    let endpoint = hostile_eventbridge(
        &world,
        &["../../escaped", "sf-a-b", "sf_a_b"],
        &["sf-a-b", "sf_a_b"],
    );
    let run = world.provision(&["export", "--out", "out/", "--endpoint-url", &endpoint.uri()]);
    run.expect(1);
    assert!(
        run.stdout.contains("skipped ../../escaped in us-east-1: refused: the name contains `/`, which AWS does not allow, so the answer is not AWS's; nothing was written for it\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("1 of 3 connections failed"),
        "{}",
        run.stderr
    );
    // Nothing outside --out, and the forbidden name was never asked about.
    assert!(!world.path("escaped.yaml").exists());
    assert!(
        !world
            .dir
            .path()
            .parent()
            .unwrap()
            .join("escaped.yaml")
            .exists()
    );
    let requests = world.block_on(endpoint.received_requests()).unwrap();
    assert!(
        requests
            .iter()
            .all(|r| !String::from_utf8_lossy(&r.body).contains("escaped")),
        "the forbidden name was sent back to the endpoint"
    );
    let dashed = std::fs::read_to_string(world.path("out/sf-a-b.yaml")).unwrap();
    let underscored = std::fs::read_to_string(world.path("out/sf_a_b.yaml")).unwrap();
    assert!(dashed.contains("  env: SF_A_B_CLIENT_SECRET\n"), "{dashed}");
    assert!(
        underscored.contains("  env: SF_A_B_CLIENT_SECRET_2\n"),
        "{underscored}"
    );
}

#[test]
fn export_checks_every_target_before_writing_any_file() {
    let world = World::new();
    let endpoint = hostile_eventbridge(
        &world,
        &["sf-first", "sf-second"],
        &["sf-first", "sf-second"],
    );
    world.write("out/sf-second.yaml", "# mine\n");
    let run = world.provision(&["export", "--out", "out/", "--endpoint-url", &endpoint.uri()]);
    run.expect(1);
    assert!(
        run.stderr.contains(
            "out/sf-second.yaml: the file exists already; export never overwrites, so nothing was written"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !world.path("out/sf-first.yaml").exists(),
        "a file was written before the clash was found"
    );
    assert_eq!(
        std::fs::read_to_string(world.path("out/sf-second.yaml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn export_refuses_a_link_planted_where_a_region_folder_goes() {
    let world = World::new();
    let endpoint = hostile_eventbridge(&world, &["sf-first"], &["sf-first"]);
    world.write("outside/.keep", "");
    world.write("out/.keep", "");
    std::os::unix::fs::symlink("../outside", world.path("out/eu-west-1")).unwrap();
    let run = world.provision(&[
        "export",
        "--out",
        "out/",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        &endpoint.uri(),
    ]);
    run.expect(1);
    assert!(
        run.stderr.contains(
            "cannot create the folder: out/eu-west-1 is a symbolic link; provision writes nothing through a link (remove it); nothing was written"
        ),
        "{}",
        run.stderr
    );
    let outside: Vec<_> = std::fs::read_dir(world.path("outside"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(outside, [".keep"], "a file was written through the link");
    assert!(!world.path("out/us-east-1/sf-first.yaml").exists());
}

#[test]
fn an_aws_answer_larger_than_the_bound_is_refused_once_and_named() {
    use wiremock::matchers::header;
    let mut world = World::new();
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-bounds-0123");
    world.write(
        "connections/acme.yaml",
        "name: sf-acme-prod\nsalesforce: { myDomain: acme }\nclientId: 3MVG9acme\nclientSecret: { env: ACME_SECRET }\n",
    );
    let endpoint = world.block_on(MockServer::start());
    let padding = "x".repeat(33 * 1024 * 1024);
    world.block_on(crate::support::caller_identity().mount(&endpoint));
    world.block_on(
        Mock::given(method("POST"))
            .and(header("x-amz-target", "AWSEvents.ListConnections"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/x-amz-json-1.1")
                    .set_body_string(format!(r#"{{"Connections":[],"NextToken":"{padding}"}}"#)),
            )
            .mount(&endpoint),
    );
    let run = world.provision(&["diff", "connections/", "--endpoint-url", &endpoint.uri()]);
    run.expect(1);
    assert!(
        run.stderr.contains(&format!(
            "{}: the answer is larger than 32 MiB, the most provision reads of it",
            endpoint.uri()
        )),
        "{}",
        run.stderr
    );
    let asked = world.block_on(endpoint.received_requests()).unwrap().len();
    // The caller's identity first (where the run's resources live), then one listing.
    assert_eq!(asked, 2, "an answer too large is not asked for again");
}
