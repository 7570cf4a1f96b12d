//! `provision show FILE`: print a saved plan (`diff --out`) in the chosen output format, as
//! `diff` printed it, so a pipeline can post the reviewed plan from an artifact. Reads no AWS
//! and no secret; exit 0, or 1 when the file is not a saved plan.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::Error;
use crate::plan::saved::SavedPlan;
use crate::view;
use std::path::Path;

pub(super) fn run(settings: &Settings, file: &Path) -> Result<u8, Error> {
    let saved = SavedPlan::read(file)?;
    view::stdout(&settings.view().plan(&saved.shown()))?;
    Ok(EXIT_OK)
}
