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
