//! The JSON Schema (draft 2020-12) of a connection document, for editors
//! (`# yaml-language-server: $schema=...`) and for other tools that check YAML before
//! `provision` sees it.
//!
//! The keys, whether they are required and their descriptions come from [`keys`], the same
//! tables the parser accepts; this module adds only each value's shape. Every rule that JSON
//! Schema can express is here, with the validator's own limits: closed mappings, exactly one
//! source per secret reference, lengths, patterns, list sizes, the known Region codes. What it
//! cannot express stays with `provision validate`: names declared twice across files, header
//! names that differ only in case, the token URL's host rules, YAML syntax.
//!
//! Text values are `string` only, as the parser takes them: an unquoted number or true/false
//! where text is meant (`sandbox: true`, `apiVersion: 62.0`) is refused by both.

use super::app;
use super::destination_rules::{RATE_LIMIT_MAX, RATE_LIMIT_MIN};
use super::keys::{self, Key, Keys};
use super::limits::{
    CLIENT_CREDENTIAL_MAX, ENDPOINT_MAX, KMS_KEY_MAX, NAME_MAX, NAME_PATTERN, PARAMETER_MAX,
    PARAMETERS_PER_LIST_MAX, RESOURCE_CONFIGURATION_ARN_MAX, description_room,
};
use super::rule_checks;
use super::token_url::{self, LABEL_MAX};
use super::{OWNERSHIP_MARKER, regions};
use crate::key::TEXT;
use crate::ownership::SET_NAME_MAX;
use crate::sources::SOURCES;
use keys::TARGET_NAME_MAX;
use serde_json::{Map, Value, json};

/// A Region code of any partition, known to this build or not (`defaultRegion`,
/// `extraRegions`: the project file may name a Region newer than the build).
const REGION_PATTERN_LOOSE: &str = "^[a-z]{2,4}(-[a-z]+)+-[0-9]+$";

/// A target name (`prod`, `eu-payments`): lower-case letters, digits and inner hyphens.
const TARGET_NAME_PATTERN: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// An IAM role ARN, `arn:<partition>:iam::<account>:role/<path/name>`.
const ROLE_ARN_PATTERN: &str =
    "^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]*[A-Za-z0-9+=,.@_-]$";

/// Control characters (Unicode `Cc`), as a regular expression character range.
const CONTROL: &str = "\\u0000-\\u001F\\u007F-\\u009F";

/// The JSON Schema of one connection document.
pub fn schema() -> Value {
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "provision connection",
        "description": "One Amazon EventBridge connection (OAuth client credentials against a Salesforce org's My Domain token endpoint), as `provision` reads it. Checked in full by `provision validate`.",
    });
    if let (Value::Object(head), Value::Object(body)) = (&mut root, closed_object(keys::TOP, "")) {
        head.extend(body);
    }
    root["$defs"] = json!({ "secretReference": secret_reference() });
    root
}

/// The schema as `provision schema` prints it (and as it is committed).
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the project file (`provision.yaml`), from the same table the project
/// reader accepts ([`keys::PROJECT`]).
pub fn project_schema() -> Value {
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "provision project file",
        "description": "provision.yaml: the settings of the whole folder (ownership set, default Region, accounts, name prefix, extra Regions, targets). Checked in full by `provision validate`.",
    });
    if let (Value::Object(head), Value::Object(body)) =
        (&mut root, closed_object(keys::PROJECT, "provision.yaml"))
    {
        head.extend(body);
    }
    root["$defs"] = json!({ "secretReference": secret_reference() });
    root
}

/// The project file's schema as `provision schema --project` prints it (and as committed).
pub fn project_text() -> String {
    let mut text = serde_json::to_string_pretty(&project_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// An object that takes exactly the keys of `table`, each described.
fn closed_object(table: Keys, path: &str) -> Value {
    let mut properties = Map::new();
    for key in table {
        let mut shape = shape(path, key);
        if let Value::Object(object) = &mut shape {
            object.insert("description".into(), json!(key.description));
        }
        properties.insert(key.name.into(), shape);
    }
    let required: Vec<&str> = table
        .iter()
        .filter(|key| key.required)
        .map(|key| key.name)
        .collect();
    let mut object = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    });
    if !required.is_empty() {
        object["required"] = json!(required);
    }
    object
}

