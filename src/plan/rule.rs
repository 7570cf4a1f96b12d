//! The rule kind of the plan: what `apply` may do with one EventBridge rule and its targets
//! ([`RuleChange`]), and the field-level differences users read ([`RulePlan`]). Pure: no I/O.
//!
//! Drift is judged on the pattern (canonical JSON: key order and spacing do not count), the
//! description, the state, a schedule AWS has and the YAML does not, and per target on the
//! destination it invokes, the role, the input transformer (each path and the template), the
//! retry policy and the dead-letter queue. AWS's defaults never show as drift: a target read
//! back without a retry policy has AWS's (185 attempts, 24 hours), one without a dead-letter
//! queue has none, a rule without a state is `ENABLED` ([`crate::live::rule`] reads them so). A
//! target AWS has that no file declares is removed from the rule.
//!
//! Ownership is the rule's `provision:set` tag ([`crate::ownership::SET_TAG`]): a rule without
//! it, or with another set's, is not this set's: left alone, or taken over with `--adopt`
//! (which tags it). A rule an AWS service manages (`ManagedBy`) is never written.

use super::connection::PlanOptions;
use super::{Action, Change, FieldChange, ResourceChange, ResourceKind, Shown, Step};
use crate::desired::rule::{DesiredRule, DesiredTarget};
use crate::live::rule::{ENABLED, LiveRule, LiveTarget, TargetInput};
use crate::outside::Outside;
use crate::ownership::Owner;
use crate::place::Place;
use std::collections::BTreeMap;

/// What `apply` does with one rule. `live` is what AWS had when it was planned.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum RuleChange {
    /// `PutRule` with the set's tag, then `PutTargets`.
    Create { desired: DesiredRule },
    /// `PutRule`, `TagResource` when adopting, `PutTargets`, then `RemoveTargets` of the
    /// targets no file declares.
    Update {
        desired: DesiredRule,
        live: LiveRule,
        adopt: bool,
    },
    /// In sync: nothing to send.
    NoOp,
    /// Not this set's (and no `--adopt`), or managed by an AWS service: left alone, saying `why`.
    NotOurs { why: String },
    /// One of this set's rules that no file declares (`--prune`): `RemoveTargets`, then
    /// `DeleteRule`.
    Delete { live: LiveRule },
    /// The rule could not be read: `apply` reports `error`.
    Failed { error: String },
}

impl ResourceChange for RuleChange {
    const KIND: ResourceKind = ResourceKind::Rule;

    fn action(&self) -> Action {
        match self {
            RuleChange::Create { .. } => Action::Create,
            RuleChange::Update { adopt: true, .. } => Action::Adopt,
            RuleChange::Update { adopt: false, .. } => Action::Update,
            RuleChange::NoOp => Action::InSync,
            RuleChange::NotOurs { .. } => Action::NotManaged,
            RuleChange::Delete { .. } => Action::Delete,
            RuleChange::Failed { .. } => Action::Error,
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            RuleChange::Failed { error } => Some(error),
            _ => None,
        }
    }

    fn failed(error: String) -> Self {
        RuleChange::Failed { error }
    }

    fn refusal(&self) -> Option<&str> {
        match self {
            RuleChange::NotOurs { why: error } | RuleChange::Failed { error } => Some(error),
            _ => None,
        }
    }

    fn into_change(self) -> Change {
        Change::Rule(self)
    }

    fn of(change: &Change) -> Option<&Self> {
        match change {
            Change::Rule(change) => Some(change),
            _ => None,
        }
    }
}

impl RulePlan {
    /// The plan's step for the rule `name` in `place`: what users read, made from the change.
    pub(crate) fn into_step(self, name: &str, place: &Place) -> Step<RuleChange> {
        let shown = Shown {
            changes: self.changes,
            note: self.note,
            ..Shown::named(name, place)
        };
        Step::new(shown, self.change)
    }
}

/// One rule planned: the change `apply` makes, the fields users read, and what they must know
/// (whose the rule is, what `--adopt` or `--prune` does).
#[derive(Debug, Clone)]
pub(crate) struct RulePlan {
    pub(crate) change: RuleChange,
    pub(crate) changes: Vec<FieldChange>,
    pub(crate) note: Option<String>,
}

