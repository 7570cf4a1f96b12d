//! `provision salesforce-credentials [PATH...]`: for each document with `salesforce.app`, read
//! the app's consumer key and secret from Salesforce (Connect REST API, with `SF_ACCESS_TOKEN`
//! and `SF_INSTANCE_URL`, as `sf org display --json` gives them) and write them, as a new
//! version, into the Secrets Manager secret(s) that `clientId` and `clientSecret` reference.
//!
//! Classify first, then do I/O: [`targets`] checks every document offline and decides what
//! goes where; the Salesforce reads and the Secrets Manager writes follow. Only names, Regions
//! and version ids are printed; the key, the secret and the token are [`Secret`]s, redacted
//! from every output.

use super::EXIT_OK;
use crate::aws::{self, secretsmanager};
use crate::config::Settings;
use crate::coverage::{Coverage, Sources};
use crate::error::{Error, Problem};
use crate::manifest::{self, ConnectionSpec, SecretRef, SecretSource, ValueSource};
use crate::plan::credentials_report::{CredentialsReport, OtherOrg, SecretWrite};
use crate::salesforce::connect::{self, Connect, ConnectError, Credentials};
use crate::salesforce::metadata::org_of;
use crate::secret::Secret;
use crate::view;

pub(super) const TOKEN_VARIABLE: &str = "SF_ACCESS_TOKEN";
pub(super) const INSTANCE_VARIABLE: &str = "SF_INSTANCE_URL";

/// Which value goes into a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Key,
    Secret,
}

/// One Secrets Manager secret to write for a document: its id, version stage, and the values
/// it receives (with the JSON key each goes under, or none for the whole value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub(super) id: String,
    pub(super) version_stage: Option<String>,
    pub(super) values: Vec<(Option<String>, Part)>,
}

/// The secrets one document's credentials go into: one, when both references name the same
/// secret (with different keys), or two.
pub(super) fn targets(spec: &ConnectionSpec) -> Result<Vec<Target>, Vec<Problem>> {
    let mut problems = Vec::new();
    let client_id = match &spec.client_id {
        ValueSource::Reference(reference) => {
            secrets_manager_ref(reference, "clientId", &mut problems)
        }
        ValueSource::Literal(_) => {
            problems.push(
                Problem::new("`clientId` is written in the YAML, so the consumer key has nowhere to go")
                    .at(spec.origin.clone())
                    .field("clientId")
                    .help("reference a Secrets Manager secret instead: `clientId: { secretsManager: <name>, key: client_id }`"),
            );
            None
        }
    };
    let client_secret = secrets_manager_ref(&spec.client_secret, "clientSecret", &mut problems);
    let (Some(id_ref), Some(secret_ref)) = (client_id, client_secret) else {
        return Err(problems);
    };
    let same_secret = id_ref.0 == secret_ref.0 && id_ref.2 == secret_ref.2;
    if !same_secret {
        return Ok(vec![
            Target {
                id: id_ref.0,
                version_stage: id_ref.2,
                values: vec![(id_ref.1, Part::Key)],
            },
            Target {
                id: secret_ref.0,
                version_stage: secret_ref.2,
                values: vec![(secret_ref.1, Part::Secret)],
            },
        ]);
    }
    match (&id_ref.1, &secret_ref.1) {
        (Some(id_key), Some(secret_key)) if id_key != secret_key => Ok(vec![Target {
            id: id_ref.0,
            version_stage: id_ref.2,
            values: vec![(Some(id_key.clone()), Part::Key), (Some(secret_key.clone()), Part::Secret)],
        }]),
        _ => Err(vec![
            Problem::new(format!(
                "`clientId` and `clientSecret` both name Secrets Manager secret {} without two different `key`s, so one value would overwrite the other",
                id_ref.0
            ))
            .at(spec.client_secret.origin.location.clone())
            .field("clientSecret")
            .help("give each a `key` (e.g. `key: client_id` and `key: client_secret`), or use two secrets"),
        ]),
    }
}