/// The shape of one key's value. Every key of [`keys`] has one; a key added there without one
/// fails the schema tests (and `provision schema`) at once.
fn shape(path: &str, key: &Key) -> Value {
    match (path, key.name) {
        ("", "name") => json!({
            "type": TEXT,
            "minLength": 1,
            "maxLength": NAME_MAX,
            "pattern": NAME_PATTERN,
        }),
        ("", "description") => json!({
            "type": ["string", "null"],
            "maxLength": description_room(OWNERSHIP_MARKER),
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
        }),
        ("", "salesforce") => salesforce(),
        ("", "clientId") => json!({
            "oneOf": [
                {
                    "type": TEXT,
                    "minLength": 1,
                    "maxLength": CLIENT_CREDENTIAL_MAX,
                    "pattern": format!("^[^:{CONTROL}]*[^:\\s{CONTROL}][^:{CONTROL}]*$"),
                },
                { "$ref": "#/$defs/secretReference" },
            ]
        }),
        ("", "clientSecret") => json!({ "$ref": "#/$defs/secretReference" }),
        ("", "oauth") => parameter_block(true),
        ("", "invocation") => parameter_block(false),
        ("", "kmsKey") => json!({
            "type": ["string", "null"],
            "maxLength": KMS_KEY_MAX,
            "pattern": "\\S",
        }),
        ("", "privateLink") => {
            let mut object = closed_object(keys::PRIVATE_LINK, "privateLink");
            object["type"] = json!(["object", "null"]);
            object
        }
        ("privateLink", "resourceConfigurationArn") => json!({
            "type": "string",
            "maxLength": RESOURCE_CONFIGURATION_ARN_MAX,
            "pattern": "^arn:",
        }),
        ("privateLink", "tokenEndpoint") => json!({
            "type": "string",
            "enum": ["private", "public"],
        }),
        ("provision.yaml", "set") => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": SET_NAME_MAX,
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        }),
        ("provision.yaml", "defaultRegion") => json!({
            "type": "string",
            "pattern": REGION_PATTERN_LOOSE,
        }),
        ("provision.yaml", "accounts") => json!({
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": { "type": "string", "pattern": "^[0-9]{12}$" },
        }),
        ("provision.yaml", "namePrefix") => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": NAME_MAX - 1,
            "pattern": NAME_PATTERN,
        }),
        ("provision.yaml", "extraRegions") => json!({
            "type": "array",
            "uniqueItems": true,
            "items": { "type": "string", "pattern": REGION_PATTERN_LOOSE },
        }),
        ("", "targets") => json!({
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": { "type": "string", "pattern": TARGET_NAME_PATTERN },
        }),
        ("provision.yaml", "targets") => json!({
            "type": "array",
            "minItems": 1,
            "items": closed_object(keys::TARGET, "targets[]"),
        }),
        ("targets[]", "name") => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": TARGET_NAME_MAX,
            "pattern": TARGET_NAME_PATTERN,
        }),
        // Quoted or not: YAML reads an unquoted id as a number, and the reader takes the
        // digits as written.
        ("targets[]", "account") => json!({
            "oneOf": [
                { "type": "string", "pattern": "^[0-9]{12}$" },
                { "type": "integer", "minimum": 0, "maximum": 999_999_999_999_u64 },
            ]
        }),
        ("targets[]", "role" | "readRole") => json!({
            "type": "string",
            "pattern": ROLE_ARN_PATTERN,
        }),
        ("targets[]", "externalId") => json!({ "$ref": "#/$defs/secretReference" }),
        ("targets[]", "regions") => json!({
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": { "type": "string", "pattern": REGION_PATTERN_LOOSE },
        }),
        ("", "regions") => json!({
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": {
                "type": "string",
                "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]+$",
                "enum": regions::KNOWN_REGIONS,
            },
        }),
        ("salesforce", "myDomain") => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": LABEL_MAX,
            "pattern": "^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$",
        }),
        ("salesforce", "sandbox") => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": LABEL_MAX,
            "pattern": "^[A-Za-z][A-Za-z0-9]*$",
        }),
        ("salesforce", "tokenUrl") => json!({
            "type": "string",
            "maxLength": ENDPOINT_MAX,
            "pattern": format!("^https?://[^\\s/?#@]+{}$", token_url::TOKEN_PATH),
        }),
        ("salesforce", "allowAnyHost") => json!({ "type": "boolean" }),
        ("salesforce", "app") => closed_object(keys::APP, "salesforce.app"),
        ("salesforce.app", "name") => json!({
            "type": TEXT,
            "maxLength": app::API_NAME_MAX,
            "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
        }),
        ("salesforce.app", "label") => json!({ "type": TEXT, "minLength": 1 }),
        ("salesforce.app", "contactEmail" | "runAsUser") => json!({
            "type": "string",
            "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
        }),
        ("salesforce.app", "scopes") => json!({
            "type": "array",
            "minItems": 1,
            "items": { "type": "string", "enum": app::SCOPES },
        }),
        ("salesforce.app", "permittedUsers") => json!({
            "type": "string",
            "enum": app::PermittedUsers::ALL,
        }),
        ("", "destinations") => json!({
            "type": ["array", "null"],
            "items": destination(),
        }),
        ("destinations[]", "name") => json!({
            "type": TEXT,
            "minLength": 1,
            "maxLength": NAME_MAX,
            "pattern": NAME_PATTERN,
        }),
        ("destinations[]", "description") => json!({
            "type": ["string", "null"],
            "maxLength": description_room(OWNERSHIP_MARKER),
        }),
        ("destinations[]", "event") => json!({
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9_]*__e$",
        }),
        ("destinations[]", "sobject") => json!({
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
        }),
        ("destinations[]", "path") => json!({
            "type": "string",
            "pattern": "^/services/",
        }),
        ("destinations[]", "apiVersion") => json!({
            "type": "string",
            "pattern": "^v[1-9][0-9]\\.[0-9]$",
        }),
        ("destinations[]", "rateLimitPerSecond") => json!({
            "type": "integer",
            "minimum": RATE_LIMIT_MIN,
            "maximum": RATE_LIMIT_MAX,
        }),
        ("destinations[]", "rules") => json!({
            "type": ["array", "null"],
            "items": closed_object(keys::RULE, "destinations[].rules[]"),
        }),
        ("destinations[].rules[]", "name") => json!({
            "type": TEXT,
            "minLength": 1,
            "maxLength": NAME_MAX,
            "pattern": NAME_PATTERN,
        }),
        ("destinations[].rules[]", "bus") => json!({
            "type": [TEXT, "null"],
            "maxLength": rule_checks::BUS_MAX,
            "pattern": rule_checks::BUS_PATTERN,
        }),
        ("destinations[].rules[]", "pattern") => json!({
            "type": "object",
            "minProperties": 1,
            "additionalProperties": { "type": ["array", "object"] },
        }),
        ("destinations[].rules[]", "body") => json!({
            "type": "object",
            "minProperties": 1,
            "maxProperties": rule_checks::VARIABLES_MAX,
            "propertyNames": { "pattern": "^[A-Za-z][A-Za-z0-9_]*$" },
            "additionalProperties": {
                "type": TEXT,
                "maxLength": rule_checks::PATH_MAX,
                "pattern": "^\\$((\\.[-/_A-Za-z0-9]+)|(\\[(0|[1-9][0-9]*)\\]))+$",
            },
        }),
        ("destinations[].rules[]", "retry") => {
            let mut object = closed_object(keys::RETRY, "destinations[].rules[].retry");
            object["type"] = json!(["object", "null"]);
            object
        }
        ("destinations[].rules[].retry", "attempts") => json!({
            "type": "integer",
            "minimum": 0,
            "maximum": crate::route::RETRY_ATTEMPTS_MAX,
        }),
        ("destinations[].rules[].retry", "maxEventAge") => json!({
            "type": TEXT,
            "pattern": rule_checks::DURATION_PATTERN,
        }),
        ("destinations[].rules[]", "deadLetterQueue") => json!({
            "type": [TEXT, "null"],
            "maxLength": rule_checks::ARN_MAX,
            "pattern": rule_checks::QUEUE_PATTERN,
        }),
        ("destinations[].rules[]", "role") => json!({
            "type": TEXT,
            "maxLength": rule_checks::ARN_MAX,
            "pattern": rule_checks::ROLE_PATTERN,
        }),
        ("destinations[].rules[]", "sample") => json!({
            "type": ["object", "null"],
        }),
        ("secretReference", name) => match crate::sources::by_key(name) {
            Some(source) => (source.schema)(),
            // An option of a source (`key`, `versionStage`): text.
            None => json!({ "type": TEXT }),
        },
        ("parameters", block @ ("headers" | "query" | "body")) => parameter_list(block, false),
        ("oauth", block @ ("headers" | "query" | "body")) => parameter_list(block, true),
        (path, name) => panic!(
            "the YAML key `{name}` (under `{path}`) has no JSON Schema shape: add one in manifest::schema::shape"
        ),
    }
}

