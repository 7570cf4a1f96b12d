//! `provision rotate-credentials [PATH...] [--name NAME]...`: a new consumer key and secret for
//! each selected External Client App, staged in Salesforce, carried into the referenced secrets
//! and every connection that uses them, health-gated, without dropping an event.
//!
//! This file selects the documents, checks them offline (every problem at once), opens
//! Salesforce and renders; each document's rotation, the steps and their I/O, is the engine's
//! ([`crate::engine::rotate`]), which reads the run's AWS world, opened once here
//! ([`session::Session`]), through this file's [`Session`].

use super::EXIT_OK;
use super::context::{contexts, load_specs, read_plan};
use crate::aws::assume::Access;
use crate::aws::secretsmanager::SecretsManagerClients;
use crate::config::Settings;
use crate::coverage::Coverage;
use crate::engine::Context;
use crate::engine::credentials::{
    INSTANCE_VARIABLE, Target, offline_first, run_ending, salesforce_error,
};
use crate::engine::interrupt::Interrupt;
use crate::engine::rotate::{RotateOptions, Rotation, Session, done_summary};
use crate::engine::session::{self, Account, Scope};
use crate::error::{Error, Problem};
use crate::manifest::{ConnectionSpec, SecretSource, ValueSource};
use crate::place::Place;
use crate::plan::Plan;
use crate::plan::connection::PlanOptions;
use crate::plan::rotation_report::{RotationEnd, RotationReport, RotationResult};
use crate::resolve::SecretResolver;
use crate::salesforce::connect::{Connect, ConnectError};
use crate::salesforce::metadata::org_of;
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    options: &RotateOptions,
    interrupt: Interrupt,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let selected = select(&specs, &options.names)?;
    let (planned, token, instance) = offline_first(selected)?;
    let (_, instance_host) = org_of(instance.as_str());
    if let Some((spec, _)) = planned.iter().find(|(spec, _)| {
        !org_of(&spec.token_url)
            .1
            .eq_ignore_ascii_case(&instance_host)
    }) {
        return Err(Error::input(
            Problem::new(format!(
                "connection `{}` belongs to the org {}, but {INSTANCE_VARIABLE} is {instance_host}",
                spec.name,
                org_of(&spec.token_url).1
            ))
            .at(spec.origin.clone())
            .help("rotate one org at a time: pass --name for the connections of the org you are signed in to"),
        ));
    }

    // The run's AWS world, once: the project file's accounts are checked before any other call.
    let aws = session::Session::open(
        settings,
        Scope::AllowingUnplaced(&specs),
        Account::Caller(Access::Write),
    )
    .await?;
    let coverage = &aws.coverage;
    let timeouts = settings.aws.timeouts;
    let connect = Connect::new(&instance, token, timeouts.connect, timeouts.call)
        .map_err(|error| salesforce_error(&instance_host, error, None))?;
    let apps = connect
        .apps()
        .await
        .map_err(|error| run_ending(&instance_host, error))?;

    let session = RunSession {
        settings,
        session: &aws,
    };
    let mut outcomes = Vec::new();
    for (spec, targets) in planned {
        let Some(app) = &spec.app else { continue };
        let regions = coverage.regions_of(spec);
        let users = users_of(&specs, &targets);
        let not_begun = |message: String, hint: String| RotationResult {
            name: spec.name.clone(),
            app: app.name.clone(),
            result: RotationEnd::Failed,
            steps: Vec::new(),
            window_seconds: None,
            now: None,
            error: Some(message.into()),
            hint: Some(hint.into()),
        };
        if let Some((message, hint)) = not_covered(spec, &users, &regions, coverage) {
            outcomes.push(not_begun(message, hint));
            continue;
        }
        let consumer = match connect.consumer(&apps, &app.name).await {
            Ok(consumer) => consumer,
            Err(error @ ConnectError::ExpiredToken { .. }) => {
                return Err(run_ending(&instance_host, error));
            }
            Err(error) => {
                let (message, hint) = error.describe();
                outcomes.push(not_begun(message, hint));
                continue;
            }
        };
        let rotation = Rotation {
            session: &session,
            options,
            spec,
            users,
            targets,
            regions,
            account: aws.account().to_string(),
            connect: &connect,
            consumer,
            interrupt: &interrupt,
        };
        let mut outcome = RotationResult {
            name: spec.name.clone(),
            app: app.name.clone(),
            result: RotationEnd::Failed,
            steps: Vec::new(),
            window_seconds: None,
            now: None,
            error: None,
            hint: None,
        };
        if options.dry_run {
            rotation.dry_run(&mut outcome).await;
        } else {
            rotation.rotate(&mut outcome).await;
        }
        let stop = outcome.result == RotationEnd::Interrupted;
        outcomes.push(outcome);
        if stop {
            break;
        }
    }

    let report = RotationReport {
        dry_run: options.dry_run,
        results: outcomes,
    };
    view::stdout(&settings.view().rotated(&report))?;
    if let Some(signal) = interrupt.signal() {
        return Err(Error::Interrupted {
            signal,
            done: done_summary(&report.results),
        });
    }
    let failed = report
        .results
        .iter()
        .filter(|o| matches!(o.result, RotationEnd::Failed | RotationEnd::RolledBack))
        .count();
    if failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed,
            total: report.results.len(),
        });
    }
    Ok(EXIT_OK)
}

