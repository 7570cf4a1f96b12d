//! Progress and verbose messages on stderr. Only names and counts are ever logged here,
//! never a value read from a secret.
//!
//! Long steps show an `indicatif` progress bar when stderr is a terminal that is not
//! `TERM=dumb` (and not with `-q`);
//! with `-v` and stderr not a terminal they print a line every tenth of the way instead; piped
//! without `-v`, they print nothing. While a bar is on screen, every other write to the
//! terminal goes through [`while_hidden`], so lines never mix with the bar.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
        let terminal = std::io::stderr().is_terminal();
        Log {
            verbosity,
            progress: !quiet && (verbosity > 0 || terminal),
            // A bar redraws itself with cursor movements, which a dumb terminal cannot do.
            bars: !quiet && terminal && anstyle_query::term_supports_color(),
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

    /// Something the run could not do that changes what its result means (never hidden,
    /// not even by `-q`).
    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        crate::view::stderr(&format!("provision: warning: {}\n", message.as_ref()));
    }

    /// Progress on long work, shown on a terminal or with `-v`.
    pub(crate) fn progress(&self, message: impl AsRef<str>) {
        if self.progress {
            crate::view::stderr(&format!("provision: {}\n", message.as_ref()));
        }
    }
}

/// Every bar on screen, drawn together on stderr.
static BARS: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));

/// Set once a bar was shown: until then writes need not hide anything.
static BARS_USED: AtomicBool = AtomicBool::new(false);

/// Runs `write` with the progress bars cleared from the terminal, and draws them again after.
pub(crate) fn while_hidden<R>(write: impl FnOnce() -> R) -> R {
    if BARS_USED.load(Ordering::Relaxed) {
        BARS.suspend(write)
    } else {
        write()
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
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(log: Log, what: &'static str, total: usize) -> Self {
        let step = (total / 10).max(100);
        let bar = (log.bars && total > 0).then(|| {
            BARS_USED.store(true, Ordering::Relaxed);
            let style = ProgressStyle::with_template(
                "provision: {msg} [{bar:30}] {pos}/{len} connections ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            BARS.add(
                ProgressBar::new(total as u64)
                    .with_style(style)
                    .with_message(what),
            )
        });
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
            bar.inc(1);
            return;
        }
        if done.is_multiple_of(self.step) && done < self.total {
            self.log
                .progress(format!("{} {done}/{}", self.what, self.total));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            BARS.remove(&bar);
        }
    }
}
