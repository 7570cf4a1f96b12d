//! `provision version`: what a bug report needs to name the build, known offline: the
//! package version and the operating system and architecture it was built for.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::Error;
use crate::view::{self, Build};

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    view::stdout(&settings.view().version(&Build::THIS))?;
    Ok(EXIT_OK)
}
