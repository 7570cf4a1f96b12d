//! The machine-readable view: versioned JSON documents drawn from the same models as the text.
//!
//! Their shape is an API (users parse it in CI): every document carries `version`, keys are
//! camelCase, and fields are only ever added within a version. One vocabulary across
//! documents: the same thing has the same name everywhere (`kind` is `connection`,
//! `apiDestination` or `rule`, what to do about a failure is `help`, what happened to a resource is its
//! `outcome`). Every plan entry, apply result, orphan and left-out connection carries its place,
//! `account` and `region`; entries, results, orphans and verify results their `kind` too. Each
//! document has a JSON Schema ([`crate::view::output_schema`]), published under
//! `schema/output/`.

use super::{View, error_lines};
use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::place::Address;
use crate::plan::credentials_report::{CredentialsReport, OtherOrg, SecretWrite};
use crate::plan::rotation_report::{RotationReport, RotationResult};
use crate::plan::verify_report::{Verified, VerifyReport, VerifySummary};
use crate::plan::{
    ApplyResult, ApplySummary, Entry, FailedRun, LeftOut, Orphan, Plan, PlanStep, ResourceKind,
    Summary, TargetSummary, UnreadPlace, apply_summary,
};
use serde::Serialize;

/// The version of the JSON output format. Bumped on any incompatible change. Version 2: one
/// vocabulary (verify's `kind` `destination` is `apiDestination`; every `hint` is `help`; a
/// rotation's and its steps' `result` is `outcome`, in kebab-case; the plan's `region` is gone,
/// `regions` says it), and the error document's `error` holds the message alone, its help in
/// `help`.
pub(crate) const FORMAT_VERSION: u32 = 2;

pub(crate) struct JsonView;

/// `validate --output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidatedDocument<'a> {
    version: u32,
    command: &'static str,
    valid: bool,
    connections: Vec<&'a str>,
    /// Where each document is placed, with targets in the project file (absent without).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    places: &'a [super::DocumentPlace],
    /// The project file the run used (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    project_file: Option<String>,
}

/// `diff --output json`, and the first half of `apply --output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanDocument<'a> {
    version: u32,
    command: &'static str,
    regions: Vec<String>,
    differences: bool,
    summary: RunSummary<'a>,
    /// The API destinations' counts, apart from the connections'.
    api_destination_summary: Summary,
    connections: Vec<ConnectionDocument<'a>>,
    /// The rules' counts, apart from the others' (printed only when the plan has rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_summary: Option<Summary>,
    /// This set's undeclared API destinations to delete (`--prune`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pruned_api_destinations: Vec<PlacedEntry<'a>>,
    /// This set's undeclared rules to delete (`--prune`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pruned_rules: Vec<PlacedEntry<'a>>,
    /// Declared API destinations no rule targets, declared or in AWS: a note, not a difference
    /// (printed only when some).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unrouted: &'a [Address],
    /// Declared connections this run does not cover, and why.
    left_out: &'a [LeftOut],
    /// The places the run could not read.
    #[serde(skip_serializing_if = "<[UnreadPlace]>::is_empty")]
    unread_places: &'a [UnreadPlace],
    /// This set's connections that no file declares (when not pruning).
    orphans: &'a [Orphan],
    /// The project file the run used (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    project_file: Option<&'a str>,
    /// `report merge`: the runs whose reports were errors (absent when none).
    #[serde(skip_serializing_if = "<[FailedRun]>::is_empty")]
    failed_runs: &'a [FailedRun],
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<&'a [ApplyResult]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apply_summary: Option<ApplySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_destination_apply_summary: Option<ApplySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_apply_summary: Option<ApplySummary>,
}

/// The connections' counts, and each target's when the run has targets.
#[derive(Serialize)]
struct RunSummary<'a> {
    #[serde(flatten)]
    counts: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<TargetSummary<'a>>,
}

