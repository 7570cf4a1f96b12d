//! Salesforce's staged credentials for an External Client App (Connect REST API 65.0, "OAuth
//! Staged Credentials" and "OAuth Staged Credentials ID"): stage a new key and secret beside
//! the primary, read what occupies the consumer's staged slot, make a staged credential the
//! primary, or delete what occupies the slot. `rotate-credentials` is built on these four calls.
//!
//! Every assumption about the API is in this module and nowhere else, each with its source:
//! the Connect REST reference (confirmed), or the two public tools that call the real API
//! (sfdx-hardis' `hardis:org:ext-client-app:rotate-credentials` and Infisical's Salesforce
//! rotation) where the reference is silent. docs/aws-behaviour.md ("Staged credentials") lists
//! them the same way. The key and secret read are [`Secret`]s, and every answer is remembered
//! for redaction before any of it can be shown.

use super::connect::{Call, Connect, ConnectError, Consumer, Credentials, Step};
use crate::secret::Secret;
use reqwest::Method;
use serde_json::Value;

/// The staged-credential resources exist from API 65.0 (Connect REST reference, "OAuth Staged
/// Credentials": "Available in version 65.0").
pub(crate) const STAGED_API_VERSION: &str = "65.0";

/// What POST sends: the resource takes no body or parameters (Connect REST reference), but a
/// public caller saw the socket reset on a POST with no body at all, so both send `{}`.
const STAGE_BODY: &str = "{}";

/// What PATCH sends to promote: a "Staged Credentials Input" whose `command` is `rotate` (both
/// public callers; the reference names the input but the stored page shows no values).
const ROTATE_BODY: &str = r#"{"command":"rotate"}"#;

/// The longest `expirationDate` or state kept from an answer (it is shown to people).
const SHOWN_CHARS: usize = 40;

/// An entry's `state` ("App Oauth Staged Credentials" in the reference: `Active`, `Expired` or
/// `Rotated`). What each means comes from the public callers and the lifecycle they describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StagedState {
    /// A new credential, not yet primary. It already gets tokens like the primary; deleting it
    /// cancels the staging.
    Active,
    /// A staged credential 30 days old: it gets no tokens and still occupies the slot.
    Expired,
    /// The FORMER primary, after a rotate command: it keeps getting tokens until it is deleted
    /// (which revokes it at once) or about 30 days pass.
    Rotated,
}

impl StagedState {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "Active" => Some(StagedState::Active),
            "Expired" => Some(StagedState::Expired),
            "Rotated" => Some(StagedState::Rotated),
            _ => None,
        }
    }
}

/// What occupies a consumer's staged slot: its id (the last path segment of its resource), its
/// state, until when it is valid, and its key and secret.
#[derive(Clone)]
pub(crate) struct Staged {
    pub(crate) id: String,
    pub(crate) state: StagedState,
    /// `expirationDate` as Salesforce wrote it (redacted and cut: it is text from outside).
    pub(crate) expires: Option<String>,
    /// The key and secret; `None` when the answer leaves the secret out.
    pub(crate) credentials: Option<Credentials>,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("id", &self.id)
            .field("state", &self.state)
            .field("expires", &self.expires)
            .finish()
    }
}

/// `{...}/staged` (Connect REST reference, "OAuth Staged Credentials").
fn staged_path(consumer: &Consumer) -> String {
    format!("{}/staged", consumer.path())
}

/// `{...}/staged/{id}` (Connect REST reference, "OAuth Staged Credentials ID").
fn one_path(consumer: &Consumer, id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{}/{id}", staged_path(consumer))
}

/// One entry ("App Oauth Staged Credentials": `createdBy`, `createdDate`, `expirationDate`,
/// `id`, `key`, `secret`, `stagedCredentialsUrl`, `state`, `url`; Connect REST reference).
fn parse_one(step: Step, item: &Value) -> Result<Staged, ConnectError> {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
    };
    let unexpected = |detail: String| ConnectError::Unexpected { step, detail };
    let id = text("id")
        .ok_or_else(|| unexpected("the staged credential in the answer has no `id`".into()))?
        .to_string();
    let state = text("state")
        .ok_or_else(|| unexpected("the staged credential in the answer has no `state`".into()))?;
    let state = StagedState::parse(state).ok_or_else(|| {
        unexpected(format!(
            "the staged credential's `state` is {:?}, not Active, Expired or Rotated",
            crate::secret::outside(state, SHOWN_CHARS)
        ))
    })?;
    let credentials = match (text("key"), text("secret")) {
        (Some(key), Some(secret)) => Some(Credentials {
            key: Secret::new(key),
            secret: Secret::new(secret),
        }),
        // Unknown whether a listing carries `secret` (the reference lists the field and no
        // `part` parameter; a POST answer carries it, as Infisical reads it): without it the
        // entry is known by its id and state only.
        (Some(_), None) => None,
        (None, _) if state == StagedState::Expired => None,
        (None, _) => {
            return Err(unexpected(
                "the staged credential in the answer has no `key`".into(),
            ));
        }
    };
    Ok(Staged {
        id,
        state,
        expires: text("expirationDate")
            .filter(|date| date.chars().all(is_date_char))
            .map(|date| crate::secret::outside(date, SHOWN_CHARS)),
        credentials,
    })
}

