//! The settle phase of `apply`: every written connection is watched at once until it is
//! healthy or broken, then read back to check that every field took.
//!
//! Authorizing takes seconds on public endpoints and up to about 20 minutes on private ones,
//! so waiting per connection while holding a write slot would make a run last (connections /
//! concurrency) x authorization time. Here the writes go first, then one poll round looks at
//! all written connections together: with `ListConnections` (up to 100 states a page) when
//! that costs fewer calls than one `DescribeConnection` each, and with `DescribeConnection`
//! (which is also the read-back) otherwise. Each connection is reported as soon as it settles;
//! the wait timeout bounds the phase as a whole.
//!
//! Deciding is pure ([`classify`]); polling and reading back are the I/O around it.

use super::Context;
use super::wait::WaitPolicy;
use crate::aws::connections::{CallError, describe_connection, list_connections};
use crate::desired::DesiredConnection;
use crate::live::{ConnectionState, LiveConnection, StateClass};
use crate::outside::Outside;
use crate::plan::connection::field_changes;
use crate::plan::{ApplyResult, ConnectionChange, Outcome, StepOf};
use crate::salesforce::hints;
use futures::StreamExt;
use std::collections::HashMap;

/// A connection that was written and is waiting to settle.
pub(crate) struct Written<'a> {
    /// Its place in the plan, so results keep the plan's order.
    pub(crate) index: usize,
    pub(crate) step: StepOf<'a, ConnectionChange>,
    pub(crate) desired: &'a DesiredConnection,
    pub(crate) outcome: Outcome,
    /// The state the write answered with.
    pub(crate) state: ConnectionState,
    /// The connection's ARN, as the write answered it.
    pub(crate) arn: Option<String>,
}

/// What the polls have shown of one connection so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tracking {
    /// A state on the way somewhere (AUTHORIZING, ...) was seen since the write.
    seen_transitional: bool,
    /// The last poll showed a broken state that is not yet confirmed.
    broken_once: bool,
    /// The connection was seen at all (a listing may not show a new one at once).
    seen: bool,
    last: Option<ConnectionState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Wait,
    Healthy,
    Broken,
    Gone,
}

/// Decides from one observation. A broken state right after a write may be the state from
/// before it (a stale read): it counts once it is seen again, or after a transitional state.
/// `authoritative` says a missing connection really is gone (`DescribeConnection`), rather
/// than not listed yet.
pub(crate) fn classify(
    tracking: &mut Tracking,
    observed: Option<&ConnectionState>,
    authoritative: bool,
) -> Decision {
    let Some(state) = observed else {
        return if tracking.seen || authoritative {
            Decision::Gone
        } else {
            Decision::Wait
        };
    };
    tracking.seen = true;
    tracking.last = Some(state.clone());
    match state.class() {
        StateClass::Healthy => Decision::Healthy,
        StateClass::Broken if tracking.seen_transitional || tracking.broken_once => {
            Decision::Broken
        }
        StateClass::Broken => {
            tracking.broken_once = true;
            Decision::Wait
        }
        StateClass::Transitional | StateClass::Unknown => {
            tracking.seen_transitional = true;
            tracking.broken_once = false;
            Decision::Wait
        }
    }
}

/// One connection in the settle phase.
struct Pending<'a> {
    written: Written<'a>,
    tracking: Tracking,
}

/// What one poll round saw of a connection.
enum Seen {
    /// A state from a listing: read back before reporting.
    Listed(Option<ConnectionState>),
    /// The whole connection, described.
    Described(Option<Box<LiveConnection>>),
    /// The read failed.
    Failed(CallError),
}

