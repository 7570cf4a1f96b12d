//! The API destination kind of the plan: what `apply` may do with one ([`DestinationChange`]),
//! and the step computed from its desired and live state. Pure: no I/O.
//!
//! Drift is judged on the endpoint, the method, the rate limit (AWS's default, 300, counts as
//! 300 so it never shows as false drift), the description and the connection ARN; ownership
//! follows the same marker and set rules as connections.

use super::{
    Action, Change, DestinationStep, FieldChange, LiveResource, ResourceChange, ResourceKind,
    Shown, Step,
};
use crate::desired::{DesiredDestination, HTTP_METHOD};
use crate::live::LiveDestination;
use crate::manifest::destination_rules::DEFAULT_RATE_LIMIT;
use crate::ownership::Owner;
use crate::place::Place;
use crate::plan::connection::PlanOptions;

/// What `apply` does with one API destination. `live` is what AWS had when it was planned; a
/// saved plan records it.
#[derive(Debug, Clone)]
pub(crate) enum DestinationChange {
    Create {
        desired: DesiredDestination,
    },
    /// `adopt`: it is not this set's yet, and `--adopt` takes it over (adding the marker).
    Update {
        desired: DesiredDestination,
        live: LiveDestination,
        adopt: bool,
    },
    NoOp {
        live: LiveDestination,
    },
    /// Not this set's (and no `--adopt`): left alone, saying `why`.
    NotOurs {
        why: String,
        live: LiveDestination,
    },
    /// One of this set's destinations that no file declares (`--prune`).
    Delete {
        live: LiveDestination,
    },
    Failed {
        error: String,
    },
}

impl ResourceChange for DestinationChange {
    const KIND: ResourceKind = ResourceKind::ApiDestination;

    fn action(&self) -> Action {
        match self {
            DestinationChange::Create { .. } => Action::Create,
            DestinationChange::Update { adopt: true, .. } => Action::Adopt,
            DestinationChange::Update { adopt: false, .. } => Action::Update,
            DestinationChange::NoOp { .. } => Action::InSync,
            DestinationChange::NotOurs { .. } => Action::NotManaged,
            DestinationChange::Delete { .. } => Action::Delete,
            DestinationChange::Failed { .. } => Action::Error,
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            DestinationChange::Failed { error } => Some(error),
            _ => None,
        }
    }

    fn failed(error: String) -> Self {
        DestinationChange::Failed { error }
    }

    fn refusal(&self) -> Option<&str> {
        match self {
            DestinationChange::NotOurs { why: error, .. } | DestinationChange::Failed { error } => {
                Some(error)
            }
            _ => None,
        }
    }

    fn into_change(self) -> Change {
        Change::Destination(self)
    }

    fn of(change: &Change) -> Option<&Self> {
        match change {
            Change::Destination(change) => Some(change),
            _ => None,
        }
    }
}

