//! What EventBridge sends to a target for one event, rendered locally from the target's input
//! transformer, so that `verify --publish-test` publishes the bytes EventBridge would send.
//!
//! Each part follows a documented rule of EventBridge's user guide, "Amazon EventBridge input
//! transformation" (its "Input transform examples" table and "Common issues with transforming
//! input"); the tests below replay the table's examples, each naming its row:
//! - a placeholder `<name>` is replaced by the value at its variable's path;
//! - outside a JSON string (a placeholder in a value position) the value is written as JSON:
//!   a string with quotes added ("EventBridge automatically adds quotes to string variable
//!   values during transformation, to ensure the transformation output is valid JSON"), an
//!   object or array as itself ("does not add quotes to variables that represent JSON objects
//!   or arrays");
//! - inside a JSON string (a quoted placeholder, or a template that is one string) the value's
//!   text is written unchanged ("EventBridge doesn't escape values extracted by Input Path,
//!   when populating the Input Template"); an object or array loses its quotes ("If a JSON
//!   path references a JSON object or array, but the variable is referenced in a string,
//!   EventBridge removes any internal quotes to ensure a valid string");
//! - a path that leads to nothing in the event: "that variable isn't created and won't appear
//!   in the output", so the placeholder is replaced by nothing ([`unresolved`] names them, so
//!   that a caller can say so rather than publish a body Salesforce would refuse);
//! - the rest of the template is copied as written (the docs' outputs keep the template's own
//!   text and spacing).
//!
//! Where the docs are silent, the conservative answer, said again where it is made:
//! - a `<name>` that is no variable of the map is left as written (the docs list reserved
//!   variables, `aws.events.rule-arn` and the like, whose values only EventBridge knows; the
//!   tool's own templates never use them);
//! - a string in a value position is escaped as JSON when its quotes are added (the docs say
//!   the quotes make the output valid JSON, which an unescaped `"` inside would not be);
//! - a number is written as serde_json writes it (`12.50` becomes `12.5`: the same number).

use super::path;
use super::transformer::InputTransformer;
use serde_json::Value;

