//! Reads live state for the declared connections and computes the plan.
//!
//! One `ListConnections` walk finds which connections exist; each existing one is described
//! and its managed secret read (to detect secret drift), with bounded concurrency. A failure
//! for one connection becomes an error entry for that connection only. Then one
//! `ListApiDestinations` walk, and each declared API destination that exists is described,
//! all of them with the same bounded concurrency; a failure is that destination's error
//! entry only. With the project file's `namePrefix`, the walk lists only names with it
//! (`NamePrefix`), so finding this set's undeclared connections describes only those, not the
//! whole account's.

use super::Context;
use super::rules::plan_rules;
use crate::aws::connections::{describe_connection, list_connections};
use crate::aws::destinations::{describe_destination, list_destinations};
use crate::aws::secretsmanager::{ReadError, read_secret_string};
use crate::desired::DesiredConnection;
use crate::desired::DesiredDestination;
use crate::error::Error;
use crate::live::LiveConnection;
use crate::manifest::{ConnectionSpec, DestinationSpec};
use crate::ownership::Owner;
use crate::place::{Address, Place};
use crate::plan::RuleChange;
use crate::plan::connection::{PlanOptions, plan_connection, plan_orphan, refuse_deletions_in_use};
use crate::plan::destination::{
    plan_destination, plan_destination_of_failed_connection, plan_orphan_destination,
    plan_unread_destination,
};
use crate::plan::{
    ConnectionChange, DestinationStep, LiveResource, Orphan, PlanStep, ResourceKind, SecretStatus,
    Step, managed_secret,
};
use futures::StreamExt;
use std::collections::{BTreeMap, HashSet};

/// The plan of one Region: its steps in the order `apply` executes them (this set's undeclared
/// API destinations when pruning, a step per declared connection, and per connection to
/// prune), and this set's undeclared resources when not pruning.
pub(crate) struct RegionPlan {
    pub(crate) steps: Vec<PlanStep>,
    pub(crate) orphans: Vec<Orphan>,
    /// The declared API destinations nothing routes events to (a note, not a difference).
    pub(crate) unrouted: Vec<Address>,
}

