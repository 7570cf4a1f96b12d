//! Reads the rules of one place (account and Region) into their plans: the declared rules, the
//! set's rules no file declares, and the declared API destinations nothing routes events to.
//!
//! One `ListRules` walk per event bus the files name (and the default bus), with the project
//! file's `namePrefix` as `NamePrefix`; each declared rule the walk finds is read (`DescribeRule`,
//! `ListTargetsByRule`, `ListTagsForResource`), with bounded concurrency, and a failure is that
//! rule's error only. Each undeclared rule the walks find is read too, to see whose it is: only
//! a rule whose `provision:set` tag names this run's set is this set's (pruned with `--prune`,
//! noted otherwise); a rule without the tag is never touched. A rule of the set on a bus no file
//! names any more is not found (EventBridge lists rules per bus).
//!
//! A declared API destination that exists is looked up with `ListRuleNamesByTarget` on each of
//! those buses; one that no declared rule targets and no listed rule does is named
//! ([`crate::plan::rule::unrouted`]).
//!
//! `iam-policy` grants the rule actions only when the files declare a rule (src/policy's
//! `rule_statements`), so a run calls [`plan_rules`] only then: without a declared rule no rule
//! is read, none is pruned, and no destination is named as unrouted.
//!
//! [`apply_rule`] writes one planned rule, after the API destinations it targets: each
//! destination's ARN is read as it is now (one created by this run has none in the plan),
//! `PutRule` (with the set's tag on a create; `TagResource` on adopting, since PutRule ignores
//! tags on a rule that exists) before `PutTargets`, then `RemoveTargets` of the targets no file
//! declares; a deletion removes every target before `DeleteRule`. The write is read back and
//! planned again: a field that did not take fails the rule, naming it.

use super::Context;
use crate::aws::destinations::describe_destination;
use crate::aws::rules::{
    delete_rule, list_rules, put_rule, put_targets, read_rule, remove_targets, rules_targeting,
    tag_rule,
};
use crate::desired::rule::DesiredRule;
use crate::error::Error;
use crate::live::rule::LiveRule;
use crate::manifest::ConnectionSpec;
use crate::ownership::Owner;
use crate::place::Address;
use crate::plan::connection::PlanOptions;
use crate::plan::rule::{
    RuleChange, RulePlan, plan_orphan_rule, plan_rule, plan_unread_rule, unrouted,
};
use crate::plan::{ApplyResult, Outcome, PlanStep, StepOf};
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};

/// The bus every account has, and the one a rule without `bus:` is on.
const DEFAULT_BUS: &str = "default";

/// The rules of one place, planned.
#[derive(Debug)]
pub(crate) struct PlaceRules {
    /// The declared rules, in the order the files declare them.
    pub(crate) desired: Vec<DesiredRule>,
    /// Each declared rule's plan, in the same order.
    pub(crate) declared: Vec<RulePlan>,
    /// This set's undeclared rules, to delete (`--prune`).
    pub(crate) pruned: Vec<RulePlan>,
    /// This set's undeclared rules when not pruning: (bus, name).
    pub(crate) orphans: Vec<(String, String)>,
    /// The declared API destinations nothing routes events to, by name.
    pub(crate) unrouted: Vec<String>,
}

/// Reads and plans the rules declared in `specs` (the documents placed in the context's
/// place). `destination_arns` holds the ARN of each declared API destination that exists, by
/// name. Fails as a whole only if a bus's rules cannot be listed.
pub(crate) async fn plan_rules(
    context: &Context,
    specs: &[ConnectionSpec],
    destination_arns: &BTreeMap<String, String>,
    options: &PlanOptions,
) -> Result<PlaceRules, Error> {
    let desired = DesiredRule::all(specs, &context.place, &options.set);
    let buses: BTreeSet<&str> = desired
        .iter()
        .map(|rule| rule.bus.as_str())
        .chain([DEFAULT_BUS])
        .collect();
    let prefix = options.name_prefix.as_deref().unwrap_or_default();
    let mut listed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for bus in &buses {
        let names = list_rules(&context.eventbridge, bus, prefix)
            .await
            .map_err(|error| {
                Error::aws(
                    format!(
                        "cannot list the EventBridge rules of the event bus `{bus}` in {}",
                        context.place.region
                    ),
                    error,
                    format!(
                        "check that the event bus exists, and that the identity may call {} on it",
                        crate::policy::actions::events::LIST_RULES
                    ),
                )
            })?;
        listed.insert(bus, names);
    }
    let exists = |bus: &str, name: &str| {
        listed
            .get(bus)
            .is_some_and(|names| names.iter().any(|n| n == name))
    };

    let declared: Vec<RulePlan> = futures::stream::iter(&desired)
        .map(|rule| async {
            let live = if exists(&rule.bus, &rule.name) {
                match read_rule(&context.eventbridge, &rule.bus, &rule.name).await {
                    Ok(live) => live,
                    Err(error) => {
                        let message = format!(
                            "{}: cannot read the rule `{}` on the event bus `{}`: {}",
                            rule.origin, rule.name, rule.bus, error.message
                        );
                        return plan_unread_rule(rule, destination_arns, message);
                    }
                }
            } else {
                None
            };
            plan_rule(rule.clone(), live, destination_arns, options)
        })
        .buffered(context.lanes())
        .collect()
        .await;

    let undeclared: Vec<(&str, &str)> = listed
        .iter()
        .flat_map(|(bus, names)| names.iter().map(move |name| (*bus, name.as_str())))
        .filter(|(bus, name)| {
            !desired
                .iter()
                .any(|rule| rule.bus == *bus && rule.name == *name)
        })
        .collect();
    let ours = ours_among(context, undeclared, options).await;
    let (pruned, orphans) = if options.prune {
        (ours.into_iter().map(plan_orphan_rule).collect(), Vec::new())
    } else {
        let noted = ours.into_iter().map(|live| (live.bus, live.name)).collect();
        (Vec::new(), noted)
    };

    let routed = routed_in_aws(context, &buses, destination_arns).await;
    let destinations: Vec<String> = specs
        .iter()
        .flat_map(|spec| &spec.destinations)
        .map(|destination| destination.name.clone())
        .collect();
    let unrouted = unrouted(&destinations, &desired, &routed)
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok(PlaceRules {
        desired,
        declared,
        pruned,
        orphans,
        unrouted,
    })
}

