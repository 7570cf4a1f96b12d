//! Reads live state for the declared connections and computes the plan.
//!
//! One `ListConnections` walk finds which connections exist; each existing one is described
//! and its managed secret read (to detect secret drift), with bounded concurrency. A failure
//! for one connection becomes an error entry for that connection only.

use super::Context;
use crate::aws::eventbridge::{describe_connection, list_connections};
use crate::aws::secretsmanager::{ReadError, read_secret_string};
use crate::desired::DesiredConnection;
use crate::error::Error;
use crate::live::LiveConnection;
use crate::plan::compute::{Strictness, plan_connection};
use crate::plan::{Planned, SecretStatus, managed_secret};
use crate::spec::ConnectionSpec;
use futures::StreamExt;
use std::collections::HashSet;

/// Reads everything the plan needs for the connections declared in the context's Region.
/// Fails as a whole only if the connections cannot be listed.
pub(crate) async fn plan(
    context: &Context,
    specs: &[ConnectionSpec],
    strictness: Strictness,
) -> Result<Vec<Planned>, Error> {
    context
        .log
        .progress(format!("listing connections in {}", context.region));
    let existing: HashSet<String> = list_connections(&context.eventbridge, "")
        .await
        .map_err(|error| Error::Aws {
            context: format!("cannot list EventBridge connections in {}", context.region),
            message: error.message,
            help: Some("check the AWS credentials, Region and endpoint, and that the identity may call events:ListConnections".to_string()),
        })?
        .into_iter()
        .map(|summary| summary.name)
        .collect();
    context.remember_listing("", existing.len());
    context.log.verbose(format!(
        "{} connections exist in {}",
        existing.len(),
        context.region
    ));
    context.log.progress(format!(
        "reading {} declared connections in {}",
        specs.len(),
        context.region
    ));

    let progress = crate::log::Progress::new(context.log, "read", specs.len());
    let planned = futures::stream::iter(specs)
        .map(|spec| async {
            let planned = plan_one(context, spec, existing.contains(&spec.name), strictness).await;
            progress.tick();
            planned
        })
        .buffered(context.concurrency.max(1))
        .collect()
        .await;
    Ok(planned)
}

async fn plan_one(
    context: &Context,
    spec: &ConnectionSpec,
    exists: bool,
    strictness: Strictness,
) -> Planned {
    let desired = match context.resolver.desired(spec).await {
        Ok(desired) => desired,
        Err(problems) => {
            let message = problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            return Planned::failed(&spec.name, &context.region, message);
        }
    };
    let live = if exists {
        context.log.debug(format!("describing {}", spec.name));
        match describe_connection(&context.eventbridge, &spec.name).await {
            Ok(live) => live,
            Err(error) => {
                let message = format!(
                    "{}: cannot describe the connection: {}",
                    spec.origin, error.message
                );
                return Planned::failed(&spec.name, &context.region, message);
            }
        }
    } else {
        None
    };
    let secret = match &live {
        Some(live) => secret_status(context, &desired, live).await,
        None => SecretStatus::NotApplicable,
    };
    plan_connection(desired, live, secret, strictness)
}

/// Compares the declared secrets with the connection's managed secret, where it can be read.
async fn secret_status(
    context: &Context,
    desired: &DesiredConnection,
    live: &LiveConnection,
) -> SecretStatus {
    let Some(arn) = &live.secret_arn else {
        return SecretStatus::Unverifiable {
            reason: "AWS reports no managed secret (SecretArn) for this connection".to_string(),
        };
    };
    match read_secret_string(&context.secrets_manager, arn, None).await {
        Ok(managed) => managed_secret::compare(desired, &managed),
        Err(ReadError::AccessDenied(_)) => SecretStatus::Unverifiable {
            reason: format!(
                "access denied to the managed secret; allow secretsmanager:GetSecretValue on {arn} to check it"
            ),
        },
        Err(ReadError::NotFound) => SecretStatus::Unverifiable {
            reason: format!("the managed secret {arn} does not exist"),
        },
        Err(ReadError::Other(message)) => SecretStatus::Unverifiable {
            reason: format!("cannot read the managed secret: {message}"),
        },
    }
}
