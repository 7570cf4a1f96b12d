//! Executes a plan in one Region: deletes this set's undeclared API destinations (`--prune`),
//! then writes every connection that differs, each followed by its API destinations (both with
//! bounded concurrency), then waits for all written connections together (the settle phase),
//! and checks that every field took.
//!
//! Reads only the plan and the desired state it was made from. Each connection is handled on
//! its own: a failure is recorded in its result and the others go on, and each result is
//! reported as soon as it is known. Interrupted, it starts no new write and reports what was
//! done and not done; a re-run converges, because the plan is recomputed from what AWS has.
//! A create that finds the name taken (another run, or an interrupted one, got there first)
//! reads the connection and updates it like any existing one.

use super::Context;
use super::settle::{Written, settle_all};
use super::wait::WaitPolicy;
use crate::aws::connections::{
    CallError, Wrote, create_connection, delete_connection, describe_connection, update_connection,
};
use crate::aws::destinations::{
    create_destination, delete_destination, list_destinations, update_destination,
};
use crate::aws::hints::{Operation, hint};
use crate::desired::DesiredConnection;
use crate::live::LiveConnection;
use crate::ownership::Owner;
use crate::place::Address;
use crate::plan::{ApplyResult, ConnectionChange, DestinationChange, Outcome, PlanStep, StepOf};
use crate::salesforce::token::{TokenLimits, request_token};
use futures::StreamExt;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplyOptions {
    /// `None` with `--no-wait`.
    pub(crate) wait: Option<WaitPolicy>,
    /// Check new credentials against the token endpoint, within these limits, before writing
    /// them (`--verify-credentials`).
    pub(crate) verify_credentials: Option<TokenLimits>,
    /// Delete (prune, replace) even a connection an API destination still uses.
    pub(crate) force: bool,
}

/// What the write phase did with one connection.
enum Write<'a> {
    /// Nothing more to do: the result is final.
    Done(ApplyResult),
    /// Written; its result comes from the settle phase.
    Written(Written<'a>),
}

/// Applies `steps` (all in `context`'s Region); `report` sees each result as soon as it is
/// known. Returns the results in plan order (the connections, each followed by its
/// destinations, then the pruned destinations).
pub(crate) async fn apply(
    context: &Context,
    steps: &[PlanStep],
    options: ApplyOptions,
    report: &(dyn Fn(&ApplyResult) + Sync),
) -> Vec<ApplyResult> {
    // Each step runs after its parent, read from the link: the detached ones (undeclared
    // resources to prune, declared on no step) first, then each root followed by its children.
    let mut children: HashMap<&Address, Vec<StepOf<'_, DestinationChange>>> = HashMap::new();
    for step in steps {
        if let (Some(parent), Some(child)) = (&step.parent, step.of()) {
            children.entry(parent).or_default().push(child);
        }
    }
    let pruned: Vec<StepOf<'_, DestinationChange>> = steps
        .iter()
        .filter(|step| step.is_detached())
        .filter_map(PlanStep::of)
        .collect();
    let steps: Vec<Tree<'_>> = steps
        .iter()
        .filter(|step| step.parent.is_none() && !step.is_detached())
        .filter_map(PlanStep::of)
        .map(|root: StepOf<'_, ConnectionChange>| Tree {
            root,
            children: children.remove(&root.entry().address).unwrap_or_default(),
        })
        .collect();
    let to_change = steps
        .iter()
        .filter(|p| {
            matches!(
                p.root.change(),
                ConnectionChange::Create { .. } | ConnectionChange::Update { .. }
            )
        })
        .count();
    if to_change > 0 {
        context.log.progress(format!(
            "applying {to_change} changes in {} (concurrency {})",
            context.place.region, context.concurrency
        ));
    }
    // Results are ordered by (connection, then its destinations).
    let mut results: Vec<((usize, usize), ApplyResult)> = Vec::new();
    // Destinations of this set that no file declares go first, all of them deleted (with
    // bounded concurrency) before any connection is written: a connection cannot be deleted
    // while a destination uses it. Each result is reported in plan order.
    let deleted: Vec<ApplyResult> = futures::stream::iter(pruned)
        .map(|pruned| apply_destination(context, pruned, None, None))
        .buffered(context.lanes())
        .inspect(|result| report(result))
        .collect()
        .await;
    results.extend(
        deleted
            .into_iter()
            .enumerate()
            .map(|(sub, result)| ((usize::MAX, sub), result)),
    );
    let progress = &crate::log::Progress::new(context.log, "written", steps.len());
    let written: Vec<(usize, Write<'_>, Vec<ApplyResult>)> =
        futures::stream::iter(steps.into_iter().enumerate())
            .map(|(index, step)| async move {
                let outcome = write_one(context, step.root, options).await;
                progress.tick();
                if let Write::Done(result) = &outcome {
                    report(result);
                }
                let destinations = apply_destinations(context, &step, &outcome, report).await;
                (index, outcome, destinations)
            })
            .buffer_unordered(context.lanes())
            .collect()
            .await;

    let mut to_settle = Vec::new();
    for (index, step, destinations) in written {
        for (sub, result) in destinations.into_iter().enumerate() {
            results.push(((index, sub + 1), result));
        }
        match step {
            Write::Done(result) => results.push(((index, 0), result)),
            Write::Written(mut written) => {
                written.index = index;
                match options.wait {
                    Some(_) => to_settle.push(written),
                    None => {
                        let mut done = written.step.result(written.outcome);
                        done.state = Some(written.state);
                        report(&done);
                        results.push(((index, 0), done));
                    }
                }
            }
        }
    }
    if let Some(policy) = options.wait {
        let settled = settle_all(context, to_settle, policy, report).await;
        results.extend(settled.into_iter().map(|(index, r)| ((index, 0), r)));
    }
    results.sort_by_key(|(key, _)| *key);
    results.into_iter().map(|(_, result)| result).collect()
}

