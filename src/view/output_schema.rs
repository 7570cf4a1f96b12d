//! The JSON Schema (draft 2020-12) of each document `--output json` prints, for users who
//! check or generate code from the output, printed by `provision schema --output-document NAME`
//! and committed under `schema/output/NAME.schema.json`.
//!
//! Written beside the JSON view ([`super::json`]) it describes, in the same words: every
//! property is described, every object is closed (`additionalProperties: false`, so a field
//! the view prints without a line here fails the tests that validate real output), and the
//! names of kinds, actions, outcomes and failures are the serialized names of the enums the
//! view prints, so the two cannot spell a value differently. `account` (a 12-digit AWS account
//! id) is allowed beside every `region`.

use super::json::FORMAT_VERSION;
use crate::plan::rotation::Step;
use crate::plan::rotation_report::{RotationEnd, StepResult};
use crate::plan::verify_report::Failure;
use crate::plan::{Action, Outcome, ResourceKind};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The documents, as `--output-document` names them: `plan` is what `diff` and `show` print.
pub(crate) const DOCUMENTS: [&str; 11] = [
    "plan",
    "apply",
    "verify",
    "validate",
    "export",
    "version",
    "error",
    "salesforce-credentials",
    "rotate-credentials",
    "explain",
    "targets",
];

/// The schema of `document` as printed and committed, or `None` for a name not in
/// [`DOCUMENTS`].
pub(crate) fn text(document: &str) -> Option<String> {
    let mut text = serde_json::to_string_pretty(&schema(document)?).unwrap_or_default();
    text.push('\n');
    Some(text)
}

pub(crate) fn schema(document: &str) -> Option<Value> {
    let (title, description, body) = match document {
        // Written by hand beside the explain view (`crate::view::explain`), which it describes.
        "explain" => {
            return serde_json::from_str(include_str!("../../schema/output/explain.schema.json"))
                .ok();
        }
        // A GitHub Actions matrix, exactly: no `version` or `command` (a matrix would read
        // them as variables), so no version history either.
        "targets" => return Some(targets_document()),
        "plan" => (
            "provision plan (diff, show)",
            "What `provision diff --output json` prints, and `provision show FILE --output json` for a saved plan: per connection and API destination, what `apply` would do and why.",
            plan_document(false),
        ),
        "apply" => (
            "provision apply",
            "What `provision apply --output json` prints once done: the plan it applied, then what it did with each resource (`results`) and the counts of it.",
            plan_document(true),
        ),
        "verify" => (
            "provision verify",
            "What `provision verify --output json` prints: per connection and API destination in each Region, whether Salesforce grants a token and the destination's target can be reached.",
            verify_document(),
        ),
        "validate" => (
            "provision validate",
            "What `provision validate --output json` prints when every file is valid (invalid input prints the error document).",
            validate_document(),
        ),
        "export" => (
            "provision export",
            "What `provision export --output json` prints: each YAML file written (or skipped) from a connection in AWS.",
            export_document(),
        ),
        "version" => (
            "provision version",
            "What `provision version --output json` prints: this build, known offline.",
            version_document(),
        ),
        "error" => (
            "provision error",
            "What any command prints on stdout with `--output json` when the run ends in an error before it has a document of its own (exit 1). A run whose resources failed one by one prints its own document instead, each failure in its entry.",
            error_document(),
        ),
        "salesforce-credentials" => (
            "provision salesforce-credentials",
            "What `provision salesforce-credentials --output json` prints: per document and Region, the Secrets Manager secret written with the app's credentials (never a credential).",
            credentials_document(),
        ),
        "rotate-credentials" => (
            "provision rotate-credentials",
            "What `provision rotate-credentials --output json` prints: per document, the steps of the rotation as they went (or, with `--dry-run`, would go) and how it ended.",
            rotation_document(),
        ),
        _ => return None,
    };
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": format!("{description} {VERSIONS}"),
    });
    if let (Value::Object(head), Value::Object(body)) = (&mut root, body) {
        head.extend(body);
    }
    Some(root)
}

/// What each version changed, in every document's description.
const VERSIONS: &str = "Fields are only ever added within a version; a changed name or value raises it. Version 2 (one vocabulary across documents): verify's `kind` `destination` is `apiDestination`, as in the plan; every `hint` is `help`; a rotation's and its steps' `result` is `outcome`, its values in kebab-case (`rolled-back`); the plan's `region` (the first Region) is gone, `regions` lists them; the error document's `error` is the message alone, its help in `help`; a plan entry's `error` for invalid input is each problem's place and message, their help in `problems`.";

