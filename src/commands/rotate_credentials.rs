//! `provision rotate-credentials [PATH...] [--name NAME]...`: a new consumer key and secret for
//! each selected External Client App, staged in Salesforce, carried into the referenced secrets
//! and every connection that uses them, health-gated, without dropping an event.
//!
//! The steps are data ([`crate::plan::rotation`]): after each one this module looks again at
//! Salesforce (the primary and staged credentials, signed in as a user: `SF_ACCESS_TOKEN`,
//! `SF_INSTANCE_URL`, never as the app being rotated) and at AWS (what the references hold,
//! whether the connections match them), and the pure planner picks the next. So a run that was
//! interrupted anywhere is finished, or rolled back, by the next one; there is no state file.
//! Before the new credential is primary, a failure rolls back; after, the run keeps going and,
//! if AWS still refuses, says what is left. Promotion cuts no one off: Salesforce keeps the
//! former primary as the `Rotated` staged entry, getting tokens about 30 days, until
//! `--revoke-previous` deletes it once every connection is checked on the new credential.
//! Every run that stops early ends with what holds now (Salesforce's primary and staged slot,
//! the secrets, the connections) and what a new run would do.
//!
//! Writing goes through the Secrets Manager writer `salesforce-credentials` uses
//! ([`crate::engine::credentials`]), reading through the
//! run's [`SecretResolver`], the connection updates through the engine's plan, apply and settle.
//! Nothing secret is printed: every key, secret and token is a [`Secret`].

use super::EXIT_OK;
use super::context::{Run, load_specs};
use crate::aws::arn::arn_region;
use crate::aws::connections::authorization;
use crate::aws::{self, secretsmanager::SecretsManagerClients};
use crate::config::{RotateOptions, Settings};
use crate::coverage::{Coverage, Sources};
use crate::desired::ParameterValue;
use crate::engine::apply::{ApplyOptions, apply};
use crate::engine::credentials::{
    INSTANCE_VARIABLE, Part, Target, offline_first, run_ending, salesforce_error, write,
};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::wait::WaitPolicy;
use crate::error::{Error, Problem};
use crate::manifest::{ConnectionSpec, SecretSource, ValueSource};
use crate::plan::connection::PlanOptions;
use crate::plan::rotation::{
    Ending, Facts, OnFailure, Slot, Step, Stored, forecast, next, standing,
};
use crate::plan::rotation_report::{
    RotationEnd, RotationReport, RotationResult, StepRecord, StepResult,
};
use crate::plan::{ConnectionChange, Outcome, Plan};
use crate::resolve::SecretResolver;
use crate::salesforce::connect::{Connect, ConnectError, Consumer, Credentials, SECRET_SETTING};
use crate::salesforce::metadata::org_of;
use crate::salesforce::staged::{Staged, StagedState};
use crate::salesforce::token::{TokenLimits, request_token};
use crate::secret::Secret;
use crate::view;
use std::time::Instant;

/// Test hook, and nothing else: with this set to a step's name (`store-staged`, ...), the run
/// behaves as if SIGTERM arrived right after that step finished. The integration tests use it
/// to stop a rotation at each step deterministically.
const INTERRUPT_HOOK: &str = "PROVISION_TEST_SIGTERM_AFTER";

