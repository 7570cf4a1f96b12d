//! Reads secrets from AWS Secrets Manager: the user's secrets behind `secretsManager`
//! references, and the EventBridge-managed secret behind a connection's `SecretArn`.

use crate::secret::Secret;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};

/// A Secrets Manager client and where it goes (for messages).
#[derive(Debug, Clone)]
pub(crate) struct SecretsManager {
    pub(crate) client: Client,
    pub(crate) reach: super::Reach,
}

/// Secrets Manager clients by Region, made as needed.
pub(crate) type SecretsManagerClients = super::regional::Regional<SecretsManager>;

impl SecretsManagerClients {
    /// The clients of a run, made from its configuration.
    pub(crate) fn of(base: impl Into<super::regional::Configs>) -> Self {
        Self::new(Some(base), super::secrets_manager_client)
    }

    /// Only the given client, for its place (tests).
    #[cfg(test)]
    pub(crate) fn only(place: crate::place::Place, client: SecretsManager) -> Self {
        Self::single(place, client, super::secrets_manager_client)
    }
}

/// Why a secret could not be read. Never carries the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    NotFound,
    AccessDenied(String),
    /// Stored as binary, marked for deletion, KMS failure, or any other AWS answer.
    Other(String),
}

/// A secret's string value at `AWSCURRENT` or the given version stage.
pub(crate) async fn read_secret_string(
    secrets_manager: &SecretsManager,
    id: &str,
    version_stage: Option<&str>,
) -> Result<Secret, ReadError> {
    read_secret_version(secrets_manager, id, version_stage)
        .await
        .map(|read| read.value)
}

/// A secret's value and the version it was read at.
#[derive(Debug, Clone)]
pub(crate) struct VersionedSecret {
    pub(crate) value: Secret,
    /// `VersionId` (not secret): a saved plan records it to tell that the secret changed.
    pub(crate) version_id: Option<String>,
}

/// A secret's string value at `AWSCURRENT` or the given version stage, with its `VersionId`.
pub(crate) async fn read_secret_version(
    secrets_manager: &SecretsManager,
    id: &str,
    version_stage: Option<&str>,
) -> Result<VersionedSecret, ReadError> {
    let response = secrets_manager
        .client
        .get_secret_value()
        .secret_id(id)
        .set_version_stage(version_stage.map(str::to_string))
        .send()
        .await
        .map_err(|error| {
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception())
            {
                ReadError::NotFound
            } else {
                classify(error, &secrets_manager.reach)
            }
        })?;
    let version_id = response.version_id().map(str::to_string);
    match response.secret_string() {
        Some(text) => Ok(VersionedSecret {
            value: Secret::new(text),
            version_id,
        }),
        None if response.secret_binary().is_some() => Err(ReadError::Other(
            "the secret is stored as binary; provision reads SecretString values".to_string(),
        )),
        None => Err(ReadError::Other("the secret has no value".to_string())),
    }
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    error: SdkError<E>,
    reach: &super::Reach,
) -> ReadError {
    let code = error.code().unwrap_or_default().to_string();
    let message = error
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| crate::aws::describe_sdk_error(&error, reach));
    match code.as_str() {
        "ResourceNotFoundException" => ReadError::NotFound,
        "AccessDeniedException" | "AccessDenied" => ReadError::AccessDenied(message),
        "" => ReadError::Other(message),
        _ => ReadError::Other(format!("{code}: {message}")),
    }
}

/// What a write made: the new version, and whether the secret had to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub(crate) version_id: String,
    pub(crate) created: bool,
}

/// Writes `value` as a new version of the secret `id` (`PutSecretValue`, labelled with
/// `version_stage` when one is given), creating the secret (`CreateSecret`) when it does not
/// exist. Errors never carry the value.
pub(crate) async fn write_secret_string(
    secrets_manager: &SecretsManager,
    id: &str,
    value: &Secret,
    version_stage: Option<&str>,
) -> Result<Written, ReadError> {
    let put = secrets_manager
        .client
        .put_secret_value()
        .secret_id(id)
        .secret_string(value.expose())
        .set_version_stages(version_stage.map(|stage| vec![stage.to_string()]))
        .send()
        .await;
    match put {
        Ok(output) => Ok(Written {
            version_id: output.version_id().unwrap_or_default().to_string(),
            created: false,
        }),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            let output = secrets_manager
                .client
                .create_secret()
                .name(id)
                .secret_string(value.expose())
                .send()
                .await
                .map_err(|error| classify(error, &secrets_manager.reach))?;
            Ok(Written {
                version_id: output.version_id().unwrap_or_default().to_string(),
                created: true,
            })
        }
        Err(error) => Err(classify(error, &secrets_manager.reach)),
    }
}
