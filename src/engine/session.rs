//! The one place that opens a run's AWS world: the SDK configuration, the Regions the run
//! covers, the caller's account (asked once, with `sts:GetCallerIdentity`, and checked against
//! the project file's `accounts:`), and the clients of each place. Every command that calls AWS
//! opens a [`Session`] and takes its clients from it; the rotation opens it once per run and
//! looks again through the same clients.
//!
//! A place ([`Place`]) is a Region of an account: of the caller's, or, with `targets:` in the
//! project file, of the target the coverage names ([`Covered`]): the session turns a target
//! into its account (`Target.account`). This session works with the run's own credentials, so
//! every target it covers must be the caller's account (a CI leg that assumed the target's
//! role); where a run will hold one SDK configuration per account (a role assumed per target),
//! that configuration is looked up in [`Session::config_in`] and the clients below are made
//! from it: no command changes.

use super::Context;
use super::accounts::{self, TargetAccess};
use super::interrupt::Interrupt;
use crate::aws::assume::{Access, session_name};
use crate::aws::connections::{Events, eventbridge_client};
use crate::aws::regional::Configs;
use crate::aws::regional::Regional;
use crate::aws::secretsmanager::SecretsManagerClients;
use crate::aws::sts::Identity;
use crate::config::Settings;
use crate::coverage::{Coverage, Covered, Sources, placement};
use crate::error::{Error, Location, Problem};
use crate::log::Log;
use crate::manifest::{self, ConnectionSpec};
use crate::place::Place;
use crate::plan::LeftOut;
use crate::plan::UnreadPlace;
use crate::project::Target;
use crate::resolve::SecretResolver;
use aws_config::SdkConfig;
use futures::StreamExt;
use std::sync::OnceLock;

/// This run's id, in the session name of every role it assumes (which the role's account logs):
/// the start time (Unix seconds) and the process id.
fn run_id() -> &'static str {
    static RUN_ID: OnceLock<String> = OnceLock::new();
    RUN_ID.get_or_init(|| {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default();
        format!("{seconds}-{}", std::process::id())
    })
}

/// Which Regions a command covers.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Every document's Regions, each document needing one (`diff`, `apply`, `verify`,
    /// `iam-policy`).
    Placed(&'a [ConnectionSpec]),
    /// Every document's Regions, a document without one being in none: the command reports it
    /// per document (`salesforce-credentials`, `rotate-credentials`).
    AllowingUnplaced(&'a [ConnectionSpec]),
    /// The `--region` flags, else the default Region (`export`, and `iam-policy --for export`,
    /// which read no file).
    Export,
}

/// Where the run's account comes from. Every place of a run names its account, so it is
/// known once the session is open.
#[derive(Clone, Copy)]
pub(crate) enum Account<'a> {
    /// The caller's, asked at the opening before any other call; with targets in the project
    /// file, each covered target's account is opened too, with the role `Access` chooses
    /// ([`super::accounts`]).
    Caller(Access),
    /// `iam-policy --account`: the account given, checked against the project file's
    /// `accounts:` without a call; without it, the caller's.
    Given(Option<&'a str>),
}

/// A run's AWS world, opened once.
pub(crate) struct Session<'a> {
    settings: &'a Settings,
    /// The run's SDK configuration, in its default Region.
    config: SdkConfig,
    /// The configuration of each account the run works in (its own, each target's).
    configs: Configs,
    /// The places of the targets whose account could not be opened (a role refused): no call
    /// is made there, and the plan names each.
    unopened: Vec<UnreadPlace>,
    pub(crate) coverage: Coverage,
    /// The account the run works in, asked once at the opening.
    account: String,
    /// EventBridge clients by place.
    events: Regional<Events>,
    /// The secret stores' clients by place and every secret the run read, shared by every
    /// place's resolver.
    resolver: SecretResolver,
}

