//! Reads an External Client App's consumer key and secret through Salesforce's Connect REST
//! API, with the access token of a signed-in user (`sf org display --json`).
//!
//! Three calls, all `GET` under `{instance}/services/data/v{API_VERSION}/apps/oauth/`:
//! `usage` (the apps, to find the app's id by its API name; paged), `credentials/{appId}` (its
//! OAuth consumers) and `credentials/{appId}/{consumerId}?part=keyandsecret`. Each failure
//! Salesforce can give is its own [`ConnectError`], with the setting or permission that fixes
//! it. The key, the secret and the access token are [`Secret`]s: they cannot be printed, and
//! every output of the run has them redacted.
//!
//! Answers are untrusted (`SF_INSTANCE_URL` may point anywhere): each is read up to
//! [`bounds::CONNECT_BODY_BYTES`], the listing up to [`bounds::APPS_PAGES`] pages, and the
//! listing as a whole gets one `--call-timeout`, each page what is left of it. A bound hit or
//! a time-out is said as such.

use crate::bounds::{self, BodyError};
use crate::error::Cause;
use crate::salesforce::metadata::API_VERSION;
use crate::secret::Secret;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The org setting that lets the REST API return consumer secrets.
pub(crate) const SECRET_SETTING: &str =
    "Allow access to External Client App consumer secrets via REST API";
/// The user permission the app listing and the consumer listing need.
pub(crate) const DEVELOPER_PERMISSION: &str = "External Client App Developer";
/// The user permission reading a consumer secret needs.
pub(crate) const SECRET_PERMISSION: &str = "View Client Secret";

/// The flag that sets the time limit, named when it runs out.
const TIME_FLAG: &str = "--call-timeout";

/// Which call failed, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    ListApps,
    ListConsumers,
    ReadSecret,
    /// The staged-credential calls of `rotate-credentials` (see [`super::staged`]).
    ReadStaged,
    Stage,
    Promote,
    DeleteStaged,
}

impl Step {
    fn what(self) -> &'static str {
        match self {
            Step::ListApps => "listing the org's External Client Apps",
            Step::ListConsumers => "listing the app's OAuth consumers",
            Step::ReadSecret => "reading the consumer key and secret",
            Step::ReadStaged => "reading the app's staged credential",
            Step::Stage => "staging a new credential",
            Step::Promote => "making the staged credential primary",
            Step::DeleteStaged => "deleting the staged credential",
        }
    }
}

