//! The `--output json` documents of `diff`, `apply` and `verify`, and the error document, as a reader
//! in CI would declare them: test-only types, so tests read the output the way users do. (Every
//! document read through the kit is first checked against its published schema:
//! `output_schema.rs`.)
//!
//! Exit codes and JSON output are an API (the README's "JSON (`--output json`)" section): every
//! type here denies unknown fields, and every key the contract always prints is required (a
//! `null` one too, through [`present`]), so a key renamed, dropped or added without a test
//! fails here. Keys the documents print only sometimes (`problems`, `refused`, `skipped`,
//! `leftDeleted`, the API destination lists, `projectFile`, the apply-only keys) default when
//! absent. Actions, outcomes and kinds are enums: a value outside the documented set fails too.
//! (The API destination keys, `problems`, `refused`, `skipped` and `leftDeleted` are printed
//! but not yet in the README's section: they follow the code.)

use serde::Deserialize;
use serde::de::Deserializer;

/// A key the document always prints, `null` when it has no value: absent is a failure, unlike
/// serde's default for `Option`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// `diff --output json`, and `apply --output json` (the same document plus `results` and the
/// apply summaries).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanDocument {
    pub version: u32,
    pub command: Command,
    pub regions: Vec<String>,
    pub differences: bool,
    pub summary: Summary,
    pub api_destination_summary: Summary,
    pub connections: Vec<Entry>,
    /// Printed only when the plan has rules.
    #[serde(default)]
    pub rule_summary: Option<Summary>,
    #[serde(default)]
    pub pruned_api_destinations: Vec<Entry>,
    #[serde(default)]
    pub pruned_rules: Vec<Entry>,
    /// Declared API destinations nothing routes events to (printed only when some).
    #[serde(default)]
    pub unrouted: Vec<Orphan>,
    pub left_out: Vec<LeftOut>,
    pub orphans: Vec<Orphan>,
    #[serde(default)]
    pub project_file: Option<String>,
    /// `apply` only.
    #[serde(default)]
    pub results: Option<Vec<ApplyResult>>,
    #[serde(default)]
    pub apply_summary: Option<ApplySummary>,
    #[serde(default)]
    pub api_destination_apply_summary: Option<ApplySummary>,
    #[serde(default)]
    pub rule_apply_summary: Option<ApplySummary>,
}

impl PlanDocument {
    /// The connection's entry named `name` (in any Region); panics with the names there are.
    #[track_caller]
    pub fn connection(&self, name: &str) -> &Entry {
        self.connections
            .iter()
            .find(|entry| entry.name == name)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.connections.iter().map(|e| e.name.as_str()).collect();
                panic!("no connection {name} in the plan: {names:?}")
            })
    }

    /// `apply`'s results; panics on a `diff` document.
    #[track_caller]
    pub fn results(&self) -> &[ApplyResult] {
        self.results
            .as_deref()
            .expect("an apply document has results")
    }

    /// `apply`'s counts for connections; panics on a `diff` document.
    #[track_caller]
    pub fn apply_summary(&self) -> &ApplySummary {
        self.apply_summary
            .as_ref()
            .expect("an apply document has an applySummary")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    Diff,
    Apply,
}

/// Counts of the plan's actions for one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub not_managed: usize,
    /// Printed only when some.
    #[serde(default)]
    pub refused: usize,
    pub in_sync: usize,
    pub error: usize,
}

/// One resource of the plan: a connection (with the API destinations declared on it) or a
/// pruned API destination.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    pub kind: Kind,
    pub name: String,
    /// The account of its place (12 digits), beside its Region.
    pub account: String,
    pub region: String,
    pub action: Action,
    pub changes: Vec<Change>,
    pub secret: Secret,
    #[serde(deserialize_with = "present")]
    pub health: Option<Health>,
    #[serde(deserialize_with = "present")]
    pub error: Option<String>,
    /// The input problems behind `error` (printed only when some).
    #[serde(default)]
    pub problems: Vec<Problem>,
    #[serde(deserialize_with = "present")]
    pub note: Option<String>,
    /// A connection's declared API destinations (printed only when some).
    #[serde(default)]
    pub api_destinations: Vec<Entry>,
    /// The rules first declared under an API destination (printed only when some).
    #[serde(default)]
    pub rules: Vec<Entry>,
}

