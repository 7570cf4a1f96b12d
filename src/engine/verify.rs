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
use super::rule_role::{self, RoleRead, RoleReads};
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
/// followed by its API destinations; each rule's role is read through `roles` (the run's reads
/// in the place's account).
pub(crate) async fn verify(
    context: &Context,
    specs: &[&ConnectionSpec],
    limits: TokenLimits,
    roles: &RoleReads,
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
                    check_destinations(context, spec, &connected.granted, limits, org, roles).await,
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
    roles: &RoleReads,
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
        let roles = rule_role::read_roles(context, roles, destination).await;
        let org = Org {
            rest: &rest,
            served: &served,
            allocations: &allocations,
            rates,
        };
        check_destination(context, &org, destination, &roles, &mut verified).await;
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

/// What one connection's org answered, shared by its destinations: the REST client, the
/// versions it serves, its allocations, and the declared rates of its destinations.
struct Org<'a> {
    rest: &'a Rest,
    served: &'a [String],
    allocations: &'a Result<OrgLimits, String>,
    rates: OrgRates,
}

/// One destination: the version, the target, the required fields, the allocations, the rules.
async fn check_destination(
    context: &Context,
    org: &Org<'_>,
    destination: &DestinationSpec,
    roles: &HashMap<String, RoleRead>,
    verified: &mut Verified,
) {
    let Org {
        rest,
        served,
        allocations,
        rates,
    } = *org;
    let checks = RuleChecks::new(context, destination, roles);
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
                    check_rules(destination, Some((name, &fields)), &checks, verified);
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
            check_rules(destination, None, &checks, verified);
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

/// The roles of a destination's rules as read, and the destination's ARN up to EventBridge's
/// identifier.
struct RuleChecks<'a> {
    roles: &'a HashMap<String, RoleRead>,
    account: String,
    /// `arn:P:events:R:A:`, the start of every EventBridge ARN of the place.
    events_arn: String,
    /// `arn:P:events:R:A:api-destination/NAME/`: the destination's ARN without the
    /// identifier EventBridge gives it.
    destination: String,
}

impl<'a> RuleChecks<'a> {
    fn new(
        context: &Context,
        destination: &DestinationSpec,
        roles: &'a HashMap<String, RoleRead>,
    ) -> Self {
        let place = &context.place;
        let events_arn = format!(
            "arn:{}:events:{}:{}:",
            crate::policy::partition_of(&place.region),
            place.region,
            place.account
        );
        RuleChecks {
            roles,
            account: place.account.clone(),
            destination: format!("{events_arn}api-destination/{}/", destination.name),
            events_arn,
        }
    }
}

/// The destination's declared rules against its target's describe ([`rule_body`]) and their
/// roles' policies ([`rule_role`]); a rule whose body would be refused, or whose role refuses,
/// fails the destination.
fn check_rules(
    destination: &DestinationSpec,
    described: Option<(&str, &[crate::salesforce::rest::Field])>,
    checks: &RuleChecks<'_>,
    verified: &mut Verified,
) {
    let mut body_refused: Vec<&str> = Vec::new();
    let mut role_refused: Vec<&str> = Vec::new();
    verified.rules = destination
        .rules
        .iter()
        .map(|rule| {
            let mut result = rule_body::verify_rule(rule, described);
            if !result.ok {
                body_refused.push(rule.name.as_str());
            }
            let route = rule_role::Route {
                account: &checks.account,
                rule: format!(
                    "{}{}",
                    checks.events_arn,
                    crate::policy::rule_resource(rule.bus_name(), &rule.name)
                ),
                destination: &checks.destination,
            };
            if let Some(read) = checks.roles.get(&rule.role)
                && rule_role::judge(&mut result, &rule.role, read, &route)
            {
                role_refused.push(rule.name.as_str());
            }
            result
        })
        .collect();
    let named = |names: &[&str]| match names {
        [one] => format!("rule {one}"),
        many => format!("rules {}", many.join(", ")),
    };
    let mut errors = Vec::new();
    let mut hints = Vec::new();
    if !body_refused.is_empty() {
        errors.push(format!(
            "Salesforce would refuse what the {} send{}",
            named(&body_refused),
            if body_refused.len() == 1 { "s" } else { "" }
        ));
        hints.push("fix each rule's errors below in its `body:` or `sample:`");
    }
    if !role_refused.is_empty() {
        errors.push(format!(
            "EventBridge cannot deliver through the {}: the role is missing or refuses",
            named(&role_refused)
        ));
        hints.push("give each rule's role the policies `provision iam-policy --for rule` prints");
    }
    if !errors.is_empty() {
        verified.fail(
            Refusal {
                kind: RefusalKind::Rule,
                error: errors.join("; "),
                hint: hints.join("; "),
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