/// Watches every written connection until it settles or the policy's timeout passes, reporting
/// each result as soon as it is known. Returns the results with their plan positions.
pub(crate) async fn settle_all<'a>(
    context: &Context,
    written: Vec<Written<'a>>,
    policy: WaitPolicy,
    report: &(dyn Fn(&ApplyResult) + Sync),
) -> Vec<(usize, ApplyResult)> {
    let mut results = Vec::new();
    if written.is_empty() {
        return results;
    }
    context.log.progress(format!(
        "waiting for {} connections to settle in {}",
        written.len(),
        context.place.region
    ));
    let mut pending: Vec<Pending<'a>> = written
        .into_iter()
        .map(|written| Pending {
            written,
            tracking: Tracking::default(),
        })
        .collect();
    let start = tokio::time::Instant::now();
    let deadline = start
        .checked_add(policy.timeout)
        .unwrap_or(start + super::wait::MAX_DURATION);
    let mut backoff = super::backoff::Backoff::new(policy.first_delay, policy.max_delay);
    let mut last_error: Option<String> = None;
    while !pending.is_empty() {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            for item in pending.drain(..) {
                let result = timed_out(&item, policy, last_error.as_deref());
                report(&result);
                results.push((item.written.index, result));
            }
            break;
        }
        let delay = backoff.next_delay();
        tokio::select! {
            () = tokio::time::sleep(delay.min(deadline - now)) => {}
            () = context.interrupt.raised() => {
                for item in pending.drain(..) {
                    let result = interrupted(&item);
                    report(&result);
                    results.push((item.written.index, result));
                }
                break;
            }
        }

        let seen = observe(context, &pending).await;
        let mut still = Vec::with_capacity(pending.len());
        let mut decided = Vec::new();
        for (mut item, seen) in pending.into_iter().zip(seen) {
            let decision = match &seen {
                Seen::Listed(state) => classify(&mut item.tracking, state.as_ref(), false),
                Seen::Described(live) => {
                    classify(&mut item.tracking, live.as_ref().map(|l| &l.state), true)
                }
                Seen::Failed(error) => {
                    last_error = Some(error.message.clone());
                    Decision::Wait
                }
            };
            match decision {
                Decision::Wait => still.push(item),
                _ => decided.push((item, decision, seen)),
            }
        }
        pending = still;
        let finished: Vec<Result<(usize, ApplyResult), Pending<'a>>> =
            futures::stream::iter(decided)
                .map(|(item, decision, seen)| async move {
                    match finish(context, item, decision, seen).await {
                        Ok((index, result)) => {
                            report(&result);
                            Ok((index, result))
                        }
                        Err(item) => Err(item),
                    }
                })
                .buffer_unordered(context.lanes())
                .collect()
                .await;
        for finished in finished {
            match finished {
                Ok(done) => results.push(done),
                // The read-back showed it still on its way: keep waiting.
                Err(item) => pending.push(item),
            }
        }
    }
    results
}

/// Up to this many pending connections are described rather than listed: each describe is
/// also the read-back a listed connection needs once it settles, so for a handful it costs
/// no more than a listing and gives the whole connection.
const DESCRIBE_UP_TO: usize = 10;

/// One poll round: a listing when it is cheaper than describing each pending connection.
async fn observe(context: &Context, pending: &[Pending<'_>]) -> Vec<Seen> {
    let names: Vec<&str> = pending
        .iter()
        .map(|p| p.written.desired.name.as_str())
        .collect();
    let prefix = common_prefix(&names);
    if names.len() > DESCRIBE_UP_TO && context.listing_pages(prefix) < names.len() {
        match list_connections(&context.eventbridge, prefix).await {
            Ok(listed) => {
                context.remember_listing(prefix, listed.len());
                let states: HashMap<String, ConnectionState> =
                    listed.into_iter().map(|c| (c.name, c.state)).collect();
                return names
                    .iter()
                    .map(|name| Seen::Listed(states.get(*name).cloned()))
                    .collect();
            }
            Err(error) => return names.iter().map(|_| Seen::Failed(error.clone())).collect(),
        }
    }
    futures::stream::iter(names)
        .map(|name| async move {
            match describe_connection(&context.eventbridge, name).await {
                Ok(live) => Seen::Described(live.map(Box::new)),
                Err(error) => Seen::Failed(error),
            }
        })
        .buffered(context.lanes())
        .collect()
        .await
}

/// The longest prefix all names share (the listing's `NamePrefix`).
fn common_prefix<'a>(names: &[&'a str]) -> &'a str {
    let Some(first) = names.first() else {
        return "";
    };
    let mut length = first.len();
    for name in &names[1..] {
        length = first
            .bytes()
            .zip(name.bytes())
            .take(length)
            .take_while(|(a, b)| a == b)
            .count();
    }
    while !first.is_char_boundary(length) {
        length -= 1;
    }
    &first[..length]
}

