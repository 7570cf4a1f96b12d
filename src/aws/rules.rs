//! EventBridge rule and target calls: list, read, write, delete and tag, and the mapping
//! between the SDK's types and [`LiveRule`]. Every call goes through the shipped EventBridge
//! client (bounded answers, timed, retried: [`super::eventbridge_config`]); listings follow
//! `NextToken` within the listing [`bounds`](crate::bounds).
//!
//! What follows the EventBridge API reference:
//! - `PutRule` creates or replaces a rule: "If you omit arguments in PutRule, the old values for
//!   those arguments are not kept", so every field is sent each time. "If you are updating an
//!   existing rule, any tags you specify in the PutRule operation are ignored. To update the
//!   tags of an existing rule, use TagResource": the set's tag rides on the create, and
//!   [`tag_rule`] adds it to a rule adopted later.
//! - `PutTargets` and `RemoveTargets` "can partially fail": a nonzero `FailedEntryCount`, each
//!   of `FailedEntries` naming the target and the error. Either is a failure naming the target
//!   here, never a success. At most 10 entries go in one request.
//! - `DeleteRule`: "Before you can delete the rule, you must remove all targets, using
//!   RemoveTargets"; [`delete_rule`] does so first.
//! - `ListRuleNamesByTarget` lists the rules of one event bus (the default one when none is
//!   named) that target an ARN.
//!
//! The calls each command makes for rules (for `iam-policy`; `events:` actions unless named),
//! as [`crate::engine::rules`] makes them:
//! - `diff`, and `apply` before it writes: `ListRules` on each bus the files name and on
//!   `default` (`NamePrefix` with the project's name prefix); `DescribeRule`,
//!   `ListTargetsByRule` and `ListTagsForResource` of each declared rule that exists and of each
//!   undeclared one listed (its tag tells whose it is); `ListRuleNamesByTarget` for each
//!   declared API destination that exists, on each of those buses.
//! - `apply`, per rule to write: `DescribeApiDestination` of each destination it targets (its
//!   ARN as it is now), `PutRule` with `Tags` on create (which needs `TagResource` too),
//!   `TagResource` when adopting, `PutTargets` (which needs `iam:PassRole` on each target's
//!   role, exactly the declared roles, passed to `events.amazonaws.com`), `RemoveTargets` of a
//!   target no file declares, then `DescribeRule`, `ListTargetsByRule` and
//!   `ListTagsForResource` to read the write back.
//! - `apply --prune`: `RemoveTargets`, then `DeleteRule`, for this set's undeclared rules.
//! - `export` (when it writes rules): `ListRuleNamesByTarget`, `DescribeRule`,
//!   `ListTargetsByRule`, `ListTagsForResource`.

use super::CallError;
use super::connections::{Events, call_error, listing_bound};
use crate::desired::rule::{DesiredRule, DesiredTarget};
use crate::live::rule::{ENABLED, LiveRule, LiveTarget, TargetInput, read_retry};
use crate::outside::Outside;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::{
    DeadLetterConfig, InputTransformer, PutTargetsResultEntry, RemoveTargetsResultEntry,
    RetryPolicy, RuleState, Tag, Target,
};
use std::collections::BTreeMap;

/// How much of a failed entry's message from AWS is shown.
const ENTRY_MESSAGE_MAX: usize = 500;

/// Entries in one `PutTargets` or `RemoveTargets` request: "The maximum number of entries per
/// request is 10" (EventBridge API reference).
const ENTRIES_PER_REQUEST: usize = 10;

/// Every item of a listing of `what` (`rules`, `targets`), one page after the other: `page`
/// asks for the page after a token (`None`: the first) and gives its items and the next
/// token. Within the listing [`bounds`](crate::bounds).
async fn all_pages<T, F, Fut>(what: &str, mut page: F) -> Result<Vec<T>, CallError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), CallError>>,
{
    let mut items = Vec::new();
    let mut next_token: Option<String> = None;
    for pages in 1.. {
        let (found, next) = page(next_token.take()).await?;
        items.extend(found);
        let next = next.filter(|token| !token.is_empty());
        if let Some(bound) = listing_bound(what, pages, items.len(), next.is_some()) {
            return Err(bound);
        }
        match next {
            Some(token) => next_token = Some(token),
            None => break,
        }
    }
    Ok(items)
}

