//! The EventBridge rule calls ([`crate::aws::rules`]) against mocked answers shaped after the
//! EventBridge API reference: pages that go on with `NextToken`, a target without a
//! `RetryPolicy` or `DeadLetterConfig` (what AWS gives back when none was put), a missing rule
//! answered `ResourceNotFoundException`, and `PutTargets` answering HTTP 200 with a nonzero
//! `FailedEntryCount` ("This action can partially fail if too many requests are made at the
//! same time": `PutTargets`, `RemoveTargets`).

use super::support::*;
use crate::aws::connections::Events;
use crate::aws::rules::{
    delete_rule, list_rules, put_rule, put_targets, read_rule, remove_targets, rules_targeting,
    tag_rule,
};
use crate::desired::rule::{DesiredRule, DesiredTarget};
use crate::live::rule::TargetInput;
use crate::route::RetryPolicy as Retry;
use aws_sdk_eventbridge::operation::delete_rule::DeleteRuleOutput;
use aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput;
use aws_sdk_eventbridge::operation::list_rule_names_by_target::ListRuleNamesByTargetOutput;
use aws_sdk_eventbridge::operation::list_rules::ListRulesOutput;
use aws_sdk_eventbridge::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_eventbridge::operation::list_targets_by_rule::ListTargetsByRuleOutput;
use aws_sdk_eventbridge::operation::put_rule::PutRuleOutput;
use aws_sdk_eventbridge::operation::put_targets::PutTargetsOutput;
use aws_sdk_eventbridge::operation::remove_targets::RemoveTargetsOutput;
use aws_sdk_eventbridge::types::{
    DeadLetterConfig, InputTransformer, PutTargetsResultEntry, RetryPolicy, Rule as AwsRule,
    RuleState, Tag, Target,
};
use aws_smithy_mocks::{Rule, mock};
use std::sync::{Arc, Mutex};

const BUS: &str = "orders-bus";

fn rule_arn(name: &str) -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{BUS}/{name}")
}

