//! Runs one command: parse the arguments, resolve settings, dispatch, print, pick the exit code.
//!
//! The only place that prints a run-ending error and decides the exit code: 0 success or in
//! sync, 1 error, 2 `diff` found differences, 3 `diff --fail-on unhealthy` found a broken
//! connection.

use crate::cli::Cli;
use crate::commands::{self, EXIT_ERROR, EXIT_OK};
use crate::config::Settings;
use crate::error::Error;
use crate::view;
use clap::Parser;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    treat_empty_aws_variables_as_unset();
    // A panic is a bug, never the way a run ends: report where, and exit 1. The panic's own
    // message is not printed: it could hold anything a bug put in it.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        view::stderr(&format!(
            "error: provision stopped on an internal error{location}; please report it with the command that caused it\n"
        ));
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}

/// The AWS CLI treats an empty `AWS_*` variable as unset; the SDK does not (an empty
/// `AWS_ENDPOINT_URL` makes it panic). Runs first, before any thread exists.
fn treat_empty_aws_variables_as_unset() {
    let empty: Vec<std::ffi::OsString> = std::env::vars_os()
        .filter(|(key, value)| {
            key.to_str().is_some_and(|k| k.starts_with("AWS_"))
                && value.to_str().is_some_and(|v| v.trim().is_empty())
        })
        .map(|(key, _)| key)
        .collect();
    for key in empty {
        // SAFETY: called at the very start of `main`, before the runtime or any other thread
        // starts, so nothing reads the environment concurrently.
        unsafe { std::env::remove_var(key) };
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap uses 2 for usage errors; here 2 means "differences", so usage errors are 1.
            return ExitCode::from(if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            });
        }
    };
    // Bad flags or a broken project file end the run before it has settings: still answer in
    // the format asked for (`--output json` prints its error document).
    let format = cli.global.output;
    let quiet = cli.global.quiet;
    let settings = match Settings::from_cli(cli) {
        Ok(settings) => settings,
        Err(error) => {
            let (stdout, stderr) = crate::config::early_view(format, quiet).error(&error);
            view::stderr(&stderr);
            let _ = view::stdout(&stdout);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if settings.verbosity > 1 {
        crate::aws::trace::init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            view::stderr(&format!("error: cannot start the async runtime: {error}\n"));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(commands::run(&settings))
    }));
    let Ok(outcome) = outcome else {
        return ExitCode::from(EXIT_ERROR);
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let (stdout, stderr) = settings.view().error(&error);
            view::stderr(&stderr);
            let _ = view::stdout(&stdout);
            ExitCode::from(match error {
                Error::Interrupted { signal, .. } => signal.exit_code(),
                _ => EXIT_ERROR,
            })
        }
    }
}
