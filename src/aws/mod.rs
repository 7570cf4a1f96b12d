//! The AWS edge: building the SDK configuration and talking to EventBridge and Secrets Manager.
//!
//! Everything that sends a request lives under this module; the core above it is pure.

pub(crate) mod actions;
pub(crate) mod arn;
pub(crate) mod assume;
pub(crate) mod bounded;
pub(crate) mod connections;
pub(crate) mod destinations;
pub(crate) mod hints;
pub(crate) mod iam;
pub(crate) mod profile;
pub(crate) mod regional;
pub(crate) mod rules;
pub(crate) mod secretsmanager;
pub(crate) mod ssm;
pub(crate) mod sts;
pub(crate) mod trace;
pub(crate) mod transport;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_eventbridge::config::retry::{RetryPartition, TokenBucket};
use std::time::Duration;

/// The AWS connection flags, as given on the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct AwsOptions {
    /// The default Region when the command line names one (then the SDK's Region lookup,
    /// which may ask the instance metadata service, is skipped).
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) timeouts: Timeouts,
}

/// How long any one AWS call may take. Every call is bounded: a hung endpoint fails that call
/// (and so that connection, or the listing) instead of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeouts {
    /// Establishing a TCP and TLS connection.
    pub(crate) connect: Duration,
    /// One attempt: sending the request and reading the whole answer.
    pub(crate) attempt: Duration,
    /// One call, all its retries included.
    pub(crate) call: Duration,
}

impl Timeouts {
    /// The limits as given, held: the call limit is never raised. An attempt (and the
    /// connection it opens) is capped by the call limit, so `--call-timeout 3s` with the
    /// default 15 s attempt waits 3 s, not 15; within a call, the SDK cuts each later attempt
    /// short at what is left of the call.
    pub(crate) fn new(connect: Duration, attempt: Duration, call: Duration) -> Self {
        Timeouts {
            connect: connect.min(call),
            attempt: attempt.min(call),
            call,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::new(
            Duration::from_secs(5),
            Duration::from_secs(15),
            Duration::from_secs(60),
        )
    }
}

/// Attempts per call. With full-jitter backoff from 100 ms up to 5 s, 15 attempts ride out
/// heavy throttling (at 35% refused, all 15 fail once in seven million calls) within the call
/// timeout, and a re-run converges where even that is not enough.
pub(crate) const MAX_ATTEMPTS: u32 = 15;

/// The retry policy every client uses.
///
/// - Standard mode: exponential backoff with full jitter (100 ms doubling up to 5 s), so
///   throttled workers spread out and the bounded concurrency itself lowers the request rate;
///   nothing is kept between calls, so throughput recovers the moment throttling stops (the
///   SDK's adaptive mode keeps a client-side rate that crawls back up slowly).
/// - No retry budget: the SDK's retry token bucket, shared by every call of a client, empties
///   under sustained throttling and then fails calls without retrying; here every call gets its
///   own attempts, bounded by the call timeout.
/// - Throttling, 5xx answers, timeouts and connection resets are retried; quota errors are not
///   ([`QuotaErrorsAreFinal`]). The SDK's own `AWS_MAX_ATTEMPTS` still applies.
pub(crate) fn retry_config() -> RetryConfig {
    let max_attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=50).contains(n))
        .unwrap_or(MAX_ATTEMPTS);
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(5))
}

/// A retry partition whose retries cost nothing (see [`retry_config`]).
fn unlimited_retries(name: &'static str) -> RetryPartition {
    RetryPartition::custom(name)
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// Builds the SDK configuration from the flags, falling back to the SDK's own environment
/// variables and profiles (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, ...). The Region it
/// finds is the run's default Region; [`for_region`] derives the configuration of any other.
/// A named profile (`--profile`, or `AWS_PROFILE`) that no file declares is refused by name.
pub(crate) async fn sdk_config(options: &AwsOptions) -> Result<SdkConfig, crate::error::Error> {
    let named = match &options.profile {
        Some(name) => Some((name.clone(), "--profile")),
        None => std::env::var("AWS_PROFILE")
            .ok()
            .filter(|name| !name.trim().is_empty())
            .map(|name| (name, "AWS_PROFILE")),
    };
    if let Some((name, source)) = named {
        profile::check(&name, source, &profile::ProfileFiles::from_environment())?;
    }
    let timeouts = options.timeouts;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeouts.connect)
                .read_timeout(timeouts.attempt)
                .operation_attempt_timeout(timeouts.attempt)
                .operation_timeout(timeouts.call)
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
    Ok(loader.load().await)
}

