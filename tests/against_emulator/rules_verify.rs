//! `provision verify` for the rules declared under API destinations, against the local
//! Salesforce org (scripts/fake_salesforce.py): each rule's body is checked against the
//! Platform Event's describe as the Run As user, a body missing a required field, one naming a
//! field the event lacks, and a complete one, each reported exactly; a rendered `sample:` of
//! the wrong type is named; a rule without a dead-letter queue or with retries off warns.
//! `--publish-test` sends a rule's rendered sample, the bytes EventBridge would send.

use crate::support::{FakeOrg, World};
use serde_json::json;

const KEY: &str = "3MVG9fakeOrdersConsumerKey";
const SECRET: &str = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2";

/// An org whose Order_Placed__e has a required text field and an optional number.
fn org() -> FakeOrg {
    FakeOrg::start(&json!({
        "apps": [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "objects": {
            "Order_Placed__e": {"createable": true, "fields": {
                "Order_Id__c": {"type": "string", "nillable": false, "createable": true, "defaultedOnCreate": false},
                "Amount__c": {"type": "double", "nillable": true, "createable": true, "defaultedOnCreate": false}
            }}
        },
        "limits": {"DailyApiRequests": {"Max": 5_000_000, "Remaining": 5_000_000}}
    }))
}

/// A world whose connection `sf-acme` reaches `org` with `destinations` (YAML list items).
fn world(org: &FakeOrg, destinations: &str) -> World {
    let mut world = World::new();
    world.secret_env("ACME_SECRET", SECRET);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\nclientId: {KEY}\nclientSecret: {{ env: ACME_SECRET }}\ndestinations:\n{destinations}",
            org.token_url()
        ),
    );
    world
}

const ROLE: &str = "arn:aws:iam::123456789012:role/eventbridge-invoke-orders";
const DLQ: &str = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";

/// Three destinations on Order_Placed__e, a rule each: one leaves the required Order_Id__c
/// out, one names Total__c, which the event lacks, and one is complete, with a sample and a
/// dead-letter queue.
fn three_rules() -> String {
    format!(
        "  - name: missing
    event: Order_Placed__e
    rateLimitPerSecond: 1
    rules:
      - name: orders-missing-id
        pattern: {{ source: [com.acme.orders] }}
        body: {{ Amount__c: $.detail.total }}
        deadLetterQueue: {DLQ}
        role: {ROLE}
  - name: unknown
    event: Order_Placed__e
    rateLimitPerSecond: 1
    rules:
      - name: orders-unknown-field
        pattern: {{ source: [com.acme.orders] }}
        body: {{ Order_Id__c: $.detail.id, Total__c: $.detail.total }}
        retry: {{ attempts: 0, maxEventAge: 1h }}
        role: {ROLE}
  - name: complete
    event: Order_Placed__e
    rateLimitPerSecond: 1
    rules:
      - name: orders-complete
        pattern: {{ source: [com.acme.orders] }}
        body: {{ Order_Id__c: $.detail.id, Amount__c: $.detail.total }}
        deadLetterQueue: {DLQ}
        role: {ROLE}
        sample: {{ source: com.acme.orders, detail-type: OrderPlaced, detail: {{ id: A-1001, total: 12.5 }} }}
"
    )
}

#[test]
fn verify_reports_each_rules_body_against_the_event_exactly() {
    let org = org();
    let world = world(&org, &three_rules());
    let run = world.provision(&["verify", "connections/"]);
    run.expect(1);
    let destinations: String = run
        .stdout
        .lines()
        .skip(1)
        .map(|line| format!("{line}\n"))
        .collect();
    insta::assert_snapshot!("rules_verify_three_bodies", destinations);
    // verify reads only: one token request, GETs, nothing published.
    assert!(
        org.requests()
            .iter()
            .all(|r| r.starts_with("GET ") || r == "POST /services/oauth2/token"),
        "{:?}",
        org.requests()
    );
    assert_eq!(org.state()["published"], json!([]));
}

