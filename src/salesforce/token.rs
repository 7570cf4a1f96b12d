//! The token request as EventBridge makes it, as far as that is documented: `provision
//! verify`, and `apply --verify-credentials` before new credentials replace working ones.
//!
//! Sends a form-encoded POST with `grant_type=client_credentials`, the client id and secret and
//! the declared OAuth body, query and header parameters to the token endpoint. EventBridge
//! documents the method, the endpoint and the extra parameters it sends, not whether the client
//! id and secret travel in the body or in an HTTP Basic header; they go in the body here, which
//! is what Salesforce documents for the client-credentials flow (docs/aws-behaviour.md). What comes back
//! is the instance URL on success, or Salesforce's `error` and `error_description`, or why the
//! endpoint could not be asked (a time-out, a TLS failure, a refused or unreachable
//! connection). The access token comes back as a [`Secret`], for `verify`'s REST reads as the
//! Run As user; it is never shown. The answer is read up to [`bounds::TOKEN_BODY_BYTES`]: a
//! larger one is no token answer.

use crate::bounds::{self, BodyError};
use crate::desired::DesiredConnection;
use crate::outside::Outside;
use crate::secret::Secret;
use std::time::Duration;

/// How long the token request may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenLimits {
    /// Establishing the TCP and TLS connection.
    pub(crate) connect: Duration,
    /// The whole request, answer included.
    pub(crate) total: Duration,
    /// The flag that sets `total`, named when it runs out.
    pub(crate) flag: &'static str,
}

impl TokenLimits {
    /// The default limits, held within the limits the user gave (`--connect-timeout`,
    /// `--call-timeout`): the token request never waits longer than a call may.
    pub(crate) fn within(connect: Duration, call: Duration) -> Self {
        let default = TokenLimits::default();
        let total = default.total.min(call);
        TokenLimits {
            connect: default.connect.min(connect).min(total),
            total,
            flag: if call < default.total {
                "--call-timeout"
            } else {
                default.flag
            },
        }
    }
}

impl Default for TokenLimits {
    /// What `apply --verify-credentials` uses.
    fn default() -> Self {
        TokenLimits {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(20),
            flag: "",
        }
    }
}

/// The endpoint granted a token.
#[derive(Debug, Clone)]
pub(crate) struct Granted {
    /// Salesforce's `instance_url`, when the answer has one.
    pub(crate) instance_url: Option<Outside>,
    /// The access token: it acts as the app's Run As user.
    pub(crate) access_token: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VerifyError {
    /// The endpoint answered without a token: an OAuth error (`error`, `error_description`),
    /// or something that is not a token answer.
    Refused {
        status: u16,
        error: Outside,
        description: Option<Outside>,
    },
    /// An answer larger than a token answer may be ([`bounds::TOKEN_BODY_BYTES`]).
    TooLarge { status: u16, limit: usize },
    /// No answer within the limit.
    TimedOut { url: String, limit: String },
    /// The TLS handshake failed (a certificate refused, or not TLS at all).
    Tls { url: String, detail: String },
    /// The connection was refused, or the host could not be found or reached.
    Unreachable { url: String, detail: String },
}

impl VerifyError {
    /// One line saying what went wrong, naming the endpoint where the failure is not an answer.
    pub(crate) fn describe(&self) -> String {
        match self {
            VerifyError::Refused { status, .. } => {
                format!("HTTP {status}: {}", self.oauth_error())
            }
            VerifyError::TooLarge { status, limit } => {
                format!("HTTP {status}: {}", BodyError::too_large(*limit))
            }
            VerifyError::TimedOut { url, limit } => {
                format!("{url} did not answer within {limit}")
            }
            VerifyError::Tls { url, detail } => {
                format!("the TLS handshake with {url} failed: {detail}")
            }
            VerifyError::Unreachable { url, detail } => format!("cannot reach {url}: {detail}"),
        }
    }

    /// Salesforce's `error: error_description`, or the description of any other failure.
    pub(crate) fn oauth_error(&self) -> String {
        match self {
            VerifyError::Refused {
                error,
                description: Some(description),
                ..
            } => format!("{error}: {description}"),
            VerifyError::Refused { error, .. } => error.to_string(),
            other => other.describe(),
        }
    }

    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        match self {
            VerifyError::Refused { .. } => super::hints::for_token_error(&self.oauth_error()),
            VerifyError::TooLarge { .. } => "a token answer is a small JSON object: check that the token URL is the org's My Domain token endpoint (https://<MyDomain>.my.salesforce.com/services/oauth2/token), not a page or a proxy that answers something else".to_string(),
            VerifyError::TimedOut { .. } => "check that this machine can reach the token endpoint (a proxy or firewall may hold the request), or allow more time with --call-timeout".to_string(),
            VerifyError::Tls { .. } => "the token URL must be the org's https My Domain URL, served with a certificate this machine trusts; check the host name and any TLS-intercepting proxy".to_string(),
            VerifyError::Unreachable { .. } => "check the token URL (the My Domain host name) and that this machine can reach it".to_string(),
        }
    }
}

