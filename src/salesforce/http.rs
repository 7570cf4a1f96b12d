//! The HTTP client of the Salesforce edge (the token request, the REST and Connect REST
//! calls), on the AWS SDK's TLS stack.
//!
//! reqwest is built without a crypto provider of its own: its TLS (rustls 0.23, like the
//! SDK's HTTPS client) uses aws-lc-rs, the provider the SDK's client already builds, so one
//! crypto library is compiled and both clients negotiate alike. reqwest takes rustls's
//! process-wide default provider and installs none itself (it panics when there is none):
//! every Salesforce client is started here, which installs it first.

use rustls::crypto::{CryptoProvider, aws_lc_rs};

/// A reqwest client builder whose TLS uses the SDK's crypto provider (aws-lc-rs, with the
/// key exchange groups the SDK's client offers).
pub(crate) fn client_builder() -> reqwest::ClientBuilder {
    if CryptoProvider::get_default().is_none() {
        // Fails only when another thread installed it first: the same provider, from here.
        let _ = aws_lc_rs::default_provider().install_default();
    }
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reqwest panics ("No provider set") when it builds a client and no provider is
    /// installed; a client built here finds the SDK's.
    #[test]
    fn a_client_builds_on_the_sdk_crypto_provider() {
        client_builder().build().expect("a client");
        let installed = CryptoProvider::get_default().expect("a provider is installed");
        let groups = |provider: &CryptoProvider| -> Vec<String> {
            provider
                .kx_groups
                .iter()
                .map(|group| format!("{:?}", group.name()))
                .collect()
        };
        assert_eq!(groups(installed), groups(&aws_lc_rs::default_provider()));
    }
}