/// The most steps one rotation takes (the longest path is seven; see the planner's tests).
const MAX_STEPS: usize = 16;

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

    let config = aws::sdk_config(&settings.aws).await?;
    let coverage = Coverage::allowing_unplaced(&specs, &Sources::of(settings, &config));
    // The project file's accounts, before any other AWS call.
    super::context::check_account(settings, &config, coverage.default_region.as_deref()).await?;
    let timeouts = settings.aws.timeouts;
    let connect = Connect::new(&instance, token, timeouts.connect, timeouts.call)
        .map_err(|error| salesforce_error(&instance_host, error, None))?;
    let apps = connect
        .apps()
        .await
        .map_err(|error| run_ending(&instance_host, error))?;

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
            error: Some(message),
            hint: Some(hint),
        };
        if let Some((message, hint)) = not_covered(spec, &users, &regions, &coverage) {
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
            settings,
            options,
            spec,
            users,
            targets,
            regions,
            config: &config,
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
                .map(|region| format!("{} ({region})", user.name))
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

/// What one look at Salesforce and AWS shows.
struct Seen {
    primary: Credentials,
    /// What occupies the staged slot.
    slot: Option<Staged>,
    stored: Stored,
    /// The connections that differ from what the references hold, as `name (region)`.
    differing: Vec<String>,
}

impl Seen {
    /// The `Active` staged credential: the candidate.
    fn candidate(&self) -> Result<&Staged, String> {
        self.slot
            .as_ref()
            .filter(|entry| entry.state == StagedState::Active)
            .ok_or_else(|| "no Active credential is staged".to_string())
    }

    fn slot_state(&self) -> Slot {
        match self.slot.as_ref().map(|entry| entry.state) {
            None => Slot::Empty,
            Some(StagedState::Active) => Slot::Active,
            Some(StagedState::Rotated) => Slot::Rotated,
            Some(StagedState::Expired) => Slot::Expired,
        }
    }

    fn until(&self) -> Option<&str> {
        self.slot
            .as_ref()
            .and_then(|entry| entry.expires.as_deref())
    }
}

/// One document's rotation and everything it needs.
struct Rotation<'a> {
    settings: &'a Settings,
    options: &'a RotateOptions,
    spec: &'a ConnectionSpec,
    /// Every connection using the references (the document's own included).
    users: Vec<ConnectionSpec>,
    targets: Vec<Target>,
    regions: Vec<String>,
    config: &'a aws_config::SdkConfig,
    connect: &'a Connect,
    consumer: Consumer,
    interrupt: &'a Interrupt,
}

