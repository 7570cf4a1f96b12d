//! API destinations declared beside their connection: created after it with its ARN, every
//! field converging, drift made outside the tool shown, and pruned with the set's rules.

use crate::support::World;
use crate::support::json::{Action, Kind, Outcome, PlanDocument};

const SECRET: &str = "destinations-consumer-secret-a1b2c3d4";

fn yaml(prod_destinations: &str, sandbox_destinations: &str) -> (String, String) {
    (
        format!(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: {{ env: DEST_SECRET }}\ndestinations:\n{prod_destinations}"
        ),
        format!(
            "name: sf-acme-uat\nsalesforce:\n  myDomain: acme\n  sandbox: uat\nclientId: 3MVG9uat\nclientSecret: {{ env: DEST_SECRET }}\ndestinations:\n{sandbox_destinations}"
        ),
    )
}

const ORDERS: &str = "  - name: acme-orders\n    description: Orders\n    event: Order_Placed__e\n";
const CASES: &str =
    "  - name: acme-cases\n    sobject: Case\n    apiVersion: v61.0\n    rateLimitPerSecond: 20\n";
const UAT_ORDERS: &str = "  - name: acme-uat-orders\n    event: Order_Placed__e\n";

fn write(world: &World, prod: &str, sandbox: &str) {
    let (prod, sandbox) = yaml(prod, sandbox);
    world.write("connections/prod.yaml", &prod);
    world.write("connections/uat.yaml", &sandbox);
}

fn destination(
    world: &World,
    name: &str,
) -> aws_sdk_eventbridge::operation::describe_api_destination::DescribeApiDestinationOutput {
    world
        .block_on(world.events.describe_api_destination().name(name).send())
        .unwrap()
}

/// The three destinations of both connections, applied.
fn applied() -> World {
    let mut world = World::new();
    world.secret_env("DEST_SECRET", SECRET);
    write(&world, &format!("{ORDERS}{CASES}"), UAT_ORDERS);
    world.provision(&["apply", "connections/"]).expect(0);
    world
}

fn apply_and_converge(world: &World, expected_field: &str) {
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains(expected_field),
        "diff names {expected_field}:\n{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    let after = world.provision(&["diff", "connections/"]);
    assert_eq!(
        after.code, 0,
        "permanent diff after {expected_field}:\n{}",
        after.stdout
    );
}

#[test]
fn destinations_are_created_with_their_connection_and_every_field_converges() {
    let mut world = World::new();
    world.secret_env("DEST_SECRET", SECRET);
    write(&world, &format!("{ORDERS}{CASES}"), UAT_ORDERS);

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("    + create   acme-orders"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .contains("API destinations: 3 to create, 0 to update, 0 to delete, 0 in sync."),
        "{}",
        diff.stdout
    );
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(0);
    assert!(
        apply.stdout.contains("API destinations: 3 created"),
        "{}",
        apply.stdout
    );
    let in_sync = world.provision(&["diff", "connections/"]);
    in_sync.expect(0);
    // A destination has no authorization state or client secret of its own to report.
    assert!(
        in_sync
            .stdout
            .lines()
            .any(|line| line.trim() == "= in sync  acme-orders      us-east-1"),
        "{}",
        in_sync.stdout
    );

    let prod_arn = world
        .describe("sf-acme-prod")
        .connection_arn()
        .unwrap()
        .to_string();
    let uat_arn = world
        .describe("sf-acme-uat")
        .connection_arn()
        .unwrap()
        .to_string();
    let orders = destination(&world, "acme-orders");
    assert_eq!(orders.connection_arn(), Some(prod_arn.as_str()));
    assert_eq!(
        orders.invocation_endpoint(),
        Some("https://acme.my.salesforce.com/services/data/v62.0/sobjects/Order_Placed__e")
    );
    assert_eq!(orders.http_method().map(|m| m.as_str()), Some("POST"));
    assert_eq!(orders.description(), Some("Orders [managed by provision]"));
    let cases = destination(&world, "acme-cases");
    assert_eq!(
        cases.invocation_endpoint(),
        Some("https://acme.my.salesforce.com/services/data/v61.0/sobjects/Case")
    );
    assert_eq!(cases.invocation_rate_limit_per_second(), Some(20));
    let uat = destination(&world, "acme-uat-orders");
    assert_eq!(uat.connection_arn(), Some(uat_arn.as_str()));
    assert_eq!(
        uat.invocation_endpoint(),
        Some(
            "https://acme--uat.sandbox.my.salesforce.com/services/data/v62.0/sobjects/Order_Placed__e"
        )
    );

    // Each field changed, then removed.
    write(
        &world,
        &format!(
            "{}{CASES}",
            ORDERS.replace("description: Orders", "description: Orders v2")
        ),
        UAT_ORDERS,
    );
    apply_and_converge(&world, "~ description");
    write(
        &world,
        &format!(
            "{}{CASES}",
            ORDERS.replace("Order_Placed__e", "Order_Shipped__e")
        ),
        UAT_ORDERS,
    );
    apply_and_converge(&world, "~ endpoint");
    write(
        &world,
        &format!("{ORDERS}{}", CASES.replace("v61.0", "v62.0")),
        UAT_ORDERS,
    );
    apply_and_converge(&world, "~ endpoint");
    write(
        &world,
        &format!(
            "{ORDERS}{}",
            CASES.replace("rateLimitPerSecond: 20", "rateLimitPerSecond: 50")
        ),
        UAT_ORDERS,
    );
    apply_and_converge(&world, "~ rateLimitPerSecond");
    // Removed: the description and the rate limit fall back to none and AWS's default.
    write(
        &world,
        &format!(
            "{}{}",
            ORDERS.replace("    description: Orders\n", ""),
            CASES.replace("    rateLimitPerSecond: 20\n", "")
        ),
        UAT_ORDERS,
    );
    apply_and_converge(&world, "~ description");
    assert_eq!(
        destination(&world, "acme-cases").invocation_rate_limit_per_second(),
        Some(300)
    );
}

