//! The IAM actions provision's calls need, spelled once: the policy's statements grant them,
//! and every message that asks for a permission (the hints of a failed write, an access denied
//! while reading) names them from here, so no message can name an action the policy does not
//! know.

/// Amazon EventBridge.
pub(crate) mod events {
    pub(crate) const LIST_CONNECTIONS: &str = "events:ListConnections";
    pub(crate) const DESCRIBE_CONNECTION: &str = "events:DescribeConnection";
    pub(crate) const CREATE_CONNECTION: &str = "events:CreateConnection";
    pub(crate) const UPDATE_CONNECTION: &str = "events:UpdateConnection";
    pub(crate) const DELETE_CONNECTION: &str = "events:DeleteConnection";
    pub(crate) const LIST_API_DESTINATIONS: &str = "events:ListApiDestinations";
    pub(crate) const DESCRIBE_API_DESTINATION: &str = "events:DescribeApiDestination";
    pub(crate) const CREATE_API_DESTINATION: &str = "events:CreateApiDestination";
    pub(crate) const UPDATE_API_DESTINATION: &str = "events:UpdateApiDestination";
    pub(crate) const DELETE_API_DESTINATION: &str = "events:DeleteApiDestination";
    pub(crate) const INVOKE_API_DESTINATION: &str = "events:InvokeApiDestination";
    pub(crate) const LIST_RULES: &str = "events:ListRules";
    pub(crate) const LIST_RULE_NAMES_BY_TARGET: &str = "events:ListRuleNamesByTarget";
    pub(crate) const DESCRIBE_RULE: &str = "events:DescribeRule";
    pub(crate) const LIST_TARGETS_BY_RULE: &str = "events:ListTargetsByRule";
    pub(crate) const LIST_TAGS_FOR_RESOURCE: &str = "events:ListTagsForResource";
    pub(crate) const PUT_RULE: &str = "events:PutRule";
    pub(crate) const PUT_TARGETS: &str = "events:PutTargets";
    pub(crate) const REMOVE_TARGETS: &str = "events:RemoveTargets";
    pub(crate) const DELETE_RULE: &str = "events:DeleteRule";
    pub(crate) const TAG_RESOURCE: &str = "events:TagResource";
}

/// AWS Secrets Manager.
pub(crate) mod secrets_manager {
    pub(crate) const CREATE_SECRET: &str = "secretsmanager:CreateSecret";
    pub(crate) const DESCRIBE_SECRET: &str = "secretsmanager:DescribeSecret";
    pub(crate) const GET_SECRET_VALUE: &str = "secretsmanager:GetSecretValue";
    pub(crate) const PUT_SECRET_VALUE: &str = "secretsmanager:PutSecretValue";
    pub(crate) const UPDATE_SECRET: &str = "secretsmanager:UpdateSecret";
    pub(crate) const UPDATE_SECRET_VERSION_STAGE: &str = "secretsmanager:UpdateSecretVersionStage";
}

/// AWS Key Management Service.
pub(crate) mod kms {
    pub(crate) const DECRYPT: &str = "kms:Decrypt";
    pub(crate) const DESCRIBE_KEY: &str = "kms:DescribeKey";
    pub(crate) const GENERATE_DATA_KEY: &str = "kms:GenerateDataKey";
}

/// AWS Identity and Access Management.
pub(crate) mod iam {
    pub(crate) const CREATE_SERVICE_LINKED_ROLE: &str = "iam:CreateServiceLinkedRole";
    pub(crate) const PASS_ROLE: &str = "iam:PassRole";
}

/// Amazon SQS: what a dead-letter queue's policy lets EventBridge do.
pub(crate) mod sqs {
    pub(crate) const SEND_MESSAGE: &str = "sqs:SendMessage";
}

/// AWS Security Token Service.
pub(crate) mod sts {
    /// What a role's trust policy allows: a run's credentials assuming a target's role, or
    /// EventBridge assuming a rule's role.
    pub(crate) const ASSUME_ROLE: &str = "sts:AssumeRole";
}
