//! Salesforce's staged credentials for an External Client App (Connect REST API "OAuth Staged
//! Credentials", 65.0): stage a new key and secret beside the primary, read it, make it the
//! primary, or delete it. `rotate-credentials` is built on these four calls.
//!
//! The stored documentation names the resources and what each does, but shows neither the
//! request nor the response bodies. Every shape this module assumes is here and nowhere else,
//! and each is written down, with what it rests on, in docs/aws-behaviour.md ("Staged
//! credentials"); the local org (scripts/fake_salesforce.py) answers the same way. The key and
//! secret read are [`Secret`]s, and every answer is remembered for redaction before any of it
//! can be shown.

use super::connect::{Connect, ConnectError, Consumer, Credentials, Step};
use crate::secret::Secret;
use reqwest::Method;
use serde_json::Value;

/// The staged-credential resources exist from API 65.0 (Winter '26).
pub(crate) const STAGED_API_VERSION: &str = "65.0";

/// A staged credential: its id (the last path segment of its resource) and its key and secret.
#[derive(Clone)]
pub(crate) struct Staged {
    pub(crate) id: String,
    pub(crate) credentials: Credentials,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged").field("id", &self.id).finish()
    }
}

/// `{...}/staged`.
fn staged_path(consumer: &Consumer) -> String {
    format!("{}/staged", consumer.path())
}

/// `{...}/staged/{id}`.
fn one_path(consumer: &Consumer, id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{}/{id}", staged_path(consumer))
}

/// One staged credential in an answer: `{"id", "key", "secret"}` (assumed: the primary's read
/// names its values `key` and `secret`, and a staged credential is addressed by an `id`).
fn parse_one(step: Step, item: &Value) -> Result<Staged, ConnectError> {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
    };
    let unexpected = |what: &str| ConnectError::Unexpected {
        step,
        detail: format!("the staged credential in the answer has no `{what}`"),
    };
    let id = text("id").ok_or_else(|| unexpected("id"))?.to_string();
    let key = text("key").ok_or_else(|| unexpected("key"))?;
    let Some(secret) = text("secret") else {
        return Err(ConnectError::SettingOff);
    };
    Ok(Staged {
        id,
        credentials: Credentials {
            key: Secret::new(key),
            secret: Secret::new(secret),
        },
    })
}

/// The answer of `GET .../staged?part=keyandsecret`: `{"stagedCredentials": [...]}` (assumed),
/// at most one of which is used (the first).
fn parse_listing(body: &Value) -> Result<Option<Staged>, ConnectError> {
    let Some(items) = body.get("stagedCredentials").and_then(Value::as_array) else {
        return Err(ConnectError::Unexpected {
            step: Step::ReadStaged,
            detail: "the answer has no `stagedCredentials` list".to_string(),
        });
    };
    items
        .first()
        .map(|item| parse_one(Step::ReadStaged, item))
        .transpose()
}

impl Connect {
    /// The consumer's staged credential, if it has one.
    pub(crate) async fn staged(&self, consumer: &Consumer) -> Result<Option<Staged>, ConnectError> {
        let body = self
            .call(
                Method::GET,
                STAGED_API_VERSION,
                Step::ReadStaged,
                &staged_path(consumer),
                &[("part", "keyandsecret".to_string())],
            )
            .await?;
        crate::secret::remember_answer(&body);
        parse_listing(&body)
    }

    /// Stages a new credential (Salesforce makes the key and secret): `POST .../staged`, whose
    /// answer is the new credential.
    pub(crate) async fn stage(&self, consumer: &Consumer) -> Result<Staged, ConnectError> {
        let body = self
            .call(
                Method::POST,
                STAGED_API_VERSION,
                Step::Stage,
                &staged_path(consumer),
                &[],
            )
            .await?;
        crate::secret::remember_answer(&body);
        parse_one(Step::Stage, &body)
    }

    /// Replaces the primary credential with the staged one: `PATCH .../staged/{id}`. The old
    /// primary stops getting tokens.
    pub(crate) async fn promote(&self, consumer: &Consumer, id: &str) -> Result<(), ConnectError> {
        let body = self
            .call(
                Method::PATCH,
                STAGED_API_VERSION,
                Step::Promote,
                &one_path(consumer, id),
                &[],
            )
            .await?;
        crate::secret::remember_answer(&body);
        Ok(())
    }

    /// Deletes the staged credential: `DELETE .../staged/{id}`.
    pub(crate) async fn delete_staged(
        &self,
        consumer: &Consumer,
        id: &str,
    ) -> Result<(), ConnectError> {
        self.call(
            Method::DELETE,
            STAGED_API_VERSION,
            Step::DeleteStaged,
            &one_path(consumer, id),
            &[],
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listing_gives_the_first_staged_credential_or_none() {
        let none = parse_listing(&json!({"stagedCredentials": []})).unwrap();
        assert!(none.is_none());
        let one = parse_listing(&json!({"stagedCredentials": [
            {"id": "0Sc1", "key": "3MVG9new", "secret": "abc"}
        ]}))
        .unwrap()
        .unwrap();
        assert_eq!(one.id, "0Sc1");
        assert_eq!(one.credentials.key.expose(), "3MVG9new");
        assert_eq!(one.credentials.secret.expose(), "abc");
        assert!(matches!(
            parse_listing(&json!({"items": []})),
            Err(ConnectError::Unexpected { .. })
        ));
    }

    #[test]
    fn a_staged_credential_without_its_secret_is_the_org_setting_being_off() {
        assert!(matches!(
            parse_one(Step::Stage, &json!({"id": "0Sc1", "key": "3MVG9new"})),
            Err(ConnectError::SettingOff)
        ));
        assert!(matches!(
            parse_one(Step::Stage, &json!({"key": "3MVG9new", "secret": "s"})),
            Err(ConnectError::Unexpected { .. })
        ));
    }

    #[test]
    fn a_debug_print_names_only_the_id() {
        let staged = parse_one(
            Step::Stage,
            &json!({"id": "0Sc1", "key": "3MVG9new", "secret": "topsecret"}),
        )
        .unwrap();
        let printed = format!("{staged:?}");
        assert!(!printed.contains("topsecret") && !printed.contains("3MVG9new"));
    }
}
