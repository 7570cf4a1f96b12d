//! `rules:` under an API destination: the EventBridge rules that route events to it, each
//! with its pattern (in EventBridge's grammar), its body (Platform Event field -> path), its
//! role, retry policy, dead-letter queue and an optional sample event.

use super::walker::{At, Walker, at_value, child, kind, lookup, nth};
use crate::manifest::keys;
use crate::manifest::limits::{self, Violation};
use crate::manifest::rule_checks::{self, DEFAULT_BUS, TEMPLATE_MAX, VARIABLES_MAX};
use crate::manifest::yaml::Segment;
use crate::manifest::{BodyField, RuleSpec, destination_rules, pattern};
use crate::route::RetryPolicy;
use serde_yaml::Value;

impl Walker<'_> {
    /// `rules:`, a list of rules targeting the destination at `path`'s parent.
    pub(super) fn rules(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<RuleSpec>> {
        if value.is_null() {
            return Some(Vec::new());
        }
        let items = self.sequence(
            value,
            path,
            "rules",
            "write `rules:` with one `- name: ...` item per EventBridge rule",
        )?;
        let mut ok = true;
        let mut rules: Vec<RuleSpec> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = nth(path, index);
            match self.rule(item, &item_path) {
                Some(rule) => {
                    if let Some(first) = rules
                        .iter()
                        .find(|r| r.name == rule.name && r.bus_name() == rule.bus_name())
                    {
                        self.report(
                            &child(&item_path, "name"),
                            At::Value,
                            format!("rule `{}` is declared twice on this destination; it is also declared at {}", rule.name, first.origin),
                            "a rule targets a destination once: remove one of them, or rename it",
                        );
                        ok = false;
                    }
                    rules.push(rule);
                }
                None => ok = false,
            }
        }
        ok.then_some(rules)
    }

    fn rule(&mut self, value: &Value, path: &[Segment]) -> Option<RuleSpec> {
        let entries = self.mapping(value, path, keys::RULE)?;
        let name = self
            .required(
                &entries,
                path,
                "name",
                &format!("add `name: <rule-name>` ({})", limits::name_rule()),
            )
            .and_then(|value| {
                let name_path = child(path, "name");
                let name = self.string(value, &name_path)?;
                (self.check(&name_path, limits::check_name(&name))
                    && self.check(&name_path, self.prefixed(&name, "rule")))
                .then_some(name)
            });
        let bus = match lookup(&entries, "bus") {
            None => Some(DEFAULT_BUS.to_string()),
            Some(value) if value.is_null() => Some(DEFAULT_BUS.to_string()),
            Some(value) => {
                let bus_path = child(path, "bus");
                self.string(value, &bus_path)
                    .filter(|bus| self.check(&bus_path, rule_checks::check_bus(bus)))
            }
        };
        let pattern_path = child(path, "pattern");
        let pattern = self
            .required(
                &entries,
                path,
                "pattern",
                "add `pattern: {source: [...], detail-type: [...]}`: the events this rule matches",
            )
            .and_then(|value| self.pattern(value, &pattern_path));
        let body = self
            .required(
                &entries,
                path,
                "body",
                "add `body:` with `Field__c: $.path.in.event` pairs: the Platform Event fields Salesforce receives",
            )
            .and_then(|value| self.body(value, &child(path, "body")));
        let retry = match lookup(&entries, "retry") {
            None => Some(None),
            Some(value) if value.is_null() => Some(None),
            Some(value) => self.retry(value, &child(path, "retry")).map(Some),
        };
        let dead_letter_queue = match lookup(&entries, "deadLetterQueue") {
            None => Some(None),
            Some(value) if value.is_null() => Some(None),
            Some(value) => {
                let queue_path = child(path, "deadLetterQueue");
                self.string(value, &queue_path)
                    .filter(|queue| {
                        self.check(&queue_path, rule_checks::check_dead_letter_queue(queue))
                    })
                    .map(Some)
            }
        };
        let role = self
            .required(
                &entries,
                path,
                "role",
                "add `role: arn:aws:iam::<account>:role/<name>`: the role EventBridge assumes to invoke the destination (`provision iam-policy --for rule` prints its policies)",
            )
            .and_then(|value| {
                let role_path = child(path, "role");
                self.string(value, &role_path)
                    .filter(|role| self.check(&role_path, rule_checks::check_role(role)))
            });
        let sample = match lookup(&entries, "sample") {
            None => Some(None),
            Some(value) if value.is_null() => Some(None),
            Some(value) => {
                let sample_path = child(path, "sample");
                match value {
                    Value::Mapping(_) => self.json(value, &sample_path).map(Some),
                    _ => {
                        self.report(
                            &sample_path,
                            at_value(value),
                            format!("a sample event is a mapping, found {}", kind(value)),
                            "write the event as EventBridge delivers it: `sample: {source: com.acme.orders, detail-type: OrderPlaced, detail: {...}}`",
                        );
                        None
                    }
                }
            }
        };
        let pattern_origin = self.origin(&pattern_path);
        let rule = RuleSpec {
            name: name?,
            bus: bus?,
            pattern: pattern?,
            body: body?,
            retry: retry?,
            dead_letter_queue: dead_letter_queue?,
            role: role?,
            sample: sample?,
            pattern_origin,
            origin: self.location(&child(path, "name"), At::Key),
        };
        let template = rule.transformer().input_template;
        if template.len() > TEMPLATE_MAX {
            self.report(
                &child(path, "body"),
                At::Key,
                format!("the input template for these fields is {} characters; EventBridge takes at most {TEMPLATE_MAX}", template.len()),
                "send fewer fields (each costs its name twice and 6 characters)",
            );
            return None;
        }
        Some(rule)
    }

    /// `pattern:`, read as JSON, checked against EventBridge's grammar, kept canonical.
    fn pattern(&mut self, value: &Value, path: &[Segment]) -> Option<serde_json::Value> {
        let json = self.json(value, path)?;
        let errors = pattern::check(&json);
        if errors.is_empty() {
            return Some(pattern::canonical(&json));
        }
        for error in errors {
            let mut at = path.to_vec();
            at.extend(error.at);
            self.report(&at, At::Value, error.message, error.help);
        }
        None
    }

    /// `body:`, Platform Event field -> JSON path, in the order written.
    fn body(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<BodyField>> {
        let entries = match value {
            Value::Mapping(mapping) if !mapping.is_empty() => self.mapping(value, path, &[])?,
            _ => {
                self.report(
                    path,
                    at_value(value),
                    format!("`body` is a mapping of Platform Event fields to paths in the event, found {}", kind(value)),
                    "write e.g. `body: {Order_Id__c: $.detail.id, Amount__c: $.detail.total}`",
                );
                return None;
            }
        };
        if entries.len() > VARIABLES_MAX {
            self.report(
                path,
                At::Key,
                format!("the body has {} fields; EventBridge's input transformer takes at most {VARIABLES_MAX}", entries.len()),
                "send fewer fields, or split the event over several Platform Events",
            );
            return None;
        }
        let mut ok = true;
        let mut fields = Vec::new();
        for (field, item) in entries {
            let field_path = child(path, &field);
            if let Err(Violation { message, help }) = rule_checks::check_field(&field) {
                self.report(&field_path, At::Key, message, help);
                ok = false;
                continue;
            }
            let Some(written) = self.string(item, &field_path) else {
                ok = false;
                continue;
            };
            if !self.check(&field_path, rule_checks::check_body_path(&written)) {
                ok = false;
                continue;
            }
            fields.push(BodyField {
                field,
                path: written,
                origin: self.origin(&field_path),
            });
        }
        ok.then_some(fields)
    }

    /// `retry:`, `attempts` and `maxEventAge`, each AWS's default when left out.
    fn retry(&mut self, value: &Value, path: &[Segment]) -> Option<RetryPolicy> {
        let entries = self.mapping(value, path, keys::RETRY)?;
        let attempts = match lookup(&entries, "attempts") {
            None => Some(RetryPolicy::AWS_DEFAULT.maximum_retry_attempts),
            Some(value) => {
                let attempts_path = child(path, "attempts");
                let written = self.document.raw_scalar(&attempts_path).map(str::to_string);
                let decimal = written
                    .as_deref()
                    .is_some_and(destination_rules::is_plain_decimal);
                match value {
                    Value::Number(number) if decimal => {
                        match number.as_u64().map(rule_checks::check_attempts) {
                            Some(Ok(attempts)) => Some(attempts),
                            Some(Err(Violation { message, help })) => {
                                self.report(&attempts_path, At::Value, message, help);
                                None
                            }
                            None => None,
                        }
                    }
                    _ => {
                        let shown = written.unwrap_or_else(|| kind(value).to_string());
                        self.report(
                            &attempts_path,
                            at_value(value),
                            format!("`{shown}` is not a number of retry attempts: a whole number from 0 to {}, in decimal digits", crate::route::RETRY_ATTEMPTS_MAX),
                            "write e.g. `attempts: 10`, or leave it out for AWS's default, 185",
                        );
                        None
                    }
                }
            }
        };
        let age = match lookup(&entries, "maxEventAge") {
            None => Some(RetryPolicy::AWS_DEFAULT.maximum_event_age_seconds),
            Some(value) => {
                let age_path = child(path, "maxEventAge");
                let written = match value {
                    Value::String(text) => Some(text.clone()),
                    _ => self.document.raw_scalar(&age_path).map(str::to_string),
                };
                match written.as_deref().map(rule_checks::parse_event_age) {
                    Some(Ok(seconds)) => Some(seconds),
                    Some(Err(Violation { message, help })) => {
                        self.report(&age_path, at_value(value), message, help);
                        None
                    }
                    None => {
                        self.report(
                            &age_path,
                            at_value(value),
                            format!("expected a duration, found {}", kind(value)),
                            "write e.g. `maxEventAge: 1h`",
                        );
                        None
                    }
                }
            }
        };
        Some(RetryPolicy {
            maximum_retry_attempts: attempts?,
            maximum_event_age_seconds: age?,
        })
    }

    /// A YAML value as JSON (a pattern, a sample event): mappings with text keys, lists,
    /// strings, numbers, true/false and null. Tags and other keys are refused.
    fn json(&mut self, value: &Value, path: &[Segment]) -> Option<serde_json::Value> {
        use serde_json::Value as Json;
        match value {
            Value::Null => Some(Json::Null),
            Value::Bool(flag) => Some(Json::Bool(*flag)),
            Value::Number(number) => {
                let json = if let Some(n) = number.as_u64() {
                    Some(Json::from(n))
                } else if let Some(n) = number.as_i64() {
                    Some(Json::from(n))
                } else {
                    number
                        .as_f64()
                        .and_then(serde_json::Number::from_f64)
                        .map(Json::Number)
                };
                if json.is_none() {
                    self.report(
                        path,
                        At::Value,
                        "this number has no JSON form (infinity or not a number)",
                        "write a finite number",
                    );
                }
                json
            }
            Value::String(text) => Some(Json::String(text.clone())),
            Value::Sequence(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (index, item) in items.iter().enumerate() {
                    match self.json(item, &nth(path, index)) {
                        Some(item) => out.push(item),
                        None => ok = false,
                    }
                }
                ok.then_some(Json::Array(out))
            }
            Value::Mapping(mapping) => {
                let mut out = serde_json::Map::new();
                let mut ok = true;
                for (key, item) in mapping {
                    let Some(key) = key.as_str() else {
                        self.report(
                            path,
                            At::Value,
                            format!("a key must be text, found {}", kind(key)),
                            "quote the key: `\"123\":`",
                        );
                        ok = false;
                        continue;
                    };
                    match self.json(item, &child(path, key)) {
                        Some(item) => {
                            out.insert(key.to_string(), item);
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(Json::Object(out))
            }
            Value::Tagged(tagged) => {
                self.tag_refused(path, &tagged.tag);
                None
            }
        }
    }
}

impl Walker<'_> {
    /// A bus ARN or a dead-letter queue names one Region: the document's Regions (when
    /// written) must be exactly that one, since each rule exists in every Region of its
    /// destination and its queue must be in the rule's Region (EventBridge user guide,
    /// "Considerations for using a dead-letter queue").
    pub(super) fn rule_regions(
        &mut self,
        destinations: &[crate::manifest::DestinationSpec],
        regions: Option<&[String]>,
        root: &[Segment],
    ) -> bool {
        let Some(regions) = regions else {
            return true;
        };
        let mut ok = true;
        for (d, destination) in destinations.iter().enumerate() {
            let rules_path = child(&nth(&child(root, "destinations"), d), "rules");
            for (r, rule) in destination.rules.iter().enumerate() {
                let rule_path = nth(&rules_path, r);
                let named = [
                    ("bus", rule_checks::bus_region(&rule.bus), "event bus"),
                    (
                        "deadLetterQueue",
                        rule.dead_letter_queue
                            .as_deref()
                            .and_then(rule_checks::queue_region),
                        "dead-letter queue",
                    ),
                ];
                for (key, region, what) in named {
                    let Some(region) = region else { continue };
                    if regions.len() == 1 && regions[0] == region {
                        continue;
                    }
                    ok = false;
                    self.report(
                        &child(&rule_path, key),
                        At::Value,
                        format!(
                            "this {what} is in {region}, but the rule is created in every Region of the document ({}); EventBridge uses a {what} of the rule's own Region",
                            regions.join(", ")
                        ),
                        if key == "bus" {
                            "write the bus by name (`bus: orders`), which names the bus of each Region".to_string()
                        } else {
                            format!("keep the document to {region} (`regions: [{region}]`), or split it into one document per Region, each with its own queue")
                        },
                    );
                }
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::convert::{REQUIRED, convert_text};
    use crate::route::RetryPolicy;

    /// A document whose one destination declares `rule` (indented as an item of `rules:`).
    fn with_rule(rule: &str) -> String {
        format!(
            "{REQUIRED}destinations:\n  - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n{rule}"
        )
    }

    const ROLE: &str = "arn:aws:iam::123456789012:role/eventbridge-invoke-orders";

    #[test]
    fn the_issues_yaml_is_read_as_written() {
        let text = with_rule(&format!(
            "      - name: orders-to-salesforce\n        bus: default\n        pattern: {{source: [com.acme.orders], detail-type: [OrderPlaced]}}\n        body:\n          Order_Id__c: $.detail.id\n          Amount__c: $.detail.total\n        retry: {{attempts: 10, maxEventAge: 1h}}\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n        role: {ROLE}\n        sample: {{source: com.acme.orders, detail: {{id: A-1, total: 12.5}}}}\n"
        ));
        let spec = convert_text(&text).unwrap();
        let rule = &spec.destinations[0].rules[0];
        assert_eq!(rule.name, "orders-to-salesforce");
        assert_eq!(rule.bus, "default");
        assert_eq!(
            rule.pattern.to_string(),
            r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#
        );
        let body: Vec<(&str, &str)> = rule
            .body
            .iter()
            .map(|f| (f.field.as_str(), f.path.as_str()))
            .collect();
        assert_eq!(
            body,
            [
                ("Order_Id__c", "$.detail.id"),
                ("Amount__c", "$.detail.total")
            ]
        );
        assert_eq!(
            rule.body[1].origin.field,
            "destinations[0].rules[0].body.Amount__c"
        );
        assert_eq!(
            rule.retry,
            Some(RetryPolicy {
                maximum_retry_attempts: 10,
                maximum_event_age_seconds: 3600
            })
        );
        assert_eq!(
            rule.dead_letter_queue.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:orders-dlq")
        );
        assert_eq!(rule.role, ROLE);
        assert_eq!(
            rule.sample,
            Some(
                serde_json::json!({"source": "com.acme.orders", "detail": {"id": "A-1", "total": 12.5}})
            )
        );
        assert_eq!(rule.origin.line, Some(10));
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let text = with_rule(&format!(
            "      - name: r\n        pattern: {{source: [a]}}\n        body: {{A__c: $.detail.a}}\n        role: {ROLE}\n        retry: {{attempts: 0}}\n"
        ));
        let rule = convert_text(&text).unwrap().destinations[0].rules[0].clone();
        assert_eq!(rule.bus, "default");
        assert_eq!(
            rule.retry,
            Some(RetryPolicy {
                maximum_retry_attempts: 0,
                maximum_event_age_seconds: 86_400
            })
        );
        assert_eq!((rule.dead_letter_queue, rule.sample), (None, None));
    }

    /// A pattern error names the file, line, the field inside the pattern, what is wrong and
    /// how to fix it.
    #[test]
    fn a_pattern_error_points_at_the_field_inside_the_pattern() {
        let text = with_rule(&format!(
            "      - name: r\n        pattern:\n          source: [com.acme.orders]\n          detail:\n            total: [{{numeric: [\">\", 5, \"<\", 1]}}]\n        body: {{A__c: $.detail.a}}\n        role: {ROLE}\n"
        ));
        assert_eq!(
            convert_text(&text).unwrap_err(),
            [
                "c.yaml:14:31: destinations[0].rules[0].pattern.detail.total[0].numeric: the range's lower bound 5 is not below its upper bound 1\n  help: write the lower bound first: `[\">=\", 0, \"<\", 100]`"
            ]
        );
    }

    #[test]
    fn each_field_of_a_rule_is_checked_where_it_is_written() {
        let text = with_rule(
            "      - name: bad name\n        bus: my bus\n        pattern: {source: com.acme}\n        body:\n          Order Id: $.detail.id\n          Amount__c: detail.total\n        retry: {attempts: 186, maxEventAge: 2d}\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders.fifo\n        role: arn:aws:iam::123456789012:user/me\n        sample: [1]\n",
        );
        let problems = convert_text(&text).unwrap_err();
        let fields: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").nth(1).unwrap_or_default())
            .collect();
        assert_eq!(
            fields,
            [
                "destinations[0].rules[0].name",
                "destinations[0].rules[0].bus",
                "destinations[0].rules[0].pattern.source",
                "destinations[0].rules[0].body.Order Id",
                "destinations[0].rules[0].body.Amount__c",
                "destinations[0].rules[0].retry.attempts",
                "destinations[0].rules[0].retry.maxEventAge",
                "destinations[0].rules[0].deadLetterQueue",
                "destinations[0].rules[0].role",
                "destinations[0].rules[0].sample",
            ],
            "{problems:#?}"
        );
    }

    #[test]
    fn name_pattern_body_and_role_are_required() {
        let problems = convert_text(&with_rule("      - bus: default\n")).unwrap_err();
        let missing: Vec<&str> = problems
            .iter()
            .filter_map(|p| p.split("missing required key `").nth(1))
            .map(|rest| rest.split('`').next().unwrap_or_default())
            .collect();
        assert_eq!(missing, ["name", "pattern", "body", "role"]);
    }

    #[test]
    fn a_rule_twice_on_one_destination_is_refused() {
        let rule = format!(
            "      - name: r\n        pattern: {{source: [a]}}\n        body: {{A__c: $.detail.a}}\n        role: {ROLE}\n"
        );
        let problems = convert_text(&with_rule(&format!("{rule}{rule}"))).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("c.yaml:14:15: destinations[0].rules[1].name: rule `r` is declared twice on this destination; it is also declared at c.yaml:10:9"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_queue_or_bus_arn_of_another_region_than_the_documents_is_refused() {
        let rule = format!(
            "      - name: r\n        bus: arn:aws:events:eu-west-1:123456789012:event-bus/orders\n        pattern: {{source: [a]}}\n        body: {{A__c: $.detail.a}}\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:dlq\n        role: {ROLE}\n"
        );
        let ok = convert_text(&format!(
            "{}regions: [us-east-1]\n",
            with_rule(&rule).replace("eu-west-1", "us-east-1")
        ));
        assert!(ok.is_ok(), "{ok:?}");
        let problems = convert_text(&format!(
            "{}regions: [us-east-1, eu-west-1]\n",
            with_rule(&rule)
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("destinations[0].rules[0].bus: this event bus is in eu-west-1, but the rule is created in every Region of the document (us-east-1, eu-west-1)"), "{problems:?}");
        assert!(
            problems[1].contains(
                "destinations[0].rules[0].deadLetterQueue: this dead-letter queue is in us-east-1"
            ),
            "{problems:?}"
        );
        // Without `regions:` the Region is the run's, unknown offline.
        assert!(convert_text(&with_rule(&rule)).is_ok());
    }
}
