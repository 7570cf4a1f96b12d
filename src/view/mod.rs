//! The views: one file per output format, each drawing the same models (the plan, the apply
//! results, the validated specs, the reports of `verify`, `salesforce-credentials` and
//! `rotate-credentials`, errors). A new format is one file implementing [`View`].
//!
//! Commands print what a view returns with [`stdout`] and [`stderr`], the terminal's writers
//! ([`crate::term`]), so every command's output goes through here.

pub(crate) mod explain;
mod json;
mod markdown;
pub(crate) mod output_schema;
pub(crate) mod report;
mod text;

pub(crate) use crate::term::{stderr, stdout};
pub(crate) use text::Style;

use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::plan::credentials_report::CredentialsReport;
use crate::plan::rotation_report::RotationReport;
use crate::plan::verify_report::VerifyReport;
use crate::plan::{ApplyResult, Plan};

/// One place a document is in, as `validate` shows it with targets in the project file: a
/// Region of a target, whose account the project file names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentPlace {
    pub(crate) connection: String,
    pub(crate) target: String,
    pub(crate) account: String,
    pub(crate) region: String,
}

/// The most jobs a GitHub Actions matrix makes in one workflow run (GitHub's "Running
/// variations of jobs in a workflow": "A matrix will generate a maximum of 256 jobs per
/// workflow run", hosted and self-hosted runners alike): `provision targets` prints no more.
pub(crate) const MATRIX_JOBS_MAX: usize = 256;

/// One place `provision targets` lists: a Region of a target, one job of a CI matrix. In
/// JSON, an entry of the matrix's `include`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TargetPlace {
    pub(crate) target: String,
    pub(crate) account: String,
    pub(crate) region: String,
}

/// The output formats of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// What a command shows. Each method returns the text for stdout; errors also return what
/// goes to stderr.
pub(crate) trait View: Sync {
    /// `validate` found everything valid.
    /// `project_file`: the project file the run used, if any; `places`: where each document
    /// is placed, with targets in the project file (empty without).
    fn validated(
        &self,
        specs: &[ConnectionSpec],
        project_file: Option<&std::path::Path>,
        places: &[DocumentPlace],
    ) -> String;
    /// The places `provision targets` lists: in JSON, a GitHub Actions matrix.
    fn targets(&self, places: &[TargetPlace]) -> String;
    /// The plan `diff` shows.
    fn plan(&self, plan: &Plan) -> String;
    /// What `apply` shows before it starts writing (the plan, for people).
    fn apply_started(&self, plan: &Plan) -> String;
    /// One result of `apply`, shown as soon as it is known (text), or nothing (JSON shows
    /// every result in its closing document).
    fn result(&self, plan: &Plan, result: &ApplyResult) -> String;
    /// What `apply` shows when it is done.
    fn applied(&self, plan: &Plan, results: &[ApplyResult]) -> String;
    /// What `export` wrote.
    fn exported(&self, files: &[ExportedFile]) -> String;
    /// What `verify` found, per connection and Region.
    fn verified(&self, report: &VerifyReport) -> String;
    /// What `salesforce-credentials` wrote, per secret and Region.
    fn credentials_written(&self, report: &CredentialsReport) -> String;
    /// What `rotate-credentials` did (or would do), per document and step.
    fn rotated(&self, report: &RotationReport) -> String;
    /// What `version` shows: this build.
    fn version(&self, build: &Build) -> String;
    /// A run that ends in an error: (stdout, stderr).
    fn error(&self, error: &Error) -> (String, String);
}

/// The view of `format`. `quiet` (`-q`) leaves only errors in text output; JSON and Markdown
/// are documents that a caller asked for, and print in full (Markdown within
/// [`DEFAULT_MAX_CHARS`]).
pub(crate) fn view(format: Format, style: Style, quiet: bool) -> Box<dyn View + Send> {
    view_within(format, style, quiet, DEFAULT_MAX_CHARS)
}

/// [`view`], with the Markdown documents of `diff`, `show`, `apply` and `verify` cut to at most
/// `max_chars` characters (`--max-chars`).
pub(crate) fn view_within(
    format: Format,
    style: Style,
    quiet: bool,
    max_chars: usize,
) -> Box<dyn View + Send> {
    match format {
        Format::Text => Box::new(text::TextView { style, quiet }),
        Format::Json => Box::new(json::JsonView),
        Format::Markdown => Box::new(markdown::MarkdownView { max_chars }),
    }
}

