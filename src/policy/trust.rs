//! The trust policy of a target's role (`iam-policy --trust PRINCIPAL_ARN`): who may assume
//! it. One statement allows `sts:AssumeRole` for the principal a run's credentials belong to,
//! and nothing more: a run sets no session tags, so it needs no `sts:TagSession`. With an
//! external id, the statement requires it (`sts:ExternalId`, the condition key IAM's user
//! guide gives for it); the policy shows where the value comes from, never the value, which
//! only the role's owner writes in. Pure.

use super::actions::sts::ASSUME_ROLE;
use serde::Serialize;
use std::collections::BTreeMap;

/// A role's trust policy, as IAM reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TrustPolicy {
    version: &'static str,
    statement: Vec<TrustStatement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TrustStatement {
    sid: &'static str,
    effect: &'static str,
    principal: Principal,
    action: &'static str,
    /// Operator -> condition key -> value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    condition: BTreeMap<&'static str, BTreeMap<&'static str, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Principal {
    #[serde(rename = "AWS")]
    aws: String,
}

/// The trust policy letting `principal` (an IAM role, user or account root ARN, checked with
/// [`check_principal`]) assume the role; `external_id` is what stands in the `sts:ExternalId`
/// condition: a placeholder naming where the value comes from.
pub(crate) fn trust_policy(principal: &str, external_id: Option<String>) -> TrustPolicy {
    let mut condition = BTreeMap::new();
    if let Some(placeholder) = external_id {
        condition.insert(
            "StringEquals",
            BTreeMap::from([("sts:ExternalId", placeholder)]),
        );
    }
    TrustPolicy {
        version: "2012-10-17",
        statement: vec![TrustStatement {
            sid: "ProvisionRunAssumesThisRole",
            effect: "Allow",
            principal: Principal {
                aws: principal.to_string(),
            },
            action: ASSUME_ROLE,
            condition,
        }],
    }
}

/// A principal a trust policy can name for a run's credentials: the ARN of an IAM role
/// (`arn:aws:iam::123456789012:role/ci`), user, or a whole account (`...:root`). `Err` says
/// what is wrong.
pub(crate) fn check_principal(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            (*partition == "aws" || partition.starts_with("aws-"))
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && (*resource == "root"
                    || resource
                        .strip_prefix("role/")
                        .or_else(|| resource.strip_prefix("user/"))
                        .is_some_and(|name| !name.is_empty() && !name.ends_with('/')))
        }
        _ => false,
    };
    if shaped {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not the ARN of an IAM role, user or account root",
            arn.escape_debug()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_policy_allows_assume_role_for_the_principal_only() {
        let policy = trust_policy("arn:aws:iam::999999999999:role/ci", None);
        assert_eq!(
            serde_json::to_value(&policy).unwrap(),
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "ProvisionRunAssumesThisRole",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999999999999:role/ci"},
                    "Action": "sts:AssumeRole",
                }]
            })
        );
        let with_id = trust_policy(
            "arn:aws:iam::999999999999:root",
            Some("<placeholder>".into()),
        );
        assert_eq!(
            serde_json::to_value(&with_id).unwrap()["Statement"][0]["Condition"],
            serde_json::json!({"StringEquals": {"sts:ExternalId": "<placeholder>"}})
        );
    }

    #[test]
    fn a_principal_is_a_role_user_or_account_root_arn() {
        for good in [
            "arn:aws:iam::999999999999:role/ci",
            "arn:aws:iam::999999999999:role/path/ci",
            "arn:aws-us-gov:iam::999999999999:user/deployer",
            "arn:aws:iam::999999999999:root",
        ] {
            assert_eq!(check_principal(good), Ok(()), "{good}");
        }
        for bad in [
            "999999999999",
            "arn:aws:iam::9999:role/ci",
            "arn:aws:sts::999999999999:assumed-role/ci/session",
            "arn:aws:iam::999999999999:role/",
            "arn:aws:s3:::bucket",
        ] {
            assert!(check_principal(bad).is_err(), "{bad}");
        }
    }
}
