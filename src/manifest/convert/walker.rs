//! The walk's primitives: mappings with their unknown keys reported, strings exactly as
//! written, positions and fields of messages, and "did you mean" for misspellings. Every
//! part of [`convert`](super) is built from these.

use crate::error::{Location, Problem};
use crate::manifest::keys::{self, Keys};
use crate::manifest::limits::{self, Violation};
use crate::manifest::yaml::{Document, Position, Segment, display_path};
use crate::manifest::{Origin, Rules};
use crate::outside::Outside;
use crate::sources;
use serde_yaml::Value;
use std::path::Path;

/// Which part of a mapping entry a message points at.
#[derive(Clone, Copy)]
pub(super) enum At {
    Key,
    Value,
}

/// Where to point for a value: an empty value has no position of its own (the parser marks
/// whatever follows it), so its key is shown instead.
pub(super) fn at_value(value: &Value) -> At {
    if value.is_null() { At::Key } else { At::Value }
}

pub(super) type Path_ = Vec<Segment>;

pub(super) fn child(path: &[Segment], key: &str) -> Path_ {
    let mut path = path.to_vec();
    path.push(Segment::Key(key.to_string()));
    path
}

/// The path of the item at `index` of the list at `path`.
pub(super) fn nth(path: &[Segment], index: usize) -> Path_ {
    let mut path = path.to_vec();
    path.push(Segment::Index(index));
    path
}

pub(super) struct Walker<'a> {
    pub(super) file: &'a Path,
    pub(super) document: &'a Document,
    pub(super) problems: &'a mut Vec<Problem>,
    pub(super) rules: &'a Rules,
    /// Allowed keys that an unknown key was taken for (`clientSecrt` -> `clientSecret`): the
    /// "did you mean" already says what to do, so the key is not reported missing as well.
    pub(super) misspelt: Vec<(Path_, &'static str)>,
}

