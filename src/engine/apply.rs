//! Executes a plan: creates and updates connections, waits for them to settle, and checks that
//! every field took.
//!
//! Reads only the plan and the desired state it was made from. Each connection is handled on
//! its own: a failure is recorded in its result and the others go on. A re-run after any
//! interruption converges, because the plan is recomputed from what AWS has.

use super::Context;
use super::wait::{Settled, WaitPolicy, wait_until_settled};
use crate::aws::eventbridge::{create_connection, describe_connection, update_connection};
use crate::desired::DesiredConnection;
use crate::live::LiveConnection;
use crate::plan::compute::field_changes;
use crate::plan::{ApplyResult, Change, Outcome, Planned};
use crate::salesforce::hints;
use crate::salesforce::token::{VerifyError, verify_credentials};
use futures::StreamExt;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplyOptions {
    /// `None` with `--no-wait`.
    pub(crate) wait: Option<WaitPolicy>,
    /// Check new credentials against the token endpoint before writing them.
    pub(crate) verify_credentials: bool,
}

pub(crate) async fn apply(
    context: &Context,
    planned: &[Planned],
    options: ApplyOptions,
) -> Vec<ApplyResult> {
    let to_change = planned
        .iter()
        .filter(|p| matches!(p.change, Change::Create { .. } | Change::Update { .. }))
        .count();
    if to_change > 0 {
        context.log.progress(format!(
            "applying {to_change} changes in {} (concurrency {})",
            context.region, context.concurrency
        ));
    }
    let progress = crate::log::Progress::new(context.log, "applied", planned.len());
    futures::stream::iter(planned)
        .map(|item| async {
            let result = apply_one(context, item, options).await;
            progress.tick();
            result
        })
        .buffered(context.concurrency.max(1))
        .collect()
        .await
}

async fn apply_one(context: &Context, item: &Planned, options: ApplyOptions) -> ApplyResult {
    let entry = &item.entry;
    let (desired, live) = match &item.change {
        Change::NoOp { live } => {
            let mut unchanged = ApplyResult::new(entry, Outcome::Unchanged);
            unchanged.state = Some(live.state.clone());
            return unchanged;
        }
        Change::Failed { error } => {
            let mut failed = ApplyResult::new(entry, Outcome::Failed);
            failed.error = Some(error.clone());
            return failed;
        }
        Change::Create { desired } => (desired, None),
        Change::Update { desired, live } => (desired, Some(live)),
    };
    let name = entry.name.as_str();
    let outcome = if live.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    };

    if options.verify_credentials {
        context.log.verbose(format!(
            "{name}: checking the credentials against {}",
            desired.authorization_endpoint
        ));
        if let Err(error) = verify_credentials(desired).await {
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
            failed.hint = Some(match &error {
                VerifyError::Refused { error, .. } => hints::for_token_error(error),
                VerifyError::Unreachable(_) => {
                    "check the token URL and that this machine can reach it".to_string()
                }
            });
            failed.state = live.map(|l| l.state.clone());
            return failed;
        }
    }

    let written = match live {
        None => create_connection(&context.eventbridge, desired).await,
        Some(live) => update_connection(&context.eventbridge, desired, live).await,
    };
    let state = match written {
        Ok(state) => state,
        Err(error) => {
            let mut failed = ApplyResult::new(entry, Outcome::Failed);
            let verb = if live.is_some() { "update" } else { "create" };
            failed.error = Some(format!(
                "{}: cannot {verb} the connection: {}",
                desired.origin, error.message
            ));
            failed.hint = aws_hint(error.code.as_deref());
            return failed;
        }
    };
    context
        .log
        .verbose(format!("{name}: {} ({state})", outcome.label()));

    let Some(policy) = options.wait else {
        let mut done = ApplyResult::new(entry, outcome);
        done.state = Some(state);
        return done;
    };
    settle(context, item, desired, outcome, policy).await
}

/// Waits for the connection to settle, then checks every field took.
async fn settle(
    context: &Context,
    item: &Planned,
    desired: &DesiredConnection,
    outcome: Outcome,
    policy: WaitPolicy,
) -> ApplyResult {
    let name = desired.name.as_str();
    let settled =
        wait_until_settled(|| describe_connection(&context.eventbridge, name), policy).await;
    let mut done = ApplyResult::new(&item.entry, outcome);
    match settled {
        Err(error) => {
            done.outcome = Outcome::Failed;
            done.error = Some(format!(
                "written, but cannot read it back: {}",
                error.message
            ));
        }
        Ok(Settled::Gone) => {
            done.outcome = Outcome::Failed;
            done.error = Some("the connection disappeared while waiting for it to settle (deleted by someone else?)".to_string());
        }
        Ok(Settled::TimedOut(last)) => {
            done.outcome = Outcome::Failed;
            let state = last.as_ref().map(|l| l.state.clone()).unwrap_or_default();
            done.error = Some(format!(
                "still {state} after {}s; it may settle later: run `provision diff` to check",
                policy.timeout.as_secs()
            ));
            done.hint = Some(
                "private endpoints can take about 20 minutes; raise --wait-timeout".to_string(),
            );
            done.state = Some(state);
        }
        Ok(Settled::Broken(live)) => {
            done.outcome = Outcome::Failed;
            done.hint = Some(hints::for_state(&live.state, live.state_reason.as_deref()));
            done.error = Some(format!(
                "{}: the connection ended {}",
                desired.origin, live.state
            ));
            fill_state(&mut done, &live);
        }
        Ok(Settled::Healthy(live)) => {
            done.not_taken = field_changes(desired, Some(&live));
            if !done.not_taken.is_empty() {
                done.outcome = Outcome::Failed;
                done.error = Some(
                    "AWS did not take every field: it still differs after the write".to_string(),
                );
            }
            fill_state(&mut done, &live);
        }
    }
    done
}

fn fill_state(result: &mut ApplyResult, live: &LiveConnection) {
    result.state = Some(live.state.clone());
    result.state_reason = live.state_reason.clone();
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
