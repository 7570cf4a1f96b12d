//! Progress and verbose messages on stderr. Only names and counts are ever logged here,
//! never a value read from a secret.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy)]
pub struct Log {
    pub verbosity: u8,
    /// Show progress lines (stderr is a terminal, or `-v`).
    pub progress: bool,
}

impl Log {
    pub fn new(verbosity: u8) -> Self {
        Log {
            verbosity,
            progress: verbosity > 0 || std::io::stderr().is_terminal(),
        }
    }

    /// A message shown with `-v`.
    pub fn verbose(&self, message: impl AsRef<str>) {
        if self.verbosity > 0 {
            eprintln!("provision: {}", message.as_ref());
        }
    }

    /// A message shown with `-vv`.
    pub fn debug(&self, message: impl AsRef<str>) {
        if self.verbosity > 1 {
            eprintln!("provision: {}", message.as_ref());
        }
    }

    /// Progress on long work, shown on a terminal or with `-v`.
    pub fn progress(&self, message: impl AsRef<str>) {
        if self.progress {
            eprintln!("provision: {}", message.as_ref());
        }
    }
}

/// Counts finished items of a long step and reports every tenth of the way (at least every
/// 100 items), so a run over thousands of connections shows it is moving.
pub struct Progress {
    log: Log,
    what: &'static str,
    total: usize,
    step: usize,
    done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub fn new(log: Log, what: &'static str, total: usize) -> Self {
        let step = (total / 10).max(100);
        Progress {
            log,
            what,
            total,
            step,
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    pub fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if done.is_multiple_of(self.step) && done < self.total {
            self.log
                .progress(format!("{} {done}/{}", self.what, self.total));
        }
    }
}
