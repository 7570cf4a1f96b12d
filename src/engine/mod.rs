//! Runs the commands that talk to AWS: reading live state into a plan, and applying it.
//!
//! Work is spread over connections with bounded concurrency; one connection's failure is
//! recorded with that connection and never stops the others.

pub mod apply;
pub mod read;
pub mod wait;

use crate::resolve::SecretResolver;

/// What the AWS-facing commands share for one run.
pub struct Context {
    pub eventbridge: aws_sdk_eventbridge::Client,
    pub secrets_manager: aws_sdk_secretsmanager::Client,
    pub resolver: SecretResolver,
    pub region: String,
    pub concurrency: usize,
    pub log: crate::log::Log,
}
