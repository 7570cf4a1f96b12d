//! The caller's identity: the account a run works in, which the session asks once before any
//! other call (and `iam-policy` names when `--account` is not given).

use super::{CallError, Reach};
use aws_config::SdkConfig;

/// Who the credentials of a configuration are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The 12-digit account.
    pub(crate) account: String,
    /// The caller's ARN (a user, a role's session), as a trust policy names its principal.
    pub(crate) arn: Option<String>,
}

/// The 12-digit account and the ARN of the credentials `config` resolves to
/// (`sts:GetCallerIdentity`, which needs no permission).
pub(crate) async fn caller_identity(config: &SdkConfig) -> Result<Identity, CallError> {
    let client = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .retry_classifier(super::transport::UnreachableIsFinal)
            .retry_classifier(super::bounded::TooLargeIsFinal)
            .interceptor(super::bounded::BoundedAnswers::default())
            .build(),
    );
    let identity = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| CallError::from_sdk(error, &Reach::from_config(config, "sts")))?;
    match identity.account() {
        Some(account) if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Identity {
                account: account.to_string(),
                arn: identity.arn().map(str::to_string),
            })
        }
        Some(other) => Err(CallError::local(format!(
            "the caller's identity names the account `{}`, which is not 12 digits",
            other.escape_debug()
        ))),
        None => Err(CallError::local("the caller's identity names no account")),
    }
}