fn destination_arn(name: &str) -> String {
    format!(
        "arn:aws:events:{REGION}:{ACCOUNT}:api-destination/{name}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    )
}

async fn events(rules: &[&Rule]) -> Events {
    Events {
        client: eventbridge(rules).await,
        reach: crate::aws::Reach::for_tests(),
    }
}

/// `DescribeRule` of `name` on [`BUS`], its pattern written with other spacing and key order
/// than sent, and no `State` (AWS's default, `ENABLED`, is read).
fn describe(name: &'static str) -> Rule {
    mock!(aws_sdk_eventbridge::Client::describe_rule)
        .match_requests(move |request| {
            request.name() == Some(name) && request.event_bus_name() == Some(BUS)
        })
        .then_output(move || {
            DescribeRuleOutput::builder()
                .name(name)
                .arn(rule_arn(name))
                .event_bus_name(BUS)
                .event_pattern(
                    r#"{ "source": ["com.acme.orders"], "detail-type": ["OrderPlaced"] }"#,
                )
                .description("Orders to Salesforce")
                .created_by(ACCOUNT)
                .build()
        })
}

fn transformer() -> InputTransformer {
    InputTransformer::builder()
        .input_paths_map("Order_Id__c", "$.detail.id")
        .input_template(r#"{"Order_Id__c": <Order_Id__c>}"#)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_rule_is_read_with_its_targets_from_every_page_and_its_tags() {
    let name = "orders-to-salesforce";
    let first = mock!(aws_sdk_eventbridge::Client::list_targets_by_rule)
        .match_requests(move |request| {
            request.rule() == Some(name) && request.next_token().is_none()
        })
        .then_output(|| {
            ListTargetsByRuleOutput::builder()
                .targets(
                    Target::builder()
                        .id("acme-order-events")
                        .arn(destination_arn("acme-order-events"))
                        .role_arn("arn:aws:iam::111111111111:role/invoke")
                        .input_transformer(transformer())
                        .retry_policy(
                            RetryPolicy::builder()
                                .maximum_retry_attempts(10)
                                .maximum_event_age_in_seconds(3600)
                                .build(),
                        )
                        .dead_letter_config(
                            DeadLetterConfig::builder()
                                .arn("arn:aws:sqs:us-east-1:111111111111:orders-dlq")
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_eventbridge::Client::list_targets_by_rule)
        .match_requests(move |request| {
            request.rule() == Some(name) && request.next_token() == Some("page-2")
        })
        .then_output(|| {
            ListTargetsByRuleOutput::builder()
                .targets(
                    Target::builder()
                        .id("by-hand")
                        .arn(destination_arn("other"))
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let tags = mock!(aws_sdk_eventbridge::Client::list_tags_for_resource)
        .match_requests(move |request| request.resource_arn() == Some(rule_arn(name).as_str()))
        .then_output(|| {
            ListTagsForResourceOutput::builder()
                .tags(
                    Tag::builder()
                        .key("provision:set")
                        .value("payments-team")
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let describe = describe(name);
    let events = events(&[&describe, &first, &second, &tags]).await;

    let rule = read_rule(&events, BUS, name).await.unwrap().expect("found");

    assert_eq!(rule.bus, BUS);
    assert_eq!(rule.state, "ENABLED");
    assert_eq!(
        rule.pattern.as_ref().map(|p| p.as_str()),
        Some(r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#)
    );
    let owner = crate::ownership::Owner::of_tags(rule.tag_pairs());
    assert!(owner.is(&crate::ownership::OwnershipSet::parse("payments-team").unwrap()));
    let ids: Vec<&str> = rule.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["acme-order-events", "by-hand"]);
    let declared = rule.target("acme-order-events").unwrap();
    assert_eq!(
        declared.retry,
        Retry {
            maximum_retry_attempts: 10,
            maximum_event_age_seconds: 3600
        }
    );
    assert_eq!(
        declared.dead_letter_queue.as_deref(),
        Some("arn:aws:sqs:us-east-1:111111111111:orders-dlq")
    );
    match &declared.input {
        TargetInput::Transformer { paths, template } => {
            assert_eq!(paths.len(), 1);
            assert_eq!(
                paths.iter().next().map(|(k, v)| (k.as_str(), v.as_str())),
                Some(("Order_Id__c", "$.detail.id"))
            );
            assert_eq!(template, r#"{"Order_Id__c": <Order_Id__c>}"#);
        }
        other => panic!("an input transformer was read, not {other:?}"),
    }
    // Nothing read back for retries and the dead-letter queue: AWS's defaults.
    let by_hand = rule.target("by-hand").unwrap();
    assert_eq!(by_hand.retry, Retry::AWS_DEFAULT);
    assert_eq!(by_hand.dead_letter_queue, None);
    assert_eq!(by_hand.input, TargetInput::Event);
}

#[tokio::test]
async fn a_rule_that_does_not_exist_reads_as_none() {
    let missing = mock!(aws_sdk_eventbridge::Client::describe_rule).then_http_response(|| {
        aws_error(
            400,
            "ResourceNotFoundException",
            "Rule gone does not exist on EventBus orders-bus.",
        )
    });
    let events = events(&[&missing]).await;
    assert_eq!(read_rule(&events, BUS, "gone").await.unwrap(), None);
}

#[tokio::test]
async fn rules_are_listed_on_their_bus_by_prefix_across_pages() {
    let page = |token: Option<&'static str>,
                names: &'static [&'static str],
                next: Option<&'static str>| {
        mock!(aws_sdk_eventbridge::Client::list_rules)
            .match_requests(move |request| {
                request.next_token() == token
                    && request.event_bus_name() == Some(BUS)
                    && request.name_prefix() == Some("acme-")
                    && request.limit() == Some(100)
            })
            .then_output(move || {
                ListRulesOutput::builder()
                    .set_rules(Some(
                        names
                            .iter()
                            .map(|name| AwsRule::builder().name(*name).build())
                            .collect(),
                    ))
                    .set_next_token(next.map(str::to_string))
                    .build()
            })
    };
    // The second page holds a name without the prefix: a backend that ignores NamePrefix.
    let first = page(None, &["acme-a", "acme-b"], Some("t1"));
    let second = page(Some("t1"), &["acme-c", "other"], None);
    let events = events(&[&first, &second]).await;
    assert_eq!(
        list_rules(&events, BUS, "acme-").await.unwrap(),
        ["acme-a", "acme-b", "acme-c"]
    );
}

#[tokio::test]
async fn the_rules_routing_to_a_destination_are_listed_by_its_arn_on_the_bus() {
    let arn = destination_arn("acme-order-events");
    let matched = arn.clone();
    let by_target = mock!(aws_sdk_eventbridge::Client::list_rule_names_by_target)
        .match_requests(move |request| {
            request.target_arn() == Some(matched.as_str()) && request.event_bus_name() == Some(BUS)
        })
        .then_output(|| {
            ListRuleNamesByTargetOutput::builder()
                .rule_names("orders-to-salesforce")
                .build()
        });
    let events = events(&[&by_target]).await;
    assert_eq!(
        rules_targeting(&events, BUS, &arn).await.unwrap(),
        ["orders-to-salesforce"]
    );
}

#[tokio::test]
async fn a_rule_is_put_with_every_field_and_the_set_s_tag() {
    let put = mock!(aws_sdk_eventbridge::Client::put_rule)
        .match_requests(|request| {
            request.name() == Some("orders-to-salesforce")
                && request.event_bus_name() == Some(BUS)
                && request.event_pattern() == Some(r#"{"source":["com.acme.orders"]}"#)
                && request.state() == Some(&RuleState::Enabled)
                && request.description() == Some("[managed by provision]")
                && request
                    .tags()
                    .iter()
                    .map(|tag| (tag.key(), tag.value()))
                    .eq([("provision:set", "default")])
        })
        .then_output(|| {
            PutRuleOutput::builder()
                .rule_arn(rule_arn("orders-to-salesforce"))
                .build()
        });
    let events = events(&[&put]).await;
    let arn = put_rule(
        &events,
        &desired_rule(&["acme-order-events"]),
        Some(crate::ownership::OwnershipSet::default().tag()),
    )
    .await
    .unwrap();
    assert_eq!(arn, Some(rule_arn("orders-to-salesforce")));
}

#[tokio::test]
async fn a_rule_made_before_is_tagged_for_the_set_that_adopts_it() {
    // PutRule ignores Tags on a rule that exists (EventBridge API reference, PutRule), so
    // adopting one tags it with TagResource.
    let arn = rule_arn("made-by-hand");
    let matched = arn.clone();
    let tag = mock!(aws_sdk_eventbridge::Client::tag_resource)
        .match_requests(move |request| {
            request.resource_arn() == Some(matched.as_str())
                && request
                    .tags()
                    .iter()
                    .map(|tag| (tag.key(), tag.value()))
                    .eq([("provision:set", "payments-team")])
        })
        .then_output(|| {
            aws_sdk_eventbridge::operation::tag_resource::TagResourceOutput::builder().build()
        });
    let events = events(&[&tag]).await;
    let set = crate::ownership::OwnershipSet::parse("payments-team").unwrap();
    tag_rule(&events, &arn, set.tag()).await.unwrap();
    assert_eq!(tag.num_calls(), 1);
}

/// A declared rule on [`BUS`] with a target per destination in `destinations`, AWS's retry
/// defaults and no dead-letter queue.
fn desired_rule(destinations: &[&str]) -> DesiredRule {
    let origin = crate::error::Location::file(std::path::Path::new("c.yaml"));
    DesiredRule {
        name: "orders-to-salesforce".into(),
        bus: BUS.into(),
        place: crate::tests::place(REGION),
        pattern: r#"{"source":["com.acme.orders"]}"#.into(),
        description: "[managed by provision]".into(),
        targets: destinations
            .iter()
            .map(|destination| DesiredTarget {
                id: destination.to_string(),
                destination: destination.to_string(),
                role_arn: "arn:aws:iam::111111111111:role/invoke".into(),
                input: crate::route::InputTransformer {
                    input_paths_map: [("Order_Id__c".to_string(), "$.detail.id".to_string())]
                        .into(),
                    input_template: r#"{"Order_Id__c": <Order_Id__c>}"#.into(),
                },
                retry: Retry::AWS_DEFAULT,
                dead_letter_queue: None,
                sample: None,
                origin: origin.clone(),
            })
            .collect(),
        origin,
    }
}

#[tokio::test]
async fn a_target_aws_did_not_take_fails_the_put_naming_it() {
    let put = mock!(aws_sdk_eventbridge::Client::put_targets)
        .match_requests(|request| {
            // AWS's defaults are sent as themselves, so what is read back matches.
            request.rule() == Some("orders-to-salesforce")
                && request.event_bus_name() == Some(BUS)
                && request.targets().iter().all(|target| {
                    target.retry_policy()
                        == Some(
                            &RetryPolicy::builder()
                                .maximum_retry_attempts(185)
                                .maximum_event_age_in_seconds(86_400)
                                .build(),
                        )
                        && target.dead_letter_config().is_none()
                        && target.input_transformer() == Some(&transformer())
                })
        })
        .then_output(|| {
            PutTargetsOutput::builder()
                .failed_entry_count(1)
                .failed_entries(
                    PutTargetsResultEntry::builder()
                        .target_id("second")
                        .error_code("ConcurrentModificationException")
                        .error_message("Too many requests at the same time.")
                        .build(),
                )
                .build()
        });
    let events = events(&[&put]).await;
    let first = destination_arn("first");
    let second = destination_arn("second");
    let error = put_targets(
        &events,
        &desired_rule(&["first", "second"]),
        &[&first, &second],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.message,
        "EventBridge did not put a target of rule `orders-to-salesforce`: target `second` (ConcurrentModificationException: Too many requests at the same time.)"
    );
}

#[tokio::test]
async fn a_rule_is_deleted_after_its_targets_are_removed() {
    let calls = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = calls.clone();
    let remove = mock!(aws_sdk_eventbridge::Client::remove_targets)
        .match_requests(move |request| {
            seen.lock()
                .unwrap()
                .push(format!("RemoveTargets {:?}", request.ids()));
            request.rule() == Some("stale") && request.event_bus_name() == Some(BUS)
        })
        .then_output(|| RemoveTargetsOutput::builder().failed_entry_count(0).build());
    let seen = calls.clone();
    let delete = mock!(aws_sdk_eventbridge::Client::delete_rule)
        .match_requests(move |request| {
            seen.lock().unwrap().push("DeleteRule".to_string());
            request.name() == Some("stale") && request.event_bus_name() == Some(BUS)
        })
        .then_output(|| DeleteRuleOutput::builder().build());
    let events = events(&[&remove, &delete]).await;
    delete_rule(&events, "stale", BUS, &["a", "b"])
        .await
        .unwrap();
    assert_eq!(
        *calls.lock().unwrap(),
        [r#"RemoveTargets ["a", "b"]"#, "DeleteRule"]
    );
}

#[tokio::test]
async fn a_target_aws_did_not_remove_fails_naming_it() {
    let remove = mock!(aws_sdk_eventbridge::Client::remove_targets).then_output(|| {
        RemoveTargetsOutput::builder()
            .failed_entry_count(1)
            .failed_entries(
                aws_sdk_eventbridge::types::RemoveTargetsResultEntry::builder()
                    .target_id("a")
                    .error_code("ConcurrentModificationException")
                    .build(),
            )
            .build()
    });
    let events = events(&[&remove]).await;
    let error = remove_targets(&events, "stale", BUS, &["a"])
        .await
        .unwrap_err();
    assert_eq!(
        error.message,
        "EventBridge did not remove a target of rule `stale`: target `a` (ConcurrentModificationException)"
    );
}
