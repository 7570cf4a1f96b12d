//! `provision targets`: the places (a target of the project file, in one of its Regions) that
//! the documents use, offline. `--output json` prints them as a GitHub Actions matrix, so a
//! workflow fans a run out with one job a place (`diff --target T --region R`), and GitHub's
//! own limit on a matrix, 256 jobs, is checked here rather than by a failed workflow.

use super::EXIT_OK;
use crate::config::Settings;
use crate::coverage::{Coverage, Sources, placement};
use crate::error::{Error, Problem};
use crate::manifest;
use crate::view::{self, MATRIX_JOBS_MAX, TargetPlace};

pub(super) fn run(settings: &Settings) -> Result<u8, Error> {
    let project = &settings.project;
    if project.targets.is_empty() {
        let what = match &project.file {
            Some(file) => format!("the project file {} lists no `targets:`", file.display()),
            None => "there is no project file (provision.yaml) to list targets".to_string(),
        };
        return Err(Error::input(
            Problem::new(format!("no targets to list: {what}"))
                .help("list the accounts under `targets:` in provision.yaml (name, account, regions), and each document's with `targets: [<names>]`"),
        ));
    }
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    placement::check(&specs, project)?;
    let coverage = Coverage::allowing_unplaced(&specs, &Sources::offline(settings));
    // Only the places some document uses: a --region flag covers a target's Region even
    // where nothing is declared, but a job there would have nothing to do.
    let places: Vec<TargetPlace> = coverage
        .places
        .iter()
        .filter(|place| !coverage.wanted_in(place, &specs).is_empty())
        .filter_map(|place| {
            let target = project.target(place.target.as_deref()?)?;
            Some(TargetPlace {
                target: target.name.clone(),
                account: target.account.clone(),
                region: place.region.clone(),
            })
        })
        .collect();
    if places.len() > MATRIX_JOBS_MAX {
        return Err(Error::input(
            Problem::new(format!(
                "the documents use {} places (target x Region), but a GitHub Actions matrix makes at most {MATRIX_JOBS_MAX} jobs per workflow run",
                places.len()
            ))
            .help(format!(
                "split the fan-out: one matrix per group of targets, each printed with --target (e.g. `provision targets --target {} --output json`)",
                places[0].target
            )),
        ));
    }
    view::stdout(&settings.view().targets(&places))?;
    Ok(EXIT_OK)
}
