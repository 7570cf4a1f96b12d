//! Whether the body a rule sends is one the Platform Event accepts, decided from the event's
//! describe as the Run As user (pure): every required field mapped, no field the event lacks or
//! the user may not set, and, when the rule declares a `sample:`, each rendered value of a JSON
//! type the field can take. `verify` describes the event and renders the sample; this file
//! turns the three into findings, so every case is tested without a network.
//!
//! A required field is createable, not nillable and not defaulted on create (the SOAP API's
//! "Field" of DescribeSObjectResult, which the REST API's "sObject Describe" serves). The JSON
//! type a field takes follows its `soapType` ("SOAPTypes"; the Apex "SOAPType Enum": a Double
//! field holds Double values, an Integer field Integer values, a Boolean field true or false,
//! and ID, Date, DateTime, Time and base64 values are written as strings), or, when the
//! answer has none, its `type` ("Field Types" in the Object Reference: currency and percent
//! are doubles; every text kind, picklist, email, phone and url a string).

use crate::manifest::RuleSpec;
use crate::plan::verify_report::{RuleError, VerifiedRule};
use crate::salesforce::rest::Field;
use serde_json::Value;

/// One declared rule against its target's describe (pure): the body check, with the rule's
/// `sample:` rendered through its input transformer as EventBridge would
/// ([`crate::route::render`]); a rule with no dead-letter queue, or with retries turned off,
/// is a warning (EventBridge user guide, "Using dead-letter queues to process undelivered
/// events in EventBridge": without one, an event that exhausts its retries is dropped).
/// `described`: the target and its fields; `None` for a `path:` destination, which cannot be
/// described (the body is then not checked).
pub(crate) fn verify_rule(rule: &RuleSpec, described: Option<(&str, &[Field])>) -> VerifiedRule {
    let body: Vec<(&str, &str)> = rule
        .body
        .iter()
        .map(|field| (field.field.as_str(), field.path.as_str()))
        .collect();
    let rendered = rule
        .sample
        .as_ref()
        .map(|sample| crate::route::render::render(&rule.transformer(), sample));
    let mut verified = VerifiedRule {
        name: rule.name.clone(),
        bus: rule.bus_name().to_string(),
        ok: true,
        errors: Vec::new(),
        warnings: Vec::new(),
        not_checked: Vec::new(),
    };
    let findings = match described {
        Some((target, fields)) => check_body(target, &body, rendered.as_deref(), fields),
        None => {
            verified.not_checked.push(
                "body: a `path:` destination cannot be described, so the fields it takes are unknown"
                    .into(),
            );
            Vec::new()
        }
    };
    for finding in findings {
        if finding.is_error() {
            verified.ok = false;
            verified.errors.push(RuleError {
                error: finding.error.into(),
                help: finding.hint.into(),
            });
        } else {
            verified
                .not_checked
                .push(format!("{}; {}", finding.error, finding.hint).into());
        }
    }
    verified.not_checked.push(
        format!(
            "role: whether {} may invoke this destination, and lets events.amazonaws.com assume it, was not checked (verify reads no IAM policy); `provision iam-policy --for rule` prints both policies",
            rule.role
        )
        .into(),
    );
    if rule.dead_letter_queue.is_none() {
        verified.warnings.push(
            "no dead-letter queue: an event EventBridge cannot deliver once its retries are spent is dropped; declare `deadLetterQueue:` (an SQS queue ARN; `provision iam-policy --for rule` prints the queue policy statement it needs)".to_string(),
        );
    }
    if rule
        .retry
        .as_ref()
        .is_some_and(|retry| retry.maximum_retry_attempts == 0)
    {
        verified.warnings.push(
            "retry attempts 0: EventBridge sends each event once, and a throttled or failed call is not tried again; raise `retry.attempts` (AWS's default is 185)".to_string(),
        );
    }
    verified
}

/// One finding of the body check: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyFinding {
    /// An error (the event would be refused) or a note (something was not checked).
    pub(crate) kind: FindingKind,
    pub(crate) error: String,
    pub(crate) hint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FindingKind {
    /// A required field the body leaves out.
    MissingRequired,
    /// A field the event does not have (for the Run As user).
    UnknownField,
    /// A field the Run As user may not set.
    NotCreateable,
    /// A rendered value of a JSON type the field cannot take (or null for a required field).
    WrongType,
    /// The rendered sample is not a JSON object.
    NotAnObject,
    /// Value types were not checked: no `sample:`.
    TypesNotChecked,
}

impl BodyFinding {
    /// Everything but [`FindingKind::TypesNotChecked`] means Salesforce would refuse the event.
    pub(crate) fn is_error(&self) -> bool {
        self.kind != FindingKind::TypesNotChecked
    }
}

