//! One run, many accounts: which credentials a run uses in a target's account (its own when
//! they already are of that account, else the target's role, assumed), and what a user reads
//! when the role cannot be used (the role named, the target, and the trust policy to give it).
//!
//! The decision is pure ([`credentials_for`]); [`open`] performs it through
//! [`crate::aws::assume`].

use crate::aws::assume::{Access, AssumeFailure, RoleToAssume, assume, chosen_role};
use crate::aws::sts::Identity;
use crate::error::Error;
use crate::outside::Outside;
use crate::secret::Secret;
use aws_config::SdkConfig;

/// What a run needs of a target to work in its account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TargetAccess<'a> {
    /// The target's name in the project file.
    pub(crate) name: &'a str,
    /// The 12-digit account the target names.
    pub(crate) account: &'a str,
    /// Its `role`, assumed for every command.
    pub(crate) role: Option<&'a str>,
    /// Its `readRole`, for the commands that only read.
    pub(crate) read_role: Option<&'a str>,
    /// Its `externalId`, read from its reference.
    pub(crate) external_id: Option<&'a Secret>,
}

/// The credentials a run uses in a target's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// The run's own: they are of the target's account already (a CI leg that assumed it).
    Own,
    /// The role to assume.
    Assume(&'a str),
}

/// The credentials a command with `access` uses in `target`'s account, the run's own being of
/// `caller_account`; `None` when the target names no role and the run's credentials are of
/// another account.
pub(crate) fn credentials_for<'a>(
    target: &TargetAccess<'a>,
    caller_account: &str,
    access: Access,
) -> Option<Credentials<'a>> {
    if caller_account == target.account {
        return Some(Credentials::Own);
    }
    target
        .role
        .map(|role| Credentials::Assume(chosen_role(role, target.read_role, access)))
}

/// The SDK configuration of `target`'s account for a command with `access`: `base` itself when
/// its credentials (those of `caller`) are of that account, else `base` with the target's role
/// assumed under `session_name` and its account checked. Nothing else is sent through it
/// before.
pub(crate) async fn open(
    base: &SdkConfig,
    caller: &Identity,
    target: &TargetAccess<'_>,
    access: Access,
    session_name: &str,
) -> Result<SdkConfig, Error> {
    let role = match credentials_for(target, &caller.account, access) {
        Some(Credentials::Own) => return Ok(base.clone()),
        Some(Credentials::Assume(role)) => role,
        None => {
            return Err(failure(
                format!("cannot work in target `{}`", target.name),
                format!(
                    "it is account {}, but the AWS credentials are of account {} and the target names no `role:`",
                    target.account, caller.account
                ),
                format!(
                    "add `role: arn:aws:iam::{}:role/<name>` to the target in the project file, or run with credentials of account {}",
                    target.account, target.account
                ),
            ));
        }
    };
    let assumed = assume(
        base,
        &RoleToAssume {
            role,
            account: target.account,
            session_name,
            external_id: target.external_id,
        },
    )
    .await;
    assumed.map_err(|why| refused(target, role, caller, why))
}

/// What a user reads when `role` of `target` cannot be used.
fn refused(target: &TargetAccess<'_>, role: &str, caller: &Identity, why: AssumeFailure) -> Error {
    let context = format!(
        "cannot assume the role {role} of target `{}` (account {})",
        target.name, target.account
    );
    match why {
        AssumeFailure::Refused(error) => {
            let principal = caller
                .arn
                .as_deref()
                .map(trust_principal)
                .unwrap_or_else(|| "<the ARN of the identity running provision>".to_string());
            let help = format!(
                "the role's trust policy must allow {principal} to call sts:AssumeRole{} (and that identity's own policy must allow sts:AssumeRole on {role}); the role's trust policy, which `provision iam-policy --trust {principal}` prints:\n{}",
                if target.external_id.is_some() {
                    " with the target's external id"
                } else {
                    ""
                },
                trust_policy(&principal, target.external_id.is_some())
            );
            failure(context, error.message, help)
        }
        AssumeFailure::Unchecked(error) => failure(
            context,
            format!(
                "the role was granted, but its account could not be checked (sts:GetCallerIdentity): {}",
                error.message
            ),
            "check the AWS endpoint and network, then run again".to_string(),
        ),
        AssumeFailure::OtherAccount(identity) => failure(
            context,
            format!(
                "its credentials are of account {}, not the target's {}; nothing was sent with them",
                identity.account, target.account
            ),
            format!(
                "give target `{}` a role of account {}, or correct its `account:`",
                target.name, target.account
            ),
        ),
    }
}