/// A connection's step with the steps declared on it.
struct Tree<'a> {
    root: StepOf<'a, ConnectionChange>,
    children: Vec<StepOf<'a, DestinationChange>>,
}

/// The write phase for one step: checks, then creates or updates.
async fn write_one<'a>(
    context: &Context,
    step: StepOf<'a, ConnectionChange>,
    options: ApplyOptions,
) -> Write<'a> {
    let entry = step.entry();
    let not_started = |live: Option<&LiveConnection>| {
        context.interrupt.signal().map(|signal| {
            let mut skipped = step.not_started(signal.name());
            skipped.state = live.map(|l| l.state.clone());
            Write::Done(skipped)
        })
    };
    let (desired, live) = match step.change() {
        ConnectionChange::NoOp { .. }
        | ConnectionChange::Failed { .. }
        | ConnectionChange::NotOurs { .. }
        | ConnectionChange::Refused { .. } => {
            let mut untouched = step.untouched();
            untouched.state = step.change().live().map(|l| l.state.clone());
            return Write::Done(untouched);
        }
        ConnectionChange::Delete { live } => {
            if let Some(skipped) = not_started(Some(live)) {
                return skipped;
            }
            return Write::Done(delete(context, step, live, options).await);
        }
        ConnectionChange::Replace { desired, live } => {
            if let Some(skipped) = not_started(Some(live)) {
                return skipped;
            }
            let deleted = delete(context, step, live, options).await;
            if deleted.outcome == Outcome::Failed {
                return Write::Done(deleted);
            }
            return recreate(context, step, desired, options, Outcome::Replaced).await;
        }
        ConnectionChange::AwaitDeletion { desired } => {
            if let Some(skipped) = not_started(None) {
                return skipped;
            }
            return recreate(context, step, desired, options, Outcome::Created).await;
        }
        ConnectionChange::Create { desired } => (desired, None),
        ConnectionChange::Update { desired, live, .. } => (desired, Some(live)),
    };
    if let Some(skipped) = not_started(live) {
        return skipped;
    }
    let name = entry.address.name.as_str();

    if let Some(limits) = options.verify_credentials {
        context.log.verbose(format!(
            "{name}: checking the credentials against {}",
            desired.authorization_endpoint
        ));
        if let Err(error) = request_token(desired, limits).await {
            let mut failed = step.result(Outcome::Failed);
            let untouched = if live.is_some() {
                "; the connection was left as it was"
            } else {
                "; the connection was not created"
            };
            failed.error = Some(
                format!(
                    "{}: the token endpoint refused the credentials: {}{untouched}",
                    desired.origin,
                    error.describe()
                )
                .into(),
            );
            failed.hint = Some(error.hint());
            failed.state = live.map(|l| l.state.clone());
            return Write::Done(failed);
        }
    }

    let (outcome, written) = match live {
        None => create_or_take_over(context, desired).await,
        Some(live) => (
            Outcome::Updated,
            update_connection(&context.eventbridge, desired, live).await,
        ),
    };
    match written {
        Ok(Wrote { state, arn }) => {
            context
                .log
                .verbose(format!("{name}: {} ({state})", outcome.label()));
            Write::Written(Written {
                index: 0,
                step,
                desired,
                outcome,
                state,
                arn,
            })
        }
        Err(error) => {
            let mut failed = step.result(Outcome::Failed);
            let verb = if outcome == Outcome::Created {
                "create"
            } else {
                "update"
            };
            failed.error = Some(
                format!(
                    "{}: cannot {verb} the connection: {}",
                    desired.origin, error.message
                )
                .into(),
            );
            let operation = if outcome == Outcome::Created {
                Operation::CreateConnection
            } else {
                Operation::UpdateConnection
            };
            failed.hint = hint(operation, error.code.as_deref());
            Write::Done(failed)
        }
    }
}