/// An object that takes exactly `properties`, of which `required` must be present.
fn object(description: &str, properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// `properties` with `account` added after `region`: a run names the AWS account of each
/// Region beside it.
fn with_account(properties: Value) -> Value {
    let Value::Object(properties) = properties else {
        return properties;
    };
    let mut out = Map::new();
    for (key, value) in properties {
        let region = key == "region";
        out.insert(key, value);
        if region {
            out.insert("account".to_string(), account());
        }
    }
    Value::Object(out)
}

/// The serialized names of `values`, for an enum of the schema: the view's own spelling.
fn names<T: Serialize>(values: &[T]) -> Vec<Value> {
    values
        .iter()
        .filter_map(|value| serde_json::to_value(value).ok())
        .collect()
}

fn version() -> Value {
    json!({
        "description": "The version of the output format: raised on any change that is not a field added.",
        "const": FORMAT_VERSION,
    })
}

fn command(name: &str) -> Value {
    json!({ "description": "The command that printed the document.", "const": name })
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn text_or_null(description: &str) -> Value {
    json!({ "type": ["string", "null"], "description": description })
}

fn texts(description: &str) -> Value {
    json!({ "type": "array", "description": description, "items": { "type": "string" } })
}

fn count(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "description": description })
}

fn list_of(description: &str, items: Value) -> Value {
    json!({ "type": "array", "description": description, "items": items })
}

fn region() -> Value {
    string("The AWS Region, e.g. `us-east-1`.")
}

fn account() -> Value {
    json!({
        "type": "string",
        "pattern": "^[0-9]{12}$",
        "description": "The AWS account the Region is reached in (12 digits): the caller's, which every run that reads AWS asks first.",
    })
}

fn kind() -> Value {
    json!({
        "description": "The AWS resource: an EventBridge `connection`, `apiDestination` or `rule` (with its targets).",
        "enum": names(&ResourceKind::ALL),
    })
}

fn help(description: &str) -> Value {
    text_or_null(&format!(
        "{description} `null` when there is nothing to add."
    ))
}

/// A field that differs (or that AWS did not take), values as users read them.
fn field_change() -> Value {
    object(
        "One field that differs.",
        json!({
            "field": string("The field: a key of the YAML (e.g. `description`, `invocation.headers.X-Token`)."),
            "before": text_or_null("Its value in AWS; `null` when absent. A secret is `(secret)`, never its value."),
            "after": text_or_null("Its declared value; `null` when absent. A secret is `(secret)`, never its value."),
        }),
        &["field", "before", "after"],
    )
}

/// One thing wrong with the input: where, what, and how to fix it.
fn problem() -> Value {
    let place = |what: &str| json!({ "type": ["integer", "null"], "minimum": 1, "description": format!("The {what} (1-based); `null` when not known.") });
    object(
        "One thing wrong with the input, with its place and the way to fix it.",
        json!({
            "file": text_or_null("The file, as given or found; `null` for a problem of the flags or the environment."),
            "line": place("line"),
            "column": place("column"),
            "field": text_or_null("The field path inside the document, e.g. `invocation.headers.X-Token`; `null` for the whole file."),
            "message": string("What is wrong."),
            "help": help("How to fix it."),
        }),
        &["file", "line", "column", "field", "message", "help"],
    )
}

fn problems() -> Value {
    json!({
        "type": "array",
        "minItems": 1,
        "description": "The input problems, each with its place and help (printed only when there are some).",
        "items": problem(),
    })
}

/// The client secret against the EventBridge-managed secret, by `status`.
fn secret_status() -> Value {
    let status = |name: &str, description: &str, more: Value, required: &[&str]| {
        let mut properties = json!({
            "status": { "const": name, "description": description },
        });
        if let (Value::Object(properties), Value::Object(more)) = (&mut properties, more) {
            properties.extend(more);
        }
        let mut all = vec!["status"];
        all.extend(required);
        object(description, properties, &all)
    };
    json!({
        "description": "The client secret (and secret parameter values) against the secret EventBridge keeps for the connection, by `status`.",
        "oneOf": [
            status("in-sync", "The managed secret holds the declared values.", json!({}), &[]),
            status(
                "changed",
                "The managed secret differs from the declared values (changed outside provision): apply re-sends them.",
                json!({ "fields": texts("The fields that differ (names only, never values).") }),
                &["fields"],
            ),
            status(
                "unverifiable",
                "The managed secret could not be compared.",
                json!({ "reason": string("Why (access denied, no managed secret, ...).") }),
                &["reason"],
            ),
            status("not-applicable", "Nothing to compare with: the connection does not exist yet (or it is an API destination).", json!({}), &[]),
        ],
    })
}

