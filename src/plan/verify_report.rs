//! What `verify` found, as plain data: one [`Verified`] per connection and per API
//! destination in each Region, gathered into the [`VerifyReport`] every view renders.
//!
//! It lives beside the plan, below the views and the engine: the engine fills it in
//! ([`crate::engine::verify`], which also holds the constructors that need its own answers),
//! the views only read it. It holds the instance URL on success and Salesforce's `error` and
//! `error_description` otherwise; never a token, never a secret.

use crate::outside::Outside;
use crate::plan::{LeftOut, ResourceKind};
use serde::Serialize;

/// Why a connection failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Failure {
    /// The token endpoint answered without a token (an OAuth error).
    Refused,
    /// No answer within `--call-timeout`.
    Timeout,
    /// The TLS handshake failed.
    Tls,
    /// The connection was refused, or the host could not be found or reached.
    Unreachable,
    /// A secret reference could not be read: no request was sent.
    Secret,
    /// The org does not serve the destination's API version.
    ApiVersion,
    /// The org has no such target (or the Run As user cannot see it).
    NotFound,
    /// The Run As user may not create the target.
    NotCreateable,
    /// Salesforce answered a REST call with another error.
    Rejected,
    /// A declared rule would send a body the target refuses (its `rules` say why).
    Rule,
}

/// One declared rule of an API destination, as `verify` checked it against the target's
/// describe as the Run As user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VerifiedRule {
    pub(crate) name: String,
    /// The event bus's name.
    pub(crate) bus: String,
    /// No error (warnings may remain).
    pub(crate) ok: bool,
    /// What would make Salesforce refuse the events the rule sends, each with its fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<RuleError>,
    /// What works but loses events or hides failures (no dead-letter queue, no retries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<String>,
    /// What could not be checked, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) not_checked: Vec<Outside>,
}

/// One error of a rule: what is wrong (names from the YAML and the describe, as data) and how
/// to fix it (`help` in JSON, as in every document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RuleError {
    pub(crate) error: Outside,
    pub(crate) help: Outside,
}

/// The verification of one connection, or one API destination, in one Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Verified {
    /// What the result is about: a connection or an API destination, named as the plan
    /// names them.
    pub(crate) kind: ResourceKind,
    pub(crate) name: String,
    /// A destination's connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) connection: Option<String>,
    pub(crate) region: String,
    pub(crate) ok: bool,
    /// A destination's target: the Platform Event or object API name, or the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
    /// A destination's API version, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_version: Option<String>,
    /// What was checked and found right, in a few words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) checked: Option<String>,
    /// The fields an event or record must carry (createable, not nillable, not defaulted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) required_fields: Option<Vec<Outside>>,
    /// Salesforce's `instance_url` on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) instance_url: Option<Outside>,
    /// Salesforce's `error`; for a failure without an OAuth answer, what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<Outside>,
    /// Salesforce's `error_description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_description: Option<Outside>,
    /// What to do about it (`help` in JSON, as in every document).
    #[serde(rename = "help", skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<Failure>,
    /// The token endpoint's (or the REST call's) HTTP status, when it answered an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_status: Option<u16>,
    /// A destination's warnings (they fail the run only with `--strict`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) warnings: Option<Vec<String>>,
    /// What could not be checked, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) not_checked: Vec<String>,
    /// `--publish-test`: the id Salesforce gave the published event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enqueued_id: Option<Outside>,
    /// An API destination's declared rules, as checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) rules: Vec<VerifiedRule>,
}

impl Verified {
    /// A connection's result, failed until its token is granted.
    pub(crate) fn new(name: &str, region: &str) -> Self {
        Verified {
            kind: ResourceKind::Connection,
            name: name.to_string(),
            connection: None,
            region: region.to_string(),
            ok: false,
            target: None,
            api_version: None,
            checked: None,
            required_fields: None,
            instance_url: None,
            error: None,
            error_description: None,
            hint: None,
            failure: None,
            http_status: None,
            warnings: None,
            not_checked: Vec::new(),
            enqueued_id: None,
            rules: Vec::new(),
        }
    }

    pub(crate) fn has_warnings(&self) -> bool {
        self.warnings.as_ref().is_some_and(|w| !w.is_empty())
            || self.rules.iter().any(|rule| !rule.warnings.is_empty())
    }
}

/// Everything `verify` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifyReport {
    pub(crate) regions: Vec<String>,
    pub(crate) left_out: Vec<LeftOut>,
    pub(crate) results: Vec<Verified>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct VerifySummary {
    pub(crate) ok: usize,
    pub(crate) failed: usize,
    /// Of the ok results, those with warnings.
    pub(crate) warnings: usize,
}

impl VerifyReport {
    pub(crate) fn summary(&self) -> VerifySummary {
        let ok = self.results.iter().filter(|r| r.ok).count();
        VerifySummary {
            ok,
            failed: self.results.len() - ok,
            warnings: self
                .results
                .iter()
                .filter(|r| r.ok && r.has_warnings())
                .count(),
        }
    }

    /// True when a destination was checked (not only tokens).
    pub(crate) fn has_destinations(&self) -> bool {
        self.results
            .iter()
            .any(|r| r.kind == ResourceKind::ApiDestination)
    }
}
