//! Tries the token request as EventBridge would, before new credentials replace working ones.
//!
//! Sends `grant_type=client_credentials` with the client id and secret and the declared OAuth
//! parameters to the token endpoint. Only Salesforce's `error` and `error_description` are
//! reported back, never the request or a token.

use crate::desired::DesiredConnection;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VerifyError {
    /// The endpoint answered with an OAuth error.
    Refused { status: u16, error: String },
    /// The endpoint could not be reached or answered something else.
    Unreachable(String),
}

impl VerifyError {
    pub(crate) fn describe(&self) -> String {
        match self {
            VerifyError::Refused { status, error } => format!("HTTP {status}: {error}"),
            VerifyError::Unreachable(message) => message.clone(),
        }
    }
}

/// Asks the token endpoint for a token with the desired credentials.
pub(crate) async fn verify_credentials(desired: &DesiredConnection) -> Result<(), VerifyError> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| {
            VerifyError::Unreachable(format!("cannot build an HTTP client: {error}"))
        })?;
    let mut form: Vec<(&str, &str)> = desired
        .oauth
        .body
        .iter()
        .map(|p| (p.key.as_str(), p.value.expose()))
        .collect();
    form.push(("client_id", desired.client_id.expose()));
    form.push(("client_secret", desired.client_secret.expose()));
    let query: Vec<(&str, &str)> = desired
        .oauth
        .query
        .iter()
        .map(|p| (p.key.as_str(), p.value.expose()))
        .collect();
    let mut request = client
        .post(&desired.authorization_endpoint)
        .query(&query)
        .form(&form);
    for header in &desired.oauth.headers {
        request = request.header(header.key.as_str(), header.value.expose());
    }
    let response = request.send().await.map_err(|error| {
        // reqwest's error text names the URL, never the body.
        VerifyError::Unreachable(format!(
            "cannot reach {}: {}",
            desired.authorization_endpoint,
            error.without_url()
        ))
    })?;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    if (200..300).contains(&status)
        && body
            .get("access_token")
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.is_empty())
    {
        return Ok(());
    }
    let field = |name: &str| {
        body.get(name)
            .and_then(|v| v.as_str())
            .map(|s| s.chars().take(200).collect::<String>())
    };
    let error = match (field("error"), field("error_description")) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error,
        _ if (200..300).contains(&status) => "the response has no access_token".to_string(),
        _ => "no OAuth error in the response".to_string(),
    };
    Err(VerifyError::Refused { status, error })
}
