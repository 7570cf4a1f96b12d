//! An event pattern, checked offline against EventBridge's grammar, and its canonical form.
//!
//! The grammar is the EventBridge user guide's ("Creating event patterns", "Content filtering
//! in Amazon EventBridge event patterns" and its table "Comparison operators for use in event
//! patterns"), which the open-source matcher EventBridge documents as its own (aws/event-ruler)
//! states the same way:
//! - a pattern is a mapping of event fields; a field's value is a mapping (a field inside it)
//!   or a list of the values it matches, the leaf; `$or` takes a list of at least two
//!   patterns, one of which must match;
//! - a leaf's items are exact values (text, a number, true/false, null) or matchers, a mapping
//!   of one key: `prefix` and `suffix` (text, or `{equals-ignore-case: text}`),
//!   `equals-ignore-case` (text), `wildcard` (text, without two `*` in a row), `anything-but`
//!   (text, a number, a list of only texts or only numbers, or `{prefix | suffix: text}`,
//!   `{equals-ignore-case | wildcard: text or list of texts}`), `numeric` (`[op, n]` with
//!   op one of `=`, `<`, `<=`, `>`, `>=`, or a range `[">" or ">=", low, "<" or "<=",
//!   high]`, low below high, numbers within -5.0e9..+5.0e9: "Numeric matching ... is limited
//!   to values between -5.0e9 and +5.0e9 inclusive"), `exists` (true or false), `cidr` (an
//!   IPv4 or IPv6 block);
//! - an empty mapping or list matches nothing EventBridge accepts, so both are refused;
//! - the pattern's text is at most 4096 characters (PutRule `EventPattern`; the default quota
//!   "Event pattern size" is 2048, adjustable to 4096). The guide states no limit on the
//!   number of values or on nesting, so none is applied.
//!
//! The canonical form sorts the keys of every object (lists keep their order): it is what
//! PutRule is sent and what a live pattern is compared in, so the same pattern written in
//! another key order is no difference.

use super::yaml::Segment;
use serde_json::{Map, Value};

/// PutRule `EventPattern`: at most 4096 characters (EventBridge API reference).
pub const PATTERN_MAX: usize = 4096;
/// "Numeric matching ... is limited to values between -5.0e9 and +5.0e9 inclusive".
pub const NUMERIC_LIMIT: f64 = 5.0e9;

/// The matchers of a leaf, in the order messages list them.
const MATCHERS: [&str; 8] = [
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];

/// What is wrong at a place in the pattern (`at`, below `pattern`) and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub at: Vec<Segment>,
    pub message: String,
    pub help: String,
}

