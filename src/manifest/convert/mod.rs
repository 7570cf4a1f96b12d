//! Turns one parsed YAML document into a [`ConnectionSpec`], reporting every problem in it.
//!
//! This is a hand-written walk rather than a serde derive so that one document can report all
//! of its mistakes at once, each with the exact position of the key or value at fault and a
//! "did you mean" for misspelt keys.
//!
//! Every string field, and every key, receives exactly the text the user wrote: where YAML
//! reads a plain scalar as a number or a boolean (`description: 3.10`, `X-V: 0x1F`, a header
//! named `123`), the source text recorded by the event pass is used, never serde_yaml's
//! canonical form (`3.1`, `31`). Messages quote that same text. Nulls (`~`, `null`, nothing)
//! mean no value: an error where a value is required, absent where it is optional. See the
//! [`yaml`](super::yaml) module for how the text is recorded.
//!
//! One file per part of the document: [`walker`] holds the walk's primitives (mappings, strings
//! as written, positions, "did you mean"), [`connection`] the document's root, [`salesforce`]
//! the token URL, [`app`] the External Client App, [`secret`] secret references,
//! [`parameters`] the `headers`/`query`/`body` lists, [`private_link`] private connectivity,
//! [`destination`] the API destinations, [`rule`] the rules that route events to them.

mod app;
mod connection;
mod destination;
mod parameters;
mod private_link;
mod rule;
mod salesforce;
mod secret;
mod walker;

use super::yaml::Document;
use super::{ConnectionSpec, Rules};
use crate::error::Problem;
use std::path::Path;
use walker::Walker;
pub(crate) use walker::{kind, suggest};

/// Converts a document under the run's [`Rules`] (its set's marker, `namePrefix`,
/// `extraRegions`). Returns `None` when it has problems (all of them pushed to `problems`).
pub fn convert_with(
    file: &Path,
    document: &Document,
    problems: &mut Vec<Problem>,
    rules: &Rules,
) -> Option<ConnectionSpec> {
    let before = problems.len();
    let mut walker = Walker {
        file,
        document,
        problems,
        rules,
        misspelt: Vec::new(),
    };
    let spec = walker.connection();
    if problems.len() > before { None } else { spec }
}

/// The secret reference at `path` of a document other than a connection's (the project file's
/// `targets[].externalId`), read exactly as a connection's `clientSecret` is. `None` when it
/// has problems (all of them pushed to `problems`).
pub(crate) fn secret_reference(
    file: &Path,
    document: &Document,
    path: &[super::yaml::Segment],
    problems: &mut Vec<Problem>,
) -> Option<super::SecretRef> {
    let rules = Rules::default();
    let mut walker = Walker {
        file,
        document,
        problems,
        rules: &rules,
        misspelt: Vec::new(),
    };
    walker.secret_ref(lookup_path(&document.value, path)?, path)
}

/// The value at `path` of `value`, if there is one.
fn lookup_path<'v>(
    value: &'v serde_yaml::Value,
    path: &[super::yaml::Segment],
) -> Option<&'v serde_yaml::Value> {
    path.iter().try_fold(value, |value, segment| match segment {
        super::yaml::Segment::Key(key) => value.get(key.as_str()),
        super::yaml::Segment::Index(index) => value.get(*index),
    })
}

/// The first document of `text` converted as `c.yaml`: its spec, or its problems as printed.
#[cfg(test)]
pub(crate) fn convert_text(text: &str) -> Result<ConnectionSpec, Vec<String>> {
    let file = Path::new("c.yaml");
    let documents = super::yaml::parse_documents(file, text).map_err(|p| vec![p.to_string()])?;
    let mut problems = Vec::new();
    let spec = convert_with(file, &documents[0], &mut problems, &Rules::default());
    spec.ok_or_else(|| problems.iter().map(ToString::to_string).collect())
}

/// A document with only the required keys.
#[cfg(test)]
const REQUIRED: &str = "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: S }\n";

#[cfg(test)]
mod tests {
    use super::{REQUIRED, convert_text};
    use crate::manifest::schema;

    /// A document whose value under test is `n` characters long.
    type WithLength = fn(usize) -> String;

    fn with(extra: &str) -> String {
        format!("{REQUIRED}{extra}")
    }

