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
//! if AWS still refuses, says what is left.
//!
//! Writing goes through `salesforce-credentials`' Secrets Manager writer, reading through the
//! run's [`SecretResolver`], the connection updates through the engine's plan, apply and settle.
//! Nothing secret is printed: every key, secret and token is a [`Secret`].

use super::EXIT_OK;
use super::context::{Run, load_specs};
use super::salesforce_credentials::{
    INSTANCE_VARIABLE, Part, Target, offline_first, regions_of, run_ending, salesforce_error, write,
};
use crate::aws::arn::arn_region;
use crate::aws::{self, secretsmanager::SecretsManagerClients};
use crate::config::Settings;
use crate::desired::ParameterValue;
use crate::engine::apply::{ApplyOptions, apply};
use crate::engine::interrupt::{Interrupt, Signal};
use crate::engine::wait::WaitPolicy;
use crate::error::{Error, Problem};
use crate::manifest::{ConnectionSpec, SecretSource, ValueSource};
use crate::ownership::OwnershipSet;
use crate::plan::compute::PlanOptions;
use crate::plan::rotation::{Ending, Facts, Step, Stored, forecast, next};
use crate::plan::{ConnectionChange, Outcome};
use crate::resolve::SecretResolver;
use crate::salesforce::connect::{Connect, ConnectError, Consumer, Credentials};
use crate::salesforce::metadata::org_of;
use crate::salesforce::staged::Staged;
use crate::salesforce::token::{TokenLimits, request_token};
use crate::secret::Secret;
use crate::view::{self, Format};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Test hook, and nothing else: with this set to a step's name (`store-staged`, ...), the run
/// behaves as if SIGTERM arrived right after that step finished. The integration tests use it
/// to stop a rotation at each step deterministically.
const INTERRUPT_HOOK: &str = "PROVISION_TEST_SIGTERM_AFTER";

/// The most steps one rotation takes (the longest path is seven; see the planner's tests).
const MAX_STEPS: usize = 16;

/// What `rotate-credentials` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct RotateOptions {
    /// `--name`: only these connections (all with `salesforce.app` when empty).
    pub(crate) names: Vec<String>,
    pub(crate) dry_run: bool,
    pub(crate) set: OwnershipSet,
    pub(crate) wait_timeout: Duration,
}

/// One step as it went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct StepRecord {
    step: Step,
    /// `done`, `failed`, or `planned` (`--dry-run`).
    result: &'static str,
    detail: String,
}

