//! A place the run could not read (its role refused, its session ended, throttling beyond the
//! retries, the listing denied): recorded in the plan, with each connection declared there as
//! an error step, so the other places are planned and applied all the same and the run still
//! exits 1, naming the place, what went wrong and the fix. Pure.

use super::{ConnectionChange, DestinationChange, PlanStep, Step};
use crate::error::Problem;
use crate::manifest::ConnectionSpec;
use crate::outside::Outside;
use crate::place::Place;
use serde::{Deserialize, Serialize};

/// A place of the run that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UnreadPlace {
    /// `account`, `region` in JSON.
    #[serde(flatten)]
    pub(crate) place: Place,
    /// What went wrong (it may quote AWS).
    pub(crate) error: Outside,
    /// How to fix it.
    pub(crate) help: Option<Outside>,
}

impl UnreadPlace {
    /// The place, what kept it from being read (`error`, which names the call) and the fix.
    pub(crate) fn new(place: Place, error: String, help: Option<String>) -> Self {
        UnreadPlace {
            place,
            error: error.into(),
            help: help.map(Into::into),
        }
    }

    /// The steps of the connections `specs` declares in the place (and of the API destinations
    /// declared on them), each failed for the place's error: `apply` writes none of them and
    /// reports each. The fix is the place's, said once where the place is named.
    pub(crate) fn steps(&self, specs: &[ConnectionSpec]) -> Vec<PlanStep> {
        let Place { account, region } = &self.place;
        let problem = |origin| {
            Problem::new(format!(
                "not read: account {account} in {region} could not be read: {}",
                self.error
            ))
            .at(origin)
            .help("the fix is under `Not read`, with the place (`unreadPlaces` in JSON)")
        };
        let mut steps = Vec::new();
        for spec in specs {
            let connection = Step::<ConnectionChange>::invalid(
                &spec.name,
                &self.place,
                vec![problem(spec.origin.clone())],
            );
            let parent = connection.entry().address.clone();
            steps.push(connection.under(None));
            for destination in &spec.destinations {
                let step = Step::<DestinationChange>::invalid(
                    &destination.name,
                    &self.place,
                    vec![problem(destination.origin.clone())],
                );
                steps.push(step.under(Some(&parent)));
            }
        }
        steps
    }
}
