//! The least-privilege IAM policy a run needs for exactly the declared connections (pure).
//!
//! Each statement names the resources of the connections the run covers, per Region:
//! - `events:ListConnections` has no resource-level permissions, so it is the one statement
//!   on `*`;
//! - the connections: `events:DescribeConnection` (`diff`), plus `events:CreateConnection` and
//!   `events:UpdateConnection` (`apply`), on `connection/<name>` (the resource format IAM
//!   authorizes these actions on) and `connection/<name>/*` (a connection's ARN ends in
//!   `/<name>/<uuid>`);
//! - what reading the secrets the YAML references needs, as each source of
//!   [`crate::sources`] says (a Secrets Manager name gets the `-??????` that Secrets Manager
//!   appends to every secret's ARN; an ARN stays as written);
//! - the connections' managed secrets, `events!connection/<name>/*`: read to check secret
//!   drift, and for `apply` what EventBridge does with them on the caller's behalf when it
//!   creates or updates a connection (create, describe, update, put a value);
//! - for `apply`, creating EventBridge's API destinations service-linked role, which the first
//!   connection in an account needs;
//! - the customer managed keys of `kmsKey`: `kms:Decrypt` to read a managed secret they
//!   encrypt, and for `apply` also `kms:DescribeKey` and `kms:GenerateDataKey`. A key id or ARN
//!   is named by its ARN; an alias through `key/*` with a `kms:ResourceAliases` condition.
//!
//! No action is a wildcard. Statements, actions and resources come in a stable order.

use crate::sources::{SOURCES, Scope};
use crate::spec::{ConnectionSpec, SecretRef, ValueSource};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the policy is for: the calls of `diff`, or of `apply`, or the role an EventBridge rule
/// assumes to invoke the declared API destinations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Diff,
    Apply,
    Rule,
}

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Policy {
    pub(crate) version: &'static str,
    pub(crate) statement: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Statement {
    pub(crate) sid: String,
    pub(crate) effect: &'static str,
    #[serde(serialize_with = "one_or_many")]
    pub(crate) action: Vec<&'static str>,
    #[serde(serialize_with = "one_or_many")]
    pub(crate) resource: Vec<String>,
    /// Operator -> condition key -> values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) condition: BTreeMap<&'static str, BTreeMap<&'static str, Values>>,
}

/// The values of one condition key (one is written as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Values(Vec<String>);

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        one_or_many(&self.0, serializer)
    }
}

/// A list of one is written as its only element, as IAM documents usually are.
fn one_or_many<S: serde::Serializer, T: Serialize>(
    values: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match values {
        [one] => one.serialize(serializer),
        many => many.serialize(serializer),
    }
}

impl Statement {
    fn allow(
        sid: impl Into<String>,
        mut action: Vec<&'static str>,
        resource: impl IntoIterator<Item = String>,
    ) -> Self {
        action.sort_unstable();
        action.dedup();
        Statement {
            sid: sid.into(),
            effect: "Allow",
            action,
            resource: resource
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            condition: BTreeMap::new(),
        }
    }
}

/// The partition of a Region (`aws`, `aws-cn`, `aws-us-gov`), the second field of its ARNs.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Every secret reference of a connection: client id and secret, OAuth and invocation
/// parameters.
pub(crate) fn references(spec: &ConnectionSpec) -> Vec<&SecretRef> {
    fn from_value(value: &ValueSource) -> Option<&SecretRef> {
        match value {
            ValueSource::Reference(reference) => Some(reference),
            ValueSource::Literal(_) => None,
        }
    }
    let ConnectionSpec {
        client_id,
        client_secret,
        oauth,
        invocation,
        ..
    } = spec;
    std::iter::once(client_secret)
        .chain(from_value(client_id))
        .chain(
            [oauth, invocation]
                .into_iter()
                .flat_map(|lists| [&lists.body, &lists.headers, &lists.query])
                .flatten()
                .filter_map(|parameter| from_value(&parameter.value)),
        )
        .collect()
}

