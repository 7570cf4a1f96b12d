//! `provision` keeps Amazon EventBridge connections in line with a folder of YAML files, one
//! Salesforce connected app per document.
//!
//! The layout follows the flow of a run, every arrow pointing down:
//! - [`run`] parses the command line ([`cli`]), resolves it into settings ([`config`]),
//!   dispatches to one module per command ([`commands`]) and picks the exit code;
//! - the pure core: [`manifest`] loads and checks the YAML documents users write, [`resolve`] reads secret references
//!   into the [`desired`] state, [`plan`] compares it with the [`live`] state, [`policy`]
//!   derives the IAM policy a run needs;
//! - [`project`] reads the project file (`provision.yaml`) that pins a folder's set, default
//!   Region, accounts and name prefix; [`coverage`] computes from it, the flags and the files
//!   the Regions a run covers;
//! - [`view`] renders the plan and results, one file per output format, and [`log`] says what
//!   a run is doing; both write through [`term`], the only writes to stdout and stderr (with
//!   the progress bars);
//! - [`engine`] reads live state and executes plans with bounded concurrency, through the two
//!   edges: [`aws`] (EventBridge, Secrets Manager) and [`salesforce`] (token requests, hints);
//! - [`secret`] holds secret values in a type that cannot print itself, and [`parameters`] the
//!   parameter lists every layer shares, [`route`] what a rule hands its target (the input
//!   transformer and its rendering, the retry policy); [`outside`] holds text from AWS, Salesforce or the YAML
//!   in a type that prints itself escaped; [`bounds`] caps how much of any remote answer is read;
//!   [`signal`] is the signal that stopped a run, which errors and the engine both name.
//!
//! Only [`run::main`] is public: everything else is internal, so the compiler finds dead code.

pub(crate) mod aws;
pub(crate) mod bounds;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod coverage;
pub(crate) mod desired;
pub(crate) mod engine;
pub(crate) mod error;
pub(crate) mod key;
pub(crate) mod live;
pub(crate) mod local_files;
pub(crate) mod log;
pub(crate) mod manifest;
pub(crate) mod outside;
pub(crate) mod ownership;
pub(crate) mod parameters;
pub(crate) mod place;
pub(crate) mod plan;
pub(crate) mod policy;
pub(crate) mod project;
pub(crate) mod resolve;
pub(crate) mod route;
pub mod run;
pub(crate) mod salesforce;
pub(crate) mod secret;
pub(crate) mod signal;
pub(crate) mod sources;
pub(crate) mod term;
pub(crate) mod view;

#[cfg(test)]
mod tests;
