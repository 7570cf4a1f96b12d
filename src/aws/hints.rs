//! What to do when an EventBridge write fails, keyed by the operation and AWS's error code: an
//! access-denied on an API destination names the destination's permission, not the
//! connection's.

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
            Operation::CreateConnection => "events:CreateConnection",
            Operation::UpdateConnection => "events:UpdateConnection",
            Operation::DeleteConnection => "events:DeleteConnection",
            Operation::CreateApiDestination => "events:CreateApiDestination",
            Operation::UpdateApiDestination => "events:UpdateApiDestination",
            Operation::DeleteApiDestination => "events:DeleteApiDestination",
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
                "allow {} and events:DescribeConnection on the connection (and secretsmanager:CreateSecret, secretsmanager:PutSecretValue on its managed secret) for the identity running provision; `provision iam-policy` prints the policy",
                operation.action()
            ),
            // The Service Authorization Reference: creating (and describing) an API
            // destination acts on its connection too.
            Operation::CreateApiDestination => "allow events:CreateApiDestination on the API destination and on its connection for the identity running provision; `provision iam-policy` prints the policy".to_string(),
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
        "ValidationException" => "AWS refused a value: check the field named in the message".to_string(),
        "ResourceNotFoundException" if operation.is_destination() && operation != Operation::DeleteApiDestination => {
            "the API destination or its connection was deleted meanwhile: run provision again".to_string()
        }
        "ResourceNotFoundException" => format!(
            "the {what} was deleted meanwhile: run provision again to converge"
        ),
        "ConcurrentModificationException" => format!(
            "the {what} was being changed by another call: run provision again"
        ),
        _ => return None,
    };
    Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

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
