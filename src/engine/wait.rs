//! How long `apply` waits for written connections to settle, and how often it looks.

use std::time::Duration;

/// The longest duration any flag takes (the CLI refuses longer ones): longer waits are a
/// mistake, and bounding them keeps every later time computation, such as the settle phase's
/// deadline, far from overflow.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WaitPolicy {
    /// How long the settle phase may last in all; private endpoints can take about 20 minutes
    /// to become ACTIVE.
    pub(crate) timeout: Duration,
    /// The first pause before a poll round; it doubles up to `max_delay`.
    pub(crate) first_delay: Duration,
    pub(crate) max_delay: Duration,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        WaitPolicy {
            timeout: Duration::from_secs(25 * 60),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        }
    }
}
