//! What `salesforce-credentials` did, as plain data every view renders: one [`SecretWrite`]
//! per secret written in a Region (or per document that failed before any write), and the
//! documents of another org, left out. Only names, Regions and version ids: never a key, a
//! secret or a token.

use crate::outside::Outside;
use serde::Serialize;

/// Everything `salesforce-credentials` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredentialsReport {
    pub(crate) results: Vec<SecretWrite>,
    pub(crate) left_out: Vec<OtherOrg>,
}

/// One Secrets Manager secret written with a document's app credentials in one Region, or
/// the document's failure (then without a Region or secret when it failed before any write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretWrite {
    pub(crate) name: String,
    pub(crate) app: String,
    pub(crate) region: Option<String>,
    /// The secret's name or ARN as the YAML gives it.
    pub(crate) secret: Option<Outside>,
    /// As Secrets Manager gave it.
    pub(crate) version_id: Option<Outside>,
    /// The secret did not exist and was created.
    pub(crate) created: bool,
    /// It may quote AWS or Salesforce.
    pub(crate) error: Option<Outside>,
    /// What to do about the error (`help` in JSON, as in every document).
    #[serde(rename = "help")]
    pub(crate) hint: Option<String>,
}

/// A document left out because its org is not the signed-in user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OtherOrg {
    pub(crate) name: String,
    /// It names the org's instance URL, as Salesforce gave it.
    pub(crate) reason: Outside,
}