/// The same configuration for another Region.
pub(crate) fn for_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config
        .to_builder()
        .region(Region::new(region.to_string()))
        .build()
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
    aws_sdk_eventbridge::config::Builder::from(config)
        .retry_classifier(QuotaErrorsAreFinal)
        .retry_classifier(transport::UnreachableIsFinal)
        .retry_classifier(bounded::TooLargeIsFinal)
        .interceptor(bounded::BoundedAnswers::default())
        .retry_partition(unlimited_retries("provision-eventbridge"))
}

/// The Secrets Manager client configuration as shipped.
pub(crate) fn secrets_manager_config(
    config: &SdkConfig,
) -> aws_sdk_secretsmanager::config::Builder {
    aws_sdk_secretsmanager::config::Builder::from(config)
        .retry_classifier(transport::UnreachableIsFinal)
        .retry_classifier(bounded::TooLargeIsFinal)
        .interceptor(bounded::BoundedAnswers::default())
        .retry_partition(unlimited_retries("provision-secretsmanager"))
}

pub(crate) fn secrets_manager_client(config: &SdkConfig) -> secretsmanager::SecretsManager {
    secretsmanager::SecretsManager {
        client: aws_sdk_secretsmanager::Client::from_conf(secrets_manager_config(config).build()),
        reach: Reach::from_config(config, "secretsmanager"),
    }
}

/// Where a client's calls go and how long they may take: what a message about a failed call
/// names.
#[derive(Debug, Clone)]
pub(crate) struct Reach {
    endpoint: String,
    limits: String,
}

impl Reach {
    fn new(
        service: &str,
        endpoint_url: Option<&str>,
        region: Option<&Region>,
        timeouts: Option<&TimeoutConfig>,
    ) -> Self {
        let endpoint = match endpoint_url {
            Some(url) => url.to_string(),
            None => format!(
                "https://{service}.{}.amazonaws.com",
                region.map(|r| r.as_ref()).unwrap_or("<region>")
            ),
        };
        let seconds = |d: Option<Duration>| {
            d.map(|d| humantime::format_duration(d).to_string())
                .unwrap_or_else(|| "none".to_string())
        };
        let limits = format!(
            "{} per attempt, {} per call",
            seconds(timeouts.and_then(|t| t.operation_attempt_timeout())),
            seconds(timeouts.and_then(|t| t.operation_timeout()))
        );
        Reach { endpoint, limits }
    }

    /// A reach for clients that tests build by hand.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Reach::new("test", Some("http://127.0.0.1:1"), None, None)
    }

    /// Where the clients built from `config` for `service` (`events`, `secretsmanager`) go.
    pub(crate) fn from_config(config: &SdkConfig, service: &str) -> Self {
        Reach::new(
            service,
            config.endpoint_url(),
            config.region(),
            config.timeout_config(),
        )
    }
}

/// A failed AWS call: AWS's code (if any), a one-line description, and the error it was made
/// from (none for a failure provision finds itself, such as a listing past its bounds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CallError {
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    #[source]
    pub(crate) source: Option<crate::error::Cause>,
}

impl CallError {
    /// A failure provision finds itself: no code from AWS, no underlying error.
    pub(crate) fn local(message: impl Into<String>) -> Self {
        CallError {
            code: None,
            message: message.into(),
            source: None,
        }
    }

