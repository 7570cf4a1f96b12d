//! What the AWS-facing commands share: loading the declared connections, building the AWS
//! context of the run's Region, and reading the plan.

use crate::aws;
use crate::config::Settings;
use crate::engine::{self, Context};
use crate::error::Error;
use crate::log::Log;
use crate::plan::Plan;
use crate::plan::compute::Strictness;
use crate::resolve::SecretResolver;
use crate::spec::{self, ConnectionSpec};

pub(super) fn load_specs(settings: &Settings) -> Result<Vec<ConnectionSpec>, Error> {
    spec::load::load(&settings.paths)
}

/// The clients and settings for the run's Region.
pub(super) async fn region_context(settings: &Settings) -> Result<Context, Error> {
    let config = aws::sdk_config(&settings.aws).await;
    let Some(region) = config.region().map(|r| r.to_string()) else {
        return Err(Error::Aws {
            context: "no AWS Region".to_string(),
            message: "neither --region, AWS_REGION nor the profile names a Region".to_string(),
            help: Some("pass --region us-east-1 (or set AWS_REGION)".to_string()),
        });
    };
    let secrets_manager = aws::secrets_manager_client(&config);
    Ok(Context {
        eventbridge: aws::eventbridge_client(&config),
        resolver: SecretResolver::new(secrets_manager.clone(), region.clone()),
        secrets_manager,
        region,
        concurrency: settings.concurrency,
        log: Log::new(settings.verbosity),
    })
}

/// Reads live state for the connections declared in the run's Region and plans them.
pub(super) async fn read_plan(
    context: &Context,
    specs: &[ConnectionSpec],
    strictness: Strictness,
) -> Result<Plan, Error> {
    let wanted: Vec<ConnectionSpec> = specs
        .iter()
        .filter(|spec| {
            let wanted = spec.wanted_in(&context.region);
            if !wanted {
                context.log.verbose(format!(
                    "{}: not declared for {}, skipped",
                    spec.name, context.region
                ));
            }
            wanted
        })
        .cloned()
        .collect();
    let steps = engine::read::plan(context, &wanted, strictness).await?;
    Ok(Plan {
        regions: vec![context.region.clone()],
        steps,
    })
}
