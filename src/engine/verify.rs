//! `verify`'s work in one Region: resolve each declared connection's secrets and request a
//! token as EventBridge would, with bounded concurrency, and the model every view renders.
//!
//! A secret that cannot be read, or a token endpoint that refuses, times out or cannot be
//! reached, fails that connection only. The model holds the instance URL on success and
//! Salesforce's `error` and `error_description` otherwise; never a token, never a secret.

use super::Context;
use crate::plan::{LeftOut, ResourceKind};
use crate::salesforce::token::{TokenLimits, VerifyError, request_token};
use crate::spec::ConnectionSpec;
use futures::StreamExt;
use serde::Serialize;

/// Why a connection failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Failure {
    /// The token endpoint answered without a token (an OAuth error).
    Refused,
    /// No answer within `--call-timeout`.
    Timeout,
    /// The TLS handshake failed.
    Tls,
    /// The connection was refused, or the host could not be found or reached.
    Unreachable,
    /// A secret reference could not be read: no request was sent.
    Secret,
}

/// The verification of one connection in one Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Verified {
    pub(crate) kind: ResourceKind,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) ok: bool,
    /// Salesforce's `instance_url` on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) instance_url: Option<String>,
    /// Salesforce's `error`; for a failure without an OAuth answer, what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// Salesforce's `error_description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_description: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<Failure>,
    /// The token endpoint's HTTP status, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) http_status: Option<u16>,
}

impl Verified {
    fn new(name: &str, region: &str) -> Self {
        Verified {
            kind: ResourceKind::Connection,
            name: name.to_string(),
            region: region.to_string(),
            ok: false,
            instance_url: None,
            error: None,
            error_description: None,
            hint: None,
            failure: None,
            http_status: None,
        }
    }

    fn refused(name: &str, region: &str, error: &VerifyError) -> Self {
        let mut verified = Verified::new(name, region);
        verified.hint = Some(error.hint());
        match error {
            VerifyError::Refused {
                status,
                error,
                description,
            } => {
                verified.failure = Some(Failure::Refused);
                verified.http_status = Some(*status);
                verified.error = Some(error.clone());
                verified.error_description = description.clone();
            }
            VerifyError::TooLarge { status, .. } => {
                verified.failure = Some(Failure::Refused);
                verified.http_status = Some(*status);
                verified.error = Some(error.describe());
            }
            VerifyError::TimedOut { .. } => {
                verified.failure = Some(Failure::Timeout);
                verified.error = Some(error.describe());
            }
            VerifyError::Tls { .. } => {
                verified.failure = Some(Failure::Tls);
                verified.error = Some(error.describe());
            }
            VerifyError::Unreachable { .. } => {
                verified.failure = Some(Failure::Unreachable);
                verified.error = Some(error.describe());
            }
        }
        verified
    }
}

/// Everything `verify` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifyReport {
    pub(crate) regions: Vec<String>,
    pub(crate) left_out: Vec<LeftOut>,
    pub(crate) results: Vec<Verified>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct VerifySummary {
    pub(crate) ok: usize,
    pub(crate) failed: usize,
}

impl VerifyReport {
    pub(crate) fn summary(&self) -> VerifySummary {
        let ok = self.results.iter().filter(|r| r.ok).count();
        VerifySummary {
            ok,
            failed: self.results.len() - ok,
        }
    }
}

/// Verifies the connections declared in the context's Region, in the order declared.
pub(crate) async fn verify(
    context: &Context,
    specs: &[&ConnectionSpec],
    limits: TokenLimits,
) -> Vec<Verified> {
    futures::stream::iter(specs)
        .map(|spec| verify_one(context, spec, limits))
        .buffered(context.concurrency.max(1))
        .collect()
        .await
}

async fn verify_one(context: &Context, spec: &ConnectionSpec, limits: TokenLimits) -> Verified {
    let region = context.region.as_str();
    let desired = match context
        .resolver
        .desired(spec, &crate::ownership::OwnershipSet::default())
        .await
    {
        Ok(desired) => desired,
        Err(problems) => {
            let mut failed = Verified::new(&spec.name, region);
            failed.failure = Some(Failure::Secret);
            failed.error = Some(
                problems
                    .iter()
                    .map(|p| p.headline())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let helps: Vec<&str> = problems.iter().filter_map(|p| p.help.as_deref()).collect();
            failed.hint = (!helps.is_empty()).then(|| helps.join("\n"));
            return failed;
        }
    };
    context.log.verbose(format!(
        "{} in {region}: requesting a token from {}",
        spec.name, desired.authorization_endpoint
    ));
    match request_token(&desired, limits).await {
        Ok(granted) => {
            let mut verified = Verified::new(&spec.name, region);
            verified.ok = true;
            verified.instance_url = granted.instance_url;
            verified
        }
        Err(error) => Verified::refused(&spec.name, region, &error),
    }
}
