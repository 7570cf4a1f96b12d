//! Executes a plan in one Region: writes every connection that differs (bounded concurrency),
//! then waits for all written connections together (the settle phase), and checks that every
//! field took.
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
use crate::aws::eventbridge::{
    CallError, create_connection, describe_connection, update_connection,
};
use crate::desired::DesiredConnection;
use crate::live::ConnectionState;
use crate::plan::{ApplyResult, Change, Outcome, Planned};
use crate::salesforce::token::{TokenLimits, request_token};
use futures::StreamExt;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplyOptions {
    /// `None` with `--no-wait`.
    pub(crate) wait: Option<WaitPolicy>,
    /// Check new credentials against the token endpoint before writing them.
    pub(crate) verify_credentials: bool,
}

/// What the write phase did with one step.
enum Step<'a> {
    /// Nothing more to do: the result is final.
    Done(ApplyResult),
    /// Written; its result comes from the settle phase.
    Written(Written<'a>),
}

/// Applies `steps` (all in `context`'s Region); `report` sees each result as soon as it is
/// known. Returns the results in plan order.
pub(crate) async fn apply(
    context: &Context,
    steps: &[Planned],
    options: ApplyOptions,
    report: &(dyn Fn(&ApplyResult) + Sync),
) -> Vec<ApplyResult> {
    let to_change = steps
        .iter()
        .filter(|p| matches!(p.change, Change::Create { .. } | Change::Update { .. }))
        .count();
    if to_change > 0 {
        context.log.progress(format!(
            "applying {to_change} changes in {} (concurrency {})",
            context.region, context.concurrency
        ));
    }
    let progress = &crate::log::Progress::new(context.log, "written", steps.len());
    let written: Vec<(usize, Step<'_>)> = futures::stream::iter(steps.iter().enumerate())
        .map(|(index, step)| async move {
            let outcome = write_one(context, step, options).await;
            progress.tick();
            if let Step::Done(result) = &outcome {
                report(result);
            }
            (index, outcome)
        })
        .buffer_unordered(context.concurrency.max(1))
        .collect()
        .await;

    let mut results: Vec<(usize, ApplyResult)> = Vec::new();
    let mut to_settle = Vec::new();
    for (index, step) in written {
        match step {
            Step::Done(result) => results.push((index, result)),
            Step::Written(mut written) => {
                written.index = index;
                match options.wait {
                    Some(_) => to_settle.push(written),
                    None => {
                        let mut done = ApplyResult::new(&written.step.entry, written.outcome);
                        done.state = Some(written.state);
                        report(&done);
                        results.push((index, done));
                    }
                }
            }
        }
    }
    if let Some(policy) = options.wait {
        results.extend(settle_all(context, to_settle, policy, report).await);
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// The write phase for one step: checks, then creates or updates.
async fn write_one<'a>(context: &Context, step: &'a Planned, options: ApplyOptions) -> Step<'a> {
    let entry = &step.entry;
    let (desired, live) = match &step.change {
        Change::NoOp { live } => {
            let mut unchanged = ApplyResult::new(entry, Outcome::Unchanged);
            unchanged.state = Some(live.state.clone());
            return Step::Done(unchanged);
        }
        Change::Failed { error } => {
            let mut failed = ApplyResult::new(entry, Outcome::Failed);
            failed.error = Some(error.clone());
            return Step::Done(failed);
        }
        Change::Create { desired } => (desired, None),
        Change::Update { desired, live } => (desired, Some(live)),
    };
    if let Some(signal) = context.interrupt.signal() {
        let mut skipped = ApplyResult::new(entry, Outcome::NotStarted);
        skipped.error = Some(format!(
            "not written: the run was interrupted ({}) first",
            signal.name()
        ));
        skipped.state = live.map(|l| l.state.clone());
        return Step::Done(skipped);
    }
    let name = entry.name.as_str();

    if options.verify_credentials {
        context.log.verbose(format!(
            "{name}: checking the credentials against {}",
            desired.authorization_endpoint
        ));
        if let Err(error) = request_token(desired, TokenLimits::default()).await {
            let mut failed = ApplyResult::new(entry, Outcome::Failed);
            let untouched = if live.is_some() {
                "; the connection was left as it was"
            } else {
                "; the connection was not created"
            };
            failed.error = Some(format!(
                "{}: the token endpoint refused the credentials: {}{untouched}",
                desired.origin,
                error.describe()
            ));
            failed.hint = Some(error.hint());
            failed.state = live.map(|l| l.state.clone());
            return Step::Done(failed);
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
        Ok(state) => {
            context
                .log
                .verbose(format!("{name}: {} ({state})", outcome.label()));
            Step::Written(Written {
                index: 0,
                step,
                desired,
                outcome,
                state,
            })
        }
        Err(error) => {
            let mut failed = ApplyResult::new(entry, Outcome::Failed);
            let verb = if outcome == Outcome::Created {
                "create"
            } else {
                "update"
            };
            failed.error = Some(format!(
                "{}: cannot {verb} the connection: {}",
                desired.origin, error.message
            ));
            failed.hint = aws_hint(error.code.as_deref());
            Step::Done(failed)
        }
    }
}

/// Creates the connection; if the name is taken meanwhile (another run, or an earlier attempt
/// whose answer was lost), reads what exists and updates it instead.
async fn create_or_take_over(
    context: &Context,
    desired: &DesiredConnection,
) -> (Outcome, Result<ConnectionState, CallError>) {
    let created = create_connection(&context.eventbridge, desired).await;
    match created {
        Err(error) if error.code.as_deref() == Some("ResourceAlreadyExistsException") => {
            context.log.verbose(format!(
                "{}: created meanwhile by someone else; updating it instead",
                desired.name
            ));
            match describe_connection(&context.eventbridge, &desired.name).await {
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

fn aws_hint(code: Option<&str>) -> Option<String> {
    let hint = match code? {
        "AccessDeniedException" => {
            "allow events:CreateConnection, events:UpdateConnection and events:DescribeConnection (and secretsmanager:CreateSecret/PutSecretValue for the managed secret) for the identity running provision"
        }
        "ResourceAlreadyExistsException" => {
            "the connection was created by someone else meanwhile: run provision again to update it"
        }
        "LimitExceededException" => {
            "the account has reached its connection quota in this Region (3,000 by default): request an increase in Service Quotas"
        }
        "ValidationException" => "AWS refused a value: check the field named in the message",
        "ResourceNotFoundException" => {
            "the connection was deleted meanwhile: run provision again to create it"
        }
        _ => return None,
    };
    Some(hint.to_string())
}
