//! `provision verify` against the local Salesforce org (scripts/fake_salesforce.py): with the
//! token each connection gets, it asks the org, as the Run As user, whether each API
//! destination can deliver: a deliverable one is ok with its required fields; a target the
//! user may not create, one the org does not have, and an API version the org does not serve
//! each fail with their reason and hint; rates past an allocation warn; a refused `/limits` is
//! "not checked". Only GET requests besides the token request; never a token or a secret in
//! any output. `--publish-test` publishes one event, and only when allowed.

use crate::support::{FakeOrg, World};
use serde_json::json;

const KEY: &str = "3MVG9fakeOrdersConsumerKey";
const SECRET: &str = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2";
/// Every access token the local org grants starts with this.
const TOKEN_PREFIX: &str = "00D5g00000FAKE!";

/// An org with one app (Run As user set), the Order_Placed__e event (one required field), an
/// event the Run As user may not create, and what `extra` adds or replaces.
fn org(extra: serde_json::Value) -> FakeOrg {
    let mut declared = json!({
        "apps": [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "objects": {
            "Order_Placed__e": {"createable": true, "fields": {
                "Order_Id__c": {"type": "string", "nillable": false, "createable": true, "defaultedOnCreate": false},
                "Note__c": {"type": "string", "nillable": true, "createable": true, "defaultedOnCreate": false}
            }},
            "Audit__e": {"createable": false, "fields": {}},
            "Case": {"createable": true, "fields": {
                "Subject": {"type": "string", "nillable": true, "createable": true, "defaultedOnCreate": false}
            }}
        },
        "limits": {"DailyApiRequests": {"Max": 5_000_000, "Remaining": 5_000_000}}
    });
    for (key, value) in extra.as_object().unwrap() {
        declared[key] = value.clone();
    }
    FakeOrg::start(&declared)
}

/// A world whose connection `sf-acme` reaches `org` with `destinations` (YAML list items).
fn world(org: &FakeOrg, destinations: &str) -> World {
    let mut world = World::new();
    world.secret_env("ACME_SECRET", SECRET);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\nclientId: {KEY}\nclientSecret: {{ env: ACME_SECRET }}\ninvocation:\n  headers:\n    Sforce-Call-Options: client=eventbridge\n  query:\n    source: eventbridge\ndestinations:\n{destinations}",
            org.token_url()
        ),
    );
    world
}

const EVERY_KIND: &str = "  - { name: orders, event: Order_Placed__e, rateLimitPerSecond: 10 }
  - { name: audit, event: Audit__e, rateLimitPerSecond: 1 }
  - { name: ghost, event: Ghost__e, rateLimitPerSecond: 1 }
  - { name: future, event: Order_Placed__e, apiVersion: v99.0, rateLimitPerSecond: 1 }
  - { name: cases, sobject: Case, rateLimitPerSecond: 1 }
  - { name: apex, path: /services/apexrest/orders, rateLimitPerSecond: 1 }
";

/// No access token in what a run printed (the world checks the secrets it knows).
fn assert_no_token(run: &crate::support::Run) {
    assert!(!run.stdout.contains(TOKEN_PREFIX), "{}", run.stdout);
    assert!(!run.stderr.contains(TOKEN_PREFIX), "{}", run.stderr);
}

