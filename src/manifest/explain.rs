//! What is known about each key, as `provision explain KEY` and the generated reference
//! (`docs/reference/yaml.md`, `project-file.md`) say it: its path, type, whether it is
//! required, its limits, its description and an example.
//!
//! Nothing here is written twice. The name, whether it is required, the description and the
//! example come from the key tables ([`keys`]); the type and the limits are read from the JSON
//! Schema ([`schema`]), which writes them from the named constants the parser's checks apply
//! ([`limits`](super::limits), [`token_url`](super::token_url), [`app`](super::app),
//! [`destination_rules`](super::destination_rules)). The tables are an input
//! ([`Mapping`]), so a test can explain a changed copy of them.

use super::keys::{self, Key};
use super::schema;
use serde::Serialize;
use serde_json::Value;

/// The file a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Document {
    /// A connection document (any YAML file of the folder but the project file).
    Connection,
    /// The project file, `provision.yaml`.
    Project,
}

impl Document {
    /// The file as the text says it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Document::Connection => "a connection document",
            Document::Project => "the project file (provision.yaml)",
        }
    }

    /// The JSON Schema of the document, which holds each key's shape.
    pub(crate) fn schema(self) -> Value {
        match self {
            Document::Connection => schema::schema(),
            Document::Project => schema::project_schema(),
        }
    }
}

/// One mapping of a document: the dotted path that reaches it (`""` for the document itself),
/// its keys, and whether it is an item of a list (`destinations`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mapping<'a> {
    pub(crate) path: &'a str,
    pub(crate) keys: &'a [Key],
    pub(crate) list_item: bool,
}

const fn mapping(path: &'static str, keys: keys::Keys) -> Mapping<'static> {
    Mapping {
        path,
        keys,
        list_item: false,
    }
}

/// The mappings of a connection document. A secret reference is explained where it is written
/// (`clientId.env`, `clientSecret.secretsManager`).
pub(crate) const CONNECTION: &[Mapping<'static>] = &[
    mapping("", keys::TOP),
    mapping("salesforce", keys::SALESFORCE),
    mapping("salesforce.app", keys::APP),
    mapping("clientId", keys::SECRET_REFERENCE),
    mapping("clientSecret", keys::SECRET_REFERENCE),
    mapping("oauth", keys::PARAMETER_BLOCK),
    mapping("invocation", keys::PARAMETER_BLOCK),
    mapping("privateLink", keys::PRIVATE_LINK),
    Mapping {
        path: "destinations",
        keys: keys::DESTINATION,
        list_item: true,
    },
    Mapping {
        path: "destinations.rules",
        keys: keys::RULE,
        list_item: true,
    },
    mapping("destinations.rules.retry", keys::RETRY),
];

/// The mappings of the project file.
pub(crate) const PROJECT: &[Mapping<'static>] = &[
    mapping("", keys::PROJECT),
    Mapping {
        path: "targets",
        keys: keys::TARGET,
        list_item: true,
    },
    mapping("targets.externalId", keys::SECRET_REFERENCE),
];

/// The mappings of `document`.
pub(crate) fn mappings(document: Document) -> &'static [Mapping<'static>] {
    match document {
        Document::Connection => CONNECTION,
        Document::Project => PROJECT,
    }
}

/// The dotted path of every key of both documents (for shell completion), made once.
pub(crate) fn every_path() -> &'static [String] {
    static PATHS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    PATHS.get_or_init(|| {
        CONNECTION
            .iter()
            .chain(PROJECT)
            .flat_map(|mapping| mapping.keys.iter().map(|key| join(mapping.path, key.name)))
            .collect()
    })
}

/// One key, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Explained {
    /// The dotted path (`salesforce.myDomain`).
    pub(crate) key: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) required: bool,
    pub(crate) description: String,
    /// Each limit in words (`at most 64 characters`), as the schema states it.
    pub(crate) limits: Vec<String>,
    /// The example in place: the key under its parents, as YAML.
    pub(crate) example: String,
    /// The keys of the mapping this key holds (their dotted paths), if it holds one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) keys: Vec<String>,
}

impl Explained {
    /// How deep the key sits (0 at the top of the document).
    pub(crate) fn depth(&self) -> usize {
        self.key.matches('.').count()
    }
}

