//! Writes existing connections back as YAML documents (`provision export`), so teams arriving
//! with connections made by hand or by another tool start from files that `validate` accepts.
//!
//! Secrets cannot be exported (AWS never returns them): each becomes an `env:` reference named
//! after the connection and field, with a comment saying to fill it in (or to point it at
//! another source of [`crate::sources`]). The token URL becomes `myDomain` and `sandbox` where it is a My Domain
//! URL. Pure: the caller reads AWS and writes the files.
//!
//! The API destinations on each connection are written under `destinations:` in the shape a
//! hand-written file uses (`event`, `sobject` or `path`, `apiVersion`, `rateLimitPerSecond`
//! when not AWS's default), so that adopting them needs no hand work; one that does not fit
//! that shape (another host, another method, a path no destination can declare) or that could
//! not be read is named in a comment saying why, never dropped without a word. The rules
//! targeting each destination are written under its `rules:` ([`rule_entry`]), or named in a
//! comment saying why not, the same way.
//!
//! Variable names are unique over a whole export: two names that read alike once upper-cased
//! and stripped of punctuation (`a-b` and `a_b`, headers `X-Token` and `X_Token`) get `_2`,
//! `_3`, ... rather than one variable silently feeding both.

use super::OWNERSHIP_MARKER;
use super::destination_rules::{
    DEFAULT_RATE_LIMIT, HTTP_METHOD, RATE_LIMIT_MAX, RATE_LIMIT_MIN, check_api_version,
    check_event, check_path, check_sobject,
};
use super::limits::check_name;
use super::token_url::{TOKEN_PATH, from_my_domain};
use crate::live::rule::{LiveRule, TargetInput};
use crate::live::{LiveConnection, LiveDestination, LiveParameter};
use crate::parameters::{Block, ListKind};
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One exported file: its YAML text, and the environment variables its references name.
pub(crate) struct Exported {
    pub(crate) yaml: String,
    pub(crate) variables: Vec<String>,
}

/// What export found of the API destinations on one connection.
pub(crate) enum Destinations {
    /// Listed (by the connection's ARN) and each described, or not, saying why.
    Listed(Vec<Result<LiveDestination, LeftOut>>),
    /// They could not be listed: why.
    Unlisted(String),
}

/// What export found of the rules targeting each API destination, by destination name: the
/// rules read (or why one could not be), or why they could not be listed. A destination with
/// no entry had none looked up.
pub(crate) type RulesFound = BTreeMap<String, Result<Vec<Result<LiveRule, LeftOut>>, String>>;

/// An API destination on the connection that is not written under `destinations:`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) name: String,
    pub(crate) why: String,
}