/// Why the key and secret could not be read. Never carries a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectError {
    /// HTTP 401: the access token expired or is not valid.
    ExpiredToken { detail: String },
    /// HTTP 403: the signed-in user lacks `permission`.
    MissingPermission {
        permission: &'static str,
        detail: String,
    },
    /// The consumer was read, but Salesforce left the secret out: the org setting is off.
    SettingOff,
    /// No app of that API name is listed.
    UnknownApp { name: String, listed: usize },
    /// The app has no OAuth consumer (OAuth is not enabled on it).
    NoConsumer { name: String },
    /// No answer within the limit (`--call-timeout`).
    TimedOut {
        step: Step,
        url: String,
        limit: String,
    },
    /// The answer passed one of the [`bounds`]: `detail` names it.
    OutOfBounds { step: Step, detail: String },
    /// The instance could not be reached, or its answer not read in full: `source` says why.
    Unreachable {
        step: Step,
        detail: String,
        source: Cause,
    },
    /// HTTP 404. For [`Step::ReadStaged`] it means nothing is staged (see [`super::staged`]).
    NotFound { step: Step, detail: String },
    /// HTTP 410: the org no longer serves this REST API version (Salesforce answers a retired
    /// version with `410 GONE`, Salesforce Help 000354473).
    Retired {
        step: Step,
        version: String,
        detail: String,
    },
    /// Anything else: another status, an answer of another shape.
    Unexpected { step: Step, detail: String },
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe().0)
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Unreachable { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The HTTP client for the org could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build an HTTP client: {0}")]
pub(crate) struct ClientError(#[source] reqwest::Error);

impl ConnectError {
    /// The message and the fix, for the user.
    pub(crate) fn describe(&self) -> (String, String) {
        match self {
            ConnectError::ExpiredToken { detail } => (
                format!("Salesforce refused the access token ({detail})"),
                "the token has expired or is not valid: sign in again (`sf org login web --alias <org>`), then set SF_ACCESS_TOKEN from `sf org display --target-org <org> --json` (result.accessToken)".to_string(),
            ),
            ConnectError::MissingPermission { permission, detail } => (
                format!(
                    "Salesforce refused the request: the signed-in user lacks the \"{permission}\" permission ({detail})"
                ),
                format!(
                    "give the user running this command the \"{DEVELOPER_PERMISSION}\" and \"{SECRET_PERMISSION}\" permissions (a permission set), then run it again"
                ),
            ),
            ConnectError::SettingOff => (
                "Salesforce returned the app's consumer key but not its secret: the org does not let the REST API read consumer secrets".to_string(),
                format!(
                    "in Setup > External Client App Settings, turn on \"{SECRET_SETTING}\" (Metadata API: ExternalClientAppSettings.enableClientSecretInRestApiAccess), then run it again"
                ),
            ),
            ConnectError::UnknownApp { name, listed } => (
                format!(
                    "the org has no External Client App named `{name}` (Salesforce listed {listed} app{})",
                    if *listed == 1 { "" } else { "s" }
                ),
                "deploy it first (`provision salesforce-metadata --out DIR`, then `sf project deploy start` in DIR/<org>), and check that SF_INSTANCE_URL is this org".to_string(),
            ),
            ConnectError::NoConsumer { name } => (
                format!("the External Client App `{name}` has no OAuth consumer"),
                "enable OAuth on the app (deploy the files `provision salesforce-metadata` writes), then run it again".to_string(),
            ),
            ConnectError::TimedOut { step, url, limit } => (
                format!("{} timed out: {url} did not answer within {limit}", step.what()),
                format!("check that this machine can reach the org (a proxy or firewall may hold the request), or allow more time with {TIME_FLAG}"),
            ),
            ConnectError::OutOfBounds { step, detail } => (
                format!("{} failed: {detail}", step.what()),
                "check SF_INSTANCE_URL: it must be the org's My Domain URL (result.instanceUrl of `sf org display --json`), whose answers are far smaller".to_string(),
            ),
            ConnectError::Retired {
                step,
                version,
                detail,
            } => (
                format!(
                    "{} failed: the org no longer serves REST API version {version} ({detail})",
                    step.what()
                ),
                "Salesforce retires old API versions (Salesforce Help 000354473): use a provision release that calls a version the org serves (`GET /services/data/` lists them)".to_string(),
            ),
            ConnectError::Unreachable { step, detail, .. }
            | ConnectError::NotFound { step, detail }
            | ConnectError::Unexpected { step, detail } => (
                format!("{} failed: {detail}", step.what()),
                "check SF_INSTANCE_URL (the org's My Domain URL, from `sf org display --json`) and try again".to_string(),
            ),
        }
    }
}

/// An app as the usage listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedApp {
    pub(crate) id: String,
    /// The API name (`developerName`), or the `name` when no developer name is given.
    pub(crate) name: String,
}

/// An app's OAuth consumer, by the ids the Connect API paths take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Consumer {
    pub(crate) app_id: String,
    pub(crate) consumer_id: String,
}

impl Consumer {
    /// `credentials/{appId}/{consumerId}`, each id one path segment.
    pub(crate) fn path(&self) -> String {
        format!(
            "credentials/{}/{}",
            encode(&self.app_id),
            encode(&self.consumer_id)
        )
    }
}

/// A consumer's key and secret.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) key: Secret,
    pub(crate) secret: Secret,
}

/// The Connect REST API of one org.
pub(crate) struct Connect {
    client: reqwest::Client,
    /// `{instance}/services/data/v{API_VERSION}/apps/oauth`.
    base: String,
    /// `{instance}`, for resources of another API version.
    instance: String,
    token: Secret,
    /// One call's limit: a single request, or the whole app listing.
    timeout: Duration,
}

