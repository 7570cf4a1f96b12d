//! Transport failures that no retry can mend: a refused connection (nothing listens at the
//! endpoint) and a host name that does not resolve.
//!
//! The SDK retries every I/O failure for the whole call budget, so a mistyped
//! `--endpoint-url` used to wait out `--call-timeout` and then read "did not answer in time".
//! Here such a failure is classified once, by a pure function over the error chain: the retry
//! classifier stops the call at the first attempt, and the message says what happened, with
//! the endpoint.

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

/// Why an endpoint cannot be reached at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreachable {
    /// The host answered the TCP handshake with a refusal: nothing listens on that port.
    Refused,
    /// The host name does not resolve.
    UnknownHost,
}

impl Unreachable {
    /// The failure in `error`'s chain, if it is one of these. Pure.
    pub(crate) fn find(error: &(dyn std::error::Error + 'static)) -> Option<Self> {
        let mut current = Some(error);
        while let Some(next) = current {
            if let Some(io) = next.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return Some(Unreachable::Refused);
                }
                if let Some(inner) = io.get_ref()
                    && let Some(found) = Unreachable::find(inner)
                {
                    return Some(found);
                }
            }
            // hyper-util's connector names a failed lookup "dns error".
            if next.to_string().starts_with("dns error") {
                return Some(Unreachable::UnknownHost);
            }
            current = next.source();
        }
        None
    }

    /// What happened, naming the endpoint.
    pub(crate) fn describe(self, endpoint: &str) -> String {
        match self {
            Unreachable::Refused => format!(
                "{endpoint} refused the connection: nothing listens there (check --endpoint-url, AWS_ENDPOINT_URL*, and that the service or emulator is running)"
            ),
            Unreachable::UnknownHost => format!(
                "the host of {endpoint} could not be resolved (check the Region, --endpoint-url or AWS_ENDPOINT_URL*, and this machine's DNS)"
            ),
        }
    }
}

/// Refused connections and unknown hosts are not retried: the call fails at once.
#[derive(Debug)]
pub(crate) struct UnreachableIsFinal;

impl ClassifyRetry for UnreachableIsFinal {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = context.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match error.as_connector_error() {
            Some(connector) if Unreachable::find(connector).is_some() => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "refused connections and unknown hosts are final"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{message}")]
    struct Wrapper {
        message: &'static str,
        #[source]
        source: std::io::Error,
    }

    #[test]
    fn a_refusal_is_found_however_deep_it_is_wrapped() {
        let refused = Wrapper {
            message: "tcp connect error",
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        };
        assert_eq!(Unreachable::find(&refused), Some(Unreachable::Refused));
        let wrapped = std::io::Error::other(refused);
        assert_eq!(Unreachable::find(&wrapped), Some(Unreachable::Refused));
    }

    #[test]
    fn a_failed_lookup_is_an_unknown_host_and_a_reset_is_neither() {
        let lookup = Wrapper {
            message: "dns error",
            source: std::io::Error::other("failed to lookup address information"),
        };
        assert_eq!(Unreachable::find(&lookup), Some(Unreachable::UnknownHost));
        let reset = Wrapper {
            message: "connection error",
            source: std::io::Error::from(std::io::ErrorKind::ConnectionReset),
        };
        assert_eq!(Unreachable::find(&reset), None);
    }

    #[test]
    fn the_message_names_the_endpoint_and_the_cause() {
        let text = Unreachable::Refused.describe("http://127.0.0.1:9");
        assert!(
            text.starts_with("http://127.0.0.1:9 refused the connection"),
            "{text}"
        );
    }
}
