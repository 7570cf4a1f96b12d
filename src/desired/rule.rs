//! The desired state of an EventBridge rule and its targets: what PutRule and PutTargets send.
//!
//! A rule is declared under the API destination it targets (`rules:`); one rule name under
//! several destinations of one file is one rule with a target per destination (the load
//! refuses it across files, and a pattern or bus that differs between the declarations).
//! [`DesiredRule::all`] gathers the rules of the documents placed in one account and Region,
//! in the order the files declare them.

use crate::error::Location;
use crate::manifest::{ConnectionSpec, DestinationSpec, RuleSpec, pattern};
use crate::ownership::OwnershipSet;
use crate::place::Place;
use crate::route::{InputTransformer, RetryPolicy};

/// A rule as PutRule sends it; provision's rules are always enabled (`State: ENABLED`), so a
/// rule disabled behind the tool's back is drift.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesiredRule {
    pub(crate) name: String,
    /// The event bus's name (`default`, or the name a bus ARN ends in).
    pub(crate) bus: String,
    /// The account and Region it is wanted in (its destinations').
    pub(crate) place: Place,
    /// The event pattern's canonical JSON text, as PutRule sends it.
    pub(crate) pattern: String,
    /// The description as stored in AWS: the set's ownership marker, as on destinations
    /// (ownership itself is proven by the rule's tag).
    pub(crate) description: String,
    /// One target per destination the rule is declared under, in the files' order.
    pub(crate) targets: Vec<DesiredTarget>,
    /// Where the rule is first declared.
    pub(crate) origin: Location,
}

/// One target of a rule: an API destination, invoked with a role.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DesiredTarget {
    /// The target's `Id`: the destination's name (1-64 of `[\.\-_A-Za-z0-9]`, as a target
    /// id), unique among a rule's targets since destination names are.
    pub(crate) id: String,
    /// The API destination's name; its ARN is known once it exists.
    pub(crate) destination: String,
    pub(crate) role_arn: String,
    pub(crate) input: InputTransformer,
    /// AWS's defaults where the YAML leaves them out, so a target read back without a retry
    /// policy, or with the defaults, is no difference.
    pub(crate) retry: RetryPolicy,
    pub(crate) dead_letter_queue: Option<String>,
    /// A sample event, rendered by `verify --publish-test` through `input`.
    pub(crate) sample: Option<serde_json::Value>,
    /// Where this declaration of the rule is (its `name` key).
    pub(crate) origin: Location,
}

impl DesiredTarget {
    fn new(rule: &RuleSpec, destination: &DestinationSpec) -> Self {
        DesiredTarget {
            id: destination.name.clone(),
            destination: destination.name.clone(),
            role_arn: rule.role.clone(),
            input: rule.transformer(),
            retry: rule.retry.unwrap_or_default(),
            dead_letter_queue: rule.dead_letter_queue.clone(),
            sample: rule.sample.clone(),
            origin: rule.origin.clone(),
        }
    }
}

impl DesiredRule {
    /// The rules declared under the destinations of `specs` (the documents placed in
    /// `place`), one per bus and name, each with a target per destination, for `set`.
    pub(crate) fn all(specs: &[ConnectionSpec], place: &Place, set: &OwnershipSet) -> Vec<Self> {
        let mut rules: Vec<DesiredRule> = Vec::new();
        let declared = specs
            .iter()
            .flat_map(|spec| &spec.destinations)
            .flat_map(|destination| {
                destination
                    .rules
                    .iter()
                    .map(move |rule| (rule, destination))
            });
        for (rule, destination) in declared {
            let target = DesiredTarget::new(rule, destination);
            match rules
                .iter_mut()
                .find(|known| known.name == rule.name && known.bus == rule.bus_name())
            {
                Some(known) => known.targets.push(target),
                None => rules.push(DesiredRule {
                    name: rule.name.clone(),
                    bus: rule.bus_name().to_string(),
                    place: place.clone(),
                    pattern: pattern::text(&rule.pattern),
                    description: set.describe(None),
                    targets: vec![target],
                    origin: rule.origin.clone(),
                }),
            }
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::convert::convert_text;

    const DOCUMENT: &str = "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: S }\ndestinations:\n  - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n      - name: orders-to-salesforce\n        pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}\n        body:\n          Order_Id__c: $.detail.id\n          Amount__c: $.detail.total\n        retry: {attempts: 10, maxEventAge: 1h}\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n        role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n  - name: acme-order-audit\n    event: Order_Audit__e\n    rules:\n      - name: orders-to-salesforce\n        pattern: {detail-type: [OrderPlaced], source: [com.acme.orders]}\n        body:\n          Order_Id__c: $.detail.id\n        role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n";

    #[test]
    fn the_issues_rule_becomes_one_rule_with_a_target_per_destination() {
        let spec = convert_text(DOCUMENT).unwrap();
        let place = Place::new("123456789012", "us-east-1");
        let rules = DesiredRule::all(&[spec], &place, &OwnershipSet::default());
        assert_eq!(rules.len(), 1);
        let rule = &rules[0];
        assert_eq!(rule.name, "orders-to-salesforce");
        assert_eq!(rule.bus, "default");
        assert_eq!(
            rule.pattern,
            r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#
        );
        assert_eq!(rule.description, "[managed by provision]");
        let [orders, audit] = rule.targets.as_slice() else {
            panic!("two targets: {:?}", rule.targets);
        };
        assert_eq!(orders.id, "acme-order-events");
        assert_eq!(orders.destination, "acme-order-events");
        assert_eq!(
            orders.input.input_template,
            r#"{"Order_Id__c":<Order_Id__c>,"Amount__c":<Amount__c>}"#
        );
        assert_eq!(
            orders.retry,
            RetryPolicy {
                maximum_retry_attempts: 10,
                maximum_event_age_seconds: 3600
            }
        );
        assert_eq!(
            orders.dead_letter_queue.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:orders-dlq")
        );
        assert_eq!(
            orders.role_arn,
            "arn:aws:iam::123456789012:role/eventbridge-invoke-orders"
        );
        assert_eq!(audit.id, "acme-order-audit");
        assert_eq!(audit.retry, RetryPolicy::AWS_DEFAULT);
        assert_eq!(audit.dead_letter_queue, None);
    }
}
