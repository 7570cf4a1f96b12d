//! One module per command. Each takes the resolved [`Settings`] and returns the exit code, or
//! an error that [`crate::run`] prints; a new command is one file here plus one line in the
//! CLI and one in [`run`].

mod apply;
mod completions;
pub(crate) mod context;
mod diff;
mod explain;
mod export;
mod iam_policy;
mod man;
/// Generates `docs/reference/`; written by its test (`PROVISION_BLESS=1`), never shipped.
#[cfg(test)]
mod reference;
mod report;
mod rotate_credentials;
mod salesforce_credentials;
mod salesforce_metadata;
mod saved_plan;
mod schema;
mod show;
mod targets;
mod validate;
mod verify;
mod version;

use crate::config::{Settings, Task};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::error::Error;
use crate::view;

/// Exit codes: an API for CI.
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_ERROR: u8 = 1;
pub(crate) const EXIT_DIFFERENCES: u8 = 2;
/// `diff --fail-on unhealthy`: a declared connection is broken (an outage, not drift). An
/// error wins over it: a plan with errors exits 1.
pub(crate) const EXIT_UNHEALTHY: u8 = 3;

pub(crate) async fn run(settings: &Settings) -> Result<u8, Error> {
    if let Some(file) = &settings.project.file {
        crate::log::Log::new(settings.verbosity, settings.quiet)
            .verbose(format!("project file: {}", file.display()));
    }
    for replaced in &settings.set_aside {
        crate::log::Log::new(settings.verbosity, settings.quiet).warn(format!(
            "--config stands in for {}, the project file of the documents: its set, accounts and defaultRegion do not apply to this run",
            replaced.display()
        ));
    }
    match &settings.task {
        Task::Validate => validate::run(settings),
        Task::Targets => targets::run(settings),
        Task::Diff {
            plan,
            out,
            fail_on_unhealthy,
        } => {
            diff::run(
                settings,
                plan,
                out.as_deref(),
                *fail_on_unhealthy,
                listen_for_signals(),
            )
            .await
        }
        Task::Apply {
            plan,
            options,
            deletes,
            saved,
        } => {
            apply::run(
                settings,
                plan,
                *options,
                *deletes,
                saved.as_deref(),
                listen_for_signals(),
            )
            .await
        }
        Task::Show { file } => show::run(settings, file),
        Task::ReportMerge { files } => report::run(settings, files),
        Task::Export { name_prefix, out } => {
            export::run(settings, name_prefix.as_deref(), out).await
        }
        Task::SalesforceMetadata { out } => salesforce_metadata::run(settings, out),
        Task::SalesforceCredentials => salesforce_credentials::run(settings).await,
        Task::RotateCredentials(options) => {
            rotate_credentials::run(settings, options, listen_for_signals()).await
        }
        Task::Verify {
            limits,
            strict,
            publish,
        } => {
            verify::run(
                settings,
                *limits,
                *strict,
                publish.as_ref(),
                listen_for_signals(),
            )
            .await
        }
        Task::IamPolicy {
            policy,
            account,
            trust,
        } => iam_policy::run(settings, policy, account.as_deref(), trust.as_deref()).await,
        Task::Schema {
            project,
            output_document,
        } => schema::run(*project, output_document.as_deref()),
        Task::Explain { key, project } => explain::run(settings, key.as_deref(), *project),
        Task::Completions { shell } => completions::run(*shell),
        Task::Man { out } => man::run(out.as_deref()),
        Task::Version => version::run(settings),
    }
}

/// SIGINT and SIGTERM raise the run's interruption flag; a second one ends the process at
/// once with the first signal's exit code.
fn listen_for_signals() -> Interrupt {
    let interrupt = Interrupt::default();
    let raised = interrupt.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let signal = tokio::select! {
                result = tokio::signal::ctrl_c() => match result {
                    Ok(()) => Signal::Interrupt,
                    Err(_) => return,
                },
                Some(()) = async {
                    match terminate.as_mut() {
                        Some(stream) => stream.recv().await,
                        None => std::future::pending().await,
                    }
                } => Signal::Terminate,
            };
            #[cfg(not(unix))]
            let signal = match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => return,
            };
            if raised.raise(signal) {
                view::stderr(&format!(
                    "provision: {} received: no new connection is started; writes under way finish, then what was done is printed (send it again to stop at once)\n",
                    signal.name()
                ));
            } else {
                view::stderr(&format!(
                    "provision: {} received again: stopping now; run the same command again to finish\n",
                    signal.name()
                ));
                let code = raised.signal().unwrap_or(signal).exit_code();
                std::process::exit(i32::from(code));
            }
        }
    });
    interrupt
}
