//! Computes the plan for one connection from its desired and live state. Pure: no I/O.
//!
//! Comparison is by meaning, not by bytes, so nothing shows a permanent diff: parameter lists
//! are compared by key regardless of order, an absent `IsValueSecret` is `false`, and a KMS key
//! given as an alias or id matches the ARN AWS may report for it.

use super::{Action, Entry, FieldChange, Health, SecretStatus};
use crate::desired::{
    AUTHORIZATION_TYPE, DesiredConnection, DesiredParameter, DesiredParameters, HTTP_METHOD,
};
use crate::live::{LiveConnection, LiveParameter, LiveParameters};
use crate::secret::SHOWN_AS;

/// How strict the comparison is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Strictness {
    /// Treat an unverifiable client secret as a difference.
    pub strict: bool,
}

/// The plan entry for a declared connection.
pub fn plan_entry(
    desired: &DesiredConnection,
    live: Option<&LiveConnection>,
    secret: SecretStatus,
    strictness: Strictness,
) -> Entry {
    let changes = field_changes(desired, live);
    let Some(live) = live else {
        return Entry {
            name: desired.name.clone(),
            action: Action::Create,
            changes,
            secret: SecretStatus::NotApplicable,
            health: None,
            error: None,
        };
    };
    let broken = live.is_broken();
    let health = Health {
        state: live.state.clone(),
        reason: live.state_reason.clone(),
        broken,
        hint: broken.then(|| crate::hints::for_state(&live.state, live.state_reason.as_deref())),
    };
    let secret_differs = match &secret {
        SecretStatus::Changed { .. } => true,
        SecretStatus::Unverifiable { .. } => strictness.strict,
        SecretStatus::InSync | SecretStatus::NotApplicable => false,
    };
    let action = if !changes.is_empty() || secret_differs || health.broken {
        Action::Update
    } else {
        Action::InSync
    };
    Entry {
        name: desired.name.clone(),
        action,
        changes,
        secret,
        health: Some(health),
        error: None,
    }
}

/// Every field whose live value differs from the desired one (all fields when `live` is None).
pub fn field_changes(
    desired: &DesiredConnection,
    live: Option<&LiveConnection>,
) -> Vec<FieldChange> {
    let empty = LiveConnection::default();
    let exists = live.is_some();
    let live = live.unwrap_or(&empty);
    let mut changes = Vec::new();
    let mut compare = |field: &str, before: Option<&str>, after: Option<&str>| {
        if before != after {
            changes.push(FieldChange {
                field: field.to_string(),
                before: before.map(str::to_string),
                after: after.map(str::to_string),
            });
        }
    };
    if exists {
        compare(
            "authorizationType",
            live.authorization_type.as_deref(),
            Some(AUTHORIZATION_TYPE),
        );
    }
    compare(
        "description",
        live.description.as_deref(),
        Some(&desired.description),
    );
    compare(
        "tokenUrl",
        live.authorization_endpoint.as_deref(),
        Some(&desired.authorization_endpoint),
    );
    compare("httpMethod", live.http_method.as_deref(), Some(HTTP_METHOD));
    compare(
        "clientId",
        live.client_id.as_deref(),
        Some(&desired.client_id),
    );
    let kms_matches = match (&live.kms_key, &desired.kms_key) {
        (Some(live_key), Some(wanted)) => same_kms_key(live_key, wanted),
        (None, None) => true,
        _ => false,
    };
    if !kms_matches {
        compare(
            "kmsKey",
            live.kms_key.as_deref(),
            desired.kms_key.as_deref(),
        );
    }
    compare(
        "privateLink.resourceConfigurationArn",
        live.resource_configuration_arn.as_deref(),
        desired.resource_configuration_arn.as_deref(),
    );
    parameter_changes("oauth", &desired.oauth, &live.oauth, &mut changes);
    parameter_changes(
        "invocation",
        &desired.invocation,
        &live.invocation,
        &mut changes,
    );
    changes
}

