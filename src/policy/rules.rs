//! `iam-policy --for rule` when the files declare rules: the documents that wire each rule to
//! its destination, which the user attaches outside the tool (pure). For each declared role,
//! its permission policy (`events:InvokeApiDestination` on exactly the destinations its rules
//! target) and its trust policy; for each declared dead-letter queue, the statement its queue
//! policy needs.
//!
//! The trust policy lets `events.amazonaws.com` assume the role only for the declared rules:
//! EventBridge user guide, "Cross-service confused deputy prevention in Amazon EventBridge"
//! recommends `aws:SourceArn` and `aws:SourceAccount`, and "for EventBridge event bus rule
//! targets, the value of aws:SourceArn must be the rule ARN". The queue statement follows the
//! EventBridge user guide, "Using dead-letter queues to process undelivered events in
//! EventBridge": `sqs:SendMessage` from `events.amazonaws.com` with `aws:SourceArn` the rule's
//! ARN (`ArnEquals`).

use super::actions::{events, sqs, sts};
use super::document::{Policy, Statement};
use super::named::Named;
use serde::Serialize;

/// The service principal of EventBridge: who assumes a rule's role and sends to its
/// dead-letter queue, and the service `iam:PassedToService` names when the tool passes a role.
pub(super) const PASSED_TO: &str = "events.amazonaws.com";

/// What `--for rule` prints when the files declare rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RuleDocuments {
    pub(crate) roles: Vec<RoleDocuments>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) dead_letter_queues: Vec<QueueStatement>,
}

/// The two policies of one rule role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleDocuments {
    pub(crate) role: String,
    pub(crate) permission_policy: Policy,
    pub(crate) trust_policy: Policy,
}

/// The statement a dead-letter queue's policy needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueueStatement {
    pub(crate) queue: String,
    pub(crate) statement: Statement,
}

fn policy(statement: Statement) -> Policy {
    Policy {
        version: "2012-10-17",
        statement: vec![statement],
        notes: Vec::new(),
    }
}

/// The documents of the declared rules' roles and queues; `None` when no rule is declared.
pub(super) fn documents(named: &Named, account: &str) -> Option<RuleDocuments> {
    if named.roles.is_empty() {
        return None;
    }
    let roles = named
        .roles
        .iter()
        .map(|(role, used)| RoleDocuments {
            role: role.clone(),
            permission_policy: policy(Statement::allow(
                "InvokeApiDestinationsOfItsRules",
                vec![events::INVOKE_API_DESTINATION],
                used.invoked.iter().cloned(),
            )),
            trust_policy: policy(
                Statement::allow_service(
                    "EventBridgeRulesAssume",
                    PASSED_TO,
                    vec![sts::ASSUME_ROLE],
                    [],
                )
                .with_condition("StringEquals", "aws:SourceAccount", [account.to_string()])
                .with_condition(
                    "ArnEquals",
                    "aws:SourceArn",
                    used.rules.iter().cloned(),
                ),
            ),
        })
        .collect();
    let dead_letter_queues = named
        .queues
        .iter()
        .map(|(queue, rules)| QueueStatement {
            queue: queue.clone(),
            statement: Statement::allow_service(
                "EventBridgeRulesDeadLetters",
                PASSED_TO,
                vec![sqs::SEND_MESSAGE],
                [queue.clone()],
            )
            .with_condition("ArnEquals", "aws:SourceArn", rules.iter().cloned()),
        })
        .collect();
    Some(RuleDocuments {
        roles,
        dead_letter_queues,
    })
}
