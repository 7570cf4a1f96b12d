//! One module per command. Each takes the resolved [`Settings`] and returns the exit code, or
//! an error that [`crate::run`] prints; a new command is one file here plus one line in the
//! CLI and one in [`run`].

mod apply;
mod context;
mod diff;
mod validate;

use crate::config::{Settings, Task};
use crate::error::Error;

/// Exit codes: an API for CI.
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_ERROR: u8 = 1;
pub(crate) const EXIT_DIFFERENCES: u8 = 2;

pub(crate) async fn run(settings: &Settings) -> Result<u8, Error> {
    match &settings.task {
        Task::Validate => validate::run(settings),
        Task::Diff { strictness } => diff::run(settings, *strictness).await,
        Task::Apply {
            strictness,
            options,
        } => apply::run(settings, *strictness, *options).await,
    }
}
