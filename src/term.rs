//! The terminal: the only writes to stdout and stderr, and the progress bars drawn on stderr.
//!
//! It sits below the views (what a command prints) and the log (what a run says on the way),
//! so both write through it and neither needs the other. Every write is redacted of the
//! secret values the run read, and every line of it made safe for a terminal and a CI log
//! ([`crate::outside::neutralise`]: the last line of defence behind [`crate::outside::Outside`],
//! which escapes text from outside wherever it is shown); while a bar is on screen every write goes through
//! [`while_hidden`], so lines never mix with the bar. A closed pipe (`provision diff | head`)
//! ends printing quietly and never changes the exit code, and a write error never panics.

use crate::error::Error;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether stderr is a terminal (progress shows there without `-v`).
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Whether stderr can show a progress bar: a terminal that is not `TERM=dumb` (a bar redraws
/// itself with cursor movements, which a dumb terminal cannot do).
pub(crate) fn stderr_draws_bars() -> bool {
    stderr_is_terminal() && anstyle_query::term_supports_color()
}

/// Set once stdout turned out to be closed: nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout, with every secret value the run read redacted. A closed pipe is a quiet
/// end of the output, not an error: the reader (`head`, `grep -q`) has what it wanted, and the
/// exit code keeps its meaning.
pub(crate) fn stdout(text: &str) -> Result<(), Error> {
    if text.is_empty() || STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = crate::secret::redact(text);
    let text = crate::outside::neutralise(&text);
    let written = while_hidden(|| {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    });
    match written {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(error) => Err(Error::Output(error)),
    }
}

/// Writes to stderr, redacted like stdout; failures are ignored (there is nowhere left to
/// report them).
pub(crate) fn stderr(text: &str) {
    if text.is_empty() {
        return;
    }
    let text = crate::secret::redact(text);
    let text = crate::outside::neutralise(&text);
    while_hidden(|| {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    });
}

/// Every bar on screen, drawn together on stderr.
static BARS: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));

/// Set once a bar was shown: until then writes need not hide anything.
static BARS_USED: AtomicBool = AtomicBool::new(false);

/// Runs `write` with the progress bars cleared from the terminal, and draws them again after.
fn while_hidden<R>(write: impl FnOnce() -> R) -> R {
    if BARS_USED.load(Ordering::Relaxed) {
        BARS.suspend(write)
    } else {
        write()
    }
}

/// One progress bar on stderr (`provision: <what> [====>   ] 3/10 connections (2s)`),
/// cleared from the screen when dropped.
pub(crate) struct Bar(ProgressBar);

impl Bar {
    pub(crate) fn new(what: &'static str, total: usize) -> Self {
        BARS_USED.store(true, Ordering::Relaxed);
        let style = ProgressStyle::with_template(
            "provision: {msg} [{bar:30}] {pos}/{len} connections ({elapsed})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        Bar(BARS.add(
            ProgressBar::new(total as u64)
                .with_style(style)
                .with_message(what),
        ))
    }

    /// One more item done.
    pub(crate) fn inc(&self) {
        self.0.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
        BARS.remove(&self.0);
    }
}