/// The result of a connection that settled (or disappeared): read back, and checked. A listed
/// connection is described first, and if that read shows it still on its way (a listing can
/// run ahead of a describe), it goes back to waiting.
async fn finish<'a>(
    context: &Context,
    mut item: Pending<'a>,
    decision: Decision,
    seen: Seen,
) -> Result<(usize, ApplyResult), Pending<'a>> {
    let index = item.written.index;
    let mut result = item.written.step.result(item.written.outcome);
    let gone = |mut result: ApplyResult| {
        result.outcome = Outcome::Failed;
        result.error = Some(
            "the connection disappeared while waiting for it to settle (deleted by someone else?)"
                .into(),
        );
        Ok((index, result))
    };
    if decision == Decision::Gone {
        return gone(result);
    }
    let (live, decision) = match seen {
        Seen::Described(Some(live)) => (*live, decision),
        _ => match describe_connection(&context.eventbridge, &item.written.desired.name).await {
            Ok(Some(live)) => match classify(&mut item.tracking, Some(&live.state), true) {
                Decision::Wait => return Err(item),
                decision => (live, decision),
            },
            Ok(None) => return gone(result),
            Err(error) => {
                result.outcome = Outcome::Failed;
                result.state = item.tracking.last.clone();
                result.error =
                    Some(format!("written, but cannot read it back: {}", error.message).into());
                return Ok((index, result));
            }
        },
    };
    let written = &item.written;
    result.state = Some(live.state.clone());
    result.state_reason = live.state_reason.clone();
    if decision == Decision::Broken {
        result.outcome = Outcome::Failed;
        let reason = live.state_reason.as_ref().map(Outside::as_str);
        result.hint = Some(hints::for_state(&live.state, reason));
        result.error = Some(
            format!(
                "{}: the connection ended {}",
                written.desired.origin, live.state
            )
            .into(),
        );
        return Ok((index, result));
    }
    result.not_taken = field_changes(written.desired, Some(&live));
    if !result.not_taken.is_empty() {
        result.outcome = Outcome::Failed;
        result.error =
            Some("AWS did not take every field: it still differs after the write".into());
        if written.desired.kms_key.is_none() && result.not_taken.iter().any(|c| c.field == "kmsKey")
        {
            result.hint = Some("AWS kept the customer managed key: recreate the connection without it with `provision apply --replace` (its ARN changes: API destinations declared with it follow; others must be repointed)".to_string());
        }
    }
    Ok((index, result))
}

fn timed_out(item: &Pending<'_>, policy: WaitPolicy, last_error: Option<&str>) -> ApplyResult {
    let written = &item.written;
    let mut result = written.step.result(Outcome::Failed);
    let state = item
        .tracking
        .last
        .clone()
        .unwrap_or_else(|| written.state.clone());
    let also = last_error
        .map(|e| format!(" (the last poll failed: {e})"))
        .unwrap_or_default();
    result.error = Some(format!(
        "still {state} when the wait of {} ended{also}; it may settle later: run `provision diff` to check",
        humantime::format_duration(policy.timeout)
    ).into());
    result.hint =
        Some("private endpoints can take about 20 minutes; raise --wait-timeout".to_string());
    result.state = Some(state);
    result
}

fn interrupted(item: &Pending<'_>) -> ApplyResult {
    let written = &item.written;
    let mut result = written.step.result(written.outcome);
    result.state = Some(
        item.tracking
            .last
            .clone()
            .unwrap_or_else(|| written.state.clone()),
    );
    result.hint = Some(
        "written, but interrupted before it settled: run `provision diff` to check it".to_string(),
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(text: &str) -> ConnectionState {
        ConnectionState::parse(text)
    }

    fn decide(observations: &[Option<&str>], authoritative: bool) -> Vec<Decision> {
        let mut tracking = Tracking::default();
        observations
            .iter()
            .map(|o| classify(&mut tracking, o.map(state).as_ref(), authoritative))
            .collect()
    }

    #[test]
    fn authorizing_then_authorized_is_healthy() {
        assert_eq!(
            decide(&[Some("AUTHORIZING"), Some("AUTHORIZED")], false),
            [Decision::Wait, Decision::Healthy]
        );
        assert_eq!(decide(&[Some("ACTIVE")], false), [Decision::Healthy]);
    }

    #[test]
    fn a_broken_first_read_is_confirmed_before_it_counts() {
        // The first read may still show the state from before the write.
        assert_eq!(
            decide(
                &[
                    Some("DEAUTHORIZED"),
                    Some("AUTHORIZING"),
                    Some("AUTHORIZED")
                ],
                false
            ),
            [Decision::Wait, Decision::Wait, Decision::Healthy]
        );
        assert_eq!(
            decide(&[Some("DEAUTHORIZED"), Some("DEAUTHORIZED")], false),
            [Decision::Wait, Decision::Broken]
        );
        assert_eq!(
            decide(&[Some("AUTHORIZING"), Some("FAILED_CONNECTIVITY")], false),
            [Decision::Wait, Decision::Broken]
        );
    }

    #[test]
    fn a_connection_not_listed_yet_is_waited_for_but_one_that_vanishes_is_gone() {
        assert_eq!(
            decide(&[None, Some("AUTHORIZING"), None], false),
            [Decision::Wait, Decision::Wait, Decision::Gone]
        );
        assert_eq!(decide(&[None], true), [Decision::Gone]);
    }

    #[test]
    fn the_listing_prefix_is_what_all_names_share() {
        assert_eq!(
            common_prefix(&["sf-acme-1", "sf-acme-2", "sf-acme-10"]),
            "sf-acme-"
        );
        assert_eq!(common_prefix(&["sf-acme", "other"]), "");
        assert_eq!(common_prefix(&["only"]), "only");
        assert_eq!(common_prefix(&[]), "");
    }
}