impl Entry {
    /// The fields that change, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.changes.iter().map(|c| c.field.as_str()).collect()
    }
}

/// What an entry, a result or an orphan is about: the same names in every document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    #[default]
    Connection,
    ApiDestination,
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Adopt,
    NotManaged,
    Replace,
    Delete,
    InSync,
    Refused,
    Error,
}

/// One field that differs; `null` when absent, secrets `"(secret)"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub field: String,
    #[serde(deserialize_with = "present")]
    pub before: Option<String>,
    #[serde(deserialize_with = "present")]
    pub after: Option<String>,
}

/// The client secret against the EventBridge-managed secret. (The variants without fields are
/// empty structs: serde lets a unit variant of a tagged enum ignore keys beside the tag.)
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Secret {
    InSync {},
    Changed { fields: Vec<String> },
    Unverifiable { reason: String },
    NotApplicable {},
}

/// The connection's state in AWS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub state: String,
    #[serde(deserialize_with = "present")]
    pub reason: Option<String>,
    pub broken: bool,
    #[serde(deserialize_with = "present")]
    pub help: Option<String>,
}

/// A declared connection the run does not cover in one Region.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    pub name: String,
    pub account: String,
    pub region: String,
    pub reason: String,
}

/// One of this set's resources that no file declares (when not pruning).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Orphan {
    pub kind: Kind,
    pub name: String,
    pub account: String,
    pub region: String,
}

/// What `apply` did with one resource.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplyResult {
    pub kind: Kind,
    pub name: String,
    pub account: String,
    pub region: String,
    pub outcome: Outcome,
    #[serde(deserialize_with = "present")]
    pub state: Option<String>,
    #[serde(deserialize_with = "present")]
    pub state_reason: Option<String>,
    #[serde(deserialize_with = "present")]
    pub error: Option<String>,
    #[serde(deserialize_with = "present")]
    pub help: Option<String>,
    pub not_taken: Vec<Change>,
    /// Printed only when true.
    #[serde(default)]
    pub left_deleted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Created,
    Updated,
    Replaced,
    Deleted,
    Unchanged,
    Failed,
    NotStarted,
    Skipped,
}

/// Counts of what `apply` did with one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplySummary {
    pub created: usize,
    pub updated: usize,
    pub replaced: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub not_started: usize,
    /// Printed only when some.
    #[serde(default)]
    pub skipped: usize,
}

/// A run that failed before it had a plan: `{"version", "error", "help", "problems"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDocument {
    pub version: u32,
    /// The message alone.
    pub error: String,
    /// How to fix it, apart.
    #[serde(deserialize_with = "present")]
    pub help: Option<String>,
    /// Printed only for invalid input.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// One thing wrong with the input, with its place and the way to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    #[serde(deserialize_with = "present")]
    pub file: Option<String>,
    #[serde(deserialize_with = "present")]
    pub line: Option<usize>,
    #[serde(deserialize_with = "present")]
    pub column: Option<usize>,
    #[serde(deserialize_with = "present")]
    pub field: Option<String>,
    pub message: String,
    #[serde(deserialize_with = "present")]
    pub help: Option<String>,
}

/// `verify --output json`: one result per connection and API destination per Region.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyDocument {
    pub version: u32,
    pub command: VerifyCommand,
    pub regions: Vec<String>,
    pub summary: VerifySummary,
    pub results: Vec<Verified>,
    pub left_out: Vec<LeftOut>,
}