/// This set's rules among `undeclared` (bus, name): each is read to see its tags, with bounded
/// concurrency. One that cannot be read is never taken for this set's; the run says so.
async fn ours_among(
    context: &Context,
    undeclared: Vec<(&str, &str)>,
    options: &PlanOptions,
) -> Vec<LiveRule> {
    let read: Vec<Result<Option<LiveRule>, String>> = futures::stream::iter(undeclared)
        .map(|(bus, name)| async move {
            read_rule(&context.eventbridge, bus, name)
                .await
                .map_err(|error| format!("{name} on {bus}: {}", error.message))
        })
        .buffered(context.lanes())
        .collect()
        .await;
    let failed: Vec<&String> = read.iter().filter_map(|r| r.as_ref().err()).collect();
    if let Some(first) = failed.first() {
        context.log.warn(format!(
            "{} undeclared rule{} in {} could not be read ({first}): whether this set's rules are among them is unknown; allow {} and {} on rule/* in the Region",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            context.place.region,
            crate::policy::actions::events::DESCRIBE_RULE,
            crate::policy::actions::events::LIST_TAGS_FOR_RESOURCE,
        ));
    }
    read.into_iter()
        .filter_map(|live| live.ok().flatten())
        .filter(|live| Owner::of_tags(live.tag_pairs()).is(&options.set))
        .collect()
}

/// One `ListRuleNamesByTarget` walk: the destination, the bus, the rules found or why not.
type Asked<'a> = (&'a String, &'a str, Result<Vec<String>, String>);

/// The rules AWS lists as targeting each declared API destination that exists, on each of
/// `buses`, by destination name. A destination whose lookup fails is left out (so it is not
/// named as unrouted on a guess), and the run says so.
async fn routed_in_aws(
    context: &Context,
    buses: &BTreeSet<&str>,
    destination_arns: &BTreeMap<String, String>,
) -> BTreeMap<String, Vec<String>> {
    let asked: Vec<Asked<'_>> = futures::stream::iter(
        destination_arns
            .iter()
            .flat_map(|(name, arn)| buses.iter().map(move |bus| (name, arn.as_str(), *bus))),
    )
    .map(|(name, arn, bus)| async move {
        let found = rules_targeting(&context.eventbridge, bus, arn)
            .await
            .map_err(|error| error.message);
        (name, bus, found)
    })
    .buffered(context.lanes())
    .collect()
    .await;
    let mut routed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown: BTreeSet<&String> = BTreeSet::new();
    for (name, bus, found) in asked {
        match found {
            Ok(rules) => routed.entry(name.clone()).or_default().extend(rules),
            Err(error) => {
                context.log.verbose(format!(
                    "{name}: cannot list the rules on `{bus}` that target it: {error}"
                ));
                unknown.insert(name);
            }
        }
    }
    // Not known to be unrouted: counted as routed, so it is not named.
    for name in unknown {
        routed
            .entry(name.clone())
            .or_default()
            .push("(unknown)".to_string());
    }
    routed
}

/// Writes the rule steps of one place's `steps`, after `done` (the results of every other
/// step there), in plan order: the pruned ones, then each declared one whose parent API
/// destination was written or in sync; one whose destination was not is not written either,
/// saying why. `report` sees each result as soon as it is known.
pub(crate) async fn apply_rules(
    context: &Context,
    steps: &[PlanStep],
    done: &[ApplyResult],
    options: &PlanOptions,
    report: &(dyn Fn(&ApplyResult) + Sync),
) -> Vec<ApplyResult> {
    let mut results = Vec::new();
    for (parent, step) in steps
        .iter()
        .filter_map(|step| Some((step.parent.as_ref(), step.of::<RuleChange>()?)))
    {
        let result = apply_rule_step(context, parent, step, done, options).await;
        report(&result);
        results.push(result);
    }
    results
}