#[test]
fn verify_json_carries_each_rule_with_its_errors_and_help() {
    let org = org();
    let world = world(&org, &three_rules());
    let run = world.provision(&["verify", "connections/", "--output", "json"]);
    run.expect(1);
    let document = run.json();
    let rules_of = |name: &str| {
        document["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no result {name}: {document}"))
            .clone()
    };
    let missing = rules_of("missing");
    assert_eq!(missing["ok"], false);
    assert_eq!(missing["failure"], "rule");
    assert_eq!(
        missing["rules"],
        json!([{
            "name": "orders-missing-id",
            "bus": "default",
            "ok": false,
            "errors": [{
                "error": "the body maps no value to Order_Id__c, which Order_Placed__e requires (a string (xsd:string) field: createable, not nillable, no default on create)",
                "help": "map it under the rule's `body:`, e.g. `Order_Id__c: $.detail.<path>`"
            }],
            "notChecked": [
                "value types: the rule declares no `sample:`; declare `sample:` beside the rule (an event as the rule receives it): verify renders it through the rule's input transformer and checks each value against its field's type",
                format!("role: whether {ROLE} may invoke this destination, and lets events.amazonaws.com assume it, was not checked (verify reads no IAM policy); `provision iam-policy --for rule` prints both policies")
            ]
        }])
    );
    let complete = rules_of("complete");
    assert_eq!(complete["ok"], true);
    assert_eq!(
        complete["rules"],
        json!([{"name": "orders-complete", "bus": "default", "ok": true, "notChecked": [
            format!("role: whether {ROLE} may invoke this destination, and lets events.amazonaws.com assume it, was not checked (verify reads no IAM policy); `provision iam-policy --for rule` prints both policies")
        ]}])
    );
}

#[test]
fn a_sample_value_of_the_wrong_type_is_named_with_its_path() {
    let org = org();
    let world = world(
        &org,
        &format!(
            "  - name: typed
    event: Order_Placed__e
    rateLimitPerSecond: 1
    rules:
      - name: orders-typed
        pattern: {{ source: [com.acme.orders] }}
        body: {{ Order_Id__c: $.detail.id, Amount__c: $.detail.total }}
        deadLetterQueue: {DLQ}
        role: {ROLE}
        sample: {{ detail: {{ id: A-1001, total: '12.50' }} }}
"
        ),
    );
    let run = world.provision(&["verify", "connections/"]);
    run.expect(1);
    assert!(
        run.stdout.contains(
            "      rule orders-typed on bus default: 1 error
        error: the sample renders Amount__c as a string, but Amount__c is a double (xsd:double) field, which takes a JSON number
          help: map Amount__c to a path holding a JSON number ($.detail.total in the sample holds a string), or correct the sample
"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn publish_test_sends_the_rules_sample_as_its_input_transformer_renders_it() {
    let org = org();
    let world = world(&org, &three_rules());
    let run = world.provision(&[
        "verify",
        "connections/",
        "--publish-test",
        "complete",
        "--yes",
        "--allow-production",
    ]);
    run.expect(0);
    let published = org.state()["published"].clone();
    assert_eq!(published.as_array().unwrap().len(), 1, "{published}");
    // The sample's detail.id and detail.total, a string and a number as EventBridge renders
    // them into the JSON template; nothing else of the event.
    assert_eq!(
        published[0]["body"],
        json!({"Order_Id__c": "A-1001", "Amount__c": 12.5})
    );
    assert!(
        run.stdout.contains(&format!(
            "ok  complete  us-east-1  Order_Placed__e v62.0: published, id {}\n",
            published[0]["id"].as_str().unwrap()
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rule_without_a_dead_letter_queue_warns_and_strict_fails_on_it() {
    let org = org();
    let world = world(
        &org,
        &format!(
            "  - name: no-dlq
    event: Order_Placed__e
    rateLimitPerSecond: 1
    rules:
      - name: orders-no-dlq
        pattern: {{ source: [com.acme.orders] }}
        body: {{ Order_Id__c: $.detail.id }}
        role: {ROLE}
"
        ),
    );
    let run = world.provision(&["verify", "connections/"]);
    run.expect(0);
    assert!(
        run.stdout.contains(
            "warning  no-dlq  us-east-1  Order_Placed__e v62.0: the Run As user may create Order_Placed__e
      required fields: Order_Id__c
      rule orders-no-dlq on bus default: ok
        warning: no dead-letter queue: an event EventBridge cannot deliver once its retries are spent is dropped; declare `deadLetterQueue:` (an SQS queue ARN; `provision iam-policy --for rule` prints the queue policy statement it needs)
"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Verify: 2 ok (1 with warnings), 0 failed."),
        "{}",
        run.stdout
    );
    world
        .provision(&["verify", "connections/", "--strict"])
        .expect(1);
}

#[test]
fn publish_test_sends_the_body_file_rather_than_a_rules_sample() {
    let org = org();
    let world = world(&org, &three_rules());
    world.write("body.json", r#"{"Order_Id__c": "FROM-FILE"}"#);
    world
        .provision(&[
            "verify",
            "connections/",
            "--publish-test",
            "complete",
            "--body",
            "body.json",
            "--yes",
            "--allow-production",
        ])
        .expect(0);
    assert_eq!(
        org.state()["published"][0]["body"],
        json!({"Order_Id__c": "FROM-FILE"})
    );
}
