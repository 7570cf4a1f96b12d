//! The JSON paths an input transformer reads from an event (`InputPathsMap`'s values).
//!
//! EventBridge documents a subset of JSON path, evaluated at run time (EventBridge user guide,
//! "Amazon EventBridge input transformation": "EventBridge does not support all JSON Path
//! syntax and evaluate it at runtime. Supported syntax includes: dot notation (for example,
//! `$.detail`), dashes, underscores, alphanumeric characters, array indices, wildcards (*),
//! forward slashes"), and its API reference says of `InputPathsMap`: "You must use JSON dot
//! notation, not bracket notation" (array indices aside), values at most 256 characters. So a
//! path here is `$` followed by steps: `.name` (letters, digits, `-`, `_`, `/`), `[N]`, or a
//! wildcard `.*` / `[*]`. Anything else is refused before a call, since AWS would accept it
//! ("There is no validation when creating JSON path for your template") and then never find
//! a value.

use serde_json::Value;

/// `InputPathsMap` value length (EventBridge API reference, `InputTransformer`).
pub(crate) const PATH_MAX: usize = 256;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `.name`: a member of an object.
    Key(String),
    /// `[N]`: an item of an array.
    Index(usize),
    /// `.*` or `[*]`: every member or item.
    Wildcard,
}

/// Why a path is not one EventBridge reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathError {
    pub(crate) message: String,
    pub(crate) help: String,
}

fn error(message: impl Into<String>) -> PathError {
    PathError {
        message: message.into(),
        help: "write a path in EventBridge's dot notation, e.g. `$.detail.total` or `$.detail.items[0].sku` (letters, digits, `-`, `_`, `/` in names)".into(),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')
}

/// The steps of `path`, or why EventBridge would not read it.
pub(crate) fn parse(path: &str) -> Result<Vec<Step>, PathError> {
    if path.len() > PATH_MAX {
        return Err(error(format!(
            "the path is {} characters long; EventBridge takes at most {PATH_MAX}",
            path.len()
        )));
    }
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(error(format!(
            "`{path}` does not start with `$`, the event"
        )));
    };
    let mut steps = Vec::new();
    while let Some(c) = rest.chars().next() {
        match c {
            '.' => {
                let tail = &rest[1..];
                if let Some(after) = tail.strip_prefix('*') {
                    steps.push(Step::Wildcard);
                    rest = after;
                    continue;
                }
                let end = tail.find(|c: char| !is_name_char(c)).unwrap_or(tail.len());
                if end == 0 {
                    let found = tail.chars().next().map_or_else(
                        || "the end of the path".to_string(),
                        |c| format!("`{}`", c.escape_debug()),
                    );
                    return Err(error(format!(
                        "`{path}`: a name must follow `.`, found {found}"
                    )));
                }
                steps.push(Step::Key(tail[..end].to_string()));
                rest = &tail[end..];
            }
            '[' => {
                let Some(close) = rest.find(']') else {
                    return Err(error(format!("`{path}`: `[` is not closed")));
                };
                let inner = &rest[1..close];
                let step = match inner {
                    "*" => Step::Wildcard,
                    digits
                        if !digits.is_empty()
                            && digits.bytes().all(|b| b.is_ascii_digit())
                            && (digits == "0" || !digits.starts_with('0')) =>
                    {
                        match digits.parse() {
                            Ok(index) => Step::Index(index),
                            Err(_) => {
                                return Err(error(format!("`{path}`: the index is too large")));
                            }
                        }
                    }
                    _ => {
                        return Err(error(format!(
                            "`{path}`: `[{inner}]` is bracket notation; EventBridge takes only array indices (`[0]`) in brackets and dot notation for names"
                        )));
                    }
                };
                steps.push(step);
                rest = &rest[close + 1..];
            }
            other => {
                return Err(error(format!(
                    "`{path}`: `{}` cannot appear here; steps start with `.` or `[`",
                    other.escape_debug()
                )));
            }
        }
    }
    Ok(steps)
}

/// The value `steps` lead to in `event`, if there is one. A wildcard collects what the rest of
/// the path finds under every member or item into a list: EventBridge documents wildcards but
/// not what they yield, so the body of a rule refuses them (see the manifest's checks).
pub(crate) fn resolve(event: &Value, steps: &[Step]) -> Option<Value> {
    let Some((step, rest)) = steps.split_first() else {
        return Some(event.clone());
    };
    match (step, event) {
        (Step::Key(name), Value::Object(members)) => resolve(members.get(name)?, rest),
        (Step::Index(index), Value::Array(items)) => resolve(items.get(*index)?, rest),
        (Step::Wildcard, Value::Array(items)) => Some(Value::Array(
            items
                .iter()
                .filter_map(|item| resolve(item, rest))
                .collect(),
        )),
        (Step::Wildcard, Value::Object(members)) => Some(Value::Array(
            members
                .values()
                .filter_map(|item| resolve(item, rest))
                .collect(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dot_notation_indices_and_wildcards_are_read() {
        assert_eq!(
            parse("$.detail.items[0].sku"),
            Ok(vec![
                Step::Key("detail".into()),
                Step::Key("items".into()),
                Step::Index(0),
                Step::Key("sku".into()),
            ])
        );
        assert_eq!(parse("$"), Ok(vec![]));
        assert_eq!(
            parse("$.detail-type"),
            Ok(vec![Step::Key("detail-type".into())])
        );
        assert_eq!(
            parse("$.detail.*"),
            Ok(vec![Step::Key("detail".into()), Step::Wildcard])
        );
        assert_eq!(parse("$.a[*]").map(|s| s.len()), Ok(2));
    }

    #[test]
    fn other_syntax_is_refused_with_its_reason() {
        for (bad, says) in [
            ("detail.total", "does not start with `$`"),
            ("$['detail']", "bracket notation"),
            ("$.detail..total", "a name must follow `.`"),
            ("$.detail.", "found the end of the path"),
            ("$.a b", "` ` cannot appear here"),
            ("$.items[01]", "bracket notation"),
            ("$.items[0", "is not closed"),
        ] {
            let found = parse(bad).unwrap_err().message;
            assert!(found.contains(says), "{bad}: {found}");
        }
        let long = format!("$.{}", "a".repeat(PATH_MAX - 1));
        assert!(parse(&long).unwrap_err().message.contains("at most 256"));
        assert!(parse(&long[..PATH_MAX]).is_ok());
    }

    #[test]
    fn a_path_resolves_to_its_value_or_to_nothing() {
        let event = json!({"detail": {"id": "A-1", "items": [{"sku": "x"}, {"sku": "y"}]}});
        let at = |path: &str| resolve(&event, &parse(path).unwrap());
        assert_eq!(at("$.detail.id"), Some(json!("A-1")));
        assert_eq!(at("$.detail.items[1].sku"), Some(json!("y")));
        assert_eq!(at("$.detail.items[*].sku"), Some(json!(["x", "y"])));
        assert_eq!(at("$.detail.missing"), None);
        assert_eq!(at("$.detail.items[2]"), None);
        assert_eq!(at("$.detail.id.deeper"), None);
    }
}
