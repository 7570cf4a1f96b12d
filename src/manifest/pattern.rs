//! An event pattern, checked offline against EventBridge's grammar, and its canonical form.
//!
//! The canonical form sorts the keys of every object (arrays keep their order): it is what
//! PutRule is sent and what a live pattern is compared in, so the same pattern written in
//! another key order is no difference.

use super::yaml::Segment;
use serde_json::{Map, Value};

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
    let mut errors = Vec::new();
    match pattern {
        Value::Object(members) if members.is_empty() => errors.push(PatternError {
            at: Vec::new(),
            message: "the pattern is empty: EventBridge refuses an empty pattern".into(),
            help: "match at least one field, e.g. `pattern: {source: [com.acme.orders]}`".into(),
        }),
        Value::Object(_) => {}
        _ => errors.push(PatternError {
            at: Vec::new(),
            message: "a pattern is a mapping of event fields to the values they match".into(),
            help: "write e.g. `pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}`"
                .into(),
        }),
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(
            canonical(&written),
            json!({"account":["1"],"detail":{"a":[{"prefix":"x"}],"z":[1]},"source":["b","a"]})
        );
    }
}