/// One document's rotation (`--output json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RotationResult {
    name: String,
    app: String,
    /// `rotated`, `rolledBack`, `failed`, `interrupted`, `planned`.
    result: &'static str,
    steps: Vec<StepRecord>,
    /// Seconds between the promotion and the last connection carrying the new credential, when
    /// Salesforce honoured it only once primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    window_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    version: u32,
    command: &'static str,
    dry_run: bool,
    results: &'a [RotationResult],
}

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
    let default_region = settings
        .regions
        .first()
        .cloned()
        .or_else(|| settings.project.default_region.clone())
        .or_else(|| config.region().map(|r| r.to_string()));
    // The project file's accounts, before any other AWS call.
    super::context::check_account(settings, &config, default_region.as_deref()).await?;
    let timeouts = settings.aws.timeouts;
    let connect = Connect::new(&instance, token, timeouts.connect, timeouts.call)
        .map_err(|message| salesforce_error(&instance_host, message, None))?;
    let apps = connect
        .apps()
        .await
        .map_err(|error| run_ending(&instance_host, error))?;

    let mut outcomes = Vec::new();
    for (spec, targets) in planned {
        let Some(app) = &spec.app else { continue };
        let regions = regions_of(spec, &settings.regions, default_region.as_deref());
        let consumer = match connect.consumer(&apps, &app.name).await {
            Ok(consumer) => consumer,
            Err(error @ ConnectError::ExpiredToken { .. }) => {
                return Err(run_ending(&instance_host, error));
            }
            Err(error) => {
                let (message, hint) = error.describe();
                outcomes.push(RotationResult {
                    name: spec.name.clone(),
                    app: app.name.clone(),
                    result: "failed",
                    steps: Vec::new(),
                    window_seconds: None,
                    error: Some(message),
                    hint: Some(hint),
                });
                continue;
            }
        };
        let rotation = Rotation {
            settings,
            options,
            spec,
            users: users_of(&specs, &targets),
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
            result: "failed",
            steps: Vec::new(),
            window_seconds: None,
            error: None,
            hint: None,
        };
        if options.dry_run {
            rotation.dry_run(&mut outcome).await;
        } else {
            rotation.rotate(&mut outcome).await;
        }
        let stop = outcome.result == "interrupted";
        outcomes.push(outcome);
        if stop {
            break;
        }
    }

    view::stdout(&render(settings.format, options.dry_run, &outcomes))?;
    if let Some(signal) = interrupt.signal() {
        return Err(Error::Interrupted {
            signal,
            done: done_summary(&outcomes),
        });
    }
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o.result, "failed" | "rolledBack"))
        .count();
    if failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed,
            total: outcomes.len(),
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
    staged: Option<Staged>,
    stored: Stored,
    /// The connections that differ from what the references hold, as `name (region)`.
    differing: Vec<String>,
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
        let seen = match self.look().await {
            Ok(seen) => seen,
            Err(message) => {
                outcome.error = Some(message);
                return;
            }
        };
        let facts = self.facts(&seen, &Memory::default());
        let (steps, _) = forecast(facts, true);
        let (otherwise, _) = forecast(facts, false);
        outcome.result = "planned";
        outcome.steps = steps
            .iter()
            .map(|step| StepRecord {
                step: *step,
                result: "planned",
                detail: step.describe().to_string(),
            })
            .collect();
        if otherwise != steps {
            let names: Vec<&str> = otherwise.iter().map(|s| s.name()).collect();
            outcome.hint = Some(format!(
                "if Salesforce gives the staged credential no token before it is primary, the steps are: {}",
                names.join(", ")
            ));
        }
    }

    async fn rotate(&self, outcome: &mut RotationResult) {
        let mut memory = Memory::default();
        let mut first_failure: Option<String> = None;
        let mut promoted_at: Option<Instant> = None;
        for _ in 0..MAX_STEPS {
            let seen = match self.look().await {
                Ok(seen) => seen,
                Err(message) => {
                    outcome.error = Some(left_message(&message, &memory));
                    return;
                }
            };
            if let Some(staged) = &seen.staged {
                memory.staged_secret = Some(staged.credentials.secret.clone());
            }
            let facts = self.facts(&seen, &memory);
            let step = match next(&facts) {
                Ok(step) => step,
                Err(Ending::Rotated) => {
                    outcome.result = "rotated";
                    return;
                }
                Err(Ending::RolledBack)
                    if memory
                        .staged_secret
                        .as_ref()
                        .is_some_and(|s| s.expose() == seen.primary.secret.expose()) =>
                {
                    // A promotion whose answer was lost took all the same: rolling back carried
                    // the new primary, so the rotation is done.
                    outcome.result = "rotated";
                    return;
                }
                Err(Ending::RolledBack) => {
                    outcome.result = "rolledBack";
                    outcome.error = Some(format!(
                        "{}; rolled back: the old credential is primary in Salesforce, stored, and used by every connection",
                        first_failure.unwrap_or_else(|| "the rotation failed".to_string())
                    ));
                    return;
                }
            };
            let ran = self.perform(step, &seen, &mut memory).await;
            let detail = match &ran {
                Ok(detail) | Err(detail) => detail.clone(),
            };
            outcome.steps.push(StepRecord {
                step,
                result: if ran.is_ok() { "done" } else { "failed" },
                detail,
            });
            match ran {
                Ok(_) => {
                    if step == Step::Promote {
                        promoted_at = Some(Instant::now());
                    }
                    if step == Step::UpdateConnections
                        && !facts.staged
                        && let Some(at) = promoted_at
                        && memory.staged_gets_token == Some(false)
                    {
                        let window = at.elapsed().as_secs_f64();
                        outcome.window_seconds = Some((window * 10.0).round() / 10.0);
                    }
                }
                Err(message) if step.after_promotion(&facts) => {
                    outcome.error = Some(format!(
                        "{message}; the new credential is primary in Salesforce, so there is no way back: run rotate-credentials again to finish (left: {})",
                        left_after(step, &facts)
                    ));
                    return;
                }
                Err(message) if memory.rolling_back => {
                    outcome.error = Some(format!(
                        "{}; rolling back failed too: {message}; run rotate-credentials again to finish the rollback",
                        first_failure.unwrap_or_default()
                    ));
                    return;
                }
                Err(message) if step == Step::Stage => {
                    outcome.error = Some(format!("{message}; nothing was changed"));
                    return;
                }
                Err(message) => {
                    first_failure = Some(message);
                    memory.rolling_back = true;
                }
            }
            if std::env::var(INTERRUPT_HOOK).is_ok_and(|hook| hook == step.name()) {
                self.interrupt.raise(Signal::Terminate);
            }
            if self.interrupt.signal().is_some() {
                outcome.result = "interrupted";
                return;
            }
        }
        outcome.error = Some(format!(
            "the rotation did not end within {MAX_STEPS} steps; run rotate-credentials again"
        ));
    }

    /// The planner's facts from what was seen and what this run remembers.
    fn facts(&self, seen: &Seen, memory: &Memory) -> Facts {
        Facts {
            staged: seen.staged.is_some(),
            stored: seen.stored,
            connections_in_sync: seen.differing.is_empty(),
            synced: memory.synced,
            staged_gets_token: memory.staged_gets_token,
            rolling_back: memory.rolling_back,
            moved_forward: memory.moved_forward,
            primary_checked: memory.primary_checked,
        }
    }

    /// Salesforce's credentials, what the references hold in each Region, and which
    /// connections differ from it.
    async fn look(&self) -> Result<Seen, String> {
        let describe = |error: ConnectError| error.describe().0;
        let primary = self
            .connect
            .primary(&self.consumer)
            .await
            .map_err(describe)?;
        let staged = self
            .connect
            .staged(&self.consumer)
            .await
            .map_err(describe)?;
        let stored = self.stored(&primary, staged.as_ref()).await;
        let differing = self.differing().await?;
        Ok(Seen {
            primary,
            staged,
            stored,
            differing,
        })
    }

    /// Whether every reference, in every Region, holds the primary or the staged credential.
    async fn stored(&self, primary: &Credentials, staged: Option<&Staged>) -> Stored {
        let mut all_primary = true;
        let mut all_staged = staged.is_some();
        for region in &self.regions {
            // A fresh resolver each time: a run's resolver caches what it read.
            let resolver = SecretResolver::new(
                SecretsManagerClients::new(self.config.clone()),
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
            all_staged &= staged.is_some_and(|s| holds(&s.credentials));
        }
        match (all_primary, all_staged) {
            (true, _) => Stored::Primary,
            (false, true) => Stored::Staged,
            (false, false) => Stored::Other,
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

    /// The connections using the references that differ from them (or are unhealthy).
    async fn differing(&self) -> Result<Vec<String>, String> {
        let run = Run::new(self.settings, &self.users, self.interrupt)
            .await
            .map_err(|error| error.to_string())?;
        let plan = run
            .read_plan(&self.users, &self.plan_options(), self.interrupt)
            .await
            .map_err(|error| error.to_string())?;
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
        memory: &mut Memory,
    ) -> Result<String, String> {
        let describe = |error: ConnectError| error.describe().0;
        let forward = !memory.rolling_back;
        let done = match step {
            Step::Stage => {
                self.connect.stage(&self.consumer).await.map_err(describe)?;
                Ok("a new credential is staged".to_string())
            }
            Step::CheckStaged => {
                let staged = seen.staged.as_ref().ok_or("no credential is staged")?;
                let answer = self.token(&staged.credentials).await;
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
                let staged = seen.staged.as_ref().ok_or("no credential is staged")?;
                memory.synced = false;
                self.store(&staged.credentials).await
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
                let staged = seen.staged.as_ref().ok_or("no credential is staged")?;
                self.connect
                    .promote(&self.consumer, &staged.id)
                    .await
                    .map_err(describe)?;
                Ok(
                    "the staged credential is primary; the old one no longer gets a token"
                        .to_string(),
                )
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
                let staged = seen.staged.as_ref().ok_or("no credential is staged")?;
                self.connect
                    .delete_staged(&self.consumer, &staged.id)
                    .await
                    .map_err(describe)?;
                Ok("the staged credential is deleted".to_string())
            }
        };
        if done.is_ok() && forward && (step == Step::Promote || seen.staged.is_none()) {
            memory.moved_forward = true;
        }
        done
    }

    /// Asks the token endpoint for a token with `credentials`, as the connection would.
    async fn token(&self, credentials: &Credentials) -> Result<(), String> {
        let region = self.regions.first().cloned().unwrap_or_default();
        let resolver = SecretResolver::new(
            SecretsManagerClients::new(self.config.clone()),
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

    /// Rolling back: makes the previous version of each referenced secret current again
    /// (`UpdateSecretVersionStage`) where it holds `credentials`; writes them as a new version
    /// where it does not (or where a custom version stage is referenced).
    async fn restore(&self, credentials: &Credentials) -> Result<String, String> {
        let mut done = Vec::new();
        let mut places: Vec<(String, String)> = Vec::new();
        for region in &self.regions {
            for target in &self.targets {
                let place = arn_region(&target.id).unwrap_or(region).to_string();
                if places.contains(&(place.clone(), target.id.clone())) {
                    continue;
                }
                places.push((place.clone(), target.id.clone()));
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
                        let written = write(self.config, region, target, credentials).await?;
                        done.push(format!(
                            "{} in {place}: the old credential written as version {}",
                            target.id, written.version_id
                        ));
                    }
                }
            }
        }
        Ok(done.join(", "))
    }

    /// Writes `credentials` as a new version of every referenced secret, in every Region.
    async fn store(&self, credentials: &Credentials) -> Result<String, String> {
        let mut written = Vec::new();
        let mut seen_places: Vec<(String, String)> = Vec::new();
        for region in &self.regions {
            for target in &self.targets {
                let place = arn_region(&target.id).unwrap_or(region).to_string();
                if seen_places.contains(&(place.clone(), target.id.clone())) {
                    continue;
                }
                seen_places.push((place.clone(), target.id.clone()));
                let done = write(self.config, region, target, credentials).await?;
                written.push(format!(
                    "{} in {place} (version {})",
                    target.id, done.version_id
                ));
            }
        }
        Ok(format!("new version of {}", written.join(", ")))
    }

    /// The engine's apply for every connection using the references: re-sends what they hold
    /// and waits until each is AUTHORIZED (DEAUTHORIZED fails it).
    async fn update_connections(&self) -> Result<String, String> {
        let run = Run::new(self.settings, &self.users, self.interrupt)
            .await
            .map_err(|error| error.to_string())?;
        let plan = run
            .read_plan(&self.users, &self.plan_options(), self.interrupt)
            .await
            .map_err(|error| error.to_string())?;
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
    /// The secret of the credential last seen staged.
    staged_secret: Option<Secret>,
    synced: bool,
    staged_gets_token: Option<bool>,
    rolling_back: bool,
    moved_forward: bool,
    primary_checked: bool,
}

/// A failure to look at Salesforce or AWS, with what that means for the rotation.
fn left_message(message: &str, memory: &Memory) -> String {
    let state = if memory.moved_forward {
        "the new credential is primary in Salesforce"
    } else {
        "nothing is lost: the old credential is still primary"
    };
    format!("{message}; {state}; run rotate-credentials again to finish")
}

/// The steps left after `step` failed past the point of no return.
fn left_after(step: Step, facts: &Facts) -> String {
    let mut left = vec![step.name()];
    let mut after = *facts;
    if step == Step::Promote {
        after.staged = false;
        after.stored = Stored::Other;
        after.moved_forward = true;
    }
    let (steps, _) = forecast(after, true);
    left.extend(steps.iter().filter(|s| **s != step).map(|s| s.name()));
    left.dedup();
    left.join(", ")
}

/// What was done, for the interruption message.
fn done_summary(outcomes: &[RotationResult]) -> String {
    let parts: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let done: Vec<&str> = o
                .steps
                .iter()
                .filter(|s| s.result == "done")
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

/// Why the order "promote, then carry" is still safe, said wherever it was taken.
const WINDOW_NOTE: &str = "Salesforce gave the staged credential no token before it was primary, so it was made primary first and carried to AWS at once; EventBridge keeps its cached token until it expires or a call gets 401/407, so events kept flowing";

fn render(format: Format, dry_run: bool, outcomes: &[RotationResult]) -> String {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&Document {
                version: 1,
                command: "rotate-credentials",
                dry_run,
                results: outcomes,
            })
            .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Text => render_text(outcomes),
        Format::Markdown => render_markdown(outcomes),
    }
}

fn ending_label(result: &str) -> &'static str {
    match result {
        "rotated" => "rotated",
        "rolledBack" => "rolled back",
        "interrupted" => "interrupted",
        "planned" => "planned",
        _ => "failed",
    }
}

fn render_text(outcomes: &[RotationResult]) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let mark = match outcome.result {
            "rotated" => "=",
            "planned" => "~",
            _ => "x",
        };
        text.push_str(&format!(
            "{mark} {}  app {}: {}\n",
            outcome.name,
            outcome.app,
            ending_label(outcome.result)
        ));
        for record in &outcome.steps {
            text.push_str(&format!(
                "    {:<8} {:<19} {}\n",
                record.result,
                record.step.name(),
                record.detail
            ));
        }
        if let Some(window) = outcome.window_seconds {
            text.push_str(&format!(
                "    note: {WINDOW_NOTE}; the window was {window:.1}s\n"
            ));
        }
        if let Some(error) = &outcome.error {
            text.push_str(&format!("    error: {error}\n"));
        }
        if let Some(hint) = &outcome.hint {
            text.push_str(&format!("    help: {hint}\n"));
        }
    }
    text
}