fn state() -> Value {
    json!({
        "description": "The connection's state as EventBridge reports it (`unknown` when it reported none); a state a newer API adds is passed on as AWS wrote it.",
        "anyOf": [
            { "enum": ["CREATING", "UPDATING", "DELETING", "AUTHORIZING", "AUTHORIZED", "DEAUTHORIZING", "DEAUTHORIZED", "ACTIVE", "FAILED_CONNECTIVITY", "unknown"] },
            { "type": "string" },
        ],
    })
}

fn health() -> Value {
    let mut health = object(
        "The connection's state in AWS; `null` for a connection that does not exist yet and for API destinations.",
        json!({
            "state": state(),
            "reason": text_or_null("AWS's `StateReason`, as AWS wrote it; `null` when none."),
            "broken": { "type": "boolean", "description": "True for `DEAUTHORIZED` and `FAILED_CONNECTIVITY`: events to it fail now, and `apply` re-sends the credentials to heal it." },
            "help": help("For a broken connection: what to check in Salesforce (or the network) if re-sending the credentials does not heal it."),
        }),
        &["state", "reason", "broken", "help"],
    );
    health["type"] = json!(["object", "null"]);
    health
}

/// One resource of the plan; a connection's entry also lists its API destinations.
fn entry(connection: bool) -> Value {
    let mut properties = with_account(json!({
        "kind": kind(),
        "name": string("The resource's name in AWS."),
        "region": region(),
        "action": {
            "description": "What `apply` would do: `create`, `update`, `adopt` (take over one without this set's marker, `--adopt`), `not-managed` (one without the marker, left alone), `replace` (delete and create again, `--replace`), `delete` (this set's, no longer declared, `--prune`), `in-sync`, `refused` (a difference apply will not make; `error` says why) or `error` (it could not be planned; `error` says why).",
            "enum": names(&[Action::Create, Action::Update, Action::Adopt, Action::NotManaged, Action::Replace, Action::Delete, Action::InSync, Action::Refused, Action::Error]),
        },
        "changes": list_of("The fields that differ, in order.", field_change()),
        "secret": secret_status(),
        "health": health(),
        "error": text_or_null("Why the resource could not be planned, or why apply refuses the difference, naming the file and field at fault (for invalid input: each problem's place and message, one per line; `problems` has each with its help). `null` otherwise."),
        "problems": problems(),
        "note": text_or_null("What to know about the action: why a connection is not this set's, why a change cannot be made in place, what `apply` will wait for. `null` when nothing."),
        "target": target("The project file's target whose account the resource is in (printed only when the project file lists targets)."),
    }));
    if connection {
        properties["apiDestinations"] = list_of(
            "The API destinations declared on this connection (printed only when there are some).",
            json!({ "$ref": "#/$defs/apiDestination" }),
        );
    }
    let description = if connection {
        "A connection of the plan, with the API destinations declared on it."
    } else {
        "An API destination or a rule of the plan."
    };
    object(
        description,
        properties,
        &[
            "kind", "name", "account", "region", "action", "changes", "secret", "health", "error",
            "note",
        ],
    )
}

fn summary(what: &str) -> Value {
    object(
        &format!("How many {what} each action covers."),
        json!({
            "create": count("To create."),
            "update": count("To update (adoptions included)."),
            "replace": count("To replace."),
            "delete": count("To delete (`--prune`)."),
            "notManaged": count("Not this set's, left alone."),
            "refused": count("Differences apply refuses to make (printed only when some)."),
            "inSync": count("In sync."),
            "error": count("Could not be planned."),
        }),
        &[
            "create",
            "update",
            "replace",
            "delete",
            "notManaged",
            "inSync",
            "error",
        ],
    )
}

