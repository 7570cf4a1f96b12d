//! Plans one API destination from its desired and live state. Pure: no I/O.
//!
//! Drift is judged on the endpoint, the method, the rate limit (AWS's default, 300, counts as
//! 300 so it never shows as false drift), the description and the connection ARN; ownership
//! follows the same marker and set rules as connections.

use super::{
    Action, DestinationChange, DestinationStep, Entry, FieldChange, ResourceKind, SecretStatus,
};
use crate::desired::{DesiredDestination, HTTP_METHOD};
use crate::live::LiveDestination;
use crate::manifest::destination_rules::DEFAULT_RATE_LIMIT;
use crate::ownership::Owner;
use crate::plan::compute::PlanOptions;

/// The step for a declared destination. `connection_arn` is the ARN its connection has now
/// (`None` when the connection is yet to be created, so any live ARN will change).
pub(crate) fn plan_destination(
    desired: DesiredDestination,
    live: Option<LiveDestination>,
    connection_arn: Option<&str>,
    options: &PlanOptions,
) -> DestinationStep {
    let assumed = live.clone();
    let mut step = step_for(desired, live, connection_arn, options);
    step.live = assumed;
    step
}

fn step_for(
    desired: DesiredDestination,
    live: Option<LiveDestination>,
    connection_arn: Option<&str>,
    options: &PlanOptions,
) -> DestinationStep {
    let changes = changes(&desired, live.as_ref(), connection_arn);
    let entry = |action, note| Entry {
        kind: ResourceKind::ApiDestination,
        name: desired.name.clone(),
        region: desired.region.clone(),
        action,
        changes: changes.clone(),
        secret: SecretStatus::NotApplicable,
        health: None,
        error: None,
        problems: Vec::new(),
        note,
    };
    let Some(live) = live else {
        return DestinationStep {
            live: None,
            entry: entry(Action::Create, None),
            change: DestinationChange::Create { desired },
        };
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
            DestinationStep {
                live: None,
                entry: entry(
                    Action::Adopt,
                    Some(format!(
                        "{whose}; --adopt takes it over and adds this set's marker"
                    )),
                ),
                change: DestinationChange::Update { desired },
            }
        } else {
            let note = format!("{whose}; apply leaves it alone: pass --adopt to take it over");
            DestinationStep {
                live: None,
                entry: entry(Action::NotManaged, Some(note.clone())),
                change: DestinationChange::Refused { error: note },
            }
        };
    }
    if changes.is_empty() {
        DestinationStep {
            live: None,
            entry: entry(Action::InSync, None),
            change: DestinationChange::NoOp,
        }
    } else {
        DestinationStep {
            live: None,
            entry: entry(Action::Update, None),
            change: DestinationChange::Update { desired },
        }
    }
}

/// The step for one of this set's destinations that no file declares (`--prune`).
pub(crate) fn plan_orphan_destination(live: LiveDestination, region: &str) -> DestinationStep {
    DestinationStep {
        live: Some(live.clone()),
        entry: Entry {
            kind: ResourceKind::ApiDestination,
            name: live.name.clone(),
            region: region.to_string(),
            action: Action::Delete,
            changes: Vec::new(),
            secret: SecretStatus::NotApplicable,
            health: None,
            error: None,
            problems: Vec::new(),
            note: Some("no file declares it: --prune deletes it".to_string()),
        },
        change: DestinationChange::Delete { live },
    }
}

fn changes(
    desired: &DesiredDestination,
    live: Option<&LiveDestination>,
    connection_arn: Option<&str>,
) -> Vec<FieldChange> {
    let DesiredDestination {
        name: _,
        region: _,
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
                field: field.to_string(),
                before,
                after,
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
            field: "connection".to_string(),
            before: live.connection_arn.clone(),
            after: Some(match connection_arn {
                Some(arn) => arn.to_string(),
                None => format!("{connection} (to be created)"),
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
            region: "us-east-1".into(),
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
        assert_eq!(step.entry.action, Action::InSync, "{:#?}", step.entry);
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
        assert_eq!(step.entry.action, Action::Update);
        let fields: Vec<&str> = step
            .entry
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
        assert_eq!(step.entry.action, Action::NotManaged);
        let adopt = PlanOptions {
            adopt: true,
            ..Default::default()
        };
        let step = plan_destination(desired(), Some(theirs), Some(ARN), &adopt);
        assert_eq!(step.entry.action, Action::Adopt);
    }
}
