//! What AWS has for one connection, as plain data read from `DescribeConnection`.
//!
//! AWS never returns the client secret or the values of secret parameters: those are `None`
//! here, and their drift is judged from the EventBridge-managed secret instead.

pub(crate) mod rule;

use crate::outside::Outside;
use crate::parameters::ParameterLists;
use std::fmt;

/// A connection's state as EventBridge reports it. Unknown states (a future API value) are
/// kept with their text so they can still be shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum ConnectionState {
    Creating,
    Updating,
    Deleting,
    Authorizing,
    Authorized,
    Deauthorizing,
    Deauthorized,
    Active,
    FailedConnectivity,
    /// No state was reported.
    #[default]
    Missing,
    Other(Outside),
}

/// What a state means for the tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateClass {
    /// `AUTHORIZED` (public endpoints) or `ACTIVE` (private ones): the connection works.
    Healthy,
    /// `DEAUTHORIZED` or `FAILED_CONNECTIVITY`: broken, re-authorized by re-sending credentials.
    Broken,
    /// On its way somewhere else.
    Transitional,
    /// Not a state the tool knows.
    Unknown,
}

impl ConnectionState {
    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "CREATING" => ConnectionState::Creating,
            "UPDATING" => ConnectionState::Updating,
            "DELETING" => ConnectionState::Deleting,
            "AUTHORIZING" => ConnectionState::Authorizing,
            "AUTHORIZED" => ConnectionState::Authorized,
            "DEAUTHORIZING" => ConnectionState::Deauthorizing,
            "DEAUTHORIZED" => ConnectionState::Deauthorized,
            "ACTIVE" => ConnectionState::Active,
            "FAILED_CONNECTIVITY" => ConnectionState::FailedConnectivity,
            "" => ConnectionState::Missing,
            other => ConnectionState::Other(other.into()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            ConnectionState::Creating => "CREATING",
            ConnectionState::Updating => "UPDATING",
            ConnectionState::Deleting => "DELETING",
            ConnectionState::Authorizing => "AUTHORIZING",
            ConnectionState::Authorized => "AUTHORIZED",
            ConnectionState::Deauthorizing => "DEAUTHORIZING",
            ConnectionState::Deauthorized => "DEAUTHORIZED",
            ConnectionState::Active => "ACTIVE",
            ConnectionState::FailedConnectivity => "FAILED_CONNECTIVITY",
            ConnectionState::Missing => "unknown",
            ConnectionState::Other(text) => text.as_str(),
        }
    }

    pub(crate) fn class(&self) -> StateClass {
        match self {
            ConnectionState::Authorized | ConnectionState::Active => StateClass::Healthy,
            ConnectionState::Deauthorized | ConnectionState::FailedConnectivity => {
                StateClass::Broken
            }
            ConnectionState::Creating
            | ConnectionState::Updating
            | ConnectionState::Deleting
            | ConnectionState::Authorizing
            | ConnectionState::Deauthorizing => StateClass::Transitional,
            ConnectionState::Missing | ConnectionState::Other(_) => StateClass::Unknown,
        }
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.class() == StateClass::Broken
    }
}

/// An unknown state is shown as AWS wrote it, escaped.
impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionState::Other(text) => text.fmt(f),
            known => f.write_str(known.as_str()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ConnectionState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "unknown" => ConnectionState::Missing,
            other => ConnectionState::parse(other),
        })
    }
}

impl serde::Serialize for ConnectionState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct LiveConnection {
    pub(crate) name: String,
    pub(crate) arn: Option<String>,
    pub(crate) state: ConnectionState,
    /// `StateReason`: free text, which may echo the token endpoint's answer.
    pub(crate) state_reason: Option<Outside>,
    pub(crate) description: Option<String>,
    pub(crate) authorization_type: Option<String>,
    pub(crate) authorization_endpoint: Option<String>,
    pub(crate) http_method: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) oauth: LiveParameters,
    pub(crate) invocation: LiveParameters,
    pub(crate) kms_key: Option<String>,
    pub(crate) resource_configuration_arn: Option<String>,
    /// Private connectivity of the token request.
    pub(crate) token_resource_configuration_arn: Option<String>,
    /// The EventBridge-managed secret holding the credentials.
    pub(crate) secret_arn: Option<String>,
    /// `LastModifiedTime` (RFC 3339), when AWS reports it (the emulator does not). A saved
    /// plan records it, with every compared field, to tell that the connection changed.
    pub(crate) last_modified: Option<String>,
}

impl LiveConnection {
    pub(crate) fn is_broken(&self) -> bool {
        self.state.is_broken()
    }
}

pub(crate) type LiveParameters = ParameterLists<LiveParameter>;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveParameter {
    pub(crate) key: String,
    /// `None` when AWS hides it (secret values).
    pub(crate) value: Option<String>,
    pub(crate) is_secret: bool,
}

/// A connection as `ListConnections` shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionSummary {
    pub(crate) name: String,
    pub(crate) state: ConnectionState,
    pub(crate) state_reason: Option<Outside>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state no API version has (a hostile endpoint's) is shown escaped, kept exactly.
    #[test]
    fn an_unknown_state_is_shown_escaped() {
        let state = ConnectionState::parse("WEIRD\n::error::x");
        assert_eq!(state.to_string(), "WEIRD\\n::error::x");
        assert_eq!(state.as_str(), "WEIRD\n::error::x");
    }

    #[test]
    fn states_round_trip_and_classify() {
        for text in [
            "CREATING",
            "UPDATING",
            "DELETING",
            "AUTHORIZING",
            "AUTHORIZED",
            "DEAUTHORIZING",
            "DEAUTHORIZED",
            "ACTIVE",
            "FAILED_CONNECTIVITY",
            "SOMETHING_NEW",
        ] {
            assert_eq!(ConnectionState::parse(text).as_str(), text);
        }
        assert_eq!(
            ConnectionState::parse("ACTIVE").class(),
            StateClass::Healthy
        );
        assert_eq!(
            ConnectionState::parse("FAILED_CONNECTIVITY").class(),
            StateClass::Broken
        );
        assert_eq!(
            ConnectionState::parse("DEAUTHORIZING").class(),
            StateClass::Transitional
        );
        assert_eq!(
            ConnectionState::parse("SOMETHING_NEW").class(),
            StateClass::Unknown
        );
    }
}

/// An API destination as `DescribeApiDestination` shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct LiveDestination {
    pub(crate) name: String,
    pub(crate) arn: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) connection_arn: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) http_method: Option<String>,
    /// `None` when AWS reports none (its default, 300, applies).
    pub(crate) rate_limit_per_second: Option<u32>,
    /// `ACTIVE` or `INACTIVE`.
    pub(crate) state: Option<String>,
}