/// The bytes EventBridge sends to the target for `event` through `transformer`.
pub(crate) fn render(transformer: &InputTransformer, event: &Value) -> Vec<u8> {
    let template = &transformer.input_template;
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut chars = template.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '<' {
            let name = template[at + 1..]
                .find('>')
                .map(|end| &template[at + 1..at + 1 + end]);
            if let Some((name, found)) = name.and_then(|name| {
                transformer
                    .input_paths_map
                    .get(name)
                    .map(|path| (name, value_at(event, path)))
            }) {
                if let Some(value) = found {
                    out.push_str(&substitute(&value, in_string));
                }
                // Skip the name and its `>`.
                for _ in 0..name.chars().count() + 1 {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
        if in_string {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        out.push(escaped);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
    }
    out.into_bytes()
}

/// The variables whose path leads to nothing in `event`, with their paths: EventBridge leaves
/// them out of what it sends.
pub(crate) fn unresolved<'t>(
    transformer: &'t InputTransformer,
    event: &Value,
) -> Vec<(&'t str, &'t str)> {
    transformer
        .input_paths_map
        .iter()
        .filter(|(_, path)| value_at(event, path).is_none())
        .map(|(name, path)| (name.as_str(), path.as_str()))
        .collect()
}

fn value_at(event: &Value, written: &str) -> Option<Value> {
    path::parse(written)
        .ok()
        .and_then(|steps| path::resolve(event, &steps))
}

fn substitute(value: &Value, in_string: bool) -> String {
    match (value, in_string) {
        (Value::String(text), true) => text.clone(),
        (Value::Object(_) | Value::Array(_), true) => value.to_string().replace('"', ""),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// The example Amazon EC2 event of "Input transform examples".
    fn ec2_event() -> Value {
        json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "123456789012",
            "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
        })
    }

    /// The example's Input Path: `timestamp`, `instance` and `state`.
    fn with_template(template: &str) -> InputTransformer {
        InputTransformer {
            input_paths_map: BTreeMap::from([
                ("timestamp".into(), "$.time".into()),
                ("instance".into(), "$.detail.instance-id".into()),
                ("state".into(), "$.detail.state".into()),
            ]),
            input_template: template.into(),
        }
    }

    fn rendered(template: &str, event: &Value) -> String {
        String::from_utf8(render(&with_template(template), event)).unwrap()
    }

    /// Row "Simple string".
    #[test]
    fn the_simple_string_example() {
        assert_eq!(
            rendered(r#""instance <instance> is in <state>""#, &ec2_event()),
            r#""instance i-0123456789 is in RUNNING""#
        );
    }

    /// Row "String with escaped quotes" (the console's behaviour, which the docs show).
    #[test]
    fn the_string_with_escaped_quotes_example() {
        assert_eq!(
            rendered(r#""instance \"<instance>\" is in <state>""#, &ec2_event()),
            r#""instance \"i-0123456789\" is in RUNNING""#
        );
    }

    /// Row "Simple JSON".
    #[test]
    fn the_simple_json_example() {
        assert_eq!(
            rendered(
                "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}",
                &ec2_event()
            ),
            "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\"\n}"
        );
    }

    /// Row "JSON with strings and variables".
    #[test]
    fn the_json_with_strings_and_variables_example() {
        let template = "{\n \"instance\" : <instance>,\n \"state\": \"<state>\",\n \"instanceStatus\": \"instance \\\"<instance>\\\" is in <state>\"\n}";
        assert_eq!(
            rendered(template, &ec2_event()),
            "{\n \"instance\" : \"i-0123456789\",\n \"state\": \"RUNNING\",\n \"instanceStatus\": \"instance \\\"i-0123456789\\\" is in RUNNING\"\n}"
        );
    }

    /// Row "JSON with a mix of variables and static information": the docs' output is the
    /// same JSON laid out on more lines, so the two are compared as JSON.
    #[test]
    fn the_json_with_a_mix_of_variables_and_static_information_example() {
        let template = "{\n  \"instance\" : <instance>,\n  \"state\": [ 9, <state>, true ],\n  \"Transformed\" : \"Yes\"\n}";
        let output: Value = serde_json::from_str(&rendered(template, &ec2_event())).unwrap();
        assert_eq!(
            output,
            json!({"instance": "i-0123456789", "state": [9, "RUNNING", true], "Transformed": "Yes"})
        );
    }

    // Rows "Including reserved variables in JSON" and "... in a string" use
    // `aws.events.rule-arn`, `aws.events.rule-name` and `aws.events.event`, whose values
    // only EventBridge knows (the rule's ARN, the ingestion); the tool never writes them, and
    // render leaves them as written (pinned below). Row "Amazon CloudWatch log group" shows
    // the output of that one target type, which is not JSON (an unquoted timestamp, an
    // unclosed string): it is not a rule of JSON templates, so no test replays it.

    #[test]
    fn a_name_that_is_no_variable_is_left_as_written() {
        assert_eq!(
            rendered(r#""<aws.events.rule-name> triggered""#, &ec2_event()),
            r#""<aws.events.rule-name> triggered""#
        );
    }

    /// "Common issues": a path that leads nowhere "won't appear in the output".
    #[test]
    fn a_path_that_leads_nowhere_leaves_nothing_and_is_named() {
        let transformer = InputTransformer {
            input_paths_map: BTreeMap::from([("gone".into(), "$.detail.gone".into())]),
            input_template: r#"{"a":<gone>,"b":"x<gone>y"}"#.into(),
        };
        assert_eq!(render(&transformer, &ec2_event()), br#"{"a":,"b":"xy"}"#);
        assert_eq!(
            unresolved(&transformer, &ec2_event()),
            [("gone", "$.detail.gone")]
        );
    }

    /// "Common issues": an object in a string loses its quotes; unquoted it stays an object;
    /// numbers, true/false and null are written as themselves.
    #[test]
    fn objects_numbers_booleans_and_null_follow_the_common_issues() {
        let event = json!({"detail": {"o": {"k": "v"}, "n": 12.5, "b": true, "z": null, "s": "say \"hi\""}});
        let transformer = InputTransformer {
            input_paths_map: ["o", "n", "b", "z", "s"]
                .into_iter()
                .map(|k| (k.to_string(), format!("$.detail.{k}")))
                .collect(),
            input_template: r#"{"o":<o>,"in":"Detail is <o>","n":<n>,"b":<b>,"z":<z>,"s":<s>}"#
                .into(),
        };
        assert_eq!(
            String::from_utf8(render(&transformer, &event)).unwrap(),
            r#"{"o":{"k":"v"},"in":"Detail is {k:v}","n":12.5,"b":true,"z":null,"s":"say \"hi\""}"#
        );
    }

    /// The template the tool writes for a body renders to exactly the declared fields, each
    /// with its JSON type.
    #[test]
    fn a_generated_template_sends_exactly_the_declared_fields_with_their_types() {
        let transformer = crate::route::transformer([
            ("Order_Id__c", "$.detail.id"),
            ("Amount__c", "$.detail.total"),
            ("Paid__c", "$.detail.paid"),
        ]);
        let event = json!({"detail": {"id": "A-1", "total": 12.5, "paid": false, "other": 1}});
        assert_eq!(
            render(&transformer, &event),
            br#"{"Order_Id__c":"A-1","Amount__c":12.5,"Paid__c":false}"#
        );
    }
}