/// The default of `--max-chars`: GitHub refuses a pull-request or issue comment over 65,536
/// characters; 60,000 leaves 5,536 for what a workflow writes around the document (its own
/// header, the hidden marker that finds the comment again, a link to the run).
pub(crate) const DEFAULT_MAX_CHARS: usize = 60_000;

/// The build `version` names: known at compile time, no network.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Build {
    /// The package version (Cargo.toml).
    pub(crate) provision: &'static str,
    /// The operating system it was built for (`linux`, `macos`, `windows`, ...).
    pub(crate) os: &'static str,
    /// The CPU architecture it was built for (`x86_64`, `aarch64`, ...).
    pub(crate) arch: &'static str,
}

impl Build {
    /// This binary.
    pub(crate) const THIS: Build = Build {
        provision: env!("CARGO_PKG_VERSION"),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
    };
}

/// One file `export` wrote (or skipped).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportedFile {
    /// As AWS's listing gave it.
    pub(crate) name: crate::outside::Outside,
    pub(crate) region: String,
    /// Where it was written; `None` when skipped.
    pub(crate) path: Option<String>,
    /// The environment variables its secret references name.
    pub(crate) variables: Vec<String>,
    /// Why it was skipped (it quotes the name).
    pub(crate) skipped: Option<crate::outside::Outside>,
    /// The project file's target it was exported from (only when the project file lists
    /// targets), and that target's account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
}

impl ExportedFile {
    /// Where it was exported from: its Region, after its target and account when it has one
    /// (`prod (111111111111) eu-west-1`), as [`place_label`] names a place.
    pub(crate) fn place(&self) -> String {
        match (&self.target, &self.account) {
            (Some(target), Some(account)) => format!("{target} ({account}) {}", self.region),
            _ => self.region.clone(),
        }
    }
}

/// Why the order "promote, then carry" of a rotation is still safe, said (text and Markdown)
/// wherever it was taken.
const WINDOW_NOTE: &str = "Salesforce gave the staged credential no token before it was primary, so it was made primary first and carried to AWS at once; EventBridge keeps its cached token until it expires or a call gets 401/407, so events kept flowing";

/// Where a resource of `plan` is, as the text and Markdown views name it: its Region, and
/// before it its target and account when the run has targets (`prod (111111111111)
/// eu-west-1`).
fn place_label(plan: &crate::plan::Plan, place: &crate::place::Place) -> String {
    match plan.target_of(place) {
        Some(target) => format!("{} ({}) {}", target.name, target.account, place.region),
        None => place.region.clone(),
    }
}

