//! `provision apply`: make AWS match the YAML, wait until each connection is healthy, and
//! report what was done. Exit 0 or 1 (130 / 143 when interrupted).
//!
//! Deletions (`--prune`, and `--replace`, which deletes before it creates again) are guarded:
//! they are listed first, refused outright beyond `--max-deletes`, and need a confirmation (a
//! terminal's answer, or `--yes`).
//!
//! With `--plan FILE` it plans again and carries on only if that plan is the saved one (see
//! [`crate::plan::saved`]); otherwise it names every difference and writes nothing.

use super::EXIT_OK;
use super::context::{Run, check_prune_regions, load_specs};
use super::saved_plan;
use crate::aws::assume::Access;
use crate::config::{DeleteGuards, Settings};
use crate::engine::apply::{ApplyOptions, apply};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::rules::apply_rules;
use crate::engine::session::Account;
use crate::error::{Error, Problem};
use crate::plan::connection::PlanOptions;
use crate::plan::saved::{SavedPlan, stale};
use crate::plan::{
    Action, ApplyResult, Entry, Plan, ResourceKind, apply_done, apply_failures, counted,
    left_deleted,
};
use crate::view;
use futures::StreamExt;
use std::io::IsTerminal;
use std::path::Path;

pub(super) async fn run(
    settings: &Settings,
    plan_options: &PlanOptions,
    options: ApplyOptions,
    deletes: DeleteGuards,
    saved: Option<&Path>,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    // A saved plan that is not one, damaged or of another version is refused before AWS is read.
    let saved = saved
        .map(|path| SavedPlan::read(path).map(|plan| (path, plan)))
        .transpose()?;
    let specs = load_specs(settings)?;
    if plan_options.prune {
        check_prune_regions(&specs, &settings.project)?;
    }
    let run = Run::new(settings, &specs, &interrupt, Account::Caller(Access::Write)).await?;
    let plan = run.read_plan(&specs, plan_options, &interrupt).await?;
    if let Some((path, saved)) = &saved {
        // The plan just read is the saved one, step for step, or nothing is written.
        let fresh =
            saved_plan::document(&run, &specs, &plan, plan_options, saved.secrets.kdf.clone())
                .await?;
        let differences = stale::differences(saved, &fresh);
        if !differences.is_empty() {
            return Err(Error::StalePlan {
                file: path.display().to_string(),
                differences,
            });
        }
    }
    let view = settings.view();
    view::stdout(&view.apply_started(&plan))?;
    confirm_deletions(&plan, deletes, &interrupt).await?;
    // Each result is shown as soon as it is known (a closed stdout only ends the showing).
    let report = |result: &ApplyResult| {
        let _ = view::stdout(&view.result(&plan, result));
    };
    let per_region: Vec<Vec<ApplyResult>> =
        futures::stream::iter(run.contexts.iter().map(|context| {
            let steps = plan.in_place(&context.place);
            let report = &report;
            async move {
                let mut results = apply(context, &steps, options, report).await;
                let rules = apply_rules(context, &steps, &results, plan_options, report).await;
                results.extend(rules);
                results
            }
        }))
        .buffered(crate::engine::PLACES_IN_FLIGHT)
        .collect()
        .await;
    let results: Vec<ApplyResult> = per_region.into_iter().flatten().collect();
    view::stdout(&view.applied(&plan, &results))?;
    if let Some(signal) = interrupt.signal() {
        return Err(Error::Interrupted {
            signal,
            done: apply_done(&results),
        });
    }
    if let Some(failed) = apply_failures(&results) {
        return Err(Error::ResourcesFailed {
            failed,
            left_deleted: left_deleted(&results),
        });
    }
    Ok(EXIT_OK)
}

/// The plan (already shown) deletes resources (`--prune`, or `--replace`, which deletes before
/// it creates again): refuse more than `--max-deletes`, and ask on a terminal unless `--yes`;
/// without a terminal, `--yes` is required. SIGINT or SIGTERM while the question waits ends the
/// run at once, with nothing changed.
async fn confirm_deletions(
    plan: &Plan,
    guards: DeleteGuards,
    interrupt: &Interrupt,
) -> Result<(), Error> {
    let doomed: Vec<&Entry> = plan
        .all_entries()
        .filter(|e| matches!(e.action, Action::Delete | Action::Replace))
        .collect();
    if doomed.is_empty() {
        return Ok(());
    }
    let deleting: Vec<String> = doomed
        .iter()
        .map(|e| match e.action {
            Action::Replace => format!(
                "{} ({}, to be created again)",
                e.address.name, e.address.place.region
            ),
            _ => format!("{} ({})", e.address.name, e.address.place.region),
        })
        .collect();
    let counts: Vec<String> = ResourceKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let n = doomed.iter().filter(|e| e.address.kind == kind).count();
            kind.counted_when(n).then(|| counted(n, kind))
        })
        .collect();
    let how = if doomed.iter().any(|e| e.action == Action::Replace) {
        "this run (--prune, --replace)"
    } else {
        "--prune"
    };
    let what = counts.join(" and ");
    if deleting.len() > guards.max {
        return Err(Error::input(
            Problem::new(format!(
                "{how} would delete {what} ({}), more than --max-deletes {}: nothing was changed",
                deleting.join(", "),
                guards.max
            ))
            .help("check that the run covers every file of this set (a subfolder prunes the rest), or raise --max-deletes"),
        ));
    }
    if guards.confirmed {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::input(
            Problem::new(format!(
                "{how} would delete {what} ({}), and there is no terminal to confirm on: nothing was changed",
                deleting.join(", ")
            ))
            .help("review the plan, then run again with --yes"),
        ));
    }
    view::stderr(&format!(
        "Delete {what} ({})? Type yes to confirm: ",
        deleting.join(", ")
    ));
    let answer = tokio::select! {
        answer = read_answer() => answer,
        () = interrupt.raised() => {
            return Err(Error::Interrupted {
                signal: interrupt.signal().unwrap_or(Signal::Interrupt),
                done: "nothing was deleted or changed".to_string(),
            });
        }
    };
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::input(
            Problem::new("the deletions were not confirmed: nothing was changed")
                .help("answer `yes` to delete, or run without --prune"),
        ))
    }
}

/// One line from the terminal. The read blocks, so it runs on a thread of its own that is
/// never waited for: an interrupted run ends without it (the process exits, the thread with it).
async fn read_answer() -> String {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        let _ = sender.send(answer);
    });
    receiver.await.unwrap_or_default()
}