#[test]
fn a_destination_changed_outside_the_tool_is_a_difference_and_pruned_only_with_prune() {
    let mut world = World::new();
    // Pruning needs a named set and Regions pinned by the files.
    world.write("provision.yaml", "set: orders\ndefaultRegion: us-east-1\n");
    world.secret_env("DEST_SECRET", SECRET);
    write(&world, &format!("{ORDERS}{CASES}"), UAT_ORDERS);
    world.provision(&["apply", "connections/"]).expect(0);

    world
        .block_on(
            world
                .events
                .update_api_destination()
                .name("acme-cases")
                .invocation_rate_limit_per_second(5)
                .send(),
        )
        .unwrap();
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("~ rateLimitPerSecond: \"5\" -> \"20\""),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);

    // No longer declared: a note, then a deletion with --prune (before any connection).
    write(&world, ORDERS, UAT_ORDERS);
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(0);
    assert!(
        diff.stdout.contains(
            "Not declared by any file (this set's API destinations, left alone without --prune):\n  API destination acme-cases in us-east-1\n"
        ),
        "the heading names the kind it lists:\n{}",
        diff.stdout
    );
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(2);
    world
        .provision(&["apply", "connections/", "--prune", "--yes"])
        .expect(0);
    let listed = world
        .block_on(world.events.list_api_destinations().send())
        .unwrap();
    let mut names: Vec<&str> = listed
        .api_destinations()
        .iter()
        .filter_map(|d| d.name())
        .collect();
    names.sort();
    assert_eq!(names, ["acme-orders", "acme-uat-orders"]);
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(0);
}

#[test]
fn the_destinations_of_a_connection_that_cannot_be_planned_show_no_false_change() {
    let world = applied();

    // The connection's secret cannot be read: its destinations exist and are unchanged.
    let (prod, _) = yaml(&format!("{ORDERS}{CASES}"), UAT_ORDERS);
    world.write(
        "connections/prod.yaml",
        &prod.replace("env: DEST_SECRET", "env: DEST_SECRET_NOT_SET"),
    );
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(1);
    assert!(
        !diff.stdout.contains("to be created") && !diff.stdout.contains("connection:"),
        "no destination shows a change it does not have:\n{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .contains("not planned: its connection sf-acme-prod could not be planned"),
        "{}",
        diff.stdout
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(1)
        .stderr("error: 1 of 2 connections and 2 of 3 API destinations failed\n")
        .stdout_json();
    let prod = json.connection("sf-acme-prod");
    assert_eq!(prod.api_destinations.len(), 2, "{prod:?}");
    for destination in &prod.api_destinations {
        assert_eq!(destination.kind, Kind::ApiDestination, "{destination:?}");
        assert_eq!(destination.action, Action::Error, "{destination:?}");
        assert_eq!(destination.changes, [], "{destination:?}");
    }
}

#[test]
fn the_destinations_of_a_connection_that_is_not_ours_are_skipped_with_a_hint_at_adopt() {
    let world = applied();
    // Someone edits the connection's description in the console: its marker is gone.
    world
        .block_on(
            world
                .events
                .update_connection()
                .name("sf-acme-prod")
                .description("edited in the console")
                .send(),
        )
        .unwrap();

    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(1);
    let (_, results) = apply.stdout.split_once("\nPlan: ").unwrap();
    for name in ["acme-orders", "acme-cases"] {
        let line = results
            .lines()
            .find(|line| line.contains(name))
            .unwrap_or_else(|| panic!("{name} is listed:\n{}", apply.stdout));
        assert!(
            line.contains("skipped") && !line.contains("failed"),
            "{line}\n{}",
            apply.stdout
        );
    }
    assert!(
        apply
            .stdout
            .contains("not written: its connection sf-acme-prod is not this set's")
            && apply
                .stdout
                .contains("pass --adopt to take sf-acme-prod over, with its API destinations"),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains("0 failed, 2 skipped."),
        "{}",
        apply.stdout
    );
    let json: PlanDocument = world
        .test(&["apply", "connections/", "--output", "json"])
        .status(1)
        .stderr("error: 1 of 2 connections failed\n")
        .stdout_json();
    let outcomes: Vec<(&str, Outcome)> = json
        .results()
        .iter()
        .filter(|r| r.kind == Kind::ApiDestination && r.name != "acme-uat-orders")
        .map(|r| (r.name.as_str(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("acme-orders", Outcome::Skipped),
            ("acme-cases", Outcome::Skipped)
        ]
    );
    assert_eq!(
        json.api_destination_apply_summary
            .as_ref()
            .map(|s| s.skipped),
        Some(2)
    );

    // --adopt takes the connection over, and the destinations are in sync again.
    world
        .provision(&["apply", "connections/", "--adopt"])
        .expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
}