/// What an `expirationDate` (ISO 8601) is made of: anything else is not shown, as no date.
fn is_date_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+')
}

/// The entries of an "App Oauth Staged Credentials Collection" (`{"stagedCredentials": [...],
/// "url"}`), what GET and POST both answer (Connect REST reference).
fn parse_collection(step: Step, body: &Value) -> Result<Vec<Staged>, ConnectError> {
    let Some(items) = body.get("stagedCredentials").and_then(Value::as_array) else {
        return Err(ConnectError::Unexpected {
            step,
            detail: "the answer has no `stagedCredentials` list".to_string(),
        });
    };
    items.iter().map(|item| parse_one(step, item)).collect()
}

/// What occupies the slot, from GET's collection. One staged slot per consumer (both public
/// callers: a POST is refused while it is occupied), so more than one entry is not guessed at.
fn parse_slot(body: &Value) -> Result<Option<Staged>, ConnectError> {
    let mut entries = parse_collection(Step::ReadStaged, body)?;
    if entries.len() > 1 {
        return Err(ConnectError::Unexpected {
            step: Step::ReadStaged,
            detail: format!(
                "Salesforce lists {} staged credentials for one consumer, which has one staged slot; delete the ones not wanted in Setup, then run it again",
                entries.len()
            ),
        });
    }
    Ok(entries.pop())
}

/// The credential a POST created: the `Active` entry of its collection.
fn parse_created(body: &Value) -> Result<Staged, ConnectError> {
    parse_collection(Step::Stage, body)?
        .into_iter()
        .find(|entry| entry.state == StagedState::Active && entry.credentials.is_some())
        .ok_or_else(|| ConnectError::Unexpected {
            step: Step::Stage,
            detail: "the answer lists no Active staged credential".to_string(),
        })
}

impl Connect {
    /// The path of one slot entry (`/services/data/v65.0/apps/oauth/credentials/.../staged/{id}`,
    /// each id percent-encoded), for a person to DELETE it.
    pub(crate) fn staged_url(&self, consumer: &Consumer, id: &str) -> String {
        format!(
            "/services/data/v{STAGED_API_VERSION}/apps/oauth/{}",
            one_path(consumer, id)
        )
    }

