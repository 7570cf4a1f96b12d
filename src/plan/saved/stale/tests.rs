//! The staleness check on its own: each kind of difference is named, and equal plans (or
//! plans that differ only in what the run does not touch) have none.

use super::*;
use crate::plan::saved::fingerprint::Kdf;
use crate::plan::saved::{Flags, Proof, Secrets};
use crate::plan::{Action, ResourceKind, SecretStatus};
use crate::sources::Address;

fn entry(name: &str, action: Action) -> Entry {
    Entry {
        address: crate::place::Address::new(
            ResourceKind::Connection,
            name,
            crate::tests::place("us-east-1"),
        ),
        action,
        changes: Vec::new(),
        secret: SecretStatus::InSync,
        health: None,
        error: None,
        problems: Vec::new(),
        note: None,
    }
}

fn assumed(description: &str) -> Assumed {
    Assumed::Connection(AssumedConnection {
        arn: Some("arn:aws:events:us-east-1:123456789012:connection/a/1".into()),
        state: "AUTHORIZED".into(),
        state_reason: None,
        last_modified_time: None,
        fields: [("description".to_string(), Some(description.to_string()))].into(),
    })
}

fn plan() -> SavedPlan {
    SavedPlan {
        format: super::super::FORMAT.into(),
        format_version: super::super::FORMAT_VERSION,
        tool_version: super::super::TOOL_VERSION.into(),
        places: vec![crate::tests::place("us-east-1")],
        set: "default".into(),
        flags: Flags {
            strict: false,
            adopt: false,
            prune: false,
            replace: false,
            force: false,
        },
        files: vec![FileDigest {
            path: "connections/a.yaml".into(),
            sha256: "00".into(),
        }],
        secrets: Secrets {
            kdf: Kdf {
                algorithm: "argon2id".into(),
                memory_kib: 8,
                iterations: 1,
                parallelism: 1,
                salt: "c2FsdHNhbHQ".into(),
            },
            sources: vec![SecretSourceRecord {
                source: Address::Env { name: "S".into() },
                proof: Proof::Argon2id("fp-1".into()),
            }],
        },
        steps: vec![
            SavedStep {
                entry: entry("a", Action::Update),
                parent: None,
                assumed: Some(assumed("old")),
            },
            SavedStep {
                entry: entry("b", Action::Create),
                parent: None,
                assumed: None,
            },
        ],
        targets: Vec::new(),
        left_out: Vec::new(),
        orphans: Vec::new(),
        checksum: String::new(),
    }
}

#[test]
fn an_equal_plan_is_current() {
    assert_eq!(differences(&plan(), &plan()), Vec::<String>::new());
}

#[test]
fn an_unrelated_orphan_does_not_make_it_stale() {
    let mut fresh = plan();
    fresh.orphans.push(crate::plan::Orphan {
        address: crate::place::Address::new(
            ResourceKind::Connection,
            "z",
            crate::tests::place("us-east-1"),
        ),
    });
    assert_eq!(differences(&plan(), &fresh), Vec::<String>::new());
}

#[test]
fn every_difference_is_named() {
    let mut fresh = plan();
    fresh.places = vec![
        crate::place::Place::new("210987654321", "us-east-1"),
        crate::place::Place::new("210987654321", "eu-west-1"),
    ];
    fresh.set = "blue".into();
    fresh.flags.prune = true;
    fresh.files[0].sha256 = "11".into();
    fresh.secrets.sources[0].proof = Proof::Argon2id("fp-2".into());
    fresh.steps[0].assumed = Some(assumed("by hand"));
    fresh.steps[1].entry.action = Action::InSync;
    fresh.steps[1].assumed = Some(assumed("x"));
    assert_eq!(
        differences(&plan(), &fresh),
        [
            "the AWS account is 210987654321, the plan was made in 123456789012",
            "the run covers the Regions us-east-1, eu-west-1, the plan covered us-east-1",
            "the ownership set is `blue`, the plan was made for `default`",
            "this run has --prune, the plan was made without it",
            "connections/a.yaml was edited since the plan",
            "the secret from environment variable S changed since the plan (another value would be sent than the one planned with)",
            "connection a (us-east-1): changed in AWS since the plan: description",
            "connection b (us-east-1): the plan was `create`, now it is `in sync`",
            "connection b (us-east-1) appeared in AWS since the plan",
        ]
    );
}

#[test]
fn a_vanished_or_new_resource_and_another_order_are_named() {
    let mut fresh = plan();
    fresh.steps.reverse();
    assert_eq!(
        differences(&plan(), &fresh),
        ["the connections are planned in another order"]
    );
    fresh.steps.remove(0);
    fresh.steps[0].assumed = None;
    fresh.steps[0].entry.action = Action::Create;
    let found = differences(&plan(), &fresh);
    assert!(
        found.contains(&"connection b (us-east-1) is no longer in the plan (it is no longer declared, or no longer this set's to prune)".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"connection a (us-east-1) was deleted from AWS since the plan".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_saved_plan_round_trips_and_an_edit_is_caught() {
    let mut saved = plan();
    saved.checksum = saved.computed_checksum();
    let parsed = SavedPlan::parse(&saved.to_json()).unwrap();
    assert_eq!(parsed, saved);
    let edited = saved.to_json().replacen("\"old\"", "\"new\"", 1);
    let (message, _) = SavedPlan::parse(&edited).unwrap_err();
    assert!(message.contains("checksum does not match"), "{message}");
}

/// Each step records its parent: an API destination planned on one connection and now on
/// another is named under both.
#[test]
fn a_destination_now_declared_on_another_connection_is_named() {
    let on = |parent: &str| {
        let mut destination = entry("d", Action::Create);
        destination.address.kind = ResourceKind::ApiDestination;
        SavedStep {
            entry: destination,
            parent: Some(entry(parent, Action::Update).address),
            assumed: None,
        }
    };
    let mut saved = plan();
    saved.steps.insert(1, on("a"));
    let mut fresh = plan();
    fresh.steps.push(on("b"));
    assert_eq!(differences(&saved, &saved.clone()), Vec::<String>::new());
    assert_eq!(
        differences(&saved, &fresh),
        [
            "API destination d (us-east-1) (on connection a (us-east-1)) is no longer in the plan",
            "API destination d (us-east-1) (on connection b (us-east-1)) is in the plan now and was not",
        ]
    );
}

/// A saved plan records the targets it covers, and `show` names them; one without targets has
/// no `targets` key, so it reads (and checksums) as before.
#[test]
fn a_saved_plan_keeps_its_targets_and_one_without_reads_as_before() {
    let mut saved = plan();
    let without = serde_json::to_string(&saved).unwrap();
    assert!(!without.contains("\"targets\""), "{without}");
    saved.targets = vec![crate::plan::TargetName {
        name: "prod".into(),
        account: crate::tests::ACCOUNT.into(),
    }];
    let text = serde_json::to_string(&saved).unwrap();
    let read: SavedPlan = serde_json::from_str(&text).unwrap();
    assert_eq!(read.shown().targets, saved.targets);
}
