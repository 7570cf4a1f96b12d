//! The IAM policy document as IAM reads it: `Version`, and statements with `Sid`, `Effect`,
//! `Action`, `Resource` and `Condition`, a list of one written as its only element. Building a
//! statement sorts and dedups its actions and resources, so printed policies are stable.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Policy {
    pub(crate) version: &'static str,
    pub(crate) statement: Vec<Statement>,
    /// What the run may also need that the policy cannot grant, said beside it (not in it).
    #[serde(skip)]
    pub(crate) notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Statement {
    pub(crate) sid: String,
    pub(crate) effect: &'static str,
    /// Who is allowed: only in a resource-based policy (a queue policy) or a role's trust
    /// policy; an identity policy has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) principal: Option<Principal>,
    #[serde(serialize_with = "one_or_many")]
    pub(crate) action: Vec<&'static str>,
    /// Empty in a trust policy, whose resource is the role itself (IAM User Guide, "IAM JSON
    /// policy elements: Principal", the role trust policy examples).
    #[serde(serialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub(crate) resource: Vec<String>,
    /// Operator -> condition key -> values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) condition: BTreeMap<&'static str, BTreeMap<&'static str, Values>>,
}

/// An AWS service as the principal of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Principal {
    pub(crate) service: &'static str,
}

/// The values of one condition key (one is written as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Values(Vec<String>);

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        one_or_many(&self.0, serializer)
    }
}

/// A list of one is written as its only element, as IAM documents usually are.
fn one_or_many<S: serde::Serializer, T: Serialize>(
    values: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match values {
        [one] => one.serialize(serializer),
        many => many.serialize(serializer),
    }
}

impl Statement {
    pub(super) fn allow(
        sid: impl Into<String>,
        mut action: Vec<&'static str>,
        resource: impl IntoIterator<Item = String>,
    ) -> Self {
        action.sort_unstable();
        action.dedup();
        Statement {
            sid: sid.into(),
            effect: "Allow",
            action,
            resource: resource
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            principal: None,
            condition: BTreeMap::new(),
        }
    }

    /// [`Statement::allow`] for an AWS service (`events.amazonaws.com`), as a queue policy or
    /// a trust policy grants it.
    pub(super) fn allow_service(
        sid: impl Into<String>,
        service: &'static str,
        action: Vec<&'static str>,
        resource: impl IntoIterator<Item = String>,
    ) -> Self {
        Statement {
            principal: Some(Principal { service }),
            ..Statement::allow(sid, action, resource)
        }
    }

    pub(super) fn with_condition(
        mut self,
        operator: &'static str,
        key: &'static str,
        values: impl IntoIterator<Item = String>,
    ) -> Self {
        let values: BTreeSet<String> = values.into_iter().collect();
        self.condition
            .entry(operator)
            .or_default()
            .insert(key, Values(values.into_iter().collect()));
        self
    }
}