impl Rotation<'_> {
    async fn dry_run(&self, outcome: &mut RotationResult) {
        let seen = match self.look(None, self.interrupt).await {
            Ok(seen) => seen,
            Err(message) => {
                outcome.error = Some(message);
                return;
            }
        };
        let facts = self.facts(&seen, &Memory::default());
        let (steps, _) = forecast(facts, true);
        let (otherwise, _) = forecast(facts, false);
        outcome.result = RotationEnd::Planned;
        outcome.steps = steps
            .iter()
            .map(|step| StepRecord {
                step: *step,
                result: StepResult::Planned,
                detail: step.describe().to_string(),
            })
            .collect();
        if steps.first() == Some(&Step::RevokePrevious) {
            outcome.now = Some(format!(
                "the last rotation is complete and {}: a run now starts a new rotation, deleting that entry first (Salesforce stages a credential only into an empty slot), which revokes the previous credential at once",
                previous_valid(seen.until())
            ));
        }
        if otherwise != steps {
            let names: Vec<&str> = otherwise.iter().map(|s| s.name()).collect();
            outcome.hint = Some(format!(
                "if Salesforce gives the staged credential no token before it is primary, the steps are: {}",
                names.join(", ")
            ));
        }
    }

    async fn rotate(&self, outcome: &mut RotationResult) {
        let mut memory = Memory {
            revoke_previous: self.options.revoke_previous,
            ..Memory::default()
        };
        let mut first_failure: Option<String> = None;
        let mut promoted_at: Option<Instant> = None;
        for _ in 0..MAX_STEPS {
            let seen = match self.look(memory.posted.as_ref(), self.interrupt).await {
                Ok(seen) => seen,
                Err(message) => {
                    outcome.error = Some(format!(
                        "{message}; run rotate-credentials again: it continues from what Salesforce and AWS show"
                    ));
                    return;
                }
            };
            memory
                .first_primary
                .get_or_insert_with(|| seen.primary.secret.clone());
            if let Ok(candidate) = seen.candidate() {
                memory.candidate = candidate.credentials.as_ref().map(|c| c.secret.clone());
            }
            let facts = self.facts(&seen, &memory);
            let step = match next(&facts) {
                Ok(step) => step,
                Err(Ending::Rotated) => {
                    self.rotated(outcome, &seen, &memory);
                    return;
                }
                Err(Ending::RolledBack)
                    if memory
                        .candidate
                        .as_ref()
                        .is_some_and(|s| s.expose() == seen.primary.secret.expose()) =>
                {
                    // A promotion whose answer was lost took all the same: rolling back carried
                    // the new primary, so the rotation is done.
                    self.rotated(outcome, &seen, &memory);
                    return;
                }
                Err(Ending::RolledBack) => {
                    outcome.result = RotationEnd::RolledBack;
                    outcome.error = Some(format!(
                        "{}; rolled back: the old credential is primary in Salesforce, stored, and used by every connection, and the staged one is deleted",
                        first_failure.unwrap_or_else(|| "the rotation failed".to_string())
                    ));
                    return;
                }
            };
            let ran = self.perform(step, &seen, &facts, &mut memory).await;
            let detail = match &ran {
                Ok(detail) | Err(detail) => detail.clone(),
            };
            outcome.steps.push(StepRecord {
                step,
                result: if ran.is_ok() {
                    StepResult::Done
                } else {
                    StepResult::Failed
                },
                detail,
            });
            match ran {
                Ok(_) => {
                    if step == Step::Promote {
                        promoted_at = Some(Instant::now());
                    }
                    if step == Step::UpdateConnections
                        && facts.slot == Slot::Rotated
                        && let Some(at) = promoted_at
                        && memory.staged_gets_token == Some(false)
                    {
                        let window = at.elapsed().as_secs_f64();
                        outcome.window_seconds = Some((window * 10.0).round() / 10.0);
                    }
                }
                Err(message) if memory.rolling_back => {
                    outcome.error = Some(format!(
                        "{}; rolling back failed too: {message}",
                        first_failure.unwrap_or_default()
                    ));
                    outcome.now = Some(self.standing(&memory).await);
                    return;
                }
                Err(message) => match step.on_failure(&facts) {
                    OnFailure::RollBack => {
                        first_failure = Some(message);
                        memory.rolling_back = true;
                    }
                    OnFailure::Stop | OnFailure::Finish => {
                        outcome.error = Some(message);
                        outcome.now = Some(self.standing(&memory).await);
                        return;
                    }
                },
            }
            if std::env::var(INTERRUPT_HOOK).is_ok_and(|hook| hook == step.name()) {
                self.interrupt.raise(Signal::Terminate);
            }
            if self.interrupt.signal().is_some() {
                outcome.result = RotationEnd::Interrupted;
                outcome.now = Some(self.standing(&memory).await);
                return;
            }
        }
        outcome.error = Some(format!(
            "the rotation did not end within {MAX_STEPS} steps; run rotate-credentials again"
        ));
    }

    /// The rotation ended with the new credential everywhere: what became of the previous one,
    /// and the org setting to turn off again.
    fn rotated(&self, outcome: &mut RotationResult, seen: &Seen, memory: &Memory) {
        outcome.result = RotationEnd::Rotated;
        let everywhere =
            "the new credential is primary in Salesforce, stored, and used by every connection";
        outcome.now = Some(match &seen.slot {
            _ if memory.revoked => format!(
                "{everywhere}; the previous credential is revoked (its Rotated staged entry is deleted)"
            ),
            Some(entry) if entry.state == StagedState::Rotated => format!(
                "{everywhere}; {}, unless revoked: to revoke it at once, delete the app's staged credential in Setup (External Client App Manager) or send DELETE {} as this user; --revoke-previous does that at the end of a rotation, once every connection is checked on the new credential",
                previous_valid(entry.expires.as_deref()),
                self.connect.staged_url(&self.consumer, &entry.id)
            ),
            _ => format!("{everywhere}; no previous credential is staged"),
        });
        outcome.hint = Some(format!(
            "turn \"{SECRET_SETTING}\" off again in Setup until the next rotation: while it is on, any user with the permissions can read the consumer secret through the REST API"
        ));
    }

    /// What holds now, looked at afresh, for an ending that leaves something to do.
    async fn standing(&self, memory: &Memory) -> String {
        let calm = Interrupt::default();
        match self.look(memory.posted.as_ref(), &calm).await {
            Ok(seen) => {
                let facts = self.facts(
                    &seen,
                    &Memory {
                        revoke_previous: memory.revoke_previous,
                        ..Memory::default()
                    },
                );
                let changed = memory
                    .first_primary
                    .as_ref()
                    .is_some_and(|first| first.expose() != seen.primary.secret.expose());
                standing(&facts, changed, seen.until(), &seen.differing)
            }
            Err(message) => format!(
                "Salesforce and AWS could not be looked at again ({message}); run rotate-credentials again: it continues from what they show"
            ),
        }
    }

    /// The planner's facts from what was seen and what this run remembers.
    fn facts(&self, seen: &Seen, memory: &Memory) -> Facts {
        Facts {
            slot: seen.slot_state(),
            candidate_known: seen
                .slot
                .as_ref()
                .is_some_and(|entry| entry.credentials.is_some()),
            stored: seen.stored,
            connections_in_sync: seen.differing.is_empty(),
            synced: memory.synced,
            staged_gets_token: memory.staged_gets_token,
            rolling_back: memory.rolling_back,
            moved_forward: memory.moved_forward,
            primary_checked: memory.primary_checked,
            revoke_previous: memory.revoke_previous,
        }
    }

    /// Salesforce's credentials, what the references hold in each Region, and which
    /// connections differ from it.
    /// `posted`: the credential this run's POST answered, for a listing that leaves its
    /// secret out.
    /// `interrupt`: what stops the AWS reads (the run's, or a calm one for the last look after
    /// the run was interrupted: reads only, each bounded by the call timeout).
    async fn look(&self, posted: Option<&Staged>, interrupt: &Interrupt) -> Result<Seen, String> {
        let describe = |error: ConnectError| error.describe().0;
        let primary = self
            .connect
            .primary(&self.consumer)
            .await
            .map_err(describe)?;
        let mut slot = self
            .connect
            .staged(&self.consumer)
            .await
            .map_err(describe)?;
        if let (Some(entry), Some(posted)) = (slot.as_mut(), posted)
            && entry.credentials.is_none()
            && entry.state == StagedState::Active
            && entry.id == posted.id
        {
            entry.credentials = posted.credentials.clone();
        }
        let stored = self.stored(&primary, slot.as_ref()).await;
        let differing = self.differing(interrupt).await?;
        Ok(Seen {
            primary,
            slot,
            stored,
            differing,
        })
    }

    /// Whether every reference, in every Region, holds the primary, the `Active` staged
    /// credential or the `Rotated` entry (the previous primary).
    async fn stored(&self, primary: &Credentials, slot: Option<&Staged>) -> Stored {
        let slot_credentials = slot.and_then(|entry| entry.credentials.as_ref());
        let in_slot = |state: StagedState| slot.is_some_and(|entry| entry.state == state);
        let mut all_primary = true;
        let mut all_slot = slot_credentials.is_some();
        for region in &self.regions {
            // A fresh resolver each time: a run's resolver caches what it read.
            let resolver = SecretResolver::new(
                SecretsManagerClients::of(self.config.clone()),
                region.clone(),
            );
            let key = match &self.spec.client_id {
                ValueSource::Reference(reference) => resolver.resolve(reference).await.ok(),
                ValueSource::Literal(text) => Some(Secret::new(text.clone())),
            };
            let secret = resolver.resolve(&self.spec.client_secret).await.ok();
            let (Some(key), Some(secret)) = (key, secret) else {
                return Stored::Other;
            };
            let holds = |credentials: &Credentials| {
                credentials.key.expose() == key.expose()
                    && credentials.secret.expose() == secret.expose()
            };
            all_primary &= holds(primary);
            all_slot &= slot_credentials.is_some_and(holds);
        }
        match (all_primary, all_slot) {
            (true, _) => Stored::Primary,
            (false, true) if in_slot(StagedState::Active) => Stored::Staged,
            (false, true) if in_slot(StagedState::Rotated) => Stored::Previous,
            _ => Stored::Other,
        }
    }

    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            // A secret that cannot be compared is not taken to be in sync.
            strict: true,
            set: self.options.set.clone(),
            adopt: false,
            prune: false,
            replace: false,
            force: false,
            name_prefix: self.settings.project.name_prefix.clone(),
        }
    }

    /// The engine's plan for every connection using the references, with the run it was read
    /// in (its Region contexts).
    async fn read_plan(&self, interrupt: &Interrupt) -> Result<(Run, Plan), String> {
        let run = Run::new(self.settings, &self.users, interrupt)
            .await
            .map_err(|error| error.to_string())?;
        let plan = run
            .read_plan(&self.users, &self.plan_options(), interrupt)
            .await
            .map_err(|error| error.to_string())?;
        Ok((run, plan))
    }

    /// The connections using the references that differ from them (or are unhealthy).
    async fn differing(&self, interrupt: &Interrupt) -> Result<Vec<String>, String> {
        let (_, plan) = self.read_plan(interrupt).await?;
        Ok(plan
            .connections()
            .filter(|step| !matches!(step.change(), ConnectionChange::NoOp { .. }))
            .map(|step| format!("{} ({})", step.entry().name, step.entry().region))
            .collect())
    }

    /// Runs one step; the detail to show, or why it failed.
    async fn perform(
        &self,
        step: Step,
        seen: &Seen,
        facts: &Facts,
        memory: &mut Memory,
    ) -> Result<String, String> {
        let describe = |error: ConnectError| error.describe().0;
        let candidate = || {
            seen.candidate().and_then(|entry| {
                entry
                    .credentials
                    .as_ref()
                    .ok_or_else(|| "the staged credential has no key".to_string())
            })
        };
        let done = match step {
            Step::Stage => {
                let staged = self.connect.stage(&self.consumer).await.map_err(describe)?;
                let detail = match &staged.expires {
                    Some(date) => {
                        format!("a new credential is staged (Active, valid until {date})")
                    }
                    None => "a new credential is staged (Active)".to_string(),
                };
                memory.posted = Some(staged);
                Ok(detail)
            }
            Step::CheckStaged => {
                let answer = self.token(candidate()?).await;
                memory.staged_gets_token = Some(answer.is_ok());
                Ok(match answer {
                    Ok(()) => {
                        "the staged credential gets a token: it goes to AWS first".to_string()
                    }
                    Err(why) => format!(
                        "the staged credential gets no token yet ({why}): it is made primary first, then carried to AWS at once (EventBridge keeps its cached token until it expires or a call gets 401/407)"
                    ),
                })
            }
            Step::StoreStaged => {
                let credentials = candidate()?;
                memory.synced = false;
                self.store(credentials).await
            }
            Step::StorePrimary if memory.rolling_back => {
                memory.synced = false;
                self.restore(&seen.primary).await
            }
            Step::StorePrimary => {
                memory.synced = false;
                self.store(&seen.primary).await
            }
            Step::UpdateConnections => {
                let done = self.update_connections().await;
                memory.synced = done.is_ok();
                done
            }
            Step::Promote => {
                let staged = seen.candidate()?;
                self.connect
                    .promote(&self.consumer, &staged.id)
                    .await
                    .map_err(describe)?;
                Ok("the staged credential is primary; the former primary is the Rotated staged entry and still gets tokens".to_string())
            }
            Step::CheckPrimary => {
                memory.primary_checked = true;
                self.token(&seen.primary)
                    .await
                    .map(|()| "the primary credential gets a token".to_string())
                    .map_err(|why| {
                        format!("the token endpoint refused the primary credential: {why}")
                    })
            }
            Step::DeleteStaged => {
                let entry = seen.slot.as_ref().ok_or("nothing is staged")?;
                self.connect
                    .delete_staged(&self.consumer, &entry.id)
                    .await
                    .map_err(describe)?;
                Ok(match (entry.state, &entry.credentials) {
                    (StagedState::Expired, _) => "the expired staged credential is deleted",
                    (_, None) => {
                        "the staged credential is deleted: Salesforce no longer gives its secret, so it cannot be carried to AWS"
                    }
                    _ => "the staged credential is deleted",
                }
                .to_string())
            }
            Step::RevokePrevious => {
                let entry = seen
                    .slot
                    .as_ref()
                    .filter(|entry| entry.state == StagedState::Rotated)
                    .ok_or("no Rotated entry is staged")?;
                let checked = if facts.moved_forward {
                    Some(self.authorized_on_new().await.map_err(|why| {
                        format!(
                            "the previous credential is not revoked: {why}; {}",
                            previous_valid(entry.expires.as_deref())
                        )
                    })?)
                } else {
                    None
                };
                self.connect
                    .delete_staged(&self.consumer, &entry.id)
                    .await
                    .map_err(describe)?;
                memory.revoked = checked.is_some();
                Ok(match checked {
                    Some(count) => format!(
                        "the previous credential is revoked (its Rotated entry is deleted), after {count} connection(s) were checked AUTHORIZED on the new one"
                    ),
                    None => format!(
                        "the Rotated entry is deleted (the last rotation was complete; the previous credential was valid{}): the slot is empty for a new credential",
                        entry
                            .expires
                            .as_deref()
                            .map(|date| format!(" until {date}"))
                            .unwrap_or_default()
                    ),
                })
            }
        };
        if done.is_ok() && step.carries_forward(facts) {
            memory.moved_forward = true;
        }
        done
    }

    /// Before the previous credential is revoked: every connection using the references holds
    /// what they hold (the new primary) and is `AUTHORIZED`, since its last update where AWS
    /// reports the times. The number checked, or which one is not.
    async fn authorized_on_new(&self) -> Result<usize, String> {
        let (run, plan) = self.read_plan(self.interrupt).await?;
        let mut checked = 0;
        for step in plan.connections() {
            let entry = step.entry();
            let place = format!("{} ({})", entry.name, entry.region);
            if !matches!(step.change(), ConnectionChange::NoOp { .. }) {
                return Err(format!("{place} differs from the referenced secrets"));
            }
            let context = run
                .contexts
                .iter()
                .find(|context| context.region == entry.region)
                .ok_or_else(|| format!("{place} is in a Region this run does not reach"))?;
            match authorization(&context.eventbridge, &entry.name).await {
                Ok(Some(seen)) if seen.since_update() => checked += 1,
                Ok(Some(seen)) => {
                    return Err(format!(
                        "{place} is {}, not AUTHORIZED since its last update",
                        seen.state
                    ));
                }
                Ok(None) => return Err(format!("{place} does not exist")),
                Err(error) => return Err(format!("{place} could not be read: {error}")),
            }
        }
        Ok(checked)
    }

    /// Asks the token endpoint for a token with `credentials`, as the connection would.
    async fn token(&self, credentials: &Credentials) -> Result<(), String> {
        let region = self.regions.first().cloned().unwrap_or_default();
        let resolver = SecretResolver::new(
            SecretsManagerClients::of(self.config.clone()),
            region.clone(),
        );
        // The document's parameters as a connection sends them, with the credential to check
        // in place of what the references hold.
        let mut desired = resolver
            .desired(self.spec, &self.options.set)
            .await
            .map_err(|problems| {
                problems
                    .iter()
                    .map(|p| p.headline())
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        desired.client_id = ParameterValue::Secret(credentials.key.clone());
        desired.client_secret = credentials.secret.clone();
        request_token(&desired, TokenLimits::default())
            .await
            .map(drop)
            .map_err(|error| error.oauth_error())
    }

    /// Every referenced secret once, where it lives: the connection's Region it is read for, the
    /// Region it is in (an ARN names its own) and the reference.
    fn places(&self) -> Vec<(&str, String, &Target)> {
        let mut places: Vec<(&str, String, &Target)> = Vec::new();
        for region in &self.regions {
            for target in &self.targets {
                let place = arn_region(&target.id).unwrap_or(region).to_string();
                if !places
                    .iter()
                    .any(|(_, seen, t)| *seen == place && t.id == target.id)
                {
                    places.push((region, place, target));
                }
            }
        }
        places
    }

    /// Rolling back: makes the previous version of each referenced secret current again
    /// (`UpdateSecretVersionStage`) where it holds `credentials`; writes them as a new version
    /// where it does not (or where a custom version stage is referenced).
    async fn restore(&self, credentials: &Credentials) -> Result<String, String> {
        let mut done = Vec::new();
        for (region, place, target) in self.places() {
            let client = aws::secrets_manager_client(&aws::for_region(self.config, &place));
            let restored = match target.version_stage {
                None => restore_previous(&client.client, target, credentials).await,
                Some(_) => None,
            };
            match restored {
                Some(version) => done.push(format!(
                    "{} in {place}: the previous version {version} is AWSCURRENT again",
                    target.id
                )),
                None => {
                    let written = write(self.config, region, target, credentials)
                        .await
                        .map_err(|error| error.to_string())?;
                    done.push(format!(
                        "{} in {place}: the old credential written as version {}",
                        target.id, written.version_id
                    ));
                }
            }
        }
        Ok(done.join(", "))
    }

    /// Writes `credentials` as a new version of every referenced secret, in every Region.
    async fn store(&self, credentials: &Credentials) -> Result<String, String> {
        let mut written = Vec::new();
        for (region, place, target) in self.places() {
            let done = write(self.config, region, target, credentials)
                .await
                .map_err(|error| error.to_string())?;
            written.push(format!(
                "{} in {place} (version {})",
                target.id, done.version_id
            ));
        }
        Ok(format!("new version of {}", written.join(", ")))
    }

    /// The engine's apply for every connection using the references: re-sends what they hold
    /// and waits until each is AUTHORIZED (DEAUTHORIZED fails it).
    async fn update_connections(&self) -> Result<String, String> {
        let (run, plan) = self.read_plan(self.interrupt).await?;
        let options = ApplyOptions {
            wait: Some(WaitPolicy {
                timeout: self.options.wait_timeout,
                ..WaitPolicy::default()
            }),
            verify_credentials: None,
            force: false,
        };
        let quiet = |_: &crate::plan::ApplyResult| {};
        let per_region = futures::future::join_all(run.contexts.iter().map(|context| {
            let steps = plan.in_region(&context.region);
            async move { apply(context, &steps, options, &quiet).await }
        }))
        .await;
        let results: Vec<_> = per_region
            .into_iter()
            .flatten()
            .filter(|r| r.kind == crate::plan::ResourceKind::Connection)
            .collect();
        let failed: Vec<String> = results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed | Outcome::NotStarted))
            .map(|r| {
                let mut line = format!("{} ({})", r.name, r.region);
                if let Some(error) = &r.error {
                    line.push_str(&format!(": {error}"));
                }
                if let Some(reason) = &r.state_reason {
                    line.push_str(&format!(" [{reason}]"));
                }
                line
            })
            .collect();
        if !failed.is_empty() {
            return Err(format!(
                "AWS did not take the credential: {}",
                failed.join("; ")
            ));
        }
        let updated = results
            .iter()
            .filter(|r| r.outcome != Outcome::Unchanged)
            .count();
        Ok(format!(
            "{updated} of {} connection(s) updated and AUTHORIZED",
            results.len()
        ))
    }
}

