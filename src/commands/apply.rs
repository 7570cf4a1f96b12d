//! `provision apply`: make AWS match the YAML, wait until each connection is healthy, and
//! report what was done. Exit 0 or 1.

use super::EXIT_OK;
use super::context::{load_specs, read_plan, region_context};
use crate::config::Settings;
use crate::engine::apply::{ApplyOptions, apply};
use crate::error::Error;
use crate::plan::Outcome;
use crate::plan::compute::Strictness;
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    strictness: Strictness,
    options: ApplyOptions,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let context = region_context(settings).await?;
    let plan = read_plan(&context, &specs, strictness).await?;
    let view = settings.view();
    view::stdout(&view.apply_started(&plan))?;
    let results = apply(&context, &plan.steps, options).await;
    view::stdout(&view.applied(&plan, &results))?;
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
