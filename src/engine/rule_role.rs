//! Whether each rule's role may invoke its destination and lets EventBridge assume it:
//! `verify` reads the role's policies from IAM ([`crate::aws::iam`]) and judges them
//! ([`crate::policy::evaluate`]). A role that refuses, or does not exist, means the rule
//! delivers nothing: an error. A role whose policies could not be read or decided is a note.

use super::Context;
use crate::aws::iam::{Iam, IamReadError, RolePolicies};
use crate::manifest::DestinationSpec;
use crate::outside::Outside;
use crate::plan::verify_report::{RuleError, VerifiedRule};
use crate::policy::evaluate::{self, Verdict};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// The IAM reads verify makes of a rule's role: what the caller needs to check it.
pub(crate) const READS: &str = "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion";

/// What the finding leaves out, always said.
const NOT_READ: &str =
    "its permissions boundary and the organization's service control policies were not read";

/// A role as verify found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoleRead {
    Policies(RolePolicies),
    /// IAM has no such role.
    NoSuchRole,
    /// Why its policies were not read.
    NotRead(String),
}

impl From<Result<RolePolicies, IamReadError>> for RoleRead {
    fn from(read: Result<RolePolicies, IamReadError>) -> Self {
        match read {
            Ok(policies) => RoleRead::Policies(policies),
            Err(IamReadError::NoSuchRole) => RoleRead::NoSuchRole,
            Err(IamReadError::AccessDenied(message)) => RoleRead::NotRead(format!(
                "the caller may not read the role's policy: it needs {READS} ({message})"
            )),
            Err(IamReadError::Other(message)) => {
                RoleRead::NotRead(format!("reading the role's policies failed: {message}"))
            }
        }
    }
}

/// One account's IAM client and the roles read through it in this run: IAM is global, so a
/// role several destinations or Regions share is read once per run, not once per destination
/// (IAM's request quotas are low and per account).
pub(crate) struct RoleReads {
    iam: Iam,
    read: Mutex<HashMap<String, RoleRead>>,
}

impl RoleReads {
    pub(crate) fn new(iam: Iam) -> Self {
        RoleReads {
            iam,
            read: Mutex::default(),
        }
    }

    fn known(&self, role: &str) -> Option<RoleRead> {
        let read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.get(role).cloned()
    }

    fn remember(&self, role: &str, found: &RoleRead) {
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.insert(role.to_string(), found.clone());
    }
}

/// Reads each role the destination's rules name, once a run. A role of another account than
/// the run's is not read (IAM answers GetRole by name, in the caller's account).
pub(crate) async fn read_roles(
    context: &Context,
    reads: &RoleReads,
    destination: &DestinationSpec,
) -> HashMap<String, RoleRead> {
    let mut roles = HashMap::new();
    for rule in &destination.rules {
        if roles.contains_key(&rule.role) {
            continue;
        }
        if let Some(known) = reads.known(&rule.role) {
            roles.insert(rule.role.clone(), known);
            continue;
        }
        let account = crate::aws::arn::arn_account(&rule.role).unwrap_or_default();
        let read = if account == context.place.account {
            context.log.verbose(format!(
                "{}: reading the policies of {} from IAM",
                destination.name, rule.role
            ));
            let found: RoleRead = crate::aws::iam::read_role(&reads.iam, &rule.role)
                .await
                .into();
            reads.remember(&rule.role, &found);
            found
        } else {
            RoleRead::NotRead(format!(
                "the role is in account {account}, and verify reads the roles of the run's account {} only",
                context.place.account
            ))
        };
        roles.insert(rule.role.clone(), read);
    }
    roles
}

/// Where a rule delivers: its account, its ARN, and the ARN of its destination without the
/// identifier EventBridge gives it (`arn:P:events:R:A:api-destination/NAME/`).
pub(crate) struct Route<'a> {
    pub(crate) account: &'a str,
    pub(crate) rule: String,
    pub(crate) destination: &'a str,
}

/// The role's findings onto the rule's result (pure). True when the role keeps the rule from
/// delivering.
pub(crate) fn judge(
    rule: &mut VerifiedRule,
    role: &str,
    read: &RoleRead,
    route: &Route<'_>,
) -> bool {
    let fix = "`provision iam-policy --for rule` prints the role's permission and trust policies";
    let policies = match read {
        RoleRead::Policies(policies) => policies,
        RoleRead::NoSuchRole => {
            return refuse(
                rule,
                format!(
                    "role {role} does not exist: EventBridge cannot assume it, so the rule delivers nothing"
                ),
                format!("create the role ({fix}), or name an existing one in `role:`"),
            );
        }
        RoleRead::NotRead(why) => {
            rule.not_checked.push(
                format!("role: whether {role} may invoke this destination, and lets events.amazonaws.com assume it, was not checked: {why}")
                    .into(),
            );
            return false;
        }
    };
    let permissions = evaluate::parse(&policies.permissions);
    let trust = evaluate::parse(&[("trust policy".to_string(), policies.trust.clone())]);
    let invoke = match &permissions {
        Ok(documents) => evaluate::may_invoke(documents, route.destination),
        Err(verdict) => verdict.clone(),
    };
    let assume = match &trust {
        Ok(documents) => documents
            .first()
            .map(|trust| evaluate::trusts_eventbridge(trust, route.account, &route.rule))
            .unwrap_or_else(|| Verdict::NotChecked("the role has no trust policy".into())),
        Err(verdict) => verdict.clone(),
    };
    let mut refused = false;
    match invoke {
        Verdict::Allowed => rule.checked.push(
            format!("role: {role} may invoke this destination by its own policies ({NOT_READ})")
                .into(),
        ),
        Verdict::Refused(why) => {
            refused = refuse(
                rule,
                format!(
                    "role {role} may not invoke this destination ({}): {why}",
                    evaluate::INVOKE
                ),
                if why.starts_with("denied by") {
                    format!(
                        "remove or narrow that Deny, so the role may call {} on this destination ({NOT_READ})",
                        evaluate::INVOKE
                    )
                } else {
                    format!(
                        "attach the permission policy `provision iam-policy --for rule` prints to the role ({NOT_READ})"
                    )
                },
            );
        }
        Verdict::NotChecked(why) => rule.not_checked.push(
            format!("role: whether {role} may invoke this destination was not checked: {why}")
                .into(),
        ),
    }
    match assume {
        Verdict::Allowed => rule
            .checked
            .push(format!("role: {role} lets events.amazonaws.com assume it").into()),
        Verdict::Refused(why) => {
            refused = refuse(
                rule,
                format!("role {role} does not let EventBridge assume it: {why}"),
                "set the role's trust policy to the one `provision iam-policy --for rule` prints"
                    .to_string(),
            );
        }
        Verdict::NotChecked(why) => rule.not_checked.push(
            format!(
                "role: whether {role} lets events.amazonaws.com assume it was not checked: {why}"
            )
            .into(),
        ),
    }
    refused
}

fn refuse(rule: &mut VerifiedRule, error: String, help: String) -> bool {
    rule.ok = false;
    rule.errors.push(RuleError {
        error: Outside::from(error),
        help: Outside::from(help),
    });
    true
}
