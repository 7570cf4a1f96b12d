//! The statements of each command's policy, picked from the run's [`Named`] resources: what
//! `rule`, `verify`, `export`, `salesforce-credentials`, and `diff` and `apply` (with their
//! flags) call, and nothing else. An empty list means the command needs no permission.

use super::actions::{events, iam, kms, secrets_manager};
use super::document::Statement;
use super::named::Named;
use super::rules::PASSED_TO;
use super::{Purpose, Request};

/// What the role of an EventBridge rule targeting the declared destinations needs.
pub(super) fn rule(named: &Named) -> Vec<Statement> {
    if named.invoked.is_empty() {
        return Vec::new();
    }
    vec![Statement::allow(
        "InvokeDeclaredApiDestinations",
        vec![events::INVOKE_API_DESTINATION],
        named.invoked.clone(),
    )]
}

/// `verify` reads the referenced secrets and, for the declared rules, their roles' policies
/// from IAM (Service Authorization Reference, IAM: GetRole, ListRolePolicies, GetRolePolicy and
/// ListAttachedRolePolicies act on the `role`, GetPolicy and GetPolicyVersion on the `policy`).
/// The roles are exactly the declared ones; the managed policies attached to them cannot be
/// known before the run, so GetPolicy and GetPolicyVersion name every customer managed policy
/// of each role's account (`arn:P:iam::A:policy/*`); an AWS managed policy attached to a role
/// is not granted (the note says how).
pub(super) fn verify(named: &Named) -> Vec<Statement> {
    let mut statements = reads(named, |_| true);
    if named.roles.is_empty() {
        return statements;
    }
    statements.push(Statement::allow(
        "ReadRuleRoles",
        vec![
            iam::GET_ROLE,
            iam::GET_ROLE_POLICY,
            iam::LIST_ATTACHED_ROLE_POLICIES,
            iam::LIST_ROLE_POLICIES,
        ],
        named.roles.keys().cloned(),
    ));
    let policies: std::collections::BTreeSet<String> = named
        .roles
        .keys()
        .filter_map(|role| {
            let mut parts = role.split(':');
            let partition = parts.nth(1)?;
            let account = parts.nth(2)?;
            Some(format!("arn:{partition}:iam::{account}:policy/*"))
        })
        .collect();
    statements.push(Statement::allow(
        "ReadRuleRolesManagedPolicies",
        vec![iam::GET_POLICY, iam::GET_POLICY_VERSION],
        policies,
    ));
    statements
}

/// What reading the referenced secrets needs, one statement per source's grant (those `keep`
/// lets through, by statement id).
fn reads(named: &Named, keep: impl Fn(&str) -> bool) -> Vec<Statement> {
    named
        .reads
        .iter()
        .filter(|((_, sid), _)| keep(sid))
        .map(|((_, sid), (actions, resources))| {
            Statement::allow(*sid, actions.to_vec(), resources.clone())
        })
        .collect()
}

/// `export` lists the connections of each Region and describes those it lists, the API
/// destinations on each, and the rules on the default bus that target those.
pub(super) fn export(named: &Named) -> Vec<Statement> {
    if named.prefixed_connections.is_empty() {
        return Vec::new();
    }
    vec![
        Statement::allow(
            "ListConnections",
            vec![events::LIST_API_DESTINATIONS, events::LIST_CONNECTIONS],
            ["*".to_string()],
        ),
        Statement::allow(
            "DescribeListedConnections",
            vec![events::DESCRIBE_CONNECTION],
            named.prefixed_connections.clone(),
        ),
        // The API destinations on each exported connection, within the same name prefix.
        describe_prefixed_destinations("DescribeListedApiDestinations", named),
        // The rules targeting each exported destination, on the default bus, whatever their
        // names (`rules:` under the destination).
        Statement::allow(
            "ListRulesTargetingApiDestinations",
            vec![events::LIST_RULE_NAMES_BY_TARGET],
            ["*".to_string()],
        ),
        Statement::allow(
            "ReadRulesTargetingApiDestinations",
            vec![
                events::DESCRIBE_RULE,
                events::LIST_TAGS_FOR_RESOURCE,
                events::LIST_TARGETS_BY_RULE,
            ],
            named.default_bus_rules.clone(),
        ),
    ]
}

