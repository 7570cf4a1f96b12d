//! `provision apply`: make AWS match the YAML, wait until each connection is healthy, and
//! report what was done. Exit 0 or 1 (130 / 143 when interrupted).
//!
//! Deletions (`--prune`) are guarded: they are listed first, refused outright beyond
//! `--max-deletes`, and need a confirmation (a terminal's answer, or `--yes`).

use super::EXIT_OK;
use super::context::{Run, load_specs};
use crate::config::{DeleteGuards, Settings};
use crate::engine::apply::{ApplyOptions, apply};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::error::{Error, Problem};
use crate::plan::compute::PlanOptions;
use crate::plan::{Action, ApplyResult, Outcome, Plan, apply_summary};
use crate::view;
use std::io::IsTerminal;

pub(super) async fn run(
    settings: &Settings,
    plan_options: &PlanOptions,
    options: ApplyOptions,
    deletes: DeleteGuards,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let run = Run::new(settings, &specs, &interrupt).await?;
    let plan = run.read_plan(&specs, plan_options, &interrupt).await?;
    let view = settings.view();
    view::stdout(&view.apply_started(&plan))?;
    confirm_deletions(&plan, deletes, &interrupt).await?;
    // Each result is shown as soon as it is known (a closed stdout only ends the showing).
    let report = |result: &ApplyResult| {
        let _ = view::stdout(&view.result(&plan, result));
    };
    let per_region = futures::future::join_all(run.contexts.iter().map(|context| {
        let in_region = |region: &str| region == context.region;
        let steps: Vec<_> = plan
            .steps
            .iter()
            .filter(|step| in_region(&step.entry.region))
            .cloned()
            .collect();
        let pruned: Vec<_> = plan
            .pruned_destinations
            .iter()
            .filter(|step| in_region(&step.entry.region))
            .cloned()
            .collect();
        let report = &report;
        async move { apply(context, &steps, &pruned, options, report).await }
    }))
    .await;
    let results: Vec<ApplyResult> = per_region.into_iter().flatten().collect();
    view::stdout(&view.applied(&plan, &results))?;
    if let Some(signal) = interrupt.signal() {
        let summary = apply_summary(&results);
        return Err(Error::Interrupted {
            signal,
            done: format!(
                "{} created, {} updated, {} deleted, {} failed, {} not started",
                summary.created,
                summary.updated,
                summary.deleted,
                summary.failed,
                summary.not_started
            ),
        });
    }
    let failed = results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .count();
    if failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed,
            total: results.len(),
        });
    }
    Ok(EXIT_OK)
}

/// The plan (already shown) deletes connections: refuse more than `--max-deletes`, and ask
/// on a terminal unless `--yes`; without a terminal, `--yes` is required. SIGINT or SIGTERM
/// while the question waits ends the run at once, with nothing changed.
async fn confirm_deletions(
    plan: &Plan,
    guards: DeleteGuards,
    interrupt: &Interrupt,
) -> Result<(), Error> {
    let deleting: Vec<String> = plan
        .entries()
        .chain(plan.destination_entries())
        .filter(|e| e.action == Action::Delete)
        .map(|e| format!("{} ({})", e.name, e.region))
        .collect();
    if deleting.is_empty() {
        return Ok(());
    }
    if deleting.len() > guards.max {
        return Err(Error::input(
            Problem::new(format!(
                "--prune would delete {} connections, more than --max-deletes {}: nothing was changed",
                deleting.len(),
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
                "--prune would delete {} connections ({}), and there is no terminal to confirm on: nothing was changed",
                deleting.len(),
                deleting.join(", ")
            ))
            .help("review the plan, then run again with --yes"),
        ));
    }
    view::stderr(&format!(
        "Delete {} connections ({})? Type yes to confirm: ",
        deleting.len(),
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
