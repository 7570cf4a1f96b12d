//! Runs the commands that talk to AWS: reading live state into a plan, and applying it.
//!
//! Work is spread over connections with bounded concurrency; one connection's failure is
//! recorded with that connection and never stops the others.

pub(crate) mod accounts;
pub(crate) mod apply;
pub(crate) mod backoff;
pub(crate) mod credentials;
pub(crate) mod interrupt;
pub(crate) mod publish;
pub(crate) mod read;
pub(crate) mod readiness;
pub(crate) mod rotate;
pub(crate) mod rule_body;
pub(crate) mod rule_role;
pub(crate) mod rules;
pub(crate) mod session;
pub(crate) mod settle;
pub(crate) mod verify;
pub(crate) mod wait;

use crate::aws::connections::Events;
use crate::aws::secretsmanager::SecretsManager;
use crate::resolve::SecretResolver;

/// What the engine needs to work in one Region.
pub(crate) struct Context {
    pub(crate) eventbridge: Events,
    pub(crate) secrets_manager: SecretsManager,
    pub(crate) resolver: SecretResolver,
    pub(crate) place: crate::place::Place,
    pub(crate) concurrency: usize,
    pub(crate) log: crate::log::Log,
    pub(crate) interrupt: interrupt::Interrupt,
    /// How many connections the last listing returned, by name prefix: what a listing costs.
    pub(crate) listed: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// How many places (an account's Region) a run reads or applies at once, each with its own
/// `--concurrency` lanes. AWS's quotas are per account and Region, so places do not throttle
/// each other: the cap bounds this machine's own load (open connections, one SDK client and its
/// pool per place and service) at 16 x `--concurrency` calls in flight, which the default 8
/// keeps at 128. A run over more places (20 in 10 targets x 2 Regions) reads them in waves.
pub(crate) const PLACES_IN_FLIGHT: usize = 16;

/// How many items a stream works on at once for `--concurrency n`: never 0 (clap keeps the flag
/// in 1..=64, but a `buffered(0)` stream would never poll anything, so a hand-built context
/// cannot hang a run either).
pub(crate) fn lanes(concurrency: usize) -> usize {
    concurrency.max(1)
}

impl Context {
    /// How many connections this Region's streams work on at once.
    pub(crate) fn lanes(&self) -> usize {
        lanes(self.concurrency)
    }

    /// The pages a listing with `prefix` is expected to take (100 connections a page): what
    /// the last listing with the longest prefix of it returned (a listing with a shorter
    /// prefix, such as the project file's `namePrefix` or none, bounds it from above).
    pub(crate) fn listing_pages(&self, prefix: &str) -> usize {
        let listed = self
            .listed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = listed
            .iter()
            .filter(|(listed_prefix, _)| prefix.starts_with(listed_prefix.as_str()))
            .max_by_key(|(listed_prefix, _)| listed_prefix.len())
            .map(|(_, count)| *count)
            .unwrap_or(usize::MAX / 2);
        count / 100 + 1
    }

    pub(crate) fn remember_listing(&self, prefix: &str, count: usize) {
        self.listed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(prefix.to_string(), count);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stream_always_has_a_lane() {
        assert_eq!(super::lanes(0), 1);
        assert_eq!(super::lanes(1), 1);
        assert_eq!(super::lanes(8), 8);
    }
}