/// A referenced secret's KMS key is named by the secret, not the YAML, so no statement can
/// grant it. Secrets Manager User Guide, "Permissions for the KMS key": writing a secret value
/// encrypted with a customer managed key takes kms:GenerateDataKey on it, and reading the value
/// back kms:Decrypt.
pub(super) fn referenced_key_note(named: &Named, purpose: Purpose) -> Option<String> {
    let writes = match purpose {
        Purpose::SalesforceCredentials => &named.credentials,
        Purpose::RotateCredentials => &named.referenced,
        _ => return None,
    };
    (!writes.is_empty()).then(|| {
        format!(
            "writing a Secrets Manager secret encrypted with a customer managed KMS key also needs {} and {} on that key (the AWS managed key aws/secretsmanager needs no statement)",
            kms::GENERATE_DATA_KEY,
            kms::DECRYPT
        )
    })
}

/// Why `verify` reads every managed policy of the rule roles' accounts.
pub(super) fn managed_policies_note(named: &Named, purpose: Purpose) -> Option<String> {
    (purpose == Purpose::Verify && !named.roles.is_empty()).then(|| {
        format!(
            "{get} and {version} name every customer managed policy of the rule roles' accounts: which are attached to a role cannot be known before verify reads it. A role with an AWS managed policy attached also needs {get} and {version} on that policy's ARN (arn:aws:iam::aws:policy/...); without them verify says the role was not checked",
            get = iam::GET_POLICY,
            version = iam::GET_POLICY_VERSION
        )
    })
}

/// `DescribeApiDestination` on the destinations the name prefix allows: IAM authorizes it on
/// the destination and on its connection, so both are named.
fn describe_prefixed_destinations(sid: &'static str, named: &Named) -> Statement {
    Statement::allow(
        sid,
        vec![events::DESCRIBE_API_DESTINATION],
        named
            .prefixed_destinations
            .iter()
            .chain(&named.prefixed_connections)
            .cloned(),
    )
}

/// `salesforce-credentials` writes a new version of each client id and secret reference
/// (creating a missing secret), reading the old value first when the reference names a `key`
/// of a JSON secret, so the other keys are kept.
pub(super) fn salesforce_credentials(named: &Named) -> Vec<Statement> {
    if named.credentials.is_empty() {
        return Vec::new();
    }
    vec![Statement::allow(
        "WriteReferencedCredentials",
        vec![
            secrets_manager::CREATE_SECRET,
            secrets_manager::GET_SECRET_VALUE,
            secrets_manager::PUT_SECRET_VALUE,
        ],
        named.credentials.clone(),
    )]
}