/// The YAML document for `live` and its API `destinations`, declared for `region`; its
/// variables are none of `taken`, which receives them. From `region` of the project file's `target` when there is one, the document is placed
/// there (`targets: [target]`, `regions:` narrowing the target's to `region`).
pub(crate) fn export(
    live: &LiveConnection,
    destinations: &Destinations,
    rules: &RulesFound,
    region: &str,
    target: Option<&str>,
    taken: &mut BTreeSet<String>,
) -> Exported {
    let mut variables = Vec::new();
    let mut reference = |field: &str| {
        let variable = unique(env_name(&live.name, field), taken);
        variables.push(variable.clone());
        let mut map = Mapping::new();
        map.insert("env".into(), Value::String(variable));
        Value::Mapping(map)
    };
    let mut document = Mapping::new();
    document.insert("name".into(), live.name.clone().into());
    if let Some(description) = live.description.as_deref().map(strip_marker)
        && !description.is_empty()
    {
        document.insert("description".into(), description.into());
    }
    document.insert(
        "salesforce".into(),
        salesforce(live.authorization_endpoint.as_deref().unwrap_or_default()),
    );
    document.insert(
        "clientId".into(),
        live.client_id.clone().unwrap_or_default().into(),
    );
    document.insert("clientSecret".into(), reference("client secret"));
    for (block, lists) in [
        (Block::OAuth, &live.oauth),
        (Block::Invocation, &live.invocation),
    ] {
        let mut block_map = Mapping::new();
        for (list, parameters) in lists.lists() {
            let mut list_map = Mapping::new();
            for LiveParameter {
                key,
                value,
                is_secret,
            } in parameters
            {
                if block == Block::OAuth && list == ListKind::Body && key == "grant_type" {
                    continue;
                }
                let value = if *is_secret {
                    reference(&block.field(list, key))
                } else {
                    Value::String(value.clone().unwrap_or_default())
                };
                list_map.insert(key.clone().into(), value);
            }
            if !list_map.is_empty() {
                block_map.insert(list.yaml_name().into(), Value::Mapping(list_map));
            }
        }
        if !block_map.is_empty() {
            document.insert(block.yaml_name().into(), Value::Mapping(block_map));
        }
    }
    if let Some(key) = &live.kms_key {
        document.insert("kmsKey".into(), key.clone().into());
    }
    if let Some(arn) = &live.resource_configuration_arn {
        let mut private = Mapping::new();
        private.insert("resourceConfigurationArn".into(), arn.clone().into());
        if live.token_resource_configuration_arn.is_none() {
            private.insert("tokenEndpoint".into(), "public".into());
        }
        document.insert("privateLink".into(), Value::Mapping(private));
    }
    document.insert(
        "regions".into(),
        Value::Sequence(vec![region.to_string().into()]),
    );
    if let Some(target) = target {
        document.insert(
            "targets".into(),
            Value::Sequence(vec![target.to_string().into()]),
        );
    }
    let (declared, left_out) = destination_entries(live, destinations, rules);
    if !declared.is_empty() {
        document.insert("destinations".into(), Value::Sequence(declared));
    }
    let body = serde_yaml::to_string(&Value::Mapping(document)).unwrap_or_default();
    let body = format!("{body}{left_out}");
    let header = format!(
        "# Exported by `provision export` from {from}. AWS never returns secrets: set the\n\
         # environment variables below before `provision diff` or `apply`, or replace each\n\
         # `env:` reference with another source ({}; see the guide, docs/guide.md).\n\
         # Then `provision apply --adopt` takes the connection over.\n\
         #   {}\n",
        crate::sources::others_than("env"),
        variables.join("\n#   "),
        from = match target {
            Some(target) => format!("{region} of target `{target}`"),
            None => region.to_string(),
        },
    );
    Exported {
        yaml: format!("{header}{body}"),
        variables,
    }
}

/// The `destinations:` entries of the connection, and the comment naming those left out.
fn destination_entries(
    live: &LiveConnection,
    destinations: &Destinations,
    rules: &RulesFound,
) -> (Vec<Value>, String) {
    let found = match destinations {
        Destinations::Unlisted(why) => {
            return (
                Vec::new(),
                format!(
                    "# The API destinations on this connection could not be listed ({}): declare\n# them under `destinations:` by hand.\n",
                    comment_text(why)
                ),
            );
        }
        Destinations::Listed(found) => found,
    };
    let mut declared = Vec::new();
    let mut left_out = Vec::new();
    let mut rules_left_out = String::new();
    for destination in found {
        match destination
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|destination| {
                destination_entry(live, destination).map(|entry| (destination, entry))
            }) {
            Ok((destination, mut entry)) => {
                let (entries, comment) = rule_entries(destination, rules.get(&destination.name));
                if !entries.is_empty() {
                    entry.insert("rules".into(), Value::Sequence(entries));
                }
                rules_left_out.push_str(&comment);
                declared.push(Value::Mapping(entry));
            }
            Err(left) => left_out.push(left),
        }
    }
    let comment = left_out_comment(
        "# API destinations on this connection left out of `destinations:` (declare them by\n# hand if they are this folder's):\n",
        &left_out,
    );
    (declared, format!("{comment}{rules_left_out}"))
}

/// The comment naming what was left out, each with why, under `heading`; empty when nothing was.
fn left_out_comment(heading: &str, left_out: &[LeftOut]) -> String {
    if left_out.is_empty() {
        return String::new();
    }
    let lines: String = left_out
        .iter()
        .map(|LeftOut { name, why }| format!("#   {}: {}\n", comment_text(name), comment_text(why)))
        .collect();
    format!("{heading}{lines}")
}

