//! Resolves secret references (`env`, `file`, `secretsManager`) into a [`DesiredConnection`].
//!
//! Runs only in `diff` and `apply`, never in `validate`. A Secrets Manager secret used by many
//! connections is read once. Errors name the YAML file, line and field, and what to do, and
//! never the value.

use crate::aws::secretsmanager::{ReadError, read_secret_string};
use crate::desired::{
    DesiredConnection, DesiredParameter, DesiredParameters, GRANT_TYPE, ParameterValue,
};
use crate::error::Problem;
use crate::secret::Secret;
use crate::spec::limits::{self, Violation};
use crate::spec::{ConnectionSpec, HttpParameters, SecretRef, SecretSource, ValueSource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type CacheKey = (String, Option<String>);
type CachedRead = Arc<OnceCell<Result<Secret, ReadError>>>;

/// Reads secret references, caching Secrets Manager reads for the run.
pub struct SecretResolver {
    secrets_manager: aws_sdk_secretsmanager::Client,
    region: String,
    cache: Mutex<HashMap<CacheKey, CachedRead>>,
}

impl SecretResolver {
    pub fn new(secrets_manager: aws_sdk_secretsmanager::Client, region: String) -> Self {
        SecretResolver {
            secrets_manager,
            region,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The desired state of a connection, or every problem resolving it.
    pub async fn desired(&self, spec: &ConnectionSpec) -> Result<DesiredConnection, Vec<Problem>> {
        let mut problems = Vec::new();
        let client_id = match &spec.client_id {
            ValueSource::Literal(text) => Some(text.clone()),
            ValueSource::Reference(reference) => {
                match self
                    .resolve(reference)
                    .await
                    .and_then(|s| checked(reference, "client id", s))
                {
                    Ok(secret) => Some(secret.expose().to_string()),
                    Err(problem) => {
                        problems.push(problem);
                        None
                    }
                }
            }
        };
        let client_secret = match self.resolve(&spec.client_secret).await {
            Ok(secret) => match checked(&spec.client_secret, "client secret", secret) {
                Ok(secret) => Some(secret),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            },
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let mut oauth = self.parameters(&spec.oauth, &mut problems).await;
        oauth.body.insert(
            0,
            DesiredParameter {
                key: GRANT_TYPE.0.to_string(),
                value: ParameterValue::Plain(GRANT_TYPE.1.to_string()),
            },
        );
        let invocation = self.parameters(&spec.invocation, &mut problems).await;
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) if problems.is_empty() => {
                Ok(DesiredConnection {
                    name: spec.name.clone(),
                    description: spec.description_with_marker(),
                    authorization_endpoint: spec.token_url.clone(),
                    client_id,
                    client_secret,
                    oauth,
                    invocation,
                    kms_key: spec.kms_key.clone(),
                    resource_configuration_arn: spec.private_link.clone(),
                    origin: spec.origin.clone(),
                })
            }
            _ => Err(problems),
        }
    }

    async fn parameters(
        &self,
        declared: &HttpParameters,
        problems: &mut Vec<Problem>,
    ) -> DesiredParameters {
        let mut resolved = DesiredParameters::default();
        for (list, target, check) in [
            (
                &declared.headers,
                &mut resolved.headers,
                limits::check_header_value as fn(&str) -> Result<(), Violation>,
            ),
            (&declared.query, &mut resolved.query, |v: &str| {
                limits::check_query_part("query parameter value", v)
            }),
            (&declared.body, &mut resolved.body, |_: &str| Ok(())),
        ] {
            for parameter in list {
                let value = match &parameter.value {
                    ValueSource::Literal(text) => ParameterValue::Plain(text.clone()),
                    ValueSource::Reference(reference) => match self.resolve(reference).await {
                        Ok(secret) => match check(secret.expose()) {
                            Ok(()) => ParameterValue::Secret(secret),
                            Err(_) => {
                                // The violation text may quote a character of the value: say less.
                                problems.push(problem(
                                    reference,
                                    format!("the value from {} cannot be sent here: it must be at most 512 characters of printable text", reference.source.describe()),
                                    "check the stored value (a trailing newline is a common cause)",
                                ));
                                continue;
                            }
                        },
                        Err(problem) => {
                            problems.push(problem);
                            continue;
                        }
                    },
                };
                target.push(DesiredParameter {
                    key: parameter.key.clone(),
                    value,
                });
            }
        }
        resolved
    }

    /// The value behind one reference.
    pub async fn resolve(&self, reference: &SecretRef) -> Result<Secret, Problem> {
        let secret = match &reference.source {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) => Secret::new(value),
                Err(std::env::VarError::NotPresent) => {
                    return Err(problem(
                        reference,
                        format!("environment variable {name} is not set"),
                        format!(
                            "export {name} before running provision (in CI, map it from the CI secret store)"
                        ),
                    ));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(problem(
                        reference,
                        format!("environment variable {name} is not valid UTF-8"),
                        "set it to text",
                    ));
                }
            },
            SecretSource::File { written, path } => match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Secret::new(text.trim_end_matches(['\n', '\r'])),
                    Err(_) => {
                        return Err(problem(
                            reference,
                            format!("file {written} is not UTF-8 text"),
                            "store the secret as text",
                        ));
                    }
                },
                Err(error) => {
                    let (what, help) = match error.kind() {
                        std::io::ErrorKind::NotFound => (
                            format!("file {written} does not exist (looked for {})", path.display()),
                            "create it, or fix the path (it is relative to this YAML file's folder)".to_string(),
                        ),
                        std::io::ErrorKind::PermissionDenied => (
                            format!("file {written} is not readable (permission denied)"),
                            "make it readable by the user running provision".to_string(),
                        ),
                        _ => (format!("file {written} cannot be read: {error}"), "check the path".to_string()),
                    };
                    return Err(problem(reference, what, help));
                }
            },
            SecretSource::SecretsManager {
                id,
                key,
                version_stage,
            } => {
                let whole = self.read_secrets_manager(id, version_stage.as_deref()).await.map_err(|error| {
                    let region = &self.region;
                    match error {
                        ReadError::NotFound => problem(
                            reference,
                            format!("Secrets Manager secret {id} was not found in {region}"),
                            "create the secret, or fix the name or ARN (the account and Region are those of the run)",
                        ),
                        ReadError::AccessDenied(message) => problem(
                            reference,
                            format!("access denied reading Secrets Manager secret {id}: {message}"),
                            "allow secretsmanager:GetSecretValue on this secret (and kms:Decrypt on its key) for the identity running provision",
                        ),
                        ReadError::Other(message) => problem(
                            reference,
                            format!("cannot read Secrets Manager secret {id}: {message}"),
                            "check the secret in the Secrets Manager console",
                        ),
                    }
                })?;
                match key {
                    None => whole,
                    Some(key) => json_field(reference, id, key, &whole)?,
                }
            }
        };
        if secret.is_empty() {
            return Err(problem(
                reference,
                format!("the secret from {} is empty", reference.source.describe()),
                "store the value in it",
            ));
        }
        Ok(secret)
    }

    async fn read_secrets_manager(
        &self,
        id: &str,
        version_stage: Option<&str>,
    ) -> Result<Secret, ReadError> {
        let cell = {
            let mut cache = self.cache.lock().expect("secret cache lock");
            cache
                .entry((id.to_string(), version_stage.map(str::to_string)))
                .or_default()
                .clone()
        };
        cell.get_or_init(|| read_secret_string(&self.secrets_manager, id, version_stage))
            .await
            .clone()
    }
}

