//! What AWS has for one connection, as plain data read from `DescribeConnection`.
//!
//! AWS never returns the client secret or the values of secret parameters: those are `None`
//! here, and their drift is judged from the EventBridge-managed secret instead.

/// States in which a connection works: public endpoints settle in `AUTHORIZED`, private ones
/// in `ACTIVE`.
pub const HEALTHY_STATES: &[&str] = &["AUTHORIZED", "ACTIVE"];
/// States that mean the connection is broken and must be re-authorized.
pub const BROKEN_STATES: &[&str] = &["DEAUTHORIZED", "FAILED_CONNECTIVITY"];
/// States that are on their way somewhere else.
pub const TRANSITIONAL_STATES: &[&str] = &[
    "CREATING",
    "UPDATING",
    "DELETING",
    "AUTHORIZING",
    "DEAUTHORIZING",
];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveConnection {
    pub name: String,
    pub arn: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    pub description: Option<String>,
    pub authorization_type: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub http_method: Option<String>,
    pub client_id: Option<String>,
    pub oauth: LiveParameters,
    pub invocation: LiveParameters,
    pub kms_key: Option<String>,
    pub resource_configuration_arn: Option<String>,
    /// The EventBridge-managed secret holding the credentials.
    pub secret_arn: Option<String>,
}

impl LiveConnection {
    pub fn is_healthy(&self) -> bool {
        HEALTHY_STATES.contains(&self.state.as_str())
    }

    pub fn is_broken(&self) -> bool {
        BROKEN_STATES.contains(&self.state.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveParameters {
    pub headers: Vec<LiveParameter>,
    pub query: Vec<LiveParameter>,
    pub body: Vec<LiveParameter>,
}

impl LiveParameters {
    pub fn list(&self, name: &str) -> &[LiveParameter] {
        match name {
            "headers" => &self.headers,
            "query" => &self.query,
            _ => &self.body,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiveParameter {
    pub key: String,
    /// `None` when AWS hides it (secret values).
    pub value: Option<String>,
    pub is_secret: bool,
}

/// A connection as `ListConnections` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionSummary {
    pub name: String,
    pub state: String,
    pub state_reason: Option<String>,
}
