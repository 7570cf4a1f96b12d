//! The Salesforce edge: the token request as EventBridge makes it, and the advice that turns
//! Salesforce's OAuth errors into the setting that fixes them.

pub(crate) mod hints;
pub(crate) mod token;
