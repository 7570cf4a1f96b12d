//! `{ secretsManager: name-or-arn }`: a Secrets Manager secret's SecretString, or with `key`
//! one field of a JSON SecretString, at `AWSCURRENT` or the given `versionStage`. A name is
//! read in the connection's Region, an ARN in the Region it names.

use super::{
    Address, Fetch, Fetched, Grant, Reading, Refused, Scope, SecretSource, Source, Unread, Written,
};
use crate::aws::actions::{kms::DECRYPT, secrets_manager::GET_SECRET_VALUE};
use crate::aws::arn::arn_place;
use crate::aws::secretsmanager::{ReadError, read_secret_version};
use crate::key::Key;
use crate::secret::Secret;
use futures::future::BoxFuture;

/// Secrets Manager's longest secret name or ARN.
const ID_MAX: usize = 2048;

pub(crate) const SOURCE: Source = Source {
    key: Key {
        name: "secretsManager",
        required: false,
        description: "Secrets Manager secret name or ARN (a name is read in the connection's Region).",
        example: "provision/acme/client-secret",
    },
    options: &[
        Key {
            name: "key",
            required: false,
            description: "Optional, with `secretsManager`: a field of a JSON SecretString.",
            example: "clientSecret",
        },
        Key {
            name: "versionStage",
            required: false,
            description: "Optional, with `secretsManager`: the version stage to read, e.g. AWSPENDING.",
            example: "AWSPENDING",
        },
    ],
    example: "{ secretsManager: name-or-arn, key: field }",
    schema: || {
        serde_json::json!({
            "type": crate::key::TEXT,
            "maxLength": ID_MAX,
            "pattern": "\\S",
        })
    },
    parse,
    describe: |source| match source {
        SecretSource::SecretsManager {
            id, key: Some(key), ..
        } => format!("Secrets Manager secret {id} (key {key})"),
        SecretSource::SecretsManager { id, key: None, .. } => {
            format!("Secrets Manager secret {id}")
        }
        _ => unreachable!("secretsManager describes Secrets Manager references"),
    },
    address: |source, place| match source {
        SecretSource::SecretsManager {
            id, version_stage, ..
        } => Address::SecretsManager {
            place: arn_place(id, place),
            id: id.clone(),
            version_stage: version_stage.clone(),
        },
        _ => unreachable!("secretsManager addresses Secrets Manager references"),
    },
    read,
    grants,
    policy_note: None,
};

fn parse(written: Written<'_>) -> Result<SecretSource, Refused> {
    if written.text.len() > ID_MAX {
        return Err(Refused {
            message: format!("the secret name or ARN is longer than {ID_MAX} characters"),
            help: "give the secret's name or ARN".to_string(),
        });
    }
    Ok(SecretSource::SecretsManager {
        key: written.option("key"),
        version_stage: written.option("versionStage"),
        id: written.text,
    })
}

fn read<'a>(
    reading: Reading<'a>,
    source: &'a SecretSource,
) -> BoxFuture<'a, Result<Fetched, Unread>> {
    let SecretSource::SecretsManager {
        id,
        key,
        version_stage,
    } = source
    else {
        unreachable!("secretsManager reads Secrets Manager references")
    };
    Box::pin(async move {
        let place = arn_place(id, reading.place);
        let region = place.region.clone();
        let fetch = Fetch {
            source: SOURCE.key.name,
            place: place.clone(),
            id: id.clone(),
            version: version_stage.clone(),
        };
        let whole = reading
            .once(fetch, async {
                let Some(client) = reading.stores.secrets_manager.get(&place) else {
                    return Err(Unread::new(
                        format!("cannot read Secrets Manager secret {id}: no Secrets Manager client for {region}"),
                        "check the secret in the Secrets Manager console",
                    ));
                };
                read_secret_version(&client, id, version_stage.as_deref())
                    .await
                    .map(|read| Fetched {
                        value: read.value,
                        version: read.version_id,
                    })
                    .map_err(|error| {
                        let elsewhere = (place.account != reading.place.account)
                            .then_some(place.account.as_str());
                        unread(id, &region, elsewhere, error)
                    })
            })
            .await?;
        match key {
            None => Ok(whole),
            Some(key) => Ok(Fetched {
                value: json_field(id, key, &whole.value)?,
                version: whole.version,
            }),
        }
    })
}

