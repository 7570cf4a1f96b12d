//! AWS's rules for an EventBridge rule and its target, checked offline: the bus, the role,
//! the dead-letter queue, the retry policy and its durations, and the body's fields and
//! paths. The pattern has its own module, [`pattern`](super::pattern).
//!
//! The limits are the EventBridge API reference's (`PutRule`, `PutTargets`, `Target`,
//! `RetryPolicy`, `DeadLetterConfig`, `InputTransformer`), each named beside its check; the
//! JSON Schema reads the same constants.

use super::destination_rules::is_api_name;
use super::limits::Violation;
use crate::route::{EVENT_AGE_MAX_SECONDS, EVENT_AGE_MIN_SECONDS, RETRY_ATTEMPTS_MAX};

pub(crate) use crate::route::path::PATH_MAX;
pub(crate) use crate::route::transformer::{TEMPLATE_MAX, VARIABLES_MAX};

/// The bus of a rule left without `bus:`.
pub const DEFAULT_BUS: &str = "default";
/// `EventBusName` of PutRule, a name or an ARN: 1..1600 characters.
pub const BUS_MAX: usize = 1600;
/// An event bus's own name (CreateEventBus `Name`): 1..256 of `[/\.\-_A-Za-z0-9]+`.
pub const BUS_NAME_MAX: usize = 256;
/// `RoleArn` of a target and `Arn` of its `DeadLetterConfig`: 1..1600 characters.
pub const ARN_MAX: usize = 1600;
/// Targets of one rule: EventBridge's quota "Targets per rule: 5", which cannot be raised
/// (EventBridge user guide, "Amazon EventBridge quotas").
pub const TARGETS_PER_RULE_MAX: usize = 5;
/// An IAM role's name: 1..64 of `[\w+=,.@-]` (IAM API reference, `CreateRole` `RoleName`).
pub const ROLE_NAME_MAX: usize = 64;
/// An SQS queue's name: 1..80 of letters, digits, `-` and `_` (SQS API reference,
/// `CreateQueue` `QueueName`), a FIFO queue's ending in `.fifo`.
pub const QUEUE_NAME_MAX: usize = 80;

/// The JSON Schema's patterns for the same checks.
pub const BUS_PATTERN: &str =
    "^(arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:event-bus/)?[-/._A-Za-z0-9]+$";
pub const ROLE_PATTERN: &str =
    "^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\\x21-\\x7E]+/)?[-\\w+=,.@]{1,64}$";
pub const QUEUE_PATTERN: &str =
    "^arn:aws[a-z-]*:sqs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[-_A-Za-z0-9]{1,80}$";
pub const DURATION_PATTERN: &str = "^[1-9][0-9]*[smh]$";

fn violation(message: impl Into<String>, help: impl Into<String>) -> Violation {
    Violation {
        message: message.into(),
        help: help.into(),
    }
}

/// The parts of `arn:<partition>:<service>:<region>:<account>:<resource>`, when `text` is one
/// of `service` (any partition: `aws`, `aws-cn`, `aws-us-gov`).
fn arn_parts<'a>(text: &'a str, service: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(found), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let partition_ok = partition
        .strip_prefix("aws")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (partition_ok && found == service && account_ok).then_some((region, account, resource))
}

fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The bus's name: `bus` itself, or what follows `event-bus/` in a bus ARN.
pub fn bus_name(bus: &str) -> &str {
    match arn_parts(bus, "events") {
        Some((_, _, resource)) => resource.strip_prefix("event-bus/").unwrap_or(resource),
        None => bus,
    }
}

/// The Region a bus ARN names (`None`: a bus name, in the rule's own Region).
pub fn bus_region(bus: &str) -> Option<&str> {
    arn_parts(bus, "events").map(|(region, _, _)| region)
}

