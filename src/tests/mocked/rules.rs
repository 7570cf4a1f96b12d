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
use crate::plan::ResourceChange;
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

/// One destination with the issue's rule on the default bus, and one with no rule.
const ROUTED: &str = "destinations:\n  \
     - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n      \
       - name: orders-to-salesforce\n        \
         pattern: {source: [com.acme.orders]}\n        \
         body: {Order_Id__c: $.detail.id}\n        \
         role: arn:aws:iam::111111111111:role/invoke\n  \
     - name: acme-quiet\n    event: Order_Placed__e\n";

/// `DescribeRule`, `ListTargetsByRule` and `ListTagsForResource` of a rule on the default bus,
/// as AWS answers for `live`.
fn rule_in_aws(live: AwsRuleLive) -> Vec<Rule> {
    let arn = format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{}", live.name);
    let (name, tags_arn, described_arn) = (live.name, arn.clone(), arn);
    let targets = live.targets.clone();
    let tags = live.tags.clone();
    vec![
        mock!(aws_sdk_eventbridge::Client::describe_rule)
            .match_requests(move |request| request.name() == Some(name))
            .then_output(move || {
                DescribeRuleOutput::builder()
                    .name(name)
                    .arn(&described_arn)
                    .event_bus_name("default")
                    .event_pattern(live.pattern)
                    .description("[managed by provision]")
                    .state(RuleState::Enabled)
                    .build()
            }),
        mock!(aws_sdk_eventbridge::Client::list_targets_by_rule)
            .match_requests(move |request| request.rule() == Some(name))
            .then_output(move || {
                ListTargetsByRuleOutput::builder()
                    .set_targets(Some(targets.clone()))
                    .build()
            }),
        mock!(aws_sdk_eventbridge::Client::list_tags_for_resource)
            .match_requests(move |request| request.resource_arn() == Some(tags_arn.as_str()))
            .then_output(move || {
                ListTagsForResourceOutput::builder()
                    .set_tags(Some(
                        tags.iter()
                            .map(|(key, value)| {
                                Tag::builder().key(*key).value(*value).build().unwrap()
                            })
                            .collect(),
                    ))
                    .build()
            }),
    ]
}

#[derive(Clone)]
struct AwsRuleLive {
    name: &'static str,
    pattern: &'static str,
    tags: Vec<(&'static str, &'static str)>,
    targets: Vec<Target>,
}

/// The target provision writes for `desired`'s first target, as `ListTargetsByRule` gives it
/// back (no retry policy, no dead-letter queue: AWS's defaults).
fn written_target(desired: &DesiredRule) -> Target {
    let target = &desired.targets[0];
    let mut transformer = InputTransformer::builder().input_template(&target.input.input_template);
    for (variable, path) in &target.input.input_paths_map {
        transformer = transformer.input_paths_map(variable, path);
    }
    Target::builder()
        .id(&target.id)
        .arn(destination_arn(&target.destination))
        .role_arn(&target.role_arn)
        .input_transformer(transformer.build().unwrap())
        .build()
        .unwrap()
}

/// `ListRules` on the default bus answering `names`.
fn rules_listed(names: &'static [&'static str]) -> Rule {
    mock!(aws_sdk_eventbridge::Client::list_rules)
        .match_requests(|request| request.event_bus_name() == Some("default"))
        .then_output(move || {
            ListRulesOutput::builder()
                .set_rules(Some(
                    names
                        .iter()
                        .map(|name| AwsRule::builder().name(*name).build())
                        .collect(),
                ))
                .build()
        })
}