/// One API destination: exactly one of `event`, `sobject`, `path`.
fn destination() -> Value {
    let mut object = closed_object(keys::DESTINATION, "destinations[]");
    object["oneOf"] = json!([
        { "required": ["event"], "properties": { "sobject": false, "path": false } },
        { "required": ["sobject"], "properties": { "event": false, "path": false } },
        { "required": ["path"], "properties": { "event": false, "sobject": false } },
    ]);
    object
}

fn salesforce() -> Value {
    let mut object = closed_object(keys::SALESFORCE, "salesforce");
    // `myDomain` (with an optional `sandbox`) or `tokenUrl`, never both.
    object["oneOf"] = json!([
        { "required": ["myDomain"], "properties": { "tokenUrl": false } },
        { "required": ["tokenUrl"], "properties": { "myDomain": false, "sandbox": false } },
    ]);
    // Plain http only with the explicit opt-in (and then only on a loopback address, which
    // `provision validate` checks).
    object["if"] = json!({
        "not": { "required": ["allowAnyHost"], "properties": { "allowAnyHost": { "const": true } } }
    });
    object["then"] = json!({ "properties": { "tokenUrl": { "pattern": "^https://" } } });
    object
}

/// A secret reference: exactly one source key (`env`, `file`, `secretsManager`), and a
/// source's options (`key`, `versionStage`) only with that source.
fn secret_reference() -> Value {
    let mut object = closed_object(keys::SECRET_REFERENCE, "secretReference");
    let with_options: Vec<String> = SOURCES
        .iter()
        .filter(|source| !source.options.is_empty())
        .map(|source| {
            let options: Vec<String> = source
                .options
                .iter()
                .map(|option| format!("`{}`", option.name))
                .collect();
            format!("{} only with `{}`", options.join(" and "), source.key.name)
        })
        .collect();
    object["description"] = json!(format!(
        "A secret reference: exactly one of {}{}. The value is read by `diff` and `apply` only, and never printed.",
        crate::sources::one_of(),
        if with_options.is_empty() {
            String::new()
        } else {
            format!("; {}", with_options.join("; "))
        }
    ));
    object["oneOf"] = Value::Array(
        SOURCES
            .iter()
            .map(|source| json!({ "required": [source.key.name] }))
            .collect(),
    );
    let mut dependent = Map::new();
    for source in SOURCES {
        for option in source.options {
            dependent.insert(option.name.to_string(), json!([source.key.name]));
        }
    }
    object["dependentRequired"] = Value::Object(dependent);
    object
}

