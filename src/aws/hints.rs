//! What to do when an EventBridge write fails, keyed by the operation and AWS's error code: an
//! access-denied on an API destination names the destination's permission, not the
//! connection's. The actions named are the policy's own ([`crate::aws::actions`]).

use crate::aws::actions::{events, secrets_manager};

/// The EventBridge writes `apply` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    CreateConnection,
    UpdateConnection,
    DeleteConnection,
    CreateApiDestination,
    UpdateApiDestination,
    DeleteApiDestination,
}

impl Operation {
    /// The IAM action, as a policy names it.
    pub(crate) fn action(self) -> &'static str {
        match self {
            Operation::CreateConnection => events::CREATE_CONNECTION,
            Operation::UpdateConnection => events::UPDATE_CONNECTION,
            Operation::DeleteConnection => events::DELETE_CONNECTION,
            Operation::CreateApiDestination => events::CREATE_API_DESTINATION,
            Operation::UpdateApiDestination => events::UPDATE_API_DESTINATION,
            Operation::DeleteApiDestination => events::DELETE_API_DESTINATION,
        }
    }

    fn is_destination(self) -> bool {
        matches!(
            self,
            Operation::CreateApiDestination
                | Operation::UpdateApiDestination
                | Operation::DeleteApiDestination
        )
    }
}

/// The hint for `code` answered to `operation`, if there is one to give.
pub(crate) fn hint(operation: Operation, code: Option<&str>) -> Option<String> {
    let what = if operation.is_destination() {
        "API destination"
    } else {
        "connection"
    };
    let hint = match code? {
        "AccessDeniedException" => match operation {
            Operation::CreateConnection | Operation::UpdateConnection => format!(
                "allow {} and {} on the connection (and {}, {} on its managed secret) for the identity running provision; `provision iam-policy` prints the policy",
                operation.action(),
                events::DESCRIBE_CONNECTION,
                secrets_manager::CREATE_SECRET,
                secrets_manager::PUT_SECRET_VALUE
            ),
            // The Service Authorization Reference: creating (and describing) an API
            // destination acts on its connection too.
            Operation::CreateApiDestination => format!(
                "allow {} on the API destination and on its connection for the identity running provision; `provision iam-policy` prints the policy",
                operation.action()
            ),
            other => format!(
                "allow {} on the {what} for the identity running provision; `provision iam-policy` prints the policy",
                other.action()
            ),
        },
        "ResourceAlreadyExistsException" => format!(
            "the {what} was created by someone else meanwhile: run provision again to update it"
        ),
        "LimitExceededException" => format!(
            "the account has reached its {what} quota in this Region (3,000 by default): request an increase in Service Quotas"
        ),
        "ValidationException" => {
            "AWS refused a value: check the field named in the message".to_string()
        }
        "ResourceNotFoundException"
            if operation.is_destination() && operation != Operation::DeleteApiDestination =>
        {
            "the API destination or its connection was deleted meanwhile: run provision again"
                .to_string()
        }
        "ResourceNotFoundException" => {
            format!("the {what} was deleted meanwhile: run provision again to converge")
        }
        "ConcurrentModificationException" => {
            format!("the {what} was being changed by another call: run provision again")
        }
        _ => return None,
    };
    Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Purpose, Request, policy};

    const EVERY_OPERATION: [Operation; 6] = [
        Operation::CreateConnection,
        Operation::UpdateConnection,
        Operation::DeleteConnection,
        Operation::CreateApiDestination,
        Operation::UpdateApiDestination,
        Operation::DeleteApiDestination,
    ];

    /// The `service:Action` words of a text.
    fn actions_named(text: &str) -> Vec<&str> {
        text.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|word| {
                word.split_once(':').is_some_and(|(service, action)| {
                    ["events", "secretsmanager", "kms", "iam"].contains(&service)
                        && action.starts_with(|c: char| c.is_ascii_uppercase())
                })
            })
            .collect()
    }

    #[test]
    fn every_action_a_hint_names_is_one_the_apply_policy_grants() {
        let specs = crate::tests::specs(
            "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ndestinations:\n  - name: orders\n    event: Order__e\n",
        );
        // Every write apply can make: --prune and --replace included.
        let request = Request {
            purpose: Purpose::Apply,
            prune: true,
            replace: true,
            account: "123456789012",
            partition: None,
            name_prefix: None,
            kms_conditions: false,
        };
        let granted = policy(
            &[("us-east-1".to_string(), specs.iter().collect())],
            &request,
        )
        .unwrap()
        .statement
        .into_iter()
        .flat_map(|statement| statement.action)
        .collect::<Vec<_>>();
        for operation in EVERY_OPERATION {
            let denied = hint(operation, Some("AccessDeniedException")).unwrap();
            let named = actions_named(&denied);
            assert!(named.contains(&operation.action()), "{denied}");
            for action in named {
                assert!(
                    granted.contains(&action),
                    "the hint for {operation:?} names {action}, which the apply policy does not grant: {granted:?}"
                );
            }
        }
    }

    #[test]
    fn an_access_denied_names_the_permission_of_the_operation_that_was_denied() {
        let denied = |op| hint(op, Some("AccessDeniedException")).unwrap();
        assert!(
            denied(Operation::UpdateApiDestination)
                .starts_with("allow events:UpdateApiDestination on the API destination")
        );
        assert!(
            denied(Operation::CreateApiDestination)
                .contains("on the API destination and on its connection")
        );
        assert!(
            denied(Operation::DeleteConnection)
                .starts_with("allow events:DeleteConnection on the connection")
        );
        assert!(denied(Operation::CreateConnection).starts_with("allow events:CreateConnection"));
        assert!(!denied(Operation::UpdateApiDestination).contains("CreateConnection"));
    }

    #[test]
    fn quotas_and_races_name_the_kind() {
        assert!(
            hint(
                Operation::CreateApiDestination,
                Some("LimitExceededException")
            )
            .unwrap()
            .contains("API destination quota")
        );
        assert_eq!(
            hint(Operation::CreateConnection, Some("SomethingElse")),
            None
        );
        assert_eq!(hint(Operation::CreateConnection, None), None);
    }
}
