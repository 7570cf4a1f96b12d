//! What `salesforce-credentials` and `rotate-credentials` share: where a document's consumer
//! key and secret go (the Secrets Manager secrets its `clientId` and `clientSecret` reference,
//! checked offline by [`targets`]), the signed-in user who reads them from Salesforce
//! (`SF_ACCESS_TOKEN`, `SF_INSTANCE_URL`), and the write of a new version into each secret.
//! Both commands are above this module; neither imports the other.
//!
//! The key, the secret and the token are [`Secret`]s; a [`WriteError`] names the secret and
//! the Region, never a value.

use crate::aws::secretsmanager::{self, SecretsManagerClients};
use crate::error::{Error, Problem};
use crate::manifest::{ConnectionSpec, SecretRef, SecretSource, ValueSource};
use crate::place::Place;
use crate::salesforce::connect::{self, ConnectError, Credentials};
use crate::secret::Secret;

pub(crate) const TOKEN_VARIABLE: &str = "SF_ACCESS_TOKEN";
pub(crate) const INSTANCE_VARIABLE: &str = "SF_INSTANCE_URL";

/// Which value goes into a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Key,
    Secret,
}

/// One Secrets Manager secret to write for a document: its id, version stage, and the values
/// it receives (with the JSON key each goes under, or none for the whole value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) id: String,
    pub(crate) version_stage: Option<String>,
    pub(crate) values: Vec<(Option<String>, Part)>,
}

/// The secrets one document's credentials go into: one, when both references name the same
/// secret (with different keys), or two.
pub(crate) fn targets(spec: &ConnectionSpec) -> Result<Vec<Target>, Vec<Problem>> {
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

/// Each document with the secrets its credentials go into.
pub(crate) type Planned<'a> = Vec<(&'a ConnectionSpec, Vec<Target>)>;

/// Everything that needs no network first, every problem at once: each document's target
/// secrets, then the signed-in user's token and org (`signed_in`).
pub(crate) fn offline_first<'a>(
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
pub(crate) fn signed_in() -> Result<(Secret, url::Url), Vec<Problem>> {
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

/// Writes one target in `place` (or in the place its ARN names): a new version holding the
/// value, or, with keys, a JSON object holding them and every other key the secret had.
pub(crate) async fn write(
    clients: &SecretsManagerClients,
    place: &Place,
    target: &Target,
    credentials: &Credentials,
) -> Result<secretsmanager::Written, WriteError> {
    let place = crate::aws::arn::arn_place(&target.id, place);
    let region = place.region.as_str();
    let client = clients.get(&place).ok_or_else(|| WriteError::Other {
        id: target.id.clone(),
        region: region.to_string(),
        message: "the run has no Secrets Manager client for this Region".to_string(),
    })?;
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
                        return Err(WriteError::NotAnObject {
                            id: target.id.clone(),
                        });
                    }
                },
                Err(secretsmanager::ReadError::NotFound) => serde_json::Map::new(),
                Err(error) => return Err(WriteError::new(&target.id, region, error)),
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
    .map_err(|error| WriteError::new(&target.id, region, error))
}

/// Why a secret could not be written (its value is never part of it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WriteError {
    #[error(
        "Secrets Manager secret {id} holds a value that is not a JSON object, and the references give it a `key`; provision will not overwrite it"
    )]
    NotAnObject { id: String },
    #[error("Secrets Manager secret {id} was not found in {region}")]
    NotFound { id: String, region: String },
    #[error(
        "access to Secrets Manager secret {id} in {region} was denied ({message}); the identity needs secretsmanager:GetSecretValue, PutSecretValue and CreateSecret on it"
    )]
    AccessDenied {
        id: String,
        region: String,
        message: String,
    },
    #[error("Secrets Manager secret {id} in {region}: {message}")]
    Other {
        id: String,
        region: String,
        message: String,
    },
}

impl WriteError {
    /// What Secrets Manager answered for secret `id` in `region`.
    fn new(id: &str, region: &str, error: secretsmanager::ReadError) -> Self {
        let (id, region) = (id.to_string(), region.to_string());
        match error {
            secretsmanager::ReadError::NotFound => WriteError::NotFound { id, region },
            secretsmanager::ReadError::AccessDenied(message) => WriteError::AccessDenied {
                id,
                region,
                message,
            },
            secretsmanager::ReadError::Other(message) => WriteError::Other {
                id,
                region,
                message,
            },
        }
    }
}

/// A failure that no document can get past (the token, the app listing).
pub(crate) fn run_ending(host: &str, error: ConnectError) -> Error {
    let (_, help) = error.describe();
    salesforce_error(host, error, Some(help))
}

/// An error of the whole run, named after the org's host.
pub(crate) fn salesforce_error(
    host: &str,
    error: impl std::error::Error + Send + Sync + 'static,
    help: Option<String>,
) -> Error {
    Error::salesforce(host, error, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts users read in `salesforce-credentials`' and `rotate-credentials`' results,
    /// word for word as they were written when the errors were strings.
    #[test]
    fn a_write_error_names_the_secret_and_the_region_as_before() {
        let read = |error| WriteError::new("app/creds", "eu-west-1", error).to_string();
        assert_eq!(
            read(secretsmanager::ReadError::NotFound),
            "Secrets Manager secret app/creds was not found in eu-west-1"
        );
        assert_eq!(
            read(secretsmanager::ReadError::AccessDenied(
                "not authorized".into()
            )),
            "access to Secrets Manager secret app/creds in eu-west-1 was denied (not authorized); the identity needs secretsmanager:GetSecretValue, PutSecretValue and CreateSecret on it"
        );
        assert_eq!(
            read(secretsmanager::ReadError::Other("KMS said no".into())),
            "Secrets Manager secret app/creds in eu-west-1: KMS said no"
        );
        assert_eq!(
            WriteError::NotAnObject {
                id: "app/creds".into()
            }
            .to_string(),
            "Secrets Manager secret app/creds holds a value that is not a JSON object, and the references give it a `key`; provision will not overwrite it"
        );
    }
}
