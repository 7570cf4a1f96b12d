//! `provision diff`: compare the YAML with AWS and print the plan. Exit 0 in sync, 2
//! differences, 1 error; with `--fail-on unhealthy`, 3 when a declared connection is broken
//! (an error still exits 1).

use super::context::{Run, check_prune_regions, load_specs};
use super::saved_plan;
use super::{EXIT_DIFFERENCES, EXIT_OK, EXIT_UNHEALTHY};
use crate::aws::assume::Access;
use crate::config::Settings;
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::session::Account;
use crate::error::Error;
use crate::error::Problem;
use crate::plan::connection::PlanOptions;
use crate::plan::saved::SavedPlan;
use crate::plan::saved::fingerprint::Kdf;
use crate::view;
use std::path::Path;

pub(super) async fn run(
    settings: &Settings,
    options: &PlanOptions,
    out: Option<&Path>,
    fail_on_unhealthy: bool,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    if options.prune {
        check_prune_regions(&specs, &settings.project)?;
    }
    let run = Run::new(settings, &specs, &interrupt, Account::Caller(Access::Read)).await?;
    let plan = run.read_plan(&specs, options, &interrupt).await?;
    view::stdout(&settings.view().plan(&plan))?;
    if let Some(out) = out {
        if plan.has_errors() {
            view::stderr(&format!(
                "the plan has errors, so it was not saved to {}: fix them and plan again\n",
                out.display()
            ));
        } else {
            let kdf = Kdf::fresh().map_err(|message| {
                Error::input(
                    Problem::new(format!("cannot make the saved plan: {message}"))
                        .help("nothing was written; run again"),
                )
            })?;
            save(
                saved_plan::document(&run, &specs, &plan, options, kdf),
                out,
                &interrupt,
            )
            .await?;
            if !settings.quiet {
                view::stderr(&format!(
                    "Saved the plan to {0}; apply exactly it with `provision apply --plan {0}` (same paths and flags)\n",
                    out.display()
                ));
            }
        }
    }
    if plan.has_errors() {
        return Err(Error::ResourcesFailed {
            failed: plan.failures().unwrap_or_else(|| "the plan".to_string()),
            left_deleted: Vec::new(),
        });
    }
    Ok(if fail_on_unhealthy && plan.has_broken_connections() {
        EXIT_UNHEALTHY
    } else if plan.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_OK
    })
}

/// Makes the saved plan and writes it, unless SIGINT or SIGTERM came first: the signal ends
/// the run (130 or 143) with no plan file left, since a plan saved after it would look
/// reviewed and complete. Making the document can take a while (the AWS account is read, each
/// secret is fingerprinted with Argon2id, which no signal can cut short): the signal is
/// checked again once it is made, and once it is written.
async fn save(
    document: impl Future<Output = Result<SavedPlan, Error>>,
    out: &Path,
    interrupt: &Interrupt,
) -> Result<(), Error> {
    let interrupted = |signal| Error::Interrupted {
        signal,
        done: format!("the plan was not saved to {}", out.display()),
    };
    let saved = tokio::select! {
        biased;
        () = interrupt.raised() => {
            return Err(interrupted(interrupt.signal().unwrap_or(Signal::Interrupt)));
        }
        saved = document => saved?,
    };
    if let Some(signal) = interrupt.signal() {
        return Err(interrupted(signal));
    }
    saved.write(out)?;
    if let Some(signal) = interrupt.signal() {
        let _ = std::fs::remove_file(out);
        return Err(interrupted(signal));
    }
    Ok(())
}
