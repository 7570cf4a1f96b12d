//! Every JSON document a test reads is checked against its published schema first
//! (`schema/output/<document>.schema.json`), by an independent validator (the `jsonschema`
//! crate): the document is chosen from its `command` (`diff` prints the `plan` document), or
//! is the `error` document when it has none. So a field the code prints without the schema
//! saying so, a value outside an enum or a key of the wrong type fails the test that printed
//! it, whatever that test then asserts.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder of the published schemas.
fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/output")
}

/// The documents with a published schema (`schema/output/<document>.schema.json`), sorted.
pub fn documents() -> Vec<String> {
    let mut documents: Vec<String> = std::fs::read_dir(folder())
        .expect("schema/output/ is committed")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .map(|file| match file.strip_suffix(".schema.json") {
            Some(document) => document.to_string(),
            None => panic!("schema/output/{file} is not a schema"),
        })
        .collect();
    documents.sort();
    documents
}

/// The committed schema of `document`, as text.
pub fn committed(document: &str) -> String {
    let path = folder().join(format!("{document}.schema.json"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is committed: {e}", path.display()))
}

fn validators() -> &'static BTreeMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<BTreeMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        documents()
            .into_iter()
            .map(|document| {
                let schema: Value = serde_json::from_str(&committed(&document))
                    .unwrap_or_else(|e| panic!("the {document} schema is not JSON: {e}"));
                let validator = jsonschema::draft202012::new(&schema)
                    .unwrap_or_else(|e| panic!("the {document} schema is not draft 2020-12: {e}"));
                (document, validator)
            })
            .collect()
    })
}

/// The document `json` is, by its `command` (or `error`, without one).
pub fn document_of(json: &Value) -> Result<String, String> {
    let command = match json.get("command") {
        None if json.get("error").is_some() => return Ok("error".to_string()),
        // `provision targets` prints a bare GitHub Actions matrix.
        None if json.get("include").is_some() => return Ok("targets".to_string()),
        None => return Err("it has neither `command` nor `error`".to_string()),
        Some(command) => command.as_str().unwrap_or_default(),
    };
    let document = if command == "diff" { "plan" } else { command };
    match validators().contains_key(document) {
        true => Ok(document.to_string()),
        false => Err(format!("no schema for the command {command:?}")),
    }
}

/// Whether `json` is a document of `provision`'s own (an IAM policy, AWS's format, is not; nor
/// are the rule roles' policies of `iam-policy --for rule`, IAM policies gathered by role).
pub fn is_output_document(json: &Value) -> bool {
    let policy = json.get("Version").is_some() && json.get("Statement").is_some();
    let rule_policies = json
        .get("roles")
        .and_then(Value::as_array)
        .is_some_and(|roles| {
            roles.iter().all(|role| {
                role.get("permissionPolicy").is_some() && role.get("trustPolicy").is_some()
            })
        });
    !(policy || rule_policies)
}

/// Checks `json` against the schema of its document: every way it fails, or `Ok` with the
/// document's name.
pub fn check(json: &Value) -> Result<String, String> {
    let document = document_of(json)?;
    let errors: Vec<String> = validators()[&document]
        .iter_errors(json)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(document)
    } else {
        Err(format!(
            "does not match schema/output/{document}.schema.json:\n  {}",
            errors.join("\n  ")
        ))
    }
}

/// Parses `text` and checks it (an IAM policy is only parsed): what is wrong, if anything.
pub fn check_text(text: &str) -> Result<(), String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("is not JSON: {e}"))?;
    if is_output_document(&json) {
        check(&json)?;
    }
    Ok(())
}
