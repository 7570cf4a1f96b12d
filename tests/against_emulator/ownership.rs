//! Ownership: a connection is `provision`'s only with its set's marker. Unmarked ones are not
//! touched without `--adopt`; undeclared ones of the set are noted, and pruned only with
//! `--prune` behind its guards; what cannot change in place is said, and `--replace` recreates.

use crate::support::json::{Action, Kind, Orphan, PlanDocument};
use crate::support::{EMULATOR_ACCOUNT, World};
use aws_sdk_eventbridge::types::{
    ConnectionAuthorizationType, ConnectionOAuthHttpMethod, CreateConnectionAuthRequestParameters,
    CreateConnectionOAuthClientRequestParameters, CreateConnectionOAuthRequestParameters,
};

const SECRET: &str = "ownership-consumer-secret-0f1e2d3c4b5a";

/// A connection made outside the tool (by hand, or by another tool).
fn create_by_hand(world: &World, name: &str, description: &str) -> String {
    let oauth = CreateConnectionOAuthRequestParameters::builder()
        .client_parameters(
            CreateConnectionOAuthClientRequestParameters::builder()
                .client_id("3MVG9byhand")
                .client_secret("by-hand-secret-value")
                .build()
                .unwrap(),
        )
        .authorization_endpoint("https://acme.my.salesforce.com/services/oauth2/token")
        .http_method(ConnectionOAuthHttpMethod::Post)
        .build()
        .unwrap();
    world
        .block_on(
            world
                .events
                .create_connection()
                .name(name)
                .description(description)
                .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
                .auth_parameters(
                    CreateConnectionAuthRequestParameters::builder()
                        .o_auth_parameters(oauth)
                        .build(),
                )
                .send(),
        )
        .unwrap()
        .connection_arn()
        .unwrap()
        .to_string()
}

fn declare(world: &mut World, name: &str, extra: &str) {
    world.secret_env("OWNED_SECRET", SECRET);
    world.write(
        &format!("connections/{name}.yaml"),
        &format!(
            "name: {name}\ndescription: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9owned\nclientSecret: {{ env: OWNED_SECRET }}\n{extra}"
        ),
    );
}

