//! Executes a plan: creates and updates connections, waits for them to settle, and checks that
//! every field took.
//!
//! Reads only the plan and the desired state it was made from. Each connection is handled on
//! its own: a failure is recorded in its result and the others go on. A re-run after any
//! interruption converges, because the plan is recomputed from what AWS has.

use super::Context;
use super::read::Planned;
use super::wait::{Settled, WaitPolicy, wait_until_settled};
use crate::aws::eventbridge::{create_connection, describe_connection, update_connection};
use crate::desired::DesiredConnection;
use crate::hints;
use crate::live::LiveConnection;
use crate::plan::compute::field_changes;
use crate::plan::{Action, ApplyResult, Outcome};
use crate::verify::{VerifyError, verify_credentials};
use futures::StreamExt;

#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// `None` with `--no-wait`.
    pub wait: Option<WaitPolicy>,
    /// Check new credentials against the token endpoint before writing them.
    pub verify_credentials: bool,
}

pub async fn apply(
    context: &Context,
    planned: &[Planned],
    options: ApplyOptions,
) -> Vec<ApplyResult> {
    let to_change = planned
        .iter()
        .filter(|p| matches!(p.entry.action, Action::Create | Action::Update))
        .count();
    if to_change > 0 {
        context.log.progress(format!(
            "applying {to_change} changes (concurrency {})",
            context.concurrency
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

fn result(name: &str, outcome: Outcome) -> ApplyResult {
    ApplyResult {
        name: name.to_string(),
        outcome,
        state: None,
        state_reason: None,
        error: None,
        hint: None,
        not_taken: Vec::new(),
    }
}

async fn apply_one(context: &Context, item: &Planned, options: ApplyOptions) -> ApplyResult {
    let name = item.entry.name.as_str();
    let desired = match (&item.entry.action, &item.desired) {
        (Action::InSync, _) => {
            let mut unchanged = result(name, Outcome::Unchanged);
            unchanged.state = item.live.as_ref().map(|l| l.state.clone());
            return unchanged;
        }
        (Action::Create | Action::Update, Some(desired)) => desired,
        _ => {
            let mut failed = result(name, Outcome::Failed);
            failed.error = item.entry.error.clone();
            return failed;
        }
    };
    let outcome = if item.live.is_some() {
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
            let mut failed = result(name, Outcome::Failed);
            let untouched = if item.live.is_some() {
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
            failed.state = item.live.as_ref().map(|l| l.state.clone());
            return failed;
        }
    }

    let written = match &item.live {
        None => create_connection(&context.eventbridge, desired).await,
        Some(live) => update_connection(&context.eventbridge, desired, live).await,
    };
    let state = match written {
        Ok(state) => state,
        Err(error) => {
            let mut failed = result(name, Outcome::Failed);
            let verb = if item.live.is_some() {
                "update"
            } else {
                "create"
            };
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
        let mut done = result(name, outcome);
        done.state = Some(state);
        return done;
    };
    settle(context, desired, outcome, policy).await
}

/// Waits for the connection to settle, then checks every field took.
async fn settle(
    context: &Context,
    desired: &DesiredConnection,
    outcome: Outcome,
    policy: WaitPolicy,
) -> ApplyResult {
    let name = desired.name.as_str();
    let settled =
        wait_until_settled(|| describe_connection(&context.eventbridge, name), policy).await;
    let mut done = result(name, outcome);
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
            let state = last
                .as_ref()
                .map(|l| l.state.clone())
                .unwrap_or_else(|| "unknown".to_string());
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