/// `oauth:` or `invocation:`: `headers`, `query` and `body` maps.
fn parameter_block(is_oauth: bool) -> Value {
    let mut object = closed_object(
        keys::PARAMETER_BLOCK,
        if is_oauth { "oauth" } else { "parameters" },
    );
    object["type"] = json!(["object", "null"]);
    object
}

/// One parameter list: names to plain values or secret references.
fn parameter_list(block: &str, is_oauth: bool) -> Value {
    let (names, literal) = match block {
        "headers" => (
            json!({
                "minLength": 1,
                "maxLength": PARAMETER_MAX,
                "pattern": "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$",
            }),
            json!({
                "type": TEXT,
                "minLength": 1,
                "maxLength": PARAMETER_MAX,
                "pattern": "^[\\u0020-\\u007E\\t]+$",
            }),
        ),
        "query" => (
            json!({
                "minLength": 1,
                "maxLength": PARAMETER_MAX,
                "pattern": format!("^[^{CONTROL}]+$"),
            }),
            json!({
                "type": TEXT,
                "minLength": 1,
                "maxLength": PARAMETER_MAX,
                "pattern": format!("^[^{CONTROL}]+$"),
            }),
        ),
        _ => {
            let mut names = json!({ "minLength": 1 });
            if is_oauth {
                // EventBridge sends these itself.
                names["not"] = json!({ "enum": ["grant_type", "client_id", "client_secret"] });
            }
            (names, json!({ "type": TEXT }))
        }
    };
    json!({
        "type": ["object", "null"],
        "maxProperties": PARAMETERS_PER_LIST_MAX,
        "propertyNames": names,
        "additionalProperties": {
            "description": "A plain value (sent as is), or a secret reference (sent as a secret value, never printed).",
            "oneOf": [literal, { "$ref": "#/$defs/secretReference" }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property_names(object: &Value) -> Vec<&str> {
        object["properties"]
            .as_object()
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn table_names(table: Keys) -> Vec<&'static str> {
        keys::names(table).collect()
    }

    fn required(object: &Value) -> Vec<&str> {
        object["required"]
            .as_array()
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_schema_describes_exactly_the_keys_the_parser_accepts() {
        let schema = schema();
        let properties = &schema["properties"];
        let secret = &schema["$defs"]["secretReference"];
        for (object, table) in [
            (&schema, keys::TOP),
            (&properties["salesforce"], keys::SALESFORCE),
            (secret, keys::SECRET_REFERENCE),
            (&properties["oauth"], keys::PARAMETER_BLOCK),
            (&properties["invocation"], keys::PARAMETER_BLOCK),
            (&properties["privateLink"], keys::PRIVATE_LINK),
        ] {
            assert_eq!(property_names(object), table_names(table));
            assert_eq!(object["additionalProperties"], json!(false));
            // `required` lists keys in table order.
            let table_required: Vec<&str> = table
                .iter()
                .filter(|key| key.required)
                .map(|key| key.name)
                .collect();
            assert_eq!(required(object), table_required);
            for key in table {
                assert_eq!(
                    object["properties"][key.name]["description"],
                    json!(key.description),
                    "{}",
                    key.name
                );
            }
        }
    }

    #[test]
    fn limits_come_from_the_validator() {
        let schema = schema();
        let properties = &schema["properties"];
        assert_eq!(properties["name"]["maxLength"], json!(64));
        // 512 less the marker and the space before it.
        assert_eq!(properties["description"]["maxLength"], json!(489));
        assert_eq!(
            properties["invocation"]["properties"]["headers"]["maxProperties"],
            json!(100)
        );
        assert_eq!(
            properties["regions"]["items"]["enum"]
                .as_array()
                .map(Vec::len),
            Some(regions::KNOWN_REGIONS.len())
        );
    }

    #[test]
    fn the_text_is_stable_pretty_json() {
        let text = text();
        assert!(text.ends_with("}\n"));
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, schema());
        assert_eq!(text, super::text(), "the same text on every call");
    }
}