/// Moves `AWSCURRENT` back to the `AWSPREVIOUS` version of `target` if that version holds
/// `credentials`; the version id, or `None` when it cannot (then the caller writes them).
async fn restore_previous(
    client: &aws_sdk_secretsmanager::Client,
    target: &Target,
    credentials: &Credentials,
) -> Option<String> {
    let read = |stage: &'static str| {
        client
            .get_secret_value()
            .secret_id(&target.id)
            .version_stage(stage)
            .send()
    };
    let previous = read("AWSPREVIOUS").await.ok()?;
    let current = read("AWSCURRENT").await.ok()?;
    let text = Secret::new(previous.secret_string()?);
    let holds = target.values.iter().all(|(key, part)| {
        let wanted = match part {
            Part::Key => credentials.key.expose(),
            Part::Secret => credentials.secret.expose(),
        };
        match key {
            None => text.expose() == wanted,
            Some(key) => serde_json::from_str::<serde_json::Value>(text.expose())
                .ok()
                .and_then(|value| value.get(key).and_then(|v| v.as_str()).map(|v| v == wanted))
                .unwrap_or(false),
        }
    });
    let (previous_id, current_id) = (previous.version_id()?, current.version_id()?);
    if !holds || previous_id == current_id {
        return None;
    }
    client
        .update_secret_version_stage()
        .secret_id(&target.id)
        .version_stage("AWSCURRENT")
        .move_to_version_id(previous_id)
        .remove_from_version_id(current_id)
        .send()
        .await
        .ok()?;
    Some(previous_id.to_string())
}