/// `diff` and `apply`.
pub(super) fn compare(named: &Named, request: &Request, partition: &str) -> Vec<Statement> {
    let apply = matches!(request.purpose, Purpose::Apply | Purpose::RotateCredentials);
    let mut statement = vec![Statement::allow(
        "ListConnections",
        vec![events::LIST_API_DESTINATIONS, events::LIST_CONNECTIONS],
        ["*".to_string()],
    )];
    if !named.connections.is_empty() {
        statement.push(if apply {
            let mut actions = vec![
                events::CREATE_CONNECTION,
                events::DESCRIBE_CONNECTION,
                events::UPDATE_CONNECTION,
            ];
            if request.replace {
                actions.push(events::DELETE_CONNECTION);
            }
            Statement::allow(
                "WriteDeclaredConnections",
                actions,
                named.connections.clone(),
            )
        } else {
            Statement::allow(
                "ReadDeclaredConnections",
                vec![events::DESCRIBE_CONNECTION],
                named.connections.clone(),
            )
        });
    }
    statement.push(Statement::allow(
        "DescribeUndeclaredConnections",
        vec![events::DESCRIBE_CONNECTION],
        named.prefixed_connections.clone(),
    ));
    statement.push(describe_prefixed_destinations(
        "DescribeUndeclaredApiDestinations",
        named,
    ));
    if !named.destinations.is_empty() {
        statement.push(if apply {
            Statement::allow(
                "WriteDeclaredApiDestinations",
                vec![
                    events::CREATE_API_DESTINATION,
                    events::DESCRIBE_API_DESTINATION,
                    events::UPDATE_API_DESTINATION,
                ],
                named.destinations.clone(),
            )
        } else {
            Statement::allow(
                "ReadDeclaredApiDestinations",
                vec![events::DESCRIBE_API_DESTINATION],
                named.destinations.clone(),
            )
        });
    }
    statement.extend(rule_statements(named, apply, request.prune));
    if apply && request.prune {
        statement.push(Statement::allow(
            "DeleteUndeclaredConnections",
            vec![events::DELETE_CONNECTION],
            named.prefixed_connections.clone(),
        ));
        statement.push(Statement::allow(
            "DeleteUndeclaredApiDestinations",
            vec![events::DELETE_API_DESTINATION],
            named.prefixed_destinations.clone(),
        ));
    }
    if request.purpose == Purpose::RotateCredentials && !named.referenced.is_empty() {
        // The new credential is written as a new version (CreateSecret when missing); a
        // rollback makes the previous version current again.
        statement.push(Statement::allow(
            "WriteReferencedSecrets",
            vec![
                secrets_manager::CREATE_SECRET,
                secrets_manager::GET_SECRET_VALUE,
                secrets_manager::PUT_SECRET_VALUE,
                secrets_manager::UPDATE_SECRET_VERSION_STAGE,
            ],
            named.referenced.clone(),
        ));
        statement.extend(reads(named, |sid| sid != "ReadReferencedSecrets"));
    } else {
        statement.extend(reads(named, |_| true));
    }
    if !named.managed_secrets.is_empty() {
        statement.push(if apply {
            Statement::allow(
                "WriteConnectionManagedSecrets",
                vec![
                    secrets_manager::CREATE_SECRET,
                    secrets_manager::DESCRIBE_SECRET,
                    secrets_manager::GET_SECRET_VALUE,
                    secrets_manager::PUT_SECRET_VALUE,
                    secrets_manager::UPDATE_SECRET,
                ],
                named.managed_secrets.clone(),
            )
        } else {
            Statement::allow(
                "ReadConnectionManagedSecrets",
                vec![secrets_manager::GET_SECRET_VALUE],
                named.managed_secrets.clone(),
            )
        });
    }
    if apply && !named.connections.is_empty() {
        statement.push(
            Statement::allow(
                "CreateApiDestinationsServiceLinkedRole",
                vec![iam::CREATE_SERVICE_LINKED_ROLE],
                [format!("arn:{partition}:iam::{}:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations", request.account)],
            )
            .with_condition(
                "StringEquals",
                "iam:AWSServiceName",
                ["apidestinations.events.amazonaws.com".to_string()],
            ),
        );
    }
    statement.extend(key_statements(named, apply, request.kms_conditions));
    statement
}

