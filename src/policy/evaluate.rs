//! Whether a rule's role may invoke its API destination, and lets EventBridge assume it,
//! decided from the role's policy documents as IAM's documents describe evaluation (pure).
//!
//! IAM user guide, "Policy evaluation logic" ("Determining whether a request is allowed or
//! denied within an account"): an explicit `Deny` in any policy wins; otherwise an `Allow` is
//! needed; with neither, the request is implicitly denied. A statement applies when its
//! `Action` matches (or its `NotAction` does not) and its `Resource` matches (or its
//! `NotResource` does not). "IAM JSON policy elements: Action": action names are not case
//! sensitive; "IAM JSON policy elements: Resource": `*` matches any run of characters, `?`
//! any one, and ARNs are case sensitive. A statement carrying a `Condition` is not evaluated
//! (its keys are named), except in the trust policy, whose request verify knows: EventBridge
//! assumes the role for a rule with `aws:SourceAccount` its account and `aws:SourceArn` its
//! ARN (EventBridge user guide, "Cross-service confused deputy prevention"), judged with
//! `StringEquals`, `StringLike`, `ArnEquals` and `ArnLike` as "IAM JSON policy elements:
//! Condition operators" defines them (keys without case; any listed value matches; every
//! operator and key must hold). Permissions boundaries, session policies and service control
//! policies are not read: the finding says so.
//!
//! The destination's ARN ends in an identifier EventBridge chooses
//! (`api-destination/NAME/UUID`); verify does not read it, so an `Allow` must match every ID
//! (`api-destination/NAME/*`, as `iam-policy --for rule` writes it) and a `Deny` refuses when
//! it matches any.

use serde_json::Value;

/// The action a rule's role needs on its destination.
pub(crate) const INVOKE: &str = "events:InvokeApiDestination";
/// The action and service of the trust policy.
const ASSUME: &str = "sts:AssumeRole";
const EVENTS: &str = "events.amazonaws.com";

/// What the role's policies say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allowed,
    /// Refused: why (the statement, or that none allows).
    Refused(String),
    /// Not decided: why (the condition keys, or a document that does not parse).
    NotChecked(String),
}

/// One statement as read: effect, whether it names the action, the resource match, conditions.
struct Statement<'a> {
    allow: bool,
    where_: String,
    value: &'a Value,
}

fn strings(value: Option<&Value>) -> Option<Vec<&str>> {
    match value? {
        Value::String(one) => Some(vec![one.as_str()]),
        Value::Array(many) => Some(many.iter().filter_map(Value::as_str).collect()),
        _ => Some(Vec::new()),
    }
}

/// The statements of `(name, document)` pairs; a document that does not parse is named.
fn statements<'a>(documents: &'a [(String, Value)]) -> Vec<Statement<'a>> {
    let mut out = Vec::new();
    for (name, document) in documents {
        let list: Vec<&Value> = match document.get("Statement") {
            Some(Value::Array(many)) => many.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        for (index, statement) in list.into_iter().enumerate() {
            let sid = statement
                .get("Sid")
                .and_then(Value::as_str)
                .map(|sid| format!("`{}`", crate::outside::Outside::from(sid)))
                .unwrap_or_else(|| format!("#{}", index + 1));
            out.push(Statement {
                allow: statement.get("Effect").and_then(Value::as_str) == Some("Allow"),
                where_: format!(
                    "statement {sid} of {}",
                    crate::outside::Outside::from(name.as_str())
                ),
                value: statement,
            });
        }
    }
    out
}

/// What a statement's `Condition` says of a request whose context holds `known` keys.
enum Condition {
    /// None, or every operator holds.
    Holds,
    /// An operator does not hold: the statement does not apply.
    Fails,
    /// An operator or key the tool cannot evaluate: the keys.
    Unknown(Vec<String>),
}

/// The `Condition` of `statement` against the `known` request context.
fn condition(statement: &Value, known: &[(&str, &str)]) -> Condition {
    let Some(operators) = statement.get("Condition").and_then(Value::as_object) else {
        return Condition::Holds;
    };
    let mut holds = true;
    for (operator, keys) in operators {
        let Some(keys) = keys.as_object() else {
            return Condition::Unknown(condition_keys(statement));
        };
        for (key, values) in keys {
            let value = known
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
                .map(|(_, value)| *value);
            let (Some(value), Some(wanted)) = (value, strings(Some(values))) else {
                return Condition::Unknown(condition_keys(statement));
            };
            let one = |pattern: &str| match operator.as_str() {
                "StringEquals" => Some(pattern == value),
                "StringLike" => Some(glob(pattern, value)),
                "ArnEquals" | "ArnLike" => Some(arn_like(pattern, value)),
                _ => None,
            };
            let results: Vec<Option<bool>> = wanted.iter().map(|p| one(p)).collect();
            if results.iter().any(Option::is_none) {
                return Condition::Unknown(condition_keys(statement));
            }
            holds &= results.into_iter().flatten().any(|matched| matched);
        }
    }
    if holds {
        Condition::Holds
    } else {
        Condition::Fails
    }
}