/// The JSON values a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    String,
    Number,
    WholeNumber,
    Boolean,
    /// `xsd:anyType`, or a type this table does not know: not checked.
    Anything,
}

impl Takes {
    fn of(field: &Field) -> Self {
        match field.soap_type.as_deref() {
            Some(soap) => match soap {
                "xsd:string" | "tns:ID" | "xsd:base64Binary" | "xsd:date" | "xsd:dateTime"
                | "xsd:time" => Takes::String,
                "xsd:double" => Takes::Number,
                "xsd:int" | "xsd:long" => Takes::WholeNumber,
                "xsd:boolean" => Takes::Boolean,
                _ => Takes::Anything,
            },
            None => match field.kind.as_str() {
                "string" | "textarea" | "picklist" | "multipicklist" | "combobox" | "email"
                | "phone" | "url" | "encryptedstring" | "id" | "reference" | "base64" | "date"
                | "datetime" | "time" => Takes::String,
                "double" | "currency" | "percent" => Takes::Number,
                "int" | "long" => Takes::WholeNumber,
                "boolean" => Takes::Boolean,
                _ => Takes::Anything,
            },
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (Takes::Anything, _) => true,
            (Takes::String, Value::String(_)) | (Takes::Boolean, Value::Bool(_)) => true,
            (Takes::Number, Value::Number(_)) => true,
            (Takes::WholeNumber, Value::Number(number)) => {
                number.is_i64()
                    || number.is_u64()
                    || number.as_f64().is_some_and(|n| n.fract() == 0.0)
            }
            _ => false,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Takes::String => "a JSON string",
            Takes::Number => "a JSON number",
            Takes::WholeNumber => "a whole JSON number",
            Takes::Boolean => "true or false",
            Takes::Anything => "any JSON value",
        }
    }
}

/// What a rendered value is, as the messages say it.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a number with a fraction",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The type of a field as the messages say it: `double (xsd:double)`.
fn field_type(field: &Field) -> String {
    match &field.soap_type {
        Some(soap) => format!("{} ({soap})", field.kind),
        None => field.kind.clone(),
    }
}

/// The body check of one rule: `body` is the rule's mapping (Platform Event field, path in the
/// event) in its order, `rendered` the bytes its input transformer makes of the rule's
/// `sample:` (`None`: the rule declares none), `fields` the event's describe as the Run As
/// user. Findings come in the order: the body's fields, then the required fields it leaves
/// out, then the sample's values.
pub(crate) fn check_body(
    event: &str,
    body: &[(&str, &str)],
    rendered: Option<&[u8]>,
    fields: &[Field],
) -> Vec<BodyFinding> {
    let mut findings = Vec::new();
    let field_named = |name: &str| fields.iter().find(|field| field.name == name);
    for (name, _) in body {
        match field_named(name) {
            None => findings.push(BodyFinding {
                kind: FindingKind::UnknownField,
                error: format!(
                    "the body maps {name}, a field {event} does not have (as the Run As user describes it)"
                ),
                hint: format!(
                    "correct the field's API name under `body:` ({event} takes {}), or give the Run As user read access to {name} (a field the user cannot see is not described)",
                    settable(fields)
                ),
            }),
            Some(field) if !field.createable => findings.push(BodyFinding {
                kind: FindingKind::NotCreateable,
                error: format!(
                    "the body maps {name}, which the Run As user may not set on {event} (describe answers createable: false)"
                ),
                hint: format!(
                    "remove {name} from `body:` if Salesforce sets it, or give the Run As user Edit access to {name} (field-level security in a permission set)"
                ),
            }),
            Some(_) => {}
        }
    }
    for field in fields.iter().filter(|field| field.is_required()) {
        if !body.iter().any(|(name, _)| *name == field.name) {
            findings.push(BodyFinding {
                kind: FindingKind::MissingRequired,
                error: format!(
                    "the body maps no value to {}, which {event} requires (a {} field: createable, not nillable, no default on create)",
                    field.name,
                    field_type(field)
                ),
                hint: format!(
                    "map it under the rule's `body:`, e.g. `{}: $.detail.<path>`",
                    field.name
                ),
            });
        }
    }
    let Some(rendered) = rendered else {
        findings.push(BodyFinding {
            kind: FindingKind::TypesNotChecked,
            error: "value types: the rule declares no `sample:`".to_string(),
            hint: "declare `sample:` beside the rule (an event as the rule receives it): verify renders it through the rule's input transformer and checks each value against its field's type".to_string(),
        });
        return findings;
    };
    let object = match serde_json::from_slice::<Value>(rendered) {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            findings.push(not_an_object(json_kind(&other)));
            return findings;
        }
        Err(_) => {
            findings.push(not_an_object("text that is not JSON"));
            return findings;
        }
    };
    for (name, path) in body {
        let (Some(field), Some(value)) = (field_named(name), object.get(*name)) else {
            continue;
        };
        let takes = Takes::of(field);
        let wrong = if value.is_null() {
            field.is_required()
        } else {
            !takes.accepts(value)
        };
        if wrong {
            let takes_what = if value.is_null() {
                "a value (it is required)".to_string()
            } else {
                takes.noun().to_string()
            };
            findings.push(BodyFinding {
                kind: FindingKind::WrongType,
                error: format!(
                    "the sample renders {name} as {}, but {name} is a {} field, which takes {takes_what}",
                    json_kind(value),
                    field_type(field)
                ),
                hint: format!(
                    "map {name} to a path holding {} ({path} in the sample holds {}), or correct the sample",
                    takes.noun(),
                    json_kind(value)
                ),
            });
        }
    }
    findings
}