/// PutRule `EventBusName`: `default`, a bus name, or a bus ARN.
pub fn check_bus(bus: &str) -> Result<(), Violation> {
    let help = "write `default`, an event bus name such as `orders`, or its ARN `arn:aws:events:<region>:<account>:event-bus/<name>`";
    if bus.len() > BUS_MAX {
        return Err(violation(
            format!(
                "the bus is {} characters long; EventBridge takes at most {BUS_MAX}",
                bus.len()
            ),
            help,
        ));
    }
    let name = if bus.starts_with("arn:") {
        match arn_parts(bus, "events") {
            Some((region, _, resource)) if is_region(region) => {
                match resource.strip_prefix("event-bus/") {
                    Some(name) => name,
                    None => {
                        return Err(violation(
                            format!(
                                "`{bus}` is not an event bus ARN: its resource must be `event-bus/<name>`"
                            ),
                            help,
                        ));
                    }
                }
            }
            _ => {
                return Err(violation(format!("`{bus}` is not an event bus ARN"), help));
            }
        }
    } else {
        bus
    };
    let valid = !name.is_empty()
        && name.len() <= BUS_NAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(violation(
            format!("`{name}` is not an event bus name: 1-{BUS_NAME_MAX} of A-Z a-z 0-9 / . - _"),
            help,
        ))
    }
}

/// A target's `RoleArn`: an IAM role's ARN, `arn:aws:iam::<account>:role/<path/><name>`.
pub fn check_role(role: &str) -> Result<(), Violation> {
    let help = "write the ARN of the role EventBridge assumes to invoke the API destination, e.g. `arn:aws:iam::123456789012:role/eventbridge-invoke-orders` (`provision iam-policy --for rule` prints its policies)";
    let name = arn_parts(role, "iam")
        .filter(|(region, _, _)| region.is_empty())
        .and_then(|(_, _, resource)| resource.strip_prefix("role/"))
        .map(|path| path.rsplit('/').next().unwrap_or(path));
    let Some(name) = name else {
        return Err(violation(format!("`{role}` is not an IAM role ARN"), help));
    };
    let valid = role.len() <= ARN_MAX
        && !name.is_empty()
        && name.len() <= ROLE_NAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(violation(
            format!(
                "`{name}` is not an IAM role name: 1-{ROLE_NAME_MAX} of letters, digits and _ + = , . @ -"
            ),
            help,
        ))
    }
}

/// The `DeadLetterConfig` `Arn`: a standard SQS queue's ARN, in the rule's Region, of any
/// account (EventBridge user guide, "Considerations for using a dead-letter queue": "Only
/// standard queues are supported", "The Amazon SQS queue you use must be in the same Region
/// in which you create the rule"; the Region is checked where the document's Regions are
/// written, see the connection's walk).
pub fn check_dead_letter_queue(queue: &str) -> Result<(), Violation> {
    let help = "write the ARN of an SQS queue, e.g. `arn:aws:sqs:us-east-1:123456789012:orders-dlq` (`provision iam-policy --for rule` prints the queue policy EventBridge needs)";
    let Some((region, _, name)) =
        arn_parts(queue, "sqs").filter(|(region, _, _)| is_region(region))
    else {
        return Err(violation(
            format!("`{queue}` is not an SQS queue ARN"),
            help,
        ));
    };
    if name.ends_with(".fifo") {
        return Err(violation(
            format!(
                "`{name}` is a FIFO queue; EventBridge takes only standard queues as dead-letter queues (EventBridge user guide, \"Considerations for using a dead-letter queue\")"
            ),
            help,
        ));
    }
    let _ = region;
    let valid = !name.is_empty()
        && name.len() <= QUEUE_NAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(violation(
            format!(
                "`{name}` is not an SQS queue name: 1-{QUEUE_NAME_MAX} of letters, digits, - and _"
            ),
            help,
        ))
    }
}

/// The Region of a dead-letter queue's ARN.
pub fn queue_region(queue: &str) -> Option<&str> {
    arn_parts(queue, "sqs").map(|(region, _, _)| region)
}

/// `retry.attempts`: `MaximumRetryAttempts`, 0..185.
pub fn check_attempts(attempts: u64) -> Result<u32, Violation> {
    u32::try_from(attempts)
        .ok()
        .filter(|attempts| *attempts <= RETRY_ATTEMPTS_MAX)
        .ok_or_else(|| {
            violation(
                format!("{attempts} retry attempts is more than EventBridge's {RETRY_ATTEMPTS_MAX}"),
                format!("write 0 to {RETRY_ATTEMPTS_MAX}, or leave `attempts` out for AWS's default, {RETRY_ATTEMPTS_MAX}"),
            )
        })
}

