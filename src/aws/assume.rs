//! Assuming a target's role: from the run's own SDK configuration, one whose credentials are
//! the SDK's assume-role provider (which asks STS again before the session ends), checked
//! before any other call goes through it.
//!
//! A refused `AssumeRole` met inside a service call is that call's `DispatchFailure`, with the
//! STS error deep in its source chain; so the credentials are asked for first
//! (`provide_credentials`), which gives STS's answer directly, and then `GetCallerIdentity`
//! tells the account they belong to, compared with the target's before anything else is sent.

use super::sts::{Identity, caller_identity};
use super::{CallError, Reach};
use crate::secret::Secret;
use aws_config::SdkConfig;
use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_sdk_sts::config::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::result::SdkError;

/// What a command does in a target's account, which decides the role it assumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reads only: `diff`, `verify`, `export`.
    Read,
    /// Writes: `apply`, `rotate-credentials`, `salesforce-credentials`.
    Write,
}

/// The role a command with `access` assumes: the target's `readRole` for reading when it names
/// one, else its `role`.
pub(crate) fn chosen_role<'a>(
    role: &'a str,
    read_role: Option<&'a str>,
    access: Access,
) -> &'a str {
    match (access, read_role) {
        (Access::Read, Some(read_role)) => read_role,
        _ => role,
    }
}

/// STS's bounds on `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
const SESSION_NAME_MAX: usize = 64;

/// The session name of a run: `provision-<set>-<run id>`, which the role's account sees in its
/// logs (`assumed-role/<role>/<session name>`). A character of the set STS does not take becomes
/// `-`, and the set is cut (never the run id) so the whole stays within 64 characters.
pub(crate) fn session_name(set: &str, run_id: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| if allowed(c) { c } else { '-' })
            .collect()
    };
    let run_id = clean(run_id);
    let room = SESSION_NAME_MAX.saturating_sub("provision-".len() + 1 + run_id.len());
    let set: String = clean(set).chars().take(room).collect();
    let name = format!("provision-{set}-{run_id}");
    name.chars().take(SESSION_NAME_MAX).collect()
}

/// The role to assume for one target.
pub(crate) struct RoleToAssume<'a> {
    /// The role's ARN.
    pub(crate) role: &'a str,
    /// The account the target names: the assumed credentials must be of it.
    pub(crate) account: &'a str,
    /// The session name ([`session_name`]).
    pub(crate) session_name: &'a str,
    /// The role trust policy's `sts:ExternalId`, when the target has one.
    pub(crate) external_id: Option<&'a Secret>,
}

/// Why a role could not be used.
#[derive(Debug)]
pub(crate) enum AssumeFailure {
    /// STS refused `AssumeRole` (`code` is AWS's: `AccessDenied` whether the trust policy, the
    /// caller's own policy or a missing role is why; AWS does not say which).
    Refused(CallError),
    /// The assumed credentials could not be checked (`GetCallerIdentity` failed).
    Unchecked(CallError),
    /// The assumed credentials belong to another account than the target's.
    OtherAccount(Identity),
}

/// The run's configuration with the credentials of `role`, assumed from `base`'s; checked:
/// the role was granted and its account is the target's. One identity cache serves every
/// client made from the result, so the role is assumed again only when the session is about to
/// end (the cache reloads 5 to 10 seconds before the credentials' expiration).
pub(crate) async fn assume(
    base: &SdkConfig,
    role: &RoleToAssume<'_>,
) -> Result<SdkConfig, AssumeFailure> {
    let mut builder = AssumeRoleProvider::builder(role.role)
        .session_name(role.session_name)
        .configure(base);
    if let Some(external_id) = role.external_id {
        builder = builder.external_id(external_id.expose());
    }
    let provider = builder.build().await;
    provider
        .provide_credentials()
        .await
        .map_err(|error| AssumeFailure::Refused(refusal(&error, base)))?;
    let assumed = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .identity_cache(IdentityCache::lazy().build())
        .build();
    let identity = caller_identity(&assumed)
        .await
        .map_err(AssumeFailure::Unchecked)?;
    if identity.account != role.account {
        return Err(AssumeFailure::OtherAccount(identity));
    }
    Ok(assumed)
}

/// STS's answer to a refused `AssumeRole`, from the provider's error: AWS's code and message
/// when it answered, else what kept it from answering.
fn refusal(error: &(dyn std::error::Error + 'static), base: &SdkConfig) -> CallError {
    let reach = Reach::from_config(base, "sts");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(sdk) = cause
            .downcast_ref::<SdkError<AssumeRoleError, aws_smithy_runtime_api::http::Response>>()
        {
            use aws_smithy_types::error::metadata::ProvideErrorMetadata;
            return CallError {
                code: sdk.code().map(str::to_string),
                message: super::describe_sdk_error(sdk, &reach),
                source: None,
            };
        }
        source = cause.source();
    }
    CallError::local(format!(
        "the credentials could not be obtained: {}",
        super::chain(error)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_commands_take_the_read_role_when_there_is_one() {
        let role = "arn:aws:iam::111111111111:role/provision";
        let read = "arn:aws:iam::111111111111:role/provision-read";
        assert_eq!(chosen_role(role, Some(read), Access::Read), read);
        assert_eq!(chosen_role(role, Some(read), Access::Write), role);
        assert_eq!(chosen_role(role, None, Access::Read), role);
        assert_eq!(chosen_role(role, None, Access::Write), role);
    }

    #[test]
    fn session_names_stay_within_what_sts_takes() {
        assert_eq!(
            session_name("payments", "1765083931-4821"),
            "provision-payments-1765083931-4821"
        );
        // A set name STS would refuse: spaces and slashes become `-`.
        assert_eq!(
            session_name("team a/payments", "7-1"),
            "provision-team-a-payments-7-1"
        );
        // A long set is cut, the run id kept whole.
        let long = session_name(&"s".repeat(200), "1765083931-4821");
        assert_eq!(long.len(), 64);
        assert!(long.ends_with("-1765083931-4821"), "{long}");
        assert!(long.starts_with("provision-sss"), "{long}");
        for name in [long, session_name("é€", "1")] {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)),
                "{name}"
            );
            assert!((2..=64).contains(&name.len()), "{name}");
        }
    }
}