impl<'a> Session<'a> {
    /// Opens the run `settings` describes: the SDK configuration (no call), the coverage of
    /// `scope`, then the account (the only call, when `account` asks for it now). The project
    /// file's `accounts:` refuses any other account before anything else is sent.
    pub(crate) async fn open(
        settings: &'a Settings,
        scope: Scope<'_>,
        account: Account<'_>,
    ) -> Result<Session<'a>, Error> {
        let config = crate::aws::sdk_config(&settings.aws).await?;
        let sources = Sources::of(settings, &config);
        let coverage = match scope {
            Scope::Placed(specs) => {
                placement::check(specs, &settings.project)?;
                check_default_region(settings, &config)?;
                Coverage::of(specs, &sources)?
            }
            Scope::AllowingUnplaced(specs) => {
                placement::check(specs, &settings.project)?;
                Coverage::allowing_unplaced(specs, &sources)
            }
            Scope::Export => Coverage::for_export(&sources)?,
        };
        // STS answers in every Region; the run's first is one its credentials work in.
        let account_region = coverage
            .places
            .first()
            .map(|place| &place.region)
            .or(coverage.default_region.as_ref())
            .cloned()
            .unwrap_or_else(|| "us-east-1".to_string());
        let first = coverage
            .places
            .first()
            .map(|place| place.region.clone())
            .unwrap_or_default();
        let caller = match account {
            Account::Given(Some(given)) => {
                check_given(settings, given)?;
                Identity {
                    account: given.to_string(),
                    arn: None,
                }
            }
            Account::Caller(_) | Account::Given(None) => {
                let help = match account {
                    Account::Given(None) => {
                        "pass the account with --account 123456789012, or check the AWS credentials"
                    }
                    _ => "check the AWS credentials and endpoint",
                };
                let caller = caller_identity(
                    settings,
                    &crate::aws::for_region(&config, &account_region),
                    help,
                )
                .await?;
                if settings.project.targets.is_empty() {
                    check_caller(settings, &caller.account)?;
                } else if matches!(account, Account::Given(None)) {
                    check_targets_in(settings, &coverage, &caller.account)?;
                }
                caller
            }
        };
        let configs = Configs::from(config.clone());
        let mut session = Session {
            settings,
            events: Regional::new(Some(configs.clone()), eventbridge_client),
            resolver: SecretResolver::from_config(
                configs.clone(),
                Place::new(&caller.account, first),
            ),
            configs,
            unopened: Vec::new(),
            config,
            coverage,
            account: caller.account.clone(),
        };
        if let Account::Caller(access) = account {
            session.open_targets(&caller, access).await;
        }
        Ok(session)
    }

    /// Opens the account of every target the coverage names, at most
    /// [`super::PLACES_IN_FLIGHT`] at once: the run's own configuration where its credentials
    /// are of that account, else the target's role assumed and checked. A target that cannot
    /// be opened leaves its places unopened, named with the fix; the others carry on.
    async fn open_targets(&mut self, caller: &Identity, access: Access) {
        let mut targets: Vec<&Target> = Vec::new();
        for covered in &self.coverage.places {
            if let Some(target) = covered
                .target
                .as_deref()
                .and_then(|name| self.settings.project.target(name))
                && !targets.iter().any(|t| t.name == target.name)
            {
                targets.push(target);
            }
        }
        // Targets live in the project file, which names the set.
        let set = (self.settings.project.set.as_ref())
            .map_or(crate::ownership::DEFAULT_SET, |set| set.name());
        let session_name = session_name(set, run_id());
        let (config, resolver) = (&self.config, &self.resolver);
        let opened: Vec<(&Target, Result<SdkConfig, Error>)> =
            futures::stream::iter(targets.into_iter().map(|target| {
                let session_name = &session_name;
                async move {
                    let opened = async {
                        let external_id = match &target.external_id {
                            Some(reference) => Some(
                                resolver
                                    .resolve(reference)
                                    .await
                                    .map_err(|problem| Error::Input(vec![problem]))?,
                            ),
                            None => None,
                        };
                        let access_of = TargetAccess {
                            name: &target.name,
                            account: &target.account,
                            role: target.role.as_deref(),
                            read_role: target.read_role.as_deref(),
                            external_id: external_id.as_ref(),
                        };
                        accounts::open(config, caller, &access_of, access, session_name).await
                    };
                    (target, opened.await)
                }
            }))
            .buffered(super::PLACES_IN_FLIGHT)
            .collect()
            .await;
        let log = Log::new(self.settings.verbosity, self.settings.quiet);
        for (target, opened) in opened {
            match opened {
                Ok(config) => self.configs.insert(&target.account, config),
                Err(error) => {
                    // No call reaches the target's account without its role: its clients have
                    // no credentials.
                    self.configs.insert(&target.account, {
                        let mut unopened = self.config.to_builder();
                        unopened.set_credentials_provider(None);
                        unopened.build()
                    });
                    let (message, help) = match &error {
                        Error::Input(problems) => (
                            problems
                                .iter()
                                .map(Problem::headline)
                                .collect::<Vec<_>>()
                                .join("\n"),
                            problems
                                .iter()
                                .find_map(|problem| problem.help.as_ref().map(ToString::to_string)),
                        ),
                        other => other.message_and_help(),
                    };
                    // Said once here, for every command: those that plan name each place again.
                    log.warn(format!(
                        "target `{}` (account {}) could not be opened, so nothing is done there; the other targets carry on: {message}",
                        target.name, target.account
                    ));
                    for covered in &self.coverage.places {
                        if covered.target.as_deref() == Some(target.name.as_str()) {
                            self.unopened.push(UnreadPlace::new(
                                self.place_of(covered),
                                message.clone(),
                                help.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }

    /// The places of targets whose account could not be opened, each with why and the fix.
    pub(crate) fn unopened(&self) -> &[UnreadPlace] {
        &self.unopened
    }

    /// The account the run works in: the caller's (`sts:GetCallerIdentity`, asked once per
    /// run), or the one `iam-policy --account` gave.
    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    /// The place of `region` in the run's own account.
    pub(crate) fn place(&self, region: &str) -> Place {
        Place::new(&self.account, region)
    }

    /// The place `covered` names: its Region in its target's account (`Target.account`), or in
    /// the run's own account without a target.
    pub(crate) fn place_of(&self, covered: &Covered) -> Place {
        Place::new(self.account_of(covered.target.as_deref()), &covered.region)
    }

    /// The account of `target` (the project file's `Target.account`), or the run's own.
    pub(crate) fn account_of(&self, target: Option<&str>) -> &str {
        target
            .and_then(|name| self.settings.project.target(name))
            .map_or(self.account.as_str(), |target| target.account.as_str())
    }

    /// The coverage's name of `place` (a place of this run): its Region, in the target whose
    /// account it is when the project file lists targets (no two targets share an account).
    pub(crate) fn covered_at(&self, place: &Place) -> Covered {
        Covered {
            target: self
                .settings
                .project
                .target_in(&place.account)
                .map(|target| target.name.clone()),
            region: place.region.clone(),
        }
    }

    /// The declared connections the run leaves out, each where the run would have had it.
    pub(crate) fn left_out(&self) -> Vec<LeftOut> {
        self.coverage
            .left_out
            .iter()
            .map(|left| left.placed(self.account_of(left.target.as_deref())))
            .collect()
    }

    /// The SDK configuration of a place: its account's (the run's own, or its target's role),
    /// in its Region.
    pub(crate) fn config_in(&self, place: &Place) -> SdkConfig {
        self.configs.in_place(place)
    }

    /// The coverage of `specs` within this run (the documents a rotation carries a credential
    /// to): the same sources as the run's, no call.
    pub(crate) fn cover(&self, specs: &[ConnectionSpec]) -> Result<Coverage, Error> {
        placement::check(specs, &self.settings.project)?;
        check_default_region(self.settings, &self.config)?;
        Coverage::of(specs, &Sources::of(self.settings, &self.config))
    }

    /// The EventBridge client of `place`, made once.
    pub(crate) fn events(&self, place: &Place) -> Events {
        self.events
            .get(place)
            .unwrap_or_else(|| eventbridge_client(&self.config_in(place)))
    }

    /// The Secrets Manager clients of the run, by place.
    pub(crate) fn secrets_managers(&self) -> &SecretsManagerClients {
        self.resolver.secrets_managers()
    }

    /// The run's resolver: the run's clients and the run's cache of what was read (each
    /// secret once).
    pub(crate) fn resolver(&self) -> &SecretResolver {
        &self.resolver
    }

    /// A resolver of `place` that reads afresh (the run's clients, no cache): what a
    /// reference holds after this run wrote it.
    pub(crate) fn fresh_resolver(&self, place: &Place) -> SecretResolver {
        self.resolver.uncached(place)
    }

    /// What the engine needs to work in `covered` (a place of this run), on this run's clients,
    /// reading secrets through `resolver` (the run's, or one that reads afresh).
    pub(crate) fn context(
        &self,
        resolver: &SecretResolver,
        covered: &Covered,
        interrupt: &Interrupt,
    ) -> Context {
        let place = self.place_of(covered);
        let secrets_manager = self
            .secrets_managers()
            .get(&place)
            .unwrap_or_else(|| crate::aws::secrets_manager_client(&self.config_in(&place)));
        Context {
            eventbridge: self.events(&place),
            secrets_manager,
            resolver: resolver.for_place(&place),
            place,
            concurrency: self.settings.concurrency,
            log: Log::new(self.settings.verbosity, self.settings.quiet),
            interrupt: interrupt.clone(),
            listed: Default::default(),
        }
    }
}

/// Without `--region`, the SDK's default Region (AWS_REGION or the profile's) must be an AWS
/// Region code before it places any document.
fn check_default_region(settings: &Settings, config: &SdkConfig) -> Result<(), Error> {
    let Some(region) = config.region().filter(|_| settings.regions.is_empty()) else {
        return Ok(());
    };
    manifest::regions::check_region_with(region.as_ref(), &settings.project.extra_regions).map_err(
        |violation| {
            Error::input(
                Problem::new(format!(
                    "the default Region `{region}` (from AWS_REGION or the profile) is not an AWS Region code: {}",
                    violation.message
                ))
                .help(violation.help),
            )
        },
    )
}

/// The caller's account and ARN (`sts:GetCallerIdentity`, which needs no permission), asked
/// with `config`; `help` is what to do when it cannot be asked.
async fn caller_identity(
    settings: &Settings,
    config: &SdkConfig,
    help: &'static str,
) -> Result<Identity, Error> {
    crate::aws::sts::caller_identity(config)
        .await
        .map_err(|error| {
            let why = match &settings.project.file {
                Some(file) if !settings.project.accounts.is_empty() => {
                    format!("which {} requires before any other call", file.display())
                }
                _ => "which the run asks before any other call".to_string(),
            };
            Error::aws(
                format!("cannot tell which AWS account the credentials belong to (sts:GetCallerIdentity), {why}"),
                error,
                help,
            )
        })
}

/// The caller's `account`, refused when the project file's `accounts:` names others.
fn check_caller(settings: &Settings, account: &str) -> Result<(), Error> {
    let allowed = &settings.project.accounts;
    let Some(file) = &settings.project.file else {
        return Ok(());
    };
    if allows(settings, account) {
        return Ok(());
    }
    Err(Error::input(
        Problem::new(format!(
            "the AWS credentials belong to account {account}, but the project file allows only {}; nothing else was sent to AWS",
            allowed.join(", ")
        ))
        .at(Location::file(file))
        .field("accounts")
        .help(format!(
            "use credentials (a profile or role) of account {}, or add {account} to `accounts:` if this folder belongs there",
            allowed.join(" or ")
        )),
    ))
}

/// With targets, the run's own credentials work in each target the run covers only when they
/// are that target's account (a CI leg that assumed its role): any other is refused before
/// anything else is sent, naming `--target` as the way to run one target at a time.
fn check_targets_in(settings: &Settings, coverage: &Coverage, account: &str) -> Result<(), Error> {
    let mut elsewhere: Vec<&crate::project::Target> = Vec::new();
    for place in &coverage.places {
        if let Some(target) = place
            .target
            .as_deref()
            .and_then(|name| settings.project.target(name))
            && target.account != account
            && !elsewhere.iter().any(|t| t.name == target.name)
        {
            elsewhere.push(target);
        }
    }
    let Some(first) = elsewhere.first() else {
        return Ok(());
    };
    let listed = elsewhere
        .iter()
        .map(|target| format!("{} ({})", target.name, target.account))
        .collect::<Vec<_>>()
        .join(", ");
    let mut problem = Problem::new(format!(
        "the AWS credentials belong to account {account}, but the run covers the target{} {listed}; this run works with its own credentials only, so nothing else was sent to AWS",
        if elsewhere.len() == 1 { "" } else { "s" }
    ))
    .field("targets")
    .help(format!(
        "run each target under credentials of its account, e.g. `--target {}` with credentials of account {}",
        first.name, first.account
    ));
    if let Some(file) = &settings.project.file {
        problem = problem.at(Location::file(file));
    }
    Err(Error::input(problem))
}

/// Whether the project file's `accounts:` lets the run work in `account` (any, when it names
/// none).
fn allows(settings: &Settings, account: &str) -> bool {
    let allowed = &settings.project.accounts;
    allowed.is_empty() || allowed.iter().any(|a| a == account)
}

/// `iam-policy --account`: one of the project file's `accounts:`, when it names any.
fn check_given(settings: &Settings, given: &str) -> Result<(), Error> {
    if allows(settings, given) {
        return Ok(());
    }
    let allowed = &settings.project.accounts;
    Err(Error::input(
        Problem::new(format!(
            "--account {given} is not among the accounts the project file allows ({})",
            allowed.join(", ")
        ))
        .help("give one of the project file's accounts, or add this one to `accounts:`"),
    ))
}
