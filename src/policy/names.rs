//! How IAM names what a policy grants: the partition of a Region, the ARN of a referenced
//! secret, a customer managed key by ARN or by alias. Pure, and apart from the statements so
//! each rule is stated (and tested) once.

use crate::manifest::{ConnectionSpec, SecretRef, SecretSource, ValueSource};

/// The partition of a Region (`aws`, `aws-cn`, `aws-us-gov`, ...), the second field of its ARNs.
pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

/// Every secret reference of a connection, whatever its source: client id and secret, OAuth
/// and invocation parameters.
pub(crate) fn references(spec: &ConnectionSpec) -> Vec<&SecretRef> {
    let ConnectionSpec {
        client_id,
        client_secret,
        oauth,
        invocation,
        ..
    } = spec;
    std::iter::once(client_secret)
        .chain(reference(client_id))
        .chain(
            [oauth, invocation]
                .into_iter()
                .flat_map(|lists| [&lists.body, &lists.headers, &lists.query])
                .flatten()
                .filter_map(|parameter| reference(&parameter.value)),
        )
        .collect()
}

/// The Secrets Manager references `salesforce-credentials` writes: the client id and secret.
pub(crate) fn credential_ids(spec: &ConnectionSpec) -> Vec<&str> {
    std::iter::once(&spec.client_secret)
        .chain(reference(&spec.client_id))
        .filter_map(secrets_manager_id)
        .collect()
}

fn reference(value: &ValueSource) -> Option<&SecretRef> {
    match value {
        ValueSource::Reference(reference) => Some(reference),
        ValueSource::Literal(_) => None,
    }
}

/// The secret id of a Secrets Manager reference (what `rotate-credentials` and
/// `salesforce-credentials` write).
fn secrets_manager_id(reference: &SecretRef) -> Option<&str> {
    match &reference.source {
        SecretSource::SecretsManager { id, .. } => Some(id.as_str()),
        _ => None,
    }
}

/// The ARN a policy names for a referenced secret read in `region`: a name gets the `-??????`
/// Secrets Manager appends to every secret's ARN; an ARN stays as written.
pub(crate) fn secret_arn(id: &str, partition: &str, region: &str, account: &str) -> String {
    if id.starts_with("arn:") {
        id.to_string()
    } else {
        format!("arn:{partition}:secretsmanager:{region}:{account}:secret:{id}-??????")
    }
}

/// A `kmsKey` as IAM names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    /// The key's ARN.
    Arn(String),
    /// An alias: any key (`key/*`) in that Region and account, by the alias's name.
    Alias { keys: String, alias: String },
}

pub(crate) fn kms_key(identifier: &str, partition: &str, region: &str, account: &str) -> Key {
    let keys = |partition: &str, region: &str, account: &str| {
        format!("arn:{partition}:kms:{region}:{account}:key/*")
    };
    if let Some(rest) = identifier.strip_prefix("arn:") {
        // arn:<partition>:kms:<region>:<account>:<alias/name | key/id>
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        if let [arn_partition, _, arn_region, arn_account, resource] = parts[..]
            && resource.starts_with("alias/")
        {
            return Key::Alias {
                keys: keys(arn_partition, arn_region, arn_account),
                alias: resource.to_string(),
            };
        }
        return Key::Arn(identifier.to_string());
    }
    if identifier.starts_with("alias/") {
        return Key::Alias {
            keys: keys(partition, region, account),
            alias: identifier.to_string(),
        };
    }
    Key::Arn(format!(
        "arn:{partition}:kms:{region}:{account}:key/{identifier}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    #[test]
    fn regions_name_their_partition() {
        for (region, partition) in [
            ("eu-west-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
        ] {
            assert_eq!(partition_of(region), partition, "{region}");
        }
    }

    #[test]
    fn kms_keys_are_named_by_arn_and_aliases_by_condition() {
        assert_eq!(
            kms_key(
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "aws",
                "eu-west-1",
                ACCOUNT
            ),
            Key::Arn(
                "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into()
            )
        );
        assert_eq!(
            kms_key(
                "arn:aws:kms:us-east-1:210987654321:key/mrk-1",
                "aws",
                "eu-west-1",
                ACCOUNT
            ),
            Key::Arn("arn:aws:kms:us-east-1:210987654321:key/mrk-1".into())
        );
        assert_eq!(
            kms_key("alias/connections", "aws-cn", "cn-north-1", ACCOUNT),
            Key::Alias {
                keys: "arn:aws-cn:kms:cn-north-1:123456789012:key/*".into(),
                alias: "alias/connections".into()
            }
        );
        assert_eq!(
            kms_key(
                "arn:aws:kms:us-west-2:210987654321:alias/x",
                "aws",
                "eu-west-1",
                ACCOUNT
            ),
            Key::Alias {
                keys: "arn:aws:kms:us-west-2:210987654321:key/*".into(),
                alias: "alias/x".into()
            }
        );
    }
}