/// `ArnEquals` / `ArnLike`: each of the six colon-separated parts matched on its own, with
/// wildcards.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let pattern: Vec<&str> = pattern.splitn(6, ':').collect();
    let arn: Vec<&str> = arn.splitn(6, ':').collect();
    pattern.len() == 6 && arn.len() == 6 && pattern.iter().zip(&arn).all(|(p, a)| glob(p, a))
}

/// The condition keys of a statement (`Condition: {operator: {key: ...}}`).
fn condition_keys(statement: &Value) -> Vec<String> {
    let mut keys: Vec<String> = statement
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|operators| operators.values())
        .filter_map(Value::as_object)
        .flat_map(|keys| keys.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `pattern` names `action` (IAM wildcards, case-insensitive).
fn names_action(statement: &Value, action: &str) -> bool {
    let matches = |patterns: Vec<&str>| {
        patterns
            .iter()
            .any(|pattern| glob(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase()))
    };
    if let Some(patterns) = strings(statement.get("Action")) {
        matches(patterns)
    } else if let Some(patterns) = strings(statement.get("NotAction")) {
        !matches(patterns)
    } else {
        false
    }
}

/// `*` any run, `?` any one character, everything else itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let states = run(pattern, text);
    let pattern: Vec<char> = pattern.chars().collect();
    states.contains(&pattern.len())
}

/// The positions of `pattern` reachable after reading all of `text` (closed over `*`).
fn run(pattern: &str, text: &str) -> Vec<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    let close = |mut states: Vec<usize>| {
        let mut i = 0;
        while i < states.len() {
            let at = states[i];
            if pattern.get(at) == Some(&'*') && !states.contains(&(at + 1)) {
                states.push(at + 1);
            }
            i += 1;
        }
        states
    };
    let mut states = close(vec![0]);
    for c in text.chars() {
        let mut next = Vec::new();
        for &at in &states {
            match pattern.get(at) {
                Some('*') => next.push(at),
                Some('?') => next.push(at + 1),
                Some(p) if *p == c => next.push(at + 1),
                _ => {}
            }
        }
        next.sort_unstable();
        next.dedup();
        states = close(next);
        if states.is_empty() {
            break;
        }
    }
    states
}

/// Whether `pattern` matches `prefix` followed by every identifier (`every`), or by at least
/// one (`!every`). The identifier is a UUID (lower-case hex digits and dashes), as in the
/// EventBridge API Reference's `ApiDestinationArn` examples.
fn matches_id(pattern: &str, prefix: &str, every: bool) -> bool {
    let rest: Vec<char> = pattern.chars().collect();
    run(pattern, prefix).into_iter().any(|at| {
        let left = &rest[at.min(rest.len())..];
        let id_like = |c: &char| matches!(c, '*' | '?' | '-' | '0'..='9' | 'a'..='f');
        !left.is_empty()
            && if every {
                left.iter().all(|c| *c == '*')
            } else {
                left.iter().all(id_like)
            }
    })
}

/// Whether the statement's resources cover the destination (every ID for an Allow, one for a
/// Deny).
fn names_destination(statement: &Value, prefix: &str, every: bool) -> bool {
    if let Some(patterns) = strings(statement.get("Resource")) {
        patterns.iter().any(|p| matches_id(p, prefix, every))
    } else if let Some(patterns) = strings(statement.get("NotResource")) {
        // Applies to every ID when no pattern matches any; to one when not all match every.
        !patterns.iter().any(|p| matches_id(p, prefix, !every))
    } else {
        false
    }
}

/// Parses `(name, text)` documents; the first that is not a JSON object is why nothing was
/// checked.
pub(crate) fn parse(documents: &[(String, String)]) -> Result<Vec<(String, Value)>, Verdict> {
    documents
        .iter()
        .map(|(name, text)| match serde_json::from_str::<Value>(text) {
            Ok(value) if value.is_object() => Ok((name.clone(), value)),
            _ => Err(Verdict::NotChecked(format!(
                "the {} is not a JSON policy document",
                crate::outside::Outside::from(name.as_str())
            ))),
        })
        .collect()
}

/// Whether the permissions policies allow `events:InvokeApiDestination` on the destination
/// whose ARN is `destination_prefix` followed by EventBridge's identifier
/// (`arn:P:events:R:A:api-destination/NAME/`).
pub(crate) fn may_invoke(documents: &[(String, Value)], destination_prefix: &str) -> Verdict {
    decide(
        statements(documents),
        &[],
        |s, every| names_action(s, INVOKE) && names_destination(s, destination_prefix, every),
        &format!("no statement allows {INVOKE} on {destination_prefix}*"),
    )
}

