//! `verify`'s work in one Region: resolve each declared connection's secrets and request a
//! token as EventBridge would, then, with that token, ask the org whether each of the
//! connection's API destinations can deliver (GET requests only); with bounded concurrency.
//!
//! A secret that cannot be read, or a token endpoint that refuses, times out or cannot be
//! reached, fails that connection only (its destinations are then not checked). The results
//! are the model of [`crate::plan::verify_report`]; what each answer means for a destination
//! is decided in [`super::readiness`].

use super::Context;
use super::readiness::{self, OrgRates, Refusal, RefusalKind};
use super::rule_body;
use crate::desired::DesiredConnection;
use crate::manifest::{ConnectionSpec, DestinationSpec, DestinationTarget, token_url::TOKEN_PATH};
use crate::outside::Outside;
use crate::plan::ResourceKind;
use crate::plan::verify_report::{Failure, Verified};
use crate::salesforce::rest::{OrgLimits, Rest, RestError};
use crate::salesforce::token::{Granted, TokenLimits, VerifyError, request_token};
use futures::StreamExt;
use std::collections::HashMap;

impl From<RefusalKind> for Failure {
    fn from(kind: RefusalKind) -> Self {
        match kind {
            RefusalKind::ApiVersion => Failure::ApiVersion,
            RefusalKind::NotFound => Failure::NotFound,
            RefusalKind::NotCreateable => Failure::NotCreateable,
            RefusalKind::Rejected => Failure::Rejected,
            RefusalKind::Timeout => Failure::Timeout,
            RefusalKind::Unreachable => Failure::Unreachable,
            RefusalKind::Rule => Failure::Rule,
        }
    }
}

/// The constructors that read the engine's answers (the rest of the model is
/// [`crate::plan::verify_report`]).
impl Verified {
    /// A destination's result, ok until a check fails.
    pub(crate) fn destination(
        connection: &ConnectionSpec,
        destination: &DestinationSpec,
        region: &str,
    ) -> Self {
        let mut verified = Verified::new(&destination.name, region);
        verified.kind = ResourceKind::ApiDestination;
        verified.connection = Some(connection.name.clone());
        verified.ok = true;
        verified.target = Some(match &destination.target {
            DestinationTarget::Event(name) | DestinationTarget::SObject(name) => name.clone(),
            DestinationTarget::Path(path) => path.clone(),
        });
        verified.api_version = readiness::version_of(destination);
        verified.warnings = Some(Vec::new());
        verified
    }

    pub(crate) fn fail(&mut self, refusal: Refusal, status: Option<u16>) {
        self.ok = false;
        self.failure = Some(refusal.kind.into());
        self.error = Some(refusal.error.into());
        self.hint = Some(refusal.hint);
        self.http_status = status;
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
                verified.error = Some(error.describe().into());
            }
            VerifyError::TimedOut { .. } => {
                verified.failure = Some(Failure::Timeout);
                verified.error = Some(error.describe().into());
            }
            VerifyError::Tls { .. } => {
                verified.failure = Some(Failure::Tls);
                verified.error = Some(error.describe().into());
            }
            VerifyError::Unreachable { .. } => {
                verified.failure = Some(Failure::Unreachable);
                verified.error = Some(error.describe().into());
            }
        }
        verified
    }
}

/// Verifies the connections declared in the context's Region, in the order declared, each
/// followed by its API destinations.
pub(crate) async fn verify(
    context: &Context,
    specs: &[&ConnectionSpec],
    limits: TokenLimits,
) -> Vec<Verified> {
    let rates = org_rates(specs);
    let rates = &rates;
    futures::stream::iter(specs)
        .map(|spec| async move {
            let (connection, connected) = verify_connection(context, spec, limits).await;
            let mut results = vec![connection];
            if let Some(connected) = connected
                && !spec.destinations.is_empty()
            {
                let org = rates.get(origin_of(spec)).copied().unwrap_or_default();
                results.extend(
                    check_destinations(context, spec, &connected.granted, limits, org).await,
                );
            }
            results
        })
        .buffered(context.lanes())
        .flat_map(futures::stream::iter)
        .collect()
        .await
}