impl Connect {
    pub(crate) fn new(
        instance: &url::Url,
        token: Secret,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let client = super::http::client_builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientError)?;
        let base = format!(
            "{}/services/data/v{API_VERSION}/apps/oauth",
            instance.as_str().trim_end_matches('/')
        );
        Ok(Connect {
            client,
            base,
            instance: instance.as_str().trim_end_matches('/').to_string(),
            token,
            timeout,
        })
    }

    /// A time-out of `step`, naming the limit.
    fn timed_out(&self, step: Step) -> ConnectError {
        ConnectError::TimedOut {
            step,
            url: self.base.clone(),
            limit: format!("{} ({TIME_FLAG})", humantime::format_duration(self.timeout)),
        }
    }

    /// A failure to get (all of) an answer: a time-out, or an unreachable instance.
    fn transport(&self, step: Step, error: reqwest::Error) -> ConnectError {
        if super::token::is_timeout(&error) {
            return self.timed_out(step);
        }
        // reqwest's error names the URL, never the headers (the token).
        let error = error.without_url();
        ConnectError::Unreachable {
            step,
            detail: format!("cannot reach {}: {error}", self.base),
            source: Cause::new(error),
        }
    }

    /// One GET within `left`: the JSON answer (at most [`bounds::CONNECT_BODY_BYTES`]), or
    /// the failure classified.
    async fn get(
        &self,
        step: Step,
        path: &str,
        query: &[(&str, String)],
        left: Duration,
    ) -> Result<Value, ConnectError> {
        let url = format!("{}/{path}", self.base);
        let call = Call {
            method: reqwest::Method::GET,
            version: API_VERSION,
            step,
            body: None,
        };
        self.send(call, &url, query, left).await
    }

    /// One call to `{instance}/services/data/v{version}/apps/oauth/{path}` (a JSON answer, or
    /// `null` for an empty one), or the failure classified.
    pub(crate) async fn call(
        &self,
        call: Call<'_>,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, ConnectError> {
        let url = format!(
            "{}/services/data/v{}/apps/oauth/{path}",
            self.instance, call.version
        );
        self.send(call, &url, query, self.timeout).await
    }

    async fn send(
        &self,
        call: Call<'_>,
        url: &str,
        query: &[(&str, String)],
        left: Duration,
    ) -> Result<Value, ConnectError> {
        let Call {
            method,
            version,
            step,
            body,
        } = call;
        let mut request = self.client.request(method, url);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request
            .query(query)
            .bearer_auth(self.token.expose())
            .header("Accept", "application/json")
            .timeout(left)
            .send()
            .await
            .map_err(|error| self.transport(step, error))?;
        let status = response.status().as_u16();
        let body = match bounds::read_body(response, bounds::CONNECT_BODY_BYTES).await {
            Ok(body) => body,
            Err(BodyError::Transport(error)) => return Err(self.transport(step, error)),
            Err(BodyError::TooLarge { limit }) => {
                return Err(ConnectError::OutOfBounds {
                    step,
                    detail: BodyError::too_large(limit),
                });
            }
        };
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(classify(step, version, status, &body))
    }

    /// Every app the usage listing shows, page after page, all within one call's limit.
    pub(crate) async fn apps(&self) -> Result<Vec<ListedApp>, ConnectError> {
        let started = Instant::now();
        let mut apps = Vec::new();
        for page in 0..bounds::APPS_PAGES {
            let left = bounds::left(started, self.timeout)
                .ok_or_else(|| self.timed_out(Step::ListApps))?;
            let body = self
                .get(
                    Step::ListApps,
                    "usage",
                    &[
                        ("page", page.to_string()),
                        ("pageSize", bounds::APPS_PAGE_SIZE.to_string()),
                    ],
                    left,
                )
                .await?;
            let Some(items) = body.get("apps").and_then(Value::as_array) else {
                return Err(ConnectError::Unexpected {
                    step: Step::ListApps,
                    detail: "the answer has no `apps` list".to_string(),
                });
            };
            for item in items {
                let field = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
                let id = field("identifier").or_else(|| field("id"));
                let name = field("developerName").or_else(|| field("name"));
                if let (Some(id), Some(name)) = (id, name) {
                    apps.push(ListedApp { id, name });
                }
            }
            if apps.len() > bounds::APPS_LISTED {
                return Err(ConnectError::OutOfBounds {
                    step: Step::ListApps,
                    detail: format!(
                        "the org lists more than {} apps, the most provision reads",
                        bounds::APPS_LISTED
                    ),
                });
            }
            if items.len() < bounds::APPS_PAGE_SIZE {
                return Ok(apps);
            }
        }
        Err(ConnectError::OutOfBounds {
            step: Step::ListApps,
            detail: format!(
                "the listing goes on past {} pages of {}, the most provision reads",
                bounds::APPS_PAGES,
                bounds::APPS_PAGE_SIZE
            ),
        })
    }

    /// The consumer key and secret of the app named `name` among `apps`.
    pub(crate) async fn credentials(
        &self,
        apps: &[ListedApp],
        name: &str,
    ) -> Result<Credentials, ConnectError> {
        let consumer = self.consumer(apps, name).await?;
        self.primary(&consumer).await
    }

    /// The OAuth consumer of the app named `name` among `apps`.
    pub(crate) async fn consumer(
        &self,
        apps: &[ListedApp],
        name: &str,
    ) -> Result<Consumer, ConnectError> {
        let Some(app) = apps.iter().find(|app| app.name == name) else {
            return Err(ConnectError::UnknownApp {
                name: name.to_string(),
                listed: apps.len(),
            });
        };
        let body = self
            .get(
                Step::ListConsumers,
                &format!("credentials/{}", encode(&app.id)),
                &[],
                self.timeout,
            )
            .await?;
        let consumer = body
            .get("consumers")
            .and_then(Value::as_array)
            .and_then(|consumers| consumers.first())
            .and_then(|consumer| consumer.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| ConnectError::NoConsumer {
                name: name.to_string(),
            })?;
        Ok(Consumer {
            app_id: app.id.clone(),
            consumer_id: consumer.to_string(),
        })
    }

    /// The primary key and secret of `consumer`.
    pub(crate) async fn primary(&self, consumer: &Consumer) -> Result<Credentials, ConnectError> {
        let body = self
            .get(
                Step::ReadSecret,
                &consumer.path(),
                &[("part", "keyandsecret".to_string())],
                self.timeout,
            )
            .await?;
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
                .map(Secret::new)
        };
        let key = text("key");
        let secret = text("secret");
        match (key, secret) {
            (Some(key), Some(secret)) => Ok(Credentials { key, secret }),
            (Some(_), None) => Err(ConnectError::SettingOff),
            (None, _) => Err(ConnectError::Unexpected {
                step: Step::ReadSecret,
                detail: "the answer has no consumer key".to_string(),
            }),
        }
    }
}

