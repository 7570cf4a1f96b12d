//! The loader and validator never panic, whatever the file holds: arbitrary bytes, arbitrary
//! YAML built from the real keys, valid connections with one value replaced by anything, and
//! valid connections with their text damaged. Every outcome is either connections or problems
//! that name the file at a line inside it.
//!
//! Each property runs a bounded number of cases so the whole file takes seconds. Failures are
//! not persisted to a regressions file; proptest prints the shrunk input to copy into a test.

use crate::error::Error;
use crate::manifest::load::load;
use proptest::prelude::*;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// Cases per property; `PROPTEST_CASES` runs more (e.g. a nightly job).
const CASES: u32 = 384;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every key the loader knows, at any level, and a few it should refuse.
const KEYS: &[&str] = &[
    "name",
    "description",
    "salesforce",
    "myDomain",
    "sandbox",
    "tokenUrl",
    "allowAnyHost",
    "clientId",
    "clientSecret",
    "env",
    "file",
    "secretsManager",
    "key",
    "versionStage",
    "oauth",
    "invocation",
    "headers",
    "query",
    "body",
    "grant_type",
    "client_id",
    "kmsKey",
    "privateLink",
    "resourceConfigurationArn",
    "regions",
    "X-Token",
    "x-token",
    "<<",
    "",
];

/// Values that sit on the edges of the rules, and YAML's special plain scalars.
const SCALARS: &[&str] = &[
    "sf-acme-prod",
    "acme",
    "uat",
    "acme--uat",
    "acme.my.salesforce.com",
    "https://acme.my.salesforce.com/services/oauth2/token",
    "https://login.salesforce.com/services/oauth2/token",
    "http://127.0.0.1:8080/services/oauth2/token",
    "https://[::1]/services/oauth2/token",
    "https://user:pass@acme.my.salesforce.com/services/oauth2/token?x=1#f",
    "3MVG9abc",
    "a:b",
    "ACME_SECRET",
    "../secrets/x",
    "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-1",
    "us-east-1",
    "true",
    "false",
    "yes",
    "~",
    "null",
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "0x1F",
    ".inf",
    "- a",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "#",
    "&anchor x",
    "*anchor",
    "!tag x",
    "!!binary aGk=",
    "|",
    ">",
    ":",
    "? x",
    "%YAML 1.2",
    "---",
    "...",
    "\t",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "é",
    "🙂",
];

/// The pieces YAML syntax is made of, and some words.
const TOKENS: &[&str] = &[
    "a", "name", "X", "0", "_", " ", "  ", ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "'",
    "\"", "#", "&", "*", "!", "|", ">", "?", "%", "@", "`", "\\", "\t", "\n", "\r", "\r\n", "---",
    "...", "\u{85}", "\u{2028}", "\u{feff}", "é",
];

/// A YAML node before it is written out.
#[derive(Debug, Clone)]
enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-zA-Z_.-]{0,12}",
        1 => any::<String>(),
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(SCALARS).prop_map(str::to_string),
        2 => "[ -~]{0,24}",
        1 => any::<String>(),
        1 => (500..700usize).prop_map(|length| "x".repeat(length)),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    scalar()
        .prop_map(Node::Scalar)
        .prop_recursive(5, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Node::Seq),
                prop::collection::vec((key(), inner), 0..8).prop_map(Node::Map),
            ]
        })
}

/// A document: usually a mapping of real keys, sometimes anything.
fn document() -> impl Strategy<Value = Node> {
    prop_oneof![
        4 => prop::collection::vec((key(), node()), 0..10).prop_map(Node::Map),
        1 => node(),
    ]
}

/// Writes a node in block style. With `raw`, scalars are written as they are (which makes
/// plenty of syntax errors); otherwise they are double-quoted.
fn write_block(node: &Node, indent: usize, raw: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Scalar(text) => {
            out.push_str(&pad);
            out.push_str(&scalar_text(text, raw));
            out.push('\n');
        }
        Node::Seq(items) if items.is_empty() => out.push_str(&format!("{pad}[]\n")),
        Node::Map(entries) if entries.is_empty() => out.push_str(&format!("{pad}{{}}\n")),
        Node::Seq(items) => {
            for item in items {
                match item {
                    Node::Scalar(text) => {
                        out.push_str(&format!("{pad}- {}\n", scalar_text(text, raw)));
                    }
                    nested => {
                        out.push_str(&format!("{pad}-\n"));
                        write_block(nested, indent + 2, raw, out);
                    }
                }
            }
        }
        Node::Map(entries) => {
            for (key, value) in entries {
                let key = scalar_text(key, raw);
                match value {
                    Node::Scalar(text) => {
                        out.push_str(&format!("{pad}{key}: {}\n", scalar_text(text, raw)));
                    }
                    nested => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        write_block(nested, indent + 2, raw, out);
                    }
                }
            }
        }
    }
}