/// The org a connection reaches: its token URL without the token path (the My Domain origin
/// that its destinations' endpoints start with).
pub(crate) fn origin_of(spec: &ConnectionSpec) -> &str {
    spec.token_url
        .strip_suffix(TOKEN_PATH)
        .unwrap_or(&spec.token_url)
}

/// The declared rates of every org's destinations in this Region, by org.
fn org_rates<'a>(specs: &[&'a ConnectionSpec]) -> HashMap<&'a str, OrgRates> {
    let mut rates: HashMap<&str, OrgRates> = HashMap::new();
    for spec in specs {
        let org = rates.entry(origin_of(spec)).or_default();
        for destination in &spec.destinations {
            org.add(destination);
        }
    }
    rates
}

/// Checks each destination of one connection with its token: the versions the org serves and
/// its allocations are read once, each target is described. GET requests only.
async fn check_destinations(
    context: &Context,
    spec: &ConnectionSpec,
    granted: &Granted,
    limits: TokenLimits,
    rates: OrgRates,
) -> Vec<Verified> {
    let region = context.place.region.as_str();
    let every_one_fails = |refusal: Refusal, status: Option<u16>| -> Vec<Verified> {
        spec.destinations
            .iter()
            .map(|destination| {
                let mut verified = Verified::destination(spec, destination, region);
                verified.fail(refusal.clone(), status);
                verified
            })
            .collect()
    };
    let rest = match Rest::new(origin_of(spec), granted.access_token.clone(), limits) {
        Ok(rest) => rest,
        Err(error) => {
            return every_one_fails(readiness::rest_refusal("the REST client", &error), None);
        }
    };
    context.log.verbose(format!(
        "{} in {region}: GET {}",
        spec.name,
        rest.url("/services/data/")
    ));
    let served = match rest.versions().await {
        Ok(served) => served,
        Err(error) => {
            return every_one_fails(
                readiness::rest_refusal("listing the org's API versions", &error),
                error.status(),
            );
        }
    };
    let allocations = read_allocations(context, spec, &rest, &served).await;
    let mut results = Vec::new();
    for destination in &spec.destinations {
        let mut verified = Verified::destination(spec, destination, region);
        check_destination(
            context,
            &rest,
            destination,
            &served,
            &allocations,
            rates,
            &mut verified,
        )
        .await;
        results.push(verified);
    }
    results
}

/// The org's allocations, read once per connection with the first declared version the org
/// serves (or its newest); why they were not checked otherwise.
async fn read_allocations(
    context: &Context,
    spec: &ConnectionSpec,
    rest: &Rest,
    served: &[String],
) -> Result<OrgLimits, String> {
    let version = spec
        .destinations
        .iter()
        .filter_map(readiness::version_of)
        .find(|version| served.contains(version))
        .or_else(|| served.last().cloned())
        .ok_or_else(|| {
            "allocations: the org lists no API version to read /limits with".to_string()
        })?;
    let path = format!("/services/data/{version}/limits");
    context.log.verbose(format!(
        "{} in {}: GET {}",
        spec.name,
        context.place.region,
        rest.url(&path)
    ));
    rest.limits(&version)
        .await
        .map_err(|error| readiness::limits_not_checked(&error))
}