/// The result of one rule step: not written when its destination was not, when the run was
/// interrupted, or when the plan says it is not to be.
async fn apply_rule_step(
    context: &Context,
    parent: Option<&Address>,
    step: StepOf<'_, RuleChange>,
    done: &[ApplyResult],
    options: &PlanOptions,
) -> ApplyResult {
    let parent_result = parent.and_then(|parent| done.iter().find(|r| &r.address == parent));
    if let Some(parent) = parent_result
        && matches!(
            parent.outcome,
            Outcome::Failed | Outcome::NotStarted | Outcome::Skipped
        )
    {
        // As its destination: failed, not started or skipped (not this set's) alike.
        let mut result = step.result(parent.outcome);
        result.error = Some(
            format!(
                "not written: the API destination {} it is declared under was not written",
                parent.address.name
            )
            .into(),
        );
        return result;
    }
    if let Some(signal) = context.interrupt.signal() {
        return step.not_started(signal.name());
    }
    match step.change() {
        RuleChange::NoOp | RuleChange::NotOurs { .. } | RuleChange::Failed { .. } => {
            step.untouched()
        }
        change => match apply_rule(context, change, options).await {
            Ok(outcome) => step.result(outcome),
            Err(error) => {
                let mut failed = step.result(Outcome::Failed);
                failed.error = Some(error.into());
                failed
            }
        },
    }
}

/// Writes one planned rule (see the module doc): its outcome, or why it failed.
pub(crate) async fn apply_rule(
    context: &Context,
    change: &RuleChange,
    options: &PlanOptions,
) -> Result<Outcome, String> {
    let events = &context.eventbridge;
    let (desired, live, adopt) = match change {
        RuleChange::NoOp => return Ok(Outcome::Unchanged),
        RuleChange::NotOurs { why: error } | RuleChange::Failed { error } => {
            return Err(error.clone());
        }
        RuleChange::Delete { live } => {
            let ids: Vec<&str> = live.targets.iter().map(|t| t.id.as_str()).collect();
            delete_rule(events, &live.name, &live.bus, &ids)
                .await
                .map_err(|error| format!("cannot delete the rule: {}", error.message))?;
            return Ok(Outcome::Deleted);
        }
        RuleChange::Create { desired } => (desired, None, false),
        RuleChange::Update {
            desired,
            live,
            adopt,
        } => (desired, Some(live), *adopt),
    };
    let arns = destination_arns(context, desired).await?;
    let tag = options.set.tag();
    let arn = put_rule(events, desired, live.is_none().then_some(tag))
        .await
        .map_err(|error| format!("cannot put the rule: {}", error.message))?;
    if adopt {
        let arn = arn
            .as_deref()
            .or(live.and_then(|live| live.arn.as_deref()))
            .ok_or("cannot tag the rule: AWS named no ARN for it")?;
        tag_rule(events, arn, tag)
            .await
            .map_err(|error| format!("cannot tag the rule for this set: {}", error.message))?;
    }
    let by_target: Vec<&str> = desired
        .targets
        .iter()
        .map(|target| arns[&target.destination].as_str())
        .collect();
    put_targets(events, desired, &by_target)
        .await
        .map_err(|error| format!("cannot put the rule's targets: {}", error.message))?;
    let undeclared: Vec<&str> = live
        .into_iter()
        .flat_map(|live| &live.targets)
        .filter(|had| !desired.targets.iter().any(|t| t.id == had.id))
        .map(|had| had.id.as_str())
        .collect();
    if !undeclared.is_empty() {
        remove_targets(events, &desired.name, &desired.bus, &undeclared)
            .await
            .map_err(|error| {
                format!(
                    "cannot remove the targets no file declares: {}",
                    error.message
                )
            })?;
    }
    let read_back = read_rule(events, &desired.bus, &desired.name)
        .await
        .map_err(|error| format!("written, but cannot read it back: {}", error.message))?;
    let again = plan_rule(desired.clone(), read_back, &arns, options);
    if !again.changes.is_empty() {
        let fields: Vec<String> = again.changes.iter().map(|c| c.field.to_string()).collect();
        return Err(format!(
            "written, but AWS reads back other values for {}: run apply again, and if it persists compare the rule in the EventBridge console",
            fields.join(", ")
        ));
    }
    Ok(if live.is_none() {
        Outcome::Created
    } else {
        Outcome::Updated
    })
}

/// The ARN of each API destination `rule` targets, by name, as AWS has it now.
async fn destination_arns(
    context: &Context,
    rule: &DesiredRule,
) -> Result<BTreeMap<String, String>, String> {
    let mut arns = BTreeMap::new();
    for target in &rule.targets {
        let found = describe_destination(&context.eventbridge, &target.destination)
            .await
            .map_err(|error| {
                format!(
                    "cannot read the API destination `{}` it targets: {}",
                    target.destination, error.message
                )
            })?;
        let arn = found.and_then(|live| live.arn).ok_or_else(|| {
            format!(
                "the API destination `{}` it targets does not exist (see its own result)",
                target.destination
            )
        })?;
        arns.insert(target.destination.clone(), arn);
    }
    Ok(arns)
}
