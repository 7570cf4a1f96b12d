//! `salesforce:`: the org's token URL, from `myDomain` (and `sandbox`) or `tokenUrl`, and the
//! External Client App beside it.

use super::walker::{At, Walker, child, kind, lookup};
use crate::manifest::app::AppSpec;
use crate::manifest::keys;
use crate::manifest::limits;
use crate::manifest::token_url;
use crate::manifest::yaml::Segment;
use serde_yaml::Value;

impl Walker<'_> {
    /// `salesforce:`: the token URL, and the External Client App when `app` is declared. Both
    /// are checked whatever the other's problems, so every problem is reported at once.
    pub(super) fn salesforce(
        &mut self,
        value: &Value,
        path: &[Segment],
        connection: Option<&str>,
    ) -> Option<(String, Option<AppSpec>)> {
        let entries = self.mapping(value, path, keys::SALESFORCE)?;
        let app = match lookup(&entries, "app") {
            None => Some(None),
            Some(value) => self.app(value, &child(path, "app"), connection).map(Some),
        };
        let token_url = self.token_url(&entries, path);
        Some((token_url?, app?))
    }

    pub(super) fn token_url(
        &mut self,
        entries: &[(String, &Value)],
        path: &[Segment],
    ) -> Option<String> {
        let allow_any_host = match lookup(entries, "allowAnyHost") {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                self.report(
                    &child(path, "allowAnyHost"),
                    At::Value,
                    format!("expected true or false, found {}", kind(other)),
                    "write `allowAnyHost: true` or remove it",
                );
                return None;
            }
        };
        let my_domain = lookup(entries, "myDomain");
        let token_url = lookup(entries, "tokenUrl");
        let sandbox = lookup(entries, "sandbox");
        match (my_domain, token_url) {
            (Some(_), Some(_)) => {
                self.report(
                    &child(path, "tokenUrl"),
                    At::Key,
                    "both `myDomain` and `tokenUrl` are set",
                    "keep one: `myDomain` (with optional `sandbox`) builds the URL, `tokenUrl` gives it whole",
                );
                None
            }
            (None, None) if self.misspelt(path, "myDomain") || self.misspelt(path, "tokenUrl") => {
                None
            }
            (None, None) => {
                self.report(
                    path,
                    At::Key,
                    "missing `myDomain` (or `tokenUrl`)",
                    "add `myDomain: <name>` (from Setup > My Domain), or `tokenUrl: https://<name>.my.salesforce.com/services/oauth2/token`",
                );
                None
            }
            (Some(my_domain), None) => {
                let domain_path = child(path, "myDomain");
                let name = self.string(my_domain, &domain_path)?;
                let name_ok = self.check(&domain_path, token_url::check_my_domain(&name));
                let sandbox = match sandbox {
                    Some(value) => {
                        let sandbox_path = child(path, "sandbox");
                        let sandbox = self.string(value, &sandbox_path)?;
                        self.check(&sandbox_path, token_url::check_sandbox(&sandbox))
                            .then_some(Some(sandbox))?
                    }
                    None => None,
                };
                name_ok.then(|| token_url::from_my_domain(&name, sandbox.as_deref()))
            }
            (None, Some(url)) => {
                if sandbox.is_some() {
                    self.report(
                        &child(path, "sandbox"),
                        At::Key,
                        "`sandbox` only works with `myDomain`",
                        "remove `sandbox` and put the sandbox host in `tokenUrl`, or use `myDomain` with `sandbox`",
                    );
                    return None;
                }
                let url_path = child(path, "tokenUrl");
                let url = self.string(url, &url_path)?;
                let ok = self.check(&url_path, limits::check_endpoint_length(&url))
                    && self.check(&url_path, token_url::check_token_url(&url, allow_any_host));
                ok.then_some(url)
            }
        }
    }
}