/// `value` with the keys of every object sorted.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort();
            let mut sorted = Map::new();
            for key in keys {
                sorted.insert(key.clone(), canonical(&members[key]));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The canonical text of `value`, as PutRule's `EventPattern` sends it.
pub fn text(value: &Value) -> String {
    canonical(value).to_string()
}

/// Every way `pattern` breaks EventBridge's grammar.
pub fn check(pattern: &Value) -> Vec<PatternError> {
    let mut checker = Checker { errors: Vec::new() };
    match pattern {
        Value::Object(_) => checker.fields(pattern, &[]),
        _ => checker.error(
            &[],
            "a pattern is a mapping of event fields to the values they match",
            "write e.g. `pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}`",
        ),
    }
    let length = text(pattern).chars().count();
    if checker.errors.is_empty() && length > PATTERN_MAX {
        checker.error(
            &[],
            format!("the pattern is {length} characters as EventBridge receives it; PutRule takes at most {PATTERN_MAX} (and the default quota is 2048)"),
            "match on fewer values, or split the rule in two",
        );
    }
    checker.errors
}

struct Checker {
    errors: Vec<PatternError>,
}

fn key(at: &[Segment], name: &str) -> Vec<Segment> {
    let mut path = at.to_vec();
    path.push(Segment::Key(name.to_string()));
    path
}

fn index(at: &[Segment], i: usize) -> Vec<Segment> {
    let mut path = at.to_vec();
    path.push(Segment::Index(i));
    path
}

/// How messages name a JSON value's kind.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Checker {
    fn error(&mut self, at: &[Segment], message: impl Into<String>, help: impl Into<String>) {
        self.errors.push(PatternError {
            at: at.to_vec(),
            message: message.into(),
            help: help.into(),
        });
    }

    /// A mapping of fields (the pattern, a field holding fields, an item of `$or`).
    fn fields(&mut self, value: &Value, at: &[Segment]) {
        let Value::Object(members) = value else {
            return;
        };
        if members.is_empty() {
            self.error(
                at,
                "an empty mapping matches nothing: EventBridge refuses it",
                "name at least one field with the values it matches, or remove the key",
            );
            return;
        }
        for (name, item) in members {
            let here = key(at, name);
            if name == "$or" {
                self.or(item, &here);
                continue;
            }
            match item {
                Value::Object(_) => self.fields(item, &here),
                Value::Array(values) => self.leaf(values, &here),
                other => self.error(
                    &here,
                    format!(
                        "`{name}` is {}, but a field matches a list of values (or holds fields)",
                        kind(other)
                    ),
                    format!("write the value in a list: `{name}: [{}]`", other),
                ),
            }
        }
    }

    fn or(&mut self, value: &Value, at: &[Segment]) {
        match value {
            Value::Array(branches)
                if branches.len() >= 2 && branches.iter().all(Value::is_object) =>
            {
                for (i, branch) in branches.iter().enumerate() {
                    self.fields(branch, &index(at, i));
                }
            }
            _ => self.error(
                at,
                "`$or` takes a list of at least two patterns, one of which must match",
                "write e.g. `$or: [{detail: {total: [{numeric: [\">\", 100]}]}}, {detail: {priority: [high]}}]`",
            ),
        }
    }

    /// A leaf: the list of values a field matches.
    fn leaf(&mut self, values: &[Value], at: &[Segment]) {
        if values.is_empty() {
            self.error(
                at,
                "an empty list matches nothing: EventBridge refuses it",
                "list the values the field matches, e.g. `[OrderPlaced]`, or remove the key",
            );
        }
        for (i, item) in values.iter().enumerate() {
            let here = index(at, i);
            match item {
                Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
                Value::Array(_) => self.error(
                    &here,
                    "a list inside a list: a field matches one list of values",
                    "put the values in the one list",
                ),
                Value::Object(matcher) => self.matcher(matcher, &here),
            }
        }
    }

    fn matcher(&mut self, matcher: &Map<String, Value>, at: &[Segment]) {
        let matchers = MATCHERS.map(|m| format!("`{m}`")).join(", ");
        let mut entries = matcher.iter();
        let (Some((name, value)), None) = (entries.next(), entries.next()) else {
            self.error(
                at,
                format!("a matcher is a mapping of exactly one of {matchers}; found {} keys", matcher.len()),
                "write one matcher per item of the list, e.g. `[{prefix: com.acme.}, {suffix: .orders}]`",
            );
            return;
        };
        let here = key(at, name);
        match name.as_str() {
            "prefix" | "suffix" => self.text_or_ignoring_case(value, &here, name),
            "equals-ignore-case" => {
                self.text(value, &here, name);
            }
            "wildcard" => self.wildcard(value, &here),
            "anything-but" => self.anything_but(value, &here),
            "numeric" => self.numeric(value, &here),
            "exists" => {
                if !value.is_boolean() {
                    self.error(
                        &here,
                        format!("`exists` takes true or false, found {}", kind(value)),
                        "write `{exists: true}` (the field is present) or `{exists: false}`",
                    );
                }
            }
            "cidr" => self.cidr(value, &here),
            other => self.error(
                &here,
                format!("`{other}` is not a matcher of EventBridge's event patterns"),
                format!("use one of {matchers}"),
            ),
        }
    }

    fn text(&mut self, value: &Value, at: &[Segment], name: &str) -> bool {
        if value.is_string() {
            return true;
        }
        self.error(
            at,
            format!("`{name}` takes text, found {}", kind(value)),
            format!("write e.g. `{{{name}: \"text\"}}`"),
        );
        false
    }

    /// `prefix` / `suffix`: text, or `{equals-ignore-case: text}`.
    fn text_or_ignoring_case(&mut self, value: &Value, at: &[Segment], name: &str) {
        if let Value::Object(inner) = value {
            match inner.iter().next() {
                Some((key_name, inner_value)) if inner.len() == 1 && key_name == "equals-ignore-case" => {
                    self.text(inner_value, &key(at, key_name), key_name);
                }
                _ => self.error(
                    at,
                    format!("`{name}` takes text, or `{{equals-ignore-case: text}}`"),
                    format!("write e.g. `{{{name}: com.acme.}}` or `{{{name}: {{equals-ignore-case: com.acme.}}}}`"),
                ),
            }
            return;
        }
        self.text(value, at, name);
    }

    fn wildcard(&mut self, value: &Value, at: &[Segment]) {
        if !self.text(value, at, "wildcard") {
            return;
        }
        if value.as_str().is_some_and(|text| text.contains("**")) {
            self.error(
                at,
                "a wildcard with two `*` in a row: EventBridge refuses consecutive wildcard characters",
                "one `*` matches any number of characters: write it once",
            );
        }
    }

    fn anything_but(&mut self, value: &Value, at: &[Segment]) {
        let help = "write `{anything-but: text}`, a number, a list of texts or of numbers, or `{anything-but: {prefix: text}}` (or suffix, equals-ignore-case, wildcard)";
        match value {
            Value::String(_) | Value::Number(_) => {}
            Value::Array(items) => {
                let texts = items.iter().all(Value::is_string);
                let numbers = items.iter().all(Value::is_number);
                if items.is_empty() || !(texts || numbers) {
                    self.error(
                        at,
                        "`anything-but` takes a non-empty list of only texts or only numbers",
                        help,
                    );
                }
            }
            Value::Object(inner) => {
                let mut entries = inner.iter();
                match (entries.next(), entries.next()) {
                    (Some((name, inner_value)), None) => {
                        let here = key(at, name);
                        match name.as_str() {
                            "prefix" | "suffix" => {
                                self.text(inner_value, &here, name);
                            }
                            "equals-ignore-case" | "wildcard" => match inner_value {
                                Value::String(_) => {
                                    if name == "wildcard" {
                                        self.wildcard(inner_value, &here);
                                    }
                                }
                                Value::Array(items)
                                    if !items.is_empty() && items.iter().all(Value::is_string) =>
                                {
                                    if name == "wildcard" {
                                        for (i, item) in items.iter().enumerate() {
                                            self.wildcard(item, &index(&here, i));
                                        }
                                    }
                                }
                                other => self.error(
                                    &here,
                                    format!("`{name}` under `anything-but` takes text or a list of texts, found {}", kind(other)),
                                    help,
                                ),
                            },
                            other => self.error(
                                &here,
                                format!("`anything-but` cannot hold `{other}`: it holds `prefix`, `suffix`, `equals-ignore-case` or `wildcard`"),
                                help,
                            ),
                        }
                    }
                    _ => self.error(at, "`anything-but` holds one matcher", help),
                }
            }
            other => self.error(
                at,
                format!(
                    "`anything-but` takes text, a number or a list, found {}",
                    kind(other)
                ),
                help,
            ),
        }
    }

    fn numeric(&mut self, value: &Value, at: &[Segment]) {
        let help = "write `{numeric: [\">\", 0]}` (one of = < <= > >= and a number) or a range `{numeric: [\">=\", 0, \"<\", 100]}`";
        let Value::Array(items) = value else {
            self.error(
                at,
                format!("`numeric` takes a list, found {}", kind(value)),
                help,
            );
            return;
        };
        let operator = |i: usize| items.get(i).and_then(Value::as_str);
        let number = |i: usize| items.get(i).and_then(Value::as_f64);
        for i in (1..items.len()).step_by(2) {
            if let Some(n) = number(i)
                && !(-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&n)
            {
                self.error(
                    &index(at, i),
                    format!(
                        "{} is outside the numbers EventBridge compares, -5.0e9 to +5.0e9",
                        items[i]
                    ),
                    "compare with a number within that range",
                );
                return;
            }
        }
        let valid = match items.len() {
            2 => {
                operator(0).is_some_and(|op| ["=", "<", "<=", ">", ">="].contains(&op))
                    && number(1).is_some()
            }
            4 => {
                let shape = operator(0).is_some_and(|op| op == ">" || op == ">=")
                    && operator(2).is_some_and(|op| op == "<" || op == "<=");
                match (shape, number(1), number(3)) {
                    (true, Some(low), Some(high)) if low < high => true,
                    (true, Some(_), Some(_)) => {
                        self.error(
                            at,
                            format!(
                                "the range's lower bound {} is not below its upper bound {}",
                                items[1], items[3]
                            ),
                            "write the lower bound first: `[\">=\", 0, \"<\", 100]`",
                        );
                        return;
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if !valid {
            self.error(
                at,
                "`numeric` takes an operator and a number, or a lower bound (> or >=) and an upper bound (< or <=)",
                help,
            );
        }
    }

    fn cidr(&mut self, value: &Value, at: &[Segment]) {
        let help = "write an IPv4 or IPv6 block, e.g. `{cidr: 10.0.0.0/24}` or `{cidr: \"2001:db8::/32\"}`";
        let Some(text) = value.as_str() else {
            self.error(
                at,
                format!("`cidr` takes text, found {}", kind(value)),
                help,
            );
            return;
        };
        let valid = text.split_once('/').is_some_and(|(address, bits)| {
            let max = match address.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(_)) => 32,
                Ok(std::net::IpAddr::V6(_)) => 128,
                Err(_) => return false,
            };
            super::destination_rules::is_plain_decimal(bits)
                && bits.parse::<u32>().is_ok_and(|bits| bits <= max)
        });
        if !valid {
            self.error(at, format!("`{text}` is not an IP address block"), help);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml::display_path;
    use serde_json::json;

    /// The errors of `pattern` as `field: message`.
    fn errors(pattern: Value) -> Vec<String> {
        check(&pattern)
            .into_iter()
            .map(|error| format!("{}: {}", display_path(&error.at), error.message))
            .collect()
    }

    #[test]
    fn the_canonical_form_sorts_keys_at_every_level_and_keeps_array_order() {
        let written: Value = serde_json::from_str(
            r#"{"source":["b","a"],"detail":{"z":[1],"a":[{"prefix":"x"}]},"account":["1"]}"#,
        )
        .unwrap();
        assert_eq!(
            text(&written),
            r#"{"account":["1"],"detail":{"a":[{"prefix":"x"}],"z":[1]},"source":["b","a"]}"#
        );
    }

    /// Every example of "Content filtering in Amazon EventBridge event patterns" and of the
    /// comparison operators' table is accepted.
    #[test]
    fn the_documented_examples_are_accepted() {
        for pattern in [
            json!({"time": [{"prefix": "2017-10-02"}]}),
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"FileName": [{"suffix": ".png"}]}),
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            json!({"FileName": [{"anything-but": {"suffix": ".png"}}]}),
            json!({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}),
            json!({"state": [{"anything-but": {"equals-ignore-case": ["a", "b"]}}]}),
            json!({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}),
            json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
            json!({"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/32"}]}}),
            json!({"detail": {"c-count": [{"exists": false}]}}),
            json!({"detail": {"state": [{"equals-ignore-case": "running"}]}}),
            json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}),
            json!({"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}),
            json!({"LastName": [""], "middle": [null], "flag": [true]}),
        ] {
            assert_eq!(errors(pattern.clone()), Vec::<String>::new(), "{pattern}");
        }
    }

    #[test]
    fn leaves_must_be_non_empty_lists() {
        assert_eq!(
            errors(json!({"source": "com.acme.orders"})),
            ["source: `source` is text, but a field matches a list of values (or holds fields)"]
        );
        assert_eq!(
            errors(json!({"source": []})),
            ["source: an empty list matches nothing: EventBridge refuses it"]
        );
        assert_eq!(
            errors(json!({"detail": {}})),
            ["detail: an empty mapping matches nothing: EventBridge refuses it"]
        );
        assert_eq!(
            errors(json!({})),
            [": an empty mapping matches nothing: EventBridge refuses it"]
        );
        assert_eq!(
            errors(json!({"a": [["x"]]})),
            ["a[0]: a list inside a list: a field matches one list of values"]
        );
        assert_eq!(
            errors(json!(["x"])),
            [": a pattern is a mapping of event fields to the values they match"]
        );
    }

    #[test]
    fn matchers_are_one_known_key_with_the_documented_value() {
        assert_eq!(
            errors(json!({"a": [{"begins-with": "x"}]})),
            ["a[0].begins-with: `begins-with` is not a matcher of EventBridge's event patterns"]
        );
        assert_eq!(
            errors(json!({"a": [{"prefix": "x", "suffix": "y"}]})),
            [
                "a[0]: a matcher is a mapping of exactly one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `exists`, `cidr`; found 2 keys"
            ]
        );
        assert_eq!(
            errors(json!({"a": [{"prefix": 1}]})),
            ["a[0].prefix: `prefix` takes text, found a number"]
        );
        assert_eq!(
            errors(json!({"a": [{"suffix": {"wildcard": "x"}}]})),
            ["a[0].suffix: `suffix` takes text, or `{equals-ignore-case: text}`"]
        );
        assert_eq!(
            errors(json!({"a": [{"exists": "yes"}]})),
            ["a[0].exists: `exists` takes true or false, found text"]
        );
        assert_eq!(
            errors(json!({"a": [{"equals-ignore-case": ["x"]}]})),
            ["a[0].equals-ignore-case: `equals-ignore-case` takes text, found a list"]
        );
        assert_eq!(
            errors(json!({"a": [{"wildcard": "a**b"}]})),
            [
                "a[0].wildcard: a wildcard with two `*` in a row: EventBridge refuses consecutive wildcard characters"
            ]
        );
    }

    #[test]
    fn anything_but_takes_its_documented_forms_only() {
        assert_eq!(
            errors(json!({"a": [{"anything-but": ["x", 1]}]})),
            [
                "a[0].anything-but: `anything-but` takes a non-empty list of only texts or only numbers"
            ]
        );
        assert_eq!(
            errors(json!({"a": [{"anything-but": {"numeric": [">", 1]}}]})),
            [
                "a[0].anything-but.numeric: `anything-but` cannot hold `numeric`: it holds `prefix`, `suffix`, `equals-ignore-case` or `wildcard`"
            ]
        );
        assert_eq!(
            errors(json!({"a": [{"anything-but": {"prefix": ["x"]}}]})),
            ["a[0].anything-but.prefix: `prefix` takes text, found a list"]
        );
        assert_eq!(
            errors(json!({"a": [{"anything-but": true}]})),
            ["a[0].anything-but: `anything-but` takes text, a number or a list, found true/false"]
        );
    }

    #[test]
    fn numeric_takes_operators_and_ordered_ranges_within_the_documented_limit() {
        for (pattern, says) in [
            (
                json!({"total": [{"numeric": [">", "0"]}]}),
                "total[0].numeric: `numeric` takes an operator and a number",
            ),
            (
                json!({"total": [{"numeric": ["!=", 0]}]}),
                "total[0].numeric: `numeric` takes an operator and a number",
            ),
            (
                json!({"total": [{"numeric": ["<", 5, ">", 0]}]}),
                "total[0].numeric: `numeric` takes an operator and a number",
            ),
            (
                json!({"total": [{"numeric": [">", 5, "<", 1]}]}),
                "total[0].numeric: the range's lower bound 5 is not below its upper bound 1",
            ),
            (
                json!({"total": [{"numeric": [">", 6.0e9]}]}),
                "total[0].numeric[1]: 6000000000.0 is outside the numbers EventBridge compares",
            ),
            (
                json!({"total": [{"numeric": 5}]}),
                "total[0].numeric: `numeric` takes a list, found a number",
            ),
        ] {
            let found = errors(pattern.clone());
            assert!(
                found.len() == 1 && found[0].starts_with(says),
                "{pattern}: {found:?}"
            );
        }
        assert!(errors(json!({"total": [{"numeric": ["<=", 5.0e9]}]})).is_empty());
    }

    #[test]
    fn cidr_takes_an_address_block_and_or_two_patterns() {
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/24", "::/129", "x/8"] {
            assert_eq!(
                errors(json!({"ip": [{"cidr": bad}]})),
                [format!("ip[0].cidr: `{bad}` is not an IP address block")]
            );
        }
        assert_eq!(
            errors(json!({"$or": [{"a": ["x"]}]})),
            ["$or: `$or` takes a list of at least two patterns, one of which must match"]
        );
        assert_eq!(
            errors(json!({"$or": [{"a": ["x"]}, {"b": []}]})),
            ["$or[1].b: an empty list matches nothing: EventBridge refuses it"]
        );
    }

    #[test]
    fn a_pattern_longer_than_puts_limit_is_refused() {
        let values: Vec<String> = (0..400).map(|i| format!("value-{i:04}")).collect();
        let found = errors(json!({"source": values}));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("PutRule takes at most 4096"), "{found:?}");
    }
}
