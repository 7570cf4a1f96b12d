//! What `rotate-credentials` did (or, with `--dry-run`, would do), as plain data every view
//! renders: per document, the steps of [`crate::plan::rotation`] as they went, and how the
//! rotation ended. Nothing secret: the details name secrets, Regions and versions only.
//! The details, the error and the hint quote AWS's and Salesforce's answers, so they are
//! [`Outside`] text: every view shows them escaped.

use crate::outside::Outside;
use crate::plan::rotation::Step;
use serde::Serialize;

/// Everything `rotate-credentials` shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RotationReport {
    pub(crate) dry_run: bool,
    pub(crate) results: Vec<RotationResult>,
}

/// How one document's rotation ended (`outcome` in JSON, as an apply result's: kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RotationEnd {
    Rotated,
    RolledBack,
    Failed,
    Interrupted,
    /// `--dry-run`: the steps are what a run would take.
    Planned,
}

impl RotationEnd {
    /// The words the text and Markdown views use.
    pub(crate) fn label(self) -> &'static str {
        match self {
            RotationEnd::Rotated => "rotated",
            RotationEnd::RolledBack => "rolled back",
            RotationEnd::Failed => "failed",
            RotationEnd::Interrupted => "interrupted",
            RotationEnd::Planned => "planned",
        }
    }
}

/// How one step went (`outcome` of a step in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum StepResult {
    Done,
    Failed,
    /// `--dry-run`.
    Planned,
}

impl StepResult {
    pub(crate) fn label(self) -> &'static str {
        match self {
            StepResult::Done => "done",
            StepResult::Failed => "failed",
            StepResult::Planned => "planned",
        }
    }
}

/// One step as it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StepRecord {
    pub(crate) step: Step,
    #[serde(rename = "outcome")]
    pub(crate) result: StepResult,
    pub(crate) detail: Outside,
}

/// One document's rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RotationResult {
    pub(crate) name: String,
    pub(crate) app: String,
    #[serde(rename = "outcome")]
    pub(crate) result: RotationEnd,
    pub(crate) steps: Vec<StepRecord>,
    /// Seconds between the promotion and the last connection carrying the new credential, when
    /// Salesforce honoured it only once primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window_seconds: Option<f64>,
    /// What holds now, where the run leaves something to say: the previous credential after a
    /// rotation, or Salesforce's primary and staged slot, the secrets and the connections after
    /// a failure or an interruption, and what a new run would do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) now: Option<Outside>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<Outside>,
    /// What to do about it (`help` in JSON, as in every document).
    #[serde(rename = "help", skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<Outside>,
}
