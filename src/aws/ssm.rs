//! Reads parameters from AWS Systems Manager Parameter Store: the user's parameters behind
//! `ssm` references (a SecureString decrypted, a String as is).

use crate::secret::Secret;
use aws_config::SdkConfig;
use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_sdk_ssm::types::ParameterType;

/// A Parameter Store client and where it goes (for messages).
#[derive(Debug, Clone)]
pub(crate) struct ParameterStore {
    pub(crate) client: aws_sdk_ssm::Client,
    pub(crate) reach: super::Reach,
}

/// The client configuration as shipped: the same bounds, retries and final transport failures
/// as the other clients.
pub(crate) fn config(config: &SdkConfig) -> aws_sdk_ssm::config::Builder {
    aws_sdk_ssm::config::Builder::from(config)
        .retry_classifier(super::transport::UnreachableIsFinal)
        .retry_classifier(super::bounded::TooLargeIsFinal)
        .interceptor(super::bounded::BoundedAnswers::default())
        .retry_partition(super::unlimited_retries("provision-ssm"))
}

/// Parameter Store clients by Region, made as needed.
pub(crate) type ParameterStoreClients = super::regional::Regional<ParameterStore>;

impl ParameterStoreClients {
    /// The clients of a run, made from its configuration (`None`: none can be made).
    pub(crate) fn of(base: Option<super::regional::Configs>) -> Self {
        Self::new(base, |base| ParameterStore {
            client: aws_sdk_ssm::Client::from_conf(config(base).build()),
            reach: super::Reach::from_config(base, "ssm"),
        })
    }
}

/// Why a parameter could not be read. Never carries the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    NotFound,
    AccessDenied(String),
    /// A StringList: a list is no secret value.
    WrongType(String),
    Other(String),
}

/// The value of parameter `name` (a name or an ARN), decrypted if it is a SecureString, with
/// its `Version` (not secret).
pub(crate) async fn read_parameter(
    store: &ParameterStore,
    name: &str,
) -> Result<crate::secret::Fetched, ReadError> {
    let response = store
        .client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|error| {
            if error
                .as_service_error()
                .is_some_and(|e| e.is_parameter_not_found())
            {
                return ReadError::NotFound;
            }
            match error.code() {
                Some("AccessDeniedException" | "AccessDenied") => {
                    ReadError::AccessDenied(crate::aws::describe_sdk_error(&error, &store.reach))
                }
                _ => ReadError::Other(crate::aws::describe_sdk_error(&error, &store.reach)),
            }
        })?;
    let Some(parameter) = response.parameter() else {
        return Err(ReadError::Other(
            "the answer holds no parameter".to_string(),
        ));
    };
    match parameter.r#type() {
        Some(ParameterType::String | ParameterType::SecureString) => match parameter.value() {
            Some(value) => Ok(crate::secret::Fetched {
                value: Secret::new(value),
                version: Some(parameter.version().to_string()),
            }),
            None => Err(ReadError::Other("the parameter has no value".to_string())),
        },
        Some(other) => Err(ReadError::WrongType(other.as_str().to_string())),
        None => Err(ReadError::Other(
            "the answer names no parameter type".to_string(),
        )),
    }
}