fn target(description: &str) -> Value {
    json!({
        "type": "string",
        "pattern": "^[a-z0-9-]{1,32}$",
        "description": description,
    })
}

/// The connections' counts, and each target's part (when the project file lists targets).
fn run_summary() -> Value {
    let mut run = summary("connections");
    let mut per_target = summary("of the target's connections");
    per_target["description"] = json!(
        "One target's part of the run: its account, the Regions the run covered there, and its counts (connections beside the target, API destinations and rules apart)."
    );
    per_target["properties"]["target"] = target("The target's name in the project file.");
    per_target["properties"]["account"] = account();
    per_target["properties"]["regions"] = texts("The target's Regions the run covered, in order.");
    per_target["properties"]["apiDestinations"] = summary("of the target's API destinations");
    per_target["properties"]["rules"] =
        summary("of the target's rules (only when the plan has rules, as `ruleSummary`)");
    if let Some(required) = per_target["required"].as_array_mut() {
        required.extend(["target", "account", "regions", "apiDestinations"].map(Value::from));
    }
    run["properties"]["targets"] = list_of(
        "Each target's part of the run, in the run's order (printed only when the project file lists targets): the counts add up to the run's.",
        per_target,
    );
    run
}

fn left_out() -> Value {
    list_of(
        "Declared connections this run does not cover (`--region` leaves them out), and why.",
        object(
            "A declared connection left out of the run in one Region.",
            with_account(json!({
                "name": string("The connection's name."),
                "region": region(),
                "reason": string("Why the run leaves it out."),
            })),
            &["name", "account", "region", "reason"],
        ),
    )
}

fn unread_places() -> Value {
    list_of(
        "The places (an account's Region) the run could not read, and why (printed only when some): the others were planned and applied all the same, and the run exits 1.",
        object(
            "A place the run could not read.",
            with_account(json!({
                "region": region(),
                "error": string("What kept the place from being read (a refused role, an ended session, throttling beyond the retries, access denied)."),
                "help": { "type": ["string", "null"], "description": "How to fix it." },
            })),
            &["account", "region", "error", "help"],
        ),
    )
}

fn orphans() -> Value {
    list_of(
        "This set's resources in AWS that no file of the run declares (when not pruning): a note, not a difference.",
        object(
            "One of this set's resources that no file declares.",
            with_account(json!({
                "kind": kind(),
                "name": string("Its name, as AWS's listing gave it."),
                "region": region(),
            })),
            &["kind", "name", "account", "region"],
        ),
    )
}

fn unrouted() -> Value {
    list_of(
        "The declared API destinations no rule targets, declared or found in AWS (`ListRuleNamesByTarget`): \"nothing routes events here\", a note, not a difference (printed only when some).",
        object(
            "A declared API destination nothing routes events to.",
            with_account(json!({
                "kind": kind(),
                "name": string("The API destination's name."),
                "region": region(),
            })),
            &["kind", "name", "account", "region"],
        ),
    )
}

fn apply_result() -> Value {
    object(
        "What `apply` did with one resource.",
        with_account(json!({
            "kind": kind(),
            "name": string("The resource's name in AWS."),
            "region": region(),
            "outcome": {
                "description": "What happened: `created`, `updated`, `replaced`, `deleted`, `unchanged`, `failed`, `not-started` (the run was interrupted first) or `skipped` (left unwritten on purpose: an API destination on a connection that is not this set's).",
                "enum": names(&[Outcome::Created, Outcome::Updated, Outcome::Replaced, Outcome::Deleted, Outcome::Unchanged, Outcome::Failed, Outcome::NotStarted, Outcome::Skipped]),
            },
            "state": {
                "description": "The state the connection settled in (or was last seen in); `null` for an API destination or when not known.",
                "anyOf": [state(), { "type": "null" }],
            },
            "stateReason": text_or_null("AWS's `StateReason`; `null` when none."),
            "error": text_or_null("Why it failed (it may quote AWS or Salesforce); `null` when it did not."),
            "help": help("What to do about the failure."),
            "notTaken": list_of("Fields that still differ after the write: AWS did not take them.", field_change()),
            "leftDeleted": { "const": true, "description": "A replace deleted the connection and could not create it again: it is gone until the next `apply` (printed only when true)." },
        })),
        &[
            "kind",
            "name",
            "account",
            "region",
            "outcome",
            "state",
            "stateReason",
            "error",
            "help",
            "notTaken",
        ],
    )
}

