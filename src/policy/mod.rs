//! The least-privilege IAM policy a run needs for exactly the declared resources (pure).
//!
//! The policy is for one run: the same files, the same command (`--for`) and the same flags
//! (`--prune`, `--replace`), in one partition. Every call that run makes is allowed, which the
//! test suite proves against the Service Authorization Reference (tests/support/iam.rs).
//!
//! `diff` and `apply`, per Region of the run:
//! - `events:ListConnections` and `events:ListApiDestinations` have no resource-level
//!   permissions, so they are the one statement on `*`;
//! - the declared connections: `events:DescribeConnection` (`diff`), plus
//!   `events:CreateConnection` and `events:UpdateConnection` (`apply`), and
//!   `events:DeleteConnection` with `--replace`, on `connection/<name>` (the resource format IAM
//!   authorizes these actions on) and `connection/<name>/*` (a connection's ARN ends in
//!   `/<name>/<uuid>`);
//! - orphan discovery: only a description tells whose an undeclared connection or destination
//!   is (neither can be tagged), so every run describes them: `events:DescribeConnection` on
//!   `connection/<prefix>*` and `events:DescribeApiDestination` on `api-destination/<prefix>*`
//!   (and the `connection/<prefix>*` it points at), in the Region and account. Without a name
//!   prefix the set's names are unknowable, so `<prefix>` is empty: every connection of the
//!   Region, read-only. With `apply --prune`, `events:DeleteConnection` and
//!   `events:DeleteApiDestination` on the same patterns;
//! - the declared API destinations, and the connection each is on (`CreateApiDestination` and
//!   `DescribeApiDestination` require both resources);
//! - the Secrets Manager secrets the YAML references (see [`names::secret_arn`]);
//! - the connections' managed secrets, `events!connection/<name>/*`: read to check secret
//!   drift, and for `apply` what EventBridge does with them on the caller's behalf when it
//!   creates or updates a connection (create, describe, update, put a value);
//! - for `apply`, creating EventBridge's API destinations service-linked role, which the first
//!   connection in an account needs;
//! - the customer managed keys of `kmsKey`: `kms:Decrypt` to read a managed secret they
//!   encrypt, and for `apply` also `kms:DescribeKey` and `kms:GenerateDataKey`. A key id or ARN
//!   is named by its ARN; an alias through `key/*` with a `kms:ResourceAliases` condition. With
//!   `kms_conditions`, Decrypt and GenerateDataKey also carry the conditions the EventBridge
//!   user guide recommends for such keys (`kms:ViaService`, `kms:EncryptionContext:SecretARN`).
//!
//! `salesforce-credentials` and `rotate-credentials` write referenced secrets, whose KMS key
//! only the secret names: the policy carries a note that a customer managed key needs
//! `kms:GenerateDataKey` and `kms:Decrypt`, printed beside it.
//!
//! `verify` reads the referenced secrets; `export` lists and describes connections;
//! `salesforce-credentials` reads and writes the client id and secret references of the
//! documents with `salesforce.app`; `rule` is the role an EventBridge rule assumes to invoke
//! the declared destinations (when the files declare rules, each declared role's permission
//! and trust policies and each dead-letter queue's statement instead: [`rules`]).
//!
//! Declared rules add to `diff` and `apply`: `events:ListRules` and
//! `events:ListRuleNamesByTarget` on `*` (no resource-level permissions); reading each declared
//! rule (`DescribeRule`, `ListTargetsByRule`, `ListTagsForResource`) and every rule of its bus
//! under the name prefix (only a rule's tag tells whose it is); for `apply` writing the
//! declared rules (`PutRule`, `PutTargets`, `RemoveTargets`, `TagResource`) and `iam:PassRole`
//! on exactly the declared roles, only to `events.amazonaws.com` (`iam:PassedToService`); with
//! `--prune`, `RemoveTargets` and `DeleteRule` on the set's undeclared rules. A rule is
//! `rule/<name>` on the default bus and `rule/<bus>/<name>` on another. No action is a wildcard. Statements, actions and resources come
//! in a stable order. A policy with nothing to grant is refused: IAM refuses an empty one.
//!
//! All of the above is `--scope names`. `--scope prefix` grants the same actions on every
//! name under the project's `namePrefix` and the referenced secrets' common path instead of
//! each declared name (see [`scope`]), and needs a `namePrefix`.

pub(crate) use crate::aws::actions;
mod document;
mod named;
mod names;
mod rules;
mod scope;
mod statements;
mod trust;