impl VerifyDocument {
    /// The result of `name` in `region`; panics with the results there are.
    #[track_caller]
    pub fn result(&self, name: &str, region: &str) -> &Verified {
        self.results
            .iter()
            .find(|r| r.name == name && r.region == region)
            .unwrap_or_else(|| panic!("no result for {name} in {region}: {:?}", self.results))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyCommand {
    Verify,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySummary {
    pub ok: usize,
    pub failed: usize,
    pub warnings: usize,
}

/// One connection or API destination verified in one Region. The README: "absent fields are
/// left out", so each optional key is absent or has a value, never `null` ([`not_null`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Verified {
    pub kind: Kind,
    pub name: String,
    #[serde(default, deserialize_with = "not_null")]
    pub connection: Option<String>,
    pub region: String,
    pub ok: bool,
    #[serde(default, deserialize_with = "not_null")]
    pub target: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub api_version: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub checked: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub required_fields: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub instance_url: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub error_description: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub help: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub failure: Option<Failure>,
    #[serde(default, deserialize_with = "not_null")]
    pub http_status: Option<u16>,
    #[serde(default, deserialize_with = "not_null")]
    pub warnings: Option<Vec<String>>,
    #[serde(default)]
    pub not_checked: Vec<String>,
    /// `--publish-test` only.
    #[serde(default, deserialize_with = "not_null")]
    pub enqueued_id: Option<String>,
}

/// Why a verification failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    Refused,
    Timeout,
    Tls,
    Unreachable,
    Secret,
    ApiVersion,
    NotFound,
    NotCreateable,
    Rejected,
}

/// A key printed only with a value: absent is `None` (with `#[serde(default)]`), `null` fails.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// The types hold the contract: what a reader in CI would trip over fails here too.
mod holds_the_contract {
    use super::{Entry, PlanDocument};

    const ENTRY: &str = r#"{"kind": "connection", "name": "sf-a", "account": "123456789012", "region": "us-east-1",
        "action": "update", "changes": [{"field": "description", "before": null, "after": "x"}],
        "secret": {"status": "in-sync"}, "health": null, "error": null, "note": null}"#;

    fn entry(json: &str) -> Result<Entry, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn an_entry_as_documented_reads() {
        let read = entry(ENTRY).unwrap();
        assert_eq!(read.fields(), ["description"]);
        assert_eq!(read.problems, []);
    }

    #[test]
    fn a_key_added_renamed_or_dropped_fails() {
        let added = ENTRY.replace(r#""note": null"#, r#""note": null, "extra": 1"#);
        let renamed = ENTRY.replace(r#""region""#, r#""place""#);
        let without_account = ENTRY.replace(r#""account": "123456789012", "#, "");
        let dropped_null = ENTRY.replace(r#", "note": null"#, "");
        let dropped_in_change = ENTRY.replace(r#""before": null, "#, "");
        let secret_key = ENTRY.replace(r#""in-sync"}"#, r#""in-sync", "fields": []}"#);
        for (what, json) in [
            ("added", added),
            ("renamed", renamed),
            ("without the account", without_account),
            ("dropped null", dropped_null),
            ("dropped in a change", dropped_in_change),
            ("added to the secret", secret_key),
        ] {
            assert!(entry(&json).is_err(), "{what} still reads: {json}");
        }
    }

    #[test]
    fn a_value_outside_the_documented_set_fails() {
        for (from, to) in [
            (r#""update""#, r#""modify""#),
            (r#""connection""#, r#""eventBus""#),
            (r#""in-sync"}"#, r#""fresh"}"#),
        ] {
            let json = ENTRY.replace(from, to);
            assert!(entry(&json).is_err(), "{to} still reads: {json}");
        }
    }

    #[test]
    fn a_plan_without_its_counts_fails() {
        let plan = format!(
            r#"{{"version": 2, "command": "diff", "regions": ["us-east-1"],
            "differences": true,
            "summary": {{"create": 0, "update": 1, "replace": 0, "delete": 0, "notManaged": 0, "inSync": 0, "error": 0}},
            "apiDestinationSummary": {{"create": 0, "update": 0, "replace": 0, "delete": 0, "notManaged": 0, "inSync": 0, "error": 0}},
            "connections": [{ENTRY}], "leftOut": [], "orphans": []}}"#
        );
        let read: PlanDocument = serde_json::from_str(&plan).unwrap();
        assert_eq!(read.connection("sf-a").region, "us-east-1");
        let without = plan.replacen(r#""inSync": 0, "#, "", 1);
        assert!(serde_json::from_str::<PlanDocument>(&without).is_err());
    }

    #[test]
    fn a_verify_key_printed_as_null_fails() {
        let ok = r#"{"kind": "connection", "name": "sf-a", "region": "us-east-1", "ok": true}"#;
        assert!(serde_json::from_str::<super::Verified>(ok).is_ok());
        let null = ok.replace(r#""ok": true"#, r#""ok": true, "help": null"#);
        assert!(serde_json::from_str::<super::Verified>(&null).is_err());
    }
}