fn apply_summary(what: &str) -> Value {
    object(
        &format!("How many {what} each outcome covers."),
        json!({
            "created": count("Created."),
            "updated": count("Updated."),
            "replaced": count("Replaced."),
            "deleted": count("Deleted."),
            "unchanged": count("Unchanged."),
            "failed": count("Failed."),
            "notStarted": count("Not started: the run was interrupted first."),
            "skipped": count("Skipped on purpose (printed only when some)."),
        }),
        &[
            "created",
            "updated",
            "replaced",
            "deleted",
            "unchanged",
            "failed",
            "notStarted",
        ],
    )
}

fn project_file() -> Value {
    string(
        "The project file (`provision.yaml`) the run used, as given or found (absent without one).",
    )
}

fn plan_document(apply: bool) -> Value {
    let mut properties = json!({
        "version": version(),
        "command": command(if apply { "apply" } else { "diff" }),
        "regions": texts("The Regions the run covers, in order."),
        "differences": { "type": "boolean", "description": "True when `apply` would change something (`diff` exits 2)." },
        "summary": run_summary(),
        "apiDestinationSummary": summary("API destinations"),
        "connections": list_of("The declared connections (and, with `--prune`, this set's undeclared ones to delete), per Region in plan order.", json!({ "$ref": "#/$defs/connection" })),
        "ruleSummary": printed_when_some(summary("rules")),
        "prunedApiDestinations": list_of("This set's undeclared API destinations to delete (`--prune`; printed only when some).", json!({ "$ref": "#/$defs/entry" })),
        "prunedRules": list_of("This set's undeclared rules to delete (`--prune`; printed only when some).", json!({ "$ref": "#/$defs/entry" })),
        "unrouted": unrouted(),
        "leftOut": left_out(),
        "unreadPlaces": unread_places(),
        "orphans": orphans(),
        "projectFile": project_file(),
        "failedRuns": list_of(
            "`report merge`: the merged runs whose reports were error documents (printed only when some); the places they would have read are not in the report.",
            object(
                "A run that ended in an error before it had a plan.",
                json!({
                    "file": string("The report file it was read from."),
                    "error": string("Its error, as its report gave it."),
                    "help": help("How to fix it, as its report gave it."),
                }),
                &["file", "error", "help"],
            ),
        ),
    });
    let mut required = vec![
        "version",
        "command",
        "regions",
        "differences",
        "summary",
        "apiDestinationSummary",
        "connections",
        "leftOut",
        "orphans",
    ];
    if apply {
        properties["results"] = list_of(
            "What apply did with each resource, in the order it wrote them.",
            apply_result(),
        );
        properties["applySummary"] = apply_summary("connections");
        properties["apiDestinationApplySummary"] = apply_summary("API destinations");
        properties["ruleApplySummary"] = printed_when_some(apply_summary("rules"));
        required.extend(["results", "applySummary", "apiDestinationApplySummary"]);
    }
    let mut plan = document(properties, &required);
    plan["$defs"] = json!({
        "connection": entry(true),
        "apiDestination": destination_entry(),
        "entry": entry(false),
    });
    plan
}

/// `counts` (of rules), printed only when the plan has rules.
fn printed_when_some(mut counts: Value) -> Value {
    let description = counts["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    counts["description"] = json!(format!(
        "{description} Printed only when the plan has some."
    ));
    counts
}

/// An API destination of the plan, with the rules first declared under it.
fn destination_entry() -> Value {
    let mut destination = entry(false);
    destination["description"] =
        json!("An API destination of the plan, with the rules first declared under it.");
    destination["properties"]["rules"] = list_of(
        "The rules first declared under this API destination (printed only when there are some).",
        json!({ "$ref": "#/$defs/entry" }),
    );
    destination
}

/// A closed top-level object (the root's description is the document's).
fn document(properties: Value, required: &[&str]) -> Value {
    let mut document = object("", properties, required);
    if let Value::Object(document) = &mut document {
        document.remove("description");
    }
    document
}