#[test]
fn verify_tells_each_destination_deliverable_or_why_not_with_get_requests_only() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&["verify", "connections/", "-vv"]);
    run.expect(1);
    assert_no_token(&run);
    let destinations: String = run
        .stdout
        .lines()
        .skip(1)
        .map(|line| format!("{line}\n"))
        .collect();
    insta::assert_snapshot!(destinations, @r#"
    ok  orders  us-east-1  Order_Placed__e v62.0: the Run As user may create Order_Placed__e
          required fields: Order_Id__c
    failed  audit  us-east-1  Audit__e v62.0: the Run As user may not create Audit__e: describe answers createable: false
          hint: grant the app's Run As user Create on the Platform Event Audit__e: a permission set with Create in its object settings for Audit__e, assigned to the Run As user
    failed  ghost  us-east-1  Ghost__e v62.0: the org has no Platform Event Ghost__e at v62.0 (HTTP 404 NOT_FOUND)
          hint: check the API name in the YAML, deploy Ghost__e to this org, or, if it exists, give the Run As user access to it (an object a user cannot see is not found)
    failed  future  us-east-1  Order_Placed__e v99.0: the org does not serve API version v99.0 (it serves v31.0 to v65.0)
          hint: set `apiVersion:` to a version the org serves (e.g. v65.0)
    ok  cases  us-east-1  Case v62.0: the Run As user may create Case
          required fields: none
    ok  apex  us-east-1  /services/apexrest/orders
          not checked: target: a `path:` destination cannot be described: whether the Run As user may call /services/apexrest/orders, and the body it takes, were not checked

    Verify: 4 ok, 3 failed.
    "#);
    assert!(
        run.stdout
            .starts_with(&format!("ok  sf-acme  us-east-1  {}\n", org.url)),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("error: 3 of 7 checks failed"),
        "{}",
        run.stderr
    );
    // One token request, then GETs only: never a publish, never a change.
    let requests = org.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.as_str() == "POST /services/oauth2/token")
            .count(),
        1,
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET ") || r == "POST /services/oauth2/token"),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /services/data/v62.0/sobjects/Order_Placed__e/describe".into()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /services/data/v62.0/limits".into()),
        "{requests:?}"
    );
    assert_eq!(org.state()["published"], json!([]));
}

