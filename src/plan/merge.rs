//! `report merge`: the plans of several runs (legs of a CI fan-out, one per target or Region)
//! made into one, as if one run had read every place they cover.
//!
//! Pure: the legs come in already read ([`Leg`]); what comes out is a [`Plan`] the views print as
//! they print any other, its summary counted again from its steps. Two legs covering the same
//! place would count its resources twice, so they are refused, naming both; what one leg left out
//! (`--target`, `--region`) but another covered is not left out of the whole.

use super::{FailedRun, Plan};
use crate::place::Place;

/// One input of the merge: the plan one run printed, and the file it came from.
#[derive(Debug, Clone)]
pub(crate) struct Leg {
    pub(crate) file: String,
    pub(crate) plan: Plan,
}

/// Two legs that cover the same place: merging them would count it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Overlap {
    pub(crate) place: Place,
    pub(crate) first: String,
    pub(crate) second: String,
}

/// One plan of every leg, in the order given: their places, steps, orphans, unread places and
/// failed runs one after another, and what was left out that no leg covered. `failed` are the runs that ended
/// in an error before they had a plan (their error documents).
pub(crate) fn merge(legs: Vec<Leg>, failed: Vec<FailedRun>) -> Result<Plan, Overlap> {
    let mut covered: Vec<(Place, String)> = Vec::new();
    for leg in &legs {
        for place in &leg.plan.places {
            if let Some((_, first)) = covered.iter().find(|(seen, _)| seen == place) {
                return Err(Overlap {
                    place: place.clone(),
                    first: first.clone(),
                    second: leg.file.clone(),
                });
            }
            covered.push((place.clone(), leg.file.clone()));
        }
    }
    let mut merged = Plan::default();
    let mut project_files = Vec::new();
    for leg in legs {
        let plan = leg.plan;
        merged.places.extend(plan.places);
        merged.steps.extend(plan.steps);
        merged.orphans.extend(plan.orphans);
        merged.unread.extend(plan.unread);
        for target in plan.targets {
            if !merged.targets.contains(&target) {
                merged.targets.push(target);
            }
        }
        for left in plan.left_out {
            let elsewhere = covered.iter().any(|(place, _)| place == &left.place);
            if !elsewhere && !merged.left_out.contains(&left) {
                merged.left_out.push(left);
            }
        }
        project_files.push(plan.project_file);
    }
    // One project file when every leg names the same one (a fan-out of one folder).
    project_files.dedup();
    if let [one] = project_files.as_slice() {
        merged.project_file.clone_from(one);
    }
    merged.failed_runs = failed;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::Place;
    use crate::plan::{Action, Entry, LeftOut, PlanStep, ResourceKind};

    fn entry(name: &str, place: &Place, action: Action) -> Entry {
        crate::tests::entry(ResourceKind::Connection, name, place, action)
    }

    fn leg(file: &str, place: Place, actions: &[(&str, Action)], left_out: &[Place]) -> Leg {
        let steps = actions
            .iter()
            .map(|(name, action)| PlanStep::recorded(entry(name, &place, *action), None))
            .collect();
        let left_out = left_out
            .iter()
            .map(|elsewhere| LeftOut {
                name: "sf-a".into(),
                place: elsewhere.clone(),
                reason: "not in --region".into(),
            })
            .collect();
        Leg {
            file: file.into(),
            plan: Plan {
                places: vec![place],
                left_out,
                steps,
                project_file: Some("provision.yaml".into()),
                ..Plan::default()
            },
        }
    }

    #[test]
    fn the_merged_plan_counts_every_leg_and_leaves_out_only_what_no_leg_covered() {
        let east = Place::new("111111111111", "us-east-1");
        let west = Place::new("111111111111", "eu-west-1");
        let other = Place::new("222222222222", "eu-west-1");
        let merged = merge(
            vec![
                leg(
                    "east.json",
                    east.clone(),
                    &[("sf-a", Action::Create), ("sf-b", Action::InSync)],
                    &[west.clone(), other.clone()],
                ),
                leg(
                    "west.json",
                    west.clone(),
                    &[("sf-a", Action::Update), ("sf-c", Action::Error)],
                    &[east.clone(), other.clone()],
                ),
            ],
            Vec::new(),
        )
        .unwrap();
        assert_eq!(merged.places, [east, west]);
        let summary = merged.summary();
        assert_eq!(
            (
                summary.create,
                summary.update,
                summary.in_sync,
                summary.error
            ),
            (1, 1, 1, 1)
        );
        assert!(merged.has_errors());
        let left: Vec<&Place> = merged.left_out.iter().map(|left| &left.place).collect();
        assert_eq!(left, [&other], "left out once, and only where no leg ran");
        assert_eq!(merged.project_file.as_deref(), Some("provision.yaml"));
    }

    #[test]
    fn a_legs_unread_place_stays_in_the_merged_plan_and_fails_it() {
        let east = Place::new("111111111111", "us-east-1");
        let west = Place::new("222222222222", "us-east-1");
        let mut refused = leg("west.json", west.clone(), &[], &[]);
        refused.plan.unread.push(crate::plan::UnreadPlace::new(
            west.clone(),
            "AssumeRole was refused".into(),
            Some("trust the CI role".into()),
        ));
        let merged = merge(
            vec![
                leg("east.json", east, &[("sf-a", Action::InSync)], &[]),
                refused,
            ],
            Vec::new(),
        )
        .unwrap();
        assert_eq!(merged.unread.len(), 1);
        assert_eq!(merged.unread[0].place, west);
        assert!(merged.has_errors());
    }

    #[test]
    fn two_legs_over_one_place_are_refused_naming_both_files() {
        let place = Place::new("111111111111", "us-east-1");
        let overlap = merge(
            vec![
                leg("a.json", place.clone(), &[("sf-a", Action::Create)], &[]),
                leg("b.json", place.clone(), &[("sf-a", Action::Create)], &[]),
            ],
            Vec::new(),
        )
        .unwrap_err();
        assert_eq!(
            overlap,
            Overlap {
                place,
                first: "a.json".into(),
                second: "b.json".into()
            }
        );
    }
}
