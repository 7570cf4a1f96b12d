//! `provision diff`: compare the YAML with AWS and print the plan. Exit 0 in sync, 2
//! differences, 1 error.

use super::context::{Run, check_prune_regions, load_specs};
use super::{EXIT_DIFFERENCES, EXIT_OK};
use crate::config::Settings;
use crate::engine::interrupt::Interrupt;
use crate::error::Error;
use crate::plan::compute::PlanOptions;
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
        return Err(Error::ConnectionsFailed {
            failed: plan.summary().error,
            total: plan.steps.len(),
        });
    }
    Ok(if plan.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_OK
    })
}
