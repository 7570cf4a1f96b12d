//! The I/O of `rotate-credentials`, one document at a time: after each step it looks again at
//! Salesforce (the primary and staged credentials, signed in as a user, never as the app being
//! rotated) and at AWS (what the references hold, whether the connections match them), and the
//! pure planner ([`crate::plan::rotation`]) picks the next step. So a run that was interrupted
//! anywhere is finished, or rolled back, by the next one; there is no state file.
//!
//! The command (`commands/rotate_credentials.rs`) selects the documents, opens Salesforce and
//! renders; the AWS world is opened once per run and each look reads it through its
//! [`Session`]. Every failure is a
//! [`RotationError`], whose text is what the step's result shows. Nothing secret is printed:
//! every key, secret and token is a [`Secret`].

use super::Context;
use super::apply::{ApplyOptions, apply};
use super::credentials::{Part, Target, WriteError, write};
use super::interrupt::{Interrupt, Signal};
use super::wait::WaitPolicy;
use crate::aws::arn::arn_place;
use crate::aws::connections::{CallError, authorization};
use crate::aws::secretsmanager::SecretsManagerClients;
use crate::desired::ParameterValue;
use crate::error::Error;
use crate::manifest::{ConnectionSpec, ValueSource};
use crate::ownership::OwnershipSet;
use crate::place::Place;
use crate::plan::connection::PlanOptions;
use crate::plan::rotation::{
    Ending, Facts, OnFailure, Slot, Step, Stored, forecast, next, standing,
};
use crate::plan::rotation_report::{RotationEnd, RotationResult, StepRecord, StepResult};
use crate::plan::{ConnectionChange, Outcome, Plan};
use crate::resolve::SecretResolver;
use crate::salesforce::connect::{Connect, ConnectError, Consumer, Credentials, SECRET_SETTING};
use crate::salesforce::staged::{Staged, StagedState};
use crate::salesforce::token::{TokenLimits, request_token};
use crate::secret::Secret;
use std::time::{Duration, Instant};

/// What `rotate-credentials` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct RotateOptions {
    /// `--name`: only these connections (all with `salesforce.app` when empty).
    pub(crate) names: Vec<String>,
    pub(crate) dry_run: bool,
    /// `--revoke-previous`: delete the previous credential once every connection is on the new.
    pub(crate) revoke_previous: bool,
    pub(crate) set: OwnershipSet,
    pub(crate) wait_timeout: Duration,
}

/// The run's AWS world, as the rotation needs it at each look: opened once per run
/// ([`super::session`]: SDK configuration, coverage, account check, clients), and looked at
/// again through the same clients.
pub(crate) trait Session {
    /// The project file's name prefix, which the plan compares names with.
    fn name_prefix(&self) -> Option<String>;

    /// The run's Secrets Manager clients, by Region.
    fn secrets_managers(&self) -> &SecretsManagerClients;

    /// A resolver of `place` on the run's clients that reads every reference afresh.
    fn fresh_resolver(&self, place: &Place) -> SecretResolver;

    /// The context of each Region of `specs`, on the run's clients, and their plan, read now.
    fn read_plan(
        &self,
        specs: &[ConnectionSpec],
        options: &PlanOptions,
        interrupt: &Interrupt,
    ) -> impl Future<Output = Result<(Vec<Context>, Plan), Error>>;
}