/// One request: its method, the API version of its path, the step it serves (for messages)
/// and its JSON body, if it has one.
pub(crate) struct Call<'a> {
    pub(crate) method: reqwest::Method,
    pub(crate) version: &'a str,
    pub(crate) step: Step,
    pub(crate) body: Option<&'a str>,
}

/// An id as one path segment.
fn encode(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// A failed answer as the failure it means. Salesforce's error bodies are a list of
/// `{"errorCode", "message"}`.
fn classify(step: Step, version: &str, status: u16, body: &Value) -> ConnectError {
    // Only the documented fields are shown, and any secret the same answer carries (the
    // consumer secret we were about to read) is redacted from them.
    crate::secret::remember_answer(body);
    let first = body
        .as_array()
        .and_then(|errors| errors.first())
        .or(Some(body));
    let field = |key: &str| {
        first
            .and_then(|error| error.get(key))
            .and_then(Value::as_str)
            .map(|text| crate::outside::Outside::read(text, 300))
    };
    let detail = match (field("errorCode"), field("message")) {
        (Some(code), Some(message)) => format!("HTTP {status} {code}: {message}"),
        (Some(code), None) => format!("HTTP {status} {code}"),
        (None, Some(message)) => format!("HTTP {status}: {message}"),
        (None, None) => format!("HTTP {status}"),
    };
    // What a public caller (sfdx-hardis) matches to tell that the org setting is off.
    let setting_off = [
        "not currently enabled",
        "feature is not enabled",
        "not enabled for this user",
    ]
    .iter()
    .any(|words| detail.to_ascii_lowercase().contains(words));
    match (status, step) {
        (401, _) => ConnectError::ExpiredToken { detail },
        (403, _) if setting_off => ConnectError::SettingOff,
        (
            403,
            Step::ReadSecret | Step::ReadStaged | Step::Stage | Step::Promote | Step::DeleteStaged,
        ) => ConnectError::MissingPermission {
            permission: SECRET_PERMISSION,
            detail,
        },
        (403, _) => ConnectError::MissingPermission {
            permission: DEVELOPER_PERMISSION,
            detail,
        },
        (404, _) => ConnectError::NotFound { step, detail },
        (410, _) => ConnectError::Retired {
            step,
            version: version.to_string(),
            detail,
        },
        _ => ConnectError::Unexpected { step, detail },
    }
}

/// `SF_INSTANCE_URL`: https, or http on a loopback address only (a local test endpoint).
pub(crate) fn check_instance_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim()).map_err(|_| "it is not a URL".to_string())?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => return Err("it has no host".to_string()),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err("it is http://; Salesforce is reached over https:// (http is allowed on a loopback address only)".to_string());
        }
        _ => return Err("it is not an https:// URL".to_string()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it carries a user name or password".to_string());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_is_its_own_error() {
        let body = serde_json::json!([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]);
        assert_eq!(
            classify(Step::ListApps, API_VERSION, 401, &body),
            ConnectError::ExpiredToken {
                detail: "HTTP 401 INVALID_SESSION_ID: Session expired or invalid".into()
            }
        );
        let refused = serde_json::json!([{"errorCode": "INSUFFICIENT_ACCESS", "message": "no"}]);
        assert!(matches!(
            classify(Step::ListApps, API_VERSION, 403, &refused),
            ConnectError::MissingPermission {
                permission: DEVELOPER_PERMISSION,
                ..
            }
        ));
        assert!(matches!(
            classify(Step::ReadSecret, API_VERSION, 403, &refused),
            ConnectError::MissingPermission {
                permission: SECRET_PERMISSION,
                ..
            }
        ));
        assert!(matches!(
            classify(Step::ListConsumers, API_VERSION, 500, &Value::Null),
            ConnectError::Unexpected { .. }
        ));
        let off = serde_json::json!([{"errorCode": "FUNCTIONALITY_NOT_ENABLED", "message": "Access to External Client App consumer secrets via REST API is not currently enabled for this org."}]);
        assert_eq!(
            classify(Step::ReadStaged, "65.0", 403, &off),
            ConnectError::SettingOff
        );
        let gone = serde_json::json!([{"errorCode": "GONE", "message": "API version retired"}]);
        let retired = classify(Step::ReadStaged, "65.0", 410, &gone);
        assert!(
            matches!(&retired, ConnectError::Retired { version, .. } if version == "65.0"),
            "{retired:?}"
        );
        assert!(
            retired
                .describe()
                .0
                .contains("the org no longer serves REST API version 65.0 (HTTP 410 GONE: API version retired)"),
            "{}",
            retired.describe().0
        );
    }

    #[test]
    fn instance_urls_are_https_or_loopback_http() {
        assert!(check_instance_url("https://acme.my.salesforce.com").is_ok());
        assert!(check_instance_url("http://127.0.0.1:8080").is_ok());
        assert!(check_instance_url("http://[::1]:8080").is_ok());
        assert!(check_instance_url("http://acme.my.salesforce.com").is_err());
        assert!(check_instance_url("ftp://acme").is_err());
        assert!(check_instance_url("acme").is_err());
    }
}