/// The plan of a declared rule. `destination_arns` holds, by destination name, the ARN each
/// target's API destination has now (none: yet to be created, so the ARN will change).
pub(crate) fn plan_rule(
    desired: DesiredRule,
    live: Option<LiveRule>,
    destination_arns: &BTreeMap<String, String>,
    options: &PlanOptions,
) -> RulePlan {
    let changes = changes(&desired, live.as_ref(), destination_arns);
    let planned = |change, note| RulePlan {
        change,
        changes: changes.clone(),
        note,
    };
    let Some(live) = live else {
        return planned(RuleChange::Create { desired }, None);
    };
    if let Some(service) = &live.managed_by {
        let why = format!(
            "this rule is managed by the AWS service {service}, which alone may change it; declare the rule under another name"
        );
        return planned(RuleChange::NotOurs { why: why.clone() }, Some(why));
    }
    let owner = Owner::of_tags(live.tag_pairs());
    if !owner.is(&options.set) {
        let whose = match &owner {
            Owner::Nobody => format!(
                "this rule exists but is not managed by provision (it has no `{}` tag)",
                crate::ownership::SET_TAG
            ),
            Owner::Set(other) => format!(
                "this rule is managed by the provision set `{other}`, not `{}`",
                options.set.name()
            ),
        };
        return if options.adopt {
            let note = format!("{whose}; --adopt takes it over and tags it for this set");
            let change = RuleChange::Update {
                desired,
                live,
                adopt: true,
            };
            planned(change, Some(note))
        } else {
            let why = format!("{whose}; apply leaves it alone: pass --adopt to take it over");
            planned(RuleChange::NotOurs { why: why.clone() }, Some(why))
        };
    }
    let change = if changes.is_empty() {
        RuleChange::NoOp
    } else {
        RuleChange::Update {
            desired,
            live,
            adopt: false,
        }
    };
    planned(change, None)
}

/// The plan of a declared rule that could not be read (`error` names the file and why): the
/// changes shown are those of creating it.
pub(crate) fn plan_unread_rule(
    desired: &DesiredRule,
    destination_arns: &BTreeMap<String, String>,
    error: String,
) -> RulePlan {
    RulePlan {
        change: RuleChange::Failed { error },
        changes: changes(desired, None, destination_arns),
        note: None,
    }
}

/// The plan of one of this set's rules that no file declares (`--prune`).
pub(crate) fn plan_orphan_rule(live: LiveRule) -> RulePlan {
    RulePlan {
        change: RuleChange::Delete { live },
        changes: Vec::new(),
        note: Some("no file declares it: --prune removes its targets and deletes it".to_string()),
    }
}

/// What differs, field by field: every field against nothing for a rule to create.
fn changes(
    desired: &DesiredRule,
    live: Option<&LiveRule>,
    destination_arns: &BTreeMap<String, String>,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut compare = |field: String, before: Option<Outside>, after: Option<Outside>| {
        if before != after {
            changes.push(FieldChange {
                field: field.into(),
                before,
                after,
            });
        }
    };
    let live_state = live.map(|live| live.state.clone());
    if live.is_none() {
        compare("bus".into(), None, Some(Outside::from(&desired.bus)));
    }
    compare(
        "pattern".into(),
        live.and_then(|live| live.pattern.clone()),
        Some(Outside::from(&desired.pattern)),
    );
    compare(
        "description".into(),
        live.and_then(|live| live.description.clone()),
        Some(Outside::from(&desired.description)),
    );
    compare("state".into(), live_state, Some(Outside::from(ENABLED)));
    compare(
        "schedule".into(),
        live.and_then(|live| live.schedule.clone()),
        None,
    );
    for target in &desired.targets {
        let had = live.and_then(|live| live.target(&target.id));
        for (field, before, after) in target_changes(target, had, destination_arns) {
            compare(format!("targets.{}.{field}", target.id), before, after);
        }
    }
    for gone in live
        .into_iter()
        .flat_map(|live| &live.targets)
        .filter(|had| !desired.targets.iter().any(|t| t.id == had.id))
    {
        compare(
            format!("targets.{}", gone.id),
            Some(Outside::from(&gone.arn)),
            None,
        );
    }
    changes
}

