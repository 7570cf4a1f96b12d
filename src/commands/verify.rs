//! `provision verify`: request a token for every declared connection, in every Region of the
//! run, as EventBridge would, and ask the org, with that token, whether each API destination
//! can deliver (GET requests only). Exit 0 when every check passes, 1 when one fails (or
//! warns, with `--strict`). Nothing is written anywhere.
//!
//! `--publish-test DESTINATION` publishes one event through one destination instead: refused
//! on a production host without `--allow-production`, and without a terminal unless `--yes`,
//! both before any request.

use super::EXIT_OK;
use super::context::{Run, load_specs};
use crate::aws::assume::Access;
use crate::config::{PublishTest, Settings};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::publish::{self, Prepare};
use crate::engine::rule_role::RoleReads;
use crate::engine::session::Account;
use crate::engine::verify::verify;
use crate::error::{Error, Problem};
use crate::manifest::{ConnectionSpec, DestinationSpec};
use crate::plan::verify_report::{Verified, VerifyReport};
use crate::salesforce::token::TokenLimits;
use crate::view;
use std::collections::HashMap;
use std::io::IsTerminal;

pub(super) async fn run(
    settings: &Settings,
    limits: TokenLimits,
    strict: bool,
    publish: Option<&PublishTest>,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let chosen = publish
        .map(|publish| publish_target(&specs, publish))
        .transpose()?;
    let run = Run::new(settings, &specs, &interrupt, Account::Caller(Access::Read)).await?;
    // IAM is global: one client, and one record of the roles read, per account of the run.
    let mut role_reads: HashMap<&str, RoleReads> = HashMap::new();
    for context in &run.contexts {
        role_reads
            .entry(context.place.account.as_str())
            .or_insert_with(|| RoleReads::new(run.session.iam(&context.place)));
    }
    let work = async {
        match (publish, chosen) {
            (Some(publish), Some((spec, destination, body))) => {
                publish_test(&run, spec, destination, body, publish, limits).await
            }
            _ => Ok(
                futures::future::join_all(run.contexts.iter().map(|context| {
                    let wanted = run.wanted_in(context, &specs);
                    let roles = &role_reads[context.place.account.as_str()];
                    async move { verify(context, &wanted, limits, roles).await }
                }))
                .await
                .into_iter()
                .flatten()
                .collect(),
            ),
        }
    };
    let results = tokio::select! {
        results = work => results?,
        () = interrupt.raised() => return Err(Error::Interrupted {
            signal: interrupt.signal().unwrap_or(Signal::Interrupt),
            done: if publish.is_some() {
                "nothing was changed, but the test event may have been published already".to_string()
            } else {
                "nothing was changed".to_string()
            },
        }),
    };
    let report = VerifyReport {
        regions: run.coverage().regions(),
        left_out: run.session.left_out(),
        results,
    };
    view::stdout(&settings.view().verified(&report))?;
    let summary = report.summary();
    let warned = if strict { summary.warnings } else { 0 };
    if !report.has_destinations() && summary.failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed: summary.failed,
            total: report.results.len(),
        });
    }
    if summary.failed + warned > 0 {
        return Err(Error::ChecksFailed {
            failed: summary.failed,
            warned,
            total: report.results.len(),
        });
    }
    Ok(EXIT_OK)
}

/// The destination `--publish-test` names, and its `--body`, checked before any request: it
/// is declared once, its host is a sandbox unless `--allow-production`, and there is a
/// terminal to ask on unless `--yes`.
fn publish_target<'a>(
    specs: &'a [ConnectionSpec],
    publish: &PublishTest,
) -> Result<
    (
        &'a ConnectionSpec,
        &'a DestinationSpec,
        Option<serde_json::Value>,
    ),
    Error,
> {
    let found = specs.iter().find_map(|spec| {
        spec.destinations
            .iter()
            .find(|d| d.name == publish.destination)
            .map(|d| (spec, d))
    });
    let Some((spec, destination)) = found else {
        let declared: Vec<&str> = specs
            .iter()
            .flat_map(|s| s.destinations.iter().map(|d| d.name.as_str()))
            .collect();
        let listed = if declared.is_empty() {
            "the files declare no API destination".to_string()
        } else {
            format!("the files declare {}", declared.join(", "))
        };
        return Err(Error::input(
            Problem::new(format!(
                "--publish-test {}: no API destination of that name ({listed})",
                publish.destination
            ))
            .help("name one of the `destinations:` of a connection in the files given"),
        ));
    };
    let endpoint = destination.endpoint(&spec.token_url);
    if !publish.allow_production && !publish::is_sandbox_host(&endpoint) {
        return Err(Error::input(
            Problem::new(format!(
                "--publish-test {}: {endpoint} is not a sandbox host, so this may be a production org: nothing was published",
                destination.name
            ))
            .at(destination.origin.clone())
            .help("publish tests to a sandbox (salesforce.sandbox), or add --allow-production if subscribers in this org may receive a test event"),
        ));
    }
    if !publish.confirmed && !std::io::stdin().is_terminal() {
        return Err(Error::input(
            Problem::new(format!(
                "--publish-test {} would publish one event to {endpoint}, and there is no terminal to confirm on: nothing was published",
                destination.name
            ))
            .help("run again with --yes"),
        ));
    }
    let body = match &publish.body {
        None => None,
        Some(path) => {
            let text = crate::local_files::read_text(path, crate::bounds::EVENT_BODY_BYTES)
                .map_err(|error| {
                    Error::input(
                        Problem::new(format!(
                            "--body {}: cannot read it: {}",
                            path.display(),
                            error.describe()
                        ))
                        .help("give the path of a JSON file"),
                    )
                })?;
            Some(serde_json::from_str(&text).map_err(|error| {
                Error::input(
                    Problem::new(format!("--body {}: not JSON: {error}", path.display())).help(
                        "write the event as a JSON object, e.g. {\"Order_Id__c\": \"test-1\"}",
                    ),
                )
            })?)
        }
    };
    Ok((spec, destination, body))
}

/// Checks the destination, asks (unless `--yes`), then publishes one event; in the first
/// Region of the run the connection is wanted in (the event goes to Salesforce, not AWS).
async fn publish_test(
    run: &Run<'_>,
    spec: &ConnectionSpec,
    destination: &DestinationSpec,
    body: Option<serde_json::Value>,
    publish: &PublishTest,
    limits: TokenLimits,
) -> Result<Vec<Verified>, Error> {
    let specs = std::slice::from_ref(spec);
    let Some(context) = run
        .contexts
        .iter()
        .find(|context| !run.wanted_in(context, specs).is_empty())
    else {
        return Err(Error::input(
            Problem::new(format!(
                "--publish-test {}: its connection {} is in no Region of this run",
                destination.name, spec.name
            ))
            .help("add one of the connection's Regions with --region"),
        ));
    };
    let prepared = match publish::prepare(context, spec, destination, body, limits).await {
        Prepare::Stopped(results) => return Ok(results),
        Prepare::Ready(prepared) => prepared,
    };
    if !publish.confirmed {
        view::stderr(&format!(
            "Publish one test event to {}? Every subscriber of the event receives it.\n{}\nType yes to confirm: ",
            prepared.endpoint,
            serde_json::to_string_pretty(&prepared.body).unwrap_or_default()
        ));
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if answer.trim() != "yes" {
            return Err(Error::input(
                Problem::new("the test event was not confirmed: nothing was published")
                    .help("answer `yes` to publish, or run verify without --publish-test"),
            ));
        }
    }
    Ok(prepared.publish(context).await)
}