fn parameter_changes(
    block: &str,
    desired: &DesiredParameters,
    live: &LiveParameters,
    changes: &mut Vec<FieldChange>,
) {
    for (list_name, wanted) in desired.lists() {
        let present = live.list(list_name);
        for parameter in wanted {
            let field = format!("{block}.{list_name}.{}", parameter.key);
            let found = present.iter().find(|p| p.key == parameter.key);
            let after = Some(parameter.value.shown());
            match found {
                None => changes.push(FieldChange {
                    field,
                    before: None,
                    after,
                }),
                Some(existing) if !same_parameter(existing, parameter) => {
                    changes.push(FieldChange {
                        field,
                        before: Some(shown(existing)),
                        after,
                    });
                }
                Some(_) => {}
            }
        }
        for existing in present {
            if !wanted.iter().any(|p| p.key == existing.key) {
                changes.push(FieldChange {
                    field: format!("{block}.{list_name}.{}", existing.key),
                    before: Some(shown(existing)),
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

/// `alias/x` matches `arn:...:alias/x`, and a key id matches `arn:...:key/<id>`.
fn same_kms_key(live: &str, wanted: &str) -> bool {
    live == wanted || live.ends_with(&format!(":{wanted}")) || live.ends_with(&format!("/{wanted}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::ParameterValue;
    use crate::error::Location;
    use crate::secret::Secret;

    fn desired() -> DesiredConnection {
        DesiredConnection {
            name: "sf".into(),
            description: "d [managed by provision]".into(),
            authorization_endpoint: "https://acme.my.salesforce.com/services/oauth2/token".into(),
            client_id: "3MVGid".into(),
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
            origin: Location::file(std::path::Path::new("x.yaml")),
        }
    }

    fn live_matching() -> LiveConnection {
        LiveConnection {
            name: "sf".into(),
            state: "AUTHORIZED".into(),
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
        let entry = plan_entry(
            &desired(),
            Some(&live_matching()),
            SecretStatus::InSync,
            Strictness::default(),
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
        let entry = plan_entry(
            &desired(),
            Some(&live),
            SecretStatus::InSync,
            Strictness::default(),
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
    fn a_plain_parameter_becoming_secret_shows_secret_not_value() {
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
                before: Some("visible".into()),
                after: Some("(secret)".into())
            }]
        );
    }

    #[test]
    fn broken_state_or_changed_secret_needs_an_update() {
        let mut live = live_matching();
        live.state = "DEAUTHORIZED".into();
        let entry = plan_entry(
            &desired(),
            Some(&live),
            SecretStatus::InSync,
            Strictness::default(),
        );
        assert_eq!(entry.action, Action::Update);
        assert!(entry.health.unwrap().broken);
        let changed = SecretStatus::Changed {
            fields: vec!["clientSecret".into()],
        };
        let entry = plan_entry(
            &desired(),
            Some(&live_matching()),
            changed,
            Strictness::default(),
        );
        assert_eq!(entry.action, Action::Update);
    }

    #[test]
    fn unverifiable_secret_is_a_difference_only_when_strict() {
        let status = SecretStatus::Unverifiable {
            reason: "access denied".into(),
        };
        let lenient = plan_entry(
            &desired(),
            Some(&live_matching()),
            status.clone(),
            Strictness { strict: false },
        );
        assert_eq!(lenient.action, Action::InSync);
        let strict = plan_entry(
            &desired(),
            Some(&live_matching()),
            status,
            Strictness { strict: true },
        );
        assert_eq!(strict.action, Action::Update);
    }

    #[test]
    fn creating_lists_every_declared_field() {
        let entry = plan_entry(
            &desired(),
            None,
            SecretStatus::NotApplicable,
            Strictness::default(),
        );
        assert_eq!(entry.action, Action::Create);
        let fields: Vec<&str> = entry.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "description",
                "tokenUrl",
                "httpMethod",
                "clientId",
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
    fn kms_keys_match_by_alias_id_or_arn() {
        assert!(same_kms_key("arn:aws:kms:us-east-1:1:alias/eb", "alias/eb"));
        assert!(same_kms_key("arn:aws:kms:us-east-1:1:key/1234", "1234"));
        assert!(!same_kms_key(
            "arn:aws:kms:us-east-1:1:alias/other",
            "alias/eb"
        ));
    }
}
