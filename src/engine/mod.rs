//! Runs the commands that talk to AWS: reading live state into a plan, and applying it.
//!
//! Work is spread over connections with bounded concurrency; one connection's failure is
//! recorded with that connection and never stops the others.

pub(crate) mod apply;
pub(crate) mod read;
pub(crate) mod wait;

use crate::resolve::SecretResolver;

/// What the AWS-facing commands share for one run.
pub(crate) struct Context {
    pub(crate) eventbridge: aws_sdk_eventbridge::Client,
    pub(crate) secrets_manager: aws_sdk_secretsmanager::Client,
    pub(crate) resolver: SecretResolver,
    pub(crate) region: String,
    pub(crate) concurrency: usize,
    pub(crate) log: crate::log::Log,
}
