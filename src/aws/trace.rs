//! `-vv`: each AWS call and each retry, as the SDK itself reports them through `tracing`.
//!
//! The SDK wraps every operation in a span named after it (`EventBridge.ListConnections`) and
//! its orchestrator and retry strategy emit debug events with fixed wording ("beginning attempt
//! #2", "attempt #1 failed with ...; retrying after 85ms"). This layer reads only those: it
//! enables no trace-level callsite (where the SDK logs requests and responses) and never
//! prints an event's fields, only what [`describe`] makes of the SDK's own message: the
//! operation, the attempt, the kind of failure and the delay. So no request body, header or
//! response can reach the output.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber, span};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Installs the layer for the rest of the process (a second call changes nothing).
pub(crate) fn init() {
    let subscriber = tracing_subscriber::registry().with(AwsCalls);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The layer: the SDK's operation spans and its orchestrator and retry events, nothing else.
struct AwsCalls;

/// Where the SDK reports attempts (`orchestrator`) and retry decisions (`retries`).
const EVENT_TARGETS: &[&str] = &[
    "aws_smithy_runtime::client::orchestrator",
    "aws_smithy_runtime::client::retries",
];

/// The span around one operation: the SDK's (`EventBridge.ListConnections`) and aws-config's
/// own calls (`invoke`, e.g. the instance metadata lookups), both with `rpc.service` and
/// `rpc.method` fields.
fn is_operation_span(metadata: &Metadata<'_>) -> bool {
    metadata.is_span()
        && metadata.fields().field("rpc.method").is_some()
        && metadata.fields().field("rpc.service").is_some()
}

/// The operation of a span, kept in its extensions: `Service.Method`.
struct Operation(String);

/// Reads `rpc.service` and `rpc.method` of an operation span.
#[derive(Default)]
struct Rpc {
    service: String,
    method: String,
}

impl Visit for Rpc {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "rpc.service" => self.service = value.to_string(),
            "rpc.method" => self.method = value.to_string(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        self.record_str(field, text.trim_matches('"'));
    }
}

fn wanted(metadata: &Metadata<'_>) -> bool {
    if metadata.is_span() {
        return is_operation_span(metadata);
    }
    // Debug and above only: the SDK logs whole requests and responses at trace level.
    *metadata.level() <= Level::DEBUG
        && EVENT_TARGETS
            .iter()
            .any(|target| metadata.target().starts_with(target))
}

impl<S> Layer<S> for AwsCalls
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if wanted(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        wanted(metadata)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::DEBUG)
    }

    fn on_new_span(
        &self,
        attributes: &span::Attributes<'_>,
        id: &span::Id,
        context: Context<'_, S>,
    ) {
        let mut rpc = Rpc::default();
        attributes.record(&mut rpc);
        if let Some(span) = context.span(id) {
            span.extensions_mut()
                .insert(Operation(format!("{}.{}", rpc.service, rpc.method)));
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let operation = context
            .event_scope(event)
            .and_then(|scope| {
                scope
                    .filter_map(|span| span.extensions().get::<Operation>().map(|o| o.0.clone()))
                    .next()
            })
            .unwrap_or_else(|| "AWS call".to_string());
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(line) = describe(&operation, &fields) {
            crate::term::stderr(&format!("provision: {line}\n"));
        }
    }
}

