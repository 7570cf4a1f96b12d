//! Reads a role's policies from IAM, for `verify`'s check that a rule's role may invoke its
//! destination: the trust policy (GetRole's `AssumeRolePolicyDocument`), the inline policies
//! (ListRolePolicies, GetRolePolicy) and the managed ones (ListAttachedRolePolicies, GetPolicy,
//! GetPolicyVersion of the default version). Reads only; what the documents allow is decided
//! in [`crate::policy::evaluate`].
//!
//! IAM answers every policy document URL-encoded: "The policy document returned in this
//! structure is URL-encoded compliant with RFC 3986" (IAM API Reference, `Role`
//! AssumeRolePolicyDocument, GetRolePolicy PolicyDocument, `PolicyVersion` Document); each is
//! decoded here. IAM is a global service: one endpoint per partition, signed in the
//! partition's global Region (AWS General Reference, "AWS Identity and Access Management
//! endpoints and quotas": `iam.amazonaws.com` in us-east-1, `iam.cn-north-1.amazonaws.com.cn`
//! in cn-north-1, `iam.us-gov.amazonaws.com` in us-gov-west-1).

use super::Reach;
use aws_config::SdkConfig;
use aws_sdk_iam::error::ProvideErrorMetadata;

/// An IAM client and where it goes (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Iam {
    pub(crate) client: aws_sdk_iam::Client,
    pub(crate) reach: Reach,
}

/// The Region IAM's calls are signed in for a partition (see the module doc); any other
/// partition keeps the Region it is given.
pub(crate) fn global_region<'a>(partition: &str, region: &'a str) -> &'a str {
    match partition {
        "aws" => "us-east-1",
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => region,
    }
}

/// The client configuration as shipped: the same bounds, retries and final transport failures
/// as the other clients.
pub(crate) fn config(config: &SdkConfig) -> aws_sdk_iam::config::Builder {
    aws_sdk_iam::config::Builder::from(config)
        .retry_classifier(super::transport::UnreachableIsFinal)
        .retry_classifier(super::bounded::TooLargeIsFinal)
        .interceptor(super::bounded::BoundedAnswers::default())
        .retry_partition(super::unlimited_retries("provision-iam"))
}

/// The IAM client of a configuration already set to IAM's global Region.
pub(crate) fn client(config: &SdkConfig) -> Iam {
    Iam {
        client: aws_sdk_iam::Client::from_conf(self::config(config).build()),
        reach: Reach::from_config(config, "iam"),
    }
}

/// A role's policy documents, decoded: its trust policy, then each permissions policy named
/// (`inline NAME` or `managed ARN`). Text from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RolePolicies {
    pub(crate) trust: String,
    pub(crate) permissions: Vec<(String, String)>,
}

/// Why a role's policies could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IamReadError {
    /// IAM has no role of that name (`NoSuchEntity` on GetRole).
    NoSuchRole,
    /// The caller may not read it (`AccessDenied`): AWS's message.
    AccessDenied(String),
    /// Any other failure, described.
    Other(String),
}

/// Pages of a listing read at most: IAM allows 10 managed policies per role by default and at
/// most 20, and inline policies share a 10,240-character quota (IAM user guide, "IAM and AWS
/// STS quotas"), so 10 pages of 100 is far beyond any role.
const MAX_PAGES: usize = 10;

/// The role name of a role ARN: what follows the last `/` of `role/PATH/NAME`.
pub(crate) fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

/// A policy document as IAM answers it, URL-decoded (RFC 3986: `%XX` only; `+` is itself).
pub(crate) fn decode(document: &str) -> Result<String, IamReadError> {
    percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| IamReadError::Other("a policy document is not UTF-8 once URL-decoded".into()))
}

fn failed<E>(
    iam: &Iam,
    error: aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> IamReadError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = super::describe_sdk_error(&error, &iam.reach);
    match error.code() {
        Some("AccessDenied" | "AccessDeniedException") => IamReadError::AccessDenied(text),
        _ => IamReadError::Other(text),
    }
}

