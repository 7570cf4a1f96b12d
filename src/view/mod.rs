//! The views: one file per output format, each drawing the same models (the plan, the apply
//! results, the validated specs, errors). A new format is one file implementing [`View`].
//!
//! Commands print what a view returns with [`stdout`] and [`stderr`], the terminal's writers
//! ([`crate::term`]), so every command's output goes through here.

mod json;
mod markdown;
mod text;

pub(crate) use crate::term::{stderr, stdout};
pub(crate) use text::Style;

use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::plan::verify_report::VerifyReport;
use crate::plan::{ApplyResult, Plan};

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
    /// `project_file`: the project file the run used, if any.
    fn validated(&self, specs: &[ConnectionSpec], project_file: Option<&std::path::Path>)
    -> String;
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
    /// A run that ends in an error: (stdout, stderr).
    fn error(&self, error: &Error) -> (String, String);
}

/// The view of `format`. `quiet` (`-q`) leaves only errors in text output; JSON and Markdown
/// are documents that a caller asked for, and print in full.
pub(crate) fn view(format: Format, style: Style, quiet: bool) -> Box<dyn View + Send> {
    match format {
        Format::Text => Box::new(text::TextView { style, quiet }),
        Format::Json => Box::new(json::JsonView),
        Format::Markdown => Box::new(markdown::MarkdownView),
    }
}

/// One file `export` wrote (or skipped).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportedFile {
    pub(crate) name: String,
    pub(crate) region: String,
    /// Where it was written; `None` when skipped.
    pub(crate) path: Option<String>,
    /// The environment variables its secret references name.
    pub(crate) variables: Vec<String>,
    /// Why it was skipped.
    pub(crate) skipped: Option<String>,
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
