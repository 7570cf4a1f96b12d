//! `provision apply`: make AWS match the YAML, wait until each connection is healthy, and
//! report what was done. Exit 0 or 1 (130 / 143 when interrupted).

use super::EXIT_OK;
use super::context::{Run, load_specs};
use crate::config::Settings;
use crate::engine::apply::{ApplyOptions, apply};
use crate::engine::interrupt::Interrupt;
use crate::error::Error;
use crate::plan::compute::Strictness;
use crate::plan::{ApplyResult, Outcome, apply_summary};
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    strictness: Strictness,
    options: ApplyOptions,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let run = Run::new(settings, &specs, &interrupt).await?;
    let plan = run.read_plan(&specs, strictness, &interrupt).await?;
    let view = settings.view();
    view::stdout(&view.apply_started(&plan))?;
    // Each result is shown as soon as it is known (a closed stdout only ends the showing).
    let report = |result: &ApplyResult| {
        let _ = view::stdout(&view.result(&plan, result));
    };
    let per_region = futures::future::join_all(run.contexts.iter().map(|context| {
        let steps: Vec<_> = plan
            .steps
            .iter()
            .filter(|step| step.entry.region == context.region)
            .cloned()
            .collect();
        let report = &report;
        async move { apply(context, &steps, options, report).await }
    }))
    .await;
    let results: Vec<ApplyResult> = per_region.into_iter().flatten().collect();
    view::stdout(&view.applied(&plan, &results))?;
    if let Some(signal) = interrupt.signal() {
        let summary = apply_summary(&results);
        return Err(Error::Interrupted {
            signal,
            done: format!(
                "{} created, {} updated, {} failed, {} not started",
                summary.created, summary.updated, summary.failed, summary.not_started
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