/// The names of the rules on `bus` whose names start with `prefix` (all of them for ""),
/// 100 a page.
pub(crate) async fn list_rules(
    events: &Events,
    bus: &str,
    prefix: &str,
) -> Result<Vec<String>, CallError> {
    all_pages("rules", |token| async move {
        let page = events
            .client
            .list_rules()
            .event_bus_name(bus)
            .set_name_prefix((!prefix.is_empty()).then(|| prefix.to_string()))
            .limit(100)
            .set_next_token(token)
            .send()
            .await
            .map_err(call_error(events))?;
        // Filtered again here: not every backend honours the prefix.
        let names = page
            .rules()
            .iter()
            .filter_map(|rule| rule.name())
            .filter(|name| name.starts_with(prefix))
            .map(str::to_string)
            .collect();
        Ok((names, page.next_token().map(str::to_string)))
    })
    .await
}

/// The names of the rules on `bus` that target `target_arn` (an API destination's ARN).
pub(crate) async fn rules_targeting(
    events: &Events,
    bus: &str,
    target_arn: &str,
) -> Result<Vec<String>, CallError> {
    all_pages("rules", |token| async move {
        let page = events
            .client
            .list_rule_names_by_target()
            .target_arn(target_arn)
            .event_bus_name(bus)
            .limit(100)
            .set_next_token(token)
            .send()
            .await
            .map_err(call_error(events))?;
        Ok((
            page.rule_names().to_vec(),
            page.next_token().map(str::to_string),
        ))
    })
    .await
}

/// One rule on `bus` with its targets and tags, or `None` if it does not exist (also when it
/// goes between the calls).
pub(crate) async fn read_rule(
    events: &Events,
    bus: &str,
    name: &str,
) -> Result<Option<LiveRule>, CallError> {
    let output = match events
        .client
        .describe_rule()
        .name(name)
        .event_bus_name(bus)
        .send()
        .await
    {
        Ok(output) => output,
        Err(error) if error.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(call_error(events)(error)),
    };
    let arn = output.arn().map(str::to_string);
    let Some(targets) = list_targets(events, bus, name).await? else {
        return Ok(None);
    };
    let tags = match &arn {
        Some(arn) => match list_tags(events, arn).await? {
            Some(tags) => tags,
            None => return Ok(None),
        },
        None => BTreeMap::new(),
    };
    Ok(Some(LiveRule {
        name: output.name().unwrap_or(name).to_string(),
        bus: output
            .event_bus_name()
            .filter(|bus| !bus.is_empty())
            .unwrap_or(bus)
            .to_string(),
        arn,
        pattern: output.event_pattern().map(canonical_pattern),
        state: output.state().map_or(Outside::from(ENABLED), |state| {
            Outside::from(state.as_str())
        }),
        description: output.description().map(Outside::from),
        schedule: output.schedule_expression().map(Outside::from),
        managed_by: output.managed_by().map(Outside::from),
        tags,
        targets,
    }))
}

/// An event pattern as AWS gave it back, in the canonical form a declared one is sent in
/// (keys sorted, no spaces), so key order and spacing do not count; a text that is not JSON
/// is kept as it is (and shows as a difference).
pub(crate) fn canonical_pattern(text: &str) -> Outside {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Outside::from(crate::manifest::pattern::text(&value)),
        Err(_) => Outside::from(text),
    }
}