/// Writes the destinations declared on a connection, once the connection's step is done: with
/// the ARN it has now (or got). A connection that was not written leaves them unwritten. They
/// are written one after another in their connection's lane, so the lanes bound destination
/// writes as they bound connection writes.
async fn apply_destinations(
    context: &Context,
    tree: &Tree<'_>,
    connection: &Write<'_>,
    report: &(dyn Fn(&ApplyResult) + Sync),
) -> Vec<ApplyResult> {
    if tree.children.is_empty() {
        return Vec::new();
    }
    let step = tree.root;
    let name = &step.entry().address.name;
    let not_written = || format!("not written: its connection {name} was not written");
    let (arn, blocked) = match (connection, step.change()) {
        (Write::Written(written), _) => (written.arn.clone(), None),
        (Write::Done(result), ConnectionChange::NoOp { live })
            if result.outcome == Outcome::Unchanged =>
        {
            (live.arn.clone(), None)
        }
        (Write::Done(result), _) if result.outcome == Outcome::NotStarted => {
            (None, Some((Outcome::NotStarted, not_written(), None)))
        }
        // Left alone on purpose: its destinations are too, and did not fail.
        (Write::Done(_), ConnectionChange::NotOurs { .. }) => (
            None,
            Some((
                Outcome::Skipped,
                format!("not written: its connection {name} is not this set's"),
                Some(format!(
                    "pass --adopt to take {name} over, with its API destinations"
                )),
            )),
        ),
        (Write::Done(_), _) => (None, Some((Outcome::Failed, not_written(), None))),
    };
    let mut results = Vec::new();
    for &destination in &tree.children {
        let result = match (&blocked, &arn) {
            (Some((outcome, why, hint)), _) => {
                let mut skipped = destination.result(*outcome);
                skipped.error = Some(why.clone().into());
                skipped.hint = hint.clone();
                skipped
            }
            (None, arn) => {
                let connection = Some(step.entry().address.name.as_str());
                apply_destination(context, destination, arn.as_deref(), connection).await
            }
        };
        report(&result);
        results.push(result);
    }
    results
}

/// One destination's change, on the connection `connection_arn`.
async fn apply_destination(
    context: &Context,
    destination: StepOf<'_, DestinationChange>,
    connection_arn: Option<&str>,
    connection: Option<&str>,
) -> ApplyResult {
    if let Some(signal) = context.interrupt.signal()
        && !matches!(destination.change(), DestinationChange::NoOp { .. })
    {
        return destination.not_started(signal.name());
    }
    let no_arn = || {
        format!(
            "not written: AWS did not say the ARN of its connection {}",
            connection.unwrap_or("?")
        )
    };
    let operation = match destination.change() {
        DestinationChange::Delete { .. } => Operation::DeleteApiDestination,
        DestinationChange::Update { .. } => Operation::UpdateApiDestination,
        _ => Operation::CreateApiDestination,
    };
    let mut result = destination.result(Outcome::Unchanged);
    let written = match destination.change() {
        DestinationChange::NoOp { .. }
        | DestinationChange::NotOurs { .. }
        | DestinationChange::Failed { .. } => return destination.untouched(),
        DestinationChange::Delete { live } => {
            result.outcome = Outcome::Deleted;
            delete_destination(&context.eventbridge, &live.name).await
        }
        DestinationChange::Create { desired } => {
            result.outcome = Outcome::Created;
            match connection_arn {
                Some(arn) => create_destination(&context.eventbridge, desired, arn).await,
                None => Err(CallError::local(no_arn())),
            }
        }
        DestinationChange::Update { desired, .. } => {
            result.outcome = Outcome::Updated;
            match connection_arn {
                Some(arn) => update_destination(&context.eventbridge, desired, arn).await,
                None => Err(CallError::local(no_arn())),
            }
        }
    };
    if let Err(error) = written {
        result.outcome = Outcome::Failed;
        result.error = Some(format!("cannot write the API destination: {}", error.message).into());
        result.hint = hint(operation, error.code.as_deref());
    }
    result
}

