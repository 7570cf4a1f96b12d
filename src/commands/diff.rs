//! `provision diff`: compare the YAML with AWS and print the plan. Exit 0 in sync, 2
//! differences, 1 error.

use super::context::{Run, check_prune_regions, load_specs};
use super::{EXIT_DIFFERENCES, EXIT_OK};
use crate::config::Settings;
use crate::engine::interrupt::Interrupt;
use crate::error::Error;
use crate::plan::compute::PlanOptions;
use crate::plan::{ResourceKind, Summary, failures_by_kind};
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    options: &PlanOptions,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    if options.prune {
        check_prune_regions(&specs, &settings.project)?;
    }
    let run = Run::new(settings, &specs, &interrupt).await?;
    let plan = run.read_plan(&specs, options, &interrupt).await?;
    view::stdout(&settings.view().plan(&plan))?;
    if plan.has_errors() {
        let count = |kind, summary: Summary, total| (kind, summary.error, total);
        let failed = failures_by_kind(&[
            count(
                ResourceKind::Connection,
                plan.summary(),
                plan.entries().count(),
            ),
            count(
                ResourceKind::ApiDestination,
                plan.destination_summary(),
                plan.destination_entries().count(),
            ),
        ]);
        return Err(Error::ResourcesFailed {
            failed: failed.unwrap_or_else(|| "the plan".to_string()),
            left_deleted: Vec::new(),
        });
    }
    Ok(if plan.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_OK
    })
}