/// Reads the trust policy and every permissions policy of `role_arn`.
pub(crate) async fn read_role(iam: &Iam, role_arn: &str) -> Result<RolePolicies, IamReadError> {
    let name = role_name(role_arn);
    let role = iam
        .client
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(|error| {
            if error
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception())
            {
                IamReadError::NoSuchRole
            } else {
                failed(iam, error)
            }
        })?;
    let trust = decode(
        role.role()
            .and_then(|role| role.assume_role_policy_document())
            .unwrap_or_default(),
    )?;
    let inline = every_page(|marker| async move {
        let page = iam
            .client
            .list_role_policies()
            .role_name(name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|error| failed(iam, error))?;
        Ok((
            page.policy_names().to_vec(),
            next_marker(page.is_truncated(), page.marker()),
        ))
    })
    .await?;
    let attached = every_page(|marker| async move {
        let page = iam
            .client
            .list_attached_role_policies()
            .role_name(name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|error| failed(iam, error))?;
        let arns = page
            .attached_policies()
            .iter()
            .filter_map(|attached| attached.policy_arn().map(str::to_string))
            .collect();
        Ok((arns, next_marker(page.is_truncated(), page.marker())))
    })
    .await?;
    let mut permissions = Vec::new();
    for policy in inline {
        let got = iam
            .client
            .get_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await
            .map_err(|error| failed(iam, error))?;
        permissions.push((format!("inline {policy}"), decode(got.policy_document())?));
    }
    for arn in attached {
        let document = managed_document(iam, &arn).await?;
        permissions.push((format!("managed {arn}"), document));
    }
    Ok(RolePolicies { trust, permissions })
}

/// The marker of the next page, when IAM says there is one.
fn next_marker(truncated: bool, marker: Option<&str>) -> Option<String> {
    marker.filter(|_| truncated).map(str::to_string)
}

/// Every item of a listing, page by page (`page` reads the page at a marker), within
/// [`MAX_PAGES`].
async fn every_page<T, F, Fut>(mut page: F) -> Result<Vec<T>, IamReadError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), IamReadError>>,
{
    let mut all = Vec::new();
    let mut marker = None;
    for _ in 0..MAX_PAGES {
        let (items, next) = page(marker.take()).await?;
        all.extend(items);
        marker = next;
        if marker.is_none() {
            return Ok(all);
        }
    }
    Err(IamReadError::Other(format!(
        "a listing of the role's policies did not end within {MAX_PAGES} pages"
    )))
}

/// The default version's document of the managed policy `arn`.
async fn managed_document(iam: &Iam, arn: &str) -> Result<String, IamReadError> {
    let policy = iam
        .client
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|error| failed(iam, error))?;
    let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else {
        return Err(IamReadError::Other(format!(
            "GetPolicy names no default version of {}",
            crate::outside::Outside::from(arn)
        )));
    };
    let got = iam
        .client
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(|error| failed(iam, error))?;
    decode(
        got.policy_version()
            .and_then(|version| version.document())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_url_decoded_as_rfc_3986_says() {
        // The IAM API Reference's GetRolePolicy example answers
        // `{"Version":"2012-10-17","Statement":...}` encoded as `%7B%22Version%22...`.
        assert_eq!(
            decode("%7B%22Action%22%3A%22events%3AInvokeApiDestination%22%7D").unwrap(),
            r#"{"Action":"events:InvokeApiDestination"}"#
        );
        // RFC 3986 has no `+` for space: a `+` stays a `+`.
        assert_eq!(decode("a+b%20c").unwrap(), "a+b c");
    }

    #[test]
    fn the_role_name_is_the_last_segment_of_the_arn() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service-role/invoke"),
            "invoke"
        );
        assert_eq!(role_name("arn:aws:iam::123456789012:role/invoke"), "invoke");
    }

    #[test]
    fn iam_is_signed_in_its_partitions_global_region() {
        assert_eq!(global_region("aws", "eu-west-1"), "us-east-1");
        assert_eq!(global_region("aws-cn", "cn-northwest-1"), "cn-north-1");
        assert_eq!(
            global_region("aws-us-gov", "us-gov-east-1"),
            "us-gov-west-1"
        );
    }
}