use crate::manifest::ConnectionSpec;
pub(crate) use document::Policy;
use named::Named;
use names::partition_of;
pub(crate) use names::references;
pub(crate) use rules::RuleDocuments;
pub(crate) use scope::Scope;
use scope::Widened;
use std::collections::BTreeMap;
pub(crate) use trust::{check_principal, trust_policy};

/// The command a policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Diff,
    Apply,
    /// The role an EventBridge rule assumes to invoke the declared API destinations.
    Rule,
    Verify,
    Export,
    SalesforceCredentials,
    /// `rotate-credentials`: apply's calls, and writing the referenced secrets.
    RotateCredentials,
}

impl Purpose {
    /// As `--for` names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Purpose::Diff => "diff",
            Purpose::Apply => "apply",
            Purpose::Rule => "rule",
            Purpose::Verify => "verify",
            Purpose::Export => "export",
            Purpose::SalesforceCredentials => "salesforce-credentials",
            Purpose::RotateCredentials => "rotate-credentials",
        }
    }
}

/// Everything about the run a policy is for, besides its files and Regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Request<'a> {
    pub(crate) purpose: Purpose,
    /// `--prune`: `apply` deletes this set's undeclared connections and destinations.
    pub(crate) prune: bool,
    /// `--replace`: `apply` deletes and creates again a declared connection.
    pub(crate) replace: bool,
    pub(crate) account: &'a str,
    /// `--partition`; `None`: the partition of the run's Regions.
    pub(crate) partition: Option<&'a str>,
    /// The prefix of every name the run can touch beyond the declared ones: for `export`, its
    /// `--name-prefix`; for `diff` and `apply`, the set's (the project file's `namePrefix`).
    /// `None`: any name.
    pub(crate) name_prefix: Option<&'a str>,
    /// Add the EventBridge user guide's recommended conditions to the customer managed key
    /// statements.
    pub(crate) kms_conditions: bool,
}

/// Why no policy can be printed for the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The run would make no AWS call that needs a permission (IAM refuses an empty policy).
    NothingToGrant { purpose: Purpose },
    /// The Regions of the run are in more than one partition: each partition, its Regions.
    Partitions(Vec<(&'static str, Vec<String>)>),
    /// `--scope prefix` without a name prefix: nothing bounds the names it would grant.
    NoNamePrefix,
}

/// The one partition of the run's Regions.
fn one_partition<'a>(regions: impl Iterator<Item = &'a String>) -> Result<&'static str, Refusal> {
    let mut by_partition: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for region in regions {
        by_partition
            .entry(partition_of(region))
            .or_default()
            .push(region.clone());
    }
    match by_partition.len() {
        0 => Ok("aws"),
        1 => Ok(by_partition.into_keys().next().unwrap_or("aws")),
        _ => Err(Refusal::Partitions(by_partition.into_iter().collect())),
    }
}

/// `--for rule` when the files declare rules: each declared role's permission and trust
/// policies and each declared dead-letter queue's statement ([`rules`]); `None` when no rule
/// is declared (then the one policy of [`scoped_policy`] is for a role wired by hand).
pub(crate) fn rule_documents(
    wanted: &[(String, Vec<&ConnectionSpec>)],
    request: &Request,
) -> Result<Option<RuleDocuments>, Refusal> {
    let partition = match request.partition {
        Some(partition) => partition,
        None => one_partition(wanted.iter().map(|(region, _)| region))?,
    };
    let named = Named::collect(
        wanted,
        partition,
        request.account,
        request.name_prefix.unwrap_or_default(),
        None,
    );
    Ok(rules::documents(&named, request.account))
}

/// The policy for the run `request` describes, over the connections wanted in each Region
/// (`(region, connections)` in the run's order), naming each declared resource.
#[cfg(test)]
pub(crate) fn policy(
    wanted: &[(String, Vec<&ConnectionSpec>)],
    request: &Request,
) -> Result<Policy, Refusal> {
    scoped_policy(wanted, request, Scope::Names)
}

