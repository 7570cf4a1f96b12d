//! `provision validate`: parse and check everything offline; no AWS call, no secret read.
//! What is valid but worth knowing (a rate that needs a raised quota) is a note on stderr.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::Error;
use crate::manifest;
use crate::view;

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    if !settings.quiet {
        let notes = specs
            .iter()
            .flat_map(|spec| &spec.destinations)
            .filter_map(manifest::DestinationSpec::rate_note);
        for note in notes {
            view::stderr(&format!("provision: note: {note}\n"));
        }
    }
    view::stdout(
        &settings
            .view()
            .validated(&specs, settings.project.file.as_deref()),
    )?;
    Ok(EXIT_OK)
}