fn verify_document() -> Value {
    let optional = |description: &str| string(&format!("{description} (absent when not)."));
    let verified = object(
        "One connection or API destination verified in one Region. Keys without a value are left out, never `null`.",
        with_account(json!({
            "kind": kind(),
            "name": string("The connection's or API destination's name."),
            "connection": optional("An API destination's connection"),
            "region": region(),
            "ok": { "type": "boolean", "description": "True when the check passed (warnings may remain)." },
            "target": optional("An API destination's target: the Platform Event or object API name, or the path"),
            "apiVersion": optional("An API destination's Salesforce API version, where it has one"),
            "checked": optional("What was checked and found right, in a few words"),
            "requiredFields": texts("The fields an event or record must carry (createable, not nillable, not defaulted)."),
            "instanceUrl": optional("Salesforce's `instance_url`, on success"),
            "error": optional("Salesforce's `error`; for a failure without an OAuth answer, what went wrong"),
            "errorDescription": optional("Salesforce's `error_description`"),
            "help": optional("What to do about the failure or the warnings"),
            "failure": {
                "description": "Why the check failed: `refused` (the token endpoint answered an OAuth error), `timeout`, `tls`, `unreachable`, `secret` (a secret reference could not be read: nothing was sent), `api-version` (the org does not serve the destination's API version), `not-found` (no such target, or the Run As user cannot see it), `not-createable` (the Run As user may not create it), `rejected` (another REST error), `rule` (a declared rule would send a body Salesforce refuses: its `rules` say why).",
                "enum": names(&[Failure::Refused, Failure::Timeout, Failure::Tls, Failure::Unreachable, Failure::Secret, Failure::ApiVersion, Failure::NotFound, Failure::NotCreateable, Failure::Rejected, Failure::Rule]),
            },
            "httpStatus": { "type": "integer", "minimum": 100, "maximum": 599, "description": "The token endpoint's (or the REST call's) HTTP status, when it answered an error." },
            "warnings": texts("An API destination's warnings (they fail the run only with `--strict`)."),
            "notChecked": json!({ "type": "array", "minItems": 1, "items": { "type": "string" }, "description": "What could not be checked, and why (printed only when something)." }),
            "enqueuedId": optional("`--publish-test`: the id Salesforce gave the published event"),
            "rules": list_of(
                "An API destination's declared rules, checked against its target's describe as the Run As user (absent when none).",
                object(
                    "One declared rule.",
                    json!({
                        "name": string("The rule's name."),
                        "bus": string("The event bus's name."),
                        "ok": { "type": "boolean", "description": "True when Salesforce would take what the rule sends and its role may invoke the destination (warnings may remain)." },
                        "errors": list_of(
                            "What would make Salesforce refuse the events the rule sends, or keep EventBridge from delivering them (a role that is missing or refuses) (absent when nothing).",
                            object(
                                "One error.",
                                json!({
                                    "error": string("What is wrong."),
                                    "help": string("How to fix it."),
                                }),
                                &["error", "help"],
                            ),
                        ),
                        "warnings": texts("What works but loses events or hides failures: no dead-letter queue, retries turned off (absent when nothing)."),
                        "notChecked": texts("What could not be checked, and why (absent when nothing)."),
                        "checked": texts("What was checked and holds: the role's policies read from IAM, with what the check leaves out (absent when nothing)."),
                    }),
                    &["name", "bus", "ok"],
                ),
            ),
        })),
        &["kind", "name", "region", "ok"],
    );
    document(
        json!({
            "version": version(),
            "command": command("verify"),
            "regions": texts("The Regions the run covers, in order."),
            "summary": object(
                "The results counted.",
                json!({
                    "ok": count("Results that passed."),
                    "failed": count("Results that failed."),
                    "warnings": count("Of the passed results, those with warnings."),
                }),
                &["ok", "failed", "warnings"],
            ),
            "results": list_of("One result per connection and API destination per Region.", verified),
            "leftOut": left_out(),
        }),
        &[
            "version", "command", "regions", "summary", "results", "leftOut",
        ],
    )
}

fn validate_document() -> Value {
    document(
        json!({
            "version": version(),
            "command": command("validate"),
            "valid": { "const": true, "description": "Always true: invalid input prints the error document." },
            "connections": texts("The names of the declared connections, in the order read."),
            "places": list_of(
                "Where each document is placed, with `targets:` in the project file (absent without): one entry per document, target and Region, in the order read.",
                object(
                    "A Region of a target a document is placed in.",
                    with_account(json!({
                        "connection": string("The connection's name."),
                        "target": string("The project file's target (its `name`)."),
                        "region": region(),
                    })),
                    &["connection", "target", "region", "account"],
                ),
            ),
            "projectFile": project_file(),
        }),
        &["version", "command", "valid", "connections"],
    )
}

