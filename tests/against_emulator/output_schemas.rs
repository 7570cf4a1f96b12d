//! Real output, made against the emulator, matches the published schema of its document
//! (`schema/output/`), checked by an independent validator: each document at least once, with
//! the parts a small run leaves out (API destinations, orphans, left-out connections, an error
//! entry, an error document with its help apart). Every other test that reads JSON through the
//! kit is checked the same way; these make sure each document is made at all.

use crate::support::World;
use crate::support::json::{Action, ErrorDocument, PlanDocument};
use crate::support::output_schema::check;

const SECRET: &str = "schema-consumer-secret-7c6b5a49";

/// A connection with one API destination, one in two Regions (a run limited to us-east-1
/// leaves its eu-west-1 half out), and one that is applied and then no longer declared (an
/// orphan).
fn world() -> World {
    let mut world = World::new();
    world.secret_env("SCHEMA_SECRET", SECRET);
    world.write(
        "connections/prod.yaml",
        "name: sf-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: { env: SCHEMA_SECRET }\ndestinations:\n  - name: prod-orders\n    event: Order_Placed__e\n",
    );
    world.write(
        "connections/both.yaml",
        "name: sf-both\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9both\nclientSecret: { env: SCHEMA_SECRET }\nregions: [us-east-1, eu-west-1]\n",
    );
    world.write(
        "connections/old.yaml",
        "name: sf-old\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9old\nclientSecret: { env: SCHEMA_SECRET }\n",
    );
    world
        .provision(&["apply", "connections/", "--region", "us-east-1"])
        .expect(0);
    world.remove("connections/old.yaml");
    world
}

/// Checked against the schema of `document`, by the validator itself (the kit checks it too).
#[track_caller]
fn matches(json: &serde_json::Value, document: &str) {
    assert_eq!(check(json).as_deref(), Ok(document), "{json:#}");
}

#[test]
fn a_diff_with_destinations_orphans_left_out_and_an_error_matches_the_plan_schema() {
    let world = world();
    world.write(
        "connections/unset.yaml",
        "name: sf-unset\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9unset\nclientSecret: { env: PROVISION_TEST_SCHEMA_UNSET }\n",
    );
    let args = [
        "diff",
        "connections/",
        "--region",
        "us-east-1",
        "--output",
        "json",
    ];
    let run = world.provision(&args);
    run.expect(1);
    let json = run.json();
    matches(&json, "plan");
    let plan: PlanDocument = run.document();
    assert_eq!(plan.version, 2);
    assert_eq!(plan.connection("sf-prod").api_destinations.len(), 1);
    assert_eq!(plan.orphans.len(), 1, "{:?}", plan.orphans);
    assert_eq!(plan.left_out.len(), 1, "{:?}", plan.left_out);
    let failed = plan.connection("sf-unset");
    assert_eq!(failed.action, Action::Error);
    // The error is what is wrong; how to fix it is the problem's help, apart.
    let problem = &failed.problems[0];
    let error = failed.error.as_deref().unwrap();
    assert!(!error.contains("help"), "{error}");
    assert!(error.ends_with(&problem.message), "{error}");
    assert!(
        problem
            .help
            .as_deref()
            .is_some_and(|help| help.contains("export PROVISION_TEST_SCHEMA_UNSET")),
        "{problem:?}"
    );

    // Text and Markdown show the problem, then its help on a line of its own.
    let text = world.provision(&["diff", "connections/", "--region", "us-east-1"]);
    text.expect(1);
    let headline = format!("      {error}\n        help: export PROVISION_TEST_SCHEMA_UNSET ");
    assert!(text.stdout.contains(&headline), "{}", text.stdout);
    let markdown = [
        "diff",
        "connections/",
        "--region",
        "us-east-1",
        "--output",
        "markdown",
    ];
    let markdown = world.provision(&markdown);
    markdown.expect(1);
    assert!(
        markdown.stdout.contains("\n**Help:** export "),
        "{}",
        markdown.stdout
    );
}

#[test]
fn a_saved_plan_shown_an_apply_and_a_stale_plan_match_their_schemas() {
    let world = world();
    world.write(
        "connections/prod.yaml",
        "name: sf-prod\ndescription: changed\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: { env: SCHEMA_SECRET }\ndestinations:\n  - name: prod-orders\n    event: Order_Placed__e\n",
    );
    world
        .provision(&[
            "diff",
            "connections/",
            "--region",
            "us-east-1",
            "--out",
            "plan.json",
        ])
        .expect(2);
    let show = world.provision(&["show", "plan.json", "--output", "json"]);
    show.expect(0);
    matches(&show.json(), "plan");

    // The files change after the review: the saved plan is refused, the help apart.
    world.write(
        "connections/prod.yaml",
        "name: sf-prod\ndescription: changed again\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: { env: SCHEMA_SECRET }\ndestinations:\n  - name: prod-orders\n    event: Order_Placed__e\n",
    );
    let stale = world.provision(&[
        "apply",
        "connections/",
        "--plan",
        "plan.json",
        "--output",
        "json",
    ]);
    stale.expect(1);
    matches(&stale.json(), "error");
    let error: ErrorDocument = stale.document();
    assert!(
        error
            .error
            .starts_with("the saved plan plan.json is stale, so nothing was changed:"),
        "{error:?}"
    );
    assert!(!error.error.contains("help"), "{error:?}");
    assert_eq!(
        error.help.as_deref(),
        Some("plan again (`provision diff --out plan.json`), review the new plan, then apply it")
    );

    let apply = world.provision(&[
        "apply",
        "connections/",
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]);
    apply.expect(0);
    matches(&apply.json(), "apply");
}

#[test]
fn validate_and_export_match_their_schemas() {
    let world = world();
    let validate = world.provision(&["validate", "connections/", "--output", "json"]);
    validate.expect(0);
    matches(&validate.json(), "validate");
    let export = world.provision(&["export", "--out", "exported/", "--output", "json"]);
    export.expect(0);
    let json = export.json();
    matches(&json, "export");
    assert!(!json["files"].as_array().unwrap().is_empty(), "{json:#}");
}