/// `seconds` as `maxEventAge` is written, the inverse of [`parse_event_age`]: in the largest of
/// hours, minutes and seconds that holds it whole (`24h`, `10m`, `90s`).
pub fn event_age_text(seconds: u32) -> String {
    match seconds {
        0 => "0s".to_string(),
        n if n % 3600 == 0 => format!("{}h", n / 3600),
        n if n % 60 == 0 => format!("{}m", n / 60),
        n => format!("{n}s"),
    }
}

/// `retry.maxEventAge`: a duration such as `90s`, `30m`, `1h` or `24h`, in seconds, within
/// `MaximumEventAgeInSeconds`' 60..86400.
pub fn parse_event_age(written: &str) -> Result<u32, Violation> {
    let help = "write a whole number of seconds, minutes or hours from 60s to 24h, e.g. `maxEventAge: 90s`, `30m` or `1h` (AWS's default, when left out: 24h)";
    let unit = written.chars().last().and_then(|unit| match unit {
        's' => Some(1u64),
        'm' => Some(60),
        'h' => Some(3600),
        _ => None,
    });
    let digits = &written[..written.len().saturating_sub(1)];
    let seconds = unit.and_then(|unit| {
        (super::destination_rules::is_plain_decimal(digits))
            .then(|| digits.parse::<u64>().ok())
            .flatten()
            .and_then(|n| n.checked_mul(unit))
    });
    let Some(seconds) = seconds else {
        return Err(violation(format!("`{written}` is not a duration"), help));
    };
    match u32::try_from(seconds) {
        Ok(seconds) if (EVENT_AGE_MIN_SECONDS..=EVENT_AGE_MAX_SECONDS).contains(&seconds) => {
            Ok(seconds)
        }
        _ => Err(violation(
            format!(
                "`{written}` is {seconds} seconds; EventBridge keeps retrying an event for {EVENT_AGE_MIN_SECONDS} to {EVENT_AGE_MAX_SECONDS} seconds (1 minute to 24 hours)"
            ),
            help,
        )),
    }
}

/// A body field: a Platform Event field's API name (`Order_Id__c`).
pub fn check_field(field: &str) -> Result<(), Violation> {
    if is_api_name(field) {
        Ok(())
    } else {
        Err(violation(
            format!(
                "`{field}` is not a field API name: letters, digits and single underscores, starting with a letter"
            ),
            "write the Platform Event field's API name from Setup > Platform Events > Custom Fields, e.g. `Order_Id__c`",
        ))
    }
}

