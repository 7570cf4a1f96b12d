//! `provision schema` against an independent JSON Schema validator (the `jsonschema` crate):
//! the committed schema is the command's output, every example file is accepted, and every
//! case of the invalid-input corpus is either rejected by the schema (the structural cases, and
//! the limits JSON Schema can express) or listed here with the reason only `provision validate`
//! can reject it. Both directions are asserted, so the lists stay true as the schema changes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn provision(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run provision")
}

fn schema_text() -> String {
    let output = provision(&["schema"]);
    assert_eq!(output.status.code(), Some(0), "provision schema");
    assert!(output.stderr.is_empty(), "provision schema wrote to stderr");
    String::from_utf8(output.stdout).expect("UTF-8 schema")
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&schema_text()).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
}

/// The committed schema (which the example files point editors at) is what the command prints.
#[test]
fn the_committed_schema_is_the_commands_output() {
    let committed = fs::read_to_string(root().join("schema/provision.schema.json"))
        .expect("schema/provision.schema.json is committed");
    assert!(
        committed == schema_text(),
        "schema/provision.schema.json differs from `provision schema`: run `cargo run -- schema > schema/provision.schema.json`"
    );
}

/// Every YAML file under `folder`, sorted.
/// The project file's schema: committed as printed, it accepts the example project file and
/// rejects what the reader rejects by structure (unknown keys, bad shapes).
#[test]
fn the_project_file_schema_is_committed_and_checks_the_example() {
    let output = provision(&["schema", "--project"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let committed = fs::read_to_string(root().join("schema/provision-project.schema.json"))
        .expect("schema/provision-project.schema.json is committed");
    assert!(
        committed == text,
        "schema/provision-project.schema.json differs from `provision schema --project`: run `cargo run -- schema --project > schema/provision-project.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema");
    let example = root().join("examples/project/provision.yaml");
    let documents = documents(&example).unwrap();
    assert_eq!(documents.len(), 1);
    assert!(
        validator.is_valid(&documents[0]),
        "the example project file"
    );
    let validate = provision(&[
        "validate",
        "connections/",
        "--config",
        "examples/project/provision.yaml",
    ]);
    // The example's namePrefix refuses the example connections' names: the reader read it.
    assert_eq!(validate.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&validate.stderr).contains("does not start with `pay-`"),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    for rejected in [
        serde_json::json!({"defaultRegon": "eu-west-1"}),
        serde_json::json!({"set": "Payments"}),
        serde_json::json!({"accounts": [123456789012u64]}),
        serde_json::json!({"accounts": ["12345"]}),
        serde_json::json!({"extraRegions": "ap-southeast-9"}),
    ] {
        assert!(!validator.is_valid(&rejected), "{rejected}");
    }
    assert!(validator.is_valid(
        &serde_json::json!({"defaultRegion": "eusc-de-east-1", "extraRegions": ["eusc-de-east-1"]})
    ));
}

fn yaml_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
                // The project file is never a connection document.
                && path.file_name().is_none_or(|name| name != "provision.yaml")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A YAML value as JSON, the way an editor's YAML language server sees it: keys as text, tags
/// dropped. `None` for what JSON cannot hold.
fn to_json(value: serde_yaml::Value) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    use serde_yaml::Value as Y;
    Some(match value {
        Y::Null => J::Null,
        Y::Bool(flag) => J::Bool(flag),
        Y::Number(number) => {
            if let Some(n) = number.as_i64() {
                J::from(n)
            } else if let Some(n) = number.as_u64() {
                J::from(n)
            } else {
                J::Number(serde_json::Number::from_f64(number.as_f64()?)?)
            }
        }
        Y::String(text) => J::String(text),
        Y::Sequence(items) => J::Array(items.into_iter().map(to_json).collect::<Option<_>>()?),
        Y::Mapping(mapping) => {
            let mut object = serde_json::Map::new();
            for (key, item) in mapping {
                let key = match key {
                    Y::String(text) => text,
                    Y::Number(number) => number.to_string(),
                    Y::Bool(flag) => flag.to_string(),
                    _ => return None,
                };
                object.insert(key, to_json(item)?);
            }
            J::Object(object)
        }
        Y::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// The documents of a file as JSON, or why there are none to check.
fn documents(file: &Path) -> Result<Vec<serde_json::Value>, String> {
    let bytes = fs::read(file).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    // A byte order mark may open a YAML stream; editors read past it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut out = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value: serde_yaml::Value =
            serde::Deserialize::deserialize(document).map_err(|e| e.to_string())?;
        out.push(to_json(value).ok_or("not representable in JSON")?);
    }
    Ok(out)
}

#[test]
fn every_example_file_is_valid_and_points_at_the_committed_schema() {
    let validator = validator();
    let files = yaml_files(&root().join("connections"));
    assert!(files.len() >= 3, "the examples: {files:?}");
    let schema_file = root()
        .join("schema/provision.schema.json")
        .canonicalize()
        .unwrap();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let relative = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{} lacks the modeline: {first:?}", file.display()));
        assert_eq!(
            file.parent().unwrap().join(relative).canonicalize().ok(),
            Some(schema_file.clone()),
            "{}: the modeline's path",
            file.display()
        );
        let documents = documents(file).unwrap();
        assert!(!documents.is_empty());
        for document in documents {
            let errors: Vec<String> = validator
                .iter_errors(&document)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{} is rejected: {errors:?}",
                file.display()
            );
        }
    }
    let validated = provision(&["validate", "connections/"]);
    assert_eq!(
        validated.status.code(),
        Some(0),
        "provision validate agrees"
    );
}

/// Corpus cases the schema rejects: the structural ones (unknown keys, wrong types, missing
/// keys, one-of violations) and the limits JSON Schema expresses (lengths, patterns, list
/// sizes, the known Regions).
const SCHEMA_REJECTS: &[&str] = &[
    // The External Client App and API destinations
    "app-contact-email-missing",
    "app-name-not-an-api-name",
    "app-run-as-user-not-a-username",
    "app-scope-unknown",
    "app-unknown-key",
    "destination-event-not-a-platform-event",
    "destination-api-version-not-vnn",
    "destination-rate-limit-out-of-range",
    "destination-rate-limit-beyond-the-api-integer",
    "destination-api-version-three-digits",
    "destination-rate-limit-leading-zero",
    "destination-two-targets",
    // Wrong types
    "document-is-a-list",
    "document-is-a-scalar",
    "wrong-type-name-list",
    "wrong-type-salesforce-string",
    "wrong-type-allow-any-host",
    "wrong-type-headers-list",
    "wrong-type-regions-string",
    "wrong-type-region-item",
    "client-id-no-value",
    "header-value-null",
    "empty-document-between-documents",
    "empty-file",
    "comments-only-file",
    "byte-order-mark-only-file",
    "my-domain-read-as-number",
    // Unknown keys
    "unknown-key-top-level-typo",
    "unknown-key-nested-typo",
    "unknown-key-no-suggestion",
    "unknown-key-in-secret-reference",
    "unknown-key-in-parameter-block",
    // Missing keys
    "missing-required-keys",
    "missing-my-domain",
    "missing-resource-configuration-arn",
    "missing-key-in-second-document",
    "error-in-second-document",
    // One-of violations
    "my-domain-and-token-url",
    "client-secret-literal",
    "secret-reference-without-source",
    "secret-reference-with-several-sources",
    "secret-reference-empty",
    "secret-reference-key-without-secrets-manager",
    // Limits and patterns JSON Schema expresses
    "regions-empty-list",
    "region-mistyped",
    "region-unknown-with-region-shape",
    "region-far-from-any-known",
    "region-listed-twice",
    "name-too-long",
    "name-forbidden-character",
    "name-empty",
    "description-too-long-with-marker",
    "token-url-too-long",
    "client-id-too-long",
    "client-id-colon",
    "client-id-control-character",
    "client-id-empty",
    "header-name-forbidden-character",
    "header-name-too-long",
    "header-value-not-ascii",
    "header-value-too-long",
    "header-value-empty",
    "query-name-control-character",
    "query-value-too-long",
    "query-value-empty",
    "too-many-parameters",
    "kms-key-empty",
    "token-url-http",
    "token-url-wrong-path",
    "token-url-not-a-url",
    "token-url-without-slashes",
    "token-url-spaces-around",
    "token-url-upper-case-host-and-default-port",
    "token-url-dot-segments-and-backslashes",
    "byte-order-mark-error-on-first-line",
    "my-domain-is-a-host-name",
    "my-domain-is-a-url",
    "sandbox-read-as-true-false",
    "header-value-read-as-number",
    "my-domain-forbidden-character",
    "sandbox-cannot-form-host-name",
    "grant-type-override",
    "secret-reference-env-is-a-value",
    "several-problems-in-one-run",
    "outside-text-in-unknown-key",
    "outside-text-in-my-domain",
    "outside-text-in-env-name",
    "outside-text-in-event",
];

/// Corpus cases with a YAML document that only `provision validate` can reject, and why.
const VALIDATOR_ONLY: &[(&str, &str)] = &[
    (
        "target-document-without-targets",
        "spans files: the project file's targets ask every document for its own",
    ),
    (
        "target-unknown-in-document",
        "spans files: a target name is one of the project file's",
    ),
    (
        "target-region-outside-its-targets",
        "spans files: the Regions are the project file's targets'",
    ),
    (
        "target-in-document-without-project-targets",
        "spans files: the project file lists no targets",
    ),
    (
        "target-accounts-shared",
        "the project file's own error, under the project file's schema",
    ),
    (
        "target-role-in-another-account",
        "the project file's own error, under the project file's schema",
    ),
    (
        "target-not-in-accounts",
        "the project file's own error, under the project file's schema",
    ),
    (
        "target-fields-broken",
        "the project file's own error, under the project file's schema",
    ),
    (
        "destination-rate-limit-hex",
        "a number's written form: the schema sees the 16 YAML reads from 0x10",
    ),
    (
        "destination-rate-limit-plus-sign",
        "a number's written form: the schema sees the 16 YAML reads from +16",
    ),
    (
        "destination-names-duplicate-across-files",
        "a destination name declared twice spans files",
    ),
    (
        "duplicate-names-across-files",
        "a name declared twice spans files",
    ),
    (
        "rule-names-duplicate-across-files",
        "a rule name declared twice spans files",
    ),
    (
        "rule-targets-more-than-five",
        "a rule's targets are counted over the destinations of a file",
    ),
    (
        "rule-patterns-differ-between-targets",
        "one rule's patterns are compared over the destinations of a file",
    ),
    (
        "rule-pattern-range-reversed",
        "an event pattern's grammar (a numeric range's bounds)",
    ),
    (
        "duplicate-names-in-one-file",
        "a name declared twice spans documents",
    ),
    (
        "duplicate-header-names-differing-in-case",
        "header names compared ignoring case",
    ),
    (
        "token-url-login-salesforce",
        "token URL host rules (login.salesforce.com)",
    ),
    (
        "token-url-test-salesforce-even-with-opt-in",
        "token URL host rules (test.salesforce.com)",
    ),
    (
        "token-url-not-my-domain",
        "token URL host rules (My Domain hosts)",
    ),
    (
        "token-url-lightning-host",
        "token URL host rules (Lightning host)",
    ),
    (
        "token-url-empty-host-label",
        "token URL host rules (empty labels)",
    ),
    (
        "token-url-trailing-dot-even-with-opt-in",
        "token URL host rules (trailing dot)",
    ),
    (
        "token-url-port-without-opt-in",
        "token URL host rules (port)",
    ),
    ("yaml-tag", "YAML tags (an editor sees the plain value)"),
    // The YAML in these is valid; the paths given to provision are the problem.
    ("path-missing-file", "a path that does not exist"),
    ("path-unreadable-file", "a file provision may not read"),
    ("path-unreadable-folder", "a folder provision may not read"),
    ("path-symlink-loop", "a symbolic link loop"),
    ("path-symlink-cycle-between-files", "a symbolic link cycle"),
    ("path-dangling-symlink", "a dangling symbolic link"),
    ("path-fifo-in-folder", "a named pipe among the files"),
];

/// Corpus cases that give the schema no document: YAML syntax, encoding, paths without YAML.
const NOT_A_DOCUMENT: &[(&str, &str)] = &[
    ("yaml-unclosed-list", "YAML syntax"),
    ("yaml-unclosed-quote", "YAML syntax"),
    ("yaml-tab-indentation", "YAML syntax"),
    ("yaml-colon-in-plain-value", "YAML syntax"),
    ("yaml-bad-indentation", "YAML syntax"),
    ("yaml-duplicate-key", "YAML: a key twice"),
    ("keys-read-as-the-same-number", "YAML: a key twice"),
    ("yaml-key-without-colon", "YAML syntax"),
    ("yaml-unknown-alias", "YAML syntax"),
    ("yaml-alias-bomb", "YAML: alias expansion limit"),
    ("yaml-content-after-document-end", "YAML syntax"),
    ("yaml-syntax-error-in-second-document", "YAML syntax"),
    ("not-utf8", "encoding"),
    ("path-missing-default-folder", "paths"),
    ("path-folder-without-yaml", "paths"),
    ("path-fifo", "paths"),
    ("path-device", "paths"),
];

/// What the schema says of one corpus case: `None` when there is no document to check.
fn schema_rejects(validator: &jsonschema::Validator, case: &Path) -> Option<bool> {
    let files = yaml_files(case);
    let mut any_document = false;
    let mut rejected = false;
    for file in files {
        let Ok(documents) = documents(&file) else {
            return None;
        };
        for document in documents {
            any_document = true;
            rejected |= !validator.is_valid(&document);
        }
    }
    any_document.then_some(rejected)
}

#[test]
fn the_schema_rejects_every_structural_case_of_the_corpus() {
    let validator = validator();
    let corpus = root().join("tests/invalid");
    let mut cases: Vec<String> = fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    let mut wrong = Vec::new();
    for case in &cases {
        let listed = [
            SCHEMA_REJECTS.contains(&case.as_str()),
            VALIDATOR_ONLY.iter().any(|(name, _)| name == case),
            NOT_A_DOCUMENT.iter().any(|(name, _)| name == case),
        ];
        assert_eq!(
            listed.iter().filter(|listed| **listed).count(),
            1,
            "case {case} must be in exactly one list"
        );
        let expected = if listed[0] {
            Some(true)
        } else if listed[1] {
            Some(false)
        } else {
            None
        };
        let found = schema_rejects(&validator, &corpus.join(case));
        if found != expected {
            wrong.push(format!("{case}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "schema verdicts differ from the lists (Some(true) = rejected, Some(false) = accepted, None = no document):\n{}",
        wrong.join("\n")
    );
    // `provision validate` rejects the same structural cases (each single-file case here; the
    // corpus test pins its exact messages).
    for case in SCHEMA_REJECTS {
        let file = corpus.join(case).join("connection.yaml");
        if !file.exists() {
            continue;
        }
        let output = provision(&["validate", file.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "validate accepts {case}");
    }
}

/// Each output document's committed schema (`schema/output/`, which users and the reference
/// link to) is what `provision schema --output-document` prints, and a valid draft 2020-12
/// schema.
#[test]
fn each_output_documents_committed_schema_is_the_commands_output() {
    use crate::support::output_schema::{committed, documents};
    let help = provision(&["schema", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    let (_, names) = help
        .split_once("[possible values: ")
        .expect("--output-document lists its documents");
    let mut names: Vec<&str> = names[..names.find(']').unwrap()].split(", ").collect();
    names.sort();
    assert_eq!(
        names,
        documents(),
        "a document without its committed schema, or the other way"
    );
    for document in documents() {
        let document = document.as_str();
        let output = provision(&["schema", "--output-document", document]);
        assert_eq!(output.status.code(), Some(0), "{document}");
        let printed = String::from_utf8(output.stdout).unwrap();
        assert!(
            committed(document) == printed,
            "schema/output/{document}.schema.json differs from `provision schema --output-document {document}`: run `cargo run -- schema --output-document {document} > schema/output/{document}.schema.json`"
        );
        let schema: serde_json::Value = serde_json::from_str(&printed).unwrap();
        jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema");
    }
}

/// The schemas are closed and their values enumerated: a real document with a field added, a
/// kind renamed or a value of the wrong type fails, and the error document is told apart.
#[test]
fn a_document_with_a_field_or_value_the_schema_does_not_name_fails() {
    use crate::support::output_schema::check;
    let output = provision(&["version", "--output", "json"]);
    let version: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check(&version).as_deref(), Ok("version"));
    let mut added = version.clone();
    added["commit"] = "abc".into();
    let mut older = version.clone();
    older["version"] = 1.into();
    for (what, json) in [("a field added", added), ("version 1", older)] {
        assert!(check(&json).is_err(), "{what} passes: {json}");
    }

    let output = provision(&["validate", "no-such-folder/", "--output", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check(&error).as_deref(), Ok("error"), "{error}");
    let mut embedded = error.clone();
    embedded["hint"] = "embedded".into();
    assert!(check(&embedded).is_err(), "{embedded}");
    let mut problem = error.clone();
    problem["problems"][0]["line"] = "3".into();
    assert!(check(&problem).is_err(), "{problem}");
}

/// The rule, as written there, is accepted by the schema and by `validate`; a rule
/// with a mistake the schema can express is refused by both.
#[test]
fn a_destinations_rules_are_checked_alike_by_the_schema_and_validate() {
    let validator = validator();
    let rule = |extra: &str| {
        format!(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: {{ env: S }}\ndestinations:\n  - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n      - name: orders-to-salesforce\n        bus: default\n        pattern: {{source: [com.acme.orders], detail-type: [OrderPlaced]}}\n        body:\n          Order_Id__c: $.detail.id\n          Amount__c: $.detail.total\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n        role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders\n{extra}"
        )
    };
    let judged = |text: &str| {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("c.yaml");
        fs::write(&file, text).unwrap();
        let schema = validator.is_valid(&documents(&file).unwrap()[0]);
        let validate = provision(&["validate", &file.to_string_lossy()]);
        (schema, validate.status.code() == Some(0))
    };
    assert_eq!(
        judged(&rule("        retry: {attempts: 10, maxEventAge: 1h}\n")),
        (true, true)
    );
    for mistake in [
        "        retry: {attempts: 186}\n",
        "        retry: {maxEventAge: 1d}\n",
        "        sample: [1]\n",
        "        target: x\n",
    ] {
        assert_eq!(judged(&rule(mistake)), (false, false), "{mistake}");
    }
    for (from, to) in [
        ("[com.acme.orders]", "com.acme.orders"),
        ("$.detail.id", "detail.id"),
        ("role/eventbridge", "user/eventbridge"),
        ("orders-dlq", "orders.fifo"),
    ] {
        assert_eq!(
            judged(&rule("").replacen(from, to, 1)),
            (false, false),
            "{to}"
        );
    }
}