/// [`policy`], granting by name or by prefix as `scope` says; `prefix` needs the request's
/// `name_prefix`.
pub(crate) fn scoped_policy(
    wanted: &[(String, Vec<&ConnectionSpec>)],
    request: &Request,
    scope: Scope,
) -> Result<Policy, Refusal> {
    let partition = match request.partition {
        Some(partition) => partition,
        None => one_partition(wanted.iter().map(|(region, _)| region))?,
    };
    let widened = match scope {
        Scope::Names => None,
        Scope::Prefix => match request.name_prefix {
            Some(prefix) if !prefix.is_empty() => Some(Widened::new(prefix, wanted)),
            _ => return Err(Refusal::NoNamePrefix),
        },
    };
    let named = Named::collect(
        wanted,
        partition,
        request.account,
        request.name_prefix.unwrap_or_default(),
        widened.as_ref(),
    );
    let statement = match request.purpose {
        Purpose::Rule => statements::rule(&named),
        Purpose::Verify => statements::verify(&named),
        Purpose::Export => statements::export(&named),
        Purpose::SalesforceCredentials => statements::salesforce_credentials(&named),
        Purpose::Diff | Purpose::Apply | Purpose::RotateCredentials => {
            statements::compare(&named, request, partition)
        }
    };
    if statement.is_empty() {
        return Err(Refusal::NothingToGrant {
            purpose: request.purpose,
        });
    }
    Ok(Policy {
        version: "2012-10-17",
        statement,
        // A rule's role reads no secret: the notes on secret paths are not its own.
        notes: widened
            .into_iter()
            .filter(|_| request.purpose != Purpose::Rule)
            .flat_map(|widened| widened.notes)
            .chain(statements::referenced_key_note(&named, request.purpose))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tests::specs;

    const ACCOUNT: &str = "123456789012";

    fn request(purpose: Purpose) -> Request<'static> {
        Request {
            purpose,
            prune: false,
            replace: false,
            account: ACCOUNT,
            partition: None,
            name_prefix: None,
            kms_conditions: false,
        }
    }

    fn in_regions<'a>(
        regions: &[&str],
        specs: &'a [ConnectionSpec],
    ) -> Vec<(String, Vec<&'a ConnectionSpec>)> {
        regions
            .iter()
            .map(|r| (r.to_string(), specs.iter().collect()))
            .collect()
    }

    fn json(wanted: &[(String, Vec<&ConnectionSpec>)], request: &Request) -> serde_json::Value {
        serde_json::to_value(policy(wanted, request).unwrap()).unwrap()
    }

    /// The statement with this Sid.
    fn sid<'a>(document: &'a serde_json::Value, sid: &str) -> Option<&'a serde_json::Value> {
        document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
    }

    const WITH_DESTINATION: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ndestinations:\n  - name: orders\n    event: Order__e\n";

    #[test]
    fn every_reference_and_region_is_named_and_no_action_is_a_wildcard() {
        let specs = specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: { secretsManager: shared/id, key: id }\nclientSecret: { secretsManager: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf' }\ninvocation:\n  headers:\n    X-Token: { secretsManager: tokens/x }\n    X-Env: { env: X }\nkmsKey: alias/k\nregions: [us-east-1, eu-west-1]\n",
        );
        let wanted = in_regions(&["us-east-1", "eu-west-1"], &specs);
        for purpose in [Purpose::Diff, Purpose::Apply] {
            let document = json(&wanted, &request(purpose));
            for statement in document["Statement"].as_array().unwrap() {
                let text = statement["Action"].to_string();
                assert!(!text.contains('*'), "{statement}");
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
    fn destination_statements_name_the_connection_too_and_a_rule_may_invoke_exactly_them() {
        let specs = specs(WITH_DESTINATION);
        let wanted = in_regions(&["us-east-1"], &specs);
        let apply = json(&wanted, &request(Purpose::Apply));
        assert_eq!(
            sid(&apply, "WriteDeclaredApiDestinations").unwrap()["Resource"],
            serde_json::json!([
                "arn:aws:events:us-east-1:123456789012:api-destination/orders",
                "arn:aws:events:us-east-1:123456789012:api-destination/orders/*",
                "arn:aws:events:us-east-1:123456789012:connection/a",
                "arn:aws:events:us-east-1:123456789012:connection/a/*"
            ])
        );
        let rule = json(&wanted, &request(Purpose::Rule));
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

    #[test]
    fn a_rule_without_a_destination_and_verify_without_a_secret_are_refused() {
        let specs = specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n",
        );
        let wanted = in_regions(&["us-east-1"], &specs);
        for purpose in [
            Purpose::Rule,
            Purpose::Verify,
            Purpose::SalesforceCredentials,
        ] {
            assert_eq!(
                policy(&wanted, &request(purpose)),
                Err(Refusal::NothingToGrant { purpose })
            );
        }
    }

    #[test]
    fn orphan_discovery_is_as_narrow_as_the_name_prefix_allows() {
        let specs = specs(WITH_DESTINATION);
        let wanted = in_regions(&["us-east-1", "eu-west-1"], &specs);
        let any = json(&wanted, &request(Purpose::Diff));
        assert_eq!(
            sid(&any, "DescribeUndeclaredConnections").unwrap()["Resource"],
            serde_json::json!([
                "arn:aws:events:eu-west-1:123456789012:connection/*",
                "arn:aws:events:us-east-1:123456789012:connection/*"
            ])
        );
        let prefixed = json(
            &wanted,
            &Request {
                name_prefix: Some("sf-"),
                ..request(Purpose::Diff)
            },
        );
        assert_eq!(
            sid(&prefixed, "DescribeUndeclaredApiDestinations").unwrap()["Resource"],
            serde_json::json!([
                "arn:aws:events:eu-west-1:123456789012:api-destination/sf-*",
                "arn:aws:events:eu-west-1:123456789012:connection/sf-*",
                "arn:aws:events:us-east-1:123456789012:api-destination/sf-*",
                "arn:aws:events:us-east-1:123456789012:connection/sf-*"
            ])
        );
        assert!(sid(&prefixed, "DeleteUndeclaredConnections").is_none());
    }

    #[test]
    fn prune_deletes_only_undeclared_and_replace_only_declared_connections() {
        let specs = specs(WITH_DESTINATION);
        let wanted = in_regions(&["us-east-1"], &specs);
        let pruning = json(
            &wanted,
            &Request {
                prune: true,
                name_prefix: Some("sf-"),
                ..request(Purpose::Apply)
            },
        );
        assert_eq!(
            sid(&pruning, "DeleteUndeclaredConnections").unwrap()["Resource"],
            "arn:aws:events:us-east-1:123456789012:connection/sf-*"
        );
        assert_eq!(
            sid(&pruning, "DeleteUndeclaredApiDestinations").unwrap()["Resource"],
            "arn:aws:events:us-east-1:123456789012:api-destination/sf-*"
        );
        assert!(
            !pruning
                .to_string()
                .contains("\"events:DeleteConnection\",\n")
        );
        let write = |document: &serde_json::Value| {
            sid(document, "WriteDeclaredConnections").unwrap()["Action"].clone()
        };
        assert!(!write(&pruning).to_string().contains("DeleteConnection"));
        let replacing = json(
            &wanted,
            &Request {
                replace: true,
                ..request(Purpose::Apply)
            },
        );
        assert!(
            write(&replacing)
                .to_string()
                .contains("events:DeleteConnection")
        );
        assert!(sid(&replacing, "DeleteUndeclaredConnections").is_none());
        // A diff deletes nothing, whatever its flags.
        let diff = json(
            &wanted,
            &Request {
                prune: true,
                replace: true,
                ..request(Purpose::Diff)
            },
        );
        assert!(!diff.to_string().contains("Delete"), "{diff}");
    }

    const WITH_RULES: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ndestinations:\n  - name: orders\n    event: Order__e\n    rules:\n      - name: to-sf\n        pattern: { source: [com.acme] }\n        body: { Id__c: $.detail.id }\n        deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:dlq\n        role: arn:aws:iam::123456789012:role/invoke\n      - name: rush\n        bus: orders-bus\n        pattern: { source: [com.acme] }\n        body: { Id__c: $.detail.id }\n        role: arn:aws:iam::123456789012:role/invoke\n";

    #[test]
    fn declared_rules_are_read_by_diff_and_written_by_apply_on_both_bus_forms() {
        let specs = specs(WITH_RULES);
        let wanted = in_regions(&["us-east-1"], &specs);
        let diff = json(&wanted, &request(Purpose::Diff));
        assert_eq!(
            sid(&diff, "ListRules").unwrap()["Action"],
            serde_json::json!(["events:ListRuleNamesByTarget", "events:ListRules"])
        );
        assert_eq!(
            sid(&diff, "ReadDeclaredRules").unwrap()["Resource"],
            serde_json::json!([
                "arn:aws:events:us-east-1:123456789012:rule/orders-bus/rush",
                "arn:aws:events:us-east-1:123456789012:rule/to-sf"
            ])
        );
        assert!(!diff.to_string().contains("PutRule"), "{diff}");
        assert!(!diff.to_string().contains("PassRole"), "{diff}");
        let prefixed = json(
            &wanted,
            &Request {
                name_prefix: Some("sf-"),
                prune: true,
                ..request(Purpose::Apply)
            },
        );
        assert_eq!(
            sid(&prefixed, "DeleteUndeclaredRules").unwrap()["Resource"],
            serde_json::json!([
                "arn:aws:events:us-east-1:123456789012:rule/orders-bus/sf-*",
                "arn:aws:events:us-east-1:123456789012:rule/sf-*"
            ])
        );
        assert_eq!(
            sid(&prefixed, "PassDeclaredRuleRoles").unwrap()["Resource"],
            "arn:aws:iam::123456789012:role/invoke"
        );
        assert!(
            sid(&prefixed, "WriteDeclaredRules").unwrap()["Action"]
                .to_string()
                .contains("events:PutTargets")
        );
        // Without rules, nothing on rules.
        let without = specs_without_rules();
        let plain = json(
            &in_regions(&["us-east-1"], &without),
            &request(Purpose::Apply),
        );
        assert!(!plain.to_string().contains(":rule/"), "{plain}");
    }

    #[test]
    fn a_rule_role_trusts_eventbridge_for_its_rules_and_a_queue_takes_their_dead_letters() {
        let specs = specs(WITH_RULES);
        let wanted = in_regions(&["us-east-1"], &specs);
        let documents = rule_documents(&wanted, &request(Purpose::Rule))
            .unwrap()
            .expect("rules are declared");
        let printed = serde_json::to_value(&documents).unwrap();
        assert_eq!(
            printed["roles"][0]["trustPolicy"]["Statement"][0],
            serde_json::json!({
                "Sid": "EventBridgeRulesAssume",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": [
                        "arn:aws:events:us-east-1:123456789012:rule/orders-bus/rush",
                        "arn:aws:events:us-east-1:123456789012:rule/to-sf"
                    ]},
                    "StringEquals": {"aws:SourceAccount": "123456789012"}
                }
            })
        );
        assert_eq!(
            printed["roles"][0]["permissionPolicy"]["Statement"][0]["Resource"],
            "arn:aws:events:us-east-1:123456789012:api-destination/orders/*"
        );
        assert_eq!(
            printed["deadLetterQueues"][0]["statement"]["Condition"],
            serde_json::json!({"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/to-sf"}})
        );
        let without = specs_without_rules();
        assert_eq!(
            rule_documents(
                &in_regions(&["us-east-1"], &without),
                &request(Purpose::Rule)
            ),
            Ok(None)
        );
    }

    fn specs_without_rules() -> Vec<ConnectionSpec> {
        specs(WITH_DESTINATION)
    }

    #[test]
    fn one_partition_per_policy() {
        let specs = specs(WITH_DESTINATION);
        let mixed = in_regions(&["us-east-1", "cn-north-1"], &specs);
        assert_eq!(
            policy(&mixed, &request(Purpose::Diff)),
            Err(Refusal::Partitions(vec![
                ("aws", vec!["us-east-1".to_string()]),
                ("aws-cn", vec!["cn-north-1".to_string()]),
            ]))
        );
        let china = in_regions(&["cn-north-1"], &specs);
        let text = json(&china, &request(Purpose::Apply)).to_string();
        assert!(
            text.contains("arn:aws-cn:iam::123456789012:role/aws-service-role/"),
            "{text}"
        );
        assert!(!text.contains("arn:aws:"), "{text}");
        let named = json(
            &in_regions(&["us-east-1"], &specs),
            &Request {
                partition: Some("aws-eusc"),
                ..request(Purpose::Diff)
            },
        )
        .to_string();
        assert!(!named.contains("arn:aws:"), "{named}");
        assert!(named.contains("arn:aws-eusc:events:us-east-1:"), "{named}");
    }

    #[test]
    fn kms_conditions_narrow_key_use_to_the_managed_secrets_through_secrets_manager() {
        let specs = specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nkmsKey: 1234abcd-12ab-34cd-56ef-1234567890ab\n",
        );
        let wanted = in_regions(&["eu-west-1"], &specs);
        let document = json(
            &wanted,
            &Request {
                kms_conditions: true,
                ..request(Purpose::Apply)
            },
        );
        assert_eq!(
            sid(&document, "UseConnectionKeys").unwrap()["Action"],
            "kms:DescribeKey"
        );
        assert_eq!(
            sid(&document, "UseConnectionKeysViaSecretsManager").unwrap()["Condition"],
            serde_json::json!({
                "StringEquals": { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" },
                "StringLike": { "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:events!connection/a/*" }
            })
        );
        let plain = json(&wanted, &request(Purpose::Apply));
        assert!(sid(&plain, "UseConnectionKeysViaSecretsManager").is_none());
        assert!(
            sid(&plain, "UseConnectionKeys")
                .unwrap()
                .get("Condition")
                .is_none()
        );
    }
}
