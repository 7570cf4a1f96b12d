//! Whether an API destination can deliver, decided from what Salesforce answered (pure): the
//! API version served, the target described for the Run As user, the fields an event must
//! carry, and the declared rates against the org's allocations. `verify` makes the calls
//! ([`crate::salesforce::rest`]); this file turns each answer into a result, a reason and a
//! fix, so every rule is tested without a network.

use crate::manifest::{DestinationSpec, DestinationTarget};
use crate::salesforce::rest::{Described, OrgLimits, RestError};

/// The permission `/limits` needs.
pub(crate) const VIEW_SETUP: &str = "View Setup and Configuration";

/// The declared rates of one org's API destinations (in one Region), summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct OrgRates {
    /// Platform Event destinations: each call publishes one event.
    pub(crate) events_per_second: u64,
    /// Every destination: each call is one REST request.
    pub(crate) requests_per_second: u64,
}

impl OrgRates {
    pub(crate) fn add(&mut self, destination: &DestinationSpec) {
        let rate = u64::from(destination.rate_limit_per_second);
        if matches!(destination.target, DestinationTarget::Event(_)) {
            self.events_per_second += rate;
        }
        self.requests_per_second += rate;
    }
}

/// A check that failed: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) kind: RefusalKind,
    pub(crate) error: String,
    pub(crate) hint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    ApiVersion,
    NotFound,
    NotCreateable,
    Rejected,
    Timeout,
    Unreachable,
    /// A declared rule's body would be refused.
    Rule,
}

/// The API version a destination uses: its `apiVersion`, or for a `path:` the version the
/// path names (`/services/data/v62.0/...`), if any.
pub(crate) fn version_of(destination: &DestinationSpec) -> Option<String> {
    match &destination.target {
        DestinationTarget::Event(_) | DestinationTarget::SObject(_) => {
            Some(destination.api_version.clone())
        }
        DestinationTarget::Path(path) => path
            .strip_prefix("/services/data/")
            .and_then(|rest| rest.split('/').next())
            .filter(|version| {
                version.strip_prefix('v').is_some_and(|number| {
                    number.split_once('.').is_some_and(|(major, minor)| {
                        !major.is_empty()
                            && !minor.is_empty()
                            && format!("{major}{minor}")
                                .bytes()
                                .all(|b| b.is_ascii_digit())
                    })
                })
            })
            .map(str::to_string),
    }
}

/// The org serves `version`, or the refusal naming what it serves.
pub(crate) fn check_version(served: &[String], version: &str) -> Result<(), Refusal> {
    if served.iter().any(|v| v == version) {
        return Ok(());
    }
    let range = match (served.first(), served.last()) {
        (Some(first), Some(last)) if first != last => format!("it serves {first} to {last}"),
        (Some(only), _) => format!("it serves {only} only"),
        _ => "it lists no version".to_string(),
    };
    let newest = served
        .last()
        .map_or_else(|| "one it serves".to_string(), |v| format!("e.g. {v}"));
    Err(Refusal {
        kind: RefusalKind::ApiVersion,
        error: format!("the org does not serve API version {version} ({range})"),
        hint: format!("set `apiVersion:` to a version the org serves ({newest})"),
    })
}

/// What the describe answer means for a destination posting to `name`: the fields an event
/// must carry, or why it cannot deliver.
pub(crate) fn check_described(
    name: &str,
    version: &str,
    answer: Result<Described, RestError>,
) -> Result<Vec<String>, Refusal> {
    let noun = if name.ends_with("__e") {
        "Platform Event"
    } else {
        "object"
    };
    match answer {
        Ok(described) if described.createable => Ok(described
            .fields
            .iter()
            .filter(|field| field.is_required())
            .map(|field| field.name.clone())
            .collect()),
        Ok(_) => Err(Refusal {
            kind: RefusalKind::NotCreateable,
            error: format!(
                "the Run As user may not create {name}: describe answers createable: false"
            ),
            hint: format!(
                "grant the app's Run As user Create on the {noun} {name}: a permission set with Create in its object settings for {name}, assigned to the Run As user"
            ),
        }),
        Err(RestError::Status { status: 404, .. }) => Err(Refusal {
            kind: RefusalKind::NotFound,
            error: format!("the org has no {noun} {name} at {version} (HTTP 404 NOT_FOUND)"),
            hint: format!(
                "check the API name in the YAML, deploy {name} to this org, or, if it exists, give the Run As user access to it (an object a user cannot see is not found)"
            ),
        }),
        Err(error) => Err(rest_refusal(&format!("describing {name}"), &error)),
    }
}