/// The stderr lines of an error, the same in every format.
fn error_lines(error: &Error) -> String {
    let mut out = String::new();
    match error {
        Error::Input(problems) => {
            for problem in problems {
                out.push_str(&format!("error: {problem}\n"));
            }
            if problems.len() > 1 {
                out.push_str(&format!(
                    "{} problems found; nothing was sent to AWS\n",
                    problems.len()
                ));
            }
        }
        other => out.push_str(&format!("error: {other}\n")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::credentials_report::{OtherOrg, SecretWrite};
    use crate::plan::rotation::Step;
    use crate::plan::rotation_report::{RotationEnd, RotationResult, StepRecord, StepResult};

    /// Each format's rendering of `draw`, without colour: (text, JSON, Markdown).
    fn every_format(draw: impl Fn(&dyn View) -> String) -> [String; 3] {
        [Format::Text, Format::Json, Format::Markdown]
            .map(|format| draw(view(format, Style { colour: false }, false).as_ref()))
    }

    fn write(name: &str, region: Option<&str>) -> SecretWrite {
        SecretWrite {
            name: name.into(),
            app: name.replace('-', "_"),
            region: region.map(String::from),
            secret: region.map(|_| format!("salesforce/{}", name.trim_start_matches("sf-")).into()),
            version_id: None,
            created: false,
            error: None,
            hint: None,
        }
    }

    /// Written, created, refused by AWS, and failed before any write; one document left out.
    fn credentials() -> CredentialsReport {
        let created = SecretWrite {
            version_id: Some("v-1".into()),
            created: true,
            ..write("sf-a", Some("us-east-1"))
        };
        let new_version = SecretWrite {
            version_id: Some("v-2".into()),
            ..write("sf-a", Some("eu-west-1"))
        };
        let refused = SecretWrite {
            error: Some("access to Secrets Manager secret salesforce/b in us-east-1 was denied (no | way *x*)".into()),
            ..write("sf-b", Some("us-east-1"))
        };
        let no_region = SecretWrite {
            error: Some("no AWS Region for connection `sf-c` (c.yaml)".into()),
            hint: Some("pass --region, set AWS_REGION, or list `regions:` in the file".into()),
            ..write("sf-c", None)
        };
        CredentialsReport {
            results: vec![created, new_version, refused, no_region],
            left_out: vec![OtherOrg {
                name: "sf-d".into(),
                reason:
                    "its org is other.my.salesforce.com; SF_INSTANCE_URL is acme.my.salesforce.com"
                        .into(),
            }],
        }
    }

    fn rotation(name: &str, result: RotationEnd) -> RotationResult {
        RotationResult {
            name: name.into(),
            app: name.replace('-', "_"),
            result,
            steps: Vec::new(),
            window_seconds: None,
            now: None,
            error: None,
            hint: None,
        }
    }

    /// One rotation of each ending, with steps, the window note, errors and hints.
    fn rotations() -> RotationReport {
        let steps = vec![
            StepRecord {
                step: Step::Stage,
                result: StepResult::Done,
                detail: "a new credential is staged".into(),
            },
            StepRecord {
                step: Step::UpdateConnections,
                result: StepResult::Failed,
                detail: "AWS did not take the credential: sf-acme-prod (us-east-1) | x".into(),
            },
        ];
        let rolled_back = RotationResult {
            steps: steps.clone(),
            error: Some("AWS did not take the credential; rolled back".into()),
            ..rotation("sf-acme-prod", RotationEnd::RolledBack)
        };
        let rotated = RotationResult {
            steps,
            window_seconds: Some(2.0),
            hint: Some("a | hint with `code` and *stars*".into()),
            ..rotation("sf-acme-prod", RotationEnd::Rotated)
        };
        let planned = RotationResult {
            steps: vec![StepRecord {
                step: Step::StoreStaged,
                result: StepResult::Planned,
                detail: Step::StoreStaged.describe().into(),
            }],
            ..rotation("sf-p", RotationEnd::Planned)
        };
        let interrupted = RotationResult {
            window_seconds: Some(12.3),
            now: Some("Salesforce's primary credential is unchanged; a new credential is staged (Active, not primary) | *".into()),
            ..rotation("sf-i", RotationEnd::Interrupted)
        };
        let failed = RotationResult {
            error: Some("boom".into()),
            hint: Some("do x".into()),
            ..rotation("sf-f", RotationEnd::Failed)
        };
        RotationReport {
            dry_run: false,
            results: vec![rolled_back, rotated, planned, interrupted, failed],
        }
    }

    /// The exact bytes of each format (text and JSON as the commands printed them before
    /// they went through the views).
    #[test]
    fn the_credentials_commands_in_every_format() {
        let drawn = [
            (
                "salesforce_credentials",
                every_format(|view| view.credentials_written(&credentials())),
            ),
            (
                "rotate_credentials",
                every_format(|view| view.rotated(&rotations())),
            ),
        ];
        for (command, formats) in drawn {
            for (format, shown) in ["text", "json", "markdown"].into_iter().zip(formats) {
                insta::assert_snapshot!(format!("{command}_{format}"), shown);
            }
        }
    }

    /// Every ending of a rotation, and every kind of secret write, matches the published schema
    /// of its document (an independent validator: the `jsonschema` crate).
    #[test]
    fn the_credentials_documents_match_their_schemas() {
        let json = view(Format::Json, Style { colour: false }, false);
        for (document, shown) in [
            (
                "salesforce-credentials",
                json.credentials_written(&credentials()),
            ),
            ("rotate-credentials", json.rotated(&rotations())),
        ] {
            output_schema::assert_matches(document, &shown);
        }
    }

    /// A step's detail, the error, what holds now and the hint quote AWS and Salesforce: each
    /// view shows a control character in them escaped, JSON keeps it exact.
    #[test]
    fn a_rotation_shows_outside_text_escaped() {
        let hostile = "denied\u{1b}]0;owned\u{7}\n::error::forged";
        let report = RotationReport {
            dry_run: false,
            results: vec![RotationResult {
                steps: vec![StepRecord {
                    step: Step::Stage,
                    result: StepResult::Failed,
                    detail: hostile.into(),
                }],
                error: Some(hostile.into()),
                now: Some(hostile.into()),
                hint: Some(hostile.into()),
                ..rotation("sf-h", RotationEnd::Failed)
            }],
        };
        let [text, json, markdown] = every_format(|view| view.rotated(&report));
        for shown in [&text, &markdown] {
            assert!(!shown.contains('\u{1b}'), "{shown}");
            assert!(!shown.contains('\u{7}'), "{shown}");
            // Markdown escapes the backslash and the bracket once more.
            assert_eq!(shown.matches("u001b").count(), 4, "{shown}");
            assert_eq!(shown.matches("owned").count(), 4, "{shown}");
            assert!(!shown.contains("\n::error"), "{shown}");
        }
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["results"][0]["steps"][0]["detail"], hostile);
        assert_eq!(parsed["results"][0]["error"], hostile);
    }

    /// JSON keeps an error's message and its help apart; text shows the help on its own line.
    #[test]
    fn an_error_document_keeps_the_help_apart() {
        let error = Error::Aws {
            context: "cannot list connections in us-east-1".to_string(),
            message: "AccessDeniedException: not allowed".into(),
            help: Some("allow events:ListConnections".to_string()),
            source: None,
        };
        let (stdout, stderr) = view(Format::Json, Style { colour: false }, false).error(&error);
        let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            document,
            serde_json::json!({
                "version": 2,
                "error": "cannot list connections in us-east-1: AccessDeniedException: not allowed",
                "help": "allow events:ListConnections",
            })
        );
        assert_eq!(
            stderr,
            "error: cannot list connections in us-east-1: AccessDeniedException: not allowed\n  help: allow events:ListConnections\n"
        );
    }

    #[test]
    fn a_dry_run_says_so_in_json() {
        let report = RotationReport {
            dry_run: true,
            results: Vec::new(),
        };
        let [text, json, markdown] = every_format(|view| view.rotated(&report));
        assert_eq!(text, "");
        assert_eq!(
            json,
            "{\n  \"version\": 2,\n  \"command\": \"rotate-credentials\",\n  \"dryRun\": true,\n  \"results\": []\n}\n"
        );
        assert_eq!(markdown, "## provision rotate-credentials\n\n");
    }
}