fn targets_document() -> Value {
    let place = object(
        "One place, one job of the matrix: its keys are the job's `matrix.target`, `matrix.account` and `matrix.region`.",
        json!({
            "target": string("The project file's target (its `name`), for `--target`."),
            "account": {
                "type": "string",
                "pattern": "^[0-9]{12}$",
                "description": "The target's AWS account (12 digits), as the project file names it.",
            },
            "region": region(),
        }),
        &["target", "account", "region"],
    );
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "provision targets",
        "description": "What `provision targets --output json` prints: the places (a target of the project file, in one of its Regions) the documents use, as a GitHub Actions matrix for `strategy.matrix: ${{ fromJSON(...) }}`, one job a place. It carries no `version` or `command`: a matrix would read them as variables.",
    });
    if let (Value::Object(head), Value::Object(body)) = (
        &mut root,
        document(
            json!({
                "include": {
                    "type": "array",
                    "description": "The places, in the order of the project file's targets, each in the order of its Regions; at most 256 (a matrix's limit).",
                    "maxItems": super::MATRIX_JOBS_MAX,
                    "items": place,
                },
            }),
            &["include"],
        ),
    ) {
        head.extend(body);
    }
    root
}

fn export_document() -> Value {
    let file = object(
        "One file `export` wrote, or skipped.",
        with_account(json!({
            "name": string("The connection's name, as AWS's listing gave it."),
            "region": region(),
            "path": text_or_null("Where the file was written; `null` when skipped."),
            "variables": texts("The environment variables its secret references name (to be set before `apply`)."),
            "skipped": text_or_null("Why it was skipped; `null` when written."),
            "target": target("The project file's target it was exported from, in its account (printed only when the project file lists targets)."),
        })),
        &["name", "region", "path", "variables", "skipped"],
    );
    document(
        json!({
            "version": version(),
            "command": command("export"),
            "files": list_of("The files, in the order written.", file),
        }),
        &["version", "command", "files"],
    )
}

fn version_document() -> Value {
    document(
        json!({
            "version": version(),
            "command": command("version"),
            "provision": string("The version of provision (semantic versioning)."),
            "os": string("The operating system it was built for (`linux`, `macos`, `windows`, ...)."),
            "arch": string("The CPU architecture it was built for (`x86_64`, `aarch64`, ...)."),
        }),
        &["version", "command", "provision", "os", "arch"],
    )
}

fn error_document() -> Value {
    document(
        json!({
            "version": version(),
            "error": string("What went wrong, without how to fix it; `invalid input` when `problems` lists what."),
            "help": help("How to fix it (each problem has its own)."),
            "problems": problems(),
        }),
        &["version", "error", "help"],
    )
}

fn credentials_document() -> Value {
    let write = object(
        "One Secrets Manager secret written in one Region, or a document's failure (then without a Region or secret when it failed before any write).",
        with_account(json!({
            "name": string("The connection document's name."),
            "app": string("The External Client App's API name."),
            "region": text_or_null("The AWS Region; `null` when the document failed before any write."),
            "secret": text_or_null("The secret's name or ARN as the YAML gives it; `null` when the document failed before any write."),
            "versionId": text_or_null("The secret version written, as Secrets Manager gave it; `null` when none was."),
            "created": { "type": "boolean", "description": "True when the secret did not exist and was created." },
            "error": text_or_null("Why it failed (it may quote AWS or Salesforce); `null` when it did not."),
            "help": help("What to do about the failure."),
        })),
        &[
            "name",
            "app",
            "region",
            "secret",
            "versionId",
            "created",
            "error",
            "help",
        ],
    );
    let other_org = object(
        "A document left out because its org is not the signed-in user's.",
        json!({
            "name": string("The connection document's name."),
            "reason": string("Why: it names the document's org and the signed-in one."),
        }),
        &["name", "reason"],
    );
    document(
        json!({
            "version": version(),
            "command": command("salesforce-credentials"),
            "results": list_of("The secrets written, and the documents that failed.", write),
            "leftOut": list_of("The documents of another org, left out.", other_org),
        }),
        &["version", "command", "results", "leftOut"],
    )
}

