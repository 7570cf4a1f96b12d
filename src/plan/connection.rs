//! The connection kind of the plan: what `apply` may do with one ([`ConnectionChange`]), and
//! the step computed from its desired and live state. Pure: no I/O.
//!
//! Comparison is by meaning, not by bytes, so nothing shows a permanent diff: parameter lists
//! are compared by key regardless of order, an absent `IsValueSecret` is `false`, and a KMS key
//! given as an alias or id matches the ARN AWS may report for it. It is also exact where it
//! matters: a key AWS holds twice, or any parameter beyond the declared ones, is a difference.
//!
//! The desired connection is destructured field by field, so a field added to it that is never
//! compared here fails to compile instead of silently never showing drift.

use super::{
    Action, Change, FieldChange, Health, LiveResource, ResourceChange, ResourceKind, SecretStatus,
    Shown, Step,
};
use crate::desired::{
    AUTHORIZATION_TYPE, DesiredConnection, DesiredParameter, DesiredParameters, HTTP_METHOD,
    ParameterValue,
};
use crate::live::ConnectionState;
use crate::live::{LiveConnection, LiveParameter, LiveParameters};
use crate::outside::Outside;
use crate::ownership::Owner;
use crate::ownership::OwnershipSet;
use crate::parameters::Block;
use crate::place::Place;
use crate::secret::SHOWN_AS;

/// What a plan may do beyond making declared connections match.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlanOptions {
    /// Treat an unverifiable client secret as a difference.
    pub(crate) strict: bool,
    /// The ownership set the run works for.
    pub(crate) set: OwnershipSet,
    /// Take over declared connections that exist without this set's marker.
    pub(crate) adopt: bool,
    /// Delete this set's connections that no file declares.
    pub(crate) prune: bool,
    /// Delete and create again what cannot be changed in place (a customer managed key).
    pub(crate) replace: bool,
    /// Delete even a connection an API destination still uses (`apply --force`).
    pub(crate) force: bool,
    /// The project file's `namePrefix`: every name of the set starts with it, so only
    /// connections with it are listed and described to find this set's undeclared ones.
    pub(crate) name_prefix: Option<String>,
}

/// What `apply` does with one connection. Each variant holds what its action needs.
// A plan holds a few thousand of these at most, built once and read once: boxing the large
// variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum ConnectionChange {
    Create {
        desired: DesiredConnection,
    },
    /// `adopt`: it is not this set's yet, and `--adopt` takes it over (adding the marker).
    Update {
        desired: DesiredConnection,
        live: LiveConnection,
        adopt: bool,
    },
    NoOp {
        live: LiveConnection,
    },
    /// Not this set's, and no `--adopt`: `apply` leaves it alone and says `why`.
    NotOurs {
        why: String,
        live: LiveConnection,
    },
    /// A deletion `apply` will not make, and why (API destinations of another set still use
    /// the connection, and no `--force`).
    Refused {
        error: String,
        live: LiveConnection,
    },
    /// Prune one of this set's undeclared connections.
    Delete {
        live: LiveConnection,
    },
    /// Delete, wait until it is gone, create again.
    Replace {
        desired: DesiredConnection,
        live: LiveConnection,
    },
    /// It is being deleted: wait until it is gone, then create it.
    AwaitDeletion {
        desired: DesiredConnection,
    },
    /// Planning failed; `apply` reports the error and does nothing.
    Failed {
        error: String,
    },
}

impl ResourceChange for ConnectionChange {
    const KIND: ResourceKind = ResourceKind::Connection;

    fn action(&self) -> Action {
        match self {
            ConnectionChange::Create { .. } | ConnectionChange::AwaitDeletion { .. } => {
                Action::Create
            }
            ConnectionChange::Update { adopt: true, .. } => Action::Adopt,
            ConnectionChange::Update { adopt: false, .. } => Action::Update,
            ConnectionChange::NoOp { .. } => Action::InSync,
            ConnectionChange::NotOurs { .. } => Action::NotManaged,
            ConnectionChange::Refused { .. } => Action::Refused,
            ConnectionChange::Delete { .. } => Action::Delete,
            ConnectionChange::Replace { .. } => Action::Replace,
            ConnectionChange::Failed { .. } => Action::Error,
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            ConnectionChange::Refused { error, .. } | ConnectionChange::Failed { error } => {
                Some(error)
            }
            _ => None,
        }
    }