impl Walker<'_> {
    pub(super) fn location(&self, path: &[Segment], at: At) -> Location {
        let Position { line, column } = match at {
            At::Key => self.document.key_position(path),
            At::Value => self.document.value_position(path),
        };
        Location::at(self.file, line, column)
    }

    pub(super) fn origin(&self, path: &[Segment]) -> Origin {
        Origin {
            location: self.location(path, At::Value),
            field: display_path(path),
        }
    }

    pub(super) fn report(
        &mut self,
        path: &[Segment],
        at: At,
        message: impl Into<Outside>,
        help: impl Into<Outside>,
    ) {
        let problem = Problem::new(message)
            .at(self.location(path, at))
            .field(display_path(path))
            .help(help);
        self.problems.push(problem);
    }

    /// True when an unknown key in the mapping at `path` was taken for `key`.
    pub(super) fn misspelt(&self, path: &[Segment], key: &str) -> bool {
        self.misspelt
            .iter()
            .any(|(at, candidate)| at.as_slice() == path && *candidate == key)
    }

    /// `namePrefix` of the project file: every name of the set starts with it.
    pub(super) fn prefixed(&self, name: &str, what: &str) -> Result<(), Violation> {
        match &self.rules.name_prefix {
            Some(prefix) if !name.starts_with(prefix.as_str()) => Err(Violation {
                message: format!(
                    "{what} name `{name}` does not start with `{prefix}`, the namePrefix of the project file"
                ),
                help: format!(
                    "rename it to start with `{prefix}` (e.g. `{prefix}{name}`), or change namePrefix in provision.yaml"
                ),
            }),
            _ => Ok(()),
        }
    }

    pub(super) fn check(&mut self, path: &[Segment], result: Result<(), Violation>) -> bool {
        match result {
            Ok(()) => true,
            Err(Violation { message, help }) => {
                self.report(path, At::Value, message, help);
                false
            }
        }
    }

    /// The entries of a mapping, with unknown keys reported. `None` if it is not a mapping.
    pub(super) fn mapping<'v>(
        &mut self,
        value: &'v Value,
        path: &[Segment],
        allowed: Keys,
    ) -> Option<Vec<(String, &'v Value)>> {
        let Value::Mapping(mapping) = value else {
            let what = if path.is_empty() {
                "the document".to_string()
            } else {
                "this".to_string()
            };
            self.report(
                path,
                at_value(value),
                format!(
                    "{what} must be a mapping of keys to values, found {}",
                    kind(value)
                ),
                expected_help(path),
            );
            return None;
        };
        let written_keys = self
            .document
            .raw_keys(path)
            .filter(|keys| keys.len() == mapping.len());
        let mut entries = Vec::new();
        for (index, (key, item)) in mapping.iter().enumerate() {
            let written = written_keys
                .and_then(|keys| keys.get(index))
                .map(String::as_str);
            let Some(key) = key.as_str().map(str::to_string) else {
                let (message, help) = match (key, written) {
                    (Value::Number(_) | Value::Bool(_), Some(written)) => (
                        format!(
                            "a key must be text, found {}: YAML reads `{written}` unquoted as {}",
                            kind(key),
                            kind(key)
                        ),
                        format!("to name the key `{written}`, quote it: `\"{written}\":`"),
                    ),
                    _ => (
                        format!("a key must be a plain string, found {}", kind(key)),
                        "write the key as plain text".to_string(),
                    ),
                };
                self.report(path, At::Value, message, help);
                continue;
            };
            if !allowed.is_empty() && !keys::names(allowed).any(|name| name == key) {
                let at = child(path, &key);
                let help = match suggest(&key, allowed) {
                    Some(candidate) => {
                        self.misspelt.push((path.to_vec(), candidate));
                        format!("did you mean `{candidate}`?")
                    }
                    None => format!(
                        "allowed keys here: {}",
                        keys::names(allowed).collect::<Vec<_>>().join(", ")
                    ),
                };
                self.report(&at, At::Key, format!("unknown key `{key}`"), help);
                continue;
            }
            entries.push((key, item));
        }
        Some(entries)
    }

    /// The items of a list of `what` (`Region names`). `None` after reporting otherwise.
    pub(super) fn sequence<'v>(
        &mut self,
        value: &'v Value,
        path: &[Segment],
        what: &str,
        help: &str,
    ) -> Option<&'v [Value]> {
        if let Value::Sequence(items) = value {
            return Some(items);
        }
        self.report(
            path,
            at_value(value),
            format!("expected a list of {what}, found {}", kind(value)),
            help,
        );
        None
    }

    pub(super) fn required<'v>(
        &mut self,
        entries: &[(String, &'v Value)],
        path: &[Segment],
        key: &str,
        help: &str,
    ) -> Option<&'v Value> {
        let found = lookup(entries, key);
        if found.is_none() && !self.misspelt(path, key) {
            let problem = Problem::new(format!("missing required key `{key}`"))
                .at(self.location(path, At::Key))
                .field(display_path(&child(path, key)))
                .help(help);
            self.problems.push(problem);
        }
        found
    }

    /// A YAML string. A number or true/false is refused even where its text would do: the
    /// reader meant a flag or a count (`sandbox: true` is not a sandbox named `true`), or the
    /// text is not what YAML keeps (`0x1F`, `1.10`); quoting says which. `None` after
    /// reporting.
    pub(super) fn string(&mut self, value: &Value, path: &[Segment]) -> Option<String> {
        let written = self.document.raw_scalar(path);
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(_) | Value::Bool(_) if written.is_some() => {
                let written = written.unwrap_or_default().to_string();
                let quoted = match path.last() {
                    Some(Segment::Key(key)) => format!("`{key}: \"{written}\"`"),
                    _ => format!("`\"{written}\"`"),
                };
                self.report(
                    path,
                    At::Value,
                    format!(
                        "expected text, found {}: YAML reads `{written}` unquoted as {}",
                        kind(value),
                        kind(value)
                    ),
                    format!(
                        "{}; to send the text `{written}`, quote it: {quoted}",
                        expected_help(path)
                    ),
                );
                None
            }
            Value::Number(_) | Value::Bool(_) => {
                // The event pass did not see this value (the parsers disagree): refuse rather
                // than send serde_yaml's rewriting of it.
                self.report(
                    path,
                    At::Value,
                    "this value is read as a number or true/false, and its text as written is not known",
                    "put the value in quotes so that it is sent exactly as written",
                );
                None
            }
            Value::Tagged(tagged) => {
                self.tag_refused(path, &tagged.tag);
                None
            }
            Value::Null => match written.filter(|text| !text.is_empty()) {
                Some(text) => {
                    let text = text.to_string();
                    self.report(
                        path,
                        At::Value,
                        format!("the value is missing: `{text}` means no value in YAML"),
                        format!(
                            "{}; to send the text {text}, quote it: `\"{text}\"`",
                            expected_help(path)
                        ),
                    );
                    None
                }
                None => {
                    self.report(path, At::Key, "the value is missing", expected_help(path));
                    None
                }
            },
            Value::Sequence(_) | Value::Mapping(_) => {
                self.report(
                    path,
                    At::Value,
                    format!("expected a string, found {}", kind(value)),
                    expected_help(path),
                );
                None
            }
        }
    }
}