type Compared = (String, Option<Outside>, Option<Outside>);

/// One declared target's fields against the target AWS has with its id (`None`: none yet).
fn target_changes(
    target: &DesiredTarget,
    had: Option<&LiveTarget>,
    destination_arns: &BTreeMap<String, String>,
) -> Vec<Compared> {
    let text = |value: &str| Some(Outside::from(value));
    let destination = match destination_arns.get(&target.destination) {
        Some(arn) => text(arn),
        None => text(&format!("{} (to be created)", target.destination)),
    };
    let mut fields: Vec<Compared> = vec![
        (
            "destination".into(),
            had.map(|had| Outside::from(&had.arn)),
            destination,
        ),
        (
            "role".into(),
            had.and_then(|had| had.role_arn.as_deref()).and_then(text),
            text(&target.role_arn),
        ),
    ];
    let (paths, template) = match had.map(|had| &had.input) {
        Some(TargetInput::Transformer { paths, template }) => (Some(paths), Some(template.clone())),
        Some(TargetInput::Event) => (None, text("(the whole event)")),
        Some(TargetInput::Other) => (None, text("(a constant input or an input path)")),
        None => (None, None),
    };
    for (variable, path) in &target.input.input_paths_map {
        let before = paths.and_then(|paths| paths.get(&Outside::from(variable)).cloned());
        fields.push((format!("body.{variable}"), before, text(path)));
    }
    for (variable, path) in paths.into_iter().flatten() {
        if !target.input.input_paths_map.contains_key(variable.as_str()) {
            fields.push((format!("body.{variable}"), Some(path.clone()), None));
        }
    }
    fields.push((
        "inputTemplate".into(),
        template,
        text(&target.input.input_template),
    ));
    let retry = had.map(|had| had.retry);
    fields.push((
        "retry.attempts".into(),
        retry.map(|r| r.maximum_retry_attempts.to_string().into()),
        Some(target.retry.maximum_retry_attempts.to_string().into()),
    ));
    fields.push((
        "retry.maxEventAge".into(),
        retry.map(|r| seconds(r.maximum_event_age_seconds)),
        Some(seconds(target.retry.maximum_event_age_seconds)),
    ));
    fields.push((
        "deadLetterQueue".into(),
        had.and_then(|had| had.dead_letter_queue.as_deref())
            .and_then(text),
        target.dead_letter_queue.as_deref().and_then(text),
    ));
    fields
}

/// A number of seconds as the YAML's `maxEventAge` writes it (`24h`, `10m`, `90s`).
fn seconds(n: u32) -> Outside {
    crate::manifest::rule_checks::event_age_text(n).into()
}