    fn failed(error: String) -> Self {
        ConnectionChange::Failed { error }
    }

    fn refusal(&self) -> Option<&str> {
        match self {
            ConnectionChange::NotOurs { why: error, .. }
            | ConnectionChange::Refused { error, .. }
            | ConnectionChange::Failed { error } => Some(error),
            _ => None,
        }
    }

    fn into_change(self) -> Change {
        Change::Connection(self)
    }

    fn of(change: &Change) -> Option<&Self> {
        match change {
            Change::Connection(change) => Some(change),
            _ => None,
        }
    }
}

impl LiveResource for LiveConnection {
    fn name(&self) -> &str {
        &self.name
    }

    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

impl ConnectionChange {
    /// The live connection it was planned against (`None`: it did not exist, or was being
    /// deleted).
    pub(crate) fn live(&self) -> Option<&LiveConnection> {
        match self {
            ConnectionChange::Update { live, .. }
            | ConnectionChange::NoOp { live }
            | ConnectionChange::NotOurs { live, .. }
            | ConnectionChange::Refused { live, .. }
            | ConnectionChange::Delete { live }
            | ConnectionChange::Replace { live, .. } => Some(live),
            ConnectionChange::Create { .. }
            | ConnectionChange::AwaitDeletion { .. }
            | ConnectionChange::Failed { .. } => None,
        }
    }
}

/// The plan step for a declared connection.
pub(crate) fn plan_connection(
    desired: DesiredConnection,
    live: Option<LiveConnection>,
    secret: SecretStatus,
    options: &PlanOptions,
) -> Step<ConnectionChange> {
    let base = Shown {
        changes: field_changes(&desired, live.as_ref()),
        ..Shown::named(&desired.name, &desired.place)
    };
    let shown = |secret, health, note| Shown {
        secret,
        health,
        note,
        ..base.clone()
    };
    let Some(live) = live else {
        let shown = shown(SecretStatus::NotApplicable, None, None);
        return Step::new(shown, ConnectionChange::Create { desired });
    };
    let health = health(&live);
    if live.state == ConnectionState::Deleting {
        let note = "it is being deleted: apply waits until it is gone, then creates it".to_string();
        let shown = shown(SecretStatus::NotApplicable, Some(health), Some(note));
        return Step::new(shown, ConnectionChange::AwaitDeletion { desired });
    }
    let owner = Owner::of(live.description.as_deref());
    if !owner.is(&options.set) {
        let whose = match &owner {
            Owner::Nobody => "it exists but is not managed by provision (its description has no ownership marker)".to_string(),
            Owner::Set(other) => format!(
                "it is managed by the provision set `{other}`, not `{}`",
                options.set.name()
            ),
        };
        return if options.adopt {
            let note = format!("{whose}; --adopt takes it over and adds this set's marker");
            let shown = shown(secret, Some(health), Some(note));
            let change = ConnectionChange::Update {
                desired,
                live,
                adopt: true,
            };
            Step::new(shown, change)
        } else {
            let why = format!(
                "{whose}; apply leaves it alone: pass --adopt to take it over (the changes above are what adopting would make)"
            );
            let shown = shown(secret, Some(health), Some(why.clone()));
            Step::new(shown, ConnectionChange::NotOurs { why, live })
        };
    }
    let removes_kms_key = live.kms_key.is_some() && desired.kms_key.is_none();
    if removes_kms_key && options.replace {
        let note = "--replace deletes the connection and creates it again without the customer managed key (its ARN changes: API destinations declared here follow it; others must be repointed)".to_string();
        let shown = shown(secret, Some(health), Some(note));
        return Step::new(shown, ConnectionChange::Replace { desired, live });
    }
    let secret_differs = match &secret {
        SecretStatus::Changed { .. } => true,
        SecretStatus::Unverifiable { .. } => options.strict,
        SecretStatus::InSync | SecretStatus::NotApplicable => false,
    };
    // DEAUTHORIZING is on its way to DEAUTHORIZED: re-sending the credentials heals it too.
    let needs_reauthorizing = health.broken || live.state == ConnectionState::Deauthorizing;
    let differs = !base.changes.is_empty() || secret_differs || needs_reauthorizing;
    // The user guide lists a customer managed key -> AWS owned key as a supported update; the
    // write is read back, and a key AWS kept is reported with --replace as the way out.
    let note = removes_kms_key.then(|| {
        "removes the customer managed key in place (EventBridge re-encrypts the secret with an AWS owned key); if AWS keeps it, apply says so and --replace recreates the connection".to_string()
    });
    let shown = shown(secret, Some(health), note);
    let change = if differs {
        ConnectionChange::Update {
            desired,
            live,
            adopt: false,
        }
    } else {
        ConnectionChange::NoOp { live }
    };
    Step::new(shown, change)
}

/// The note of a planned deletion of one of this set's undeclared connections.
const PRUNE_NOTE: &str = "no file declares it: --prune deletes it";

/// The plan step for one of this set's connections that no file declares (`--prune`).
pub(crate) fn plan_orphan(live: LiveConnection, place: &Place) -> Step<ConnectionChange> {
    let shown = Shown {
        health: Some(health(&live)),
        note: Some(PRUNE_NOTE.to_string()),
        ..Shown::named(&live.name, place)
    };
    Step::new(shown, ConnectionChange::Delete { live })
}

/// Plans as refused every deletion of a connection that an API destination still uses and
/// that this plan does not delete too (one of another set, or not ours): `apply` would refuse
/// it, so the plan says so, with the reason. `listed` is every API destination of the Region
/// with its connection's ARN; `pruned`, the destinations this plan deletes.
pub(crate) fn refuse_deletions_in_use(
    steps: &mut [Step<ConnectionChange>],
    listed: &[(String, Option<String>)],
    pruned: &std::collections::HashSet<&str>,
) {
    for step in steps.iter_mut() {
        let ConnectionChange::Delete { live } = step.change() else {
            continue;
        };
        let Some(arn) = &live.arn else { continue };
        let users: Vec<&str> = listed
            .iter()
            .filter(|(name, connection)| {
                connection.as_deref() == Some(arn.as_str()) && !pruned.contains(name.as_str())
            })
            .map(|(name, _)| name.as_str())
            .collect();
        if users.is_empty() {
            continue;
        }
        let error = format!(
            "not deleted: API destination(s) {} still use it",
            users.join(", ")
        );
        let entry = step.entry();
        let shown = Shown {
            changes: entry.changes.clone(),
            secret: entry.secret.clone(),
            health: entry.health.clone(),
            note: Some(
                "point those API destinations at another connection or delete them first, or pass --force to apply"
                    .to_string(),
            ),
            ..Shown::named(&entry.address.name, &entry.address.place)
        };
        let live = live.clone();
        *step = Step::new(shown, ConnectionChange::Refused { error, live });
    }
}

fn health(live: &LiveConnection) -> Health {
    let broken = live.is_broken();
    Health {
        state: live.state.clone(),
        reason: live.state_reason.clone(),
        broken,
        hint: broken.then(|| {
            let reason = live.state_reason.as_ref().map(Outside::as_str);
            crate::salesforce::hints::for_state(&live.state, reason)
        }),
    }
}

/// Every field whose live value differs from the desired one (all fields when `live` is None).
pub(crate) fn field_changes(
    desired: &DesiredConnection,
    live: Option<&LiveConnection>,
) -> Vec<FieldChange> {
    let empty = LiveConnection::default();
    let exists = live.is_some();
    let live = live.unwrap_or(&empty);
    // Every field is named here: a new one must be compared (or explicitly skipped).
    let DesiredConnection {
        name: _,
        place: _,
        description,
        authorization_endpoint,
        client_id,
        client_secret: _, // hidden by AWS: compared against the managed secret
        oauth,
        invocation,
        kms_key,
        resource_configuration_arn,
        token_resource_configuration_arn,
        origin: _,
    } = desired;
    let mut changes = Vec::new();
    let compare =
        |changes: &mut Vec<FieldChange>, field: &str, before: Option<&str>, after: Option<&str>| {
            if before != after {
                changes.push(FieldChange {
                    field: field.into(),
                    before: before.map(str::to_string).map(Into::into),
                    after: after.map(str::to_string).map(Into::into),
                });
            }
        };
    if exists {
        compare(
            &mut changes,
            "authorizationType",
            live.authorization_type.as_deref(),
            Some(AUTHORIZATION_TYPE),
        );
    }
    compare(
        &mut changes,
        "description",
        live.description.as_deref(),
        Some(description),
    );
    compare(
        &mut changes,
        "tokenUrl",
        live.authorization_endpoint.as_deref(),
        Some(authorization_endpoint),
    );
    compare(
        &mut changes,
        "httpMethod",
        live.http_method.as_deref(),
        Some(HTTP_METHOD),
    );
    // A client id read from a secret reference is never shown, on either side.
    if live.client_id.as_deref() != Some(client_id.expose()) {
        let shown = |value: Option<&String>| match client_id {
            ParameterValue::Secret(_) => value.map(|_| SHOWN_AS.to_string()),
            ParameterValue::Plain(_) => value.cloned(),
        };
        changes.push(FieldChange {
            field: "clientId".into(),
            before: shown(live.client_id.as_ref()).map(Into::into),
            after: Some(client_id.shown().into()),
        });
    }
    if !exists {
        // Present but never shown, as Terraform shows a sensitive value.
        changes.push(FieldChange {
            field: "clientSecret".into(),
            before: None,
            after: Some(SHOWN_AS.into()),
        });
    }

    let kms_matches = match (&live.kms_key, kms_key) {
        (Some(live_key), Some(wanted)) => same_kms_key(live_key, wanted),
        (None, None) => true,
        _ => false,
    };
    if !kms_matches {
        compare(
            &mut changes,
            "kmsKey",
            live.kms_key.as_deref(),
            kms_key.as_deref(),
        );
    }
    compare(
        &mut changes,
        "privateLink.resourceConfigurationArn",
        live.resource_configuration_arn.as_deref(),
        resource_configuration_arn.as_deref(),
    );
    compare(
        &mut changes,
        "privateLink.tokenEndpoint",
        live.token_resource_configuration_arn.as_deref(),
        token_resource_configuration_arn.as_deref(),
    );
    parameter_changes(Block::OAuth, oauth, &live.oauth, &mut changes);
    parameter_changes(
        Block::Invocation,
        invocation,
        &live.invocation,
        &mut changes,
    );
    changes
}

/// Compares two parameter lists as AWS holds them: every declared key must be there exactly
/// once with the declared value and secrecy, and nothing else may be.
fn parameter_changes(
    block: Block,
    desired: &DesiredParameters,
    live: &LiveParameters,
    changes: &mut Vec<FieldChange>,
) {
    for (list, wanted) in desired.lists() {
        let present = live.get(list);
        for parameter in wanted {
            let field = block.field(list, &parameter.key);
            let found: Vec<&LiveParameter> =
                present.iter().filter(|p| p.key == parameter.key).collect();
            let after = Some(parameter.value.shown());
            match found.as_slice() {
                [] => changes.push(FieldChange {
                    field: field.into(),
                    before: None,
                    after: after.map(Into::into),
                }),
                [existing] if same_parameter(existing, parameter) => {}
                several => changes.push(FieldChange {
                    field: field.into(),
                    before: Some(shown_all(several, parameter).into()),
                    after: after.map(Into::into),
                }),
            }
        }
        for existing in present {
            if !wanted.iter().any(|p| p.key == existing.key) {
                changes.push(FieldChange {
                    field: block.field(list, &existing.key).into(),
                    before: Some(shown(existing).into()),
                    after: None,
                });
            }
        }
    }
}

/// Secret values are hidden by AWS; only their secrecy is compared here (their values are
/// compared against the managed secret).
fn same_parameter(live: &LiveParameter, desired: &DesiredParameter) -> bool {
    if live.is_secret != desired.value.is_secret() {
        return false;
    }
    live.is_secret || live.value.as_deref() == Some(desired.value.expose())
}

fn shown(parameter: &LiveParameter) -> String {
    if parameter.is_secret {
        SHOWN_AS.to_string()
    } else {
        parameter.value.clone().unwrap_or_default()
    }
}

/// The live value(s) of a declared parameter: a value the user declares secret is shown as
/// `(secret)` whatever AWS's flag says; a key AWS holds several times shows each value.
fn shown_all(present: &[&LiveParameter], desired: &DesiredParameter) -> String {
    let each = |p: &&LiveParameter| {
        if desired.value.is_secret() {
            SHOWN_AS.to_string()
        } else {
            shown(p)
        }
    };
    match present {
        [one] => each(one),
        several => format!(
            "{} values: {}",
            several.len(),
            several.iter().map(each).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `alias/x` matches `arn:...:alias/x`, and a key id matches `arn:...:key/<id>`.
fn same_kms_key(live: &str, wanted: &str) -> bool {
    live == wanted || live.ends_with(&format!(":{wanted}")) || live.ends_with(&format!("/{wanted}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::plan::Entry;
    use crate::secret::Secret;

    fn desired() -> DesiredConnection {
        DesiredConnection {
            name: "sf".into(),
            place: crate::tests::place("us-east-1"),
            description: "d [managed by provision]".into(),
            authorization_endpoint: "https://acme.my.salesforce.com/services/oauth2/token".into(),
            client_id: ParameterValue::Plain("3MVGid".into()),
            client_secret: Secret::new("s3cr3t"),
            oauth: DesiredParameters {
                body: vec![DesiredParameter {
                    key: "grant_type".into(),
                    value: ParameterValue::Plain("client_credentials".into()),
                }],
                ..Default::default()
            },
            invocation: DesiredParameters {
                headers: vec![
                    DesiredParameter {
                        key: "A".into(),
                        value: ParameterValue::Plain("1".into()),
                    },
                    DesiredParameter {
                        key: "T".into(),
                        value: ParameterValue::Secret(Secret::new("tok")),
                    },
                ],
                ..Default::default()
            },
            kms_key: Some("alias/eb".into()),
            resource_configuration_arn: None,
            token_resource_configuration_arn: None,
            origin: Location::file(std::path::Path::new("x.yaml")),
        }
    }

    fn plan(live: Option<LiveConnection>, secret: SecretStatus, options: PlanOptions) -> Entry {
        plan_connection(desired(), live, secret, &options)
            .entry()
            .clone()
    }

    fn live_matching() -> LiveConnection {
        LiveConnection {
            name: "sf".into(),
            state: ConnectionState::Authorized,
            description: Some("d [managed by provision]".into()),
            authorization_type: Some(AUTHORIZATION_TYPE.into()),
            authorization_endpoint: Some(
                "https://acme.my.salesforce.com/services/oauth2/token".into(),
            ),
            http_method: Some("POST".into()),
            client_id: Some("3MVGid".into()),
            oauth: LiveParameters {
                body: vec![LiveParameter {
                    key: "grant_type".into(),
                    value: Some("client_credentials".into()),
                    is_secret: false,
                }],
                ..Default::default()
            },
            invocation: LiveParameters {
                // Order differs from the YAML: still in sync.
                headers: vec![
                    LiveParameter {
                        key: "T".into(),
                        value: None,
                        is_secret: true,
                    },
                    LiveParameter {
                        key: "A".into(),
                        value: Some("1".into()),
                        is_secret: false,
                    },
                ],
                ..Default::default()
            },
            kms_key: Some("arn:aws:kms:us-east-1:111111111111:alias/eb".into()),
            ..Default::default()
        }
    }

    #[test]
    fn matching_live_state_is_in_sync() {
        let entry = plan(
            Some(live_matching().clone()),
            SecretStatus::InSync,
            PlanOptions::default(),
        );
        assert_eq!(entry.changes, vec![]);
        assert_eq!(entry.action, Action::InSync);
    }

    #[test]
    fn removed_and_changed_parameters_are_changes() {
        let mut live = live_matching();
        live.invocation.query.push(LiveParameter {
            key: "old".into(),
            value: Some("x".into()),
            is_secret: false,
        });
        live.invocation.headers[1].value = Some("2".into());
        let entry = plan(
            Some(live.clone()),
            SecretStatus::InSync,
            PlanOptions::default(),
        );
        assert_eq!(entry.action, Action::Update);
        assert_eq!(
            entry.changes,
            vec![
                FieldChange {
                    field: "invocation.headers.A".into(),
                    before: Some("2".into()),
                    after: Some("1".into())
                },
                FieldChange {
                    field: "invocation.query.old".into(),
                    before: Some("x".into()),
                    after: None
                },
            ]
        );
    }

    #[test]
    fn a_declared_secret_flipped_to_plain_in_aws_is_shown_as_secret_on_both_sides() {
        let mut live = live_matching();
        live.invocation.headers[0] = LiveParameter {
            key: "T".into(),
            value: Some("visible".into()),
            is_secret: false,
        };
        let changes = field_changes(&desired(), Some(&live));
        assert_eq!(
            changes,
            vec![FieldChange {
                field: "invocation.headers.T".into(),
                // Declared secret: never shown, whatever AWS's flag says.
                before: Some("(secret)".into()),
                after: Some("(secret)".into())
            }]
        );
    }

    #[test]
    fn broken_state_or_changed_secret_needs_an_update() {
        let mut live = live_matching();
        live.state = ConnectionState::Deauthorized;
        let entry = plan(
            Some(live.clone()),
            SecretStatus::InSync,
            PlanOptions::default(),
        );
        assert_eq!(entry.action, Action::Update);
        assert!(entry.health.unwrap().broken);
        let changed = SecretStatus::Changed {
            fields: vec!["clientSecret".into()],
        };
        let entry = plan(
            Some(live_matching().clone()),
            changed,
            PlanOptions::default(),
        );
        assert_eq!(entry.action, Action::Update);
    }

    #[test]
    fn unverifiable_secret_is_a_difference_only_when_strict() {
        let status = SecretStatus::Unverifiable {
            reason: "access denied".into(),
        };
        let lenient = plan(
            Some(live_matching().clone()),
            status.clone(),
            PlanOptions::default(),
        );
        assert_eq!(lenient.action, Action::InSync);
        let strict = plan(
            Some(live_matching().clone()),
            status,
            PlanOptions {
                strict: true,
                ..Default::default()
            },
        );
        assert_eq!(strict.action, Action::Update);
    }

    #[test]
    fn creating_lists_every_declared_field() {
        let entry = plan(None, SecretStatus::NotApplicable, PlanOptions::default());
        assert_eq!(entry.action, Action::Create);
        let fields: Vec<&str> = entry.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "description",
                "tokenUrl",
                "httpMethod",
                "clientId",
                "clientSecret",
                "kmsKey",
                "oauth.body.grant_type",
                "invocation.headers.A",
                "invocation.headers.T"
            ]
        );
        assert!(
            !format!("{entry:?}").contains("tok\""),
            "no secret in the plan"
        );
    }

    #[test]
    fn a_deletion_of_a_connection_in_use_is_planned_as_refused() {
        let arn = "arn:aws:events:us-east-1:1:connection/sf-old/uuid";
        let mut orphan = live_matching().clone();
        orphan.name = "sf-old".into();
        orphan.arn = Some(arn.into());
        let mut steps = vec![plan_orphan(
            orphan.clone(),
            &crate::tests::place("us-east-1"),
        )];
        let listed = vec![
            ("theirs".to_string(), Some(arn.to_string())),
            ("ours-pruned".to_string(), Some(arn.to_string())),
            ("elsewhere".to_string(), Some("arn:other".to_string())),
        ];
        let pruned = std::collections::HashSet::from(["ours-pruned"]);
        refuse_deletions_in_use(&mut steps, &listed, &pruned);
        assert_eq!(steps[0].entry().action, Action::Refused);
        assert_eq!(
            steps[0].entry().error.as_ref().map(Outside::as_str),
            Some("not deleted: API destination(s) theirs still use it")
        );
        assert!(matches!(
            steps[0].change(),
            ConnectionChange::Refused { .. }
        ));

        let mut only_pruned_users = vec![plan_orphan(orphan, &crate::tests::place("us-east-1"))];
        refuse_deletions_in_use(&mut only_pruned_users, &listed[1..], &pruned);
        assert_eq!(only_pruned_users[0].entry().action, Action::Delete);
    }

    #[test]
    fn kms_keys_match_by_alias_id_or_arn() {
        assert!(same_kms_key("arn:aws:kms:us-east-1:1:alias/eb", "alias/eb"));
        assert!(same_kms_key("arn:aws:kms:us-east-1:1:key/1234", "1234"));
        assert!(!same_kms_key(
            "arn:aws:kms:us-east-1:1:alias/other",
            "alias/eb"
        ));
    }
}
