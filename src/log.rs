//! Progress and verbose messages on stderr. Only names and counts are ever logged here,
//! never a value read from a secret.
//!
//! Long steps show a progress bar ([`crate::term::Bar`]) when stderr is a terminal that is not
//! `TERM=dumb` (and not with `-q`);
//! with `-v` and stderr not a terminal they print a line every tenth of the way instead; piped
//! without `-v`, they print nothing. Every line goes through [`crate::term`], which keeps it
//! apart from the bar.

use crate::term::{self, Bar};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Log {
    pub(crate) verbosity: u8,
    /// Show progress lines (stderr is a terminal, or `-v`; never with `-q`).
    pub(crate) progress: bool,
    /// Show progress bars (stderr is a terminal, not `-q`).
    pub(crate) bars: bool,
}

impl Log {
    pub(crate) fn new(verbosity: u8, quiet: bool) -> Self {
        Log {
            verbosity,
            progress: !quiet && (verbosity > 0 || term::stderr_is_terminal()),
            bars: !quiet && term::stderr_draws_bars(),
        }
    }

    /// A message shown with `-v`.
    pub(crate) fn verbose(&self, message: impl AsRef<str>) {
        if self.verbosity > 0 {
            term::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }

    /// A message shown with `-vv`.
    pub(crate) fn debug(&self, message: impl AsRef<str>) {
        if self.verbosity > 1 {
            term::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }

    /// Something the run could not do that changes what its result means (never hidden,
    /// not even by `-q`).
    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        term::stderr(&format!("provision: warning: {}\n", message.as_ref()));
    }

    /// Progress on long work, shown on a terminal or with `-v`.
    pub(crate) fn progress(&self, message: impl AsRef<str>) {
        if self.progress {
            term::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }
}

/// Counts finished items of a long step: a bar on a terminal, or (with `-v` elsewhere) a line
/// every tenth of the way (at least every 100 items), so a run over thousands of connections
/// shows it is moving. The bar is cleared when the step ends.
pub(crate) struct Progress {
    log: Log,
    what: &'static str,
    total: usize,
    step: usize,
    done: AtomicUsize,
    bar: Option<Bar>,
}

impl Progress {
    pub(crate) fn new(log: Log, what: &'static str, total: usize) -> Self {
        let step = (total / 10).max(100);
        let bar = (log.bars && total > 0).then(|| Bar::new(what, total));
        Progress {
            log,
            what,
            total,
            step,
            done: AtomicUsize::new(0),
            bar,
        }
    }

    pub(crate) fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &self.bar {
            bar.inc();
            return;
        }
        if done.is_multiple_of(self.step) && done < self.total {
            self.log
                .progress(format!("{} {done}/{}", self.what, self.total));
        }
    }
}
