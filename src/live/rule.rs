//! What AWS has for one EventBridge rule and its targets, as plain data read from
//! `DescribeRule`, `ListTargetsByRule` and `ListTagsForResource`.
//!
//! Everything AWS wrote in free text (the description, the event pattern, a target's input
//! transformer) is held as [`Outside`] text: shown escaped, compared and sent exactly. The
//! pattern is held canonicalised ([`canonical_pattern`]): EventBridge gives back the pattern as
//! a JSON string whose key order and spacing need not be those sent, so two patterns that mean
//! the same read the same.
//!
//! What a target leaves out means AWS's default, and is read as that default, so a target
//! written without them never shows a difference: no `RetryPolicy` (or a policy missing one of
//! its two fields) is [`DEFAULT_RETRY_ATTEMPTS`] attempts within
//! [`DEFAULT_MAX_EVENT_AGE_SECONDS`] ("By default, EventBridge retries sending the event for 24
//! hours and up to 185 times": EventBridge user guide, "Retrying event delivery"), no
//! `DeadLetterConfig` is no dead-letter queue, and no `State` on a rule is `ENABLED` ("Rules
//! are enabled by default": EventBridge API reference, `PutRule`).

use crate::outside::Outside;
use std::collections::BTreeMap;

/// AWS's retry attempts for a target without a `RetryPolicy`.
pub(crate) const DEFAULT_RETRY_ATTEMPTS: u32 = 185;

/// AWS's maximum event age, in seconds, for a target without a `RetryPolicy` (24 hours).
pub(crate) const DEFAULT_MAX_EVENT_AGE_SECONDS: u32 = 86_400;

/// The state of a rule AWS reports when it reports none.
pub(crate) const DEFAULT_STATE: &str = "ENABLED";

/// One rule as AWS has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveRule {
    pub(crate) name: String,
    /// The event bus's name (`default` when AWS names none).
    pub(crate) bus: String,
    pub(crate) arn: Option<String>,
    /// The event pattern, canonicalised ([`canonical_pattern`]); `None` for a rule with none
    /// (a scheduled rule).
    pub(crate) pattern: Option<Outside>,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` ([`DEFAULT_STATE`]
    /// when AWS gives none), or a state AWS adds later, as it wrote it.
    pub(crate) state: Outside,
    pub(crate) description: Option<Outside>,
    /// `ScheduleExpression`: a rule with one is not a rule the tool writes.
    pub(crate) schedule: Option<Outside>,
    /// `ManagedBy`: the AWS service that manages the rule, if one does.
    pub(crate) managed_by: Option<Outside>,
    /// The rule's tags, key to value.
    pub(crate) tags: BTreeMap<Outside, Outside>,
    pub(crate) targets: Vec<LiveTarget>,
}

impl LiveRule {
    /// The rule's tags as text, key and value, for [`Owner::of_tags`](crate::ownership::Owner::of_tags).
    pub(crate) fn tag_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tags
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// The target with the id `id`.
    pub(crate) fn target(&self, id: &str) -> Option<&LiveTarget> {
        self.targets.iter().find(|target| target.id == id)
    }
}

/// One target of a rule as AWS has it, AWS's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveTarget {
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) role_arn: Option<String>,
    pub(crate) input: TargetInput,
    pub(crate) retry: Retry,
    pub(crate) dead_letter_queue: Option<String>,
}

/// What a target sends: the tool writes only an input transformer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetInput {
    /// The whole matched event (no `Input`, `InputPath` nor `InputTransformer`).
    Event,
    /// `InputTransformer`: its paths map (variable to JSON path) and its template.
    Transformer {
        paths: BTreeMap<Outside, Outside>,
        template: Outside,
    },
    /// `Input` (constant JSON) or `InputPath`: never written by the tool.
    Other,
}

/// A target's retry policy, AWS's defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retry {
    pub(crate) attempts: u32,
    pub(crate) max_event_age_seconds: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: DEFAULT_RETRY_ATTEMPTS,
            max_event_age_seconds: DEFAULT_MAX_EVENT_AGE_SECONDS,
        }
    }
}

impl Retry {
    /// The policy AWS applies for what it read back: each field left out is AWS's default. A
    /// negative number (outside the API's range) is read as 0.
    pub(crate) fn read(attempts: Option<i32>, max_event_age_seconds: Option<i32>) -> Self {
        let defaults = Retry::default();
        let count = |n: i32| u32::try_from(n).unwrap_or(0);
        Retry {
            attempts: attempts.map_or(defaults.attempts, count),
            max_event_age_seconds: max_event_age_seconds
                .map_or(defaults.max_event_age_seconds, count),
        }
    }
}

/// An event pattern in one spelling: parsed as JSON and written back with every object's keys
/// sorted and no spaces, so the order and spacing AWS gives back do not count. A text that is
/// not JSON is kept as it is (and shows as a difference).
pub(crate) fn canonical_pattern(text: &str) -> Outside {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Outside::from(sorted(value).to_string()),
        Err(_) => Outside::from(text),
    }
}

/// `value` with every object's keys in order (the crate's JSON keeps insertion order).
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_reads_the_same_whatever_its_key_order_and_spacing() {
        let sent = r#"{"source":["com.acme.orders"],"detail-type":["OrderPlaced"],"detail":{"total":[{"numeric":[">",0]}],"id":[{"exists":true}]}}"#;
        let read_back = r#"{ "detail": {"id": [{"exists": true}], "total": [{"numeric": [">", 0]}]},
            "detail-type": ["OrderPlaced"], "source": ["com.acme.orders"] }"#;
        assert_eq!(canonical_pattern(sent), canonical_pattern(read_back));
        assert_eq!(
            canonical_pattern(sent),
            r#"{"detail":{"id":[{"exists":true}],"total":[{"numeric":[">",0]}]},"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#
        );
        // Array order is meaning (numeric ranges), so it stays.
        assert_ne!(
            canonical_pattern(r#"{"a":[1,2]}"#),
            canonical_pattern(r#"{"a":[2,1]}"#)
        );
        assert_eq!(canonical_pattern("not json {"), "not json {");
    }

    #[test]
    fn a_retry_policy_left_out_or_half_given_is_aws_s_default() {
        assert_eq!(
            Retry::read(None, None),
            Retry {
                attempts: 185,
                max_event_age_seconds: 86_400
            }
        );
        assert_eq!(
            Retry::read(Some(10), None),
            Retry {
                attempts: 10,
                max_event_age_seconds: 86_400
            }
        );
        assert_eq!(
            Retry::read(None, Some(3600)),
            Retry {
                attempts: 185,
                max_event_age_seconds: 3600
            }
        );
        assert_eq!(Retry::read(Some(0), Some(60)).attempts, 0);
    }
}
