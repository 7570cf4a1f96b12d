//! The AWS edge: building the SDK configuration and talking to EventBridge and Secrets Manager.
//!
//! Everything that sends a request lives under this module; the core above it is pure.

pub(crate) mod eventbridge;
pub(crate) mod secretsmanager;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// The AWS connection flags, as given on the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct AwsOptions {
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) endpoint_url: Option<String>,
}

/// Retries with client-side rate limiting: EventBridge's control-plane limits are not published
/// and a run over thousands of connections will meet `ThrottlingException`.
pub(crate) const MAX_ATTEMPTS: u32 = 10;

/// The retry policy every client uses: adaptive (client-side rate limiting), `MAX_ATTEMPTS`
/// attempts, backoff from 200 ms to 5 s. The SDK's own `AWS_MAX_ATTEMPTS` still applies.
pub(crate) fn retry_config() -> RetryConfig {
    let max_attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=50).contains(n))
        .unwrap_or(MAX_ATTEMPTS);
    RetryConfig::adaptive()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(200))
        // The adaptive limiter can hold a throttled retry for the whole max backoff: keep it short.
        .with_max_backoff(Duration::from_secs(5))
}

/// Builds the SDK configuration from the flags, falling back to the SDK's own environment
/// variables and profiles (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, ...).
pub(crate) async fn sdk_config(options: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// EventBridge answers `LimitExceededException` when the account's connection quota is full.
/// The SDK's classifiers take it for throttling and would retry it for minutes; no retry can
/// help, so it fails at once and the run reports the quota.
#[derive(Debug)]
pub(crate) struct QuotaErrorsAreFinal;

impl QuotaErrorsAreFinal {
    pub(crate) const CODE: &'static str = "LimitExceededException";
}

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry for QuotaErrorsAreFinal {
    fn classify_retry(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        let Some(response) = context.response() else {
            return RetryAction::NoActionIndicated;
        };
        let in_header = response
            .headers()
            .get("x-amzn-errortype")
            .is_some_and(|t| t.starts_with(Self::CODE));
        let in_body = response.body().bytes().is_some_and(|body| {
            String::from_utf8_lossy(body).contains(&format!("\"{}\"", Self::CODE))
                || String::from_utf8_lossy(body).contains(&format!("#{}\"", Self::CODE))
        });
        if response.status().is_client_error() && (in_header || in_body) {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "quota errors are final"
    }
}

/// The EventBridge client configuration as shipped: the SDK configuration plus the rule that
/// keeps quota errors from being retried. Tests start from this too, so a change to the
/// shipped retry behaviour fails them.
pub(crate) fn eventbridge_config(config: &SdkConfig) -> aws_sdk_eventbridge::config::Builder {
    aws_sdk_eventbridge::config::Builder::from(config).retry_classifier(QuotaErrorsAreFinal)
}

pub(crate) fn eventbridge_client(config: &SdkConfig) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::from_conf(eventbridge_config(config).build())
}

/// The Secrets Manager client configuration as shipped.
pub(crate) fn secrets_manager_config(
    config: &SdkConfig,
) -> aws_sdk_secretsmanager::config::Builder {
    aws_sdk_secretsmanager::config::Builder::from(config)
}

pub(crate) fn secrets_manager_client(config: &SdkConfig) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::from_conf(secrets_manager_config(config).build())
}

/// A one-line description of an SDK error: AWS's code and message, or the transport failure.
pub(crate) fn describe_sdk_error<E>(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match (inner.code(), inner.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => format!(
                    "AWS answered HTTP {} without an error code",
                    service.raw().status().as_u16()
                ),
            }
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        SdkError::DispatchFailure(_) => match std::error::Error::source(error) {
            Some(source) => format!("could not reach the AWS endpoint: {}", chain(source)),
            None => "could not reach the AWS endpoint".to_string(),
        },
        SdkError::ConstructionFailure(_) => match std::error::Error::source(error) {
            Some(source) => format!("the request could not be built: {}", chain(source)),
            None => "the request could not be built".to_string(),
        },
        SdkError::ResponseError(_) => "AWS sent a response that could not be read".to_string(),
        _ => "the AWS call failed".to_string(),
    }
}

/// The messages of an error and its sources, one after the other. A message that shows the
/// request itself (the SDK's `Debug` of a request holds its body, and so the client secret) is
/// left out.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(next) = current {
        let text = next.to_string();
        let shows_request = [
            "SdkBody",
            "Request {",
            "body:",
            "client_secret",
            "ClientSecret",
        ]
        .iter()
        .any(|marker| text.contains(marker));
        if !shows_request && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = next.source();
    }
    if parts.is_empty() {
        "(details withheld: they show the request)".to_string()
    } else {
        parts.join(": ")
    }
}
