//! The desired state of one connection: the spec with every reference resolved.
//!
//! This is exactly what `apply` sends to EventBridge. Secret values stay in [`Secret`]s; the
//! rest is plain data that the plan compares with what AWS has.

use crate::error::Location;
use crate::parameters::ParameterLists;
use crate::place::Place;
use crate::secret::Secret;

pub(crate) const HTTP_METHOD: &str = crate::manifest::destination_rules::HTTP_METHOD;
pub(crate) const GRANT_TYPE: (&str, &str) = ("grant_type", "client_credentials");
pub(crate) const AUTHORIZATION_TYPE: &str = "OAUTH_CLIENT_CREDENTIALS";

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesiredConnection {
    pub(crate) name: String,
    /// The account and Region it is wanted in.
    pub(crate) place: Place,
    /// The description as stored in AWS, ownership marker included.
    pub(crate) description: String,
    pub(crate) authorization_endpoint: String,
    /// A literal consumer key, or one read from a secret reference (then never shown).
    pub(crate) client_id: ParameterValue,
    pub(crate) client_secret: Secret,
    /// Token request parameters; the body always starts with `grant_type=client_credentials`.
    pub(crate) oauth: DesiredParameters,
    pub(crate) invocation: DesiredParameters,
    pub(crate) kms_key: Option<String>,
    /// Private connectivity for the API calls (`InvocationConnectivityParameters`).
    pub(crate) resource_configuration_arn: Option<String>,
    /// Private connectivity for the token request (`AuthParameters.ConnectivityParameters`).
    pub(crate) token_resource_configuration_arn: Option<String>,
    /// Where the connection is declared, for messages.
    pub(crate) origin: Location,
}

pub(crate) type DesiredParameters = ParameterLists<DesiredParameter>;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesiredParameter {
    pub(crate) key: String,
    pub(crate) value: ParameterValue,
}

/// A value as it is sent: written in the YAML (plain), or read from a secret reference.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ParameterValue {
    Plain(String),
    Secret(Secret),
}

impl ParameterValue {
    pub(crate) fn is_secret(&self) -> bool {
        matches!(self, ParameterValue::Secret(_))
    }

    /// The value as sent to AWS.
    pub(crate) fn expose(&self) -> &str {
        match self {
            ParameterValue::Plain(text) => text,
            ParameterValue::Secret(secret) => secret.expose(),
        }
    }

    /// The value as shown to users.
    pub(crate) fn shown(&self) -> String {
        match self {
            ParameterValue::Plain(text) => text.clone(),
            ParameterValue::Secret(_) => crate::secret::SHOWN_AS.to_string(),
        }
    }
}

/// An API destination declared under a connection: where EventBridge sends events in the
/// connection's Salesforce org, with the connection's credentials.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesiredDestination {
    pub(crate) name: String,
    /// The account and Region it is wanted in (its connection's).
    pub(crate) place: Place,
    /// The connection it uses (its name; the ARN is known once the connection exists).
    pub(crate) connection: String,
    /// The description as stored in AWS, ownership marker included.
    pub(crate) description: String,
    /// `https://<My Domain host>/services/data/vNN.N/sobjects/<name>` or a declared path.
    pub(crate) endpoint: String,
    pub(crate) rate_limit_per_second: u32,
    pub(crate) origin: Location,
}

impl DesiredDestination {
    /// The destination declared as `spec` under `connection`, wanted in `place` for `set`.
    pub(crate) fn new(
        spec: &crate::manifest::DestinationSpec,
        connection: &crate::manifest::ConnectionSpec,
        place: &Place,
        set: &crate::ownership::OwnershipSet,
    ) -> Self {
        DesiredDestination {
            name: spec.name.clone(),
            place: place.clone(),
            connection: connection.name.clone(),
            description: set.describe(spec.description.as_deref()),
            endpoint: spec.endpoint(&connection.token_url),
            rate_limit_per_second: spec.rate_limit_per_second,
            origin: spec.origin.clone(),
        }
    }
}

pub(crate) mod rule;