impl LiveResource for LiveDestination {
    fn name(&self) -> &str {
        &self.name
    }

    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

impl DestinationChange {
    /// The live destination it was planned against (`None`: it did not exist, or could not
    /// be read).
    pub(crate) fn live(&self) -> Option<&LiveDestination> {
        match self {
            DestinationChange::Update { live, .. }
            | DestinationChange::NoOp { live }
            | DestinationChange::NotOurs { live, .. }
            | DestinationChange::Delete { live } => Some(live),
            DestinationChange::Create { .. } | DestinationChange::Failed { .. } => None,
        }
    }
}

/// The step for a declared destination. `connection_arn` is the ARN its connection has now
/// (`None` when the connection is yet to be created, so any live ARN will change).
pub(crate) fn plan_destination(
    desired: DesiredDestination,
    live: Option<LiveDestination>,
    connection_arn: Option<&str>,
    options: &PlanOptions,
) -> DestinationStep {
    let base = Shown {
        changes: changes(&desired, live.as_ref(), connection_arn),
        ..Shown::named(&desired.name, &desired.place)
    };
    let in_sync = base.changes.is_empty();
    let shown = |note| Shown {
        note,
        ..base.clone()
    };
    let Some(live) = live else {
        return Step::new(shown(None), DestinationChange::Create { desired });
    };
    let owner = Owner::of(live.description.as_deref());
    if !owner.is(&options.set) {
        let whose = match &owner {
            Owner::Nobody => "this API destination exists but is not managed by provision (its description has no ownership marker)".to_string(),
            Owner::Set(other) => format!(
                "this API destination is managed by the provision set `{other}`, not `{}`",
                options.set.name()
            ),
        };
        return if options.adopt {
            let note = format!("{whose}; --adopt takes it over and adds this set's marker");
            let change = DestinationChange::Update {
                desired,
                live,
                adopt: true,
            };
            Step::new(shown(Some(note)), change)
        } else {
            let why = format!("{whose}; apply leaves it alone: pass --adopt to take it over");
            Step::new(
                shown(Some(why.clone())),
                DestinationChange::NotOurs { why, live },
            )
        };
    }
    let change = if in_sync {
        DestinationChange::NoOp { live }
    } else {
        DestinationChange::Update {
            desired,
            live,
            adopt: false,
        }
    };
    Step::new(shown(None), change)
}

/// The step for a declared destination that could not be described: the changes shown are
/// those of creating it.
pub(crate) fn plan_unread_destination(
    desired: &DesiredDestination,
    connection_arn: Option<&str>,
    error: String,
) -> DestinationStep {
    let shown = Shown {
        changes: changes(desired, None, connection_arn),
        ..Shown::named(&desired.name, &desired.place)
    };
    Step::new(shown, DestinationChange::Failed { error })
}

/// The step for a declared destination whose connection could not be planned (its secret
/// could not be read, AWS refused to describe it): nothing is compared, since without the
/// connection's ARN every destination would show a change it does not have.
pub(crate) fn plan_destination_of_failed_connection(
    desired: &DesiredDestination,
) -> DestinationStep {
    Step::failed(
        &desired.name,
        &desired.place,
        format!(
            "not planned: its connection {} could not be planned (see its error)",
            desired.connection
        ),
    )
}

/// The step for one of this set's destinations that no file declares (`--prune`).
pub(crate) fn plan_orphan_destination(live: LiveDestination, place: &Place) -> DestinationStep {
    let shown = Shown {
        note: Some("no file declares it: --prune deletes it".to_string()),
        ..Shown::named(&live.name, place)
    };
    Step::new(shown, DestinationChange::Delete { live })
}

fn changes(
    desired: &DesiredDestination,
    live: Option<&LiveDestination>,
    connection_arn: Option<&str>,
) -> Vec<FieldChange> {
    let DesiredDestination {
        name: _,
        place: _,
        connection,
        description,
        endpoint,
        rate_limit_per_second,
        origin: _,
    } = desired;
    let empty = LiveDestination::default();
    let live = live.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut compare = |field: &str, before: Option<String>, after: Option<String>| {
        if before != after {
            changes.push(FieldChange {
                field: field.into(),
                before: before.map(Into::into),
                after: after.map(Into::into),
            });
        }
    };
    compare(
        "description",
        live.description.clone(),
        Some(description.clone()),
    );
    compare("endpoint", live.endpoint.clone(), Some(endpoint.clone()));
    compare(
        "httpMethod",
        live.http_method.clone(),
        Some(HTTP_METHOD.to_string()),
    );
    let live_rate = live
        .endpoint
        .is_some()
        .then(|| live.rate_limit_per_second.unwrap_or(DEFAULT_RATE_LIMIT));
    compare(
        "rateLimitPerSecond",
        live_rate.map(|r| r.to_string()),
        Some(rate_limit_per_second.to_string()),
    );
    // The connection: by ARN when it exists (a recreated connection has a new one).
    let arn_differs = match (connection_arn, &live.connection_arn) {
        (Some(wanted), Some(have)) => wanted != have,
        (None, Some(_)) => true,
        (_, None) => true,
    };
    if arn_differs {
        changes.push(FieldChange {
            field: "connection".into(),
            before: live.connection_arn.clone().map(Into::into),
            after: Some(match connection_arn {
                Some(arn) => arn.to_string().into(),
                None => format!("{connection} (to be created)").into(),
            }),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    const ARN: &str = "arn:aws:events:us-east-1:111111111111:connection/sf-acme/1234";

    fn desired() -> DesiredDestination {
        DesiredDestination {
            name: "orders".into(),
            place: crate::tests::place("us-east-1"),
            connection: "sf-acme".into(),
            description: "Orders [managed by provision]".into(),
            endpoint: "https://acme.my.salesforce.com/services/data/v62.0/sobjects/Order__e".into(),
            rate_limit_per_second: 300,
            origin: Location::file(std::path::Path::new("c.yaml")),
        }
    }

    fn live() -> LiveDestination {
        LiveDestination {
            name: "orders".into(),
            arn: Some("arn:aws:events:us-east-1:111111111111:api-destination/orders/1".into()),
            description: Some("Orders [managed by provision]".into()),
            connection_arn: Some(ARN.into()),
            endpoint: Some(
                "https://acme.my.salesforce.com/services/data/v62.0/sobjects/Order__e".into(),
            ),
            http_method: Some("POST".into()),
            rate_limit_per_second: None,
            state: Some("ACTIVE".into()),
        }
    }

    #[test]
    fn aws_default_rate_limit_is_not_drift() {
        let step = plan_destination(desired(), Some(live()), Some(ARN), &PlanOptions::default());
        assert_eq!(step.entry().action, Action::InSync, "{:#?}", step.entry());
    }

    #[test]
    fn every_field_and_the_connection_arn_can_drift() {
        let mut changed = live();
        changed.rate_limit_per_second = Some(10);
        changed.http_method = Some("PUT".into());
        let step = plan_destination(
            desired(),
            Some(changed),
            Some("arn:aws:events:us-east-1:111111111111:connection/sf-acme/5678"),
            &PlanOptions::default(),
        );
        assert_eq!(step.entry().action, Action::Update);
        let fields: Vec<&str> = step
            .entry()
            .changes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(fields, ["httpMethod", "rateLimitPerSecond", "connection"]);
    }

    #[test]
    fn an_unmarked_destination_is_not_ours_until_adopted() {
        let mut theirs = live();
        theirs.description = Some("made by hand".into());
        let step = plan_destination(
            desired(),
            Some(theirs.clone()),
            Some(ARN),
            &PlanOptions::default(),
        );
        assert_eq!(step.entry().action, Action::NotManaged);
        let adopt = PlanOptions {
            adopt: true,
            ..Default::default()
        };
        let step = plan_destination(desired(), Some(theirs), Some(ARN), &adopt);
        assert_eq!(step.entry().action, Action::Adopt);
    }
}