/// The `rules:` entries of `destination` from the rules found targeting it, and the comment
/// naming those left out and why.
fn rule_entries(
    destination: &LiveDestination,
    found: Option<&Result<Vec<Result<LiveRule, LeftOut>>, String>>,
) -> (Vec<Value>, String) {
    let name = comment_text(&destination.name);
    let rules = match found {
        None => return (Vec::new(), String::new()),
        Some(Err(why)) => {
            return (
                Vec::new(),
                format!(
                    "# The rules targeting {name} could not be listed ({}): declare them under its\n# `rules:` by hand.\n",
                    comment_text(why)
                ),
            );
        }
        Some(Ok(rules)) => rules,
    };
    let arn = destination.arn.as_deref().unwrap_or_default();
    let mut entries = Vec::new();
    let mut left_out = Vec::new();
    for rule in rules {
        let entry = rule.as_ref().map_err(Clone::clone).and_then(|rule| {
            rule_entry(rule, arn).map_err(|why| LeftOut {
                name: rule.name.clone(),
                why,
            })
        });
        match entry {
            Ok(entry) => entries.push(Value::Mapping(entry)),
            Err(left) => left_out.push(left),
        }
    }
    let heading = format!(
        "# Rules targeting {name} left out of its `rules:` (declare them by hand if they are\n# this folder's):\n"
    );
    (entries, left_out_comment(&heading, &left_out))
}

/// One destination as a `destinations:` entry, in the shape `provision` turns back into the
/// same endpoint, method and rate limit; or why it does not fit one.
fn destination_entry(
    connection: &LiveConnection,
    live: &LiveDestination,
) -> Result<Mapping, LeftOut> {
    let left_out = |why: String| LeftOut {
        name: live.name.clone(),
        why,
    };
    if let Err(violation) = check_name(&live.name) {
        return Err(left_out(format!(
            "its name cannot be declared: {}",
            violation.message
        )));
    }
    if live.connection_arn.is_some() && live.connection_arn != connection.arn {
        return Err(left_out(
            "described, it uses another connection than the one it was listed for".to_string(),
        ));
    }
    let method = live.http_method.as_deref().unwrap_or_default();
    if method != HTTP_METHOD {
        return Err(left_out(format!(
            "it uses HTTP {method}; the API destinations provision declares use {HTTP_METHOD}"
        )));
    }
    let token_url = connection
        .authorization_endpoint
        .as_deref()
        .unwrap_or_default();
    // The origin a declared destination's endpoint starts with (DestinationSpec::endpoint).
    let origin = token_url.strip_suffix(TOKEN_PATH).unwrap_or(token_url);
    let endpoint = live.endpoint.as_deref().unwrap_or_default();
    let Some(path) = endpoint
        .strip_prefix(origin)
        .filter(|path| path.starts_with('/') && !origin.is_empty())
    else {
        return Err(left_out(format!(
            "it posts to {endpoint}, not to its connection's host ({origin})"
        )));
    };
    let mut entry = Mapping::new();
    entry.insert("name".into(), live.name.clone().into());
    if let Some(description) = live.description.as_deref().map(strip_marker)
        && !description.is_empty()
    {
        entry.insert("description".into(), description.into());
    }
    match target(path) {
        Ok((key, name, version)) => {
            entry.insert(key.into(), name.into());
            if let Some(version) = version {
                entry.insert("apiVersion".into(), version.into());
            }
        }
        Err(why) => return Err(left_out(why)),
    }
    match live.rate_limit_per_second {
        None | Some(DEFAULT_RATE_LIMIT) => {}
        Some(rate) if (RATE_LIMIT_MIN..=RATE_LIMIT_MAX).contains(&rate) => {
            entry.insert("rateLimitPerSecond".into(), rate.into());
        }
        Some(rate) => {
            return Err(left_out(format!(
                "its rate limit, {rate} a second, is outside {RATE_LIMIT_MIN}-{RATE_LIMIT_MAX}"
            )));
        }
    }
    Ok(entry)
}

