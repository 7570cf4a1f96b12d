//! Detects a client secret changed behind the tool's back.
//!
//! EventBridge keeps a connection's credentials in a managed secret (`SecretArn`). In AWS's
//! layout for OAuth it is JSON with `client_id`, `client_secret`, `authorization_endpoint` and
//! `http_method`, plus the HTTP parameter lists. Comparing it with the declared values is the
//! only way to see a rotated or hand-edited secret, since `DescribeConnection` never returns it.
//! Pure: the caller reads the secret; nothing here prints a value.

use super::SecretStatus;
use crate::desired::DesiredConnection;
use crate::parameters::{Block, ListKind};
use crate::secret::Secret;
use serde_json::Value;

/// Compares the declared secrets with the managed secret's JSON.
pub(crate) fn compare(desired: &DesiredConnection, managed: &Secret) -> SecretStatus {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(managed.expose()) else {
        return unverifiable("the connection's managed secret is not the JSON object AWS writes");
    };
    let Some(Value::String(client_secret)) = fields.get("client_secret") else {
        return unverifiable("the connection's managed secret has no `client_secret` field");
    };
    let mut changed = Vec::new();
    if !desired.client_secret.matches(client_secret) {
        changed.push("clientSecret".to_string());
    }
    let mut missing = Vec::new();
    for (block, parameters) in [
        (Block::OAuth, &desired.oauth),
        (Block::Invocation, &desired.invocation),
    ] {
        for (list, declared) in parameters.lists() {
            for parameter in declared.iter().filter(|p| p.value.is_secret()) {
                let field = block.field(list, &parameter.key);
                let stored = stored_values(&fields, block, list, &parameter.key);
                if stored.is_empty() {
                    missing.push(field);
                } else if stored
                    .iter()
                    .any(|value| *value != Some(parameter.value.expose()))
                {
                    // Every copy must hold the declared value: a second entry with the same
                    // key is drift too, whichever comes first.
                    changed.push(field);
                }
            }
        }
    }
    if !changed.is_empty() {
        SecretStatus::Changed { fields: changed }
    } else if !missing.is_empty() {
        unverifiable(&format!(
            "the managed secret holds no value for {}",
            missing.join(", ")
        ))
    } else {
        SecretStatus::InSync
    }
}

fn unverifiable(reason: &str) -> SecretStatus {
    SecretStatus::Unverifiable {
        reason: reason.to_string().into(),
    }
}

/// Every value a parameter has in the managed secret (a list of `{key, value}` objects, or a
/// map): `None` for an entry whose value is not a string.
fn stored_values<'a>(
    fields: &'a serde_json::Map<String, Value>,
    block: Block,
    list: ListKind,
    key: &str,
) -> Vec<Option<&'a str>> {
    let Some(stored) = fields
        .get(block.managed_secret_name())
        .and_then(|b| b.get(list.managed_secret_name()))
    else {
        return Vec::new();
    };
    match stored {
        Value::Array(items) => items
            .iter()
            .filter(|item| item.get("key").and_then(Value::as_str) == Some(key))
            .map(|item| item.get("value").and_then(Value::as_str))
            .collect(),
        Value::Object(map) => map.get(key).map(Value::as_str).into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::{DesiredParameter, DesiredParameters, ParameterValue};
    use crate::error::Location;

    fn desired(secret: &str) -> DesiredConnection {
        DesiredConnection {
            name: "sf".into(),
            place: crate::tests::place("us-east-1"),
            description: String::new(),
            authorization_endpoint: "https://acme.my.salesforce.com/services/oauth2/token".into(),
            client_id: ParameterValue::Plain("3MVG".into()),
            client_secret: Secret::new(secret),
            oauth: DesiredParameters::default(),
            invocation: DesiredParameters {
                headers: vec![DesiredParameter {
                    key: "X-Token".into(),
                    value: ParameterValue::Secret(Secret::new("tok")),
                }],
                ..Default::default()
            },
            kms_key: None,
            resource_configuration_arn: None,
            token_resource_configuration_arn: None,
            origin: Location::file(std::path::Path::new("x.yaml")),
        }
    }

    /// The layout recorded from real AWS (`test_connection_secrets[oauth]`).
    fn aws_layout(secret: &str, token: &str) -> Secret {
        Secret::new(
            serde_json::json!({
                "client_id": "3MVG",
                "client_secret": secret,
                "authorization_endpoint": "https://acme.my.salesforce.com/services/oauth2/token",
                "http_method": "POST",
                "invocation_http_parameters": {
                    "header_parameters": [{"key": "X-Token", "value": token, "is_value_secret": true}]
                }
            })
            .to_string(),
        )
    }

    #[test]
    fn same_values_are_in_sync() {
        assert_eq!(
            compare(&desired("s1"), &aws_layout("s1", "tok")),
            SecretStatus::InSync
        );
    }

    #[test]
    fn a_rotated_secret_is_changed() {
        let status = compare(&desired("s1"), &aws_layout("s2", "tok"));
        assert_eq!(
            status,
            SecretStatus::Changed {
                fields: vec!["clientSecret".into()]
            }
        );
        let status = compare(&desired("s1"), &aws_layout("s1", "other"));
        assert_eq!(
            status,
            SecretStatus::Changed {
                fields: vec!["invocation.headers.X-Token".into()]
            }
        );
    }

    #[test]
    fn a_second_entry_with_a_declared_key_is_changed_whichever_comes_first() {
        let with_duplicate = Secret::new(
            serde_json::json!({
                "client_secret": "s1",
                "invocation_http_parameters": {
                    "header_parameters": [
                        {"key": "X-Token", "value": "tok", "is_value_secret": true},
                        {"key": "X-Token", "value": "attacker", "is_value_secret": true}
                    ]
                }
            })
            .to_string(),
        );
        assert_eq!(
            compare(&desired("s1"), &with_duplicate),
            SecretStatus::Changed {
                fields: vec!["invocation.headers.X-Token".into()]
            }
        );
    }

    #[test]
    fn an_unknown_layout_is_unverifiable_not_changed() {
        let moto_like =
            Secret::new(r#"{"client_parameters": {"client_id": "3MVG", "client_secret": "s1"}}"#);
        assert!(matches!(
            compare(&desired("s1"), &moto_like),
            SecretStatus::Unverifiable { .. }
        ));
        assert!(matches!(
            compare(&desired("s1"), &Secret::new("not json")),
            SecretStatus::Unverifiable { .. }
        ));
    }

    #[test]
    fn reasons_never_contain_values() {
        let status = compare(&desired("s1"), &Secret::new(r#"{"client_secret": "s1"}"#));
        let SecretStatus::Unverifiable { reason } = status else {
            panic!("expected unverifiable")
        };
        assert_eq!(
            reason,
            "the managed secret holds no value for invocation.headers.X-Token"
        );
    }
}
