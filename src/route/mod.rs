//! What an EventBridge rule hands to its target: the input transformer made from a rule's
//! `body:` and its local rendering, the JSON paths it reads, and the retry policy.
//!
//! Plain data and pure functions, below every layer that names them: the manifest checks a
//! body's paths with [`path`], the desired state builds an [`InputTransformer`] with
//! [`transformer::transformer`], `verify` renders a sample event with [`render::render`], and
//! the AWS edge and the live state carry the same types. A leaf: it imports nothing of the
//! crate.

pub(crate) mod path;
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "verify --publish-test renders a rule's sample through it; remove once it does"
    )
)]
pub(crate) mod render;
pub(crate) mod transformer;

pub(crate) use transformer::{InputTransformer, transformer};

/// A target's retry policy (EventBridge API reference, `RetryPolicy`: "MaximumRetryAttempts:
/// The maximum number of retry attempts to make before the request fails. Retry attempts
/// continue until either the maximum number of attempts is made or until the duration of the
/// MaximumEventAgeInSeconds is met", valid range 0..185; "MaximumEventAgeInSeconds: The
/// maximum amount of time, in seconds, to continue to make retry attempts", valid range
/// 60..86400). A target written without one gets AWS's defaults, [`RetryPolicy::AWS_DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RetryPolicy {
    pub(crate) maximum_retry_attempts: u32,
    pub(crate) maximum_event_age_seconds: u32,
}

/// `MaximumRetryAttempts`: 0..185 (EventBridge API reference, `RetryPolicy`).
pub(crate) const RETRY_ATTEMPTS_MAX: u32 = 185;
/// `MaximumEventAgeInSeconds`: 60..86400 (EventBridge API reference, `RetryPolicy`).
pub(crate) const EVENT_AGE_MIN_SECONDS: u32 = 60;
pub(crate) const EVENT_AGE_MAX_SECONDS: u32 = 86_400;

impl RetryPolicy {
    /// What EventBridge applies to a target put without a retry policy: "By default,
    /// EventBridge retries sending the event for 24 hours and up to 185 times with an
    /// exponential back off and jitter" (EventBridge user guide, "Event retry policy and using
    /// dead-letter queues"). Filling it in keeps a target that AWS reads back with (or
    /// without) these values from showing as drift.
    pub(crate) const AWS_DEFAULT: RetryPolicy = RetryPolicy {
        maximum_retry_attempts: RETRY_ATTEMPTS_MAX,
        maximum_event_age_seconds: EVENT_AGE_MAX_SECONDS,
    };
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::AWS_DEFAULT
    }
}
