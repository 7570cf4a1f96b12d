//! The Salesforce edge: the token request as EventBridge makes it, the advice that turns
//! Salesforce's OAuth errors into the setting that fixes them, the External Client App as
//! metadata source, the Connect REST calls that read its consumer key and secret, and the
//! REST reads (and the one opt-in publish) that tell whether an API destination can deliver.

pub(crate) mod connect;
pub(crate) mod hints;
pub(crate) mod http;
pub(crate) mod metadata;
pub(crate) mod rest;
pub(crate) mod staged;
pub(crate) mod token;