impl Walker<'_> {
    /// A YAML tag (`!Ref`, `!!str`) where a plain value is meant.
    pub(super) fn tag_refused(&mut self, path: &[Segment], tag: &serde_yaml::value::Tag) {
        self.report(
            path,
            At::Value,
            format!("YAML tags such as `{tag}` are not supported"),
            format!("remove `{tag}` and write the plain value"),
        );
    }
}

pub(super) fn lookup<'v>(entries: &[(String, &'v Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// What a YAML value is, as messages name it ("expected a string, found a list").
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (an empty value)",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value (YAML tags are not supported)",
    }
}

pub(super) fn expected_help(path: &[Segment]) -> String {
    let field = display_path(path);
    match field.as_str() {
        "" => "a connection document is a mapping with `name`, `salesforce`, `clientId` and `clientSecret`".to_string(),
        "salesforce" => "write `salesforce: { myDomain: <name> }`".to_string(),
        "salesforce.app" => "write `app: { contactEmail: <address>, runAsUser: <username> }`".to_string(),
        "oauth" | "invocation" => format!("write `{field}:` with `headers:`, `query:` or `body:` maps below it"),
        "privateLink" => "write `privateLink: { resourceConfigurationArn: arn:aws:vpc-lattice:... }`".to_string(),
        "name" => format!("write `name: <connection-name>` ({})", limits::name_rule()),
        "clientId" => format!("write the connected app's consumer key (it starts with 3MVG), or a reference: {}", sources::help()),
        "salesforce.myDomain" => "write the My Domain name from Setup > My Domain, e.g. `myDomain: acme`".to_string(),
        "salesforce.sandbox" => "write the sandbox name from Setup > Sandboxes, e.g. `sandbox: uat` (leave `sandbox` out for production)".to_string(),
        "salesforce.tokenUrl" => "write `tokenUrl: https://<name>.my.salesforce.com/services/oauth2/token`".to_string(),
        _ if field.ends_with(".apiVersion") => "write the API version as `vNN.N`, e.g. `apiVersion: v62.0`".to_string(),
        _ if field.starts_with("regions[") => "write a Region code such as `us-east-1`".to_string(),
        _ if field.ends_with(".headers") || field.ends_with(".query") || field.ends_with(".body") => {
            "write the parameters as `Name: value` pairs".to_string()
        }
        _ if path.len() == 3
            && matches!(path.first(), Some(Segment::Key(block)) if block == "oauth" || block == "invocation") =>
        {
            format!("write a plain value, or a reference: {}", sources::help())
        }
        _ => format!("give `{field}` a plain value"),
    }
}

/// The allowed key closest to a misspelt one, if any is close enough.
pub(crate) fn suggest(key: &str, allowed: Keys) -> Option<&'static str> {
    suggest_among(key, keys::names(allowed))
}

