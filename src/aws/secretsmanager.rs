//! Reads secrets from AWS Secrets Manager: the user's secrets behind `secretsManager`
//! references, and the EventBridge-managed secret behind a connection's `SecretArn`.

use crate::secret::Secret;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};

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
    client: &Client,
    id: &str,
    version_stage: Option<&str>,
) -> Result<Secret, ReadError> {
    let response = client
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
                classify(error)
            }
        })?;
    match response.secret_string() {
        Some(text) => Ok(Secret::new(text)),
        None if response.secret_binary().is_some() => Err(ReadError::Other(
            "the secret is stored as binary; provision reads SecretString values".to_string(),
        )),
        None => Err(ReadError::Other("the secret has no value".to_string())),
    }
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    error: SdkError<E>,
) -> ReadError {
    let code = error.code().unwrap_or_default().to_string();
    let message = error
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| crate::aws::describe_sdk_error(&error));
    match code.as_str() {
        "ResourceNotFoundException" => ReadError::NotFound,
        "AccessDeniedException" | "AccessDenied" => ReadError::AccessDenied(message),
        "" => ReadError::Other(message),
        _ => ReadError::Other(format!("{code}: {message}")),
    }
}