/// A body path: EventBridge's JSON path subset, and no wildcard (it yields a list, which no
/// Platform Event field takes, and EventBridge does not document what it yields).
pub fn check_body_path(path: &str) -> Result<(), Violation> {
    let steps =
        crate::route::path::parse(path).map_err(|error| violation(error.message, error.help))?;
    if steps.is_empty() {
        return Err(violation(
            "`$` is the whole event, which no Platform Event field takes",
            "write the path of one value in the event, e.g. `$.detail.id`",
        ));
    }
    if steps.contains(&crate::route::path::Step::Wildcard) {
        return Err(violation(
            format!(
                "`{path}` has a wildcard: it yields a list, which no Platform Event field takes"
            ),
            "write the path of one value, with an index for an item of a list (`$.detail.items[0].sku`)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buses_are_default_a_name_or_a_bus_arn() {
        for good in [
            "default",
            "orders",
            "team/orders.v2",
            "arn:aws:events:us-east-1:123456789012:event-bus/orders",
            "arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/default",
        ] {
            assert!(check_bus(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("", "is not an event bus name"),
            ("my bus", "is not an event bus name"),
            (
                "arn:aws:events:us-east-1:123456789012:rule/orders",
                "must be `event-bus/<name>`",
            ),
            (
                "arn:aws:sqs:us-east-1:123456789012:orders",
                "is not an event bus ARN",
            ),
            (
                "arn:aws:events:us-east-1:1234:event-bus/orders",
                "is not an event bus ARN",
            ),
        ] {
            let found = check_bus(bad).unwrap_err().message;
            assert!(found.contains(says), "{bad}: {found}");
        }
        assert!(check_bus(&"b".repeat(BUS_NAME_MAX)).is_ok());
        assert!(check_bus(&"b".repeat(BUS_NAME_MAX + 1)).is_err());
        assert_eq!(
            bus_name("arn:aws:events:us-east-1:123456789012:event-bus/orders"),
            "orders"
        );
        assert_eq!(bus_name("orders"), "orders");
        assert_eq!(
            bus_region("arn:aws:events:eu-west-1:123456789012:event-bus/orders"),
            Some("eu-west-1")
        );
    }

    #[test]
    fn roles_are_iam_role_arns() {
        for good in [
            "arn:aws:iam::123456789012:role/eventbridge-invoke-orders",
            "arn:aws:iam::123456789012:role/service-role/Amazon_EventBridge_Invoke_Api_Destination_1",
            "arn:aws-cn:iam::123456789012:role/a+b=c,d.e@f",
        ] {
            assert!(check_role(good).is_ok(), "{good}");
        }
        for bad in [
            "eventbridge-invoke-orders",
            "arn:aws:iam::123456789012:user/me",
            "arn:aws:iam:us-east-1:123456789012:role/r",
            "arn:aws:iam::12345:role/r",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/has space",
        ] {
            assert!(check_role(bad).is_err(), "{bad}");
        }
        let long = format!(
            "arn:aws:iam::123456789012:role/{}",
            "r".repeat(ROLE_NAME_MAX + 1)
        );
        assert!(check_role(&long).is_err());
    }

    #[test]
    fn dead_letter_queues_are_sqs_queue_arns() {
        assert!(check_dead_letter_queue("arn:aws:sqs:us-east-1:123456789012:orders-dlq").is_ok());
        for bad in [
            "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq",
            "arn:aws:sns:us-east-1:123456789012:orders",
            "arn:aws:sqs::123456789012:orders",
            "arn:aws:sqs:us-east-1:123456789012:orders.dlq",
            "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
        ] {
            assert!(check_dead_letter_queue(bad).is_err(), "{bad}");
        }
        assert_eq!(
            queue_region("arn:aws:sqs:eu-west-1:123456789012:q"),
            Some("eu-west-1")
        );
    }

    #[test]
    fn durations_are_whole_seconds_minutes_or_hours_within_eventbridges_range() {
        for (written, seconds) in [
            ("60s", 60),
            ("90s", 90),
            ("30m", 1800),
            ("1h", 3600),
            ("24h", 86_400),
        ] {
            assert_eq!(parse_event_age(written), Ok(seconds), "{written}");
        }
        for (bad, says) in [
            ("59s", "is 59 seconds"),
            ("25h", "is 90000 seconds"),
            ("1d", "is not a duration"),
            ("1.5h", "is not a duration"),
            ("01h", "is not a duration"),
            ("h", "is not a duration"),
            ("3600", "is not a duration"),
            ("99999999999999999999h", "is not a duration"),
        ] {
            let found = parse_event_age(bad).unwrap_err().message;
            assert!(found.contains(says), "{bad}: {found}");
        }
        assert_eq!(check_attempts(0), Ok(0));
        assert_eq!(check_attempts(185), Ok(185));
        assert!(check_attempts(186).is_err());
    }

    #[test]
    fn body_fields_are_api_names_and_paths_single_values() {
        assert!(check_field("Order_Id__c").is_ok());
        assert!(check_field("Order Id").is_err());
        assert!(check_body_path("$.detail.id").is_ok());
        assert!(check_body_path("$.detail.items[0].sku").is_ok());
        for (bad, says) in [
            ("$", "the whole event"),
            ("$.detail.items[*]", "has a wildcard"),
            ("$.detail.*", "has a wildcard"),
            ("detail.id", "does not start with `$`"),
        ] {
            let found = check_body_path(bad).unwrap_err().message;
            assert!(found.contains(says), "{bad}: {found}");
        }
    }
}