/// `ListRuleNamesByTarget` of `destination` answering `rules`.
fn routed_by(destination: &'static str, rules: &'static [&'static str]) -> Rule {
    let arn = destination_arn(destination);
    mock!(aws_sdk_eventbridge::Client::list_rule_names_by_target)
        .match_requests(move |request| request.target_arn() == Some(arn.as_str()))
        .then_output(move || {
            ListRuleNamesByTargetOutput::builder()
                .set_rule_names(Some(rules.iter().map(|r| r.to_string()).collect()))
                .build()
        })
}

fn both_destinations_exist() -> std::collections::BTreeMap<String, String> {
    ["acme-order-events", "acme-quiet"]
        .into_iter()
        .map(|name| (name.to_string(), destination_arn(name)))
        .collect()
}

#[tokio::test]
async fn the_set_s_undeclared_rule_is_pruned_and_an_untagged_one_is_never_touched() {
    use crate::engine::rules::plan_rules;
    use crate::plan::Action;
    use crate::plan::connection::PlanOptions;
    let declared = declare_with(&["sf-acme"], ROUTED);
    let desired = DesiredRule::all(
        &declared.specs,
        &crate::tests::place(REGION),
        &crate::ownership::OwnershipSet::default(),
    );
    let in_aws = |name, tags| AwsRuleLive {
        name,
        pattern: r#"{ "source": ["com.acme.orders"] }"#,
        tags,
        targets: vec![written_target(&desired[0])],
    };
    let mut mocks = vec![rules_listed(&[
        "orders-to-salesforce",
        "stale-of-the-set",
        "made-by-hand",
    ])];
    mocks.extend(rule_in_aws(in_aws(
        "orders-to-salesforce",
        vec![("provision:set", "default")],
    )));
    mocks.extend(rule_in_aws(in_aws(
        "stale-of-the-set",
        vec![("provision:set", "default")],
    )));
    mocks.extend(rule_in_aws(in_aws("made-by-hand", vec![("team", "x")])));
    mocks.push(routed_by("acme-order-events", &["orders-to-salesforce"]));
    mocks.push(routed_by("acme-quiet", &[]));
    let events = events(&mocks.iter().collect::<Vec<_>>()).await;
    let context = context(events.client, secrets_manager(&[]).await);

    let prune = PlanOptions {
        prune: true,
        ..Default::default()
    };
    let rules = plan_rules(
        &context,
        &declared.specs,
        &both_destinations_exist(),
        &prune,
    )
    .await
    .unwrap();
    assert_eq!(rules.declared.len(), 1);
    assert_eq!(
        rules.declared[0].change.action(),
        Action::InSync,
        "read back as written: {:?}",
        rules.declared[0].changes
    );
    let pruned: Vec<&str> = rules
        .pruned
        .iter()
        .map(|plan| match &plan.change {
            crate::plan::rule::RuleChange::Delete { live } => live.name.as_str(),
            other => panic!("a deletion, not {other:?}"),
        })
        .collect();
    assert_eq!(pruned, ["stale-of-the-set"]);
    assert_eq!(rules.unrouted, ["acme-quiet"]);

    let noted = plan_rules(
        &context,
        &declared.specs,
        &both_destinations_exist(),
        &PlanOptions::default(),
    )
    .await
    .unwrap();
    assert!(noted.pruned.is_empty());
    assert_eq!(
        noted.orphans,
        [("default".to_string(), "stale-of-the-set".to_string())]
    );
}

#[tokio::test]
async fn a_destination_a_rule_made_by_hand_routes_to_is_not_named_unrouted() {
    use crate::engine::rules::plan_rules;
    use crate::plan::connection::PlanOptions;
    let declared = declare_with(&["sf-acme"], ROUTED);
    let listed = rules_listed(&[]);
    let routed = routed_by("acme-order-events", &[]);
    let by_hand = routed_by("acme-quiet", &["made-in-the-console"]);
    let events = events(&[&listed, &routed, &by_hand]).await;
    let context = context(events.client, secrets_manager(&[]).await);
    let rules = plan_rules(
        &context,
        &declared.specs,
        &both_destinations_exist(),
        &PlanOptions::default(),
    )
    .await
    .unwrap();
    // The declared rule routes to the first (it is yet to be created); a rule made by hand to
    // the second.
    assert_eq!(
        rules.declared[0].change.action(),
        crate::plan::Action::Create
    );
    assert!(rules.unrouted.is_empty(), "{:?}", rules.unrouted);
}

/// The calls of a test, in the order they were sent (each mock notes its operation when it
/// answers).
#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    fn note(&self, call: String) {
        self.0.lock().unwrap().push(call);
    }

    fn taken(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// `DescribeApiDestination` of `name`: it exists, with its ARN.
fn destination_exists(name: &'static str, calls: &Calls) -> Rule {
    let calls = calls.clone();
    mock!(aws_sdk_eventbridge::Client::describe_api_destination)
        .match_requests(move |request| request.name() == Some(name))
        .then_output(move || {
            calls.note(format!("DescribeApiDestination {name}"));
            aws_sdk_eventbridge::operation::describe_api_destination::DescribeApiDestinationOutput::builder()
                .name(name)
                .api_destination_arn(destination_arn(name))
                .build()
        })
}

/// Mocks that note every write, answer it as AWS does, and answer the read back with the
/// rule as written (`written`'s targets, the set's tag).
fn writes(calls: &Calls, written: AwsRuleLive) -> Vec<Rule> {
    let mut rules = Vec::new();
    let c = calls.clone();
    rules.push(
        mock!(aws_sdk_eventbridge::Client::put_rule).then_compute_output(move |request| {
            let tags: Vec<String> = request
                .tags()
                .iter()
                .map(|t| format!("{}={}", t.key(), t.value()))
                .collect();
            c.note(format!(
                "PutRule {} tags {tags:?}",
                request.name().unwrap_or_default()
            ));
            PutRuleOutput::builder()
                .rule_arn(format!(
                    "arn:aws:events:{REGION}:{ACCOUNT}:rule/{}",
                    request.name().unwrap_or_default()
                ))
                .build()
        }),
    );
    let c = calls.clone();
    rules.push(
        mock!(aws_sdk_eventbridge::Client::put_targets).then_compute_output(move |request| {
            let ids: Vec<&str> = request.targets().iter().map(|t| t.id()).collect();
            c.note(format!("PutTargets {ids:?}"));
            PutTargetsOutput::builder().failed_entry_count(0).build()
        }),
    );
    let c = calls.clone();
    rules.push(
        mock!(aws_sdk_eventbridge::Client::remove_targets).then_compute_output(move |request| {
            c.note(format!("RemoveTargets {:?}", request.ids()));
            RemoveTargetsOutput::builder().failed_entry_count(0).build()
        }),
    );
    let c = calls.clone();
    rules.push(
        mock!(aws_sdk_eventbridge::Client::tag_resource).then_compute_output(move |request| {
            let tags: Vec<String> = request
                .tags()
                .iter()
                .map(|t| format!("{}={}", t.key(), t.value()))
                .collect();
            c.note(format!("TagResource {tags:?}"));
            aws_sdk_eventbridge::operation::tag_resource::TagResourceOutput::builder().build()
        }),
    );
    let c = calls.clone();
    rules.push(
        mock!(aws_sdk_eventbridge::Client::delete_rule).then_compute_output(move |request| {
            c.note(format!("DeleteRule {}", request.name().unwrap_or_default()));
            DeleteRuleOutput::builder().build()
        }),
    );
    rules.extend(rule_in_aws(written));
    rules
}

/// The issue's rule as declared in [`ROUTED`], and the run's options.
fn declared_rule() -> (Declared, DesiredRule) {
    let declared = declare_with(&["sf-acme"], ROUTED);
    let desired = DesiredRule::all(
        &declared.specs,
        &crate::tests::place(REGION),
        &crate::ownership::OwnershipSet::default(),
    )
    .remove(0);
    (declared, desired)
}

/// A context whose EventBridge notes every write in `calls` and reads back `name` as written
/// with `pattern` (the set's tag, `desired`'s target), its destination existing.
async fn written_world(
    calls: &Calls,
    name: &'static str,
    pattern: &'static str,
    desired: &DesiredRule,
) -> crate::engine::Context {
    let mut mocks = writes(
        calls,
        AwsRuleLive {
            name,
            pattern,
            tags: vec![("provision:set", "default")],
            targets: vec![written_target(desired)],
        },
    );
    mocks.push(destination_exists("acme-order-events", calls));
    let events = events(&mocks.iter().collect::<Vec<_>>()).await;
    context(events.client, secrets_manager(&[]).await)
}

#[tokio::test]
async fn a_rule_is_created_tagged_after_its_destination_then_its_targets_and_read_back() {
    use crate::engine::rules::apply_rule;
    use crate::plan::connection::PlanOptions;
    let (_declared, desired) = declared_rule();
    let calls = Calls::default();
    let context = written_world(
        &calls,
        "orders-to-salesforce",
        r#"{"source":["com.acme.orders"]}"#,
        &desired,
    )
    .await;
    let options = PlanOptions::default();
    let plan = crate::plan::rule::plan_rule(desired, None, &Default::default(), &options);

    let outcome = apply_rule(&context, &plan.change, &options).await;

    assert_eq!(outcome, Ok(crate::plan::Outcome::Created));
    assert_eq!(
        calls.taken(),
        [
            "DescribeApiDestination acme-order-events",
            r#"PutRule orders-to-salesforce tags ["provision:set=default"]"#,
            r#"PutTargets ["acme-order-events"]"#,
        ]
    );
}

#[tokio::test]
async fn an_adopted_rule_is_tagged_and_loses_the_targets_no_file_declares() {
    use crate::engine::rules::apply_rule;
    use crate::plan::connection::PlanOptions;
    let (_declared, desired) = declared_rule();
    let calls = Calls::default();
    let context = written_world(
        &calls,
        "orders-to-salesforce",
        r#"{"source":["com.acme.orders"]}"#,
        &desired,
    )
    .await;
    // Made by hand: no tag, a pattern of its own, and a second target.
    let mut by_hand = crate::live::rule::LiveRule {
        name: "orders-to-salesforce".into(),
        bus: "default".into(),
        arn: Some(format!(
            "arn:aws:events:{REGION}:{ACCOUNT}:rule/orders-to-salesforce"
        )),
        pattern: Some(r#"{"source":["other"]}"#.into()),
        state: "ENABLED".into(),
        description: None,
        schedule: None,
        managed_by: None,
        tags: Default::default(),
        targets: Vec::new(),
    };
    for id in ["acme-order-events", "added-by-hand"] {
        by_hand.targets.push(crate::live::rule::LiveTarget {
            id: id.into(),
            arn: destination_arn(id),
            role_arn: None,
            input: TargetInput::Event,
            retry: Retry::AWS_DEFAULT,
            dead_letter_queue: None,
        });
    }
    let options = PlanOptions {
        adopt: true,
        ..Default::default()
    };
    let arns = [(
        "acme-order-events".to_string(),
        destination_arn("acme-order-events"),
    )]
    .into();
    let plan = crate::plan::rule::plan_rule(desired, Some(by_hand), &arns, &options);
    assert_eq!(plan.change.action(), crate::plan::Action::Adopt);

    let outcome = apply_rule(&context, &plan.change, &options).await;

    assert_eq!(outcome, Ok(crate::plan::Outcome::Updated));
    assert_eq!(
        calls.taken(),
        [
            "DescribeApiDestination acme-order-events",
            // PutRule ignores tags on a rule that exists: none sent, TagResource instead.
            "PutRule orders-to-salesforce tags []",
            r#"TagResource ["provision:set=default"]"#,
            r#"PutTargets ["acme-order-events"]"#,
            r#"RemoveTargets ["added-by-hand"]"#,
        ]
    );
}

#[tokio::test]
async fn a_write_aws_reads_back_otherwise_fails_naming_the_field() {
    use crate::engine::rules::apply_rule;
    use crate::plan::connection::PlanOptions;
    let (_declared, desired) = declared_rule();
    let calls = Calls::default();
    // AWS keeps another pattern (a backend that did not take the write).
    let context = written_world(
        &calls,
        "orders-to-salesforce",
        r#"{"source":["stale"]}"#,
        &desired,
    )
    .await;
    let options = PlanOptions::default();
    let plan = crate::plan::rule::plan_rule(desired, None, &Default::default(), &options);

    let outcome = apply_rule(&context, &plan.change, &options).await;

    assert_eq!(
        outcome,
        Err("written, but AWS reads back other values for pattern: run apply again, and if it persists compare the rule in the EventBridge console".to_string())
    );
}

#[tokio::test]
async fn a_pruned_rule_loses_its_targets_before_it_is_deleted() {
    use crate::engine::rules::apply_rule;
    use crate::plan::connection::PlanOptions;
    let (_declared, desired) = declared_rule();
    let calls = Calls::default();
    let mocks = writes(
        &calls,
        AwsRuleLive {
            name: "stale-of-the-set",
            pattern: r#"{"source":["x"]}"#,
            tags: vec![("provision:set", "default")],
            targets: vec![written_target(&desired)],
        },
    );
    let events = events(&mocks.iter().collect::<Vec<_>>()).await;
    let context = context(events.client, secrets_manager(&[]).await);
    let live = crate::aws::rules::read_rule(
        &crate::aws::connections::Events {
            client: context.eventbridge.client.clone(),
            reach: crate::aws::Reach::for_tests(),
        },
        "default",
        "stale-of-the-set",
    )
    .await
    .unwrap()
    .unwrap();
    let plan = crate::plan::rule::plan_orphan_rule(live);

    let outcome = apply_rule(&context, &plan.change, &PlanOptions::default()).await;

    assert_eq!(outcome, Ok(crate::plan::Outcome::Deleted));
    assert_eq!(
        calls.taken(),
        [
            r#"RemoveTargets ["acme-order-events"]"#,
            "DeleteRule stale-of-the-set"
        ]
    );
}
