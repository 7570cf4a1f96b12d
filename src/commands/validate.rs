//! `provision validate`: parse and check everything offline; no AWS call, no secret read.
//! What is valid but worth knowing (a rate that needs a raised quota) is a note on stderr.

use super::EXIT_OK;
use crate::config::Settings;
use crate::coverage::{Coverage, Sources, placement};
use crate::error::Error;
use crate::manifest::{self, ConnectionSpec};
use crate::project::Project;
use crate::view::{self, DocumentPlace};

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    placement::check(&specs, &settings.project)?;
    if !settings.quiet {
        let notes = specs
            .iter()
            .flat_map(|spec| &spec.destinations)
            .filter_map(manifest::DestinationSpec::rate_note);
        for note in notes {
            view::stderr(&format!("provision: note: {note}\n"));
        }
    }
    view::stdout(&settings.view().validated(
        &specs,
        settings.project.file.as_deref(),
        &places(&specs, &settings.project),
    ))?;
    Ok(EXIT_OK)
}

/// Where each document is placed, with targets in the project file: every Region of every
/// target it names, as a run without flags covers them (none without targets).
fn places(specs: &[ConnectionSpec], project: &Project) -> Vec<DocumentPlace> {
    if project.targets.is_empty() {
        return Vec::new();
    }
    let coverage = Coverage::allowing_unplaced(
        specs,
        &Sources {
            targets: &project.targets,
            ..Sources::default()
        },
    );
    specs
        .iter()
        .flat_map(|spec| {
            coverage.places_of(spec).into_iter().filter_map(|place| {
                let target = project.target(place.target.as_deref()?)?;
                Some(DocumentPlace {
                    connection: spec.name.clone(),
                    target: target.name.clone(),
                    account: target.account.clone(),
                    region: place.region,
                })
            })
        })
        .collect()
}
