//! Where a resource lives and how a run names it: the vocabulary every layer shares.
//!
//! A [`Place`] is an AWS account and a Region; an [`Address`] is a resource's kind, name and
//! place, the way Terraform's plan carries a resource address and a provider address on every
//! change. Every plan entry, apply result, orphan and left-out connection carries one, so a
//! second account in a run is a second place, not a new field on each of them.
//!
//! A leaf: it imports nothing of the crate.

use serde::{Deserialize, Serialize};

/// Where a resource lives: the account (12 digits, as `sts:GetCallerIdentity` names the
/// caller's) and the Region. In JSON, `account` and `region` beside the other fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Place {
    pub(crate) account: String,
    pub(crate) region: String,
}

impl Place {
    pub(crate) fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Place {
            account: account.into(),
            region: region.into(),
        }
    }
}

/// The kind of AWS resource an entry or result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ResourceKind {
    Connection,
    ApiDestination,
    /// An EventBridge rule with its targets, declared under an API destination.
    Rule,
}

/// How messages name each kind: the one place that differs per kind in what users read.
impl ResourceKind {
    /// Every kind, in the order counts and messages list them: connections first (their counts
    /// are always shown), then the kinds declared on them.
    pub(crate) const ALL: [ResourceKind; 3] = [
        ResourceKind::Connection,
        ResourceKind::ApiDestination,
        ResourceKind::Rule,
    ];

    /// The kind a resource of this kind is declared on (an API destination on its
    /// connection, a rule on the API destination it is first declared under), whose step
    /// `apply` runs first; `None` for a kind declared on its own.
    pub(crate) fn declared_on(self) -> Option<ResourceKind> {
        match self {
            ResourceKind::Connection => None,
            ResourceKind::ApiDestination => Some(ResourceKind::Connection),
            ResourceKind::Rule => Some(ResourceKind::ApiDestination),
        }
    }

    /// The plural noun as a line's counts start with it: "API destinations", "Rules".
    pub(crate) fn heading(self) -> &'static str {
        match self {
            ResourceKind::Connection => "Connections",
            ResourceKind::ApiDestination => "API destinations",
            ResourceKind::Rule => "Rules",
        }
    }

    /// The noun, singular and plural.
    pub(crate) fn nouns(self) -> (&'static str, &'static str) {
        match self {
            ResourceKind::Connection => ("connection", "connections"),
            ResourceKind::ApiDestination => ("API destination", "API destinations"),
            ResourceKind::Rule => ("rule", "rules"),
        }
    }
}

/// A resource's address: its kind, its name and where it lives. `N` is how the name is held:
/// a declared name (`String`), or one as AWS's listing gave it (text from outside). In JSON,
/// `kind`, `name`, `account` and `region` beside the other fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Address<N = String> {
    pub(crate) kind: ResourceKind,
    pub(crate) name: N,
    #[serde(flatten)]
    pub(crate) place: Place,
}

impl<N> Address<N> {
    pub(crate) fn new(kind: ResourceKind, name: impl Into<N>, place: Place) -> Self {
        Address {
            kind,
            name: name.into(),
            place,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_reads_as_flat_fields_with_the_account_beside_the_region() {
        let address: Address = Address::new(
            ResourceKind::ApiDestination,
            "orders",
            Place::new("123456789012", "eu-west-1"),
        );
        assert_eq!(
            serde_json::to_string(&address).unwrap(),
            r#"{"kind":"apiDestination","name":"orders","account":"123456789012","region":"eu-west-1"}"#
        );
        let read: Address =
            serde_json::from_str(&serde_json::to_string(&address).unwrap()).unwrap();
        assert_eq!(read, address);
    }
}
