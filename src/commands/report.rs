//! `provision report merge FILE...`: one report from the reports of several runs (the legs of a
//! CI fan-out, one per target or Region), printed as if one run had read every place they
//! cover. Reads no AWS and no secret. Exit as `diff` would have over all of them: 1 when a leg
//! ended in an error or its plan has errors, 2 on differences, 0 otherwise.

use super::{EXIT_DIFFERENCES, EXIT_OK};
use crate::config::Settings;
use crate::error::{Error, Location, Problem};
use crate::plan::FailedRun;
use crate::plan::merge::{Leg, merge};
use crate::view;
use crate::view::report::{Report, read};
use std::path::PathBuf;

pub(super) fn run(settings: &Settings, files: &[PathBuf]) -> Result<u8, Error> {
    let mut legs = Vec::new();
    let mut failed = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let refused = |message: String| {
            Problem::new(message).at(Location::file(file)).help(
                "give report merge the files `provision diff --output json` wrote, one per leg",
            )
        };
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                problems.push(refused(format!("cannot read the report: {error}")));
                continue;
            }
        };
        match read(&text) {
            Ok(Report::Plan(plan)) => legs.push(Leg {
                file: file.display().to_string(),
                plan,
            }),
            Ok(Report::Failed { error, help }) => failed.push(FailedRun {
                file: file.display().to_string(),
                error,
                help,
            }),
            Err(message) => problems.push(refused(message)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let plan = merge(legs, failed).map_err(|overlap| {
        Error::input(
            Problem::new(format!(
                "{} and {} both cover account {} in {}: merged, its resources would be counted twice",
                overlap.first, overlap.second, overlap.place.account, overlap.place.region
            ))
            .help("merge one report per place: give each leg of the fan-out its own `--target` (or `--region`), and each report once"),
        )
    })?;
    view::stdout(&settings.view().plan(&plan))?;
    let runs = match plan.failed_runs.as_slice() {
        [] => None,
        [one] => Some(format!("the run of {}", one.file)),
        several => Some(format!("the runs of {}", files_of(several))),
    };
    let failures = [plan.failures(), runs]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    if !failures.is_empty() {
        return Err(Error::ResourcesFailed {
            failed: failures.join(" and "),
            left_deleted: Vec::new(),
        });
    }
    Ok(if plan.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_OK
    })
}

fn files_of(runs: &[FailedRun]) -> String {
    runs.iter()
        .map(|run| run.file.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