fn scalar_text(text: &str, raw: bool) -> String {
    if raw {
        text.to_string()
    } else {
        serde_json::to_string(text).expect("a string serialises")
    }
}

fn to_value(node: &Node) -> Value {
    match node {
        Node::Scalar(text) => serde_yaml::from_str(text).unwrap_or(Value::String(text.clone())),
        Node::Seq(items) => Value::Sequence(items.iter().map(to_value).collect()),
        Node::Map(entries) => {
            let mut mapping = Mapping::new();
            for (key, value) in entries {
                mapping.insert(Value::String(key.clone()), to_value(value));
            }
            Value::Mapping(mapping)
        }
    }
}

/// A connection that `validate` accepts, to damage.
const VALID: &str = "\
name: sf-acme-prod
description: Acme production org
salesforce:
  myDomain: acme
  sandbox: uat
clientId: 3MVG9abc
clientSecret:
  secretsManager: salesforce/acme-prod
  key: consumer_secret
oauth:
  query:
    format: json
invocation:
  headers:
    Sforce-Call-Options: client=orders
    X-Shared-Token: { env: ORDERS_TOKEN }
  query:
    source: eventbridge
  body:
    origin: aws
kmsKey: alias/eventbridge-connections
privateLink:
  resourceConfigurationArn: arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-1
regions: [us-east-1, eu-west-1]
";

/// Where in [`VALID`] a value can be replaced.
const PATHS: &[&[&str]] = &[
    &["name"],
    &["description"],
    &["salesforce"],
    &["salesforce", "myDomain"],
    &["salesforce", "sandbox"],
    &["salesforce", "tokenUrl"],
    &["salesforce", "allowAnyHost"],
    &["clientId"],
    &["clientSecret"],
    &["clientSecret", "secretsManager"],
    &["clientSecret", "key"],
    &["clientSecret", "env"],
    &["clientSecret", "versionStage"],
    &["oauth"],
    &["oauth", "body"],
    &["oauth", "query", "format"],
    &["invocation", "headers"],
    &["invocation", "headers", "X-Shared-Token"],
    &["invocation", "headers", "x-shared-token"],
    &["invocation", "query", "source"],
    &["invocation", "body", "origin"],
    &["kmsKey"],
    &["privateLink"],
    &["privateLink", "resourceConfigurationArn"],
    &["regions"],
];

/// Sets `path` in a mapping to `value`, creating mappings on the way.
fn set(target: &mut Value, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return;
    };
    if !target.is_mapping() {
        *target = Value::Mapping(Mapping::new());
    }
    let mapping = target.as_mapping_mut().expect("a mapping");
    let entry = mapping
        .entry(Value::String(first.to_string()))
        .or_insert(Value::Null);
    set(entry, rest, value);
}

/// Loads `text` as a file and checks the outcome: connections, or problems that all name
/// this file at a line that exists.
fn check(text: &[u8]) -> Result<(), TestCaseError> {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("connection.yaml");
    std::fs::write(&file, text).expect("write");
    match load(std::slice::from_ref(&file)) {
        Ok(specs) => prop_assert!(!specs.is_empty(), "Ok with no connection"),
        Err(Error::Input(problems)) => {
            prop_assert!(!problems.is_empty(), "Err with no problem");
            let lines = yaml_lines(text);
            for problem in &problems {
                let rendered = problem.to_string();
                let location = problem.location.as_ref();
                prop_assert!(location.is_some(), "no location: {rendered}");
                let location = location.expect("checked");
                prop_assert_eq!(location.file.as_path(), file.as_path(), "{}", rendered);
                if let Some(line) = location.line {
                    prop_assert!(
                        line >= 1 && line <= lines,
                        "line {line} of {lines}: {rendered}"
                    );
                }
                if let Some(column) = location.column {
                    prop_assert!(column >= 1, "column {column}: {rendered}");
                }
            }
        }
        Err(other) => prop_assert!(false, "unexpected error kind: {other}"),
    }
    Ok(())
}