    /// A failure provision finds itself that means what AWS's `code` means (so it gets the
    /// same hint).
    pub(crate) fn with_code(code: &str, message: impl Into<String>) -> Self {
        CallError {
            code: Some(code.to_string()),
            ..CallError::local(message)
        }
    }

    /// A request the SDK's builders refused, described as `message`.
    pub(crate) fn built(
        message: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        CallError {
            source: Some(crate::error::Cause::new(error)),
            ..CallError::local(message)
        }
    }

    /// An SDK error of a call to `reach`, described in one line ([`describe_sdk_error`]).
    pub(crate) fn from_sdk<E>(
        error: aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::http::Response,
        >,
        reach: &Reach,
    ) -> Self
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        use aws_smithy_types::error::metadata::ProvideErrorMetadata;
        CallError {
            code: error.code().map(str::to_string),
            message: describe_sdk_error(&error, reach),
            source: Some(crate::error::Cause::new(error)),
        }
    }
}

/// How much of a message from AWS is shown.
const OUTSIDE_TEXT_MAX: usize = 1000;

/// A one-line description of an SDK error: AWS's code and message, or the transport failure
/// with the endpoint (and, for a time-out, the limits) named.
pub(crate) fn describe_sdk_error<E>(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
    reach: &Reach,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let Reach { endpoint, limits } = reach;
    let timed_out = || {
        format!(
            "{endpoint} did not answer in time ({limits}; raise them with --attempt-timeout and --call-timeout)"
        )
    };
    let unreachable = transport::Unreachable::find(error);
    if let Some(bound) = bounded::find(error) {
        return format!(
            "{endpoint}: {bound}; check --endpoint-url / AWS_ENDPOINT_URL*: AWS answers are far smaller"
        );
    }
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            match (inner.code(), inner.message()) {
                (Some(code), Some(message)) => {
                    // AWS validation errors may quote the request, and so a secret; both are
                    // text from outside, shown escaped.
                    format!(
                        "{}: {}",
                        crate::outside::Outside::from(code),
                        crate::outside::Outside::read(message, OUTSIDE_TEXT_MAX)
                    )
                }
                (Some(code), None) => crate::outside::Outside::from(code).to_string(),
                _ => format!(
                    "{endpoint} answered HTTP {} without an error code",
                    service.raw().status().as_u16()
                ),
            }
        }
        SdkError::TimeoutError(_) => timed_out(),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => timed_out(),
        SdkError::DispatchFailure(_) if unreachable.is_some() => unreachable
            .map(|cause| cause.describe(endpoint))
            .unwrap_or_default(),
        SdkError::DispatchFailure(_) => match std::error::Error::source(error) {
            Some(source) => {
                let detail = chain(source);
                if detail.contains("credential") {
                    NO_CREDENTIALS.to_string()
                } else {
                    format!("could not reach {endpoint}: {detail}")
                }
            }
            None => format!("could not reach {endpoint}"),
        },
        SdkError::ConstructionFailure(_) => match std::error::Error::source(error) {
            Some(source) => format!("the request could not be built: {}", chain(source)),
            None => "the request could not be built".to_string(),
        },
        SdkError::ResponseError(_) => format!("{endpoint} sent a response that could not be read"),
        _ => "the AWS call failed".to_string(),
    }
}

/// What a run without AWS credentials says instead of the SDK's last attempt (IMDS).
pub(crate) const NO_CREDENTIALS: &str = "no AWS credentials were found. The AWS SDK looked in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), the profile (AWS_PROFILE or default, in ~/.aws/credentials and ~/.aws/config, including SSO and credential_process), web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the container role (ECS, EKS Pod Identity) and the EC2 instance role; run `aws configure`, `aws sso login`, or pass --profile";

/// The messages of an error and its sources, one after the other. A message that shows the
/// request itself (the SDK's `Debug` of a request holds its body, and so the client secret) is
/// left out.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
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
        // A transport error may quote what the other side sent (a certificate's names).
        crate::outside::escape(&parts.join(": ")).into_owned()
    }
}