/// Every target of a rule, 100 a page; `None` if the rule does not exist.
async fn list_targets(
    events: &Events,
    bus: &str,
    rule: &str,
) -> Result<Option<Vec<LiveTarget>>, CallError> {
    let listed = all_pages("targets", |token| async move {
        let page = events
            .client
            .list_targets_by_rule()
            .rule(rule)
            .event_bus_name(bus)
            .limit(100)
            .set_next_token(token)
            .send()
            .await
            .map_err(call_error(events))?;
        Ok((
            page.targets().iter().map(live_target).collect(),
            page.next_token().map(str::to_string),
        ))
    })
    .await;
    match listed {
        Ok(targets) => Ok(Some(targets)),
        Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => Ok(None),
        Err(error) => Err(error),
    }
}

/// A target as the SDK read it, AWS's defaults filled in.
fn live_target(target: &Target) -> LiveTarget {
    let input = match (
        target.input_transformer(),
        target.input().is_some() || target.input_path().is_some(),
    ) {
        (Some(transformer), false) => TargetInput::Transformer {
            paths: transformer
                .input_paths_map()
                .into_iter()
                .flatten()
                .map(|(variable, path)| (Outside::from(variable), Outside::from(path)))
                .collect(),
            template: Outside::from(transformer.input_template()),
        },
        (None, false) => TargetInput::Event,
        (_, true) => TargetInput::Other,
    };
    let retry = target.retry_policy();
    LiveTarget {
        id: target.id().to_string(),
        arn: target.arn().to_string(),
        role_arn: target.role_arn().map(str::to_string),
        input,
        retry: read_retry(
            retry.and_then(RetryPolicy::maximum_retry_attempts),
            retry.and_then(RetryPolicy::maximum_event_age_in_seconds),
        ),
        dead_letter_queue: target
            .dead_letter_config()
            .and_then(DeadLetterConfig::arn)
            .filter(|arn| !arn.is_empty())
            .map(str::to_string),
    }
}

/// A resource's tags, key to value; `None` if it does not exist.
async fn list_tags(
    events: &Events,
    arn: &str,
) -> Result<Option<BTreeMap<Outside, Outside>>, CallError> {
    match events
        .client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
    {
        Ok(output) => Ok(Some(
            output
                .tags()
                .iter()
                .map(|tag| (Outside::from(tag.key()), Outside::from(tag.value())))
                .collect(),
        )),
        Err(error) if error.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(error) => Err(call_error(events)(error)),
    }
}

/// Creates or replaces the rule, enabled, with every field declared; `tag` (key, value) goes
/// with it, which AWS applies only when the call creates the rule. The rule's ARN, as AWS
/// answers it.
pub(crate) async fn put_rule(
    events: &Events,
    rule: &DesiredRule,
    tag: Option<(&str, &str)>,
) -> Result<Option<String>, CallError> {
    let tags = tag.map(sdk_tag).transpose()?;
    let output = events
        .client
        .put_rule()
        .name(&rule.name)
        .event_bus_name(&rule.bus)
        .event_pattern(&rule.pattern)
        .description(&rule.description)
        .state(RuleState::from(ENABLED))
        .set_tags(tags.map(|tag| vec![tag]))
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(output.rule_arn().map(str::to_string))
}

fn sdk_tag((key, value): (&str, &str)) -> Result<Tag, CallError> {
    Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|error| CallError::built(format!("the tag `{key}` is incomplete"), error))
}

/// Adds `tag` (key, value) to the rule `arn`, replacing the value of a tag with that key.
pub(crate) async fn tag_rule(
    events: &Events,
    arn: &str,
    tag: (&str, &str),
) -> Result<(), CallError> {
    let tag = sdk_tag(tag)?;
    events
        .client
        .tag_resource()
        .resource_arn(arn)
        .tags(tag)
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(())
}

