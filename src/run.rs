//! Runs one command: parse the arguments, resolve settings, dispatch, print, pick the exit code.
//!
//! The only place that prints a run-ending error and decides the exit code: 0 success or in
//! sync, 1 error, 2 `diff` found differences.

use crate::cli::Cli;
use crate::commands::{self, EXIT_ERROR, EXIT_OK};
use crate::config::Settings;
use crate::view;
use clap::Parser;
use std::process::ExitCode;

pub fn main() -> ExitCode {
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
    let settings = Settings::from_cli(cli);
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
    match runtime.block_on(commands::run(&settings)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let (stdout, stderr) = settings.view().error(&error);
            view::stderr(&stderr);
            let _ = view::stdout(&stdout);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