/// An entry, with the name of its target when the run has targets.
#[derive(Serialize)]
struct PlacedEntry<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
}

/// A connection's entry with the API destinations declared on it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionDocument<'a> {
    #[serde(flatten)]
    entry: PlacedEntry<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    api_destinations: Vec<DestinationDocument<'a>>,
}

/// An API destination's entry with the rules first declared under it (`rules`, printed only
/// when some).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationDocument<'a> {
    #[serde(flatten)]
    entry: PlacedEntry<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<PlacedEntry<'a>>,
}

fn placed<'a>(plan: &'a Plan, entry: &'a Entry) -> PlacedEntry<'a> {
    PlacedEntry {
        entry,
        target: (plan.target_of(&entry.address.place)).map(|target| target.name.as_str()),
    }
}

/// `verify --output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyDocument<'a> {
    version: u32,
    command: &'static str,
    regions: &'a [String],
    summary: VerifySummary,
    results: &'a [Verified],
    left_out: &'a [LeftOut],
}

/// `salesforce-credentials --output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsDocument<'a> {
    version: u32,
    command: &'static str,
    results: &'a [SecretWrite],
    left_out: &'a [OtherOrg],
}

/// `rotate-credentials --output json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RotationDocument<'a> {
    version: u32,
    command: &'static str,
    dry_run: bool,
    results: &'a [RotationResult],
}

/// A run that ended in an error before it had a plan to show.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorDocument<'a> {
    version: u32,
    /// What went wrong, without how to fix it.
    error: String,
    /// How to fix it, when the tool knows (`null` otherwise; each problem has its own).
    help: Option<String>,
    #[serde(skip_serializing_if = "<[Problem]>::is_empty")]
    problems: &'a [Problem],
}