/// Puts every declared target of `rule` on it, each with the ARN of its API destination
/// (`destination_arns`, in the order of the rule's targets): each replaces the target with its
/// id, at most 10 a request. The retry policy is always sent, AWS's defaults as themselves. A
/// target AWS did not take fails the whole, naming it.
pub(crate) async fn put_targets(
    events: &Events,
    rule: &DesiredRule,
    destination_arns: &[&str],
) -> Result<(), CallError> {
    let targets: Vec<(&DesiredTarget, &str)> = rule
        .targets
        .iter()
        .zip(destination_arns.iter().copied())
        .collect();
    for chunk in targets.chunks(ENTRIES_PER_REQUEST) {
        let built = chunk
            .iter()
            .map(|(target, arn)| sdk_target(target, arn))
            .collect::<Result<Vec<_>, _>>()?;
        let output = events
            .client
            .put_targets()
            .rule(&rule.name)
            .event_bus_name(&rule.bus)
            .set_targets(Some(built))
            .send()
            .await
            .map_err(call_error(events))?;
        let failed: Vec<Failed<'_>> = output.failed_entries().iter().map(Failed::from).collect();
        entries_taken("put", &rule.name, output.failed_entry_count(), &failed)?;
    }
    Ok(())
}

/// Removes the targets `ids` from the rule, at most 10 a request. A target AWS did not remove
/// fails the whole, naming it.
pub(crate) async fn remove_targets(
    events: &Events,
    rule: &str,
    bus: &str,
    ids: &[&str],
) -> Result<(), CallError> {
    for chunk in ids.chunks(ENTRIES_PER_REQUEST) {
        let output = events
            .client
            .remove_targets()
            .rule(rule)
            .event_bus_name(bus)
            .set_ids(Some(chunk.iter().map(|id| id.to_string()).collect()))
            .send()
            .await
            .map_err(call_error(events))?;
        let failed: Vec<Failed<'_>> = output.failed_entries().iter().map(Failed::from).collect();
        entries_taken("remove", rule, output.failed_entry_count(), &failed)?;
    }
    Ok(())
}

/// Removes the rule's targets `ids` (every target it has: AWS refuses to delete a rule that
/// has any), then deletes the rule. A rule already gone is no failure.
pub(crate) async fn delete_rule(
    events: &Events,
    name: &str,
    bus: &str,
    target_ids: &[&str],
) -> Result<(), CallError> {
    if !target_ids.is_empty() {
        match remove_targets(events, name, bus, target_ids).await {
            Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => {
                return Ok(());
            }
            other => other?,
        }
    }
    match events
        .client
        .delete_rule()
        .name(name)
        .event_bus_name(bus)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error) if error.code() == Some("ResourceNotFoundException") => Ok(()),
        Err(error) => Err(call_error(events)(error)),
    }
}

/// The SDK's target for a declared one, invoking the API destination `arn`.
fn sdk_target(target: &DesiredTarget, arn: &str) -> Result<Target, CallError> {
    let transformer = InputTransformer::builder()
        .set_input_paths_map(Some(
            target
                .input
                .input_paths_map
                .iter()
                .map(|(variable, path)| (variable.clone(), path.clone()))
                .collect(),
        ))
        .input_template(&target.input.input_template)
        .build()
        .map_err(|error| {
            CallError::built(
                format!(
                    "the input transformer of target `{}` is incomplete",
                    target.id
                ),
                error,
            )
        })?;
    Target::builder()
        .id(&target.id)
        .arn(arn)
        .role_arn(&target.role_arn)
        .input_transformer(transformer)
        .retry_policy(
            RetryPolicy::builder()
                .maximum_retry_attempts(count(target.retry.maximum_retry_attempts))
                .maximum_event_age_in_seconds(count(target.retry.maximum_event_age_seconds))
                .build(),
        )
        .set_dead_letter_config(
            target
                .dead_letter_queue
                .as_ref()
                .map(|arn| DeadLetterConfig::builder().arn(arn).build()),
        )
        .build()
        .map_err(|error| {
            CallError::built(format!("the target `{}` is incomplete", target.id), error)
        })
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One entry AWS did not take, as its answer names it.
struct Failed<'a> {
    target: Option<&'a str>,
    code: Option<&'a str>,
    message: Option<&'a str>,
}