/// A run with targets: every line, row and entry names its target (account) and Region, and
/// JSON counts each target apart; a merge reads the places back from those counts.
#[cfg(test)]
mod target_tests {
    use super::*;
    use crate::place::{Address, Place};
    use crate::plan::{Action, LeftOut, Plan, PlanStep, ResourceKind, TargetName};

    use crate::tests::entry;

    /// `prod` in two Regions, `staging` in one; a connection with an API destination, one to
    /// create in each place, one left out of staging's other Region.
    fn plan() -> Plan {
        let prod_east = Place::new("111111111111", "us-east-1");
        let prod_west = Place::new("111111111111", "eu-west-1");
        let staging = Place::new("222222222222", "eu-west-1");
        let connection = |name: &str, place: &Place, action| {
            PlanStep::recorded(entry(ResourceKind::Connection, name, place, action), None)
        };
        let parent = Address::new(ResourceKind::Connection, "sf-orders", prod_east.clone());
        let destination = PlanStep::recorded(
            entry(
                ResourceKind::ApiDestination,
                "orders",
                &prod_east,
                Action::Create,
            ),
            Some(parent),
        );
        Plan {
            places: vec![prod_east.clone(), prod_west.clone(), staging.clone()],
            left_out: vec![LeftOut {
                name: "sf-orders".into(),
                place: Place::new("222222222222", "us-east-1"),
                reason: "not in --region".into(),
            }],
            steps: vec![
                connection("sf-orders", &prod_east, Action::Update),
                destination,
                connection("sf-orders", &prod_west, Action::InSync),
                connection("sf-orders", &staging, Action::Create),
            ],
            targets: vec![
                TargetName {
                    name: "prod".into(),
                    account: "111111111111".into(),
                },
                TargetName {
                    name: "staging".into(),
                    account: "222222222222".into(),
                },
            ],
            ..Plan::default()
        }
    }

