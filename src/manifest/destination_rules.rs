//! Salesforce's and AWS's rules for an API destination's target, checked offline: Platform
//! Event and sObject API names, REST paths, API versions and the rate limit.

use super::limits::{ENDPOINT_MAX, Violation};

/// EventBridge's `InvocationRateLimitPerSecond`: at least 1 invocation per second. The API
/// model sets no maximum; the field is a 32-bit integer, so that is the largest rate it carries.
pub const RATE_LIMIT_MIN: u32 = 1;
pub const RATE_LIMIT_MAX: u32 = i32::MAX.unsigned_abs();
/// AWS's default invocation rate of an API destination, and its default quota: a higher rate
/// is valid in an account and Region whose quota was raised.
pub const DEFAULT_RATE_LIMIT: u32 = 300;

/// What to say of a valid rate above AWS's default quota, which needs the quota raised.
pub fn rate_quota_note(rate: u32) -> Option<String> {
    (rate > DEFAULT_RATE_LIMIT).then(|| {
        format!(
            "{rate} invocations per second is above {DEFAULT_RATE_LIMIT}, AWS's default quota for an API destination: EventBridge takes it only in an account and Region whose quota was raised (Service Quotas)"
        )
    })
}

/// The method of every API destination provision declares: Salesforce's REST API creates a
/// record (a Platform Event is published) with POST.
pub const HTTP_METHOD: &str = "POST";

/// The longest REST path: it leaves 148 of AWS's [`ENDPOINT_MAX`] characters for `https://`
/// and the My Domain host in front of it.
pub const PATH_MAX: usize = 1900;

fn violation(message: impl Into<String>, help: impl Into<String>) -> Violation {
    Violation {
        message: message.into(),
        help: help.into(),
    }
}

/// An API name: letters, digits and single underscores, starting with a letter; an optional
/// namespace prefix (`ns__`) and a suffix such as `__c` or `__e` are separated by two.
pub(crate) fn is_api_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split("__").collect();
    if parts.len() > 3 || name.len() > 80 {
        return false;
    }
    parts.iter().all(|part| {
        !part.is_empty()
            && part.starts_with(|c: char| c.is_ascii_alphabetic())
            && !part.ends_with('_')
            && !part.contains("__")
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A Platform Event's API name: `Order_Placed__e`, or `ns__Order_Placed__e`.
pub fn check_event(name: &str) -> Result<(), Violation> {
    if !name.ends_with("__e") {
        return Err(violation(
            format!("`{name}` is not a Platform Event API name: those end in `__e`"),
            "write the event's API name from Setup > Platform Events, e.g. `Order_Placed__e`; for an object use `sobject:`",
        ));
    }
    if !is_api_name(name) {
        return Err(violation(
            format!(
                "`{name}` is not an API name: letters, digits and single underscores, starting with a letter"
            ),
            "write the event's API name from Setup > Platform Events, e.g. `Order_Placed__e`",
        ));
    }
    Ok(())
}

/// An sObject's API name: `Case`, `Invoice__c`, `ns__Invoice__c`.
pub fn check_sobject(name: &str) -> Result<(), Violation> {
    if name.ends_with("__e") {
        return Err(violation(
            format!("`{name}` is a Platform Event"),
            "use `event:` for Platform Events",
        ));
    }
    if !is_api_name(name) {
        return Err(violation(
            format!(
                "`{name}` is not an sObject API name: letters, digits and single underscores, starting with a letter"
            ),
            "write the object's API name from the Object Manager, e.g. `Case` or `Invoice__c`",
        ));
    }
    Ok(())
}

/// A REST path under `/services/`, in the characters AWS allows in an invocation endpoint.
pub fn check_path(path: &str) -> Result<(), Violation> {
    if !path.starts_with("/services/") {
        return Err(violation(
            format!("`{path}` is not a Salesforce REST path: it must start with `/services/`"),
            "write e.g. `path: /services/apexrest/orders` (the host is the connection's My Domain)",
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-()_.!~*';/?:@&=+$,%".contains(c);
    if let Some(bad) = path.chars().find(|c| !allowed(*c)) {
        return Err(violation(
            format!(
                "the path contains `{}`, which AWS does not allow in an endpoint",
                bad.escape_debug()
            ),
            "percent-encode it (a space is %20)",
        ));
    }
    if path.len() > PATH_MAX {
        return Err(violation(
            format!(
                "the path is {} characters long; with the host it must fit AWS's {ENDPOINT_MAX}",
                path.len()
            ),
            "shorten the path",
        ));
    }
    Ok(())
}

/// `vNN.N`, e.g. `v62.0`.
/// A whole number written as plain decimal digits, without sign, separator, base prefix or
/// leading zero (which YAML 1.1 reads as octal).
pub fn is_plain_decimal(written: &str) -> bool {
    !written.is_empty()
        && written.bytes().all(|b| b.is_ascii_digit())
        && (written == "0" || !written.starts_with('0'))
}

/// `vNN.N` exactly, as Salesforce writes its API versions (`v62.0`).
pub fn check_api_version(version: &str) -> Result<(), Violation> {
    let valid = version
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            major.len() == 2
                && !major.starts_with('0')
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.len() == 1
                && minor.bytes().all(|b| b.is_ascii_digit())
        });
    if valid {
        Ok(())
    } else {
        Err(violation(
            format!("`{version}` is not a Salesforce API version"),
            "write it as `vNN.N`, e.g. `v62.0`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_rate_above_the_default_quota_gets_a_note() {
        assert_eq!(rate_quota_note(DEFAULT_RATE_LIMIT), None);
        assert_eq!(rate_quota_note(1), None);
        assert!(
            rate_quota_note(301)
                .is_some_and(|note| note.starts_with("301 invocations per second is above 300"))
        );
        assert_eq!(i64::from(RATE_LIMIT_MAX), i64::from(i32::MAX));
    }

    #[test]
    fn api_versions_are_exactly_v_two_digits_dot_one_digit() {
        for good in ["v62.0", "v60.0", "v99.9"] {
            assert!(check_api_version(good).is_ok(), "{good}");
        }
        for bad in [
            "v062.0", "v6.0", "v100.0", "62.0", "v62", "v62.00", "v62.0 ", "V62.0", "v06.0",
        ] {
            assert!(check_api_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_plain_decimal_digits_are_integers() {
        for good in ["1", "16", "300", "0"] {
            assert!(is_plain_decimal(good), "{good}");
        }
        for bad in [
            "0x10", "0o20", "+16", "1_6", "016", "16.0", "1e2", "", " 16",
        ] {
            assert!(!is_plain_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn event_and_sobject_names_follow_salesforce_api_names() {
        assert!(check_event("Order_Placed__e").is_ok());
        assert!(check_event("ns__Order__e").is_ok());
        assert!(check_event("Order_Placed").is_err());
        assert!(check_event("Order__Placed__x__e").is_err());
        assert!(check_event("_Order__e").is_err());
        assert!(check_sobject("Case").is_ok());
        assert!(check_sobject("Invoice__c").is_ok());
        assert!(check_sobject("Bad Name").is_err());
        assert!(check_sobject("Order__e").is_err());
    }

    #[test]
    fn paths_and_versions() {
        assert!(check_path("/services/apexrest/orders").is_ok());
        assert!(check_path("/apexrest/orders").is_err());
        assert!(check_path("/services/apexrest/my orders").is_err());
        assert!(check_api_version("v62.0").is_ok());
        assert!(check_api_version("62.0").is_err());
        assert!(check_api_version("v62").is_err());
    }
}