fn rotation_document() -> Value {
    let steps = [
        Step::Stage,
        Step::CheckStaged,
        Step::StoreStaged,
        Step::UpdateConnections,
        Step::Promote,
        Step::StorePrimary,
        Step::CheckPrimary,
        Step::DeleteStaged,
        Step::RevokePrevious,
    ];
    let step_described = steps
        .iter()
        .map(|step| format!("`{}`: {}", step.name(), step.describe()))
        .collect::<Vec<_>>()
        .join("; ");
    let step = object(
        "One step of the rotation, as it went.",
        json!({
            "step": { "description": format!("The step. {step_described}."), "enum": names(&steps) },
            "outcome": {
                "description": "How it went: `done`, `failed`, or `planned` (`--dry-run`).",
                "enum": names(&[StepResult::Done, StepResult::Failed, StepResult::Planned]),
            },
            "detail": string("What the step did or found (secrets, Regions and versions by name only; it may quote AWS or Salesforce)."),
        }),
        &["step", "outcome", "detail"],
    );
    let optional = |description: &str| string(&format!("{description} (absent when nothing)."));
    let result = object(
        "One document's rotation.",
        json!({
            "name": string("The connection document's name."),
            "app": string("The External Client App's API name."),
            "outcome": {
                "description": "How the rotation ended: `rotated` (the new credential is primary, stored and in use everywhere), `rolled-back` (undone: the old credential is primary, stored and in use), `failed`, `interrupted` (a new run picks up where it stopped), or `planned` (`--dry-run`).",
                "enum": names(&[RotationEnd::Rotated, RotationEnd::RolledBack, RotationEnd::Failed, RotationEnd::Interrupted, RotationEnd::Planned]),
            },
            "steps": list_of("The steps, in the order taken.", step),
            "windowSeconds": { "type": "number", "minimum": 0, "description": "Seconds between the promotion and the last connection carrying the new credential, when Salesforce honoured it only once primary (absent otherwise)." },
            "now": optional("What holds now, where the run leaves something to say: the previous credential after a rotation, or Salesforce's primary and staged slot, the secrets and the connections after a failure or an interruption, and what a new run would do"),
            "error": optional("Why it failed (it may quote AWS or Salesforce)"),
            "help": optional("What to do about it"),
        }),
        &["name", "app", "outcome", "steps"],
    );
    document(
        json!({
            "version": version(),
            "command": command("rotate-credentials"),
            "dryRun": { "type": "boolean", "description": "True with `--dry-run`: the steps are what a run would take, nothing was changed." },
            "results": list_of("One rotation per document.", result),
        }),
        &["version", "command", "dryRun", "results"],
    )
}

/// Fails, saying every way, unless `shown` matches the published schema of `document` by an
/// independent validator (the `jsonschema` crate). For the crate's own tests of the views.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_matches(document: &str, shown: &str) {
    let schema: Value = serde_json::from_str(&text(document).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let json: Value = serde_json::from_str(shown).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{document}: {errors:#?}\n{shown}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document has a schema, closed and described all the way down.
    #[test]
    fn every_document_is_closed_and_described() {
        fn walk(name: &str, path: &str, schema: &Value) {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                assert_eq!(
                    schema["additionalProperties"], false,
                    "{name}: {path} is open"
                );
                for (key, property) in properties {
                    let described =
                        property.get("description").is_some() || property.get("$ref").is_some();
                    assert!(described, "{name}: {path}.{key} has no description");
                    walk(name, &format!("{path}.{key}"), property);
                }
            }
            for key in ["items", "anyOf", "oneOf"] {
                match schema.get(key) {
                    Some(Value::Array(all)) => all.iter().for_each(|s| walk(name, path, s)),
                    Some(one) => walk(name, &format!("{path}[]"), one),
                    None => {}
                }
            }
            if let Some(Value::Object(defs)) = schema.get("$defs") {
                defs.values().for_each(|s| walk(name, path, s));
            }
        }
        for name in DOCUMENTS {
            let schema: Value = serde_json::from_str(&text(name).unwrap()).unwrap();
            // `targets` prints a bare GitHub Actions matrix: no version, so no history.
            assert!(
                name == "targets"
                    || schema["description"]
                        .as_str()
                        .unwrap()
                        .contains("Version 2")
            );
            walk(name, name, &schema);
        }
        assert_eq!(text("plans"), None);
    }
}
