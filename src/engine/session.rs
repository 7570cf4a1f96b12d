//! The one place that opens a run's AWS world: the SDK configuration, the Regions the run
//! covers, the caller's account (asked once, with `sts:GetCallerIdentity`, and checked against
//! the project file's `accounts:`), and the clients of each place. Every command that calls AWS
//! opens a [`Session`] and takes its clients from it; the rotation opens it once per run and
//! looks again through the same clients.
//!
//! A place ([`Place`]) is a Region of the caller's account today. Where a run will hold one SDK
//! configuration per account (a role assumed per target), that configuration is looked up in
//! [`Session::config_in`] and the clients below are made from it: no command changes.

use super::Context;
use super::interrupt::Interrupt;
use crate::aws::connections::{Events, eventbridge_client};
use crate::aws::regional::Regional;
use crate::aws::secretsmanager::SecretsManagerClients;
use crate::config::Settings;
use crate::coverage::{Coverage, Sources};
use crate::error::{Error, Location, Problem};
use crate::log::Log;
use crate::manifest::{self, ConnectionSpec};
use crate::place::Place;
use crate::plan::LeftOut;
use crate::resolve::SecretResolver;
use aws_config::SdkConfig;

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
    /// The caller's, asked at the opening before any other call.
    Caller,
    /// `iam-policy --account`: the account given, checked against the project file's
    /// `accounts:` without a call; without it, the caller's.
    Given(Option<&'a str>),
}

/// A run's AWS world, opened once.
pub(crate) struct Session<'a> {
    settings: &'a Settings,
    /// The run's SDK configuration, in its default Region.
    config: SdkConfig,
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
                check_default_region(settings, &config)?;
                Coverage::of(specs, &sources)?
            }
            Scope::AllowingUnplaced(specs) => Coverage::allowing_unplaced(specs, &sources),
            Scope::Export => Coverage::for_export(&sources)?,
        };
        // STS answers in every Region; the run's first is one its credentials work in.
        let account_region = coverage
            .regions
            .first()
            .or(coverage.default_region.as_ref())
            .cloned()
            .unwrap_or_else(|| "us-east-1".to_string());
        let first = coverage.regions.first().cloned().unwrap_or_default();
        let account = match account {
            Account::Given(Some(given)) => {
                check_given(settings, given)?;
                given.to_string()
            }
            Account::Caller | Account::Given(None) => {
                let help = match account {
                    Account::Given(None) => {
                        "pass the account with --account 123456789012, or check the AWS credentials"
                    }
                    _ => "check the AWS credentials and endpoint",
                };
                let account = caller_account(
                    settings,
                    &crate::aws::for_region(&config, &account_region),
                    help,
                )
                .await?;
                check_caller(settings, &account)?;
                account
            }
        };
        Ok(Session {
            settings,
            events: Regional::new(Some(config.clone()), eventbridge_client),
            resolver: SecretResolver::from_config(config.clone(), Place::new(&account, first)),
            config,
            coverage,
            account,
        })
    }

    /// The account the run works in: the caller's (`sts:GetCallerIdentity`, asked once per
    /// run), or the one `iam-policy --account` gave.
    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    /// The place of `region` in this run.
    pub(crate) fn place(&self, region: &str) -> Place {
        Place::new(&self.account, region)
    }

    /// The declared connections the run leaves out, each where the run would have had it.
    pub(crate) fn left_out(&self) -> Vec<LeftOut> {
        self.coverage
            .left_out
            .iter()
            .map(|left| left.placed(&self.account))
            .collect()
    }

    /// The SDK configuration of a place: the run's one, in `region`.
    pub(crate) fn config_in(&self, region: &str) -> SdkConfig {
        crate::aws::for_region(&self.config, region)
    }

    /// The coverage of `specs` within this run (the documents a rotation carries a credential
    /// to): the same sources as the run's, no call.
    pub(crate) fn cover(&self, specs: &[ConnectionSpec]) -> Result<Coverage, Error> {
        check_default_region(self.settings, &self.config)?;
        Coverage::of(specs, &Sources::of(self.settings, &self.config))
    }

    /// The EventBridge client of `place`, made once.
    pub(crate) fn events(&self, place: &Place) -> Events {
        self.events
            .get(place)
            .unwrap_or_else(|| eventbridge_client(&self.config_in(&place.region)))
    }

    /// The IAM client of `place`: IAM's global Region of the place's partition.
    pub(crate) fn iam(&self, place: &Place) -> crate::aws::iam::Iam {
        let partition = crate::policy::partition_of(&place.region);
        crate::aws::iam::client(
            &self.config_in(crate::aws::iam::global_region(partition, &place.region)),
        )
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

    /// What the engine needs to work in `region` (a place of this run), on this run's clients, reading secrets
    /// through `resolver` (the run's, or one that reads afresh).
    pub(crate) fn context(
        &self,
        resolver: &SecretResolver,
        region: &str,
        interrupt: &Interrupt,
    ) -> Context {
        let place = self.place(region);
        let secrets_manager = self
            .secrets_managers()
            .get(&place)
            .unwrap_or_else(|| crate::aws::secrets_manager_client(&self.config_in(region)));
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

/// The caller's account (`sts:GetCallerIdentity`, which needs no permission), asked with
/// `config`; `help` is what to do when it cannot be asked.
async fn caller_account(
    settings: &Settings,
    config: &SdkConfig,
    help: &'static str,
) -> Result<String, Error> {
    crate::aws::sts::caller_account(config)
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
