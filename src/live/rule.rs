//! What AWS has for one EventBridge rule and its targets, as plain data read from
//! `DescribeRule`, `ListTargetsByRule` and `ListTagsForResource`.
//!
//! Everything AWS wrote in free text (the description, the event pattern, a target's input
//! transformer) is held as [`Outside`] text: shown escaped, compared and sent exactly. The
//! pattern is held in its canonical form (keys sorted, as the manifest writes a declared one):
//! EventBridge gives back the pattern as a JSON string whose key order and spacing need not be
//! those sent, so two patterns that mean the same read the same.
//!
//! What a target leaves out means AWS's default, and is read as that default, so a target
//! written without them never shows a difference: no `RetryPolicy` (or a policy missing one of
//! its two fields) is [`RetryPolicy::AWS_DEFAULT`] ([`read_retry`]), no `DeadLetterConfig` is
//! no dead-letter queue, and no `State` on a rule is [`ENABLED`].

use crate::outside::Outside;
use crate::route::RetryPolicy;
use std::collections::BTreeMap;

/// The state PutRule gives a rule sent without one ("Rules are enabled by default":
/// EventBridge API reference, `PutRule`), read for a rule AWS reports none for; also the one
/// provision writes.
pub(crate) const ENABLED: &str = "ENABLED";

/// One rule as AWS has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveRule {
    pub(crate) name: String,
    /// The event bus's name (`default` when AWS names none).
    pub(crate) bus: String,
    pub(crate) arn: Option<String>,
    /// The event pattern in its canonical form (a text that is not JSON as AWS wrote it);
    /// `None` for a rule with none (a scheduled rule).
    pub(crate) pattern: Option<Outside>,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` ([`ENABLED`]
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
    pub(crate) retry: RetryPolicy,
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

/// The retry policy AWS applies for what it read back (`MaximumRetryAttempts`,
/// `MaximumEventAgeInSeconds`): each field left out is AWS's default. A negative number
/// (outside the API's range) is read as 0.
pub(crate) fn read_retry(attempts: Option<i32>, max_event_age_seconds: Option<i32>) -> RetryPolicy {
    let defaults = RetryPolicy::AWS_DEFAULT;
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    RetryPolicy {
        maximum_retry_attempts: attempts.map_or(defaults.maximum_retry_attempts, count),
        maximum_event_age_seconds: max_event_age_seconds
            .map_or(defaults.maximum_event_age_seconds, count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_policy_left_out_or_half_given_is_aws_s_default() {
        let policy = |attempts, age| RetryPolicy {
            maximum_retry_attempts: attempts,
            maximum_event_age_seconds: age,
        };
        assert_eq!(read_retry(None, None), policy(185, 86_400));
        assert_eq!(read_retry(Some(10), None), policy(10, 86_400));
        assert_eq!(read_retry(None, Some(3600)), policy(185, 3600));
        assert_eq!(read_retry(Some(0), Some(60)), policy(0, 60));
    }
}
