//! `provision validate`: parse and check everything offline; no AWS call, no secret read.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::Error;
use crate::spec;
use crate::view;

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    let specs = spec::load::load(&settings.paths)?;
    view::stdout(&settings.view().validated(&specs))?;
    Ok(EXIT_OK)
}
