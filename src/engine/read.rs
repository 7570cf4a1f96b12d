//! Reads live state for the declared connections and computes the plan.
//!
//! One `ListConnections` walk finds which connections exist; each existing one is described
//! and its managed secret read (to detect secret drift), with bounded concurrency. A failure
//! for one connection becomes an error entry for that connection only. With the project
//! file's `namePrefix`, the walk lists only names with it (`NamePrefix`), so finding this
//! set's undeclared connections describes only those, not the whole account's.

use super::Context;
use crate::aws::connections::{describe_connection, list_connections};
use crate::aws::destinations::{describe_destination, list_destinations};
use crate::aws::secretsmanager::{ReadError, read_secret_string};
use crate::desired::DesiredConnection;
use crate::desired::DesiredDestination;
use crate::error::Error;
use crate::live::LiveConnection;
use crate::live::LiveDestination;
use crate::manifest::ConnectionSpec;
use crate::ownership::Owner;
use crate::plan::compute::{PlanOptions, plan_connection, plan_orphan, refuse_deletions_in_use};
use crate::plan::destination::{
    plan_destination, plan_orphan_destination, plan_unread_destination,
};
use crate::plan::{
    ConnectionChange, ConnectionStep, DestinationStep, Orphan, PlanStep, ResourceKind,
    SecretStatus, Step, managed_secret,
};
use futures::StreamExt;
use std::collections::HashSet;

/// The plan of one Region: its steps in the order `apply` executes them (this set's undeclared
/// API destinations when pruning, a step per declared connection, and per connection to
/// prune), and this set's undeclared resources when not pruning.
pub(crate) struct RegionPlan {
    pub(crate) steps: Vec<PlanStep>,
    pub(crate) orphans: Vec<Orphan>,
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
        .progress(format!("listing connections in {}", context.region));
    let prefix = options.name_prefix.as_deref().unwrap_or_default();
    let existing: HashSet<String> = list_connections(&context.eventbridge, prefix)
        .await
        .map_err(|error| Error::Aws {
            context: format!("cannot list EventBridge connections in {}", context.region),
            message: error.message,
            help: Some("check the AWS credentials, Region and endpoint, and that the identity may call events:ListConnections".to_string()),
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
        context.region
    ));
    context.log.progress(format!(
        "reading {} declared connections in {}",
        specs.len(),
        context.region
    ));

    let progress = crate::log::Progress::new(context.log, "read", specs.len());
    let mut steps: Vec<ConnectionStep> = futures::stream::iter(specs)
        .map(|spec| async {
            let planned = plan_one(context, spec, existing.contains(&spec.name), options).await;
            progress.tick();
            ConnectionStep::from(planned)
        })
        .buffered(context.lanes())
        .collect()
        .await;

    // Undeclared connections: only a description tells whose they are (connections cannot be
    // tagged), so each is described. One that cannot be read is never pruned.
    let declared: HashSet<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    let mut undeclared: Vec<&String> = existing
        .iter()
        .filter(|name| !declared.contains(name.as_str()))
        .collect();
    undeclared.sort();
    let described: Vec<Result<Option<LiveConnection>, String>> = futures::stream::iter(undeclared)
        .map(|name| async move {
            describe_connection(&context.eventbridge, name)
                .await
                .map_err(|error| {
                    context.log.verbose(format!(
                        "{name}: cannot tell whether it belongs to this set: {}",
                        error.message
                    ));
                    error.message
                })
        })
        .buffered(context.lanes())
        .collect()
        .await;
    warn_unread(context, ResourceKind::Connection, &described);
    let ours: Vec<LiveConnection> = described
        .into_iter()
        .filter_map(|live| live.ok().flatten())
        .filter(|l| Owner::of(l.description.as_deref()).is(&options.set))
        .collect();
    let mut orphans = Vec::new();
    for live in ours {
        if options.prune {
            steps.push(plan_orphan(live, &context.region).into());
        } else {
            orphans.push(Orphan {
                kind: ResourceKind::Connection,
                name: live.name,
                region: context.region.clone(),
            });
        }
    }

