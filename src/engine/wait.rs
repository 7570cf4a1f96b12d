//! Waiting for a connection to settle after a write, with backoff between polls.
//!
//! A mechanism of its own so it can be tested with paused time: the caller supplies the
//! describe call, this decides when to call it again and when to give up.

use crate::aws::eventbridge::CallError;
use crate::live::LiveConnection;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WaitPolicy {
    /// How long to wait in all; private endpoints can take about 20 minutes to become ACTIVE.
    pub(crate) timeout: Duration,
    pub(crate) first_delay: Duration,
    pub(crate) max_delay: Duration,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        WaitPolicy {
            timeout: Duration::from_secs(25 * 60),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled {
    /// `AUTHORIZED` or `ACTIVE`.
    Healthy(LiveConnection),
    /// `DEAUTHORIZED` or `FAILED_CONNECTIVITY`.
    Broken(LiveConnection),
    /// Still in a transitional state when the time ran out (the last state seen).
    TimedOut(Option<LiveConnection>),
    /// The connection disappeared while waiting.
    Gone,
}

/// Polls `describe` until the connection is healthy or broken, or `policy.timeout` passes.
pub(crate) async fn wait_until_settled<F, Fut>(
    mut describe: F,
    policy: WaitPolicy,
) -> Result<Settled, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<LiveConnection>, CallError>>,
{
    // Durations are bounded at parse time; still, never panic on time arithmetic.
    let start = tokio::time::Instant::now();
    let deadline = start
        .checked_add(policy.timeout)
        .unwrap_or(start + crate::cli::MAX_DURATION);
    let mut delay = policy.first_delay;
    let mut last = None;
    let mut confirming = false;
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(Settled::TimedOut(last));
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        let Some(live) = describe().await? else {
            return Ok(Settled::Gone);
        };
        if live.is_healthy() {
            return Ok(Settled::Healthy(live));
        }
        // A broken state on the very first read may be the state from before the write (a
        // stale read): it counts once it is seen again, or after authorizing was seen.
        if live.is_broken() && (last.is_some() || confirming) {
            return Ok(Settled::Broken(live));
        }
        confirming = live.is_broken();
        if !live.is_broken() {
            last = Some(live);
        }
        delay = delay.saturating_mul(2).min(policy.max_delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn live(state: &str) -> LiveConnection {
        LiveConnection {
            name: "sf".into(),
            state: crate::live::ConnectionState::parse(state),
            ..Default::default()
        }
    }

    type Reply = std::future::Ready<Result<Option<LiveConnection>, CallError>>;
    type Calls = Arc<Mutex<Vec<Duration>>>;

    /// A describe that answers the given states in turn and records when it was called.
    fn scripted(states: Vec<&'static str>) -> (impl FnMut() -> Reply, Calls) {
        let start = tokio::time::Instant::now();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = calls.clone();
        let mut states = states.into_iter();
        let describe = move || {
            seen.lock().unwrap().push(start.elapsed());
            let state = states.next().unwrap_or("AUTHORIZING");
            std::future::ready(Ok(Some(live(state))))
        };
        (describe, calls)
    }

    #[tokio::test(start_paused = true)]
    async fn authorizing_then_authorized_is_healthy_with_growing_delays() {
        let (describe, calls) = scripted(vec!["AUTHORIZING", "AUTHORIZING", "AUTHORIZED"]);
        let settled = wait_until_settled(describe, WaitPolicy::default())
            .await
            .unwrap();
        assert_eq!(settled, Settled::Healthy(live("AUTHORIZED")));
        let calls = calls.lock().unwrap().clone();
        assert_eq!(
            calls,
            vec![
                Duration::from_secs(1),
                Duration::from_secs(3),
                Duration::from_secs(7)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn authorizing_then_deauthorized_is_broken() {
        let (describe, _) = scripted(vec!["AUTHORIZING", "DEAUTHORIZED"]);
        let settled = wait_until_settled(describe, WaitPolicy::default())
            .await
            .unwrap();
        assert_eq!(settled, Settled::Broken(live("DEAUTHORIZED")));
    }

    #[tokio::test(start_paused = true)]
    async fn a_broken_first_read_is_confirmed_before_it_counts() {
        // The first read may still show the state from before the write.
        let (describe, calls) = scripted(vec!["DEAUTHORIZED", "AUTHORIZING", "AUTHORIZED"]);
        let settled = wait_until_settled(describe, WaitPolicy::default())
            .await
            .unwrap();
        assert_eq!(settled, Settled::Healthy(live("AUTHORIZED")));
        assert_eq!(calls.lock().unwrap().len(), 3);
        // Seen twice, it is final.
        let (describe, calls) = scripted(vec!["DEAUTHORIZED", "DEAUTHORIZED"]);
        let settled = wait_until_settled(describe, WaitPolicy::default())
            .await
            .unwrap();
        assert_eq!(settled, Settled::Broken(live("DEAUTHORIZED")));
        assert_eq!(calls.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn private_connections_settle_active() {
        let (describe, _) = scripted(vec!["CREATING", "AUTHORIZING", "ACTIVE"]);
        assert_eq!(
            wait_until_settled(describe, WaitPolicy::default())
                .await
                .unwrap(),
            Settled::Healthy(live("ACTIVE"))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_timeout_with_the_last_state_and_bounded_delays() {
        let (describe, calls) = scripted(vec![]);
        let policy = WaitPolicy {
            timeout: Duration::from_secs(60),
            ..WaitPolicy::default()
        };
        let settled = wait_until_settled(describe, policy).await.unwrap();
        assert_eq!(settled, Settled::TimedOut(Some(live("AUTHORIZING"))));
        let calls = calls.lock().unwrap().clone();
        // 1, 3, 7, 15, 30, 45, 60: the delay doubles up to 15 s, and the last poll is at the deadline.
        assert_eq!(calls.last(), Some(&Duration::from_secs(60)));
        assert!(
            calls
                .windows(2)
                .all(|w| w[1] - w[0] <= Duration::from_secs(15))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_disappears_is_gone() {
        let describe = || std::future::ready(Ok(None));
        assert_eq!(
            wait_until_settled(describe, WaitPolicy::default())
                .await
                .unwrap(),
            Settled::Gone
        );
    }
}