fn not_an_object(what: &str) -> BodyFinding {
    BodyFinding {
        kind: FindingKind::NotAnObject,
        error: format!(
            "the sample renders to {what}, not the JSON object of fields Salesforce takes"
        ),
        hint:
            "check the rule's `body:` paths against the sample: each must name a value in the event"
                .to_string(),
    }
}

/// The fields a body may map, for a hint: the createable ones, at most ten.
fn settable(fields: &[Field]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .filter(|field| field.createable)
        .map(|field| field.name.as_str())
        .collect();
    match names.len() {
        0 => "no field the Run As user may set".to_string(),
        1..=10 => names.join(", "),
        more => format!("{}, and {} more", names[..10].join(", "), more - 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, kind: &str, soap: Option<&str>, required: bool) -> Field {
        Field {
            name: name.into(),
            kind: kind.into(),
            soap_type: soap.map(str::to_string),
            nillable: !required,
            createable: true,
            defaulted_on_create: false,
        }
    }

    /// Order_Placed__e as the local org describes it: two custom fields and a standard one.
    fn order_placed() -> Vec<Field> {
        vec![
            field("Order_Id__c", "string", Some("xsd:string"), true),
            field("Amount__c", "double", Some("xsd:double"), false),
            field("Rush__c", "boolean", Some("xsd:boolean"), false),
            Field {
                createable: false,
                defaulted_on_create: true,
                ..field("CreatedDate", "datetime", Some("xsd:dateTime"), true)
            },
        ]
    }

    fn errors(findings: &[BodyFinding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .filter(|finding| finding.is_error())
            .map(|finding| (finding.error.as_str(), finding.hint.as_str()))
            .collect()
    }

    #[test]
    fn a_complete_body_without_a_sample_only_says_types_were_not_checked() {
        let findings = check_body(
            "Order_Placed__e",
            &[
                ("Order_Id__c", "$.detail.id"),
                ("Amount__c", "$.detail.total"),
            ],
            None,
            &order_placed(),
        );
        assert_eq!(
            findings,
            [BodyFinding {
                kind: FindingKind::TypesNotChecked,
                error: "value types: the rule declares no `sample:`".into(),
                hint: "declare `sample:` beside the rule (an event as the rule receives it): verify renders it through the rule's input transformer and checks each value against its field's type".into(),
            }]
        );
    }

    #[test]
    fn a_required_field_left_out_is_named_with_its_type() {
        let findings = check_body(
            "Order_Placed__e",
            &[("Amount__c", "$.detail.total")],
            Some(br#"{"Amount__c": 12.5}"#),
            &order_placed(),
        );
        assert_eq!(
            errors(&findings),
            [(
                "the body maps no value to Order_Id__c, which Order_Placed__e requires (a string (xsd:string) field: createable, not nillable, no default on create)",
                "map it under the rule's `body:`, e.g. `Order_Id__c: $.detail.<path>`"
            )]
        );
        assert_eq!(findings.len(), 1, "a sample was given: types were checked");
    }

    #[test]
    fn a_field_the_event_lacks_is_named_with_the_fields_it_has() {
        let findings = check_body(
            "Order_Placed__e",
            &[
                ("Order_Id__c", "$.detail.id"),
                ("Total__c", "$.detail.total"),
            ],
            None,
            &order_placed(),
        );
        assert_eq!(
            errors(&findings),
            [(
                "the body maps Total__c, a field Order_Placed__e does not have (as the Run As user describes it)",
                "correct the field's API name under `body:` (Order_Placed__e takes Order_Id__c, Amount__c, Rush__c), or give the Run As user read access to Total__c (a field the user cannot see is not described)"
            )]
        );
    }

    #[test]
    fn a_field_salesforce_sets_may_not_be_mapped() {
        let findings = check_body(
            "Order_Placed__e",
            &[("Order_Id__c", "$.detail.id"), ("CreatedDate", "$.time")],
            None,
            &order_placed(),
        );
        assert_eq!(
            errors(&findings),
            [(
                "the body maps CreatedDate, which the Run As user may not set on Order_Placed__e (describe answers createable: false)",
                "remove CreatedDate from `body:` if Salesforce sets it, or give the Run As user Edit access to CreatedDate (field-level security in a permission set)"
            )]
        );
    }

    #[test]
    fn a_string_for_a_double_is_a_finding_naming_the_path() {
        let findings = check_body(
            "Order_Placed__e",
            &[
                ("Order_Id__c", "$.detail.id"),
                ("Amount__c", "$.detail.total"),
            ],
            Some(br#"{"Order_Id__c": "A-1", "Amount__c": "12.50"}"#),
            &order_placed(),
        );
        assert_eq!(
            errors(&findings),
            [(
                "the sample renders Amount__c as a string, but Amount__c is a double (xsd:double) field, which takes a JSON number",
                "map Amount__c to a path holding a JSON number ($.detail.total in the sample holds a string), or correct the sample"
            )]
        );
    }

    #[test]
    fn each_json_type_is_judged_by_the_fields_soap_type() {
        let fields = vec![
            field("Text__c", "string", Some("xsd:string"), false),
            field("Amount__c", "currency", Some("xsd:double"), false),
            field("Count__c", "int", Some("xsd:int"), false),
            field("Rush__c", "boolean", Some("xsd:boolean"), false),
            field("Due__c", "date", Some("xsd:date"), false),
            field("Any__c", "anyType", Some("xsd:anyType"), false),
        ];
        let wrong = |rendered: &str| -> Vec<String> {
            let body: Vec<(&str, &str)> = fields.iter().map(|f| (f.name.as_str(), "$.x")).collect();
            check_body("Typed__e", &body, Some(rendered.as_bytes()), &fields)
                .into_iter()
                .filter(|f| f.kind == FindingKind::WrongType)
                .map(|f| f.error.split(',').next().unwrap_or_default().to_string())
                .collect()
        };
        let accepted = r#"{"Text__c": "a", "Amount__c": 1.5, "Count__c": 3, "Rush__c": true, "Due__c": "2026-12-07", "Any__c": [1]}"#;
        assert_eq!(wrong(accepted), Vec::<String>::new());
        let refused = r#"{"Text__c": 5, "Amount__c": true, "Count__c": 3.5, "Rush__c": "true", "Due__c": 20261207, "Any__c": null}"#;
        assert_eq!(
            wrong(refused),
            [
                "the sample renders Text__c as a number",
                "the sample renders Amount__c as a boolean",
                "the sample renders Count__c as a number with a fraction",
                "the sample renders Rush__c as a string",
                "the sample renders Due__c as a number",
            ]
        );
    }

    #[test]
    fn without_a_soap_type_the_field_type_decides() {
        let fields = vec![field("Fee__c", "percent", None, false)];
        let findings = check_body(
            "Typed__e",
            &[("Fee__c", "$.detail.fee")],
            Some(br#"{"Fee__c": "5%"}"#),
            &fields,
        );
        assert_eq!(
            errors(&findings)[0].0,
            "the sample renders Fee__c as a string, but Fee__c is a percent field, which takes a JSON number"
        );
    }

    #[test]
    fn null_is_refused_only_for_a_required_field() {
        let findings = check_body(
            "Order_Placed__e",
            &[
                ("Order_Id__c", "$.detail.id"),
                ("Amount__c", "$.detail.total"),
            ],
            Some(br#"{"Order_Id__c": null, "Amount__c": null}"#),
            &order_placed(),
        );
        assert_eq!(
            errors(&findings),
            [(
                "the sample renders Order_Id__c as null, but Order_Id__c is a string (xsd:string) field, which takes a value (it is required)",
                "map Order_Id__c to a path holding a JSON string ($.detail.id in the sample holds null), or correct the sample"
            )]
        );
    }

    #[test]
    fn a_rendering_that_is_not_an_object_is_one_finding() {
        let body = [("Order_Id__c", "$.detail.id")];
        for (rendered, what) in [
            (&b"[1]"[..], "an array"),
            (&b"{\"Order_Id__c\": }"[..], "text that is not JSON"),
        ] {
            let findings = check_body("Order_Placed__e", &body, Some(rendered), &order_placed());
            assert_eq!(
                errors(&findings),
                [(
                    format!("the sample renders to {what}, not the JSON object of fields Salesforce takes").as_str(),
                    "check the rule's `body:` paths against the sample: each must name a value in the event"
                )]
            );
        }
    }
}