    // API destinations: the declared ones, and this set's undeclared ones (one listing). A run
    // that declares none and does not prune goes on without them if the listing is refused
    // (an older least-privilege policy): only the orphan note about destinations is lost.
    let mut pruned_destinations = Vec::new();
    let declares_destinations = specs.iter().any(|s| !s.destinations.is_empty());
    let listed = match list_destinations(&context.eventbridge, None).await {
        Ok(listed) => Some(listed),
        Err(error) if !declares_destinations && !options.prune => {
            context.log.verbose(format!(
                "cannot list API destinations in {} ({}); this set's undeclared ones are not checked",
                context.region, error.message
            ));
            None
        }
        Err(error) => {
            return Err(Error::Aws {
                context: format!(
                    "cannot list EventBridge API destinations in {}",
                    context.region
                ),
                message: error.message,
                help: Some(
                    "allow events:ListApiDestinations for the identity running provision"
                        .to_string(),
                ),
            });
        }
    };
    if let Some(listed) = &listed {
        let listed_names: HashSet<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
        for (spec, step) in specs.iter().zip(steps.iter_mut()) {
            step.destinations =
                plan_destinations(context, spec, step, &listed_names, options).await;
        }
        let declared_destinations: HashSet<&str> = specs
            .iter()
            .flat_map(|s| s.destinations.iter().map(|d| d.name.as_str()))
            .collect();
        let undeclared: Vec<&str> = listed
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| name.starts_with(prefix) && !declared_destinations.contains(name))
            .collect();
        let described: Vec<Result<Option<LiveDestination>, String>> =
            futures::stream::iter(undeclared)
                .map(|name| async move {
                    describe_destination(&context.eventbridge, name)
                        .await
                        .map_err(|error| error.message)
                })
                .buffered(context.lanes())
                .collect()
                .await;
        warn_unread(context, ResourceKind::ApiDestination, &described);
        let ours: Vec<LiveDestination> = described
            .into_iter()
            .filter_map(|live| live.ok().flatten())
            .filter(|l| Owner::of(l.description.as_deref()).is(&options.set))
            .collect();
        for live in ours {
            if options.prune {
                pruned_destinations.push(plan_orphan_destination(live, &context.region));
            } else {
                orphans.push(Orphan {
                    kind: ResourceKind::ApiDestination,
                    name: live.name,
                    region: context.region.clone(),
                });
            }
        }
    }
    if let Some(listed) = &listed
        && !options.force
    {
        let pruned: HashSet<&str> = pruned_destinations
            .iter()
            .map(|d| d.entry().name.as_str())
            .collect();
        refuse_deletions_in_use(&mut steps, listed, &pruned);
    }
    let steps = pruned_destinations
        .into_iter()
        .map(PlanStep::PruneDestination)
        .chain(steps.into_iter().map(PlanStep::Connection))
        .collect();
    Ok(RegionPlan { steps, orphans })
}

/// Says so when undeclared resources could not be described: whether they are this set's
/// orphans is then unknown, and a run that stayed quiet would look like one without orphans.
fn warn_unread<T>(context: &Context, kind: ResourceKind, described: &[Result<T, String>]) {
    let failed: Vec<&String> = described.iter().filter_map(|d| d.as_ref().err()).collect();
    let Some(first) = failed.first() else {
        return;
    };
    let (what, action, resource) = match kind {
        ResourceKind::Connection => ("connection", "events:DescribeConnection", "connection/*"),
        ResourceKind::ApiDestination => (
            "API destination",
            "events:DescribeApiDestination",
            "api-destination/* and connection/*",
        ),
    };
    context.log.warn(format!(
        "{} undeclared {what}{} in {} could not be described ({first}): whether this set's orphans are among them is unknown; allow {action} on {resource} in the Region (provision iam-policy prints it)",
        failed.len(),
        if failed.len() == 1 { "" } else { "s" },
        context.region
    ));
}

/// Plans the destinations declared on one connection, against the ARN the connection has now
/// (none when it is to be created, so every destination follows the new one).
async fn plan_destinations(
    context: &Context,
    spec: &ConnectionSpec,
    step: &ConnectionStep,
    listed: &HashSet<&str>,
    options: &PlanOptions,
) -> Vec<DestinationStep> {
    let connection_arn = match step.change() {
        ConnectionChange::Update { live, .. }
        | ConnectionChange::NoOp { live }
        | ConnectionChange::NotOurs { live, .. }
        | ConnectionChange::Refused { live, .. } => live.arn.clone(),
        ConnectionChange::Create { .. }
        | ConnectionChange::AwaitDeletion { .. }
        | ConnectionChange::Replace { .. }
        | ConnectionChange::Delete { .. }
        | ConnectionChange::Failed { .. } => None,
    };
    let mut planned = Vec::new();
    for declared in &spec.destinations {
        let desired = DesiredDestination::new(declared, spec, &context.region, &options.set);
        let live = if listed.contains(declared.name.as_str()) {
            match describe_destination(&context.eventbridge, &declared.name).await {
                Ok(live) => live,
                Err(error) => {
                    let message = format!(
                        "{}: cannot describe the API destination: {}",
                        declared.origin, error.message
                    );
                    planned.push(plan_unread_destination(
                        &desired,
                        connection_arn.as_deref(),
                        message,
                    ));
                    continue;
                }
            }
        } else {
            None
        };
        planned.push(plan_destination(
            desired,
            live,
            connection_arn.as_deref(),
            options,
        ));
    }
    planned
}

async fn plan_one(
    context: &Context,
    spec: &ConnectionSpec,
    exists: bool,
    options: &PlanOptions,
) -> Step<ConnectionChange> {
    let desired = match context.resolver.desired(spec, &options.set).await {
        Ok(desired) => desired,
        Err(problems) => return Step::invalid(&spec.name, &context.region, problems),
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
                return Step::failed(&spec.name, &context.region, message);
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
            reason: "AWS reports no managed secret (SecretArn) for this connection".to_string(),
        };
    };
    match read_secret_string(&context.secrets_manager, arn, None).await {
        Ok(managed) => managed_secret::compare(desired, &managed),
        Err(ReadError::AccessDenied(_)) => SecretStatus::Unverifiable {
            reason: format!(
                "access denied to the managed secret; allow secretsmanager:GetSecretValue on {arn} to check it"
            ),
        },
        Err(ReadError::NotFound) => SecretStatus::Unverifiable {
            reason: format!("the managed secret {arn} does not exist"),
        },
        Err(ReadError::Other(message)) => SecretStatus::Unverifiable {
            reason: format!("cannot read the managed secret: {message}"),
        },
    }
}
