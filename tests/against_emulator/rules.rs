//! Rules declared under their API destination, through the CLI against the emulator: created
//! with their targets after the destination, a second diff clean, each field changed in the
//! YAML shown before and after and made, drift behind the tool's back shown and reverted, the
//! set's undeclared rule pruned by its tag while a foreign untagged one survives, an untagged
//! declared rule adopted, and a destination nothing routes events to named as a note.

use crate::support::World;
use crate::support::json::{Action, Kind, Outcome, PlanDocument};

const SECRET: &str = "rules-consumer-secret-9f8e7d6c5b";

/// The issue's rule, under `acme-order-events`.
const ORDERS_RULE: &str = "      - name: orders-to-salesforce\n        \
     pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}\n        \
     body: {Order_Id__c: $.detail.id, Amount__c: $.detail.total}\n        \
     retry: {attempts: 10, maxEventAge: 1h}\n        \
     deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n        \
     role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n";

/// A second rule of the set, to prune.
const AUDIT_RULE: &str = "      - name: orders-audit\n        \
     pattern: {source: [com.acme.audit]}\n        \
     body: {Order_Id__c: $.detail.id}\n        \
     role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n";

/// One connection with two destinations: the rules under the first, none under `acme-quiet`.
fn write(world: &World, rules: &str) {
    world.write(
        "connections/prod.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: {{ env: RULE_SECRET }}\nregions: [us-east-1]\ndestinations:\n  - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n{rules}  - name: acme-quiet\n    event: Order_Audit__e\n"
        ),
    );
}

fn world() -> World {
    let mut world = World::new();
    world.write("provision.yaml", "set: orders\ndefaultRegion: us-east-1\n");
    world.secret_env("RULE_SECRET", SECRET);
    world
}