/// A `kmsKey` as IAM names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// The key's ARN.
    Arn(String),
    /// An alias: any key (`key/*`) in that Region and account, by the alias's name.
    Alias { keys: String, alias: String },
}

fn kms_key(identifier: &str, region: &str, account: &str) -> Key {
    let keys = |region: &str, account: &str| {
        format!("arn:{}:kms:{region}:{account}:key/*", partition(region))
    };
    if let Some(rest) = identifier.strip_prefix("arn:") {
        // arn:<partition>:kms:<region>:<account>:<alias/name | key/id>
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        if let [_, _, arn_region, arn_account, resource] = parts[..]
            && resource.starts_with("alias/")
        {
            return Key::Alias {
                keys: keys(arn_region, arn_account),
                alias: resource.to_string(),
            };
        }
        return Key::Arn(identifier.to_string());
    }
    if identifier.starts_with("alias/") {
        return Key::Alias {
            keys: keys(region, account),
            alias: identifier.to_string(),
        };
    }
    Key::Arn(format!(
        "arn:{}:kms:{region}:{account}:key/{identifier}",
        partition(region)
    ))
}

/// The policy for the connections wanted in each Region (`(region, connections)` in the run's
/// order), in `account`.
pub(crate) fn policy(
    wanted: &[(String, Vec<&ConnectionSpec>)],
    account: &str,
    purpose: Purpose,
) -> Policy {
    let mut connections = BTreeSet::new();
    let mut destinations = BTreeSet::new();
    let mut invoked = BTreeSet::new();
    let mut managed_secrets = BTreeSet::new();
    // What reading the referenced secrets needs, as each source says: by source (in table
    // order) and statement.
    type Reads = BTreeMap<(usize, &'static str), (&'static [&'static str], BTreeSet<String>)>;
    let mut referenced: Reads = BTreeMap::new();
    let mut keys = BTreeSet::new();
    let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (region, specs) in wanted {
        let partition = partition(region);
        for spec in specs {
            let name = &spec.name;
            // IAM authorizes connection actions on `connection/<name>` (the Service
            // Authorization Reference's format, CloudFormation's `ArnForPolicy`); the
            // connection's own ARN, `connection/<name>/<uuid>`, is named too. A name has no
            // `/`, so neither reaches another connection.
            let connection = format!("arn:{partition}:events:{region}:{account}:connection/{name}");
            connections.insert(format!("{connection}/*"));
            connections.insert(connection);
            for destination in &spec.destinations {
                let arn = format!(
                    "arn:{partition}:events:{region}:{account}:api-destination/{}",
                    destination.name
                );
                invoked.insert(format!("{arn}/*"));
                destinations.insert(format!("{arn}/*"));
                destinations.insert(arn);
            }
            managed_secrets.insert(format!(
                "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/{name}/*"
            ));
            let scope = Scope {
                partition,
                region,
                account,
            };
            for reference in references(spec) {
                let kind = reference.source.kind();
                let order = SOURCES.iter().position(|s| s.key.name == kind.key.name);
                for grant in (kind.grants)(&reference.source, &scope) {
                    referenced
                        .entry((order.unwrap_or(usize::MAX), grant.sid))
                        .or_insert_with(|| (grant.actions, BTreeSet::new()))
                        .1
                        .insert(grant.resource);
                }
            }
            match spec.kms_key.as_deref().map(|k| kms_key(k, region, account)) {
                Some(Key::Arn(arn)) => {
                    keys.insert(arn);
                }
                Some(Key::Alias { keys, alias }) => {
                    aliases.entry(keys).or_default().insert(alias);
                }
                None => {}
            }
        }
    }

    if purpose == Purpose::Rule {
        // What the role of an EventBridge rule targeting the declared destinations needs.
        let statement = if invoked.is_empty() {
            Vec::new()
        } else {
            vec![Statement::allow(
                "InvokeDeclaredApiDestinations",
                vec!["events:InvokeApiDestination"],
                invoked,
            )]
        };
        return Policy {
            version: "2012-10-17",
            statement,
        };
    }
    let apply = purpose == Purpose::Apply;
    let mut statement = vec![Statement::allow(
        "ListConnections",
        vec!["events:ListApiDestinations", "events:ListConnections"],
        ["*".to_string()],
    )];
    if connections.is_empty() {
        return Policy {
            version: "2012-10-17",
            statement,
        };
    }
    statement.push(if apply {
        Statement::allow(
            "WriteDeclaredConnections",
            vec![
                "events:CreateConnection",
                "events:DescribeConnection",
                "events:UpdateConnection",
            ],
            connections,
        )
    } else {
        Statement::allow(
            "ReadDeclaredConnections",
            vec!["events:DescribeConnection"],
            connections,
        )
    });
    if !destinations.is_empty() {
        statement.push(if apply {
            Statement::allow(
                "WriteDeclaredApiDestinations",
                vec![
                    "events:CreateApiDestination",
                    "events:DescribeApiDestination",
                    "events:UpdateApiDestination",
                ],
                destinations,
            )
        } else {
            Statement::allow(
                "ReadDeclaredApiDestinations",
                vec!["events:DescribeApiDestination"],
                destinations,
            )
        });
    }
    for ((_, sid), (actions, resources)) in referenced {
        statement.push(Statement::allow(sid, actions.to_vec(), resources));
    }
    statement.push(if apply {
        Statement::allow(
            "WriteConnectionManagedSecrets",
            vec![
                "secretsmanager:CreateSecret",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
            ],
            managed_secrets,
        )
    } else {
        Statement::allow(
            "ReadConnectionManagedSecrets",
            vec!["secretsmanager:GetSecretValue"],
            managed_secrets,
        )
    });
    if apply {
        let partitions: BTreeSet<&str> = wanted.iter().map(|(r, _)| partition(r)).collect();
        let mut role = Statement::allow(
            "CreateApiDestinationsServiceLinkedRole",
            vec!["iam:CreateServiceLinkedRole"],
            partitions.into_iter().map(|partition| {
                format!("arn:{partition}:iam::{account}:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations")
            }),
        );
        role.condition.insert(
            "StringEquals",
            BTreeMap::from([(
                "iam:AWSServiceName",
                Values(vec!["apidestinations.events.amazonaws.com".to_string()]),
            )]),
        );
        statement.push(role);
    }
    let key_actions = if apply {
        vec!["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
    } else {
        vec!["kms:Decrypt"]
    };
    if !keys.is_empty() {
        statement.push(Statement::allow(
            "UseConnectionKeys",
            key_actions.clone(),
            keys,
        ));
    }
    for (index, (resource, names)) in aliases.into_iter().enumerate() {
        let mut by_alias = Statement::allow(
            format!("UseConnectionKeyAliases{}", index + 1),
            key_actions.clone(),
            [resource],
        );
        by_alias.condition.insert(
            "ForAnyValue:StringEquals",
            BTreeMap::from([("kms:ResourceAliases", Values(names.into_iter().collect()))]),
        );
        statement.push(by_alias);
    }
    Policy {
        version: "2012-10-17",
        statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(yaml: &str) -> Vec<ConnectionSpec> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.yaml"), yaml).unwrap();
        crate::spec::load::load(&[dir.path().to_path_buf()]).unwrap()
    }

    fn json(policy: &Policy) -> serde_json::Value {
        serde_json::to_value(policy).unwrap()
    }

    const ACCOUNT: &str = "123456789012";

    #[test]
    fn kms_keys_are_named_by_arn_and_aliases_by_condition() {
        assert_eq!(
            kms_key("1234abcd-12ab-34cd-56ef-1234567890ab", "eu-west-1", ACCOUNT),
            Key::Arn(
                "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into()
            )
        );
        assert_eq!(
            kms_key(
                "arn:aws:kms:us-east-1:210987654321:key/mrk-1",
                "eu-west-1",
                ACCOUNT
            ),
            Key::Arn("arn:aws:kms:us-east-1:210987654321:key/mrk-1".into())
        );
        assert_eq!(
            kms_key("alias/connections", "cn-north-1", ACCOUNT),
            Key::Alias {
                keys: "arn:aws-cn:kms:cn-north-1:123456789012:key/*".into(),
                alias: "alias/connections".into()
            }
        );
        assert_eq!(
            kms_key(
                "arn:aws:kms:us-west-2:210987654321:alias/x",
                "eu-west-1",
                ACCOUNT
            ),
            Key::Alias {
                keys: "arn:aws:kms:us-west-2:210987654321:key/*".into(),
                alias: "alias/x".into()
            }
        );
    }

    #[test]
    fn every_reference_and_region_is_named_and_no_action_is_a_wildcard() {
        let specs = specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: { secretsManager: shared/id, key: id }\nclientSecret: { secretsManager: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf' }\ninvocation:\n  headers:\n    X-Token: { secretsManager: tokens/x }\n    X-Env: { env: X }\nkmsKey: alias/k\nregions: [us-east-1, eu-west-1]\n",
        );
        let wanted: Vec<(String, Vec<&ConnectionSpec>)> = ["us-east-1", "eu-west-1"]
            .iter()
            .map(|r| (r.to_string(), specs.iter().collect()))
            .collect();
        for purpose in [Purpose::Diff, Purpose::Apply] {
            let document = json(&policy(&wanted, ACCOUNT, purpose));
            let statements = document["Statement"].as_array().unwrap();
            for statement in statements {
                let actions: Vec<&str> = match &statement["Action"] {
                    serde_json::Value::String(one) => vec![one.as_str()],
                    many => many
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|a| a.as_str().unwrap())
                        .collect(),
                };
                assert!(actions.iter().all(|a| !a.contains('*')), "{statement}");
                if statement["Resource"] == "*" {
                    // Listing has no resource-level permissions: the only wildcard resource.
                    assert_eq!(
                        statement["Action"],
                        serde_json::json!(["events:ListApiDestinations", "events:ListConnections"])
                    );
                }
            }
            let text = document.to_string();
            for expected in [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/id-??????",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens/x-??????",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
                "arn:aws:events:eu-west-1:123456789012:connection/a/*",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:events!connection/a/*",
                "arn:aws:kms:eu-west-1:123456789012:key/*",
            ] {
                assert!(text.contains(expected), "{expected} missing from {text}");
            }
            assert!(!text.contains("secret:X"), "{text}");
        }
    }

    #[test]
    fn destinations_get_their_statements_and_a_rule_may_invoke_exactly_them() {
        let specs = specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ndestinations:\n  - name: orders\n    event: Order__e\n",
        );
        let wanted = vec![("us-east-1".to_string(), specs.iter().collect::<Vec<_>>())];
        let apply = json(&policy(&wanted, ACCOUNT, Purpose::Apply));
        let write = apply["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "WriteDeclaredApiDestinations")
            .expect("a statement for the destinations");
        assert_eq!(
            write["Resource"],
            serde_json::json!([
                "arn:aws:events:us-east-1:123456789012:api-destination/orders",
                "arn:aws:events:us-east-1:123456789012:api-destination/orders/*"
            ])
        );
        let rule = json(&policy(&wanted, ACCOUNT, Purpose::Rule));
        assert_eq!(
            rule["Statement"],
            serde_json::json!([{
                "Sid": "InvokeDeclaredApiDestinations",
                "Effect": "Allow",
                "Action": "events:InvokeApiDestination",
                "Resource": "arn:aws:events:us-east-1:123456789012:api-destination/orders/*"
            }])
        );
    }
}