/// A REST call that failed for another reason than the ones above.
pub(crate) fn rest_refusal(what: &str, error: &RestError) -> Refusal {
    let (kind, hint) = match error {
        RestError::TimedOut { .. } => (
            RefusalKind::Timeout,
            "check that this machine can reach the org's My Domain host, or allow more time with --call-timeout",
        ),
        RestError::Unreachable { .. } => (
            RefusalKind::Unreachable,
            "check the My Domain host name and that this machine can reach it",
        ),
        RestError::Status { status: 401, .. } => (
            RefusalKind::Rejected,
            "Salesforce refused the token it had just granted: check the app's session policies (IP restrictions) for the Run As user",
        ),
        RestError::Status { status: 403, .. } => (
            RefusalKind::Rejected,
            "give the Run As user the \"API Enabled\" permission and access to the target",
        ),
        _ => (
            RefusalKind::Rejected,
            "check the org's status (trust.salesforce.com) and run verify again",
        ),
    };
    Refusal {
        kind,
        error: format!("{what} failed: {}", error.describe()),
        hint: hint.to_string(),
    }
}

/// Why the allocations were not checked, when `/limits` did not answer.
pub(crate) fn limits_not_checked(error: &RestError) -> String {
    match error.status() {
        Some(403) => format!(
            "allocations: the Run As user may not read /limits ({}); it needs the \"{VIEW_SETUP}\" permission",
            error.describe()
        ),
        _ => format!("allocations: /limits did not answer ({})", error.describe()),
    }
}

/// Warnings for declared rates past the org's allocations, for a destination that publishes
/// events (`is_event`) or only makes requests. Rates are maxima: EventBridge calls no faster,
/// and a burst at the declared rate is what the allocation must hold.
pub(crate) fn allocation_warnings(
    limits: &OrgLimits,
    rates: OrgRates,
    is_event: bool,
) -> (Vec<String>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut not_checked = Vec::new();
    if is_event {
        match limits.hourly_published_platform_events {
            Some(allocation) => {
                let hourly = rates.events_per_second * 3600;
                if hourly > allocation.max {
                    warnings.push(format!(
                        "the org's Platform Event destinations may publish {} events an hour ({}/s declared in all), more than its hourly publishing allocation of {} (HourlyPublishedPlatformEvents): {}",
                        thousands(hourly),
                        rates.events_per_second,
                        thousands(allocation.max),
                        lower_to(allocation.max / 3600)
                    ));
                }
            }
            None => not_checked
                .push("allocations: /limits has no HourlyPublishedPlatformEvents".to_string()),
        }
    }
    match limits.daily_api_requests {
        Some(allocation) => {
            let daily = rates.requests_per_second * 86_400;
            if daily > allocation.max {
                warnings.push(format!(
                    "the org's API destinations may make {} requests a day ({}/s declared in all), more than its daily API request allocation of {} (DailyApiRequests): {}",
                    thousands(daily),
                    rates.requests_per_second,
                    thousands(allocation.max),
                    lower_to(allocation.max / 86_400)
                ));
            }
        }
        None => not_checked.push("allocations: /limits has no DailyApiRequests".to_string()),
    }
    (warnings, not_checked)
}

/// The fix for a rate past an allocation that holds `per_second` a second.
fn lower_to(per_second: u64) -> String {
    if per_second == 0 {
        "the allocation holds less than one a second: raise it, or expect Salesforce to refuse calls at a sustained rate".to_string()
    } else {
        format!("lower rateLimitPerSecond to {per_second}/s in all, or raise the allocation")
    }
}