/// Why a step failed; the text is the step's result as users read it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RotationError {
    /// Salesforce refused or did not answer a call.
    #[error("{}", .0.describe().0)]
    Salesforce(#[source] ConnectError),
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Opening the run in AWS or reading its plan failed.
    #[error(transparent)]
    Run(#[from] Error),
    #[error("no Active credential is staged")]
    NoCandidate,
    #[error("the staged credential has no key")]
    CandidateUnknown,
    #[error("nothing is staged")]
    NothingStaged,
    #[error("no Rotated entry is staged")]
    NoRotatedEntry,
    #[error("the token endpoint refused the primary credential: {0}")]
    PrimaryRefused(#[source] NoToken),
    #[error("the previous credential is not revoked: {why}; {valid}")]
    NotRevoked {
        #[source]
        why: NotOnNew,
        /// How long the previous credential keeps getting tokens.
        valid: String,
    },
    /// The connections AWS failed to update or authorize, as `name (region): why [reason]`.
    #[error("AWS did not take the credential: {}", .0.join("; "))]
    NotTaken(Vec<String>),
}

/// Why the token endpoint gave a credential no token.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NoToken {
    /// The document's other parameters could not be read (the problems' headlines).
    #[error("{0}")]
    Unresolved(String),
    /// The endpoint's OAuth error.
    #[error("{0}")]
    Refused(String),
}

/// Why the previous credential is not revoked: a connection using the references that is not
/// checked on the new one.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotOnNew {
    #[error(transparent)]
    Run(#[from] Error),
    #[error("{place} differs from the referenced secrets")]
    Differs { place: String },
    #[error("{place} is in a Region this run does not reach")]
    Unreached { place: String },
    #[error("{place} is {state}, not AUTHORIZED since its last update")]
    NotAuthorized { place: String, state: String },
    #[error("{place} does not exist")]
    Missing { place: String },
    #[error("{place} could not be read: {error}")]
    Unreadable {
        place: String,
        #[source]
        error: CallError,
    },
}

/// Test hook, and nothing else: with this set to a step's name (`store-staged`, ...), the run
/// behaves as if SIGTERM arrived right after that step finished. The integration tests use it
/// to stop a rotation at each step deterministically.
const INTERRUPT_HOOK: &str = "PROVISION_TEST_SIGTERM_AFTER";

/// The most steps one rotation takes (the longest path is seven; see the planner's tests).
const MAX_STEPS: usize = 16;

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
    fn candidate(&self) -> Result<&Staged, RotationError> {
        self.slot
            .as_ref()
            .filter(|entry| entry.state == StagedState::Active)
            .ok_or(RotationError::NoCandidate)
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
pub(crate) struct Rotation<'a, S> {
    /// Opens the run's AWS world and plans the connections (the command holds the settings).
    pub(crate) session: &'a S,
    pub(crate) options: &'a RotateOptions,
    pub(crate) spec: &'a ConnectionSpec,
    /// Every connection using the references (the document's own included).
    pub(crate) users: Vec<ConnectionSpec>,
    pub(crate) targets: Vec<Target>,
    /// Every place (account and Region) of the connections using the references: where the
    /// references are read and written. With targets, each target's account.
    pub(crate) places: Vec<Place>,
    pub(crate) connect: &'a Connect,
    pub(crate) consumer: Consumer,
    pub(crate) interrupt: &'a Interrupt,
}

impl<S: Session> Rotation<'_, S> {
    pub(crate) async fn dry_run(&self, outcome: &mut RotationResult) {
        let seen = match self.look(None, self.interrupt).await {
            Ok(seen) => seen,
            Err(error) => {
                outcome.error = Some(error.to_string().into());
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
                detail: step.describe().into(),
            })
            .collect();
        if steps.first() == Some(&Step::RevokePrevious) {
            outcome.now = Some(format!(
                "the last rotation is complete and {}: a run now starts a new rotation, deleting that entry first (Salesforce stages a credential only into an empty slot), which revokes the previous credential at once",
                previous_valid(seen.until())
            ).into());
        }
        if otherwise != steps {
            let names: Vec<&str> = otherwise.iter().map(|s| s.name()).collect();
            outcome.hint = Some(format!(
                "if Salesforce gives the staged credential no token before it is primary, the steps are: {}",
                names.join(", ")
            ).into());
        }
    }

    pub(crate) async fn rotate(&self, outcome: &mut RotationResult) {
        let mut memory = Memory {
            revoke_previous: self.options.revoke_previous,
            ..Memory::default()
        };
        let mut first_failure: Option<String> = None;
        let mut promoted_at: Option<Instant> = None;
        for _ in 0..MAX_STEPS {
            let seen = match self.look(memory.posted.as_ref(), self.interrupt).await {
                Ok(seen) => seen,
                Err(error) => {
                    outcome.error = Some(format!(
                        "{error}; run rotate-credentials again: it continues from what Salesforce and AWS show"
                    ).into());
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
                    ).into());
                    return;
                }
            };
            let ran = self.perform(step, &seen, &facts, &mut memory).await;
            let detail = match &ran {
                Ok(detail) => detail.clone(),
                Err(error) => error.to_string(),
            };
            outcome.steps.push(StepRecord {
                step,
                result: if ran.is_ok() {
                    StepResult::Done
                } else {
                    StepResult::Failed
                },
                detail: detail.into(),
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
                Err(error) if memory.rolling_back => {
                    outcome.error = Some(
                        format!(
                            "{}; rolling back failed too: {error}",
                            first_failure.unwrap_or_default()
                        )
                        .into(),
                    );
                    outcome.now = Some(self.standing(&memory).await.into());
                    return;
                }
                Err(error) => match step.on_failure(&facts) {
                    OnFailure::RollBack => {
                        first_failure = Some(error.to_string());
                        memory.rolling_back = true;
                    }
                    OnFailure::Stop | OnFailure::Finish => {
                        outcome.error = Some(error.to_string().into());
                        outcome.now = Some(self.standing(&memory).await.into());
                        return;
                    }
                },
            }
            if std::env::var(INTERRUPT_HOOK).is_ok_and(|hook| hook == step.name()) {
                self.interrupt.raise(Signal::Terminate);
            }
            if self.interrupt.signal().is_some() {
                outcome.result = RotationEnd::Interrupted;
                outcome.now = Some(self.standing(&memory).await.into());
                return;
            }
        }
        outcome.error = Some(
            format!(
                "the rotation did not end within {MAX_STEPS} steps; run rotate-credentials again"
            )
            .into(),
        );
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
        }.into());
        outcome.hint = Some(format!(
            "turn \"{SECRET_SETTING}\" off again in Setup until the next rotation: while it is on, any user with the permissions can read the consumer secret through the REST API"
        ).into());
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
            Err(error) => format!(
                "Salesforce and AWS could not be looked at again ({error}); run rotate-credentials again: it continues from what they show"
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
    async fn look(
        &self,
        posted: Option<&Staged>,
        interrupt: &Interrupt,
    ) -> Result<Seen, RotationError> {
        let describe = RotationError::Salesforce;
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
        for place in &self.places {
            // A fresh resolver each time: a run's resolver caches what it read.
            let resolver = self.session.fresh_resolver(place);
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
            name_prefix: self.session.name_prefix(),
        }
    }

    /// The engine's plan for every connection using the references, with the run it was read
    /// in (its Region contexts).
    async fn read_plan(&self, interrupt: &Interrupt) -> Result<(Vec<Context>, Plan), Error> {
        self.session
            .read_plan(&self.users, &self.plan_options(), interrupt)
            .await
    }

    /// The connections using the references that differ from them (or are unhealthy).
    async fn differing(&self, interrupt: &Interrupt) -> Result<Vec<String>, RotationError> {
        let (_, plan) = self.read_plan(interrupt).await?;
        Ok(plan
            .connections()
            .filter(|step| !matches!(step.change(), ConnectionChange::NoOp { .. }))
            .map(|step| {
                format!(
                    "{} ({})",
                    step.entry().address.name,
                    step.entry().address.place.region
                )
            })
            .collect())
    }

    /// Runs one step; the detail to show, or why it failed.
    async fn perform(
        &self,
        step: Step,
        seen: &Seen,
        facts: &Facts,
        memory: &mut Memory,
    ) -> Result<String, RotationError> {
        let describe = RotationError::Salesforce;
        let candidate = || {
            seen.candidate().and_then(|entry| {
                entry
                    .credentials
                    .as_ref()
                    .ok_or(RotationError::CandidateUnknown)
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
                    .map_err(RotationError::PrimaryRefused)
            }
            Step::DeleteStaged => {
                let entry = seen.slot.as_ref().ok_or(RotationError::NothingStaged)?;
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
                    .ok_or(RotationError::NoRotatedEntry)?;
                let checked = if facts.moved_forward {
                    Some(self.authorized_on_new().await.map_err(|why| {
                        RotationError::NotRevoked {
                            why,
                            valid: previous_valid(entry.expires.as_deref()),
                        }
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
    async fn authorized_on_new(&self) -> Result<usize, NotOnNew> {
        let (contexts, plan) = self.read_plan(self.interrupt).await?;
        let mut checked = 0;
        for step in plan.connections() {
            let entry = step.entry();
            let place = format!("{} ({})", entry.address.name, entry.address.place.region);
            if !matches!(step.change(), ConnectionChange::NoOp { .. }) {
                return Err(NotOnNew::Differs { place });
            }
            let context = contexts
                .iter()
                .find(|context| context.place == entry.address.place)
                .ok_or_else(|| NotOnNew::Unreached {
                    place: place.clone(),
                })?;
            match authorization(&context.eventbridge, &entry.address.name).await {
                Ok(Some(seen)) if seen.since_update() => checked += 1,
                Ok(Some(seen)) => {
                    return Err(NotOnNew::NotAuthorized {
                        place,
                        state: seen.state.to_string(),
                    });
                }
                Ok(None) => return Err(NotOnNew::Missing { place }),
                Err(error) => return Err(NotOnNew::Unreadable { place, error }),
            }
        }
        Ok(checked)
    }

    /// Asks the token endpoint for a token with `credentials`, as the connection would.
    async fn token(&self, credentials: &Credentials) -> Result<(), NoToken> {
        let Some(place) = self.places.first() else {
            return Err(NoToken::Unresolved(
                "the document is in no place this run covers".to_string(),
            ));
        };
        let resolver = self.session.fresh_resolver(place);
        // The document's parameters as a connection sends them, with the credential to check
        // in place of what the references hold.
        let mut desired = resolver
            .desired(self.spec, &self.options.set)
            .await
            .map_err(|problems| {
                NoToken::Unresolved(
                    problems
                        .iter()
                        .map(|p| p.headline())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
        desired.client_id = ParameterValue::Secret(credentials.key.clone());
        desired.client_secret = credentials.secret.clone();
        request_token(&desired, TokenLimits::default())
            .await
            .map(drop)
            .map_err(|error| NoToken::Refused(error.oauth_error()))
    }

    /// Every referenced secret once, where it lives: the connection's place it is read for, the
    /// place it is in (an ARN names its own) and the reference.
    fn places(&self) -> Vec<(Place, Place, &Target)> {
        let mut places: Vec<(Place, Place, &Target)> = Vec::new();
        for at in &self.places {
            for target in &self.targets {
                let place = arn_place(&target.id, at);
                if !places
                    .iter()
                    .any(|(_, seen, t)| *seen == place && t.id == target.id)
                {
                    places.push((at.clone(), place, target));
                }
            }
        }
        places
    }

    /// Rolling back: makes the previous version of each referenced secret current again
    /// (`UpdateSecretVersionStage`) where it holds `credentials`; writes them as a new version
    /// where it does not (or where a custom version stage is referenced).
    async fn restore(&self, credentials: &Credentials) -> Result<String, RotationError> {
        let mut done = Vec::new();
        for (at, place, target) in self.places() {
            let client = self.session.secrets_managers().get(&place);
            let place = &place.region;
            let restored = match (&target.version_stage, client) {
                (None, Some(client)) => restore_previous(&client.client, target, credentials).await,
                _ => None,
            };
            match restored {
                Some(version) => done.push(format!(
                    "{} in {place}: the previous version {version} is AWSCURRENT again",
                    target.id
                )),
                None => {
                    let written =
                        write(self.session.secrets_managers(), &at, target, credentials).await?;
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
    async fn store(&self, credentials: &Credentials) -> Result<String, RotationError> {
        let mut written = Vec::new();
        for (at, place, target) in self.places() {
            let place = &place.region;
            let done = write(self.session.secrets_managers(), &at, target, credentials).await?;
            written.push(format!(
                "{} in {place} (version {})",
                target.id, done.version_id
            ));
        }
        Ok(format!("new version of {}", written.join(", ")))
    }

    /// The engine's apply for every connection using the references: re-sends what they hold
    /// and waits until each is AUTHORIZED (DEAUTHORIZED fails it).
    async fn update_connections(&self) -> Result<String, RotationError> {
        let (contexts, plan) = self.read_plan(self.interrupt).await?;
        let options = ApplyOptions {
            wait: Some(WaitPolicy {
                timeout: self.options.wait_timeout,
                ..WaitPolicy::default()
            }),
            verify_credentials: None,
            force: false,
        };
        let quiet = |_: &crate::plan::ApplyResult| {};
        let per_region = futures::future::join_all(contexts.iter().map(|context| {
            let steps = plan.in_place(&context.place);
            async move { apply(context, &steps, options, &quiet).await }
        }))
        .await;
        let results: Vec<_> = per_region
            .into_iter()
            .flatten()
            .filter(|r| r.address.kind == crate::plan::ResourceKind::Connection)
            .collect();
        let failed: Vec<String> = results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed | Outcome::NotStarted))
            .map(|r| {
                let mut line = format!("{} ({})", r.address.name, r.address.place.region);
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
            return Err(RotationError::NotTaken(failed));
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
pub(crate) fn done_summary(outcomes: &[RotationResult]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The step results users read, word for word as they were when the errors were strings.
    #[test]
    fn a_rotation_error_reads_as_the_step_result_did() {
        let place = || "sf (eu-west-1)".to_string();
        assert_eq!(
            RotationError::NotRevoked {
                why: NotOnNew::NotAuthorized {
                    place: place(),
                    state: "DEAUTHORIZED".into()
                },
                valid: previous_valid(Some("2026-12-31")),
            }
            .to_string(),
            "the previous credential is not revoked: sf (eu-west-1) is DEAUTHORIZED, not AUTHORIZED since its last update; the previous credential (the Rotated staged entry) still gets tokens until 2026-12-31"
        );
        assert_eq!(
            RotationError::PrimaryRefused(NoToken::Refused("invalid_client".into())).to_string(),
            "the token endpoint refused the primary credential: invalid_client"
        );
        assert_eq!(
            RotationError::NotTaken(vec![
                "sf (eu-west-1): throttled".into(),
                "sf (us-east-1) [bad]".into()
            ])
            .to_string(),
            "AWS did not take the credential: sf (eu-west-1): throttled; sf (us-east-1) [bad]"
        );
        assert_eq!(
            NotOnNew::Unreached { place: place() }.to_string(),
            "sf (eu-west-1) is in a Region this run does not reach"
        );
        assert_eq!(
            RotationError::NoCandidate.to_string(),
            "no Active credential is staged"
        );
    }

    /// A failure that has a cause keeps it as the error's source.
    #[test]
    fn a_rotation_error_keeps_its_cause() {
        use std::error::Error as _;
        let error = RotationError::NotRevoked {
            why: NotOnNew::Missing {
                place: "sf (eu-west-1)".into(),
            },
            valid: previous_valid(None),
        };
        assert_eq!(
            error.source().map(ToString::to_string).as_deref(),
            Some("sf (eu-west-1) does not exist")
        );
    }
}