fn description(world: &World, name: &str) -> String {
    world
        .describe(name)
        .description()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_unmarked_connection_is_not_touched_until_adopted() {
    let mut world = World::new();
    create_by_hand(&world, "sf-legacy", "made in the console");
    declare(&mut world, "sf-legacy", "");

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("! not ours sf-legacy  us-east-1"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("not managed by provision") && diff.stdout.contains("pass --adopt"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains(
            "~ description: \"made in the console\" -> \"sf-legacy [managed by provision]\""
        ),
        "what adopting would change:\n{}",
        diff.stdout
    );

    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(1);
    assert!(
        apply.stdout.contains("failed      sf-legacy"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        description(&world, "sf-legacy"),
        "made in the console",
        "untouched"
    );

    world
        .provision(&["diff", "connections/", "--adopt"])
        .expect(2);
    world
        .provision(&["apply", "connections/", "--adopt"])
        .expect(0);
    assert_eq!(
        description(&world, "sf-legacy"),
        "sf-legacy [managed by provision]"
    );
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn prune_deletes_exactly_this_sets_undeclared_connections() {
    let mut world = World::new();
    // Pruning needs a named set and Regions pinned by the files: the project file gives both.
    world.write("provision.yaml", "set: team-a\ndefaultRegion: us-east-1\n");
    world.write(
        "other/provision.yaml",
        "set: team-b\ndefaultRegion: us-east-1\n",
    );
    declare(&mut world, "sf-kept", "");
    declare(&mut world, "sf-dropped", "");
    world.provision(&["apply", "connections/"]).expect(0);
    // Another team's set, and an unmarked look-alike.
    world.write(
        "other/sf-theirs.yaml",
        "name: sf-theirs\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9theirs\nclientSecret: { env: OWNED_SECRET }\n",
    );
    world
        .provision(&["apply", "other/", "--config", "other/provision.yaml"])
        .expect(0);
    create_by_hand(
        &world,
        "sf-lookalike",
        "sf-lookalike [managed by provision ]",
    );
    world.remove("connections/sf-dropped.yaml");

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(0);
    assert!(
        diff.stdout.contains("Not declared by any file (this set's connections, left alone without --prune):\n  sf-dropped in us-east-1\n"),
        "{}",
        diff.stdout
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .stdout_json();
    assert_eq!(
        json.orphans,
        [Orphan {
            kind: Kind::Connection,
            name: "sf-dropped".to_string(),
            account: EMULATOR_ACCOUNT.to_string(),
            region: "us-east-1".to_string()
        }]
    );

    let diff = world.provision(&["diff", "connections/", "--prune"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("- delete   sf-dropped"),
        "{}",
        diff.stdout
    );
    assert!(!diff.stdout.contains("sf-theirs") && !diff.stdout.contains("sf-lookalike"));

    world
        .test(&["apply", "connections/", "--prune"])
        .status(1)
        .stdout_contains("- delete   sf-dropped  us-east-1")
        .stdout_contains("Plan: 0 to create, 0 to update, 1 to delete, 1 in sync.")
        .stderr("error: --prune would delete 1 connection (sf-dropped (us-east-1)), and there is no terminal to confirm on: nothing was changed\n  help: review the plan, then run again with --yes\n")
        .run();
    assert!(
        world
            .connection_names("us-east-1")
            .contains(&"sf-dropped".to_string())
    );

    let apply = world.provision(&["apply", "connections/", "--prune", "--yes"]);
    apply.expect(0);
    assert!(
        apply.stdout.contains("deleted     sf-dropped"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        world.connection_names("us-east-1"),
        ["sf-kept", "sf-lookalike", "sf-theirs"]
    );
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(0);
    world
        .provision(&[
            "diff",
            "other/",
            "--config",
            "other/provision.yaml",
            "--prune",
        ])
        .expect(0);
}

#[test]
fn deletions_are_guarded_by_max_deletes_and_by_destinations_in_use() {
    let mut world = World::new();
    world.write("provision.yaml", "set: team-a\ndefaultRegion: us-east-1\n");
    for name in ["sf-a", "sf-b", "sf-c"] {
        declare(&mut world, name, "");
    }
    world.provision(&["apply", "connections/"]).expect(0);
    let arn = world.describe("sf-b").connection_arn().unwrap().to_string();
    world
        .block_on(
            world
                .events
                .create_api_destination()
                .name("orders-to-salesforce")
                .connection_arn(&arn)
                .invocation_endpoint(
                    "https://acme.my.salesforce.com/services/data/v62.0/sobjects/Order_Placed__e",
                )
                .http_method(aws_sdk_eventbridge::types::ApiDestinationHttpMethod::Post)
                .send(),
        )
        .unwrap();
    for name in ["sf-a", "sf-b", "sf-c"] {
        world.remove(&format!("connections/{name}.yaml"));
    }
    declare(&mut world, "sf-d", "");

    // The plan already says what apply will refuse: sf-b is still used by a destination that
    // is not this set's.
    let diff = world.provision(&["diff", "connections/", "--prune"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("! refused  sf-b")
            && diff
                .stdout
                .contains("not deleted: API destination(s) orders-to-salesforce still use it")
            && diff.stdout.contains("- delete   sf-a")
            && diff.stdout.contains("2 to delete, 1 refused"),
        "{}",
        diff.stdout
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--prune", "--output", "json"])
        .status(2)
        .stdout_json();
    assert_eq!(
        (json.summary.delete, json.summary.refused),
        (2, 1),
        "{json:?}"
    );

    let refused = world.provision(&[
        "apply",
        "connections/",
        "--prune",
        "--yes",
        "--max-deletes",
        "1",
    ]);
    refused.expect(1);
    assert!(
        refused.stderr.contains(
            "--prune would delete 2 connections (sf-a (us-east-1), sf-c (us-east-1)), more than --max-deletes 1: nothing was changed"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(
        world.connection_names("us-east-1"),
        ["sf-a", "sf-b", "sf-c"],
        "nothing changed"
    );

    world
        .test(&["apply", "connections/", "--prune", "--yes"])
        .status(1)
        .stdout_contains("not deleted: API destination(s) orders-to-salesforce still use it")
        .stderr("error: 1 of 4 connections failed\n")
        .run();
    assert_eq!(world.connection_names("us-east-1"), ["sf-b", "sf-d"]);

    world
        .provision(&["apply", "connections/", "--prune", "--yes", "--force"])
        .expect(0);
    assert_eq!(world.connection_names("us-east-1"), ["sf-d"]);
}

#[test]
fn a_kms_key_aws_keeps_is_reported_and_replace_recreates_behind_the_delete_guards() {
    // A backend that does not take the documented way back to an AWS owned key.
    let mut world = World::with_emulator_env(&[("MOTO_KMS_KEY_STAYS", "1")]);
    declare(
        &mut world,
        "sf-kms",
        "kmsKey: alias/eventbridge-connections\n",
    );
    world.provision(&["apply", "connections/"]).expect(0);
    let arn_before = world
        .describe("sf-kms")
        .connection_arn()
        .unwrap()
        .to_string();
    declare(&mut world, "sf-kms", "");

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("- kmsKey: \"alias/eventbridge-connections\" (removed)")
            && diff
                .stdout
                .contains("removes the customer managed key in place"),
        "{}",
        diff.stdout
    );
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(1);
    assert!(
        apply.stdout.contains("AWS did not take every field")
            && apply.stdout.contains("AWS kept the customer managed key")
            && apply.stdout.contains("--replace"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        world.describe("sf-kms").connection_arn().unwrap(),
        arn_before,
        "the same connection"
    );

    let diff = world.provision(&["diff", "connections/", "--replace"]);
    diff.expect(2);
    assert!(diff.stdout.contains("± replace  sf-kms"), "{}", diff.stdout);
    // A replace deletes: without --yes (and no terminal) nothing happens, and --max-deletes holds.
    world
        .test(&["apply", "connections/", "--replace"])
        .status(1)
        .stdout_contains("Plan: 0 to create, 0 to update, 1 to replace, 0 to delete, 0 in sync.")
        .stderr("error: this run (--prune, --replace) would delete 1 connection (sf-kms (us-east-1, to be created again)), and there is no terminal to confirm on: nothing was changed\n  help: review the plan, then run again with --yes\n")
        .run();
    let over = world.provision(&[
        "apply",
        "connections/",
        "--replace",
        "--yes",
        "--max-deletes",
        "0",
    ]);
    over.expect(1);
    assert!(
        over.stderr.contains("more than --max-deletes 0"),
        "{}",
        over.stderr
    );
    assert_eq!(
        world.describe("sf-kms").connection_arn().unwrap(),
        arn_before,
        "untouched"
    );
    let apply = world.provision(&["apply", "connections/", "--replace", "--yes"]);
    apply.expect(0);
    assert!(
        apply.stdout.contains("replaced    sf-kms"),
        "{}",
        apply.stdout
    );
    let after = world.describe("sf-kms");
    assert_ne!(
        after.connection_arn().unwrap(),
        arn_before,
        "a new connection"
    );
    assert_eq!(after.kms_key_identifier(), None);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn export_then_fill_in_then_adopt_ends_in_sync() {
    let mut world = World::new();
    create_by_hand(&world, "sf-legacy", "made in the console");
    world.secret("by-hand-secret-value");
    let export = world.provision(&["export", "--out", "exported/"]);
    export.expect(0);
    assert!(
        export.stdout.contains(
            "wrote exported/sf-legacy.yaml  (sf-legacy in us-east-1; set SF_LEGACY_CLIENT_SECRET)"
        ),
        "{}",
        export.stdout
    );
    let yaml = std::fs::read_to_string(world.path("exported/sf-legacy.yaml")).unwrap();
    assert!(yaml.contains("salesforce:\n  myDomain: acme\n"), "{yaml}");
    assert!(
        yaml.contains("clientSecret:\n  env: SF_LEGACY_CLIENT_SECRET\n"),
        "{yaml}"
    );
    world.provision(&["validate", "exported/"]).expect(0);
    // A second export never overwrites.
    world.provision(&["export", "--out", "exported/"]).expect(1);

    world.secret_env("SF_LEGACY_CLIENT_SECRET", "by-hand-secret-value");
    world.provision(&["diff", "exported/"]).expect(2);
    world
        .provision(&["apply", "exported/", "--adopt"])
        .expect(0);
    assert_eq!(
        description(&world, "sf-legacy"),
        "made in the console [managed by provision]"
    );
    world.provision(&["diff", "exported/"]).expect(0);
}

/// An API destination made in the console on `connection_arn`.
fn destination_by_hand(
    world: &World,
    name: &str,
    connection_arn: &str,
    endpoint: &str,
    method: aws_sdk_eventbridge::types::ApiDestinationHttpMethod,
    rate: Option<i32>,
) {
    world
        .block_on(
            world
                .events
                .create_api_destination()
                .name(name)
                .description("made in the console")
                .connection_arn(connection_arn)
                .invocation_endpoint(endpoint)
                .http_method(method)
                .set_invocation_rate_limit_per_second(rate)
                .send(),
        )
        .unwrap();
}

#[test]
fn export_writes_the_destinations_so_that_adopting_them_needs_no_hand_work() {
    use aws_sdk_eventbridge::types::ApiDestinationHttpMethod::{Get, Post};
    let mut world = World::new();
    let arn = create_by_hand(&world, "sf-legacy", "made in the console");
    let host = "https://acme.my.salesforce.com";
    let orders = format!("{host}/services/data/v61.0/sobjects/Order_Placed__e");
    destination_by_hand(&world, "legacy-orders", &arn, &orders, Post, Some(20));
    let cases = format!("{host}/services/data/v62.0/sobjects/Case");
    destination_by_hand(&world, "legacy-cases", &arn, &cases, Post, None);
    let apex = format!("{host}/services/apexrest/orders");
    destination_by_hand(&world, "legacy-apex", &arn, &apex, Post, Some(300));
    destination_by_hand(&world, "legacy-get", &arn, &apex, Get, None);
    let elsewhere = "https://hooks.example.com/services/x";
    destination_by_hand(&world, "legacy-elsewhere", &arn, elsewhere, Post, None);
    // On another connection: not this file's.
    let other = create_by_hand(&world, "sf-other", "made in the console");
    destination_by_hand(&world, "other-orders", &other, &orders, Post, None);
    world.secret("by-hand-secret-value");

    world.provision(&["export", "--out", "exported/"]).expect(0);
    let yaml = std::fs::read_to_string(world.path("exported/sf-legacy.yaml")).unwrap();
    let (_, tail) = yaml.split_once("regions:\n- us-east-1\n").unwrap();
    assert_eq!(
        tail,
        "destinations:
- name: legacy-apex
  description: made in the console
  path: /services/apexrest/orders
- name: legacy-cases
  description: made in the console
  sobject: Case
  apiVersion: v62.0
- name: legacy-orders
  description: made in the console
  event: Order_Placed__e
  apiVersion: v61.0
  rateLimitPerSecond: 20
# API destinations on this connection left out of `destinations:` (declare them by
# hand if they are this folder's):
#   legacy-elsewhere: it posts to https://hooks.example.com/services/x, not to its connection's host (https://acme.my.salesforce.com)
#   legacy-get: it uses HTTP GET; the API destinations provision declares use POST
"
    );
    world.provision(&["validate", "exported/"]).expect(0);

    // Against the same account, the only difference is whose they are.
    world.secret_env("SF_LEGACY_CLIENT_SECRET", "by-hand-secret-value");
    world.secret_env("SF_OTHER_CLIENT_SECRET", "by-hand-secret-value");
    let json: PlanDocument = world
        .test(&["diff", "exported/", "--output", "json"])
        .status(2)
        .stdout_json();
    let legacy = json.connection("sf-legacy");
    assert_eq!(legacy.api_destinations.len(), 3, "{legacy:?}");
    for destination in &legacy.api_destinations {
        assert_eq!(destination.action, Action::NotManaged, "{destination:?}");
        assert_eq!(
            destination.fields(),
            ["description"],
            "only the marker: {destination:?}"
        );
    }
    world
        .provision(&["apply", "exported/", "--adopt"])
        .expect(0);
    world.provision(&["diff", "exported/"]).expect(0);
}