/// Reads everything the plan needs for the connections declared in the context's Region, and
/// finds this set's connections that no file declares. Fails as a whole only if the
/// connections cannot be listed.
pub(crate) async fn plan(
    context: &Context,
    specs: &[ConnectionSpec],
    options: &PlanOptions,
) -> Result<RegionPlan, Error> {
    context
        .log
        .progress(format!("listing connections in {}", context.place.region));
    let prefix = options.name_prefix.as_deref().unwrap_or_default();
    let existing: HashSet<String> = list_connections(&context.eventbridge, prefix)
        .await
        .map_err(|error| {
            Error::aws(
                format!("cannot list EventBridge connections in {}", context.place.region),
                error,
                format!(
                    "check the AWS credentials, Region and endpoint, and that the identity may call {}",
                    crate::policy::actions::events::LIST_CONNECTIONS
                ),
            )
        })?
        .into_iter()
        .map(|summary| summary.name)
        .filter(|name| name.starts_with(prefix))
        .collect();
    context.remember_listing(prefix, existing.len());
    context.log.verbose(format!(
        "{} connections{} exist in {}",
        existing.len(),
        if prefix.is_empty() {
            String::new()
        } else {
            format!(" named {prefix}*")
        },
        context.place.region
    ));
    context.log.progress(format!(
        "reading {} declared connections in {}",
        specs.len(),
        context.place.region
    ));

    let progress = crate::log::Progress::new(context.log, "read", specs.len());
    let mut steps: Vec<Step<ConnectionChange>> = futures::stream::iter(specs)
        .map(|spec| async {
            let planned = plan_one(context, spec, existing.contains(&spec.name), options).await;
            progress.tick();
            planned
        })
        .buffered(context.lanes())
        .collect()
        .await;

    // Undeclared connections: this set's are pruned, or noted.
    let declared: HashSet<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    let mut undeclared: Vec<&str> = existing
        .iter()
        .map(String::as_str)
        .filter(|name| !declared.contains(name))
        .collect();
    undeclared.sort();
    let ours = ours_among(
        context,
        ResourceKind::Connection,
        undeclared,
        options,
        |name| async move {
            describe_connection(&context.eventbridge, name)
                .await
                .map_err(|error| {
                    context.log.verbose(format!(
                        "{name}: cannot tell whether it belongs to this set: {}",
                        error.message
                    ));
                    error.message
                })
        },
    )
    .await;
    let mut orphans = Vec::new();
    let pruned = prune_or_note(
        context,
        ResourceKind::Connection,
        ours,
        options,
        plan_orphan,
        &mut orphans,
    );
    steps.extend(pruned);

    // API destinations: the declared ones, and this set's undeclared ones (one listing). A run
    // that declares none and does not prune goes on without them if the listing is refused
    // (an older least-privilege policy): only the orphan note about destinations is lost.
    let mut pruned_destinations = Vec::new();
    let mut on_connections: Vec<Vec<DestinationStep>> = Vec::new();
    let declares_destinations = specs.iter().any(|s| !s.destinations.is_empty());
    let listed = match list_destinations(&context.eventbridge, None).await {
        Ok(listed) => Some(listed),
        Err(error) if !declares_destinations && !options.prune => {
            context.log.verbose(format!(
                "cannot list API destinations in {} ({}); this set's undeclared ones are not checked",
                context.place.region, error.message
            ));
            None
        }
        Err(error) => {
            return Err(Error::aws(
                format!(
                    "cannot list EventBridge API destinations in {}",
                    context.place.region
                ),
                error,
                format!(
                    "allow {} for the identity running provision",
                    crate::policy::actions::events::LIST_API_DESTINATIONS
                ),
            ));
        }
    };
    if let Some(listed) = &listed {
        let listed_names: HashSet<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
        on_connections = plan_destinations(context, specs, &steps, &listed_names, options).await;
        let declared_destinations: HashSet<&str> = specs
            .iter()
            .flat_map(|s| s.destinations.iter().map(|d| d.name.as_str()))
            .collect();
        let undeclared: Vec<&str> = listed
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| name.starts_with(prefix) && !declared_destinations.contains(name))
            .collect();
        let kind = ResourceKind::ApiDestination;
        let ours = ours_among(context, kind, undeclared, options, |name| async move {
            describe_destination(&context.eventbridge, name)
                .await
                .map_err(|error| error.message)
        })
        .await;
        pruned_destinations = prune_or_note(
            context,
            kind,
            ours,
            options,
            plan_orphan_destination,
            &mut orphans,
        );
    }
    if let Some(listed) = &listed
        && !options.force
    {
        let pruned: HashSet<&str> = pruned_destinations
            .iter()
            .map(|d| d.entry().address.name.as_str())
            .collect();
        refuse_deletions_in_use(&mut steps, listed, &pruned);
    }
    let mut rules = read_rules(context, specs, &on_connections, options).await?;
    // The one list, in the order `apply` executes it: the pruned destinations and rules, then
    // each connection followed by the destinations declared on it (its children), each
    // followed by the rules first declared under it (its own children).
    let mut on_connections = on_connections.into_iter();
    let mut plan: Vec<PlanStep> = pruned_destinations
        .into_iter()
        .map(|step| step.under(None))
        .chain(rules.pruned.drain(..).map(|step| step.under(None)))
        .collect();
    for step in steps {
        let children = on_connections.next().unwrap_or_default();
        let parent = step.entry().address.clone();
        plan.push(step.under(None));
        for child in children {
            let address = child.entry().address.clone();
            plan.push(child.under(Some(&parent)));
            let (under, others) = std::mem::take(&mut rules.declared)
                .into_iter()
                .partition(|(destination, _)| *destination == address.name);
            rules.declared = others;
            plan.extend(
                under
                    .into_iter()
                    .map(|(_, rule)| rule.under(Some(&address))),
            );
        }
    }
    orphans.extend(rules.orphans);
    Ok(RegionPlan {
        steps: plan,
        orphans,
        unrouted: rules.unrouted,
    })
}

/// A place's rules as steps of the plan: each declared rule with the name of the API
/// destination it is first declared under (its parent), this set's undeclared rules to prune,
/// the ones noted instead, and the destinations nothing routes events to.
#[derive(Default)]
struct RuleSteps {
    declared: Vec<(String, Step<RuleChange>)>,
    pruned: Vec<Step<RuleChange>>,
    orphans: Vec<Orphan>,
    unrouted: Vec<Address>,
}