#[test]
fn verify_json_has_a_destination_result_per_destination() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&["verify", "connections/", "--output", "json"]);
    run.expect(1);
    assert_no_token(&run);
    let json = run.json();
    assert_eq!(
        json["summary"],
        json!({"ok": 4, "failed": 3, "warnings": 0})
    );
    let result = |name: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {json}"))
            .clone()
    };
    assert_eq!(
        result("orders"),
        json!({
            "kind": "apiDestination", "name": "orders", "connection": "sf-acme",
            "region": "us-east-1", "ok": true, "target": "Order_Placed__e",
            "apiVersion": "v62.0",
            "checked": "the Run As user may create Order_Placed__e",
            "requiredFields": ["Order_Id__c"], "warnings": []
        })
    );
    let audit = result("audit");
    assert_eq!(
        (&audit["kind"], &audit["ok"], &audit["failure"]),
        (
            &json!("apiDestination"),
            &json!(false),
            &json!("not-createable")
        )
    );
    assert!(
        audit["help"].as_str().unwrap().contains("permission set"),
        "{audit}"
    );
    assert_eq!(result("ghost")["failure"], "not-found");
    assert_eq!(result("ghost")["httpStatus"], 404);
    assert_eq!(result("future")["failure"], "api-version");
    assert_eq!(result("sf-acme")["kind"], "connection");

    let markdown = world.provision(&["verify", "connections/", "--output", "markdown"]);
    markdown.expect(1);
    assert_no_token(&markdown);
    assert!(
        markdown.stdout.starts_with("```text\n"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("\nfailed  ghost  us-east-1  Ghost__e v62.0: the org has no Platform Event Ghost__e at v62.0 (HTTP 404 NOT_FOUND)\n"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.ends_with("Verify: 4 ok, 3 failed.\n```\n"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn rates_past_the_hourly_allocation_warn_under_it_do_not_and_strict_fails_on_warnings() {
    // 5 events a second is the allocation: 18,000 an hour.
    let org = org(
        json!({"limits": {"HourlyPublishedPlatformEvents": {"Max": 18_000, "Remaining": 18_000}}}),
    );
    let under = world(
        &org,
        "  - { name: orders, event: Order_Placed__e, rateLimitPerSecond: 5 }\n",
    );
    let run = under.provision(&["verify", "connections/", "--strict"]);
    run.expect(0);
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);

    let over = world(
        &org,
        "  - { name: orders, event: Order_Placed__e, rateLimitPerSecond: 3 }\n  - { name: more-orders, event: Order_Placed__e, rateLimitPerSecond: 3 }\n",
    );
    let run = over.provision(&["verify", "connections/"]);
    run.expect(0);
    let warning = "      warning: the org's Platform Event destinations may publish 21,600 events an hour (6/s declared in all), more than its hourly publishing allocation of 18,000 (HourlyPublishedPlatformEvents): lower rateLimitPerSecond to 5/s in all, or raise the allocation\n";
    assert!(
        run.stdout.contains(&format!("warning  orders  us-east-1  Order_Placed__e v62.0: the Run As user may create Order_Placed__e\n      required fields: Order_Id__c\n{warning}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("warning  more-orders  "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Verify: 3 ok (2 with warnings), 0 failed."),
        "{}",
        run.stdout
    );
    let strict = over.provision(&["verify", "connections/", "--strict", "--output", "json"]);
    strict.expect(1);
    let json = strict.json();
    assert_eq!(
        json["summary"],
        json!({"ok": 3, "failed": 0, "warnings": 2})
    );
    assert_eq!(
        json["results"][1]["warnings"][0],
        warning.trim().trim_start_matches("warning: ")
    );
    assert!(
        strict
            .stderr
            .contains("0 of 3 checks failed, 2 warned (--strict)"),
        "{}",
        strict.stderr
    );
}

#[test]
fn a_refused_limits_read_is_not_checked_and_does_not_fail() {
    let org = org(json!({"switches": {"limitsForbidden": true}}));
    let world = world(
        &org,
        "  - { name: orders, event: Order_Placed__e, rateLimitPerSecond: 300 }\n",
    );
    let run = world.provision(&["verify", "connections/", "--strict"]);
    run.expect(0);
    assert!(
        run.stdout.contains("ok  orders  us-east-1  Order_Placed__e v62.0: the Run As user may create Order_Placed__e\n      required fields: Order_Id__c\n      not checked: allocations: the Run As user may not read /limits (HTTP 403 INSUFFICIENT_ACCESS: insufficient access rights on object id); it needs the \"View Setup and Configuration\" permission\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_refused_token_leaves_the_destinations_unchecked() {
    let org = org(
        json!({"apps": [{"name": "Orders_EventBridge", "consumerKey": KEY,
                                   "consumerSecret": SECRET, "runAsUser": null}]}),
    );
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&["verify", "connections/"]);
    run.expect(1);
    assert!(
        run.stdout.starts_with(
            "failed  sf-acme  us-east-1  invalid_grant: no client credentials user enabled\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Verify: 0 ok, 1 failed."),
        "{}",
        run.stdout
    );
    assert_eq!(org.requests(), ["POST /services/oauth2/token"]);
}

// ------------------------------------------------------------------------------- --publish-test

#[test]
fn publish_test_publishes_one_event_as_eventbridge_would_and_prints_its_id() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&[
        "verify",
        "connections/",
        "--publish-test",
        "orders",
        "--yes",
        "--allow-production",
    ]);
    run.expect(0);
    assert_no_token(&run);
    let published = org.state()["published"].clone();
    assert_eq!(published.as_array().unwrap().len(), 1, "{published}");
    let event = &published[0];
    assert_eq!(event["object"], "Order_Placed__e");
    assert_eq!(event["version"], "62.0");
    assert_eq!(
        event["body"],
        json!({"Order_Id__c": "TEST from provision verify --publish-test"})
    );
    assert_eq!(event["user"], "eventbridge@acme.example");
    assert_eq!(event["query"], "source=eventbridge");
    assert_eq!(
        event["headers"]["sforce-call-options"],
        "client=eventbridge"
    );
    assert_eq!(
        event["headers"]["user-agent"],
        "Amazon/EventBridge/ApiDestinations"
    );
    assert!(
        event["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/json"),
        "{event}"
    );
    let id = event["id"].as_str().unwrap();
    assert!(
        run.stdout.contains(&format!(
            "ok  orders  us-east-1  Order_Placed__e v62.0: published, id {id}\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Verify: 2 ok, 0 failed."),
        "{}",
        run.stdout
    );
}

#[test]
fn publish_test_sends_the_body_file_when_given() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    world.write(
        "event.json",
        r#"{"Order_Id__c": "test-42", "Note__c": "from a file"}"#,
    );
    let run = world.provision(&[
        "verify",
        "--publish-test",
        "orders",
        "--body",
        "event.json",
        "--yes",
        "--allow-production",
        "--output",
        "json",
    ]);
    run.expect(0);
    assert_eq!(
        org.state()["published"][0]["body"],
        json!({"Order_Id__c": "test-42", "Note__c": "from a file"})
    );
    let json = run.json();
    assert_eq!(
        json["results"][1]["enqueuedId"],
        org.state()["published"][0]["id"]
    );
}

#[test]
fn publish_test_refuses_a_body_that_is_not_a_regular_file() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&[
        "verify",
        "--publish-test",
        "orders",
        "--body",
        "/dev/zero",
        "--yes",
        "--allow-production",
    ]);
    run.expect(1);
    assert!(
        run.stderr
            .contains("--body /dev/zero: cannot read it: it is a device, not a regular file"),
        "{}",
        run.stderr
    );
    assert_eq!(org.state()["published"], json!([]));
}

#[test]
fn publish_test_does_not_publish_to_a_target_that_fails_its_checks() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&[
        "verify",
        "--publish-test",
        "audit",
        "--yes",
        "--allow-production",
    ]);
    run.expect(1);
    assert!(
        run.stdout.contains(
            "failed  audit  us-east-1  Audit__e v62.0: the Run As user may not create Audit__e"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(org.state()["published"], json!([]));
    assert!(
        org.requests()
            .iter()
            .all(|r| r.starts_with("GET ") || r == "POST /services/oauth2/token")
    );
}

#[test]
fn publish_test_is_refused_without_yes_off_a_terminal_before_any_request() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&["verify", "--publish-test", "orders", "--allow-production"]);
    run.expect(1);
    assert!(
        run.stderr.contains(&format!(
            "error: --publish-test orders would publish one event to {}/services/data/v62.0/sobjects/Order_Placed__e, and there is no terminal to confirm on: nothing was published\n  help: run again with --yes",
            org.url
        )),
        "{}",
        run.stderr
    );
    assert_eq!(org.requests(), Vec::<String>::new());
}

