//! The input transformer made from a rule's `body:` (Platform Event field -> path in the
//! event), so that Salesforce receives a JSON object with exactly the declared fields.
//!
//! What it generates follows EventBridge's documented JSON templates (EventBridge user guide,
//! "Amazon EventBridge input transformation", "Input transform examples" and "Common issues
//! with transforming input"):
//! - one variable per field in `InputPathsMap`, the field's path as its value; the variable
//!   is named after the field, so the console shows what it carries. `InputPathsMap` keys
//!   match `[A-Za-z0-9_-]+` and "cannot start with AWS" (EventBridge API reference,
//!   `InputTransformer`): a field whose name starts with `AWS` (any case) gets the variable
//!   `_<field>`, which no Salesforce API name can be (they start with a letter), so no two
//!   fields share a variable; an API name (at most 80 characters) is far within the keys'
//!   256;
//! - `InputTemplate` is a minified JSON object, the fields in the order declared, each value
//!   an unquoted placeholder (`{"Order_Id__c":<Order_Id__c>}`). Unquoted is what keeps types:
//!   "EventBridge automatically adds quotes to string variable values during transformation
//!   ... does not add quotes to variables that represent JSON objects or arrays" ("Simple
//!   JSON" example: `"instance" : <instance>` gives `"instance" : "i-0123456789"`), and a
//!   number or true/false is written as itself, as JSON (see [`render`](super::render)). A
//!   quoted placeholder would turn a number into text.

use std::collections::BTreeMap;

/// `InputTemplate` length (EventBridge API reference, `InputTransformer`: 1..8192).
pub(crate) const TEMPLATE_MAX: usize = 8192;
/// `InputPathsMap` entries (EventBridge API reference, `InputTransformer`: at most 100).
pub(crate) const VARIABLES_MAX: usize = 100;

/// A target's `InputTransformer`: the paths read from the event, by variable, and the template
/// they fill in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct InputTransformer {
    pub(crate) input_paths_map: BTreeMap<String, String>,
    pub(crate) input_template: String,
}

/// The variable that carries `field`: the field's name, or `_<field>` where the name starts
/// with `AWS`, which EventBridge refuses for a key.
pub(crate) fn variable(field: &str) -> String {
    let reserved = field
        .get(..3)
        .is_some_and(|head| head.eq_ignore_ascii_case("aws"));
    if reserved {
        format!("_{field}")
    } else {
        field.to_string()
    }
}

/// The transformer that sends exactly `body`'s fields (field name, path in the event), in
/// its order.
pub(crate) fn transformer<'a>(
    body: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> InputTransformer {
    let mut input_paths_map = BTreeMap::new();
    let mut members = Vec::new();
    for (field, path) in body {
        let variable = variable(field);
        members.push(format!(
            "{}:<{variable}>",
            serde_json::Value::String(field.to_string())
        ));
        input_paths_map.insert(variable, path.to_string());
    }
    InputTransformer {
        input_paths_map,
        input_template: format!("{{{}}}", members.join(",")),
    }
}

impl InputTransformer {
    /// The body (field, path) this transformer was made from, when it is exactly one that
    /// [`transformer`] writes; `None` for any other transformer (written by hand or by
    /// another tool), which has no `body:` that says the same.
    pub(crate) fn body(&self) -> Option<Vec<(String, String)>> {
        let inner = self.input_template.strip_prefix('{')?.strip_suffix('}')?;
        let mut body = Vec::new();
        if !inner.is_empty() {
            for member in inner.split(",\"") {
                let member = member.strip_prefix('"').unwrap_or(member);
                let (field, placeholder) = member.split_once("\":<")?;
                let variable = placeholder.strip_suffix('>')?;
                body.push((
                    field.to_string(),
                    self.input_paths_map.get(variable)?.clone(),
                ));
            }
        }
        let again = transformer(body.iter().map(|(f, p)| (f.as_str(), p.as_str())));
        (again == *self).then_some(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_json_object_of_unquoted_placeholders_in_the_declared_order() {
        let made = transformer([
            ("Order_Id__c", "$.detail.id"),
            ("Amount__c", "$.detail.total"),
        ]);
        assert_eq!(
            made.input_template,
            r#"{"Order_Id__c":<Order_Id__c>,"Amount__c":<Amount__c>}"#
        );
        assert_eq!(
            made.input_paths_map,
            BTreeMap::from([
                ("Amount__c".to_string(), "$.detail.total".to_string()),
                ("Order_Id__c".to_string(), "$.detail.id".to_string()),
            ])
        );
    }

    #[test]
    fn a_field_starting_with_aws_gets_a_variable_eventbridge_accepts() {
        let made = transformer([("AWS_Region__c", "$.region"), ("aws__c", "$.id")]);
        assert_eq!(
            made.input_template,
            r#"{"AWS_Region__c":<_AWS_Region__c>,"aws__c":<_aws__c>}"#
        );
        assert!(
            made.input_paths_map
                .keys()
                .all(|key| !key.to_ascii_lowercase().starts_with("aws"))
        );
    }

    #[test]
    fn the_body_is_recovered_only_from_a_transformer_the_tool_writes() {
        let body = [("Order_Id__c", "$.detail.id"), ("AWS_X__c", "$.detail.x")];
        let made = transformer(body);
        let recovered = made.body().unwrap();
        assert_eq!(recovered, body.map(|(f, p)| (f.to_string(), p.to_string())));
        assert_eq!(transformer([]).body(), Some(vec![]));
        let by_hand = InputTransformer {
            input_paths_map: made.input_paths_map.clone(),
            input_template: r#"{"Order_Id__c":"<Order_Id__c>","AWS_X__c":<_AWS_X__c>}"#.into(),
        };
        assert_eq!(by_hand.body(), None);
        let extra_variable = InputTransformer {
            input_paths_map: BTreeMap::from([
                ("Order_Id__c".into(), "$.detail.id".into()),
                ("unused".into(), "$.id".into()),
            ]),
            input_template: r#"{"Order_Id__c":<Order_Id__c>}"#.into(),
        };
        assert_eq!(extra_variable.body(), None);
    }
}
