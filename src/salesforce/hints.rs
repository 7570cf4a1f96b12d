//! Salesforce-aware advice for a connection that failed to authorize (pure: used by the plan
//! for broken connections and by `apply` for writes that end broken).
//!
//! EventBridge reports Salesforce's OAuth error in `StateReason`; each known error maps to the
//! setting in Salesforce Setup that fixes it.

use crate::live::ConnectionState;

/// Advice for a connection left in `state` with `reason`.
pub(crate) fn for_state(state: &ConnectionState, reason: Option<&str>) -> String {
    let reason = reason.unwrap_or_default().to_ascii_lowercase();
    if *state == ConnectionState::FailedConnectivity {
        return "EventBridge could not reach the token endpoint: check the My Domain host name, and for a private endpoint the VPC Lattice resource configuration".to_string();
    }
    for_token_error(&reason)
}

/// Advice for a token endpoint error text (`error` and `error_description`, any case).
pub(crate) fn for_token_error(text: &str) -> String {
    let text = text.to_ascii_lowercase();
    let advice = if text.contains("no client credentials user enabled") {
        "set a Run As user: in Setup, open the connected app's policies and choose a user under Client Credentials Flow"
    } else if text.contains("request not supported on this domain") {
        "use the org's My Domain token URL (salesforce.myDomain), not login.salesforce.com or test.salesforce.com"
    } else if text.contains("invalid_client_id") || text.contains("client identifier invalid") {
        "Salesforce does not know this consumer key: check clientId, and that the connected app belongs to this org (the right My Domain and sandbox)"
    } else if text.contains("invalid_client") || text.contains("invalid client credentials") {
        "the consumer secret does not match the consumer key: check the clientSecret reference, or the secret after a rotation in Salesforce"
    } else if text.contains("unsupported_grant_type") || text.contains("grant type not supported") {
        "enable the client credentials flow: in the connected app's OAuth settings, select Enable Client Credentials Flow"
    } else if text.contains("inactive") || text.contains("locked") || text.contains("frozen") {
        "the Run As user of the connected app is inactive, frozen or locked: pick an active user in the app's policies"
    } else {
        "in Salesforce Setup check that the connected app has Enable Client Credentials Flow selected, a Run As user set, and that the token URL is the org's My Domain"
    };
    advice.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_salesforce_errors_get_specific_advice() {
        assert!(
            for_state(
                &ConnectionState::Deauthorized,
                Some("invalid_grant: no client credentials user enabled")
            )
            .contains("Run As user")
        );
        assert!(
            for_state(
                &ConnectionState::Deauthorized,
                Some("Unable to authorize connection: invalid_client: invalid client credentials")
            )
            .contains("consumer secret")
        );
        assert!(
            for_state(
                &ConnectionState::Deauthorized,
                Some("invalid_client_id: client identifier invalid")
            )
            .contains("consumer key")
        );
        assert!(
            for_state(
                &ConnectionState::Deauthorized,
                Some("unsupported_grant_type")
            )
            .contains("Enable Client Credentials Flow")
        );
        assert!(for_state(&ConnectionState::FailedConnectivity, None).contains("could not reach"));
        assert!(for_state(&ConnectionState::Deauthorized, None).contains("Run As user"));
    }
}