/// The parts of an SDK event this layer looks at.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fields {
    message: String,
    attempts: Option<u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "attempts" {
            self.attempts = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "attempts" {
            self.attempts = u64::try_from(value).ok();
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

/// The line for one SDK event, or `None` for events that say nothing about attempts.
fn describe(operation: &str, fields: &Fields) -> Option<String> {
    let message = fields.message.as_str();
    if let Some(attempt) = message.strip_prefix("beginning attempt #") {
        return Some(format!("{operation}: attempt {attempt}"));
    }
    if message.starts_with("not retrying because we are out of attempts") {
        let attempts = fields
            .attempts
            .map_or_else(String::new, |n| format!(" after {n} attempts"));
        return Some(format!(
            "{operation}: giving up{attempts} (the most allowed; AWS_MAX_ATTEMPTS sets it)"
        ));
    }
    let rest = message.strip_prefix("attempt #")?;
    let (attempt, rest) = rest.split_once(' ')?;
    if let Some((classified, delay)) = rest
        .strip_prefix("failed with ")
        .and_then(|r| r.split_once("; retrying after "))
    {
        return Some(format!(
            "{operation}: attempt {attempt} failed ({}); retrying in {}",
            reason(classified),
            round(delay)
        ));
    }
    if let Some(classified) = rest
        .strip_prefix("failed with ")
        .and_then(|r| r.strip_suffix("; not enough retry quota."))
    {
        return Some(format!(
            "{operation}: attempt {attempt} failed ({}); no retry quota left, giving up",
            reason(classified)
        ));
    }
    if rest.contains("RetryForbidden") {
        return Some(format!(
            "{operation}: attempt {attempt} failed; not retried (cannot succeed on retry)"
        ));
    }
    None
}

/// The SDK's retry classification in words.
fn reason(classified: &str) -> &'static str {
    if classified.contains("ThrottlingError") {
        "throttled"
    } else if classified.contains("ServerError") {
        "server error"
    } else if classified.contains("TransientError") {
        "transient error: a time-out, a failed connection or an HTTP 5xx"
    } else if classified.contains("ClientError") {
        "client error"
    } else {
        "retryable error"
    }
}

/// A `Duration`'s debug text (`85.312114ms`, `1.204518s`) to milliseconds or tenths of a second.
fn round(delay: &str) -> String {
    let delay = delay.trim();
    let split = delay
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(delay.len());
    let (number, unit) = delay.split_at(split);
    let Ok(number) = number.parse::<f64>() else {
        return delay.to_string();
    };
    let millis = match unit {
        "s" => number * 1000.0,
        "ms" => number,
        "µs" | "us" => number / 1000.0,
        "ns" => number / 1_000_000.0,
        _ => return delay.to_string(),
    };
    if millis < 1000.0 {
        format!("{millis:.0}ms")
    } else {
        format!("{:.1}s", millis / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(message: &str, attempts: Option<u64>) -> Option<String> {
        describe(
            "EventBridge.ListConnections",
            &Fields {
                message: message.to_string(),
                attempts,
            },
        )
    }

    #[test]
    fn each_attempt_and_retry_decision_of_the_sdk_becomes_one_line() {
        assert_eq!(
            line("beginning attempt #2", None).as_deref(),
            Some("EventBridge.ListConnections: attempt 2")
        );
        assert_eq!(
            line(
                "attempt #1 failed with RetryIndicated(RetryableError { kind: ServerError, retry_after: None }); retrying after 85.312114ms",
                None
            )
            .as_deref(),
            Some("EventBridge.ListConnections: attempt 1 failed (server error); retrying in 85ms")
        );
        assert_eq!(
            line(
                "attempt #3 failed with RetryIndicated(RetryableError { kind: ThrottlingError, retry_after: None }); retrying after 1.25s",
                None
            )
            .as_deref(),
            Some("EventBridge.ListConnections: attempt 3 failed (throttled); retrying in 1.2s")
        );
        assert_eq!(
            line("not retrying because we are out of attempts", Some(3)).as_deref(),
            Some(
                "EventBridge.ListConnections: giving up after 3 attempts (the most allowed; AWS_MAX_ATTEMPTS sets it)"
            )
        );
        assert_eq!(
            line(
                "attempt #1 classified as RetryForbidden, not retrying",
                None
            )
            .as_deref(),
            Some(
                "EventBridge.ListConnections: attempt 1 failed; not retried (cannot succeed on retry)"
            )
        );
    }

    #[test]
    fn other_sdk_messages_print_nothing() {
        for message in [
            "attempt #1 classified as NoActionIndicated, not retrying",
            "delaying for 85ms",
            "encountered orchestrator error; continuing",
            "retry strategy has OKed initial request",
            "",
        ] {
            assert_eq!(line(message, None), None, "{message}");
        }
    }

    #[test]
    fn delays_are_rounded_for_people() {
        assert_eq!(round("85.312114ms"), "85ms");
        assert_eq!(round("1.204518s"), "1.2s");
        assert_eq!(round("950µs"), "1ms");
        assert_eq!(round("20s"), "20.0s");
        assert_eq!(round("soon"), "soon");
    }

    #[test]
    fn requests_and_responses_logged_at_trace_level_are_never_enabled() {
        use tracing::callsite::Identifier;
        use tracing::field::FieldSet;
        use tracing::metadata::Kind;
        struct Site;
        impl tracing::callsite::Callsite for Site {
            fn set_interest(&self, _: Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                &TRANSMIT
            }
        }
        static SITE: Site = Site;
        static TRANSMIT: Metadata<'static> = Metadata::new(
            "transmitting request",
            "aws_smithy_runtime::client::orchestrator",
            Level::TRACE,
            None,
            None,
            None,
            FieldSet::new(&["request", "message"], Identifier(&SITE)),
            Kind::EVENT,
        );
        static ATTEMPT: Metadata<'static> = Metadata::new(
            "beginning attempt",
            "aws_smithy_runtime::client::orchestrator",
            Level::DEBUG,
            None,
            None,
            None,
            FieldSet::new(&["message"], Identifier(&SITE)),
            Kind::EVENT,
        );
        static OTHER: Metadata<'static> = Metadata::new(
            "connected",
            "hyper_util::client",
            Level::DEBUG,
            None,
            None,
            None,
            FieldSet::new(&["message"], Identifier(&SITE)),
            Kind::EVENT,
        );
        assert!(!wanted(&TRANSMIT));
        assert!(wanted(&ATTEMPT));
        assert!(!wanted(&OTHER));
    }
}