/// Lines as YAML counts them: `\r\n`, `\r`, `\n`, and NEL, LS and PS each end one.
fn yaml_lines(text: &[u8]) -> usize {
    let text = String::from_utf8_lossy(text);
    let mut chars = text.chars().peekable();
    let mut lines = 1;
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => lines += 1,
            _ => {}
        }
    }
    lines
}

#[test]
fn the_valid_base_document_loads() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("connection.yaml");
    std::fs::write(&file, VALID).expect("write");
    let specs = load(&[file]).expect("VALID is valid");
    assert_eq!(specs.len(), 1);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes)?;
    }

    #[test]
    fn arbitrary_text_made_of_yaml_punctuation(
        tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..200)
    ) {
        check(tokens.concat().as_bytes())?;
    }

    #[test]
    fn arbitrary_yaml_documents(
        documents in prop::collection::vec(document(), 1..4),
        raw in any::<bool>(),
        explicit_start in any::<bool>(),
    ) {
        let mut text = String::new();
        for (index, document) in documents.iter().enumerate() {
            if index > 0 || explicit_start {
                text.push_str("---\n");
            }
            write_block(document, 0, raw, &mut text);
        }
        check(text.as_bytes())?;
    }

    #[test]
    fn a_valid_connection_with_one_value_replaced(
        path in prop::sample::select(PATHS),
        replacement in node(),
        second in prop::option::of((prop::sample::select(PATHS), node())),
    ) {
        let mut value: Value = serde_yaml::from_str(VALID).expect("VALID parses");
        set(&mut value, path, to_value(&replacement));
        if let Some((path, replacement)) = second {
            set(&mut value, path, to_value(&replacement));
        }
        // Some tagged values cannot be written back out; those inputs say nothing about the loader.
        let text = serde_yaml::to_string(&value);
        prop_assume!(text.is_ok());
        check(text.expect("checked").as_bytes())?;
    }

    #[test]
    fn a_valid_connection_with_its_text_damaged(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0..3u8, prop::sample::select(&[
                " ", "  ", "\t", ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "'", "\"", "#",
                "&a ", "*a", "!x ", "|", ">", "?", "\n", "\n  ", "---\n", "\u{0}", "é",
            ][..])),
            1..6,
        ),
    ) {
        let mut text: Vec<char> = VALID.chars().collect();
        for (at, action, insert) in edits {
            let at = at.index(text.len() + 1);
            match action {
                0 => text.splice(at..at, insert.chars()).for_each(drop),
                1 if at < text.len() => { text.remove(at); }
                _ if at < text.len() => {
                    text.splice(at..=at, insert.chars()).for_each(drop);
                }
                _ => text.extend(insert.chars()),
            }
        }
        let text: String = text.into_iter().collect();
        check(text.as_bytes())?;
    }
}

/// Nesting deep enough to overflow a recursive parser's stack is refused, not a crash.
#[test]
fn deep_nesting_is_refused_without_a_crash() {
    for text in [
        "[".repeat(100_000),
        "{a: ".repeat(50_000),
        (0..2_000)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect::<String>(),
        "- ".repeat(20_000) + "x\n",
    ] {
        check(text.as_bytes()).expect("loads or reports");
    }
}

/// An alias bomb (each level doubling the last) is refused rather than expanded.
#[test]
fn an_alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x]\n");
    for level in 1..40 {
        let previous = level - 1;
        text.push_str(&format!(
            "a{level}: &a{level} [*a{previous}, *a{previous}]\n"
        ));
    }
    text.push_str("name: *a39\n");
    check(text.as_bytes()).expect("loads or reports");
}

#[test]
fn a_path_that_is_not_a_file_or_folder_is_a_problem() {
    let result = load(&[Path::new("/dev/null/not-here.yaml").to_path_buf()]);
    assert!(matches!(result, Err(Error::Input(problems)) if problems.len() == 1));
}