/// (id, key, version stage) of a `secretsManager` reference; a problem naming `field` for any
/// other kind.
fn secrets_manager_ref(
    reference: &SecretRef,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<(String, Option<String>, Option<String>)> {
    match &reference.source {
        SecretSource::SecretsManager {
            id,
            key,
            version_stage,
        } => Some((id.clone(), key.clone(), version_stage.clone())),
        other => {
            problems.push(
                Problem::new(format!(
                    "`{field}` reads the {}, which salesforce-credentials cannot write",
                    other.describe()
                ))
                .at(reference.origin.location.clone())
                .field(field)
                .help(format!(
                    "reference a Secrets Manager secret instead: `{field}: {{ secretsManager: <name>, key: {} }}`",
                    if field == "clientId" { "client_id" } else { "client_secret" }
                )),
            );
            None
        }
    }
}

fn environment(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

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

    let config = aws::sdk_config(&settings.aws).await?;
    let coverage = Coverage::allowing_unplaced(&specs, &Sources::of(settings, &config));
    super::context::check_account(settings, &config, coverage.default_region.as_deref()).await?;

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
                let outcome = write(&config, region, target, &credentials).await;
                let (version_id, created, error) = match outcome {
                    Ok(written) => (Some(written.version_id), written.created, None),
                    Err(message) => {
                        failed += 1;
                        (None, false, Some(message))
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

/// Each document with the secrets its credentials go into.
pub(super) type Planned<'a> = Vec<(&'a ConnectionSpec, Vec<Target>)>;

/// Everything that needs no network first, every problem at once: each document's target
/// secrets, then the signed-in user's token and org (`signed_in`).
pub(super) fn offline_first<'a>(
    specs: impl IntoIterator<Item = &'a ConnectionSpec>,
) -> Result<(Planned<'a>, Secret, url::Url), Error> {
    let mut problems = Vec::new();
    let mut planned = Vec::new();
    for spec in specs {
        match targets(spec) {
            Ok(targets) => planned.push((spec, targets)),
            Err(found) => problems.extend(found),
        }
    }
    match signed_in() {
        Ok((token, instance)) if problems.is_empty() => Ok((planned, token, instance)),
        Ok(_) => Err(Error::Input(problems)),
        Err(found) => {
            problems.extend(found);
            Err(Error::Input(problems))
        }
    }
}

/// The signed-in user's access token and the org's URL (`SF_ACCESS_TOKEN`, `SF_INSTANCE_URL`),
/// or what is wrong with them.
pub(super) fn signed_in() -> Result<(Secret, url::Url), Vec<Problem>> {
    let mut problems = Vec::new();
    let token = environment(TOKEN_VARIABLE).map(Secret::new);
    let instance = environment(INSTANCE_VARIABLE);
    if token.is_none() {
        problems.push(Problem::new(format!("{TOKEN_VARIABLE} is not set")).help(format!(
            "set it to the access token of a user of the org: `sf org display --target-org <org> --json` gives it as result.accessToken (and {INSTANCE_VARIABLE} as result.instanceUrl)"
        )));
    }
    let instance = match instance.as_deref().map(connect::check_instance_url) {
        Some(Ok(url)) => Some(url),
        Some(Err(why)) => {
            problems.push(
                Problem::new(format!("{INSTANCE_VARIABLE} cannot be used: {why}"))
                    .help("give the org's My Domain URL, e.g. https://acme.my.salesforce.com (result.instanceUrl of `sf org display --json`)"),
            );
            None
        }
        None => {
            problems.push(Problem::new(format!("{INSTANCE_VARIABLE} is not set")).help(
                "set it to the org's My Domain URL: `sf org display --target-org <org> --json` gives it as result.instanceUrl",
            ));
            None
        }
    };
    match (token, instance) {
        (Some(token), Some(instance)) if problems.is_empty() => Ok((token, instance)),
        _ => Err(problems),
    }
}

/// Writes one target in `region` (or in the Region its ARN names): a new version holding the
/// value, or, with keys, a JSON object holding them and every other key the secret had.
pub(super) async fn write(
    config: &aws_config::SdkConfig,
    region: &str,
    target: &Target,
    credentials: &Credentials,
) -> Result<secretsmanager::Written, String> {
    let region = crate::aws::arn::arn_region(&target.id).unwrap_or(region);
    let client = aws::secrets_manager_client(&aws::for_region(config, region));
    let value_of = |part: Part| match part {
        Part::Key => &credentials.key,
        Part::Secret => &credentials.secret,
    };
    let value = match target.values.as_slice() {
        [(None, part)] => value_of(*part).clone(),
        keyed => {
            let existing = secretsmanager::read_secret_string(
                &client,
                &target.id,
                target.version_stage.as_deref(),
            )
            .await;
            let mut object = match existing {
                Ok(text) => match serde_json::from_str::<serde_json::Value>(text.expose()) {
                    Ok(serde_json::Value::Object(object)) => object,
                    _ => {
                        return Err(format!(
                            "Secrets Manager secret {} holds a value that is not a JSON object, and the references give it a `key`; provision will not overwrite it",
                            target.id
                        ));
                    }
                },
                Err(secretsmanager::ReadError::NotFound) => serde_json::Map::new(),
                Err(error) => return Err(describe_read_error(&target.id, region, &error)),
            };
            for (key, part) in keyed {
                let key = key.clone().unwrap_or_default();
                object.insert(
                    key,
                    serde_json::Value::String(value_of(*part).expose().to_string()),
                );
            }
            Secret::new(serde_json::Value::Object(object).to_string())
        }
    };
    secretsmanager::write_secret_string(
        &client,
        &target.id,
        &value,
        target.version_stage.as_deref(),
    )
    .await
    .map_err(|error| describe_read_error(&target.id, region, &error))
}

fn describe_read_error(id: &str, region: &str, error: &secretsmanager::ReadError) -> String {
    match error {
        secretsmanager::ReadError::NotFound => {
            format!("Secrets Manager secret {id} was not found in {region}")
        }
        secretsmanager::ReadError::AccessDenied(message) => format!(
            "access to Secrets Manager secret {id} in {region} was denied ({message}); the identity needs secretsmanager:GetSecretValue, PutSecretValue and CreateSecret on it"
        ),
        secretsmanager::ReadError::Other(message) => {
            format!("Secrets Manager secret {id} in {region}: {message}")
        }
    }
}

/// A failure that no document can get past (the token, the app listing).
pub(super) fn run_ending(host: &str, error: ConnectError) -> Error {
    let (_, help) = error.describe();
    salesforce_error(host, error, Some(help))
}

/// An error of the whole run, named after the org's host.
pub(super) fn salesforce_error(
    host: &str,
    error: impl std::error::Error + Send + Sync + 'static,
    help: Option<String>,
) -> Error {
    Error::salesforce(host, error, help)
}
