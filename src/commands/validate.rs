//! `provision validate`: parse and check everything offline; no AWS call, no secret read.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::Error;
use crate::manifest;
use crate::view;

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    view::stdout(
        &settings
            .view()
            .validated(&specs, settings.project.file.as_deref()),
    )?;
    Ok(EXIT_OK)
}