/// Every key of the mappings, depth first in table order (a key, then the keys of the mapping
/// it holds), explained from `schema`.
pub(crate) fn every_key(mappings: &[Mapping<'_>], schema: &Value) -> Vec<Explained> {
    let mut out = Vec::new();
    walk(mappings, schema, "", &mut out);
    out
}

fn walk(mappings: &[Mapping<'_>], schema: &Value, path: &str, out: &mut Vec<Explained>) {
    let Some(mapping) = mappings.iter().find(|mapping| mapping.path == path) else {
        return;
    };
    for key in mapping.keys {
        let full = join(path, key.name);
        out.push(explain_key(mappings, schema, key, &full));
        walk(mappings, schema, &full, out);
    }
}

/// The key at `path` (dotted; `destinations[].name` and `destinations[0].name` are read as
/// `destinations.name`, and `rules.body` as `destinations.rules.body`), or the keys nearest to
/// it when there is none.
pub(crate) fn find(
    mappings: &[Mapping<'_>],
    schema: &Value,
    path: &str,
) -> Result<Explained, Vec<String>> {
    let wanted = normalise(path);
    let every = every_key(mappings, schema);
    if let Some(found) = every.iter().find(|key| key.key == wanted) {
        return Ok(found.clone());
    }
    // A list nested in a list is named from its own key too: `rules.body` is
    // `destinations.rules.body`.
    let nested = mappings
        .iter()
        .filter(|mapping| mapping.list_item && mapping.path.contains('.'))
        .filter_map(|mapping| {
            let (parent, last) = mapping.path.rsplit_once('.')?;
            let rest = wanted.strip_prefix(last)?;
            (rest.is_empty() || rest.starts_with('.')).then(|| format!("{parent}.{last}{rest}"))
        });
    for candidate in nested {
        if let Some(found) = every.iter().find(|key| key.key == candidate) {
            return Ok(found.clone());
        }
    }
    Err(nearest(&wanted, every.iter().map(|key| key.key.as_str())))
}

/// A dotted path as typed, without list indexes and surrounding dots.
fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.trim().chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out.trim_matches('.').to_string()
}

/// The keys closest to `wanted`, at most three, nearest first: the same spelling ignoring case,
/// a key whose last name is the one asked for (`myDomain` -> `salesforce.myDomain`), keys that
/// start with it, then the ones a few edits away.
fn nearest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = wanted.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or_default().to_string();
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|candidate| {
            let candidate_lower = candidate.to_ascii_lowercase();
            let candidate_last = candidate_lower.rsplit('.').next().unwrap_or_default();
            let distance = strsim::levenshtein(&lower, &candidate_lower);
            let score = if candidate_lower == lower {
                0
            } else if candidate_last == last {
                1
            } else if !lower.is_empty() && candidate_lower.starts_with(&lower) {
                2
            } else if distance <= 2.max(candidate.len() / 4) {
                2 + distance
            } else {
                return None;
            };
            Some((score, candidate))
        })
        .collect();
    scored.sort_by_key(|(score, _)| *score);
    scored
        .into_iter()
        .take(3)
        .map(|(_, candidate)| candidate.to_string())
        .collect()
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn explain_key(mappings: &[Mapping<'_>], schema: &Value, key: &Key, full: &str) -> Explained {
    let node = shape(schema, full);
    Explained {
        key: full.to_string(),
        kind: kind(schema, &node),
        required: key.required,
        description: key.description.to_string(),
        limits: limits(schema, &node),
        example: in_place(mappings, full, key.example),
        keys: mappings
            .iter()
            .find(|child| child.path == full)
            .map(|child| child.keys.iter().map(|k| join(full, k.name)).collect())
            .unwrap_or_default(),
    }
}

/// The JSON Schema of the value at a dotted path, followed through `$ref`, the object branch
/// of a `oneOf`, and a list's items on the way down (`clientSecret.env` is a property of the
/// secret reference `clientSecret` points at).
fn shape(schema: &Value, path: &str) -> Value {
    let mut node = schema.clone();
    for name in path.split('.') {
        let object = mapping_of(schema, &node);
        node = object["properties"][name].clone();
    }
    node
}

/// The mapping a value holds: the value itself, what its `$ref` points at, the object branch of
/// its `oneOf`, or its list's items.
fn mapping_of(schema: &Value, node: &Value) -> Value {
    if let Some(target) = reference(schema, node) {
        return mapping_of(schema, &target);
    }
    if node.get("properties").is_some() {
        return node.clone();
    }
    if let Some(items) = node.get("items") {
        return mapping_of(schema, items);
    }
    if let Some(branches) = node["oneOf"].as_array() {
        for branch in branches {
            let object = mapping_of(schema, branch);
            if object.get("properties").is_some() {
                return object;
            }
        }
    }
    Value::Null
}

/// The definition a `$ref` (`#/$defs/NAME`) points at.
fn reference(schema: &Value, node: &Value) -> Option<Value> {
    let name = node["$ref"].as_str()?.strip_prefix("#/$defs/")?;
    Some(schema["$defs"][name].clone())
}

/// The type in words: `string`, `integer`, `true or false`, `mapping`, `list of strings`,
/// `secret reference`, `string or secret reference`.
fn kind(schema: &Value, node: &Value) -> String {
    if node["$ref"].as_str() == Some("#/$defs/secretReference") {
        return "secret reference".into();
    }
    if let Some(target) = reference(schema, node) {
        return kind(schema, &target);
    }
    if let Some(branches) = node["oneOf"]
        .as_array()
        .filter(|_| node.get("type").is_none())
    {
        let mut words: Vec<String> = Vec::new();
        for branch in branches {
            let word = kind(schema, branch);
            if !words.contains(&word) {
                words.push(word);
            }
        }
        return words.join(" or ");
    }
    let types: Vec<&str> = match &node["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let values: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    if values.len() > 1 {
        // A value of several shapes (an event pattern's field: a list or a mapping).
        return values
            .iter()
            .map(|t| match *t {
                "array" => "list",
                "object" => "mapping",
                "boolean" => "true or false",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let main = values.first().copied().unwrap_or("");
    match main {
        "string" => "string".into(),
        "integer" => "integer".into(),
        "boolean" => "true or false".into(),
        "array" => format!("list of {}", plural(&kind(schema, &node["items"]))),
        "object" if node.get("properties").is_some() => "mapping".into(),
        "object" => format!(
            "mapping of names to {}",
            plural(&kind(schema, &node["additionalProperties"]))
        ),
        _ => "any".into(),
    }
}

fn plural(kind: &str) -> String {
    kind.split(" or ")
        .map(|word| match word {
            "mapping" => "mappings".to_string(),
            "true or false" => word.to_string(),
            "any" => "values".to_string(),
            other if other.starts_with("list of") || other.starts_with("mapping of") => {
                other.to_string()
            }
            other => format!("{other}s"),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Each limit the schema states on a value, in words.
fn limits(schema: &Value, node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(target) = reference(schema, node) {
        return limits(schema, &target);
    }
    if node.get("type").is_none()
        && let Some(branches) = node["oneOf"].as_array()
    {
        // Alternatives (`clientId`: a string or a secret reference): each one's limits, said
        // as which alternative they bind.
        for branch in branches {
            if branch.get("$ref").is_some() {
                continue;
            }
            let kind = kind(schema, branch);
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            out.extend(
                limits(schema, branch)
                    .into_iter()
                    .map(|limit| format!("as {article} {kind}: {limit}")),
            );
        }
        return out;
    }
    out.extend(text_limits(node));
    match (node["minimum"].as_u64(), node["maximum"].as_u64()) {
        (Some(min), Some(max)) => out.push(format!("from {min} to {max}")),
        (Some(min), None) => out.push(format!("at least {min}")),
        (None, Some(max)) => out.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(values) = node["enum"].as_array() {
        out.push(format!("one of {}", words(values)));
    }
    if let Some(min) = node["minItems"].as_u64() {
        out.push(format!(
            "at least {min} item{}",
            if min == 1 { "" } else { "s" }
        ));
    }
    if node["uniqueItems"] == Value::Bool(true) {
        out.push("no item twice".into());
    }
    if let Some(items) = node
        .get("items")
        .filter(|items| items.get("properties").is_none())
    {
        out.extend(
            limits(schema, items)
                .into_iter()
                .map(|limit| format!("each item: {limit}")),
        );
    }
    if let Some(max) = node["maxProperties"].as_u64() {
        out.push(format!("at most {max} entries"));
    }
    if let Some(names) = node.get("propertyNames") {
        out.extend(
            text_limits(names)
                .into_iter()
                .map(|l| format!("each name: {l}")),
        );
        if let Some(refused) = names["not"]["enum"].as_array() {
            out.push(format!("no name is {}", words(refused)));
        }
    }
    if let Some(branches) = node["oneOf"].as_array() {
        let one_of: Vec<Value> = branches
            .iter()
            .filter_map(|branch| branch["required"].as_array()?.first().cloned())
            .collect();
        if !one_of.is_empty() {
            out.push(format!("exactly one of {}", words(&one_of)));
        }
    }
    if let Some(dependent) = node["dependentRequired"].as_object() {
        for (option, needs) in dependent {
            if let Some(needs) = needs.as_array() {
                out.push(format!("`{option}` only with {}", words(needs)));
            }
        }
    }
    out
}

/// The limits of a text: its length and its pattern.
fn text_limits(node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match (node["minLength"].as_u64(), node["maxLength"].as_u64()) {
        (Some(min), Some(max)) => out.push(format!("{min} to {max} characters")),
        (Some(min), None) => out.push(format!(
            "at least {min} character{}",
            if min == 1 { "" } else { "s" }
        )),
        (None, Some(max)) => out.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    if let Some(pattern) = node["pattern"].as_str() {
        out.push(format!("matches {}", code(pattern)));
    }
    out
}

/// Values as a list in words: `` `a`, `b` or `c` ``.
fn words(values: &[Value]) -> String {
    let words: Vec<String> = values
        .iter()
        .map(|value| match value {
            Value::String(text) => code(text),
            other => code(&other.to_string()),
        })
        .collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

/// Text as inline code in Markdown (read as plain text on a terminal too): fenced with two
/// backticks when it holds one.
pub(crate) fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// The example of the key at `path`, written under its parents: `salesforce:` / `  myDomain:
/// acme`, a list item with `- `. A value follows the key; a block goes under it.
pub(crate) fn in_place(mappings: &[Mapping<'_>], path: &str, example: &str) -> String {
    let names: Vec<&str> = path.split('.').collect();
    let mut out = String::new();
    let mut indent = 0;
    for (depth, name) in names.iter().enumerate() {
        let parent = names[..depth].join(".");
        let item = mappings
            .iter()
            .any(|mapping| mapping.path == parent && mapping.list_item && depth > 0);
        // Each list on the way gets its dash (`- rules:` then `- name:` for a rule's key).
        let lead = if item {
            format!("{}- ", " ".repeat(indent))
        } else {
            " ".repeat(indent)
        };
        if item {
            indent += 2;
        }
        if depth + 1 < names.len() {
            out.push_str(&format!("{lead}{name}:\n"));
            indent += 2;
        } else if is_block(example) {
            out.push_str(&format!("{lead}{name}:\n"));
            for line in example.lines() {
                out.push_str(&format!("{}{line}\n", " ".repeat(indent + 2)));
            }
        } else {
            out.push_str(&format!("{lead}{name}: {example}\n"));
        }
    }
    out
}

/// Whether an example is a block (a mapping or list written over lines, or `key: value`),
/// which goes under its key, rather than a value that follows it on the line.
fn is_block(example: &str) -> bool {
    let flow = example.starts_with('{') || example.starts_with('[');
    example.contains('\n')
        || (!flow
            && matches!(
                serde_yaml::from_str(example),
                Ok(serde_yaml::Value::Mapping(_) | serde_yaml::Value::Sequence(_))
            ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(path: &str) -> Explained {
        find(CONNECTION, &schema::schema(), path).expect(path)
    }

    #[test]
    fn a_key_is_explained_from_the_tables_and_the_schema() {
        let domain = explain("salesforce.myDomain");
        assert_eq!(domain.kind, "string");
        assert!(!domain.required);
        assert_eq!(
            domain.description,
            keys::SALESFORCE[0].description,
            "the description is the table's"
        );
        assert_eq!(
            domain.limits[0],
            format!("1 to {} characters", super::super::token_url::LABEL_MAX)
        );
        assert_eq!(domain.example, "salesforce:\n  myDomain: acme\n");
    }

    #[test]
    fn limits_are_read_from_the_constants_the_checks_apply() {
        use super::super::destination_rules::{RATE_LIMIT_MAX, RATE_LIMIT_MIN};
        use super::super::limits::NAME_MAX;
        assert_eq!(
            explain("destinations.rateLimitPerSecond").limits,
            [format!("from {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX}")]
        );
        assert!(
            explain("name")
                .limits
                .contains(&format!("1 to {NAME_MAX} characters"))
        );
        assert_eq!(explain("clientSecret").kind, "secret reference");
        assert!(
            explain("clientSecret")
                .limits
                .iter()
                .any(|limit| limit.starts_with("exactly one of `env`, `file`"))
        );
        assert_eq!(explain("clientId").kind, "string or secret reference");
        assert_eq!(explain("regions").kind, "list of strings");
        assert_eq!(explain("destinations").kind, "list of mappings");
        assert_eq!(
            explain("oauth.headers").kind,
            "mapping of names to strings or secret references"
        );
    }

    #[test]
    fn a_list_item_is_shown_with_its_dash() {
        assert_eq!(
            explain("destinations.rateLimitPerSecond").example,
            "destinations:\n  - rateLimitPerSecond: 100\n"
        );
        assert_eq!(
            explain("destinations").example,
            "destinations:\n  - name: sf-acme-order-placed\n    event: Order_Placed__e\n"
        );
        assert_eq!(
            explain("destinations[0].name").key,
            "destinations.name",
            "an index is read as the list's items"
        );
    }

    #[test]
    fn a_rules_key_is_found_from_the_rules_list_too() {
        let schema = schema::schema();
        for (asked, found) in [
            ("rules", "destinations.rules"),
            ("rules.body", "destinations.rules.body"),
            (
                "rules[0].retry.maxEventAge",
                "destinations.rules.retry.maxEventAge",
            ),
            (
                "destinations[0].rules[1].pattern",
                "destinations.rules.pattern",
            ),
        ] {
            assert_eq!(
                find(CONNECTION, &schema, asked).map(|key| key.key),
                Ok(found.to_string())
            );
        }
        let body = explain("destinations.rules.body");
        assert_eq!(body.kind, "mapping of names to strings");
        assert_eq!(
            body.example,
            "destinations:\n  - rules:\n      - body:\n          Order_Id__c: $.detail.id\n          Amount__c: $.detail.total\n"
        );
        assert!(find(CONNECTION, &schema, "rulez.body").is_err());
    }

    #[test]
    fn an_unknown_key_names_the_nearest() {
        let schema = schema::schema();
        assert_eq!(
            find(CONNECTION, &schema, "destinations.rateLimit").unwrap_err()[0],
            "destinations.rateLimitPerSecond"
        );
        assert_eq!(
            find(CONNECTION, &schema, "myDomain").unwrap_err(),
            ["salesforce.myDomain"]
        );
        assert_eq!(
            find(CONNECTION, &schema, "clientsecret").unwrap_err()[0],
            "clientSecret"
        );
        assert!(
            find(CONNECTION, &schema, "zzzzzzzzzzzz")
                .unwrap_err()
                .is_empty()
        );
    }

    /// Every key has an example, it is YAML, and its value is what the schema takes there.
    #[test]
    fn every_example_is_valid_where_it_is_written() {
        for document in [Document::Connection, Document::Project] {
            let schema = document.schema();
            for mapping in mappings(document) {
                for key in mapping.keys {
                    let path = join(mapping.path, key.name);
                    assert!(!key.example.trim().is_empty(), "{path} has no example");
                    let value: serde_json::Value = serde_yaml::from_str(key.example)
                        .unwrap_or_else(|error| panic!("{path}: {error}"));
                    let mut shape = shape(&schema, &path);
                    if let Some(defs) = schema.get("$defs") {
                        shape["$defs"] = defs.clone();
                    }
                    let validator = jsonschema::validator_for(&shape).expect("a schema");
                    let errors: Vec<String> = validator
                        .iter_errors(&value)
                        .map(|e| e.to_string())
                        .collect();
                    assert!(errors.is_empty(), "{path}: {value}: {errors:?}");
                    let placed = in_place(mappings(document), &path, key.example);
                    serde_yaml::from_str::<serde_yaml::Value>(&placed)
                        .unwrap_or_else(|error| panic!("{path} in place: {error}\n{placed}"));
                }
            }
        }
    }

    #[test]
    fn every_key_of_the_tables_is_explained_once() {
        let every = every_key(CONNECTION, &schema::schema());
        let in_tables: usize = CONNECTION.iter().map(|mapping| mapping.keys.len()).sum();
        assert_eq!(
            every.len(),
            in_tables,
            "every mapping is reached from the top"
        );
        let project = every_key(PROJECT, &schema::project_schema());
        let in_tables: usize = PROJECT.iter().map(|mapping| mapping.keys.len()).sum();
        assert_eq!(project.len(), in_tables);
        for key in every.iter().chain(&project) {
            assert_ne!(key.kind, "any", "{} has a type", key.key);
        }
    }
}
