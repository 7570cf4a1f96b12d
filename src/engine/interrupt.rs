//! Interruption: SIGINT or SIGTERM asks a run to stop starting new work.
//!
//! The first signal sets the flag that the engine checks before each write and while it
//! waits; writes already sent finish (each is bounded by the call timeout), and the command
//! prints what was done and what was not. A second signal ends the process at once. The
//! [`Signal`] itself is data of [`crate::signal`], which errors see too.

pub(crate) use crate::signal::Signal;
use std::sync::Arc;
use tokio::sync::watch;

/// A handle on the run's interruption flag; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Interrupt {
    receiver: watch::Receiver<Option<Signal>>,
    sender: Arc<watch::Sender<Option<Signal>>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        let (sender, receiver) = watch::channel(None);
        Interrupt {
            receiver,
            sender: Arc::new(sender),
        }
    }
}

impl Interrupt {
    /// The signal received, if any.
    pub(crate) fn signal(&self) -> Option<Signal> {
        *self.receiver.borrow()
    }

    /// Marks the run interrupted; returns false if it already was.
    pub(crate) fn raise(&self, signal: Signal) -> bool {
        let mut first = false;
        self.sender.send_if_modified(|current| {
            first = current.is_none();
            if first {
                *current = Some(signal);
            }
            first
        });
        first
    }

    /// Resolves once the run is interrupted.
    pub(crate) async fn raised(&self) {
        let mut receiver = self.receiver.clone();
        // An error means the sender is gone: nothing can interrupt any more.
        if receiver.wait_for(Option::is_some).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_counts_and_wakes_the_waiters() {
        let interrupt = Interrupt::default();
        assert_eq!(interrupt.signal(), None);
        let waiter = {
            let interrupt = interrupt.clone();
            tokio::spawn(async move { interrupt.raised().await })
        };
        assert!(interrupt.raise(Signal::Terminate));
        assert!(
            !interrupt.raise(Signal::Interrupt),
            "the second is not the first"
        );
        waiter.await.unwrap();
        assert_eq!(interrupt.signal(), Some(Signal::Terminate));
    }
}