#[test]
fn publish_test_is_refused_on_a_production_host_without_allow_production() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision(&["verify", "--publish-test", "orders", "--yes"]);
    run.expect(1);
    assert!(
        run.stderr.contains(&format!(
            "--publish-test orders: {}/services/data/v62.0/sobjects/Order_Placed__e is not a sandbox host, so this may be a production org: nothing was published",
            org.url
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-production"), "{}", run.stderr);
    assert_eq!(org.requests(), Vec::<String>::new());
}

#[test]
fn publish_test_names_the_declared_destinations_when_the_name_is_unknown() {
    let org = org(json!({}));
    let world = world(&org, "  - { name: orders, event: Order_Placed__e }\n");
    let run = world.provision(&["verify", "--publish-test", "oders", "--yes"]);
    run.expect(1);
    assert!(
        run.stderr.contains(
            "error: --publish-test oders: no API destination of that name (the files declare orders)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn publish_test_asks_on_a_terminal_and_publishes_nothing_unless_told_yes() {
    let org = org(json!({}));
    let world = world(&org, EVERY_KIND);
    let run = world.provision_on_terminal(
        &["verify", "--publish-test", "orders", "--allow-production"],
        &[],
    );
    run.expect(1);
    assert_no_token(&run);
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(
        shown.contains(&format!(
            "Publish one test event to {}/services/data/v62.0/sobjects/Order_Placed__e? Every subscriber of the event receives it."
        , org.url)),
        "{shown}"
    );
    assert!(
        shown.contains("\"Order_Id__c\": \"TEST from provision verify --publish-test\""),
        "{shown}"
    );
    assert!(
        shown.contains("the test event was not confirmed: nothing was published"),
        "{shown}"
    );
    assert_eq!(org.state()["published"], json!([]));
}