/// What this run learned that Salesforce and AWS do not show.
#[derive(Debug, Default)]
struct Memory {
    /// The primary's secret at the first look: whether the primary changed since.
    first_primary: Option<Secret>,
    /// The secret of the `Active` credential last seen staged.
    candidate: Option<Secret>,
    /// The credential this run's POST created, as its answer gave it.
    posted: Option<Staged>,
    synced: bool,
    staged_gets_token: Option<bool>,
    rolling_back: bool,
    moved_forward: bool,
    primary_checked: bool,
    revoke_previous: bool,
    /// This run deleted the `Rotated` entry after the rotation.
    revoked: bool,
}

/// How long the previous credential (the `Rotated` entry) keeps getting tokens.
fn previous_valid(until: Option<&str>) -> String {
    match until {
        Some(date) => format!(
            "the previous credential (the Rotated staged entry) still gets tokens until {date}"
        ),
        None => {
            "the previous credential (the Rotated staged entry) still gets tokens for about 30 days"
                .to_string()
        }
    }
}

/// What was done, for the interruption message.
fn done_summary(outcomes: &[RotationResult]) -> String {
    let parts: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let done: Vec<&str> = o
                .steps
                .iter()
                .filter(|s| s.result == StepResult::Done)
                .map(|s| s.step.name())
                .collect();
            format!(
                "{}: {}",
                o.name,
                if done.is_empty() {
                    "no step done".to_string()
                } else {
                    format!("done {}", done.join(", "))
                }
            )
        })
        .collect();
    parts.join("; ")
}