fn rule_names(world: &World) -> Vec<String> {
    let listed = world.block_on(world.events.list_rules().send()).unwrap();
    let mut names: Vec<String> = listed
        .rules()
        .iter()
        .filter_map(|rule| rule.name().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn targets(world: &World, rule: &str) -> Vec<aws_sdk_eventbridge::types::Target> {
    world
        .block_on(world.events.list_targets_by_rule().rule(rule).send())
        .unwrap()
        .targets()
        .to_vec()
}

/// The declared rule as AWS has it.
fn orders_rule(world: &World) -> aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput {
    world
        .block_on(
            world
                .events
                .describe_rule()
                .name("orders-to-salesforce")
                .send(),
        )
        .unwrap()
}

/// The declared rule disabled behind the tool's back.
fn disable_orders_rule(world: &World) {
    world
        .block_on(
            world
                .events
                .disable_rule()
                .name("orders-to-salesforce")
                .send(),
        )
        .unwrap();
}

/// A change in the YAML: `diff` names the field (exit 2), `apply` makes it, and the next `diff`
/// is clean. Returns the diff's text.
fn changed(world: &World, rules: &str, field: &str) -> String {
    write(world, rules);
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains(field),
        "diff names {field}:\n{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    let after = world.provision(&["diff", "connections/"]);
    assert_eq!(
        after.code, 0,
        "permanent diff after {field}:\n{}",
        after.stdout
    );
    diff.stdout.clone()
}

#[test]
fn rules_are_created_with_their_targets_and_a_second_diff_is_clean() {
    let world = world();
    write(&world, ORDERS_RULE);

    let diff = world.provision(&["diff", "connections/", "--output", "json"]);
    diff.expect(2);
    let plan: PlanDocument = diff.document();
    let destination = &plan.connection("sf-acme-prod").api_destinations[0];
    assert_eq!(destination.name, "acme-order-events");
    let [rule] = destination.rules.as_slice() else {
        panic!("one rule under acme-order-events: {destination:?}")
    };
    assert_eq!(
        (rule.kind, rule.name.as_str(), rule.action),
        (Kind::Rule, "orders-to-salesforce", Action::Create)
    );
    assert_eq!(plan.rule_summary.as_ref().map(|s| s.create), Some(1));

    let apply = world.provision(&["apply", "connections/", "--output", "json"]);
    apply.expect(0);
    let applied: PlanDocument = apply.document();
    let results = applied.results.unwrap();
    let rule = results
        .iter()
        .find(|result| result.kind == Kind::Rule)
        .expect("a rule result");
    assert_eq!(rule.outcome, Outcome::Created, "{rule:?}");

    let destination_arn = world
        .block_on(
            world
                .events
                .describe_api_destination()
                .name("acme-order-events")
                .send(),
        )
        .unwrap()
        .api_destination_arn()
        .unwrap()
        .to_string();
    let [target] = targets(&world, "orders-to-salesforce").try_into().unwrap();
    assert_eq!(target.arn(), destination_arn);
    assert_eq!(
        target.role_arn(),
        Some("arn:aws:iam::123456789012:role/eventbridge-invoke-orders")
    );
    assert_eq!(
        target
            .retry_policy()
            .and_then(|r| r.maximum_retry_attempts()),
        Some(10)
    );
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some("arn:aws:sqs:us-east-1:123456789012:orders-dlq")
    );

    let again = world.provision(&["diff", "connections/"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(
        again.stdout.lines().any(|line| line
            .trim_start()
            .starts_with("= in sync  orders-to-salesforce")),
        "the rule is nested under its destination:\n{}",
        again.stdout
    );
}

#[test]
fn a_destination_no_rule_targets_is_named_as_a_note_not_a_difference() {
    let world = world();
    write(&world, ORDERS_RULE);
    world.provision(&["apply", "connections/"]).expect(0);

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(0);
    assert!(
        diff.stdout.contains(
            "Nothing routes events here (no rule targets these API destinations, declared or in AWS):\n  API destination acme-quiet in us-east-1\n"
        ),
        "{}",
        diff.stdout
    );
    let json = world.provision(&["diff", "connections/", "--output", "json"]);
    json.expect(0);
    let plan: PlanDocument = json.document();
    let named: Vec<(Kind, &str)> = plan
        .unrouted
        .iter()
        .map(|d| (d.kind, d.name.as_str()))
        .collect();
    assert_eq!(named, [(Kind::ApiDestination, "acme-quiet")]);
    let markdown = world.provision(&["diff", "connections/", "--output", "markdown"]);
    markdown.expect(0);
    assert!(
        markdown
            .stdout
            .contains("**Nothing routes events here** (no rule targets these API destinations, declared or in AWS):\n\n- `acme-quiet` in us-east-1\n"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn each_field_changed_in_the_yaml_is_shown_before_and_after_and_made() {
    let world = world();
    write(&world, ORDERS_RULE);
    world.provision(&["apply", "connections/"]).expect(0);

    // Each change on top of the one before.
    let shop = ORDERS_RULE.replace("com.acme.orders", "com.acme.shop");
    let pattern = changed(&world, &shop, "pattern");
    insta::assert_snapshot!("a_rule_s_pattern_changed", pattern);
    let sum = shop.replace("Amount__c: $.detail.total", "Amount__c: $.detail.sum");
    changed(&world, &sum, "body.Amount__c");
    let three = sum.replace("attempts: 10", "attempts: 3");
    changed(&world, &three, "retry.attempts");
    changed(
        &world,
        &three.replace("orders-dlq", "orders-dlq-2"),
        "deadLetterQueue",
    );
    let [target] = targets(&world, "orders-to-salesforce").try_into().unwrap();
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some("arn:aws:sqs:us-east-1:123456789012:orders-dlq-2")
    );
    assert_eq!(
        target
            .retry_policy()
            .and_then(|r| r.maximum_retry_attempts()),
        Some(3)
    );
    let paths = target
        .input_transformer()
        .and_then(|t| t.input_paths_map())
        .cloned()
        .unwrap_or_default();
    assert!(
        paths.values().any(|path| path == "$.detail.sum"),
        "{paths:?}"
    );
}

#[test]
fn a_rule_changed_behind_the_tools_back_is_shown_and_reverted() {
    let world = world();
    write(&world, ORDERS_RULE);
    world.provision(&["apply", "connections/"]).expect(0);

    disable_orders_rule(&world);
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("~ state: \"DISABLED\" -> \"ENABLED\""),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    let rule = orders_rule(&world);
    assert_eq!(rule.state().map(|s| s.as_str()), Some("ENABLED"));
}

#[test]
fn prune_deletes_the_sets_undeclared_rule_and_a_foreign_untagged_one_survives() {
    let world = world();
    write(&world, &format!("{ORDERS_RULE}{AUDIT_RULE}"));
    world.provision(&["apply", "connections/"]).expect(0);
    world
        .block_on(
            world
                .events
                .put_rule()
                .name("made-by-hand")
                .event_pattern(r#"{"source":["com.acme.orders"]}"#)
                .send(),
        )
        .unwrap();

    write(&world, ORDERS_RULE);
    let noted = world.provision(&["diff", "connections/"]);
    noted.expect(0);
    assert!(
        noted.stdout.contains("  rule orders-audit in us-east-1\n"),
        "{}",
        noted.stdout
    );
    let diff = world.provision(&["diff", "connections/", "--prune", "--output", "json"]);
    diff.expect(2);
    let plan: PlanDocument = diff.document();
    let pruned: Vec<(&str, Action)> = plan
        .pruned_rules
        .iter()
        .map(|rule| (rule.name.as_str(), rule.action))
        .collect();
    assert_eq!(pruned, [("orders-audit", Action::Delete)]);

    world
        .provision(&["apply", "connections/", "--prune", "--yes"])
        .expect(0);
    assert_eq!(rule_names(&world), ["made-by-hand", "orders-to-salesforce"]);
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(0);
}

#[test]
fn an_untagged_declared_rule_is_left_alone_and_adopt_tags_it_for_the_set() {
    let world = world();
    write(&world, "");
    world.provision(&["apply", "connections/"]).expect(0);
    world
        .block_on(
            world
                .events
                .put_rule()
                .name("orders-to-salesforce")
                .event_pattern(r#"{"source":["com.acme.orders"]}"#)
                .send(),
        )
        .unwrap();

    write(&world, ORDERS_RULE);
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("not ours orders-to-salesforce"),
        "{}",
        diff.stdout
    );
    let refused = world.provision(&["apply", "connections/"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);

    world
        .provision(&["apply", "connections/", "--adopt"])
        .expect(0);
    let arn = orders_rule(&world).arn().unwrap().to_string();
    let tags = world
        .block_on(
            world
                .events
                .list_tags_for_resource()
                .resource_arn(arn)
                .send(),
        )
        .unwrap();
    let set: Vec<(&str, &str)> = tags
        .tags()
        .iter()
        .map(|tag| (tag.key(), tag.value()))
        .collect();
    assert_eq!(set, [("provision:set", "orders")]);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn export_writes_each_rule_under_the_destination_it_targets_and_the_export_is_in_sync() {
    let mut world = world();
    write(&world, ORDERS_RULE);
    world.provision(&["apply", "connections/"]).expect(0);

    world.provision(&["export", "--out", "exported/"]).expect(0);
    let yaml = std::fs::read_to_string(world.path("exported/sf-acme-prod.yaml")).unwrap();
    assert!(
        yaml.contains(
            "  rules:\n  - name: orders-to-salesforce\n    pattern:\n      detail-type:\n      - OrderPlaced\n      source:\n      - com.acme.orders\n"
        ),
        "{yaml}"
    );
    for line in [
        "      Order_Id__c: $.detail.id\n",
        "      Amount__c: $.detail.total\n",
        "      attempts: 10\n",
        "      maxEventAge: 1h\n",
        "    deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n",
        "    role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n",
    ] {
        assert!(yaml.contains(line), "{line}in:\n{yaml}");
    }
    // The exported file declares what AWS has: filled in, it is in sync.
    world.secret_env("SF_ACME_PROD_CLIENT_SECRET", SECRET);
    let diff = world.provision(&["diff", "exported/"]);
    assert_eq!(diff.code, 0, "{}\n{yaml}", diff.stdout);
}

#[test]
fn a_saved_plan_carries_rule_steps_applied_as_reviewed_and_refused_once_the_rule_drifts() {
    let world = world();
    write(&world, ORDERS_RULE);
    world.provision(&["apply", "connections/"]).expect(0);

    // Reviewed: the pattern changes. `show` prints the rule under its destination again.
    write(
        &world,
        &ORDERS_RULE.replace("com.acme.orders", "com.acme.shop"),
    );
    world
        .provision(&["diff", "connections/", "--out", "plan.json"])
        .expect(2);
    let show = world.provision(&["show", "plan.json"]);
    assert!(
        show.stdout
            .contains("        ~ update   orders-to-salesforce"),
        "{}",
        show.stdout
    );
    world
        .provision(&["apply", "connections/", "--plan", "plan.json"])
        .expect(0);
    world.provision(&["diff", "connections/"]).expect(0);

    // Reviewed, then the rule is disabled behind the tool's back: the plan is stale.
    write(
        &world,
        &ORDERS_RULE.replace("com.acme.orders", "com.acme.market"),
    );
    world
        .provision(&["diff", "connections/", "--out", "plan.json"])
        .expect(2);
    disable_orders_rule(&world);
    let stale = world.provision(&["apply", "connections/", "--plan", "plan.json"]);
    stale.expect(1);
    assert!(
        stale.stderr.contains("is stale, so nothing was changed")
            && stale.stderr.contains("orders-to-salesforce"),
        "{}",
        stale.stderr
    );
    let rule = orders_rule(&world);
    assert_eq!(
        rule.event_pattern(),
        Some(r#"{"detail-type":["OrderPlaced"],"source":["com.acme.shop"]}"#),
        "nothing was written"
    );
}
