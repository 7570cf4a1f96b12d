//! `provision` keeps Amazon EventBridge connections in line with a folder of YAML files, one
//! Salesforce connected app per document.
//!
//! The layout follows the flow of a run:
//! - [`cli`] mirrors the command line, [`config`] resolves it into settings, [`run`] dispatches
//!   and is the only place that prints errors and picks the exit code;
//! - [`spec`] loads and checks the YAML (pure), [`resolve`] turns it into the [`desired`]
//!   state, [`plan`] compares desired with [`live`] state (pure) and renders the result;
//! - [`engine`] reads live state and applies plans through the AWS edge in [`aws`];
//! - [`hints`] turns Salesforce's OAuth errors into the setting that fixes them;
//! - [`secret`] holds secret values in a type that cannot print itself.

pub mod aws;
pub mod cli;
pub mod config;
pub mod desired;
pub mod engine;
pub mod error;
pub mod hints;
pub mod live;
pub mod log;
pub mod plan;
pub mod resolve;
pub mod run;
pub mod secret;
pub mod spec;
pub mod verify;