/// One field of a JSON secret. Messages name the keys that exist, never any value.
fn json_field(
    reference: &SecretRef,
    id: &str,
    key: &str,
    whole: &Secret,
) -> Result<Secret, Problem> {
    let Ok(serde_json::Value::Object(fields)) =
        serde_json::from_str::<serde_json::Value>(whole.expose())
    else {
        return Err(problem(
            reference,
            format!("Secrets Manager secret {id} is not a JSON object, so it has no key `{key}`"),
            "remove `key` to use the whole secret string, or store the secret as JSON key/value pairs",
        ));
    };
    match fields.get(key) {
        Some(serde_json::Value::String(text)) => Ok(Secret::new(text.clone())),
        Some(serde_json::Value::Number(number)) => Ok(Secret::new(number.to_string())),
        Some(_) => Err(problem(
            reference,
            format!("key `{key}` of Secrets Manager secret {id} is not a string"),
            "store the value as a JSON string",
        )),
        None => {
            let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
            keys.sort_unstable();
            let available = if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            };
            Err(problem(
                reference,
                format!("Secrets Manager secret {id} has no key `{key}` (its keys: {available})"),
                "fix `key`, or add the key to the secret",
            ))
        }
    }
}

fn checked(reference: &SecretRef, what: &str, secret: Secret) -> Result<Secret, Problem> {
    match limits::check_client_credential(what, secret.expose()) {
        Ok(()) => Ok(secret),
        Err(violation) => Err(problem(
            reference,
            format!(
                "the {what} from {} is not valid: {}",
                reference.source.describe(),
                violation.message
            ),
            violation.help,
        )),
    }
}

fn problem(reference: &SecretRef, message: impl Into<String>, help: impl Into<String>) -> Problem {
    Problem::new(message)
        .at(reference.origin.location.clone())
        .field(reference.origin.field.clone())
        .help(help)
}