fn plan_document<'a>(command: &'static str, plan: &'a Plan) -> PlanDocument<'a> {
    let has_rules = plan.entries_of(ResourceKind::Rule).next().is_some();
    let detached = |kind: ResourceKind| -> Vec<PlacedEntry<'a>> {
        plan.detached()
            .map(PlanStep::entry)
            .filter(|entry| entry.address.kind == kind)
            .map(|entry| placed(plan, entry))
            .collect()
    };
    PlanDocument {
        version: FORMAT_VERSION,
        command,
        regions: plan.regions(),
        differences: plan.has_differences(),
        summary: RunSummary {
            counts: plan.summary(),
            targets: plan.target_summaries(),
        },
        api_destination_summary: plan.destination_summary(),
        // The plan's tree as the contract names it: the roots (connections), each with its
        // children (`apiDestinations`), and the detached steps (`prunedApiDestinations`).
        connections: plan
            .roots()
            .map(|root| ConnectionDocument {
                entry: placed(plan, root.entry()),
                api_destinations: (plan.children(root))
                    .map(|destination| DestinationDocument {
                        entry: placed(plan, destination.entry()),
                        rules: (plan.children(destination))
                            .map(|rule| placed(plan, rule.entry()))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        rule_summary: has_rules.then(|| plan.summary_of(ResourceKind::Rule)),
        pruned_api_destinations: detached(ResourceKind::ApiDestination),
        pruned_rules: detached(ResourceKind::Rule),
        unrouted: &plan.unrouted,
        left_out: &plan.left_out,
        unread_places: &plan.unread,
        orphans: &plan.orphans,
        project_file: plan.project_file.as_deref(),
        failed_runs: &plan.failed_runs,
        results: None,
        apply_summary: None,
        api_destination_apply_summary: None,
        rule_apply_summary: None,
    }
}

fn to_text(document: &impl Serialize) -> String {
    match serde_json::to_string_pretty(document) {
        Ok(text) => format!("{text}\n"),
        // Serialising plain data cannot fail; say so rather than print half a document.
        Err(error) => {
            let error = serde_json::Value::String(error.to_string());
            format!("{{\"version\": {FORMAT_VERSION}, \"error\": {error}, \"help\": null}}\n")
        }
    }
}

impl View for JsonView {
    fn validated(
        &self,
        specs: &[ConnectionSpec],
        project_file: Option<&std::path::Path>,
        places: &[super::DocumentPlace],
    ) -> String {
        to_text(&ValidatedDocument {
            version: FORMAT_VERSION,
            command: "validate",
            valid: true,
            connections: specs.iter().map(|s| s.name.as_str()).collect(),
            places,
            project_file: project_file.map(|file| file.display().to_string()),
        })
    }

    /// Exactly a GitHub Actions matrix, `{"include": [...]}`: no `version` or `command`
    /// beside it, which a matrix would read as two more variables.
    fn targets(&self, places: &[super::TargetPlace]) -> String {
        #[derive(Serialize)]
        struct Matrix<'a> {
            include: &'a [super::TargetPlace],
        }
        to_text(&Matrix { include: places })
    }

    fn plan(&self, plan: &Plan) -> String {
        to_text(&plan_document("diff", plan))
    }

    fn apply_started(&self, _plan: &Plan) -> String {
        String::new()
    }

    fn result(&self, _plan: &Plan, _result: &ApplyResult) -> String {
        String::new()
    }

    fn applied(&self, plan: &Plan, results: &[ApplyResult]) -> String {
        let mut document = plan_document("apply", plan);
        document.results = Some(results);
        document.apply_summary = Some(apply_summary(results));
        document.api_destination_apply_summary = Some(crate::plan::apply_summary_of(
            results,
            crate::plan::ResourceKind::ApiDestination,
        ));
        document.rule_apply_summary = document
            .rule_summary
            .is_some()
            .then(|| crate::plan::apply_summary_of(results, ResourceKind::Rule));
        to_text(&document)
    }

    fn version(&self, build: &super::Build) -> String {
        #[derive(Serialize)]
        struct VersionDocument<'a> {
            version: u32,
            command: &'static str,
            #[serde(flatten)]
            build: &'a super::Build,
        }
        to_text(&VersionDocument {
            version: FORMAT_VERSION,
            command: "version",
            build,
        })
    }

    fn exported(&self, files: &[super::ExportedFile]) -> String {
        #[derive(Serialize)]
        struct ExportDocument<'a> {
            version: u32,
            command: &'static str,
            files: &'a [super::ExportedFile],
        }
        to_text(&ExportDocument {
            version: FORMAT_VERSION,
            command: "export",
            files,
        })
    }

    fn verified(&self, report: &VerifyReport) -> String {
        to_text(&VerifyDocument {
            version: FORMAT_VERSION,
            command: "verify",
            regions: &report.regions,
            summary: report.summary(),
            results: &report.results,
            left_out: &report.left_out,
        })
    }

    fn credentials_written(&self, report: &CredentialsReport) -> String {
        to_text(&CredentialsDocument {
            version: FORMAT_VERSION,
            command: "salesforce-credentials",
            results: &report.results,
            left_out: &report.left_out,
        })
    }

    fn rotated(&self, report: &RotationReport) -> String {
        to_text(&RotationDocument {
            version: FORMAT_VERSION,
            command: "rotate-credentials",
            dry_run: report.dry_run,
            results: &report.results,
        })
    }

    fn error(&self, error: &Error) -> (String, String) {
        let stdout = match error {
            // Each resource is already in the document that was printed.
            Error::ConnectionsFailed { .. }
            | Error::ResourcesFailed { .. }
            | Error::ChecksFailed { .. }
            | Error::Interrupted { .. } => String::new(),
            other => {
                let (message, help) = other.message_and_help();
                let problems = match other {
                    Error::Input(problems) => problems.as_slice(),
                    _ => &[],
                };
                to_text(&ErrorDocument {
                    version: FORMAT_VERSION,
                    error: message,
                    help,
                    problems,
                })
            }
        };
        (stdout, error_lines(error))
    }
}
