//! `provision verify`: request a token for every declared connection, in every Region of the
//! run, as EventBridge would, and show what the token endpoint answered. Exit 0 when every
//! token is granted, 1 otherwise. Nothing is written anywhere.

use super::EXIT_OK;
use super::context::{Run, load_specs};
use crate::config::Settings;
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::verify::{VerifyReport, verify};
use crate::error::Error;
use crate::salesforce::token::TokenLimits;
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    limits: TokenLimits,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let run = Run::new(settings, &specs, &interrupt).await?;
    let every_region = futures::future::join_all(run.contexts.iter().map(|context| {
        let wanted = run.wanted_in(context, &specs);
        async move { verify(context, &wanted, limits).await }
    }));
    let per_region = tokio::select! {
        per_region = every_region => per_region,
        () = interrupt.raised() => return Err(Error::Interrupted {
            signal: interrupt.signal().unwrap_or(Signal::Interrupt),
            done: "nothing was changed".to_string(),
        }),
    };
    let report = VerifyReport {
        regions: run.coverage.regions.clone(),
        left_out: run.coverage.left_out.clone(),
        results: per_region.into_iter().flatten().collect(),
    };
    view::stdout(&settings.view().verified(&report))?;
    let failed = report.summary().failed;
    if failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed,
            total: report.results.len(),
        });
    }
    Ok(EXIT_OK)
}