/// The documents to rotate: those with `salesforce.app`, limited to `--name`s.
fn select<'a>(
    specs: &'a [ConnectionSpec],
    names: &[String],
) -> Result<Vec<&'a ConnectionSpec>, Error> {
    for name in names {
        if !specs.iter().any(|spec| &spec.name == name) {
            return Err(Error::input(
                Problem::new(format!("no document declares a connection named `{name}`"))
                    .help("check the name after --name, and the PATHs given"),
            ));
        }
    }
    let selected: Vec<&ConnectionSpec> = specs
        .iter()
        .filter(|spec| names.is_empty() || names.contains(&spec.name))
        .filter(|spec| spec.app.is_some())
        .collect();
    if selected.is_empty() {
        return Err(Error::input(
            Problem::new("no selected document declares an External Client App (`salesforce.app`), so there is no credential to rotate")
                .help("add `app: { contactEmail: <address>, runAsUser: <username> }` under `salesforce:`, or pick documents that have one with --name"),
        ));
    }
    Ok(selected)
}

/// Why a document cannot be rotated in this run, and what to do: the old credential stops
/// working when it is revoked or its grace period ends (about 30 days), so every connection
/// using its references must be carried to the new one, and a connection in a Region the run
/// does not cover (`--region` leaves it out) would be left on it. Checked before anything is
/// staged in Salesforce.
fn not_covered(
    spec: &ConnectionSpec,
    users: &[ConnectionSpec],
    regions: &[String],
    coverage: &Coverage,
) -> Option<(String, String)> {
    if regions.is_empty() && coverage.outside(spec).is_empty() {
        return Some((
            format!(
                "{}: not rotated: the document has no AWS Region (no `regions:`, and neither provision.yaml's defaultRegion, --region, AWS_REGION nor the profile names one), so no secret or connection would get the new credential",
                spec.origin
            ),
            "list `regions:` in the file, add `defaultRegion` to provision.yaml, or pass --region"
                .to_string(),
        ));
    }
    let outside: Vec<String> = std::iter::once(spec)
        .chain(users.iter())
        .flat_map(|user| {
            coverage
                .outside(user)
                .into_iter()
                .map(|place| format!("{} ({place})", user.name))
        })
        .fold(Vec::new(), |mut all, one| {
            if !all.contains(&one) {
                all.push(one);
            }
            all
        });
    (!outside.is_empty()).then(|| {
        (
            format!(
                "{}: not rotated: {} use{} its credential in a Region this run leaves out; rotating would leave {} on the old credential, which stops working once revoked or after its grace period (about 30 days)",
                spec.origin,
                outside.join(", "),
                if outside.len() == 1 { "s" } else { "" },
                if outside.len() == 1 { "it" } else { "them" },
            ),
            "run without --region, or with every Region these connections are in".to_string(),
        )
    })
}

/// Every declared connection whose `clientId` or `clientSecret` reads one of `targets`' secrets:
/// each must get the new credential.
fn users_of(specs: &[ConnectionSpec], targets: &[Target]) -> Vec<ConnectionSpec> {
    let reads = |source: &SecretSource| match source {
        SecretSource::SecretsManager { id, .. } => targets.iter().any(|t| &t.id == id),
        _ => false,
    };
    specs
        .iter()
        .filter(|spec| {
            reads(&spec.client_secret.source)
                || matches!(&spec.client_id, ValueSource::Reference(r) if reads(&r.source))
        })
        .cloned()
        .collect()
}

/// The rotation's [`Session`]: the run's session, opened once; each look reads through its
/// clients.
struct RunSession<'s, 'a> {
    settings: &'a Settings,
    session: &'s session::Session<'a>,
}

impl Session for RunSession<'_, '_> {
    fn name_prefix(&self) -> Option<String> {
        self.settings.project.name_prefix.clone()
    }

    fn secrets_managers(&self) -> &SecretsManagerClients {
        self.session.secrets_managers()
    }

    fn fresh_resolver(&self, place: &Place) -> SecretResolver {
        self.session.fresh_resolver(place)
    }

    async fn read_plan(
        &self,
        specs: &[ConnectionSpec],
        options: &PlanOptions,
        interrupt: &Interrupt,
    ) -> Result<(Vec<Context>, Plan), Error> {
        let coverage = self.session.cover(specs)?;
        // Each look reads the references afresh: this run may have written them since.
        let resolver = self.session.fresh_resolver(&self.session.place(""));
        let contexts = contexts(self.session, &coverage, &resolver, interrupt);
        let left_out = coverage
            .left_out
            .iter()
            .map(|left| left.placed(self.session.account_of(left.target.as_deref())))
            .collect();
        let plan = read_plan(
            left_out,
            self.session.unopened(),
            &coverage,
            &contexts,
            specs,
            options,
            interrupt,
        )
        .await?;
        Ok((contexts, plan))
    }
}
