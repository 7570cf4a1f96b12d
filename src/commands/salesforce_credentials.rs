//! `provision salesforce-credentials [PATH...]`: for each document with `salesforce.app`, read
//! the app's consumer key and secret from Salesforce (Connect REST API, with `SF_ACCESS_TOKEN`
//! and `SF_INSTANCE_URL`, as `sf org display --json` gives them) and write them, as a new
//! version, into the Secrets Manager secret(s) that `clientId` and `clientSecret` reference.
//!
//! Classify first, then do I/O: [`targets`](crate::engine::credentials::targets) checks every
//! document offline and decides what goes where; the Salesforce reads and the Secrets Manager
//! writes follow. Only names, Regions and version ids are printed; the key, the secret and the
//! token are [`Secret`](crate::secret::Secret)s, redacted from every output.

use super::EXIT_OK;
use crate::aws::assume::Access;
use crate::config::Settings;
use crate::engine::credentials::{
    INSTANCE_VARIABLE, offline_first, run_ending, salesforce_error, write,
};
use crate::engine::session::{Account, Scope, Session};
use crate::error::{Error, Problem};
use crate::manifest::{self, ConnectionSpec};
use crate::plan::credentials_report::{CredentialsReport, OtherOrg, SecretWrite};
use crate::salesforce::connect::{Connect, ConnectError};
use crate::salesforce::metadata::org_of;
use crate::view;

pub(super) async fn run(settings: &Settings) -> Result<u8, Error> {
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    let with_app: Vec<&ConnectionSpec> = specs.iter().filter(|spec| spec.app.is_some()).collect();
    if with_app.is_empty() {
        return Err(Error::input(
            Problem::new("no document declares an External Client App (`salesforce.app`)")
                .help("add `app: { contactEmail: <address>, runAsUser: <username> }` under `salesforce:` in the documents whose credentials should be carried to AWS"),
        ));
    }

    let (mut planned, token, instance) = offline_first(with_app)?;

    // Only the documents of the org the token belongs to.
    let (_, instance_host) = org_of(instance.as_str());
    let mut left_out = Vec::new();
    planned.retain(|(spec, _)| {
        let (_, host) = org_of(&spec.token_url);
        let keep = host.eq_ignore_ascii_case(&instance_host);
        if !keep {
            left_out.push(OtherOrg {
                name: spec.name.clone(),
                reason: format!("its org is {host}; {INSTANCE_VARIABLE} is {instance_host}").into(),
            });
        }
        keep
    });
    if planned.is_empty() {
        return Err(Error::input(
            Problem::new(format!(
                "no document with `salesforce.app` belongs to {instance_host}, the org {INSTANCE_VARIABLE} names"
            ))
            .help("sign in to the org the documents name (their myDomain/tokenUrl), or pass the documents of this org"),
        ));
    }

    let session = Session::open(
        settings,
        Scope::AllowingUnplaced(&specs),
        Account::Caller(Access::Write),
    )
    .await?;
    let coverage = &session.coverage;

    let timeouts = settings.aws.timeouts;
    let salesforce = Connect::new(&instance, token, timeouts.connect, timeouts.call)
        .map_err(|error| salesforce_error(&instance_host, error, None))?;
    let apps = salesforce
        .apps()
        .await
        .map_err(|error| run_ending(&instance_host, error))?;

    let mut outcomes: Vec<SecretWrite> = Vec::new();
    let mut failed = 0;
    for (spec, targets) in &planned {
        let Some(app) = &spec.app else { continue };
        let regions = coverage.regions_of(spec);
        let failure = |message: String, hint: Option<String>| SecretWrite {
            name: spec.name.clone(),
            app: app.name.clone(),
            region: None,
            secret: None,
            version_id: None,
            created: false,
            error: Some(message.into()),
            hint,
        };
        if regions.is_empty() {
            failed += 1;
            outcomes.push(failure(
                format!(
                    "no AWS Region for connection `{}` ({})",
                    spec.name, spec.origin
                ),
                Some("pass --region, set AWS_REGION, or list `regions:` in the file".to_string()),
            ));
            continue;
        }
        let credentials = match salesforce.credentials(&apps, &app.name).await {
            Ok(credentials) => credentials,
            Err(error @ ConnectError::ExpiredToken { .. }) => {
                return Err(run_ending(&instance_host, error));
            }
            Err(error) => {
                let (message, hint) = error.describe();
                failed += 1;
                outcomes.push(failure(message, Some(hint)));
                continue;
            }
        };
        for region in &regions {
            for target in targets {
                let outcome = write(
                    session.secrets_managers(),
                    &session.place(region),
                    target,
                    &credentials,
                )
                .await;
                let (version_id, created, error) = match outcome {
                    Ok(written) => (Some(written.version_id), written.created, None),
                    Err(error) => {
                        failed += 1;
                        (None, false, Some(error.to_string()))
                    }
                };
                outcomes.push(SecretWrite {
                    name: spec.name.clone(),
                    app: app.name.clone(),
                    region: Some(region.clone()),
                    secret: Some(target.id.as_str().into()),
                    version_id: version_id.map(Into::into),
                    created,
                    error: error.map(Into::into),
                    hint: None,
                });
            }
        }
    }

    let report = CredentialsReport {
        results: outcomes,
        left_out,
    };
    view::stdout(&settings.view().credentials_written(&report))?;
    if failed > 0 {
        return Err(Error::ConnectionsFailed {
            failed,
            total: report.results.len(),
        });
    }
    Ok(EXIT_OK)
}