/// Reads and plans the place's rules, only when the files declare one here (see
/// [`super::rules`] on why): with the ARN each declared API destination has now.
async fn read_rules(
    context: &Context,
    specs: &[ConnectionSpec],
    destinations: &[Vec<DestinationStep>],
    options: &PlanOptions,
) -> Result<RuleSteps, Error> {
    let declares_rules = specs
        .iter()
        .flat_map(|spec| &spec.destinations)
        .any(|destination| !destination.rules.is_empty());
    if !declares_rules {
        return Ok(RuleSteps::default());
    }
    let arns: BTreeMap<String, String> = destinations
        .iter()
        .flatten()
        .filter_map(|step| {
            let arn = step.change().live()?.arn.clone()?;
            Some((step.entry().address.name.clone(), arn))
        })
        .collect();
    let place = &context.place;
    let read = plan_rules(context, specs, &arns, options).await?;
    let declared = read
        .desired
        .iter()
        .zip(read.declared)
        .map(|(desired, planned)| {
            let parent = desired.targets[0].destination.clone();
            (parent, planned.into_step(&desired.name, place))
        })
        .collect();
    let pruned = read
        .pruned
        .into_iter()
        .filter_map(|planned| {
            let name = match &planned.change {
                RuleChange::Delete { live } => live.name.clone(),
                _ => return None,
            };
            Some(planned.into_step(&name, place))
        })
        .collect();
    let orphans = read
        .orphans
        .into_iter()
        .map(|(_, name)| Orphan {
            address: Address::new(ResourceKind::Rule, name.as_str(), place.clone()),
        })
        .collect();
    let unrouted = read
        .unrouted
        .into_iter()
        .map(|name| Address::new(ResourceKind::ApiDestination, name, place.clone()))
        .collect();
    Ok(RuleSteps {
        declared,
        pruned,
        orphans,
        unrouted,
    })
}

/// This set's resources of `kind` among `undeclared`: only a description tells whose one is
/// (connections cannot be tagged), so each is described, with bounded concurrency. One that
/// cannot be read is never taken for this set's.
async fn ours_among<'a, L, Described>(
    context: &Context,
    kind: ResourceKind,
    undeclared: Vec<&'a str>,
    options: &PlanOptions,
    describe: impl Fn(&'a str) -> Described,
) -> Vec<L>
where
    L: LiveResource,
    Described: Future<Output = Result<Option<L>, String>>,
{
    let described: Vec<Result<Option<L>, String>> = futures::stream::iter(undeclared)
        .map(describe)
        .buffered(context.lanes())
        .collect()
        .await;
    warn_unread(context, kind, &described);
    described
        .into_iter()
        .filter_map(|live| live.ok().flatten())
        .filter(|l| Owner::of(l.description()).is(&options.set))
        .collect()
}

/// With `--prune`, a step deleting each of this set's undeclared resources (`plan_orphan`);
/// without, none, and each is noted in `orphans`.
fn prune_or_note<L: LiveResource, S>(
    context: &Context,
    kind: ResourceKind,
    ours: Vec<L>,
    options: &PlanOptions,
    plan_orphan: impl Fn(L, &Place) -> S,
    orphans: &mut Vec<Orphan>,
) -> Vec<S> {
    if options.prune {
        return ours
            .into_iter()
            .map(|live| plan_orphan(live, &context.place))
            .collect();
    }
    orphans.extend(ours.iter().map(|live| Orphan {
        address: Address::new(kind, live.name(), context.place.clone()),
    }));
    Vec::new()
}

/// Says so when undeclared resources could not be described: whether they are this set's
/// orphans is then unknown, and a run that stayed quiet would look like one without orphans.
fn warn_unread<T>(context: &Context, kind: ResourceKind, described: &[Result<T, String>]) {
    let failed: Vec<&String> = described.iter().filter_map(|d| d.as_ref().err()).collect();
    let Some(first) = failed.first() else {
        return;
    };
    let (what, _) = kind.nouns();
    let (action, resource) = kind.describe_permission();
    context.log.warn(format!(
        "{} undeclared {what}{} in {} could not be described ({first}): whether this set's orphans are among them is unknown; allow {action} on {resource} in the Region (provision iam-policy prints it)",
        failed.len(),
        if failed.len() == 1 { "" } else { "s" },
        context.place.region
    ));
}