/// One destination: the version, the target, the required fields, the allocations.
async fn check_destination(
    context: &Context,
    rest: &Rest,
    destination: &DestinationSpec,
    served: &[String],
    allocations: &Result<OrgLimits, String>,
    rates: OrgRates,
    verified: &mut Verified,
) {
    let version = readiness::version_of(destination);
    if let Some(version) = &version
        && let Err(refusal) = readiness::check_version(served, version)
    {
        verified.fail(refusal, None);
        return;
    }
    match (&destination.target, &version) {
        (DestinationTarget::Event(name) | DestinationTarget::SObject(name), Some(version)) => {
            let path = format!("/services/data/{version}/sobjects/{name}/describe");
            context.log.verbose(format!(
                "{} in {}: GET {}",
                destination.name,
                context.place.region,
                rest.url(&path)
            ));
            let answer = rest.describe(version, name).await;
            let status = answer.as_ref().err().and_then(RestError::status);
            let fields = answer
                .as_ref()
                .map(|described| described.fields.clone())
                .unwrap_or_default();
            match readiness::check_described(name, version, answer) {
                Ok(required) => {
                    verified.checked = Some(format!("the Run As user may create {name}"));
                    verified.required_fields =
                        Some(required.into_iter().map(Outside::from).collect());
                    check_rules(destination, Some((name, &fields)), verified);
                }
                Err(refusal) => {
                    verified.fail(refusal, status);
                    return;
                }
            }
        }
        (DestinationTarget::Path(path), version) => {
            verified.checked = version
                .as_ref()
                .map(|version| format!("the org serves {version}"));
            verified.not_checked.push(format!(
                "target: a `path:` destination cannot be described: whether the Run As user may call {path}, and the body it takes, were not checked"
            ));
            check_rules(destination, None, verified);
        }
        _ => {}
    }
    match allocations {
        Ok(limits) => {
            let is_event = matches!(destination.target, DestinationTarget::Event(_));
            let (warnings, not_checked) = readiness::allocation_warnings(limits, rates, is_event);
            verified.warnings = Some(warnings);
            verified.not_checked.extend(not_checked);
        }
        Err(reason) => verified.not_checked.push(reason.clone()),
    }
}

/// The destination's declared rules against its target's describe ([`rule_body`]); a rule
/// whose body would be refused fails the destination.
fn check_rules(
    destination: &DestinationSpec,
    described: Option<(&str, &[crate::salesforce::rest::Field])>,
    verified: &mut Verified,
) {
    verified.rules = destination
        .rules
        .iter()
        .map(|rule| rule_body::verify_rule(rule, described))
        .collect();
    let refused: Vec<&str> = verified
        .rules
        .iter()
        .filter(|rule| !rule.ok)
        .map(|rule| rule.name.as_str())
        .collect();
    if !refused.is_empty() {
        let (noun, names) = match refused.as_slice() {
            [one] => ("rule", (*one).to_string()),
            many => ("rules", many.join(", ")),
        };
        verified.fail(
            Refusal {
                kind: RefusalKind::Rule,
                error: format!(
                    "Salesforce would refuse what the {noun} {names} send{}",
                    if refused.len() == 1 { "s" } else { "" }
                ),
                hint: "fix each rule's errors below in its `body:` or `sample:`".to_string(),
            },
            None,
        );
    }
}

/// A connection whose token was granted: the token, and the connection as resolved (its
/// invocation parameters are what EventBridge sends with each call).
pub(crate) struct Connected {
    pub(crate) granted: Granted,
    pub(crate) desired: DesiredConnection,
}

/// The token request of one connection; the token when granted.
pub(crate) async fn verify_connection(
    context: &Context,
    spec: &ConnectionSpec,
    limits: TokenLimits,
) -> (Verified, Option<Connected>) {
    let region = context.place.region.as_str();
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
                    .join("; ")
                    .into(),
            );
            let helps: Vec<String> = problems
                .iter()
                .filter_map(|p| p.help.as_ref().map(ToString::to_string))
                .collect();
            failed.hint = (!helps.is_empty()).then(|| helps.join("\n"));
            return (failed, None);
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
            verified.instance_url = granted.instance_url.clone();
            (verified, Some(Connected { granted, desired }))
        }
        Err(error) => (Verified::refused(&spec.name, region, &error), None),
    }
}