/// The target key (`event`, `sobject`), its name and the API version of an sObject path;
/// `path` with no version for any other path a destination can declare.
fn target(path: &str) -> Result<(&'static str, String, Option<String>), String> {
    let sobject = path
        .strip_prefix("/services/data/")
        .and_then(|rest| rest.split_once("/sobjects/"))
        .filter(|(version, name)| check_api_version(version).is_ok() && !name.contains('/'));
    if let Some((version, name)) = sobject {
        if check_event(name).is_ok() {
            return Ok(("event", name.to_string(), Some(version.to_string())));
        }
        if check_sobject(name).is_ok() {
            return Ok(("sobject", name.to_string(), Some(version.to_string())));
        }
    }
    match check_path(path) {
        Ok(()) => Ok(("path", path.to_string(), None)),
        Err(violation) => Err(format!(
            "its path cannot be declared: {}",
            violation.message
        )),
    }
}

/// Text from AWS as it may stand in a YAML comment: one line, control and invisible
/// formatting characters escaped (`\n`, `\u{202e}`), cut at 300 characters.
fn comment_text(text: &str) -> String {
    text.chars()
        .take(300)
        .map(|c| {
            let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
            if c.is_control() || invisible {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `myDomain`/`sandbox` for a My Domain token URL; `tokenUrl` (with `allowAnyHost` off a My
/// Domain host) otherwise.
fn salesforce(url: &str) -> Value {
    let mut map = Mapping::new();
    let host = url
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix(TOKEN_PATH));
    if let Some(host) = host {
        if let Some(name) = host.strip_suffix(".sandbox.my.salesforce.com")
            && let Some((my_domain, sandbox)) = name.split_once("--")
            && from_my_domain(my_domain, Some(sandbox)) == url
        {
            map.insert("myDomain".into(), my_domain.into());
            map.insert("sandbox".into(), sandbox.into());
            return Value::Mapping(map);
        }
        if let Some(my_domain) = host.strip_suffix(".my.salesforce.com")
            && !my_domain.contains('.')
            && from_my_domain(my_domain, None) == url
        {
            map.insert("myDomain".into(), my_domain.into());
            return Value::Mapping(map);
        }
    }
    map.insert("tokenUrl".into(), url.into());
    let my_domain_host = host.is_some_and(|h| h.ends_with(".my.salesforce.com"));
    if !my_domain_host {
        map.insert("allowAnyHost".into(), true.into());
    }
    Value::Mapping(map)
}

/// The user's part of a description: the ownership marker of any set removed.
fn strip_marker(description: &str) -> String {
    let trimmed = description.trim_end();
    let cut = if trimmed.ends_with(OWNERSHIP_MARKER) {
        trimmed.len() - OWNERSHIP_MARKER.len()
    } else if trimmed.ends_with(']')
        && let Some(open) = trimmed.rfind("[managed by provision set=")
    {
        open
    } else {
        trimmed.len()
    };
    trimmed[..cut].trim_end().to_string()
}

/// `name`, or `name_2`, `name_3`, ... : the first that is not `taken` (and is then taken).
fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let chosen = if taken.contains(&name) {
        (2..)
            .map(|n| format!("{name}_{n}"))
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or_default()
    } else {
        name
    };
    taken.insert(chosen.clone());
    chosen
}

/// `SF_ACME_PROD_CLIENT_SECRET` for connection `sf-acme-prod`, field `client secret`.
fn env_name(connection: &str, field: &str) -> String {
    let mut name: String = format!("{connection}_{field}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("SF_{name}")
    } else {
        name
    }
}

/// A live rule as the `rules:` entry of the API destination whose ARN is `destination_arn`, in
/// the shape `provision` turns back into the same rule and target (`bus` when not `default`,
/// the pattern, `body` recovered from the input transformer, `retry` when not AWS's default,
/// `deadLetterQueue`, `role`); or why it cannot be written so, for the comment that names it.
pub(crate) fn rule_entry(live: &LiveRule, destination_arn: &str) -> Result<Mapping, String> {
    use crate::route::{InputTransformer, RetryPolicy};
    if let Some(service) = &live.managed_by {
        return Err(format!("the AWS service {service} manages it"));
    }
    if live.schedule.is_some() {
        return Err("it runs on a schedule, which `rules:` does not declare".to_string());
    }
    if live.state != crate::live::rule::ENABLED {
        return Err(format!(
            "it is {}, and provision's rules are enabled",
            live.state
        ));
    }
    let Some(target) = live.targets.iter().find(|t| t.arn == destination_arn) else {
        return Err("none of its targets is this API destination".to_string());
    };
    let pattern: serde_json::Value = live
        .pattern
        .as_ref()
        .and_then(|pattern| serde_json::from_str(pattern.as_str()).ok())
        .ok_or("it has no event pattern that is JSON")?;
    let body = match &target.input {
        TargetInput::Transformer { paths, template } => InputTransformer {
            input_paths_map: paths
                .iter()
                .map(|(variable, path)| (variable.as_str().to_string(), path.as_str().to_string()))
                .collect(),
            input_template: template.as_str().to_string(),
        }
        .body()
        .ok_or("its input transformer is not one a `body:` makes (written by hand or by another tool): declare the body by hand")?,
        TargetInput::Event => {
            return Err("it sends the whole event, not a `body:` of Platform Event fields".to_string());
        }
        TargetInput::Other => {
            return Err("it sends a constant input or an input path, not a `body:`".to_string());
        }
    };
    let role = target
        .role_arn
        .as_deref()
        .ok_or("its target has no role, which `rules:` requires")?;
    let mut entry = Mapping::new();
    entry.insert("name".into(), live.name.clone().into());
    if live.bus != "default" {
        entry.insert("bus".into(), live.bus.clone().into());
    }
    entry.insert(
        "pattern".into(),
        serde_yaml::to_value(&pattern).map_err(|error| error.to_string())?,
    );
    entry.insert(
        "body".into(),
        Value::Mapping(
            body.into_iter()
                .map(|(field, path)| (field.into(), path.into()))
                .collect(),
        ),
    );
    if target.retry != RetryPolicy::AWS_DEFAULT {
        let mut retry = Mapping::new();
        retry.insert(
            "attempts".into(),
            u64::from(target.retry.maximum_retry_attempts).into(),
        );
        retry.insert(
            "maxEventAge".into(),
            super::rule_checks::event_age_text(target.retry.maximum_event_age_seconds).into(),
        );
        entry.insert("retry".into(), Value::Mapping(retry));
    }
    if let Some(queue) = &target.dead_letter_queue {
        entry.insert("deadLetterQueue".into(), queue.clone().into());
    }
    entry.insert("role".into(), role.into());
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::ConnectionState;

    const NONE: Destinations = Destinations::Listed(Vec::new());
    const NO_RULES: RulesFound = BTreeMap::new();

    fn live() -> LiveConnection {
        LiveConnection {
            name: "sf-acme-uat".into(),
            state: ConnectionState::Authorized,
            description: Some("Acme UAT [managed by provision]".into()),
            authorization_endpoint: Some(
                "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token".into(),
            ),
            client_id: Some("3MVG9uat".into()),
            oauth: crate::live::LiveParameters {
                body: vec![
                    LiveParameter {
                        key: "grant_type".into(),
                        value: Some("client_credentials".into()),
                        is_secret: false,
                    },
                    LiveParameter {
                        key: "scope".into(),
                        value: Some("api".into()),
                        is_secret: false,
                    },
                ],
                ..Default::default()
            },
            invocation: crate::live::LiveParameters {
                headers: vec![LiveParameter {
                    key: "X-Token".into(),
                    value: None,
                    is_secret: true,
                }],
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn an_exported_connection_reads_like_a_hand_written_file() {
        let exported = export(
            &live(),
            &NONE,
            &NO_RULES,
            "eu-west-1",
            None,
            &mut BTreeSet::new(),
        );
        assert_eq!(
            exported.yaml,
            "# Exported by `provision export` from eu-west-1. AWS never returns secrets: set the
# environment variables below before `provision diff` or `apply`, or replace each
# `env:` reference with another source (`file`, `secretsManager` or `ssm`; see the guide, docs/guide.md).
# Then `provision apply --adopt` takes the connection over.
#   SF_ACME_UAT_CLIENT_SECRET
#   SF_ACME_UAT_INVOCATION_HEADERS_X_TOKEN
name: sf-acme-uat
description: Acme UAT
salesforce:
  myDomain: acme
  sandbox: uat
clientId: 3MVG9uat
clientSecret:
  env: SF_ACME_UAT_CLIENT_SECRET
oauth:
  body:
    scope: api
invocation:
  headers:
    X-Token:
      env: SF_ACME_UAT_INVOCATION_HEADERS_X_TOKEN
regions:
- eu-west-1
"
        );
    }

    #[test]
    fn other_token_urls_stay_whole() {
        let mut other = live();
        other.authorization_endpoint =
            Some("https://acme.develop.my.salesforce.com/services/oauth2/token".into());
        let yaml = export(
            &other,
            &NONE,
            &NO_RULES,
            "us-east-1",
            None,
            &mut BTreeSet::new(),
        )
        .yaml;
        assert!(
            yaml.contains(
                "  tokenUrl: https://acme.develop.my.salesforce.com/services/oauth2/token\n"
            ),
            "{yaml}"
        );
        assert!(!yaml.contains("allowAnyHost"), "{yaml}");
        other.authorization_endpoint = Some("https://proxy.example.com/oauth/token".into());
        let yaml = export(
            &other,
            &NONE,
            &NO_RULES,
            "us-east-1",
            None,
            &mut BTreeSet::new(),
        )
        .yaml;
        assert!(yaml.contains("  allowAnyHost: true\n"), "{yaml}");
    }

    #[test]
    fn names_that_read_alike_get_variables_of_their_own() {
        let mut taken = BTreeSet::new();
        let mut first = live();
        first.name = "sf-acme".into();
        first.invocation.headers.push(LiveParameter {
            key: "X_Token".into(),
            value: None,
            is_secret: true,
        });
        let mut second = live();
        second.name = "sf_acme".into();
        let first = export(&first, &NONE, &NO_RULES, "us-east-1", None, &mut taken);
        let second = export(&second, &NONE, &NO_RULES, "us-east-1", None, &mut taken);
        assert_eq!(
            first.variables,
            [
                "SF_ACME_CLIENT_SECRET",
                "SF_ACME_INVOCATION_HEADERS_X_TOKEN",
                "SF_ACME_INVOCATION_HEADERS_X_TOKEN_2"
            ]
        );
        assert_eq!(
            second.variables,
            [
                "SF_ACME_CLIENT_SECRET_2",
                "SF_ACME_INVOCATION_HEADERS_X_TOKEN_3"
            ]
        );
        assert!(
            second
                .yaml
                .contains("clientSecret:\n  env: SF_ACME_CLIENT_SECRET_2\n"),
            "{}",
            second.yaml
        );
    }

    fn destination(name: &str, endpoint: &str) -> LiveDestination {
        LiveDestination {
            name: name.into(),
            arn: Some(format!(
                "arn:aws:events:eu-west-1:123456789012:api-destination/{name}/1"
            )),
            description: None,
            connection_arn: None,
            endpoint: Some(endpoint.into()),
            http_method: Some("POST".into()),
            rate_limit_per_second: Some(300),
            state: Some("ACTIVE".into()),
        }
    }

    #[test]
    fn destinations_are_written_in_the_shape_of_a_hand_written_file() {
        let host = "https://acme--uat.sandbox.my.salesforce.com";
        let mut orders = destination(
            "acme-orders",
            &format!("{host}/services/data/v61.0/sobjects/Order_Placed__e"),
        );
        orders.description = Some("Orders [managed by provision set=team-b]".into());
        let mut cases = destination(
            "acme-cases",
            &format!("{host}/services/data/v62.0/sobjects/Case"),
        );
        cases.rate_limit_per_second = Some(20);
        let mut apex = destination("acme-apex", &format!("{host}/services/apexrest/orders"));
        apex.rate_limit_per_second = None;
        let found = Destinations::Listed(vec![Ok(orders), Ok(cases), Ok(apex)]);
        let yaml = export(
            &live(),
            &found,
            &NO_RULES,
            "eu-west-1",
            None,
            &mut BTreeSet::new(),
        )
        .yaml;
        assert!(
            yaml.ends_with(
                "regions:
- eu-west-1
destinations:
- name: acme-orders
  description: Orders
  event: Order_Placed__e
  apiVersion: v61.0
- name: acme-cases
  sobject: Case
  apiVersion: v62.0
  rateLimitPerSecond: 20
- name: acme-apex
  path: /services/apexrest/orders
"
            ),
            "{yaml}"
        );
        // What was written reads back as the same endpoints and rate limits.
        let spec = crate::manifest::convert::convert_text(&yaml).unwrap();
        let endpoints: Vec<(String, u32)> = spec
            .destinations
            .iter()
            .map(|d| (d.endpoint(&spec.token_url), d.rate_limit_per_second))
            .collect();
        assert_eq!(
            endpoints,
            [
                (
                    format!("{host}/services/data/v61.0/sobjects/Order_Placed__e"),
                    300
                ),
                (format!("{host}/services/data/v62.0/sobjects/Case"), 20),
                (format!("{host}/services/apexrest/orders"), 300),
            ]
        );
    }

    #[test]
    fn a_destination_that_does_not_fit_is_named_in_a_comment_with_why() {
        let host = "https://acme--uat.sandbox.my.salesforce.com";
        let mut get = destination("acme-get", &format!("{host}/services/apexrest/x"));
        get.http_method = Some("GET".into());
        let found = Destinations::Listed(vec![
            Ok(destination(
                "acme-elsewhere",
                "https://hooks.example.com/services/x",
            )),
            Ok(get),
            Ok(destination("acme-odd", &format!("{host}/other/path"))),
            Ok(destination(
                "acme-same-host-prefix",
                "https://acme--uat.sandbox.my.salesforce.com.evil.example/services/x",
            )),
            Err(LeftOut {
                name: "acme-unread".into(),
                why: "cannot describe it: AccessDenied\n::error::x\u{202e}".into(),
            }),
        ]);
        let yaml = export(
            &live(),
            &found,
            &NO_RULES,
            "eu-west-1",
            None,
            &mut BTreeSet::new(),
        )
        .yaml;
        assert!(!yaml.contains("\ndestinations:"), "{yaml}");
        assert!(
            yaml.ends_with(
                "# API destinations on this connection left out of `destinations:` (declare them by
# hand if they are this folder's):
#   acme-elsewhere: it posts to https://hooks.example.com/services/x, not to its connection's host (https://acme--uat.sandbox.my.salesforce.com)
#   acme-get: it uses HTTP GET; the API destinations provision declares use POST
#   acme-odd: its path cannot be declared: `/other/path` is not a Salesforce REST path: it must start with `/services/`
#   acme-same-host-prefix: it posts to https://acme--uat.sandbox.my.salesforce.com.evil.example/services/x, not to its connection's host (https://acme--uat.sandbox.my.salesforce.com)
#   acme-unread: cannot describe it: AccessDenied\\n::error::x\\u{202e}
"
            ),
            "{yaml}"
        );
        // The comments leave a document that validate accepts.
        crate::manifest::convert::convert_text(&yaml).unwrap();
        let unlisted = Destinations::Unlisted("AccessDenied".into());
        let yaml = export(
            &live(),
            &unlisted,
            &NO_RULES,
            "eu-west-1",
            None,
            &mut BTreeSet::new(),
        )
        .yaml;
        assert!(
            yaml.ends_with("# The API destinations on this connection could not be listed (AccessDenied): declare\n# them under `destinations:` by hand.\n"),
            "{yaml}"
        );
    }

    #[test]
    fn markers_of_any_set_are_removed() {
        assert_eq!(strip_marker("Acme [managed by provision]"), "Acme");
        assert_eq!(
            strip_marker("Acme [managed by provision set=team-b]"),
            "Acme"
        );
        assert_eq!(strip_marker("made by hand"), "made by hand");
    }

    const DESTINATION_ARN: &str =
        "arn:aws:events:us-east-1:123456789012:api-destination/acme-order-events/0f1e2d3c";

    /// The issue's rule as AWS has it once provision wrote it: the input transformer the body
    /// makes, a retry policy, a dead-letter queue, the set's tag.
    fn rule_in_aws() -> LiveRule {
        let made = crate::route::transformer([
            ("Order_Id__c", "$.detail.id"),
            ("Amount__c", "$.detail.total"),
        ]);
        LiveRule {
            name: "orders-to-salesforce".into(),
            bus: "orders-bus".into(),
            arn: None,
            pattern: Some(r#"{"detail-type":["OrderPlaced"],"source":["com.acme.orders"]}"#.into()),
            state: "ENABLED".into(),
            description: Some("[managed by provision]".into()),
            schedule: None,
            managed_by: None,
            tags: [("provision:set".into(), "default".into())].into(),
            targets: vec![crate::live::rule::LiveTarget {
                id: "acme-order-events".into(),
                arn: DESTINATION_ARN.into(),
                role_arn: Some("arn:aws:iam::123456789012:role/invoke".into()),
                input: TargetInput::Transformer {
                    paths: made
                        .input_paths_map
                        .iter()
                        .map(|(variable, path)| (variable.into(), path.into()))
                        .collect(),
                    template: made.input_template.clone().into(),
                },
                retry: crate::route::RetryPolicy {
                    maximum_retry_attempts: 10,
                    maximum_event_age_seconds: 3600,
                },
                dead_letter_queue: Some("arn:aws:sqs:us-east-1:123456789012:orders-dlq".into()),
            }],
        }
    }

    #[test]
    fn an_exported_rule_reads_back_as_the_rule_aws_has() {
        let entry = rule_entry(&rule_in_aws(), DESTINATION_ARN).unwrap();
        let yaml = serde_yaml::to_string(&Value::Sequence(vec![Value::Mapping(entry)])).unwrap();
        assert_eq!(
            yaml,
            "- name: orders-to-salesforce\n  bus: orders-bus\n  pattern:\n    detail-type:\n    - OrderPlaced\n    source:\n    - com.acme.orders\n  body:\n    Order_Id__c: $.detail.id\n    Amount__c: $.detail.total\n  retry:\n    attempts: 10\n    maxEventAge: 1h\n  deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n  role: arn:aws:iam::123456789012:role/invoke\n"
        );
        // Declared under its destination, it is the rule AWS has: nothing to change.
        let document = format!(
            "name: sf-acme\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: {{ env: S }}\ndestinations:\n  - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n{}",
            yaml.lines()
                .map(|line| format!("      {line}\n"))
                .collect::<String>()
        );
        let specs = crate::tests::specs(&document);
        let place = crate::tests::place("us-east-1");
        let desired =
            crate::desired::rule::DesiredRule::all(&specs, &place, &Default::default()).remove(0);
        let arns = [("acme-order-events".to_string(), DESTINATION_ARN.to_string())].into();
        let plan =
            crate::plan::rule::plan_rule(desired, Some(rule_in_aws()), &arns, &Default::default());
        assert_eq!(plan.changes, [], "adopting the export needs no hand work");
    }

    #[test]
    fn a_rule_no_body_can_declare_is_left_out_saying_why() {
        let mut by_hand = rule_in_aws();
        by_hand.targets[0].input = TargetInput::Transformer {
            paths: [("id".into(), "$.detail.id".into())].into(),
            template: r#"{"Order_Id__c": "<id>"}"#.into(),
        };
        assert_eq!(
            rule_entry(&by_hand, DESTINATION_ARN).unwrap_err(),
            "its input transformer is not one a `body:` makes (written by hand or by another tool): declare the body by hand"
        );
        by_hand.targets[0].input = TargetInput::Event;
        assert_eq!(
            rule_entry(&by_hand, DESTINATION_ARN).unwrap_err(),
            "it sends the whole event, not a `body:` of Platform Event fields"
        );
        let mut disabled = rule_in_aws();
        disabled.state = "DISABLED".into();
        assert_eq!(
            rule_entry(&disabled, DESTINATION_ARN).unwrap_err(),
            "it is DISABLED, and provision's rules are enabled"
        );
        assert_eq!(
            rule_entry(
                &rule_in_aws(),
                "arn:aws:events:us-east-1:123456789012:api-destination/other/1"
            )
            .unwrap_err(),
            "none of its targets is this API destination"
        );
    }
}