impl<'a> From<&'a PutTargetsResultEntry> for Failed<'a> {
    fn from(entry: &'a PutTargetsResultEntry) -> Self {
        let (target, code, message) =
            (entry.target_id(), entry.error_code(), entry.error_message());
        Failed {
            target,
            code,
            message,
        }
    }
}

impl<'a> From<&'a RemoveTargetsResultEntry> for Failed<'a> {
    fn from(entry: &'a RemoveTargetsResultEntry) -> Self {
        let (target, code, message) =
            (entry.target_id(), entry.error_code(), entry.error_message());
        Failed {
            target,
            code,
            message,
        }
    }
}

/// `Ok` when AWS took every entry of a `PutTargets` or `RemoveTargets` (`verb`: `put`,
/// `remove`) on `rule`; otherwise the failure, naming each target it did not take, with AWS's
/// code (the first one's, so it gets its hint) and message. Pure.
fn entries_taken(
    verb: &str,
    rule: &str,
    failed_count: i32,
    failed: &[Failed<'_>],
) -> Result<(), CallError> {
    if failed_count <= 0 && failed.is_empty() {
        return Ok(());
    }
    let described: Vec<String> = failed
        .iter()
        .map(|entry| {
            let target = entry.target.map_or_else(
                || "a target AWS did not name".to_string(),
                |id| format!("target `{}`", Outside::from(id)),
            );
            let why = match (entry.code, entry.message) {
                (Some(code), Some(message)) => format!(
                    "{}: {}",
                    Outside::from(code),
                    Outside::read(message, ENTRY_MESSAGE_MAX)
                ),
                (Some(code), None) => Outside::from(code).to_string(),
                (None, Some(message)) => Outside::read(message, ENTRY_MESSAGE_MAX).to_string(),
                (None, None) => "no reason given".to_string(),
            };
            format!("{target} ({why})")
        })
        .collect();
    let message = if described.is_empty() {
        format!(
            "EventBridge did not {verb} {failed_count} target(s) of rule `{rule}` and named none of them"
        )
    } else {
        format!(
            "EventBridge did not {verb} {} of rule `{rule}`: {}",
            if described.len() == 1 {
                "a target"
            } else {
                "targets"
            },
            described.join("; ")
        )
    };
    Err(match failed.iter().find_map(|entry| entry.code) {
        Some(code) => CallError::with_code(code, message),
        None => CallError::local(message),
    })
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
    fn every_target_taken_is_a_success() {
        assert_eq!(entries_taken("put", "orders", 0, &[]), Ok(()));
    }

    #[test]
    fn a_target_not_taken_is_a_failure_naming_it_with_aws_s_code() {
        let error = entries_taken(
            "put",
            "orders-to-salesforce",
            1,
            &[Failed {
                target: Some("acme-order-events"),
                code: Some("ConcurrentModificationException"),
                message: Some("Too many requests at the same time"),
            }],
        )
        .unwrap_err();
        assert_eq!(
            error.message,
            "EventBridge did not put a target of rule `orders-to-salesforce`: target `acme-order-events` (ConcurrentModificationException: Too many requests at the same time)"
        );
        assert_eq!(
            error.code.as_deref(),
            Some("ConcurrentModificationException")
        );
    }

    #[test]
    fn a_failure_count_without_entries_is_still_a_failure() {
        let error = entries_taken("remove", "orders", 2, &[]).unwrap_err();
        assert_eq!(
            error.message,
            "EventBridge did not remove 2 target(s) of rule `orders` and named none of them"
        );
        assert_eq!(error.code, None);
    }

    #[test]
    fn what_aws_wrote_in_a_failed_entry_is_shown_escaped() {
        let error = entries_taken(
            "put",
            "orders",
            1,
            &[Failed {
                target: Some("t\u{1b}[2J"),
                code: None,
                message: Some("bad\n::error::x"),
            }],
        )
        .unwrap_err();
        assert_eq!(
            error.message,
            "EventBridge did not put a target of rule `orders`: target `t\\u001b[2J` (bad\\n::error::x)"
        );
    }
}
