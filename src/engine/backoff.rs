//! The one backoff of the engine's own polling loops (settling connections, waiting for a
//! deletion): a pause that starts at `first` and doubles up to `max`. The SDK's retries have
//! their own (see `aws::retry_config`).

use std::time::Duration;

/// The pauses of a polling loop: `first`, then twice the last, never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub(crate) fn new(first: Duration, max: Duration) -> Self {
        Backoff {
            next: first.min(max),
            max,
        }
    }

    /// The pause to take now; the one after it doubles (up to `max`).
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_the_first_and_stop_at_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(10));
        let pauses: Vec<u128> = (0..8).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(
            pauses,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
    }

    #[test]
    fn a_first_pause_above_the_maximum_is_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_secs(30), Duration::from_secs(10));
        assert_eq!(backoff.next_delay(), Duration::from_secs(10));
        assert_eq!(backoff.next_delay(), Duration::from_secs(10));
    }

    #[test]
    fn a_huge_maximum_does_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::MAX);
        for _ in 0..200 {
            backoff.next_delay();
        }
        assert_eq!(backoff.next_delay(), Duration::MAX);
    }

    /// A loop sleeping through the backoff takes exactly the sum of its pauses (paused time:
    /// no real waiting).
    #[tokio::test(start_paused = true)]
    async fn a_polling_loop_sleeps_the_pauses_in_order() {
        let start = tokio::time::Instant::now();
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        let mut woke = Vec::new();
        for _ in 0..6 {
            tokio::time::sleep(backoff.next_delay()).await;
            woke.push(start.elapsed().as_secs());
        }
        assert_eq!(woke, [1, 3, 7, 15, 25, 35]);
    }
}