fn render_markdown(outcomes: &[RotationResult]) -> String {
    let mut text = String::from("## provision rotate-credentials\n\n");
    for outcome in outcomes {
        text.push_str(&format!(
            "### `{}` (app `{}`): {}\n\n| Step | Result | Detail |\n| --- | --- | --- |\n",
            outcome.name,
            outcome.app,
            ending_label(outcome.result)
        ));
        for record in &outcome.steps {
            text.push_str(&format!(
                "| `{}` | {} | {} |\n",
                record.step.name(),
                record.result,
                record.detail.replace('|', "\\|")
            ));
        }
        text.push('\n');
        if let Some(window) = outcome.window_seconds {
            text.push_str(&format!(
                "> {WINDOW_NOTE}; the window was {window:.1}s.\n\n"
            ));
        }
        if let Some(error) = &outcome.error {
            text.push_str(&format!("**Error:** {error}\n\n"));
        }
        if let Some(hint) = &outcome.hint {
            text.push_str(&format!("**Help:** {hint}\n\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rolled_back() -> RotationResult {
        RotationResult {
            name: "sf-acme-prod".into(),
            app: "sf_acme_prod".into(),
            result: "rolledBack",
            steps: vec![
                StepRecord {
                    step: Step::Stage,
                    result: "done",
                    detail: "a new credential is staged".into(),
                },
                StepRecord {
                    step: Step::UpdateConnections,
                    result: "failed",
                    detail: "AWS did not take the credential: sf-acme-prod (us-east-1)".into(),
                },
            ],
            window_seconds: None,
            error: Some("AWS did not take the credential; rolled back".into()),
            hint: None,
        }
    }

    #[test]
    fn text_names_each_step_and_its_result() {
        assert_eq!(
            render_text(&[rolled_back()]),
            "x sf-acme-prod  app sf_acme_prod: rolled back\n    done     stage               a new credential is staged\n    failed   update-connections  AWS did not take the credential: sf-acme-prod (us-east-1)\n    error: AWS did not take the credential; rolled back\n"
        );
    }

    #[test]
    fn markdown_is_a_table_of_steps_per_connection() {
        let text = render_markdown(&[rolled_back()]);
        assert!(
            text.starts_with("## provision rotate-credentials\n\n### `sf-acme-prod` (app `sf_acme_prod`): rolled back\n\n| Step | Result | Detail |\n| --- | --- | --- |\n| `stage` | done | a new credential is staged |\n"),
            "{text}"
        );
    }

    #[test]
    fn json_names_steps_as_text_does() {
        let text = render(Format::Json, false, &[rolled_back()]);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["command"], "rotate-credentials");
        assert_eq!(
            value["results"][0]["steps"][1]["step"],
            "update-connections"
        );
        assert_eq!(value["results"][0]["result"], "rolledBack");
    }
}
