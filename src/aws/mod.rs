//! The AWS edge: building the SDK configuration and talking to EventBridge and Secrets Manager.
//!
//! Everything that sends a request lives under this module; the core above it is pure.

pub mod eventbridge;
pub mod secretsmanager;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// The AWS connection flags, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Retries with client-side rate limiting: EventBridge's control-plane limits are not published
/// and a run over thousands of connections will meet `ThrottlingException`.
pub const MAX_ATTEMPTS: u32 = 10;

/// Builds the SDK configuration from the flags, falling back to the SDK's own environment
/// variables and profiles (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, ...).
pub async fn sdk_config(options: &AwsOptions) -> SdkConfig {
    // The SDK's own AWS_MAX_ATTEMPTS still applies when set.
    let max_attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(MAX_ATTEMPTS);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(max_attempts)
                .with_initial_backoff(Duration::from_millis(200))
                // The adaptive limiter can hold a throttled retry for the whole max backoff: keep it short.
                .with_max_backoff(Duration::from_secs(5)),
        )
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
pub struct QuotaErrorsAreFinal;

impl QuotaErrorsAreFinal {
    pub const CODE: &'static str = "LimitExceededException";
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

/// The EventBridge client, with quota errors kept from being retried.
pub fn eventbridge_client(config: &SdkConfig) -> aws_sdk_eventbridge::Client {
    let config = aws_sdk_eventbridge::config::Builder::from(config)
        .retry_classifier(QuotaErrorsAreFinal)
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

/// A one-line description of an SDK error: AWS's code and message, or the transport failure.
pub fn describe_sdk_error<E, R>(
    error: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match (inner.code(), inner.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => inner.to_string(),
            }
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        SdkError::DispatchFailure(failure) => {
            let mut text = "could not reach the AWS endpoint".to_string();
            if failure.is_io() || failure.is_timeout() {
                if let Some(source) = std::error::Error::source(error) {
                    text.push_str(&format!(": {}", chain(source)));
                }
            } else if let Some(source) = std::error::Error::source(error) {
                text.push_str(&format!(": {}", chain(source)));
            }
            text
        }
        SdkError::ConstructionFailure(_) => match std::error::Error::source(error) {
            Some(source) => format!("the request could not be built: {}", chain(source)),
            None => "the request could not be built".to_string(),
        },
        SdkError::ResponseError(_) => "AWS sent a response that could not be read".to_string(),
        _ => error.to_string(),
    }
}

fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut current = error.source();
    while let Some(next) = current {
        let text = next.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = next.source();
    }
    parts.join(": ")
}