    fn shown(format: Format) -> String {
        view(format, Style { colour: false }, false).plan(&plan())
    }

    #[test]
    fn each_line_and_row_names_its_target_and_account() {
        insta::assert_snapshot!("targets_text", shown(Format::Text));
        insta::assert_snapshot!("targets_markdown", shown(Format::Markdown));
    }

    #[test]
    fn json_names_each_entrys_target_and_counts_each_target_adding_up_to_the_run() {
        let json = shown(Format::Json);
        output_schema::assert_matches("plan", &json);
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(document["connections"][0]["target"], "prod");
        assert_eq!(
            document["connections"][0]["apiDestinations"][0]["target"],
            "prod"
        );
        assert_eq!(document["connections"][2]["target"], "staging");
        let targets = document["summary"]["targets"].as_array().unwrap();
        assert_eq!(
            targets[0]["regions"],
            serde_json::json!(["us-east-1", "eu-west-1"])
        );
        assert_eq!(targets[1]["account"], "222222222222");
        for count in ["create", "update", "inSync", "error", "delete"] {
            let sum: u64 = targets.iter().map(|t| t[count].as_u64().unwrap()).sum();
            assert_eq!(sum, document["summary"][count].as_u64().unwrap(), "{count}");
            let sum: u64 = (targets.iter())
                .map(|t| t["apiDestinations"][count].as_u64().unwrap())
                .sum();
            assert_eq!(
                sum,
                document["apiDestinationSummary"][count].as_u64().unwrap(),
                "{count}"
            );
        }
    }

    #[test]
    fn with_rules_each_target_counts_its_rules_adding_up_to_the_runs() {
        let mut with_rule = plan();
        let prod_east = Place::new("111111111111", "us-east-1");
        let destination = Address::new(ResourceKind::ApiDestination, "orders", prod_east.clone());
        with_rule.steps.push(PlanStep::recorded(
            entry(
                ResourceKind::Rule,
                "orders-to-salesforce",
                &prod_east,
                Action::Create,
            ),
            Some(destination),
        ));
        let json = view(Format::Json, Style { colour: false }, false).plan(&with_rule);
        output_schema::assert_matches("plan", &json);
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        let targets = document["summary"]["targets"].as_array().unwrap();
        assert_eq!(targets[0]["rules"]["create"], 1, "prod's rule");
        assert_eq!(targets[1]["rules"]["create"], 0, "staging has none");
        for count in ["create", "update", "inSync", "error", "delete"] {
            let sum: u64 = (targets.iter())
                .map(|t| t["rules"][count].as_u64().unwrap())
                .sum();
            assert_eq!(
                sum,
                document["ruleSummary"][count].as_u64().unwrap(),
                "{count}"
            );
        }
        // A run without rules says nothing of them, per target as for the run.
        let without: serde_json::Value = serde_json::from_str(&shown(Format::Json)).unwrap();
        assert_eq!(without["summary"]["targets"][0].get("rules"), None);
        assert_eq!(without.get("ruleSummary"), None);
    }

    #[test]
    fn a_merge_reads_a_targets_places_from_its_counts() {
        let json = shown(Format::Json);
        let report::Report::Plan(read) = report::read(&json).unwrap() else {
            panic!("not a plan");
        };
        let original = plan();
        assert_eq!(read.places, original.places);
        assert_eq!(read.targets, original.targets);
        assert_eq!(read.summary(), original.summary());
        assert_eq!(read.destination_summary(), original.destination_summary());
        assert_eq!(shown_text(&read), shown(Format::Text));
    }

    fn shown_text(plan: &Plan) -> String {
        view(Format::Text, Style { colour: false }, false).plan(plan)
    }

    /// Without targets, nothing names one: the JSON has no `target` and no `summary.targets`.
    #[test]
    fn without_targets_nothing_names_one() {
        let plan = Plan {
            targets: Vec::new(),
            ..plan()
        };
        let json = view(Format::Json, Style { colour: false }, false).plan(&plan);
        assert!(!json.contains("\"target"), "{json}");
        let text = shown_text(&plan);
        assert!(!text.contains("111111111111"), "{text}");
    }
}
