//! The plan: plain data saying, per connection, what `apply` would do and why.
//!
//! [`compute`] builds it from desired and live state without I/O; `diff` renders it as text or
//! JSON from this one model, and `apply` executes it. It never holds a secret value: secret
//! fields appear as `(secret)`.

pub mod compute;
pub mod managed_secret;
pub mod render_json;
pub mod render_text;

use serde::Serialize;

/// The version of the JSON output format. Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    InSync,
    Delete,
    /// The connection could not be planned (a secret could not be read, AWS refused a read).
    Error,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::InSync => "in sync",
            Action::Delete => "delete",
            Action::Error => "error",
        }
    }
}

/// One field that differs. Values are as shown to users: secrets are `(secret)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What the client secret (and secret parameter values) look like against the
/// EventBridge-managed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SecretStatus {
    InSync,
    /// The managed secret differs from the declared value in these fields.
    Changed {
        fields: Vec<String>,
    },
    /// It could not be compared; `reason` says why (access denied, no managed secret, ...).
    Unverifiable {
        reason: String,
    },
    /// Nothing to compare with: the connection does not exist yet.
    NotApplicable,
}

/// The connection's state in AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub state: String,
    pub reason: Option<String>,
    /// `DEAUTHORIZED` or `FAILED_CONNECTIVITY`: a difference that `apply` heals.
    pub broken: bool,
    /// For a broken connection: what to check in Salesforce (or the network) if re-sending
    /// the credentials does not heal it.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    pub action: Action,
    pub changes: Vec<FieldChange>,
    pub secret: SecretStatus,
    pub health: Option<Health>,
    /// Why the connection could not be planned, with the file and field at fault.
    pub error: Option<String>,
}

impl Entry {
    pub fn failed(name: impl Into<String>, error: impl Into<String>) -> Self {
        Entry {
            name: name.into(),
            action: Action::Error,
            changes: Vec::new(),
            secret: SecretStatus::NotApplicable,
            health: None,
            error: Some(error.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub region: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub in_sync: usize,
    pub delete: usize,
    pub error: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for entry in &self.entries {
            match entry.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::InSync => summary.in_sync += 1,
                Action::Delete => summary.delete += 1,
                Action::Error => summary.error += 1,
            }
        }
        summary
    }

    /// True when `apply` would change something.
    pub fn has_differences(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e.action, Action::Create | Action::Update | Action::Delete))
    }

    pub fn has_errors(&self) -> bool {
        self.entries.iter().any(|e| e.action == Action::Error)
    }
}

/// What `apply` did with one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Created,
    Updated,
    Deleted,
    Unchanged,
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Deleted => "deleted",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyResult {
    pub name: String,
    pub outcome: Outcome,
    /// The state the connection settled in (or was last seen in).
    pub state: Option<String>,
    pub state_reason: Option<String>,
    /// Why it failed, and what to do about it.
    pub error: Option<String>,
    pub hint: Option<String>,
    /// Fields that still differ after the write (AWS did not take them).
    pub not_taken: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ApplySummary {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub failed: usize,
}

pub fn apply_summary(results: &[ApplyResult]) -> ApplySummary {
    let mut summary = ApplySummary::default();
    for result in results {
        match result.outcome {
            Outcome::Created => summary.created += 1,
            Outcome::Updated => summary.updated += 1,
            Outcome::Deleted => summary.deleted += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Failed => summary.failed += 1,
        }
    }
    summary
}
