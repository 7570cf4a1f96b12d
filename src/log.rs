//! Progress and verbose messages on stderr. Only names and counts are ever logged here,
//! never a value read from a secret.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Log {
    pub(crate) verbosity: u8,
    /// Show progress lines (stderr is a terminal, or `-v`).
    pub(crate) progress: bool,
}

impl Log {
    pub(crate) fn new(verbosity: u8) -> Self {
        Log {
            verbosity,
            progress: verbosity > 0 || std::io::stderr().is_terminal(),
        }
    }

    /// A message shown with `-v`.
    pub(crate) fn verbose(&self, message: impl AsRef<str>) {
        if self.verbosity > 0 {
            crate::view::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }

    /// A message shown with `-vv`.
    pub(crate) fn debug(&self, message: impl AsRef<str>) {
        if self.verbosity > 1 {
            crate::view::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }

    /// Progress on long work, shown on a terminal or with `-v`.
    pub(crate) fn progress(&self, message: impl AsRef<str>) {
        if self.progress {
            crate::view::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }
}

/// Counts finished items of a long step and reports every tenth of the way (at least every
/// 100 items), so a run over thousands of connections shows it is moving.
pub(crate) struct Progress {
    log: Log,
    what: &'static str,
    total: usize,
    step: usize,
    done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub(crate) fn new(log: Log, what: &'static str, total: usize) -> Self {
        let step = (total / 10).max(100);
        Progress {
            log,
            what,
            total,
            step,
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    pub(crate) fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if done.is_multiple_of(self.step) && done < self.total {
            self.log
                .progress(format!("{} {done}/{}", self.what, self.total));
        }
    }
}