/// Asks the token endpoint for a token with the desired credentials, within `limits`.
pub(crate) async fn request_token(
    desired: &DesiredConnection,
    limits: TokenLimits,
) -> Result<Granted, VerifyError> {
    let url = desired.authorization_endpoint.as_str();
    let client = super::http::client_builder()
        .connect_timeout(limits.connect)
        .timeout(limits.total)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| VerifyError::Unreachable {
            url: url.to_string(),
            detail: format!("cannot build an HTTP client: {}", error.without_url()),
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
    let mut request = client.post(url).query(&query).form(&form);
    for header in &desired.oauth.headers {
        request = request.header(header.key.as_str(), header.value.expose());
    }
    let response = request
        .send()
        .await
        .map_err(|error| transport_error(url, limits, &error))?;
    let status = response.status().as_u16();
    let body = match bounds::read_body(response, bounds::TOKEN_BODY_BYTES).await {
        Ok(body) => body,
        Err(BodyError::Transport(error)) => return Err(transport_error(url, limits, &error)),
        Err(BodyError::TooLarge { limit }) => return Err(VerifyError::TooLarge { status, limit }),
    };
    read_answer(status, &body)
}

/// A success with a token, or the OAuth error of the answer. Pure. The token is returned as a
/// [`Secret`] only.
fn read_answer(status: u16, body: &[u8]) -> Result<Granted, VerifyError> {
    let body: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    // The token, and anything else of a secret's name, is redacted from whatever is shown of
    // this answer (an endpoint may echo the request in its error).
    crate::secret::remember_answer(&body);
    let field = |name: &str| {
        body.get(name)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(|s| Outside::read(s, 300))
    };
    let success = (200..300).contains(&status);
    let token = body
        .get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty());
    if let (true, Some(token)) = (success, token) {
        return Ok(Granted {
            instance_url: field("instance_url"),
            access_token: Secret::new(token),
        });
    }
    let (error, description) = match (field("error"), field("error_description")) {
        (Some(error), description) => (error, description),
        (None, _) if success => ("the answer has no access_token".into(), None),
        (None, _) => ("no OAuth error in the answer".into(), None),
    };
    Err(VerifyError::Refused {
        status,
        error,
        description,
    })
}

/// A time-out, however deep in the error it is said (reqwest's own, or an I/O time-out).
pub(crate) fn is_timeout(error: &reqwest::Error) -> bool {
    error.is_timeout() || chain_has(error, |e| is_io_kind(e, std::io::ErrorKind::TimedOut))
}

/// Classifies a failure to get an answer: a time-out, a TLS failure, or an unreachable endpoint.
fn transport_error(url: &str, limits: TokenLimits, error: &reqwest::Error) -> VerifyError {
    if is_timeout(error) {
        let total = humantime::format_duration(limits.total);
        let limit = if limits.flag.is_empty() {
            total.to_string()
        } else {
            format!("{total} ({})", limits.flag)
        };
        return VerifyError::TimedOut {
            url: url.to_string(),
            limit,
        };
    }
    // reqwest's messages name the URL, never the request body.
    let detail = chain(error);
    if chain_has(error, is_tls) {
        VerifyError::Tls {
            url: url.to_string(),
            detail,
        }
    } else {
        VerifyError::Unreachable {
            url: url.to_string(),
            detail,
        }
    }
}

/// True when `test` holds for `error`, one of its sources, or an error an I/O error carries
/// (an I/O error's `source` skips the error it wraps, so that one is looked at too).
fn chain_has(
    error: &(dyn std::error::Error + 'static),
    test: impl Fn(&(dyn std::error::Error + 'static)) -> bool + Copy,
) -> bool {
    let mut current = Some(error);
    while let Some(next) = current {
        if test(next) {
            return true;
        }
        if let Some(inner) = next
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && chain_has(inner, test)
        {
            return true;
        }
        current = next.source();
    }
    false
}

fn is_io_kind(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == kind)
}

/// A TLS failure: rustls's own error (a refused certificate, an answer that is not TLS).
fn is_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    error.downcast_ref::<rustls::Error>().is_some()
}

/// The messages of an error and its sources, without repeats and without the URL (the
/// caller names it).
fn chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let top: &(dyn std::error::Error + 'static) = error;
    let mut current = top.source();
    while let Some(next) = current {
        let text = next.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = next.source();
    }
    if parts.is_empty() {
        "the request failed".to_string()
    } else {
        // A transport error may quote what the other side sent (a certificate's names).
        crate::outside::escape(&parts.join(": ")).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_granted_token_gives_the_instance_url_and_the_token_as_a_secret() {
        let granted = read_answer(
            200,
            br#"{"access_token":"00Dxx!token","instance_url":"https://acme.my.salesforce.com","token_type":"Bearer"}"#,
        )
        .unwrap();
        assert_eq!(
            granted.instance_url.as_ref().map(Outside::as_str),
            Some("https://acme.my.salesforce.com")
        );
        assert_eq!(granted.access_token.expose(), "00Dxx!token");
        assert!(!format!("{granted:?}").contains("00Dxx!token"));
    }

    #[test]
    fn an_oauth_error_keeps_error_and_description_apart() {
        let refused = read_answer(
            400,
            br#"{"error":"invalid_grant","error_description":"no client credentials user enabled"}"#,
        )
        .unwrap_err();
        assert_eq!(
            refused,
            VerifyError::Refused {
                status: 400,
                error: "invalid_grant".into(),
                description: Some("no client credentials user enabled".into())
            }
        );
        assert_eq!(
            refused.describe(),
            "HTTP 400: invalid_grant: no client credentials user enabled"
        );
        assert!(refused.hint().contains("Run As user"));
    }

    #[test]
    fn an_answer_without_a_token_is_refused() {
        let refused = read_answer(200, br#"{"instance_url":"https://x"}"#).unwrap_err();
        assert_eq!(
            refused.oauth_error(),
            "the answer has no access_token".to_string()
        );
        let refused = read_answer(502, b"<html>bad gateway</html>").unwrap_err();
        assert_eq!(refused.describe(), "HTTP 502: no OAuth error in the answer");
    }
}