/// What `diff` and `apply` call for the declared rules (none declared: nothing): the listings,
/// which have no resource-level permissions; the reads of each declared rule and of every rule
/// a listing of its bus finds within the name prefix (only a rule's tags tell whose it is); for
/// `apply` the writes of the declared rules and passing exactly the declared roles to
/// EventBridge (PutTargets with a RoleArn); with `--prune`, removing the targets of this set's
/// undeclared rules and deleting them.
fn rule_statements(named: &Named, apply: bool, prune: bool) -> Vec<Statement> {
    if named.rules.is_empty() {
        return Vec::new();
    }
    let reads = vec![
        events::DESCRIBE_RULE,
        events::LIST_TAGS_FOR_RESOURCE,
        events::LIST_TARGETS_BY_RULE,
    ];
    let mut statements = vec![Statement::allow(
        "ListRules",
        vec![events::LIST_RULES, events::LIST_RULE_NAMES_BY_TARGET],
        ["*".to_string()],
    )];
    statements.push(if apply {
        let mut writes = reads.clone();
        writes.extend([
            events::PUT_RULE,
            events::PUT_TARGETS,
            events::REMOVE_TARGETS,
            events::TAG_RESOURCE,
        ]);
        Statement::allow("WriteDeclaredRules", writes, named.rules.clone())
    } else {
        Statement::allow("ReadDeclaredRules", reads.clone(), named.rules.clone())
    });
    statements.push(Statement::allow(
        "ReadUndeclaredRules",
        reads,
        named.prefixed_rules.clone(),
    ));
    if apply {
        statements.push(
            Statement::allow(
                "PassDeclaredRuleRoles",
                vec![iam::PASS_ROLE],
                named.roles.keys().cloned(),
            )
            .with_condition(
                "StringEquals",
                "iam:PassedToService",
                [PASSED_TO.to_string()],
            ),
        );
    }
    if apply && prune {
        statements.push(Statement::allow(
            "DeleteUndeclaredRules",
            vec![events::DELETE_RULE, events::REMOVE_TARGETS],
            named.prefixed_rules.clone(),
        ));
    }
    statements
}

/// The customer managed keys of `kmsKey`, by ARN and by alias.
fn key_statements(named: &Named, apply: bool, conditions: bool) -> Vec<Statement> {
    let mut statements = Vec::new();
    let key_actions = if apply {
        vec![kms::DECRYPT, kms::DESCRIBE_KEY, kms::GENERATE_DATA_KEY]
    } else {
        vec![kms::DECRYPT]
    };
    // The recommended conditions hold for the calls Secrets Manager makes with the key, which
    // carry the secret's ARN as encryption context; DescribeKey carries none, so it stays
    // apart, unconditioned.
    let (conditioned, plain): (Vec<&'static str>, Vec<&'static str>) = if conditions {
        key_actions
            .into_iter()
            .partition(|action| *action != kms::DESCRIBE_KEY)
    } else {
        (Vec::new(), key_actions)
    };
    let narrow = |statement: Statement| {
        statement
            .with_condition(
                "StringEquals",
                "kms:ViaService",
                named.secrets_manager_services.iter().cloned(),
            )
            .with_condition(
                "StringLike",
                "kms:EncryptionContext:SecretARN",
                named.managed_secrets.iter().cloned(),
            )
    };
    let groups: [(&str, &Vec<&'static str>, bool); 2] = [
        ("", &plain, false),
        ("ViaSecretsManager", &conditioned, true),
    ];
    for (suffix, actions, conditioned) in groups {
        if actions.is_empty() {
            continue;
        }
        if !named.keys.is_empty() {
            let statement = Statement::allow(
                format!("UseConnectionKeys{suffix}"),
                actions.clone(),
                named.keys.clone(),
            );
            statements.push(if conditioned {
                narrow(statement)
            } else {
                statement
            });
        }
        for (index, (resource, names)) in named.aliases.iter().enumerate() {
            let statement = Statement::allow(
                format!("UseConnectionKeyAliases{}{suffix}", index + 1),
                actions.clone(),
                [resource.clone()],
            )
            .with_condition(
                "ForAnyValue:StringEquals",
                "kms:ResourceAliases",
                names.iter().cloned(),
            );
            statements.push(if conditioned {
                narrow(statement)
            } else {
                statement
            });
        }
    }
    statements
}