    /// What occupies the consumer's staged slot, if anything: `GET .../staged?part=keyandsecret`
    /// (the secret is left out without `part`, as for the primary's read; public callers). A
    /// 404 is an empty slot: a public caller reports it when nothing is staged.
    pub(crate) async fn staged(&self, consumer: &Consumer) -> Result<Option<Staged>, ConnectError> {
        let call = Call {
            method: Method::GET,
            version: STAGED_API_VERSION,
            step: Step::ReadStaged,
            body: None,
        };
        let query = [("part", "keyandsecret".to_string())];
        let body = match self.call(call, &staged_path(consumer), &query).await {
            Ok(body) => body,
            Err(ConnectError::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        crate::secret::remember_answer(&body);
        parse_slot(&body)
    }

    /// Stages a new credential (Salesforce makes the key and secret): `POST .../staged` with
    /// `{}`, answered by the collection with the new `Active` entry. Refused while the slot is
    /// occupied, by any state.
    pub(crate) async fn stage(&self, consumer: &Consumer) -> Result<Staged, ConnectError> {
        let call = Call {
            method: Method::POST,
            version: STAGED_API_VERSION,
            step: Step::Stage,
            body: Some(STAGE_BODY),
        };
        let body = self.call(call, &staged_path(consumer), &[]).await?;
        crate::secret::remember_answer(&body);
        parse_created(&body)
    }

    /// Makes the `Active` staged credential primary: `PATCH .../staged/{id}` with the rotate
    /// command. The former primary then occupies the slot as `Rotated` and keeps getting
    /// tokens until it is deleted.
    pub(crate) async fn promote(&self, consumer: &Consumer, id: &str) -> Result<(), ConnectError> {
        let call = Call {
            method: Method::PATCH,
            version: STAGED_API_VERSION,
            step: Step::Promote,
            body: Some(ROTATE_BODY),
        };
        let body = self.call(call, &one_path(consumer, id), &[]).await?;
        crate::secret::remember_answer(&body);
        Ok(())
    }

    /// Deletes what occupies the slot: `DELETE .../staged/{id}`, answered 204 (Connect REST
    /// reference). An `Active` entry is cancelled; a `Rotated` one, the previous credential,
    /// stops getting tokens at once.
    pub(crate) async fn delete_staged(
        &self,
        consumer: &Consumer,
        id: &str,
    ) -> Result<(), ConnectError> {
        let call = Call {
            method: Method::DELETE,
            version: STAGED_API_VERSION,
            step: Step::DeleteStaged,
            body: None,
        };
        self.call(call, &one_path(consumer, id), &[])
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An entry as the reference lists its fields.
    fn entry(state: &str) -> Value {
        json!({
            "createdBy": "005xx", "createdDate": "2026-11-01T10:00:00.000Z",
            "expirationDate": "2026-12-01T10:00:00.000Z", "id": "0Sc1",
            "key": "3MVG9new", "secret": "abc", "state": state,
            "stagedCredentialsUrl": "/services/data/v65.0/apps/oauth/credentials/0H4/0Ab/staged",
            "url": "/services/data/v65.0/apps/oauth/credentials/0H4/0Ab/staged/0Sc1"
        })
    }

    #[test]
    fn the_slot_is_empty_or_holds_one_entry_with_its_state_and_expiry() {
        let empty = json!({"stagedCredentials": [], "url": "/staged"});
        assert!(parse_slot(&empty).unwrap().is_none());
        for (text, state) in [
            ("Active", StagedState::Active),
            ("Rotated", StagedState::Rotated),
            ("Expired", StagedState::Expired),
        ] {
            let slot = parse_slot(&json!({"stagedCredentials": [entry(text)], "url": "/s"}))
                .unwrap()
                .unwrap();
            assert_eq!((slot.id.as_str(), slot.state), ("0Sc1", state));
            assert_eq!(slot.expires.as_deref(), Some("2026-12-01T10:00:00.000Z"));
            let credentials = slot.credentials.unwrap();
            assert_eq!(credentials.key.expose(), "3MVG9new");
            assert_eq!(credentials.secret.expose(), "abc");
        }
        assert!(matches!(
            parse_slot(&json!({"items": []})),
            Err(ConnectError::Unexpected { .. })
        ));
        let two = json!({"stagedCredentials": [entry("Active"), entry("Rotated")]});
        assert!(matches!(
            parse_slot(&two),
            Err(ConnectError::Unexpected { detail, .. }) if detail.contains("one staged slot")
        ));
    }

    #[test]
    fn an_unknown_state_is_named_not_guessed() {
        let odd = json!({"stagedCredentials": [entry("Pending")]});
        assert!(matches!(
            parse_slot(&odd),
            Err(ConnectError::Unexpected { detail, .. }) if detail.contains("\"Pending\"")
        ));
        let hostile = json!({"stagedCredentials": [entry("\u{1b}]0;x\u{7}")]});
        assert!(matches!(
            parse_slot(&hostile),
            Err(ConnectError::Unexpected { detail, .. }) if !detail.contains('\u{1b}')
        ));
        let mut odd_date = entry("Rotated");
        odd_date["expirationDate"] = json!("2026-12-01\u{1b}[2J");
        let slot = parse_slot(&json!({"stagedCredentials": [odd_date]}))
            .unwrap()
            .unwrap();
        assert_eq!(slot.expires, None, "text that is no date is not shown");
    }

    #[test]
    fn a_post_answers_the_collection_and_the_new_credential_is_its_active_entry() {
        let created =
            parse_created(&json!({"stagedCredentials": [entry("Active")], "url": "/s"})).unwrap();
        assert_eq!(created.state, StagedState::Active);
        // A bare credential (what the module assumed before) is not the documented answer.
        assert!(matches!(
            parse_created(&entry("Active")),
            Err(ConnectError::Unexpected { .. })
        ));
        assert!(matches!(
            parse_created(&json!({"stagedCredentials": [entry("Rotated")]})),
            Err(ConnectError::Unexpected { .. })
        ));
    }

    #[test]
    fn an_entry_listed_without_its_secret_is_known_by_id_and_state_only() {
        let mut active = entry("Active");
        active.as_object_mut().unwrap().remove("secret");
        let listed = parse_one(Step::ReadStaged, &active).unwrap();
        assert!(listed.credentials.is_none());
        assert_eq!(
            (listed.id.as_str(), listed.state),
            ("0Sc1", StagedState::Active)
        );
        // A POST answer without it names no credential to carry.
        assert!(matches!(
            parse_created(&json!({"stagedCredentials": [active]})),
            Err(ConnectError::Unexpected { .. })
        ));
        let mut expired = entry("Expired");
        let fields = expired.as_object_mut().unwrap();
        fields.remove("secret");
        fields.remove("key");
        assert!(
            parse_one(Step::ReadStaged, &expired)
                .unwrap()
                .credentials
                .is_none()
        );
        let mut no_id = entry("Active");
        no_id.as_object_mut().unwrap().remove("id");
        assert!(matches!(
            parse_one(Step::Stage, &no_id),
            Err(ConnectError::Unexpected { .. })
        ));
    }

    #[test]
    fn a_debug_print_names_no_key_or_secret() {
        let staged = parse_one(Step::Stage, &entry("Active")).unwrap();
        let printed = format!("{staged:?}");
        assert!(printed.contains("0Sc1") && printed.contains("Active"));
        assert!(!printed.contains("abc") && !printed.contains("3MVG9new"));
    }

    #[test]
    fn the_bodies_are_the_documented_ones() {
        assert_eq!(STAGE_BODY, "{}");
        let rotate: Value = serde_json::from_str(ROTATE_BODY).unwrap();
        assert_eq!(rotate, json!({"command": "rotate"}));
    }
}