/// An error of the run's AWS world that names no failed call of its own: `context: message`,
/// and the help.
fn failure(context: String, message: String, help: String) -> Error {
    Error::Aws {
        context,
        message: Outside::from(message),
        help: Some(help),
        source: None,
    }
}

/// The principal a trust policy names for the caller: a role's session
/// (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) is allowed through its role
/// (`arn:aws:iam::<account>:role/<role>`; a role with a path is named with it, which the
/// session's ARN does not show); any other ARN as it is.
fn trust_principal(caller_arn: &str) -> String {
    let session = caller_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":sts::"))
        .and_then(|(partition, rest)| {
            let (account, rest) = rest.split_once(":assumed-role/")?;
            let (role, _session) = rest.split_once('/')?;
            Some(format!("arn:{partition}:iam::{account}:role/{role}"))
        });
    session.unwrap_or_else(|| caller_arn.to_string())
}

/// The trust policy a target's role needs to let `principal` assume it (the one
/// `iam-policy --trust` prints), with the external id's condition (a placeholder, never the
/// value) when the target has one.
fn trust_policy(principal: &str, external_id: bool) -> String {
    let placeholder = external_id.then(|| "<the target's external id>".to_string());
    let policy = crate::policy::trust_policy(principal, placeholder);
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::CallError;

    const ROLE: &str = "arn:aws:iam::222222222222:role/provision";
    const READ_ROLE: &str = "arn:aws:iam::222222222222:role/provision-read";

    fn target(external_id: Option<&Secret>) -> TargetAccess<'_> {
        TargetAccess {
            name: "staging",
            account: "222222222222",
            role: Some(ROLE),
            read_role: Some(READ_ROLE),
            external_id,
        }
    }

    #[test]
    fn credentials_already_in_the_account_assume_no_role() {
        let staging = target(None);
        assert_eq!(
            credentials_for(&staging, "222222222222", Access::Write),
            Some(Credentials::Own)
        );
        assert_eq!(
            credentials_for(&staging, "111111111111", Access::Write),
            Some(Credentials::Assume(ROLE))
        );
        assert_eq!(
            credentials_for(&staging, "111111111111", Access::Read),
            Some(Credentials::Assume(READ_ROLE))
        );
        let roleless = TargetAccess {
            role: None,
            read_role: None,
            ..staging
        };
        assert_eq!(
            credentials_for(&roleless, "111111111111", Access::Read),
            None
        );
        assert_eq!(
            credentials_for(&roleless, "222222222222", Access::Read),
            Some(Credentials::Own)
        );
    }

    #[test]
    fn a_refused_role_names_the_target_and_prints_the_trust_policy_without_the_external_id() {
        let external_id = Secret::new("s3cr3t-external-id");
        let caller = Identity {
            account: "111111111111".to_string(),
            arn: Some("arn:aws:sts::111111111111:assumed-role/ci-deploy/gha-run-7".to_string()),
        };
        let sts = CallError::with_code(
            "AccessDenied",
            "AccessDenied: User: arn:aws:sts::111111111111:assumed-role/ci-deploy/gha-run-7 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/provision",
        );
        let error = refused(
            &target(Some(&external_id)),
            ROLE,
            &caller,
            AssumeFailure::Refused(sts),
        );
        let text = error.to_string();
        assert!(!text.contains("s3cr3t"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_role_of_another_account_is_refused_before_any_call() {
        let caller = Identity {
            account: "111111111111".to_string(),
            arn: None,
        };
        let other = Identity {
            account: "333333333333".to_string(),
            arn: None,
        };
        let text = refused(
            &target(None),
            ROLE,
            &caller,
            AssumeFailure::OtherAccount(other),
        )
        .to_string();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_trust_principal_of_a_role_session_is_its_role() {
        assert_eq!(
            trust_principal("arn:aws:sts::111111111111:assumed-role/ci-deploy/gha-run-7"),
            "arn:aws:iam::111111111111:role/ci-deploy"
        );
        assert_eq!(
            trust_principal("arn:aws-us-gov:sts::111111111111:assumed-role/ci/s"),
            "arn:aws-us-gov:iam::111111111111:role/ci"
        );
        assert_eq!(
            trust_principal("arn:aws:iam::111111111111:user/alice"),
            "arn:aws:iam::111111111111:user/alice"
        );
    }
}
