//! What the resources of a run are called: every ARN a policy can name, collected once over
//! the run's Regions and declared connections, for the statements of each command to pick from.

use super::names::{Key, credential_ids, kms_key, references, secret_arn};
use super::scope::Widened;
use crate::manifest::ConnectionSpec;
use crate::sources::{SOURCES, Scope};
use std::collections::{BTreeMap, BTreeSet};

pub(super) type Reads =
    BTreeMap<(usize, &'static str), (&'static [&'static str], BTreeSet<String>)>;

/// What the declared resources of a run are called, collected over its Regions.
#[derive(Default)]
pub(super) struct Named {
    /// `connection/<name>` and `connection/<name>/*`.
    pub(super) connections: BTreeSet<String>,
    /// Destinations (both forms) and the connections they are on.
    pub(super) destinations: BTreeSet<String>,
    /// `api-destination/<name>/*`: what a rule invokes.
    pub(super) invoked: BTreeSet<String>,
    pub(super) managed_secrets: BTreeSet<String>,
    /// What reading the referenced secrets needs, as each source says
    /// ([`crate::sources::Source::grants`]): by source (in table order) and statement id, the
    /// actions and the resources.
    pub(super) reads: Reads,
    /// The referenced Secrets Manager secrets (what `rotate-credentials` writes).
    pub(super) referenced: BTreeSet<String>,
    /// The client id and secret references of documents with `salesforce.app`.
    pub(super) credentials: BTreeSet<String>,
    pub(super) keys: BTreeSet<String>,
    pub(super) aliases: BTreeMap<String, BTreeSet<String>>,
    /// Per Region, every connection and destination the name prefix allows (all without one):
    /// `connection/<prefix>*`, `api-destination/<prefix>*`. What orphan discovery, pruning and
    /// export may touch beyond the declared names.
    pub(super) prefixed_connections: BTreeSet<String>,
    pub(super) prefixed_destinations: BTreeSet<String>,
    /// Per Region, every rule on the default bus (`rule/*`): what export reads of the rules
    /// that target the destinations it exports, whatever their names.
    pub(super) default_bus_rules: BTreeSet<String>,
    /// `secretsmanager.<region>.amazonaws.com` of every Region.
    pub(super) secrets_manager_services: BTreeSet<String>,
    /// The declared rules: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another
    /// (the Service Authorization Reference's two rule resource types).
    pub(super) rules: BTreeSet<String>,
    /// Per Region and declared bus, every rule the name prefix allows (`rule/<prefix>*`,
    /// `rule/<bus>/<prefix>*`): what listing a bus finds, and what prune may delete.
    pub(super) prefixed_rules: BTreeSet<String>,
    /// Each declared rule role, by ARN: what its rules invoke, and the rules.
    pub(super) roles: BTreeMap<String, RoleUse>,
    /// Each declared dead-letter queue, by ARN: the rules that send to it.
    pub(super) queues: BTreeMap<String, BTreeSet<String>>,
}

/// What one rule role is for.
#[derive(Default)]
pub(super) struct RoleUse {
    /// `api-destination/<name>/*` of each destination its rules target, by name whatever the
    /// scope: the role invokes exactly these.
    pub(super) invoked: BTreeSet<String>,
    /// The ARNs of the rules that assume it.
    pub(super) rules: BTreeSet<String>,
}

/// A rule's resource on `bus`: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another
/// (Service Authorization Reference, Amazon EventBridge: `rule-on-default-event-bus`,
/// `rule-on-custom-event-bus`).
pub(crate) fn rule_resource(bus: &str, name: &str) -> String {
    if bus == "default" {
        format!("rule/{name}")
    } else {
        format!("rule/{bus}/{name}")
    }
}

impl Named {
    pub(super) fn collect(
        wanted: &[(String, Vec<&ConnectionSpec>)],
        partition: &str,
        account: &str,
        prefix: &str,
        widened: Option<&Widened>,
    ) -> Self {
        let mut named = Named::default();
        for (region, specs) in wanted {
            let events =
                |resource: &str| format!("arn:{partition}:events:{region}:{account}:{resource}");
            named
                .prefixed_connections
                .insert(events(&format!("connection/{prefix}*")));
            named
                .prefixed_destinations
                .insert(events(&format!("api-destination/{prefix}*")));
            named.default_bus_rules.insert(events("rule/*"));
            named
                .secrets_manager_services
                .insert(format!("secretsmanager.{region}.amazonaws.com"));
            for spec in specs {
                let name = &spec.name;
                // IAM authorizes connection actions on `connection/<name>` (the Service
                // Authorization Reference's format, CloudFormation's `ArnForPolicy`); the
                // connection's own ARN, `connection/<name>/<uuid>`, is named too. A name has
                // no `/`, so neither reaches another connection. Under `--scope prefix`,
                // `<prefix>*` covers both forms of every name the project allows.
                let (connection, managed) = match widened {
                    Some(widened) => (
                        vec![events(&format!("connection/{}*", widened.prefix))],
                        format!("events!connection/{}*", widened.prefix),
                    ),
                    None => (
                        vec![
                            events(&format!("connection/{name}")),
                            events(&format!("connection/{name}/*")),
                        ],
                        format!("events!connection/{name}/*"),
                    ),
                };
                named.connections.extend(connection.clone());
                for destination in &spec.destinations {
                    let arns = match widened {
                        Some(widened) => {
                            let any = events(&format!("api-destination/{}*", widened.prefix));
                            [any.clone(), any]
                        }
                        None => {
                            let arn = events(&format!("api-destination/{}", destination.name));
                            [format!("{arn}/*"), arn]
                        }
                    };
                    let [invoked, _] = &arns;
                    named.invoked.insert(invoked.clone());
                    for rule in &destination.rules {
                        let bus = rule.bus_name();
                        let arn = events(&rule_resource(bus, &rule.name));
                        named.rules.insert(arn.clone());
                        named
                            .prefixed_rules
                            .insert(events(&rule_resource(bus, &format!("{prefix}*"))));
                        let role = named.roles.entry(rule.role.clone()).or_default();
                        role.invoked
                            .insert(events(&format!("api-destination/{}/*", destination.name)));
                        role.rules.insert(arn.clone());
                        if let Some(queue) = &rule.dead_letter_queue {
                            named.queues.entry(queue.clone()).or_default().insert(arn);
                        }
                    }
                    named.destinations.extend(arns);
                    named.destinations.extend(connection.clone());
                }
                named.managed_secrets.insert(format!(
                    "arn:{partition}:secretsmanager:{region}:{account}:secret:{managed}"
                ));
                let scope = Scope {
                    partition,
                    region,
                    account,
                };
                for reference in references(spec) {
                    let kind = reference.source.kind();
                    let order = SOURCES.iter().position(|s| s.key.name == kind.key.name);
                    let path = widened.and_then(|widened| {
                        widened.reference(&reference.source, partition, region, account)
                    });
                    for mut grant in (kind.grants)(&reference.source, &scope) {
                        if let Some(path) = &path {
                            grant.resource.clone_from(path);
                        }
                        if grant.sid == "ReadReferencedSecrets" {
                            named.referenced.insert(grant.resource.clone());
                        }
                        named
                            .reads
                            .entry((order.unwrap_or(usize::MAX), grant.sid))
                            .or_insert_with(|| (grant.actions, BTreeSet::new()))
                            .1
                            .insert(grant.resource);
                    }
                }
                if spec.app.is_some() {
                    for id in credential_ids(spec) {
                        named.credentials.insert(
                            widened
                                .and_then(|widened| widened.secret(id, partition, region, account))
                                .unwrap_or_else(|| secret_arn(id, partition, region, account)),
                        );
                    }
                }
                match spec
                    .kms_key
                    .as_deref()
                    .map(|k| kms_key(k, partition, region, account))
                {
                    Some(Key::Arn(arn)) => {
                        named.keys.insert(arn);
                    }
                    Some(Key::Alias { keys, alias }) => {
                        named.aliases.entry(keys).or_default().insert(alias);
                    }
                    None => {}
                }
            }
        }
        named
    }
}