/// The candidate closest to a misspelt word, if any is close enough.
pub(super) fn suggest_among(
    key: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::convert::{REQUIRED, convert_text};
    use crate::manifest::{Parameter, ValueSource};

    fn literals(parameters: &[Parameter]) -> Vec<(&str, &str)> {
        parameters
            .iter()
            .map(|p| match &p.value {
                ValueSource::Literal(text) => (p.key.as_str(), text.as_str()),
                ValueSource::Reference(_) => (p.key.as_str(), "(reference)"),
            })
            .collect()
    }

    #[test]
    fn numbers_and_booleans_are_refused_where_text_is_meant() {
        let text = "name: sf-acme-prod\nsalesforce:\n  myDomain: initech\n  sandbox: true\nclientId: 0x3F\nclientSecret: { secretsManager: 1e3, key: \"k\" }\n";
        assert_eq!(
            convert_text(text).unwrap_err(),
            [
                "c.yaml:4:12: salesforce.sandbox: expected text, found true/false: YAML reads `true` unquoted as true/false\n  help: write the sandbox name from Setup > Sandboxes, e.g. `sandbox: uat` (leave `sandbox` out for production); to send the text `true`, quote it: `sandbox: \"true\"`",
                "c.yaml:5:11: clientId: expected text, found a number: YAML reads `0x3F` unquoted as a number\n  help: write the connected app's consumer key (it starts with 3MVG), or a reference: write one of `{ env: NAME }`, `{ file: path/to/file }`, `{ secretsManager: name-or-arn, key: field }` or `{ ssm: /path/name }`; to send the text `0x3F`, quote it: `clientId: \"0x3F\"`",
                "c.yaml:6:33: clientSecret.secretsManager: expected text, found a number: YAML reads `1e3` unquoted as a number\n  help: give `clientSecret.secretsManager` a plain value; to send the text `1e3`, quote it: `secretsManager: \"1e3\"`",
            ]
        );
        // Every kind of field: a name, a description, a parameter value and key, a Region.
        for (extra, field) in [
            ("description: 3.10\n", "description"),
            ("kmsKey: 1.50\n", "kmsKey"),
            (
                "invocation:\n  headers:\n    X-T: True\n",
                "invocation.headers.X-T",
            ),
            ("oauth:\n  body:\n    scope: 1e-3\n", "oauth.body.scope"),
            ("regions: [us-east-1, 1.10]\n", "regions[1]"),
        ] {
            let problems = convert_text(&format!("{REQUIRED}{extra}")).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(
                problems[0].contains(&format!(" {field}: expected text, found ")),
                "{problems:?}"
            );
        }
        for key in ["123", "1.0", "false"] {
            let problems =
                convert_text(&format!("{REQUIRED}invocation:\n  query:\n    {key}: a\n"))
                    .unwrap_err();
            assert!(
                problems[0].contains(&format!("YAML reads `{key}` unquoted as"))
                    && problems[0].contains(&format!("quote it: `\"{key}\":`")),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn quoted_text_is_taken_exactly_as_written() {
        let text = "name: \"1.10\"\nsalesforce:\n  myDomain: acme\nclientId: \"0x3MVG\"\nclientSecret: { secretsManager: \"1e3\", key: \"0x1F\", versionStage: \"1.0\" }\ninvocation:\n  headers:\n    X-T: \"true\"\n  query:\n    \"1.0\": \"-0\"\n";
        let spec = convert_text(text).unwrap();
        assert_eq!(spec.name, "1.10");
        assert_eq!(spec.client_id, ValueSource::Literal("0x3MVG".into()));
        assert_eq!(
            spec.client_secret.source,
            crate::sources::SecretSource::SecretsManager {
                id: "1e3".into(),
                key: Some("0x1F".into()),
                version_stage: Some("1.0".into()),
            }
        );
        assert_eq!(literals(&spec.invocation.headers), [("X-T", "true")]);
        assert_eq!(literals(&spec.invocation.query), [("1.0", "-0")]);
    }

    #[test]
    fn aliases_repeat_the_text_of_their_anchor() {
        let text = format!(
            "{REQUIRED}invocation:\n  headers:\n    X-A: &v \"0x1F\"\n    X-B: *v\n  query: &q\n    \"1.0\": \"2.50\"\noauth:\n  query: *q\n"
        );
        let spec = convert_text(&text).unwrap();
        assert_eq!(
            literals(&spec.invocation.headers),
            [("X-A", "0x1F"), ("X-B", "0x1F")]
        );
        assert_eq!(literals(&spec.oauth.query), [("1.0", "2.50")]);
    }

    #[test]
    fn a_written_null_says_how_to_send_the_text() {
        let text = format!("{REQUIRED}invocation:\n  headers:\n    X-Header: null\n");
        let problems = convert_text(&text).unwrap_err();
        assert_eq!(
            problems,
            [
                "c.yaml:8:15: invocation.headers.X-Header: the value is missing: `null` means no value in YAML\n  help: write a plain value, or a reference: write one of `{ env: NAME }`, `{ file: path/to/file }`, `{ secretsManager: name-or-arn, key: field }` or `{ ssm: /path/name }`; to send the text null, quote it: `\"null\"`"
            ]
        );
        // Optional fields written as null are absent, as before.
        let spec = convert_text(&format!("{REQUIRED}description: ~\nkmsKey: null\n")).unwrap();
        assert_eq!((spec.description, spec.kms_key), (None, None));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_key() {
        let spec = convert_text(&format!("\u{feff}{REQUIRED}")).unwrap();
        assert_eq!(spec.name, "sf-acme-prod");
        let problems = convert_text("\u{feff}name: a b\n").unwrap_err();
        assert!(
            problems[0].starts_with("c.yaml:1:7: name: the name contains ` `"),
            "{problems:?}"
        );
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(suggest("clientSecrt", keys::TOP), Some("clientSecret"));
        assert_eq!(suggest("clientid", keys::TOP), Some("clientId"));
        assert_eq!(suggest("mydomain", keys::SALESFORCE), Some("myDomain"));
        assert_eq!(suggest("completely-else", keys::TOP), None);
    }
}
