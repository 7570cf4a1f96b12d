//! What the AWS-facing commands share: which Regions a run covers (and which declared
//! connections it leaves out), the AWS context of each Region, and reading the plan of all of
//! them at once.

use crate::aws::{self, secretsmanager::SecretsManagerClients};
use crate::config::Settings;
use crate::engine::interrupt::Interrupt;
use crate::engine::{self, Context};
use crate::error::{Error, Problem};
use crate::log::Log;
use crate::plan::compute::PlanOptions;
use crate::plan::{LeftOut, Plan};
use crate::resolve::SecretResolver;
use crate::spec::{self, ConnectionSpec};

pub(super) fn load_specs(settings: &Settings) -> Result<Vec<ConnectionSpec>, Error> {
    spec::load::load(&settings.paths)
}

/// The Regions of a run and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// In the order the run reports them: the default Region first.
    pub(crate) regions: Vec<String>,
    pub(crate) left_out: Vec<LeftOut>,
}

/// Which Regions a run covers. With `--region` flags, exactly those (the first is the default
/// for files without `regions:`); without, every Region a file declares plus the default Region
/// (AWS_REGION or the profile's) for files without `regions:`. Pure.
pub(crate) fn coverage(
    specs: &[ConnectionSpec],
    flags: &[String],
    sdk_default: Option<&str>,
) -> Result<Coverage, Error> {
    let default = flags.first().map(String::as_str).or(sdk_default);
    let mut regions: Vec<String> = Vec::new();
    let add = |region: &str, regions: &mut Vec<String>| {
        if !regions.iter().any(|r| r == region) {
            regions.push(region.to_string());
        }
    };
    for flag in flags {
        add(flag, &mut regions);
    }
    let mut left_out = Vec::new();
    for spec in specs {
        let wanted: Vec<&str> = match (&spec.regions, default) {
            (Some(declared), _) => declared.iter().map(String::as_str).collect(),
            (None, Some(default)) => vec![default],
            (None, None) => {
                return Err(Error::input(
                    Problem::new(format!(
                        "no AWS Region for connection `{}`: it declares no `regions:`, and neither --region, AWS_REGION nor the profile names one",
                        spec.name
                    ))
                    .at(spec.origin.clone())
                    .help("pass --region us-east-1 (or set AWS_REGION), or list `regions:` in the file"),
                ));
            }
        };
        for region in wanted {
            if flags.is_empty() {
                add(region, &mut regions);
            } else if !flags.iter().any(|f| f == region) {
                left_out.push(LeftOut {
                    name: spec.name.clone(),
                    region: region.to_string(),
                    reason: format!("{region} is not among the --region flags"),
                });
            }
        }
    }
    Ok(Coverage { regions, left_out })
}

/// The SDK configuration (no call is made) and the Regions it gives the run.
pub(super) async fn configured_coverage(
    settings: &Settings,
    specs: &[ConnectionSpec],
) -> Result<(aws_config::SdkConfig, Coverage), Error> {
    let config = aws::sdk_config(&settings.aws).await;
    let sdk_default = config.region().map(|r| r.to_string());
    if settings.regions.is_empty()
        && let Some(region) = &sdk_default
    {
        spec::regions::check_region(region).map_err(|violation| {
            Error::input(
                Problem::new(format!(
                    "the default Region `{region}` (from AWS_REGION or the profile) is not an AWS Region code: {}",
                    violation.message
                ))
                .help(violation.help),
            )
        })?;
    }
    let coverage = coverage(specs, &settings.regions, sdk_default.as_deref())?;
    Ok((config, coverage))
}

/// The declared connections wanted in `region`, in the order declared. Pure.
pub(crate) fn wanted_in<'a>(
    coverage: &Coverage,
    region: &str,
    specs: &'a [ConnectionSpec],
) -> Vec<&'a ConnectionSpec> {
    let default = coverage.regions.first().map(String::as_str);
    specs
        .iter()
        .filter(|spec| match &spec.regions {
            Some(declared) => declared.iter().any(|r| r == region),
            None => default == Some(region),
        })
        .collect()
}

/// Everything a run needs in AWS: the coverage and one context per Region.
pub(super) struct Run {
    pub(super) coverage: Coverage,
    pub(super) contexts: Vec<Context>,
    /// The run's SDK configuration (for the caller's account).
    pub(super) config: aws_config::SdkConfig,
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
        let log = Log::new(settings.verbosity, settings.quiet);
        for left in &coverage.left_out {
            log.verbose(format!(
                "{} in {}: left out ({})",
                left.name, left.region, left.reason
            ));
        }
        let first = coverage.regions.first().cloned().unwrap_or_default();
        let resolver = SecretResolver::new(SecretsManagerClients::new(config.clone()), first);
        let shared = resolver.clone();
        let contexts = coverage
            .regions
            .iter()
            .map(|region| {
                let regional = aws::for_region(&config, region);
                Context {
                    eventbridge: aws::eventbridge_client(&regional),
                    secrets_manager: aws::secrets_manager_client(&regional),
                    resolver: resolver.for_region(region),
                    region: region.clone(),
                    concurrency: settings.concurrency,
                    log,
                    interrupt: interrupt.clone(),
                    listed: Default::default(),
                }
            })
            .collect();
        Ok(Run {
            coverage,
            contexts,
            config,
            resolver: shared,
        })
    }

    /// The declared connections wanted in `context`'s Region, in the order declared.
    pub(super) fn wanted_in<'a>(
        &self,
        context: &Context,
        specs: &'a [ConnectionSpec],
    ) -> Vec<&'a ConnectionSpec> {
        wanted_in(&self.coverage, &context.region, specs)
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
            regions: self.coverage.regions.clone(),
            left_out: self.coverage.left_out.clone(),
            ..Plan::default()
        };
        for region in per_region {
            let region = region?;
            plan.steps.extend(region.steps);
            plan.orphans.extend(region.orphans);
            plan.pruned_destinations.extend(region.pruned_destinations);
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(yaml: &str) -> Vec<ConnectionSpec> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.yaml"), yaml).unwrap();
        spec::load::load(&[dir.path().to_path_buf()]).unwrap()
    }

    const TWO: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nregions: [eu-west-1, us-east-1]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";

    #[test]
    fn without_flags_a_run_covers_the_default_and_every_declared_region() {
        let coverage = coverage(&specs(TWO), &[], Some("us-west-2")).unwrap();
        assert_eq!(coverage.regions, ["eu-west-1", "us-east-1", "us-west-2"]);
        assert_eq!(coverage.left_out, []);
    }

    #[test]
    fn flags_limit_the_run_and_name_what_is_left_out() {
        let coverage = coverage(&specs(TWO), &["us-east-1".into()], Some("us-west-2")).unwrap();
        assert_eq!(coverage.regions, ["us-east-1"]);
        assert_eq!(
            coverage.left_out,
            [LeftOut {
                name: "a".into(),
                region: "eu-west-1".into(),
                reason: "eu-west-1 is not among the --region flags".into()
            }]
        );
    }

    #[test]
    fn a_file_without_regions_needs_a_default_region() {
        let error = coverage(&specs(TWO), &[], None).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no AWS Region for connection `b`"),
            "{error}"
        );
    }
}
