//! Writes existing connections back as YAML documents (`provision export`), so teams arriving
//! with connections made by hand or by another tool start from files that `validate` accepts.
//!
//! Secrets cannot be exported (AWS never returns them): each becomes an `env:` reference named
//! after the connection and field, with a comment saying to fill it in (or to point it at
//! another source of [`crate::sources`]). The token URL becomes `myDomain` and `sandbox` where it is a My Domain
//! URL. Pure: the caller reads AWS and writes the files.
//!
//! Variable names are unique over a whole export: two names that read alike once upper-cased
//! and stripped of punctuation (`a-b` and `a_b`, headers `X-Token` and `X_Token`) get `_2`,
//! `_3`, ... rather than one variable silently feeding both.

use super::OWNERSHIP_MARKER;
use super::token_url::{TOKEN_PATH, from_my_domain};
use crate::live::{LiveConnection, LiveParameter};
use crate::parameters::{Block, ListKind};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeSet;

/// One exported file: its YAML text, and the environment variables its references name.
pub(crate) struct Exported {
    pub(crate) yaml: String,
    pub(crate) variables: Vec<String>,
}

/// The YAML document for `live`, declared for `region`; its variables are none of `taken`,
/// which receives them.
pub(crate) fn export(
    live: &LiveConnection,
    region: &str,
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
    let body = serde_yaml::to_string(&Value::Mapping(document)).unwrap_or_default();
    let header = format!(
        "# Exported by `provision export` from {region}. AWS never returns secrets: set the\n\
         # environment variables below before `provision diff` or `apply`, or replace each\n\
         # `env:` reference with another source ({}; see the README).\n\
         # Then `provision apply --adopt` takes the connection over.\n\
         #   {}\n",
        crate::sources::others_than("env"),
        variables.join("\n#   ")
    );
    Exported {
        yaml: format!("{header}{body}"),
        variables,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::ConnectionState;

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
        let exported = export(&live(), "eu-west-1", &mut BTreeSet::new());
        assert_eq!(
            exported.yaml,
            "# Exported by `provision export` from eu-west-1. AWS never returns secrets: set the
# environment variables below before `provision diff` or `apply`, or replace each
# `env:` reference with another source (`file`, `secretsManager` or `ssm`; see the README).
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
        let yaml = export(&other, "us-east-1", &mut BTreeSet::new()).yaml;
        assert!(
            yaml.contains(
                "  tokenUrl: https://acme.develop.my.salesforce.com/services/oauth2/token\n"
            ),
            "{yaml}"
        );
        assert!(!yaml.contains("allowAnyHost"), "{yaml}");
        other.authorization_endpoint = Some("https://proxy.example.com/oauth/token".into());
        let yaml = export(&other, "us-east-1", &mut BTreeSet::new()).yaml;
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
        let first = export(&first, "us-east-1", &mut taken);
        let second = export(&second, "us-east-1", &mut taken);
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

    #[test]
    fn markers_of_any_set_are_removed() {
        assert_eq!(strip_marker("Acme [managed by provision]"), "Acme");
        assert_eq!(
            strip_marker("Acme [managed by provision set=team-b]"),
            "Acme"
        );
        assert_eq!(strip_marker("made by hand"), "made by hand");
    }
}