    /// Every length and range the JSON Schema states is the parser's own: a value at the limit
    /// is accepted and one past it refused, so editors and `validate` never disagree.
    #[test]
    fn the_schema_states_the_limits_the_parser_applies() {
        let cases: [(&str, WithLength); 10] = [
            ("/properties/name/maxLength", |n| {
                REQUIRED.replace("sf-acme-prod", &"n".repeat(n))
            }),
            ("/properties/description/maxLength", |n| {
                with(&format!("description: {}\n", "d".repeat(n)))
            }),
            ("/properties/clientId/oneOf/0/maxLength", |n| {
                REQUIRED.replace("3MVG9abc", &"3".repeat(n))
            }),
            ("/properties/kmsKey/maxLength", |n| {
                with(&format!("kmsKey: {}\n", "k".repeat(n)))
            }),
            (
                "/properties/privateLink/properties/resourceConfigurationArn/maxLength",
                |n| {
                    with(&format!(
                        "privateLink:\n  resourceConfigurationArn: arn:{}\n",
                        "a".repeat(n - 4)
                    ))
                },
            ),
            (
                "/properties/salesforce/properties/myDomain/maxLength",
                |n| REQUIRED.replace("myDomain: acme", &format!("myDomain: {}", "a".repeat(n))),
            ),
            ("/properties/salesforce/properties/sandbox/maxLength", |n| {
                REQUIRED.replace("acme\n", &format!("acme\n  sandbox: {}\n", "s".repeat(n)))
            }),
            (
                "/properties/salesforce/properties/app/properties/name/maxLength",
                |n| {
                    REQUIRED.replace(
                        "acme\n",
                        &format!(
                            "acme\n  app: {{ name: {}, contactEmail: a@b.example, runAsUser: u@b.example }}\n",
                            "a".repeat(n)
                        ),
                    )
                },
            ),
            (
                "/properties/invocation/properties/headers/additionalProperties/oneOf/0/maxLength",
                |n| {
                    with(&format!(
                        "invocation:\n  headers:\n    X-A: {}\n",
                        "v".repeat(n)
                    ))
                },
            ),
            (
                "/properties/invocation/properties/query/propertyNames/maxLength",
                |n| {
                    with(&format!(
                        "invocation:\n  query:\n    {}: v\n",
                        "q".repeat(n)
                    ))
                },
            ),
        ];
        let schema = schema::schema();
        for (pointer, document) in cases {
            let limit = schema
                .pointer(pointer)
                .and_then(serde_json::Value::as_u64)
                .and_then(|limit| usize::try_from(limit).ok())
                .unwrap_or_else(|| panic!("{pointer} is not in the schema"));
            assert!(
                convert_text(&document(limit)).is_ok(),
                "{pointer}: {limit} refused"
            );
            assert!(
                convert_text(&document(limit + 1)).is_err(),
                "{pointer}: {} accepted",
                limit + 1
            );
        }
        let rate = |n: u64| {
            with(&format!(
                "destinations:\n  - {{ name: orders, event: Order__e, rateLimitPerSecond: {n} }}\n"
            ))
        };
        let bound = |key: &str| {
            let pointer =
                format!("/properties/destinations/items/properties/rateLimitPerSecond/{key}");
            schema.pointer(&pointer).and_then(serde_json::Value::as_u64)
        };
        let (Some(minimum), Some(maximum)) = (bound("minimum"), bound("maximum")) else {
            panic!("the schema states no rate limit range");
        };
        assert!(convert_text(&rate(minimum)).is_ok());
        assert!(convert_text(&rate(maximum)).is_ok());
        assert!(convert_text(&rate(minimum - 1)).is_err());
        assert!(convert_text(&rate(maximum + 1)).is_err());

        // A rule's retry attempts and body size, at and past the schema's bounds.
        let rule = |retry: &str, fields: usize| {
            let body: Vec<String> = (0..fields)
                .map(|i| format!("F{i}__c: $.detail.f{i}"))
                .collect();
            with(&format!(
                "destinations:\n  - name: orders\n    event: Order__e\n    rules:\n      - {{ name: r, pattern: {{source: [a]}}, role: \"arn:aws:iam::123456789012:role/r\", retry: {{ {retry} }}, body: {{ {} }} }}\n",
                body.join(", ")
            ))
        };
        let rule_bound = |pointer: &str| {
            schema
                .pointer(&format!(
                    "/properties/destinations/items/properties/rules/items/properties/{pointer}"
                ))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or_else(|| panic!("{pointer} is not in the schema"))
        };
        let attempts = rule_bound("retry/properties/attempts/maximum");
        assert!(convert_text(&rule(&format!("attempts: {attempts}"), 1)).is_ok());
        assert!(convert_text(&rule(&format!("attempts: {}", attempts + 1), 1)).is_err());
        let fields = usize::try_from(rule_bound("body/maxProperties")).unwrap_or_default();
        assert!(convert_text(&rule("attempts: 1", fields)).is_ok());
        assert!(convert_text(&rule("attempts: 1", fields + 1)).is_err());
    }
}