/// `1234567` as `1,234,567`.
fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::salesforce::rest::{Allocation, Field};

    fn destination(target: DestinationTarget, rate: u32) -> DestinationSpec {
        DestinationSpec {
            name: "orders".into(),
            description: None,
            target,
            api_version: "v62.0".into(),
            rate_limit_per_second: rate,
            rate_origin: None,
            rules: Vec::new(),
            origin: Location::file(std::path::Path::new("x.yaml")),
        }
    }

    fn field(name: &str, nillable: bool, createable: bool, defaulted: bool) -> Field {
        Field {
            name: name.into(),
            kind: "string".into(),
            soap_type: None,
            nillable,
            createable,
            defaulted_on_create: defaulted,
        }
    }

    #[test]
    fn a_path_names_a_version_only_under_services_data() {
        let path = |p: &str| destination(DestinationTarget::Path(p.into()), 1);
        assert_eq!(
            version_of(&path("/services/data/v61.0/composite")).as_deref(),
            Some("v61.0")
        );
        assert_eq!(version_of(&path("/services/apexrest/orders")), None);
        assert_eq!(version_of(&path("/services/data/latest/x")), None);
        let event = destination(DestinationTarget::Event("Order_Placed__e".into()), 1);
        assert_eq!(version_of(&event).as_deref(), Some("v62.0"));
    }

    #[test]
    fn an_unserved_version_names_what_the_org_serves() {
        let served: Vec<String> = ["v31.0", "v65.0"].map(String::from).to_vec();
        assert_eq!(check_version(&served, "v65.0"), Ok(()));
        let refused = check_version(&served, "v70.0").unwrap_err();
        assert_eq!(refused.kind, RefusalKind::ApiVersion);
        assert_eq!(
            refused.error,
            "the org does not serve API version v70.0 (it serves v31.0 to v65.0)"
        );
        assert_eq!(
            refused.hint,
            "set `apiVersion:` to a version the org serves (e.g. v65.0)"
        );
    }

    #[test]
    fn describe_gives_the_required_fields_or_the_missing_permission() {
        let described = Described {
            createable: true,
            fields: vec![
                field("Order_Id__c", false, true, false),
                field("Note__c", true, true, false),
                field("CreatedDate", false, false, true),
            ],
        };
        assert_eq!(
            check_described("Order_Placed__e", "v62.0", Ok(described)),
            Ok(vec!["Order_Id__c".to_string()])
        );
        let refused = check_described(
            "Audit__e",
            "v62.0",
            Ok(Described {
                createable: false,
                fields: vec![],
            }),
        )
        .unwrap_err();
        assert_eq!(refused.kind, RefusalKind::NotCreateable);
        assert!(refused.hint.contains("permission set"), "{}", refused.hint);
        assert!(refused.hint.contains("Create"), "{}", refused.hint);
        let missing = check_described(
            "Ghost__e",
            "v62.0",
            Err(RestError::Status {
                status: 404,
                code: Some("NOT_FOUND".into()),
                message: None,
            }),
        )
        .unwrap_err();
        assert_eq!(missing.kind, RefusalKind::NotFound);
        assert_eq!(
            missing.error,
            "the org has no Platform Event Ghost__e at v62.0 (HTTP 404 NOT_FOUND)"
        );
    }

    #[test]
    fn rates_past_the_hourly_allocation_warn_and_under_it_do_not() {
        let limits = OrgLimits {
            hourly_published_platform_events: Some(Allocation {
                max: 250_000,
                remaining: None,
            }),
            daily_api_requests: Some(Allocation {
                max: 10_000_000,
                remaining: None,
            }),
        };
        let mut under = OrgRates::default();
        under.add(&destination(DestinationTarget::Event("A__e".into()), 69));
        assert_eq!(allocation_warnings(&limits, under, true), (vec![], vec![]));
        let mut over = OrgRates::default();
        over.add(&destination(DestinationTarget::Event("A__e".into()), 70));
        let (warnings, not_checked) = allocation_warnings(&limits, over, true);
        assert!(not_checked.is_empty());
        assert_eq!(
            warnings,
            [
                "the org's Platform Event destinations may publish 252,000 events an hour (70/s declared in all), more than its hourly publishing allocation of 250,000 (HourlyPublishedPlatformEvents): lower rateLimitPerSecond to 69/s in all, or raise the allocation"
            ]
        );
        // An sObject destination publishes no event: only the daily requests count.
        assert_eq!(allocation_warnings(&limits, over, false), (vec![], vec![]));
    }

    #[test]
    fn rates_past_the_daily_api_allocation_warn() {
        let limits = OrgLimits {
            hourly_published_platform_events: None,
            daily_api_requests: Some(Allocation {
                max: 15_000,
                remaining: Some(10),
            }),
        };
        let mut rates = OrgRates::default();
        rates.add(&destination(DestinationTarget::SObject("Case".into()), 1));
        let (warnings, _) = allocation_warnings(&limits, rates, false);
        assert_eq!(
            warnings,
            [
                "the org's API destinations may make 86,400 requests a day (1/s declared in all), more than its daily API request allocation of 15,000 (DailyApiRequests): the allocation holds less than one a second: raise it, or expect Salesforce to refuse calls at a sustained rate"
            ]
        );
        let (_, not_checked) = allocation_warnings(&limits, rates, true);
        assert_eq!(
            not_checked,
            ["allocations: /limits has no HourlyPublishedPlatformEvents"]
        );
    }

    #[test]
    fn a_refused_limits_read_names_the_permission() {
        let forbidden = RestError::Status {
            status: 403,
            code: Some("INSUFFICIENT_ACCESS".into()),
            message: Some("insufficient access rights on object id".into()),
        };
        assert_eq!(
            limits_not_checked(&forbidden),
            "allocations: the Run As user may not read /limits (HTTP 403 INSUFFICIENT_ACCESS: insufficient access rights on object id); it needs the \"View Setup and Configuration\" permission"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_080_000), "1,080,000");
    }
}