/// Whether the trust policy lets `events.amazonaws.com` call `sts:AssumeRole` for the rule
/// `rule_arn` of `account`.
pub(crate) fn trusts_eventbridge(
    trust: &(String, Value),
    account: &str,
    rule_arn: &str,
) -> Verdict {
    let names_events = |s: &Value| match s.get("Principal") {
        Some(Value::String(any)) => any == "*",
        Some(principal) => strings(principal.get("Service"))
            .is_some_and(|services| services.iter().any(|service| glob(service, EVENTS))),
        None => false,
    };
    decide(
        statements(std::slice::from_ref(trust)),
        &[("aws:SourceAccount", account), ("aws:SourceArn", rule_arn)],
        |s, _| names_events(s) && names_action(s, ASSUME),
        &format!("no statement lets {EVENTS} call {ASSUME}"),
    )
}

/// Deny over Allow over implicit deny; a condition on an applying statement leaves it open.
fn decide(
    statements: Vec<Statement<'_>>,
    known: &[(&str, &str)],
    applies: impl Fn(&Value, bool) -> bool,
    none: &str,
) -> Verdict {
    let mut allowed = false;
    let mut conditional: Vec<String> = Vec::new();
    for statement in statements.iter().filter(|s| !s.allow) {
        if applies(statement.value, false) {
            match condition(statement.value, known) {
                Condition::Holds => {
                    return Verdict::Refused(format!("denied by {}", statement.where_));
                }
                Condition::Fails => {}
                Condition::Unknown(keys) => conditional.push(format!(
                    "{} (Deny) on {}",
                    statement.where_,
                    keys.join(", ")
                )),
            }
        }
    }
    for statement in statements.iter().filter(|s| s.allow) {
        if applies(statement.value, true) {
            match condition(statement.value, known) {
                Condition::Holds => allowed = true,
                Condition::Fails => {}
                Condition::Unknown(keys) => conditional.push(format!(
                    "{} (Allow) on {}",
                    statement.where_,
                    keys.join(", ")
                )),
            }
        }
    }
    let conditions = || {
        Verdict::NotChecked(format!(
            "a condition the tool cannot evaluate: {}",
            conditional.join("; ")
        ))
    };
    match (allowed, conditional.is_empty()) {
        (_, false) if !allowed || conditional.iter().any(|c| c.contains("(Deny)")) => conditions(),
        (true, _) => Verdict::Allowed,
        (false, _) => Verdict::Refused(none.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PREFIX: &str = "arn:aws:events:us-east-1:123456789012:api-destination/orders/";

    fn docs(statements: Value) -> Vec<(String, Value)> {
        vec![(
            "inline invoke".to_string(),
            json!({"Version": "2012-10-17", "Statement": statements}),
        )]
    }

    fn allow(resource: Value) -> Value {
        json!({"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": resource})
    }

    #[test]
    fn an_allow_on_every_id_of_the_destination_allows() {
        // What `iam-policy --for rule` writes: `api-destination/NAME/*`.
        let written = docs(json!([allow(json!(format!("{PREFIX}*")))]));
        assert_eq!(may_invoke(&written, PREFIX), Verdict::Allowed);
        assert_eq!(
            may_invoke(&docs(json!(allow(json!("*")))), PREFIX),
            Verdict::Allowed
        );
    }

    #[test]
    fn an_allow_on_another_destination_or_one_id_is_an_implicit_deny() {
        let other = docs(json!([allow(json!(
            "arn:aws:events:us-east-1:123456789012:api-destination/refunds/*"
        ))]));
        assert_eq!(
            may_invoke(&other, PREFIX),
            Verdict::Refused(format!(
                "no statement allows events:InvokeApiDestination on {PREFIX}*"
            ))
        );
        // One ID does not cover the one EventBridge chose, which verify does not read.
        let one = docs(json!([allow(json!(format!("{PREFIX}0b6c7d8e")))]));
        assert!(matches!(may_invoke(&one, PREFIX), Verdict::Refused(_)));
    }

    #[test]
    fn an_explicit_deny_wins_over_an_allow() {
        // "Policy evaluation logic": an explicit deny in any policy overrides any allow.
        let denied = docs(json!([
            allow(json!("*")),
            {"Sid": "NoOrders", "Effect": "Deny", "Action": "events:*", "Resource": format!("{PREFIX}*")}
        ]));
        assert_eq!(
            may_invoke(&denied, PREFIX),
            Verdict::Refused("denied by statement `NoOrders` of inline invoke".into())
        );
    }

    #[test]
    fn actions_match_without_case_and_with_wildcards_resources_with_case() {
        let lower =
            docs(json!([{"Effect": "Allow", "Action": ["events:invoke*"], "Resource": "*"}]));
        assert_eq!(may_invoke(&lower, PREFIX), Verdict::Allowed);
        let question = docs(
            json!([{"Effect": "Allow", "Action": "events:InvokeApiDestinatio?", "Resource": "*"}]),
        );
        assert_eq!(may_invoke(&question, PREFIX), Verdict::Allowed);
        let upper = docs(json!([allow(json!(format!(
            "{}*",
            PREFIX.replace("orders", "ORDERS")
        )))]));
        assert!(matches!(may_invoke(&upper, PREFIX), Verdict::Refused(_)));
    }

    #[test]
    fn not_action_and_not_resource_apply_to_what_they_do_not_name() {
        let not_action = docs(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]));
        assert_eq!(may_invoke(&not_action, PREFIX), Verdict::Allowed);
        let not_resource = docs(
            json!([{"Effect": "Allow", "Action": "events:*", "NotResource": "arn:aws:events:*:*:connection/*"}]),
        );
        assert_eq!(may_invoke(&not_resource, PREFIX), Verdict::Allowed);
        let excluded = docs(
            json!([{"Effect": "Allow", "Action": "events:*", "NotResource": format!("{PREFIX}*")}]),
        );
        assert!(matches!(may_invoke(&excluded, PREFIX), Verdict::Refused(_)));
    }

    #[test]
    fn a_matching_statement_with_a_condition_is_not_checked_and_names_its_keys() {
        let conditional = docs(json!([{
            "Effect": "Allow", "Action": INVOKE, "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}
        }]));
        assert_eq!(
            may_invoke(&conditional, PREFIX),
            Verdict::NotChecked("a condition the tool cannot evaluate: statement #1 of inline invoke (Allow) on aws:SourceAccount".into())
        );
    }

    const ACCOUNT: &str = "123456789012";
    const RULE: &str = "arn:aws:events:us-east-1:123456789012:rule/orders-to-salesforce";

    fn trust(principal: Value, condition: Value) -> (String, Value) {
        let mut statement =
            json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
        if !condition.is_null() {
            statement["Condition"] = condition;
        }
        (
            "trust policy".to_string(),
            json!({"Statement": [statement]}),
        )
    }

    #[test]
    fn the_trust_policy_must_let_eventbridge_assume_the_role() {
        let events = json!({"Service": "events.amazonaws.com"});
        assert_eq!(
            trusts_eventbridge(&trust(events, Value::Null), ACCOUNT, RULE),
            Verdict::Allowed
        );
        let both = json!({"Service": ["lambda.amazonaws.com", "events.amazonaws.com"]});
        assert_eq!(
            trusts_eventbridge(&trust(both, Value::Null), ACCOUNT, RULE),
            Verdict::Allowed
        );
        assert_eq!(
            trusts_eventbridge(
                &trust(json!({"Service": "lambda.amazonaws.com"}), Value::Null),
                ACCOUNT,
                RULE
            ),
            Verdict::Refused("no statement lets events.amazonaws.com call sts:AssumeRole".into())
        );
    }

    #[test]
    fn the_trust_policys_source_conditions_are_judged_against_the_rule() {
        // What `iam-policy --for rule` writes: the account, and the rule's ARN (ArnEquals).
        let events = || json!({"Service": "events.amazonaws.com"});
        let written = json!({
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnEquals": {"aws:SourceArn": [RULE]}
        });
        assert_eq!(
            trusts_eventbridge(&trust(events(), written), ACCOUNT, RULE),
            Verdict::Allowed
        );
        // ArnLike matches each part of the ARN with wildcards; keys have no case.
        let like =
            json!({"ArnLike": {"AWS:SourceArn": "arn:aws:events:*:123456789012:rule/orders-*"}});
        assert_eq!(
            trusts_eventbridge(&trust(events(), like), ACCOUNT, RULE),
            Verdict::Allowed
        );
        let other_rule = json!({"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/refunds"}});
        assert!(matches!(
            trusts_eventbridge(&trust(events(), other_rule), ACCOUNT, RULE),
            Verdict::Refused(_)
        ));
        let unknown = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
        assert_eq!(
            trusts_eventbridge(&trust(events(), unknown), ACCOUNT, RULE),
            Verdict::NotChecked("a condition the tool cannot evaluate: statement #1 of trust policy (Allow) on aws:PrincipalOrgID".into())
        );
    }

    #[test]
    fn a_document_that_is_not_json_is_named() {
        assert_eq!(
            parse(&[("managed arn:aws:iam::aws:policy/x".into(), "{".into())]),
            Err(Verdict::NotChecked(
                "the managed arn:aws:iam::aws:policy/x is not a JSON policy document".into()
            ))
        );
    }
}
