//! What the AWS-facing commands share: the SDK configuration with the run's [`Coverage`], the
//! project file's account check, the AWS context of each Region, and reading the plan of all
//! of them at once.

use crate::aws;
use crate::config::Settings;
use crate::coverage::{Coverage, Sources};
use crate::engine::interrupt::Interrupt;
use crate::engine::{self, Context};
use crate::error::{Error, Problem};
use crate::log::Log;
use crate::manifest::{self, ConnectionSpec};
use crate::place::Place;
use crate::plan::connection::PlanOptions;
use crate::plan::{LeftOut, Plan};
use crate::project::Project;
use crate::resolve::SecretResolver;

pub(super) fn load_specs(settings: &Settings) -> Result<Vec<ConnectionSpec>, Error> {
    manifest::load::load_with(&settings.paths, &settings.rules)
}

/// `--prune` deletes what the files do not declare in a Region, so which Region a document
/// belongs to must come from the files (`regions:`, or the project file's `defaultRegion`),
/// never from AWS_REGION, the profile or the order of `--region` flags. Checked before any
/// call. Pure.
pub(super) fn check_prune_regions(
    specs: &[ConnectionSpec],
    project: &Project,
) -> Result<(), Error> {
    if project.default_region.is_some() {
        return Ok(());
    }
    let problems: Vec<Problem> = specs
        .iter()
        .filter(|spec| spec.regions.is_none())
        .map(|spec| {
            Problem::new(format!(
                "--prune needs every document's Region pinned by the files: connection `{}` declares no `regions:` and no project file names a `defaultRegion`, so its Region would come from AWS_REGION, the profile or the first --region; nothing was sent to AWS",
                spec.name
            ))
            .at(spec.origin.clone())
            .help("add `defaultRegion: <region>` to provision.yaml (next to `set:`), or `regions: [<region>]` to this document")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// The SDK configuration (no call is made) and the Regions it gives the run.
pub(super) async fn configured_coverage(
    settings: &Settings,
    specs: &[ConnectionSpec],
) -> Result<(aws_config::SdkConfig, Coverage), Error> {
    let config = aws::sdk_config(&settings.aws).await?;
    if settings.regions.is_empty()
        && let Some(region) = config.region()
    {
        manifest::regions::check_region_with(region.as_ref(), &settings.project.extra_regions).map_err(|violation| {
            Error::input(
                Problem::new(format!(
                    "the default Region `{region}` (from AWS_REGION or the profile) is not an AWS Region code: {}",
                    violation.message
                ))
                .help(violation.help),
            )
        })?;
    }
    let coverage = Coverage::of(specs, &Sources::of(settings, &config))?;
    Ok((config, coverage))
}

/// The project file's `accounts`: the caller's account (`sts:GetCallerIdentity`) is checked
/// before any other call, and any other account is refused with both named.
pub(super) async fn check_account(
    settings: &Settings,
    config: &aws_config::SdkConfig,
    region: Option<&str>,
) -> Result<(), Error> {
    if settings.project.file.is_none() || settings.project.accounts.is_empty() {
        return Ok(());
    }
    run_account(settings, config, region).await.map(drop)
}

/// The account of the run's credentials, asked once before any other call, and checked
/// against the project file's `accounts` when it names any.
pub(super) async fn run_account(
    settings: &Settings,
    config: &aws_config::SdkConfig,
    region: Option<&str>,
) -> Result<String, Error> {
    let account = caller_account(settings, config, region).await?;
    allowed_account(settings, &account)?;
    Ok(account)
}

/// The account of the run's credentials (`sts:GetCallerIdentity`, which needs no permission),
/// asked in `region` (the run's first).
async fn caller_account(
    settings: &Settings,
    config: &aws_config::SdkConfig,
    region: Option<&str>,
) -> Result<String, Error> {
    let regional = match region {
        Some(region) => aws::for_region(config, region),
        None => config.clone(),
    };
    aws::sts::caller_account(&regional).await.map_err(|error| {
        let needs = match &settings.project.file {
            Some(file) if !settings.project.accounts.is_empty() => format!(
                "which {} requires before any other call",
                file.display()
            ),
            _ => "which names where each resource of the run lives".to_string(),
        };
        Error::aws(
            format!(
                "cannot tell which AWS account the credentials belong to (sts:GetCallerIdentity), {needs}"
            ),
            error,
            "check the AWS credentials and endpoint",
        )
    })
}

/// The caller's `account` against the project file's `accounts` (any, without a project file
/// or without the key).
fn allowed_account(settings: &Settings, account: &str) -> Result<(), Error> {
    let Some(file) = &settings.project.file else {
        return Ok(());
    };
    let allowed = &settings.project.accounts;
    if allowed.is_empty() || allowed.iter().any(|a| a == account) {
        return Ok(());
    }
    Err(Error::input(
        Problem::new(format!(
            "the AWS credentials belong to account {account}, but the project file allows only {}; nothing else was sent to AWS",
            allowed.join(", ")
        ))
        .at(crate::error::Location::file(file))
        .field("accounts")
        .help(format!(
            "use credentials (a profile or role) of account {}, or add {account} to `accounts:` if this folder belongs there",
            allowed.join(" or ")
        )),
    ))
}

/// Everything a run needs in AWS: the coverage, the caller's account and one context per
/// place.
pub(super) struct Run {
    pub(super) coverage: Coverage,
    /// The account of the run's credentials, asked once (`sts:GetCallerIdentity`).
    pub(super) account: String,
    pub(super) contexts: Vec<Context>,
    /// The project file the run used, for the outputs that name it.
    project_file: Option<String>,
    /// The resolver every Region shares: it knows every secret the run read.
    pub(super) resolver: SecretResolver,
}

impl Run {
    pub(super) async fn new(
        settings: &Settings,
        specs: &[ConnectionSpec],
        interrupt: &Interrupt,
    ) -> Result<Self, Error> {
        let (config, coverage) = configured_coverage(settings, specs).await?;
        // Before any other call: where every resource lives, and the project file's check.
        let account = run_account(
            settings,
            &config,
            coverage.regions.first().map(String::as_str),
        )
        .await?;
        let log = Log::new(settings.verbosity, settings.quiet);
        for left in &coverage.left_out {
            log.verbose(format!(
                "{} in {}: left out ({})",
                left.name, left.region, left.reason
            ));
        }
        let first = coverage.regions.first().cloned().unwrap_or_default();
        let resolver = SecretResolver::from_config(config.clone(), Place::new(&account, first));
        let shared = resolver.clone();
        let contexts = coverage
            .regions
            .iter()
            .map(|region| {
                let regional = aws::for_region(&config, region);
                let place = Place::new(&account, region);
                Context {
                    eventbridge: aws::connections::eventbridge_client(&regional),
                    secrets_manager: aws::secrets_manager_client(&regional),
                    resolver: resolver.for_place(&place),
                    place,
                    concurrency: settings.concurrency,
                    log,
                    interrupt: interrupt.clone(),
                    listed: Default::default(),
                }
            })
            .collect();
        Ok(Run {
            coverage,
            account,
            contexts,
            project_file: settings
                .project
                .file
                .as_ref()
                .map(|file| file.display().to_string()),
            resolver: shared,
        })
    }

    /// The places the run covers, in the run's order.
    pub(super) fn places(&self) -> Vec<Place> {
        self.contexts.iter().map(|c| c.place.clone()).collect()
    }

    /// The declared connections the run leaves out, each where the run would have had it.
    pub(super) fn left_out(&self) -> Vec<LeftOut> {
        self.coverage
            .left_out
            .iter()
            .map(|left| left.placed(&self.account))
            .collect()
    }

    /// The declared connections wanted in `context`'s Region, in the order declared.
    pub(super) fn wanted_in<'a>(
        &self,
        context: &Context,
        specs: &'a [ConnectionSpec],
    ) -> Vec<&'a ConnectionSpec> {
        self.coverage.wanted_in(&context.place.region, specs)
    }

    /// Reads live state in every Region at once and plans every declared connection. An
    /// interruption ends the reading (nothing has been changed yet).
    pub(super) async fn read_plan(
        &self,
        specs: &[ConnectionSpec],
        options: &PlanOptions,
        interrupt: &Interrupt,
    ) -> Result<Plan, Error> {
        tokio::select! {
            plan = self.read_all(specs, options) => plan,
            () = interrupt.raised() => Err(Error::Interrupted {
                signal: interrupt.signal().unwrap_or(crate::engine::interrupt::Signal::Interrupt),
                done: "nothing was changed".to_string(),
            }),
        }
    }

    async fn read_all(
        &self,
        specs: &[ConnectionSpec],
        options: &PlanOptions,
    ) -> Result<Plan, Error> {
        let per_region = futures::future::join_all(self.contexts.iter().map(|context| {
            let wanted: Vec<ConnectionSpec> = self
                .wanted_in(context, specs)
                .into_iter()
                .cloned()
                .collect();
            async move { engine::read::plan(context, &wanted, options).await }
        }))
        .await;
        let mut plan = Plan {
            places: self.places(),
            left_out: self.left_out(),
            project_file: self.project_file.clone(),
            ..Plan::default()
        };
        for region in per_region {
            let region = region?;
            plan.steps.extend(region.steps);
            plan.orphans.extend(region.orphans);
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tests::specs;

    const TWO: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nregions: [eu-west-1, us-east-1]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";

    #[test]
    fn prune_refuses_documents_whose_region_the_environment_would_choose() {
        let error = check_prune_regions(&specs(TWO), &Project::default()).unwrap_err();
        let Error::Input(problems) = error else {
            panic!("{error}")
        };
        assert_eq!(problems.len(), 1, "only b lacks regions");
        assert!(
            problems[0]
                .message
                .as_str()
                .contains("connection `b` declares no `regions:`"),
            "{}",
            problems[0]
        );
        let pinned = Project {
            default_region: Some("eu-west-1".into()),
            ..Project::default()
        };
        assert!(check_prune_regions(&specs(TWO), &pinned).is_ok());
    }
}
