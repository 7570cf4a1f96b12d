//! The desired state of one connection: the spec with every reference resolved.
//!
//! This is exactly what `apply` sends to EventBridge. Secret values stay in [`Secret`]s; the
//! rest is plain data that the plan compares with what AWS has.

use crate::error::Location;
use crate::secret::Secret;
use crate::spec::token_url::TOKEN_PATH;

pub const HTTP_METHOD: &str = "POST";
pub const GRANT_TYPE: (&str, &str) = ("grant_type", "client_credentials");
pub const AUTHORIZATION_TYPE: &str = "OAUTH_CLIENT_CREDENTIALS";

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredConnection {
    pub name: String,
    /// The description as stored in AWS, ownership marker included.
    pub description: String,
    pub authorization_endpoint: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Token request parameters; the body always starts with `grant_type=client_credentials`.
    pub oauth: DesiredParameters,
    pub invocation: DesiredParameters,
    pub kms_key: Option<String>,
    pub resource_configuration_arn: Option<String>,
    /// Where the connection is declared, for messages.
    pub origin: Location,
}

impl DesiredConnection {
    /// Private connections settle in `ACTIVE`, public ones in `AUTHORIZED`.
    pub fn is_private(&self) -> bool {
        self.resource_configuration_arn.is_some()
    }

    pub fn token_path_is_standard(&self) -> bool {
        self.authorization_endpoint.ends_with(TOKEN_PATH)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DesiredParameters {
    pub headers: Vec<DesiredParameter>,
    pub query: Vec<DesiredParameter>,
    pub body: Vec<DesiredParameter>,
}

impl DesiredParameters {
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.query.is_empty() && self.body.is_empty()
    }

    /// The three lists with the names users write in YAML (`headers`, `query`, `body`).
    pub fn lists(&self) -> [(&'static str, &[DesiredParameter]); 3] {
        [
            ("headers", &self.headers),
            ("query", &self.query),
            ("body", &self.body),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredParameter {
    pub key: String,
    pub value: ParameterValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParameterValue {
    Plain(String),
    Secret(Secret),
}

impl ParameterValue {
    pub fn is_secret(&self) -> bool {
        matches!(self, ParameterValue::Secret(_))
    }

    /// The value as sent to AWS.
    pub fn expose(&self) -> &str {
        match self {
            ParameterValue::Plain(text) => text,
            ParameterValue::Secret(secret) => secret.expose(),
        }
    }

    /// The value as shown to users.
    pub fn shown(&self) -> String {
        match self {
            ParameterValue::Plain(text) => text.clone(),
            ParameterValue::Secret(_) => crate::secret::SHOWN_AS.to_string(),
        }
    }
}