/// The declared API destinations (`destinations`, by name) that nothing routes events to: no
/// declared rule targets one, and AWS lists no rule targeting it (`routed_in_aws`, by name, the
/// rules `ListRuleNamesByTarget` named on each bus asked). A note, not a difference: `diff`
/// names them and its exit code does not change.
pub(crate) fn unrouted<'a>(
    destinations: &'a [String],
    rules: &[DesiredRule],
    routed_in_aws: &BTreeMap<String, Vec<String>>,
) -> Vec<&'a str> {
    destinations
        .iter()
        .filter(|name| {
            let declared = rules
                .iter()
                .flat_map(|rule| &rule.targets)
                .any(|target| &target.destination == *name);
            let found = routed_in_aws
                .get(name.as_str())
                .is_some_and(|rules| !rules.is_empty());
            !declared && !found
        })
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::rules::canonical_pattern;
    use crate::error::Location;
    use crate::live::rule::read_retry;
    use crate::ownership::OwnershipSet;
    use crate::route::{InputTransformer, RetryPolicy};

    const DESTINATION_ARN: &str =
        "arn:aws:events:us-east-1:123456789012:api-destination/acme-order-events/0f1e2d3c";
    const ROLE: &str = "arn:aws:iam::123456789012:role/eventbridge-invoke-orders";
    const TEMPLATE: &str = r#"{"Order_Id__c":<Order_Id__c>}"#;

    fn target() -> DesiredTarget {
        DesiredTarget {
            id: "acme-order-events".into(),
            destination: "acme-order-events".into(),
            role_arn: ROLE.into(),
            input: InputTransformer {
                input_paths_map: [("Order_Id__c".to_string(), "$.detail.id".to_string())].into(),
                input_template: TEMPLATE.into(),
            },
            retry: RetryPolicy::AWS_DEFAULT,
            dead_letter_queue: None,
            sample: None,
            origin: Location::file(std::path::Path::new("c.yaml")),
        }
    }

    fn desired() -> DesiredRule {
        DesiredRule {
            name: "orders-to-salesforce".into(),
            bus: "default".into(),
            place: crate::tests::place("us-east-1"),
            pattern: r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#.into(),
            description: "[managed by provision]".into(),
            targets: vec![target()],
            origin: Location::file(std::path::Path::new("c.yaml")),
        }
    }

    /// The rule as AWS reads it back after provision wrote [`desired`]: the pattern in another
    /// key order and spacing, no state, no retry policy and no dead-letter queue (AWS's
    /// defaults), the set's tag.
    fn live() -> LiveRule {
        LiveRule {
            name: "orders-to-salesforce".into(),
            bus: "default".into(),
            arn: Some("arn:aws:events:us-east-1:123456789012:rule/orders-to-salesforce".into()),
            pattern: Some(canonical_pattern(
                r#"{ "source": ["com.acme.orders"], "detail-type": ["OrderPlaced"] }"#,
            )),
            state: "ENABLED".into(),
            description: Some("[managed by provision]".into()),
            schedule: None,
            managed_by: None,
            tags: [("provision:set".into(), "default".into())].into(),
            targets: vec![LiveTarget {
                id: "acme-order-events".into(),
                arn: DESTINATION_ARN.into(),
                role_arn: Some(ROLE.into()),
                input: TargetInput::Transformer {
                    paths: [("Order_Id__c".into(), "$.detail.id".into())].into(),
                    template: TEMPLATE.into(),
                },
                retry: read_retry(None, None),
                dead_letter_queue: None,
            }],
        }
    }

    fn arns() -> BTreeMap<String, String> {
        [("acme-order-events".to_string(), DESTINATION_ARN.to_string())].into()
    }

    fn fields(plan: &RulePlan) -> Vec<(String, Option<String>, Option<String>)> {
        plan.changes
            .iter()
            .map(|c| {
                (
                    c.field.as_str().to_string(),
                    c.before.as_ref().map(|v| v.as_str().to_string()),
                    c.after.as_ref().map(|v| v.as_str().to_string()),
                )
            })
            .collect()
    }

    fn text(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn a_rule_read_back_with_aws_s_defaults_is_in_sync() {
        let plan = plan_rule(desired(), Some(live()), &arns(), &PlanOptions::default());
        assert_eq!(fields(&plan), []);
        assert_eq!(plan.change.action(), Action::InSync);
    }

    #[test]
    fn drift_behind_the_tool_s_back_shows_each_field_before_and_after() {
        let mut drifted = live();
        drifted.pattern = Some(canonical_pattern(r#"{"source":["someone.else"]}"#));
        drifted.state = "DISABLED".into();
        let target = &mut drifted.targets[0];
        target.role_arn = Some("arn:aws:iam::123456789012:role/other".into());
        target.input = TargetInput::Transformer {
            paths: [("Order_Id__c".into(), "$.detail.other".into())].into(),
            template: r#"{"Order_Id__c":"<Order_Id__c>"}"#.into(),
        };
        target.retry = read_retry(Some(3), Some(600));
        target.dead_letter_queue = Some("arn:aws:sqs:us-east-1:123456789012:dlq".into());
        let plan = plan_rule(desired(), Some(drifted), &arns(), &PlanOptions::default());
        assert_eq!(plan.change.action(), Action::Update);
        let t = "targets.acme-order-events";
        assert_eq!(
            fields(&plan),
            [
                (
                    "pattern".into(),
                    text(r#"{"source":["someone.else"]}"#),
                    text(r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#)
                ),
                ("state".into(), text("DISABLED"), text("ENABLED")),
                (
                    format!("{t}.role"),
                    text("arn:aws:iam::123456789012:role/other"),
                    text(ROLE)
                ),
                (
                    format!("{t}.body.Order_Id__c"),
                    text("$.detail.other"),
                    text("$.detail.id")
                ),
                (
                    format!("{t}.inputTemplate"),
                    text(r#"{"Order_Id__c":"<Order_Id__c>"}"#),
                    text(TEMPLATE)
                ),
                (format!("{t}.retry.attempts"), text("3"), text("185")),
                (format!("{t}.retry.maxEventAge"), text("10m"), text("24h")),
                (
                    format!("{t}.deadLetterQueue"),
                    text("arn:aws:sqs:us-east-1:123456789012:dlq"),
                    None
                ),
            ]
        );
    }

    #[test]
    fn a_target_no_file_declares_is_removed_from_the_rule() {
        let mut more = live();
        let mut extra = more.targets[0].clone();
        extra.id = "added-by-hand".into();
        extra.arn = "arn:aws:lambda:us-east-1:123456789012:function:f".into();
        more.targets.push(extra);
        let plan = plan_rule(desired(), Some(more), &arns(), &PlanOptions::default());
        assert_eq!(plan.change.action(), Action::Update);
        assert_eq!(
            fields(&plan),
            [(
                "targets.added-by-hand".into(),
                text("arn:aws:lambda:us-east-1:123456789012:function:f"),
                None
            )]
        );
    }

    #[test]
    fn a_rule_to_create_shows_every_field_and_a_destination_yet_to_be_created() {
        let plan = plan_rule(desired(), None, &BTreeMap::new(), &PlanOptions::default());
        assert_eq!(plan.change.action(), Action::Create);
        let shown: Vec<String> = fields(&plan).into_iter().map(|(f, _, _)| f).collect();
        let t = "targets.acme-order-events";
        assert_eq!(
            shown,
            [
                "bus".to_string(),
                "pattern".into(),
                "description".into(),
                "state".into(),
                format!("{t}.destination"),
                format!("{t}.role"),
                format!("{t}.body.Order_Id__c"),
                format!("{t}.inputTemplate"),
                format!("{t}.retry.attempts"),
                format!("{t}.retry.maxEventAge"),
            ]
        );
        assert_eq!(
            fields(&plan)[4].2.as_deref(),
            Some("acme-order-events (to be created)")
        );
    }

    #[test]
    fn an_untagged_or_other_set_s_rule_is_not_ours_until_adopted() {
        let mut untagged = live();
        untagged.tags.clear();
        let plan = plan_rule(
            desired(),
            Some(untagged.clone()),
            &arns(),
            &PlanOptions::default(),
        );
        assert_eq!(plan.change.action(), Action::NotManaged);
        assert_eq!(
            plan.note.as_deref(),
            Some(
                "this rule exists but is not managed by provision (it has no `provision:set` tag); apply leaves it alone: pass --adopt to take it over"
            )
        );
        let adopt = PlanOptions {
            adopt: true,
            ..Default::default()
        };
        let plan = plan_rule(desired(), Some(untagged), &arns(), &adopt);
        assert_eq!(plan.change.action(), Action::Adopt);
        let team = PlanOptions {
            set: OwnershipSet::parse("payments-team").unwrap(),
            ..Default::default()
        };
        let plan = plan_rule(desired(), Some(live()), &arns(), &team);
        assert_eq!(plan.change.action(), Action::NotManaged);
    }

    #[test]
    fn a_rule_an_aws_service_manages_is_never_written_even_with_adopt() {
        let mut managed = live();
        managed.managed_by = Some("schemas.amazonaws.com".into());
        let adopt = PlanOptions {
            adopt: true,
            ..Default::default()
        };
        let plan = plan_rule(desired(), Some(managed), &arns(), &adopt);
        assert_eq!(plan.change.action(), Action::NotManaged);
    }

    #[test]
    fn a_destination_no_rule_routes_to_is_named() {
        let destinations = vec![
            "acme-order-events".to_string(),
            "routed-by-hand".to_string(),
            "nothing-here".to_string(),
        ];
        let found: BTreeMap<String, Vec<String>> = [
            (
                "routed-by-hand".to_string(),
                vec!["made-in-console".to_string()],
            ),
            ("nothing-here".to_string(), vec![]),
        ]
        .into();
        assert_eq!(
            unrouted(&destinations, &[desired()], &found),
            ["nothing-here"]
        );
    }
}