/// Deletes a connection, unless an API destination still uses it (and `--force` is not given).
async fn delete(
    context: &Context,
    step: StepOf<'_, ConnectionChange>,
    live: &LiveConnection,
    options: ApplyOptions,
) -> ApplyResult {
    let mut result = step.result(Outcome::Deleted);
    if !options.force
        && let Some(arn) = &live.arn
    {
        match list_destinations(&context.eventbridge, Some(arn)).await {
            Ok(users) if users.is_empty() => {}
            Ok(users) => {
                let users: Vec<String> = users.into_iter().map(|(name, _)| name).collect();
                result.outcome = Outcome::Failed;
                result.error = Some(
                    format!(
                        "not deleted: API destination(s) {} still use it",
                        users.join(", ")
                    )
                    .into(),
                );
                result.hint = Some(
                    "point them at another connection or delete them first, or pass --force"
                        .to_string(),
                );
                result.state = Some(live.state.clone());
                return result;
            }
            Err(error) => {
                result.outcome = Outcome::Failed;
                result.error = Some(
                    format!(
                        "not deleted: cannot tell whether an API destination uses it: {}",
                        error.message
                    )
                    .into(),
                );
                result.hint = Some(format!(
                    "allow {}, or pass --force",
                    crate::policy::actions::events::LIST_API_DESTINATIONS
                ));
                return result;
            }
        }
    }
    match delete_connection(&context.eventbridge, &live.name).await {
        Ok(state) => {
            context
                .log
                .verbose(format!("{}: deleted ({state})", live.name));
            result.state = Some(state);
        }
        Err(error) => {
            result.outcome = Outcome::Failed;
            result.error = Some(format!("cannot delete the connection: {}", error.message).into());
            result.hint = hint(Operation::DeleteConnection, error.code.as_deref());
        }
    }
    result
}

/// Waits until a deleted connection is gone, then creates it again.
async fn recreate<'a>(
    context: &Context,
    step: StepOf<'a, ConnectionChange>,
    desired: &'a DesiredConnection,
    options: ApplyOptions,
    outcome: Outcome,
) -> Write<'a> {
    let timeout = options.wait.unwrap_or_default().timeout;
    if let Err(message) = wait_until_gone(context, &desired.name, timeout).await {
        let mut failed = step.result(Outcome::Failed);
        failed.error = Some(message.into());
        failed.left_deleted = outcome == Outcome::Replaced;
        return Write::Done(failed);
    }
    match create_connection(&context.eventbridge, desired).await {
        Ok(Wrote { state, arn }) => Write::Written(Written {
            index: 0,
            step,
            desired,
            outcome,
            state,
            arn,
        }),
        Err(error) => {
            let mut failed = step.result(Outcome::Failed);
            failed.error = Some(
                format!(
                    "{}: deleted, but cannot create it again: {}; run provision apply again",
                    desired.origin, error.message
                )
                .into(),
            );
            failed.hint = hint(Operation::CreateConnection, error.code.as_deref());
            failed.left_deleted = outcome == Outcome::Replaced;
            Write::Done(failed)
        }
    }
}

/// Polls until `name` no longer exists, with a backoff from 500 ms to 10 s.
async fn wait_until_gone(
    context: &Context,
    name: &str,
    timeout: std::time::Duration,
) -> Result<(), String> {
    let start = tokio::time::Instant::now();
    let mut backoff = super::backoff::Backoff::new(
        std::time::Duration::from_millis(500),
        std::time::Duration::from_secs(10),
    );
    loop {
        match describe_connection(&context.eventbridge, name).await {
            Ok(None) => return Ok(()),
            Ok(Some(live)) if start.elapsed() >= timeout => {
                return Err(format!(
                    "still {} after {}; run provision apply again once it is gone",
                    live.state,
                    humantime::format_duration(timeout)
                ));
            }
            Ok(Some(_)) => {}
            Err(error) => return Err(format!("cannot tell whether it is gone: {}", error.message)),
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// Creates the connection; if the name is taken meanwhile (another run, or an earlier attempt
/// whose answer was lost), reads what exists and updates it instead.
async fn create_or_take_over(
    context: &Context,
    desired: &DesiredConnection,
) -> (Outcome, Result<Wrote, CallError>) {
    let created = create_connection(&context.eventbridge, desired).await;
    match created {
        Err(error) if error.code.as_deref() == Some("ResourceAlreadyExistsException") => {
            context.log.verbose(format!(
                "{}: created meanwhile by someone else; updating it instead",
                desired.name
            ));
            match describe_connection(&context.eventbridge, &desired.name).await {
                // Only a connection of the same set is taken over (another run of it, or an
                // earlier attempt of this one); anything else is left alone.
                Ok(Some(live))
                    if Owner::of(live.description.as_deref())
                        != Owner::of(Some(&desired.description)) =>
                {
                    (
                        Outcome::Created,
                        Err(CallError::with_code(
                            "ResourceAlreadyExistsException",
                            "the name was taken meanwhile by a connection that is not this set's: it was left alone (run provision diff to see it; --adopt takes it over)",
                        )),
                    )
                }
                Ok(Some(live)) => (
                    Outcome::Updated,
                    update_connection(&context.eventbridge, desired, &live).await,
                ),
                Ok(None) => (
                    Outcome::Created,
                    create_connection(&context.eventbridge, desired).await,
                ),
                Err(error) => (Outcome::Updated, Err(error)),
            }
        }
        other => (Outcome::Created, other),
    }
}