/// Plans the destinations declared on every connection, each against the ARN its connection
/// has now (none when it is to be created, so every destination follows the new one): the
/// declared destinations of all connections are described together, with bounded
/// concurrency, and come back grouped by connection, in the order the files declare them.
async fn plan_destinations(
    context: &Context,
    specs: &[ConnectionSpec],
    steps: &[Step<ConnectionChange>],
    listed: &HashSet<&str>,
    options: &PlanOptions,
) -> Vec<Vec<DestinationStep>> {
    let declared = specs
        .iter()
        .zip(steps)
        .enumerate()
        .flat_map(|(index, (spec, step))| {
            spec.destinations
                .iter()
                .map(move |declared| (index, spec, step, declared))
        });
    let planned: Vec<(usize, DestinationStep)> = futures::stream::iter(declared)
        .map(|(index, spec, step, declared)| async move {
            let planned = plan_one_destination(context, spec, step, declared, listed, options);
            (index, planned.await)
        })
        .buffered(context.lanes())
        .collect()
        .await;
    let mut grouped: Vec<Vec<DestinationStep>> = specs.iter().map(|_| Vec::new()).collect();
    for (index, step) in planned {
        grouped[index].push(step);
    }
    grouped
}

/// Plans one destination declared on `spec`, whose connection's step is `step`: described
/// only if the listing has it and its connection could be read.
async fn plan_one_destination(
    context: &Context,
    spec: &ConnectionSpec,
    step: &Step<ConnectionChange>,
    declared: &DestinationSpec,
    listed: &HashSet<&str>,
    options: &PlanOptions,
) -> DestinationStep {
    let desired = DesiredDestination::new(declared, spec, &context.place, &options.set);
    let connection_arn = match step.change() {
        ConnectionChange::Update { live, .. }
        | ConnectionChange::NoOp { live }
        | ConnectionChange::NotOurs { live, .. }
        | ConnectionChange::Refused { live, .. } => live.arn.as_deref(),
        ConnectionChange::Create { .. }
        | ConnectionChange::AwaitDeletion { .. }
        | ConnectionChange::Replace { .. }
        | ConnectionChange::Delete { .. } => None,
        ConnectionChange::Failed { .. } => return plan_destination_of_failed_connection(&desired),
    };
    let live = if listed.contains(declared.name.as_str()) {
        match describe_destination(&context.eventbridge, &declared.name).await {
            Ok(live) => live,
            Err(error) => {
                let message = format!(
                    "{}: cannot describe the API destination: {}",
                    declared.origin, error.message
                );
                return plan_unread_destination(&desired, connection_arn, message);
            }
        }
    } else {
        None
    };
    plan_destination(desired, live, connection_arn, options)
}

async fn plan_one(
    context: &Context,
    spec: &ConnectionSpec,
    exists: bool,
    options: &PlanOptions,
) -> Step<ConnectionChange> {
    let desired = match context.resolver.desired(spec, &options.set).await {
        Ok(desired) => desired,
        Err(problems) => return Step::invalid(&spec.name, &context.place, problems),
    };
    let live = if exists {
        context.log.debug(format!("describing {}", spec.name));
        match describe_connection(&context.eventbridge, &spec.name).await {
            Ok(live) => live,
            Err(error) => {
                let message = format!(
                    "{}: cannot describe the connection: {}",
                    spec.origin, error.message
                );
                return Step::failed(&spec.name, &context.place, message);
            }
        }
    } else {
        None
    };
    let secret = match &live {
        Some(live) => secret_status(context, &desired, live).await,
        None => SecretStatus::NotApplicable,
    };
    plan_connection(desired, live, secret, options)
}

/// Compares the declared secrets with the connection's managed secret, where it can be read.
async fn secret_status(
    context: &Context,
    desired: &DesiredConnection,
    live: &LiveConnection,
) -> SecretStatus {
    let Some(arn) = &live.secret_arn else {
        return SecretStatus::Unverifiable {
            reason: "AWS reports no managed secret (SecretArn) for this connection".into(),
        };
    };
    match read_secret_string(&context.secrets_manager, arn, None).await {
        Ok(managed) => managed_secret::compare(desired, &managed),
        Err(ReadError::AccessDenied(_)) => SecretStatus::Unverifiable {
            reason: format!(
                "access denied to the managed secret; allow {} on {arn} to check it",
                crate::policy::actions::secrets_manager::GET_SECRET_VALUE
            )
            .into(),
        },
        Err(ReadError::NotFound) => SecretStatus::Unverifiable {
            reason: format!("the managed secret {arn} does not exist").into(),
        },
        Err(ReadError::Other(message)) => SecretStatus::Unverifiable {
            reason: format!("cannot read the managed secret: {message}").into(),
        },
    }
}