/// What a read of secret `id` in `region` that failed with `error` says, and its fix; `elsewhere`
/// is the secret's account when its ARN names another than the connection's.
fn unread(id: &str, region: &str, elsewhere: Option<&str>, error: ReadError) -> Unread {
    // Secrets Manager User Guide, "Access AWS Secrets Manager secrets from a different
    // account": the secret's resource policy and the reader's identity policy must both allow
    // it, and the secret must be encrypted with a customer managed KMS key whose key policy
    // lets the reader decrypt (the AWS managed key aws/secretsmanager cannot be shared).
    if let (Some(account), ReadError::NotFound | ReadError::AccessDenied(_)) = (elsewhere, &error) {
        let why = match &error {
            ReadError::AccessDenied(message) => format!("access denied: {message}"),
            _ => "AWS answers that it does not exist for this reader".to_string(),
        };
        return Unread::new(
            format!(
                "cannot read Secrets Manager secret {id} of account {account} from the connection's account: {why}"
            ),
            format!(
                "reading a secret of another account needs the secret's resource policy to allow the role that reads it ({GET_SECRET_VALUE}), that role's own policy to allow it, and the secret to be encrypted with a customer managed KMS key whose key policy allows the role {DECRYPT} (the AWS managed key aws/secretsmanager cannot be used across accounts); or keep a copy of the secret in the connection's account"
            ),
        );
    }
    match error {
        ReadError::NotFound => Unread::new(
            format!("Secrets Manager secret {id} was not found in {region}"),
            "create the secret, or fix the name or ARN (the account and Region are those of the run)",
        ),
        ReadError::AccessDenied(message) => Unread::new(
            format!("access denied reading Secrets Manager secret {id}: {message}"),
            format!(
                "allow {GET_SECRET_VALUE} on this secret (and {DECRYPT} on its key) for the identity running provision"
            ),
        ),
        ReadError::Other(message) => Unread::new(
            format!("cannot read Secrets Manager secret {id}: {message}"),
            "check the secret in the Secrets Manager console",
        ),
    }
}

/// One field of a JSON secret. Messages name the keys that exist, never any value.
fn json_field(id: &str, key: &str, whole: &Secret) -> Result<Secret, Unread> {
    let Ok(serde_json::Value::Object(fields)) =
        serde_json::from_str::<serde_json::Value>(whole.expose())
    else {
        return Err(Unread::new(
            format!("Secrets Manager secret {id} is not a JSON object, so it has no key `{key}`"),
            "remove `key` to use the whole secret string, or store the secret as JSON key/value pairs",
        ));
    };
    match fields.get(key) {
        Some(serde_json::Value::String(text)) => Ok(Secret::new(text.clone())),
        Some(serde_json::Value::Number(number)) => Ok(Secret::new(number.to_string())),
        Some(_) => Err(Unread::new(
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
            Err(Unread::new(
                format!("Secrets Manager secret {id} has no key `{key}` (its keys: {available})"),
                "fix `key`, or add the key to the secret",
            ))
        }
    }
}

/// `secretsmanager:GetSecretValue` on the secret: a name gets the `-??????` that Secrets
/// Manager appends to every secret's ARN; an ARN stays as written.
fn grants(source: &SecretSource, scope: &Scope<'_>) -> Vec<Grant> {
    let SecretSource::SecretsManager { id, .. } = source else {
        return Vec::new();
    };
    let resource = if id.starts_with("arn:") {
        id.clone()
    } else {
        format!(
            "arn:{}:secretsmanager:{}:{}:secret:{id}-??????",
            scope.partition, scope.region, scope.account
        )
    };
    vec![Grant {
        sid: "ReadReferencedSecrets",
        actions: &[GET_SECRET_VALUE],
        resource,
    }]
}
