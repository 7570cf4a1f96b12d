//! Salesforce's rules for the token endpoint.
//!
//! The client-credentials flow only works against an org's My Domain host. `login.` and
//! `test.salesforce.com` answer `request not supported on this domain`, so they are refused with
//! that reason. Any other host needs the explicit `allowAnyHost` opt-in.
//!
//! A token URL is sent to AWS exactly as written, so it is checked exactly as written too: a
//! URL whose text differs from its canonical form (the `url` crate's serialisation: lower-case
//! host, no default port, no dot segments, `/` not `\\`, no surrounding spaces) is refused with
//! that form as the fix, rather than checked in one form and sent in another.

use super::limits::Violation;
use url::{Host, Url};

pub const TOKEN_PATH: &str = "/services/oauth2/token";

/// A host name label (`myDomain`, `sandbox`) holds at most 63 characters (RFC 1035).
pub const LABEL_MAX: usize = 63;

/// Domains under which My Domain hosts live (production, sandbox and the other partitions).
const MY_DOMAIN_SUFFIXES: &[&str] = &[".my.salesforce.com", ".my.salesforce.mil"];

fn violation(message: impl Into<String>, help: impl Into<String>) -> Violation {
    Violation {
        message: message.into(),
        help: help.into(),
    }
}

/// Builds the token URL from a My Domain name and an optional sandbox name. Host names ignore
/// case; the URL is built in lower case, its canonical form.
pub fn from_my_domain(my_domain: &str, sandbox: Option<&str>) -> String {
    let my_domain = my_domain.to_ascii_lowercase();
    let sandbox = sandbox.map(str::to_ascii_lowercase);
    match sandbox {
        Some(sandbox) => {
            format!("https://{my_domain}--{sandbox}.sandbox.my.salesforce.com{TOKEN_PATH}")
        }
        None => format!("https://{my_domain}.my.salesforce.com{TOKEN_PATH}"),
    }
}

/// `myDomain` is the name only: letters, digits and single hyphens, starting with a letter.
pub fn check_my_domain(name: &str) -> Result<(), Violation> {
    if name.contains(['.', '/']) {
        let what = if name.contains("://") {
            "a URL"
        } else {
            "a host name"
        };
        let suggestion = match my_domain_of(name) {
            Some((domain, Some(sandbox))) => format!(
                "write `myDomain: {domain}` and `sandbox: {sandbox}` (the parts before .sandbox.my.salesforce.com)"
            ),
            Some((domain, None)) => {
                format!("write `myDomain: {domain}` (the part before .my.salesforce.com)")
            }
            None => {
                "write the My Domain name only (the part before .my.salesforce.com)".to_string()
            }
        };
        return Err(violation(
            format!("`{name}` is {what}; myDomain takes the My Domain name only"),
            format!("{suggestion}, or use `tokenUrl` for a full URL"),
        ));
    }
    check_label("myDomain", name)?;
    if name.contains("--") {
        return Err(violation(
            format!(
                "`{name}` contains `--`, which separates the My Domain name from a sandbox name"
            ),
            "put the sandbox name in `sandbox` instead",
        ));
    }
    Ok(())
}

/// The My Domain name (and sandbox name) inside a URL or host written where the name alone
/// belongs: `https://acme.my.salesforce.com/x` gives `acme`, `acme--uat.sandbox.my…` gives
/// `acme` and `uat`. `None` when no name can be told from it.
fn my_domain_of(written: &str) -> Option<(&str, Option<&str>)> {
    let after_scheme = written.split_once("://").map_or(written, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let label = host.split(['.', ':']).next()?;
    let (domain, sandbox) = match label.split_once("--") {
        Some((domain, sandbox)) => (domain, Some(sandbox)),
        None => (label, None),
    };
    let fits = check_label("myDomain", domain).is_ok()
        && sandbox.is_none_or(|sandbox| check_sandbox(sandbox).is_ok());
    fits.then_some((domain, sandbox))
}

/// A sandbox name: letters and digits, starting with a letter.
pub fn check_sandbox(name: &str) -> Result<(), Violation> {
    check_label("sandbox", name)?;
    if name.contains('-') {
        return Err(violation(
            format!("`{name}` contains `-`; Salesforce sandbox names are letters and digits only"),
            "use the sandbox name as shown in Setup > Sandboxes",
        ));
    }
    Ok(())
}

fn check_label(field: &str, name: &str) -> Result<(), Violation> {
    if name.is_empty() {
        return Err(violation(
            format!("{field} is empty"),
            format!("set {field} to the name, e.g. `acme`"),
        ));
    }
    if name.len() > LABEL_MAX {
        return Err(violation(
            format!(
                "{field} is {} characters long; a host name label holds at most {LABEL_MAX}",
                name.len()
            ),
            "check the name in Setup > My Domain",
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(violation(
            format!("{field} `{name}` contains `{bad}`, which cannot be part of a host name"),
            "use letters, digits and hyphens only, as shown in Setup > My Domain",
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || name.ends_with('-') {
        return Err(violation(
            format!("{field} `{name}` must start with a letter and not end with `-`"),
            "use the name as shown in Setup > My Domain",
        ));
    }
    Ok(())
}

/// Checks an explicit token URL. `allow_any_host` is the user's opt-in for hosts other than
/// My Domain hosts and for plain http on a loopback address.
pub fn check_token_url(raw: &str, allow_any_host: bool) -> Result<(), Violation> {
    let url = Url::parse(raw).map_err(|error| {
        violation(
            format!("`{raw}` is not a valid URL ({error})"),
            format!("write it as https://<MyDomain>.my.salesforce.com{TOKEN_PATH}"),
        )
    })?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.scheme() {
        "https" => {}
        "http" if allow_any_host && is_loopback(&url) => {}
        "http" => {
            return Err(violation(
                "the token URL uses http://; EventBridge and Salesforce need https",
                "use https:// (plain http is only allowed for a loopback test endpoint with `salesforce.allowAnyHost: true`)",
            ));
        }
        other => {
            return Err(violation(
                format!("the token URL scheme `{other}` is not https"),
                "use https://",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(violation(
            "the token URL contains credentials",
            "remove the user:password@ part; credentials belong in clientId and clientSecret",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(violation(
            "the token URL has a query string or fragment",
            "remove it; put extra token request parameters under `oauth.query`",
        ));
    }
    let bare = host.trim_end_matches('.');
    if bare == "login.salesforce.com" || bare == "test.salesforce.com" {
        let host = bare;
        return Err(violation(
            format!(
                "{host} does not support the client credentials flow (Salesforce answers `invalid_grant: request not supported on this domain`)"
            ),
            "use your org's My Domain: `salesforce.myDomain: <name>` (and `sandbox: <name>` for a sandbox)",
        ));
    }
    if let Some(Host::Domain(name)) = url.host()
        && (name.starts_with('.') || name.ends_with('.') || name.contains(".."))
    {
        let labels: Vec<&str> = name.split('.').filter(|label| !label.is_empty()).collect();
        let mut fixed = url.clone();
        let help = match fixed.set_host(Some(&labels.join("."))) {
            Ok(()) if !labels.is_empty() => format!("write it as {fixed}"),
            _ => "write the host name without empty parts".to_string(),
        };
        let what = if name.ends_with('.') && !name[..name.len() - 1].contains("..") {
            "ends with `.`".to_string()
        } else {
            "has an empty part (`..`)".to_string()
        };
        return Err(violation(
            format!("the token URL host `{name}` {what}"),
            help,
        ));
    }
    if !allow_any_host {
        if host.ends_with(".lightning.force.com") {
            let name = host.trim_end_matches(".lightning.force.com");
            return Err(violation(
                format!("{host} is the Lightning UI host, not the token endpoint's host"),
                format!("use the My Domain host: https://{name}.my.salesforce.com{TOKEN_PATH}"),
            ));
        }
        if !MY_DOMAIN_SUFFIXES
            .iter()
            .any(|suffix| host.ends_with(suffix))
        {
            return Err(violation(
                format!("{host} is not a Salesforce My Domain host (*.my.salesforce.com)"),
                "use your org's My Domain host, or set `salesforce.allowAnyHost: true` to use this host on purpose (a proxy or private endpoint)",
            ));
        }
    }
    if url.path() != TOKEN_PATH {
        return Err(violation(
            format!(
                "the token URL path is `{}`; the client credentials token endpoint is `{TOKEN_PATH}`",
                url.path()
            ),
            format!("use https://{host}{TOKEN_PATH}"),
        ));
    }
    if let Some(port) = url.port()
        && !allow_any_host
    {
        let mut fixed = url.clone();
        let _ = fixed.set_port(None);
        return Err(violation(
            format!(
                "the token URL names port {port}; My Domain hosts serve the token endpoint on the https port"
            ),
            format!(
                "write it as {fixed}, or set `salesforce.allowAnyHost: true` for a proxy or local endpoint on another port"
            ),
        ));
    }
    if url.as_str() != raw {
        let canonical = url.as_str();
        let message = if raw.trim() != raw {
            "the token URL has spaces around it; AWS would send them as written".to_string()
        } else {
            format!(
                "the token URL is not written in its canonical form `{canonical}`; it is checked in that form, but AWS would send it as written"
            )
        };
        return Err(violation(message, format!("write it as {canonical}")));
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_production_and_sandbox_urls() {
        assert_eq!(
            from_my_domain("acme", None),
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        assert_eq!(
            from_my_domain("acme", Some("uat")),
            "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token"
        );
    }

    #[test]
    fn built_urls_are_canonical_and_valid() {
        for (my_domain, sandbox) in [
            ("acme", None),
            ("acme-corp", Some("uat2")),
            ("Acme", Some("UAT")),
            ("a", None),
        ] {
            let url = from_my_domain(my_domain, sandbox);
            assert_eq!(Url::parse(&url).unwrap().as_str(), url);
            assert_eq!(check_token_url(&url, false), Ok(()), "{url}");
        }
        assert_eq!(
            from_my_domain("Acme", Some("UAT")),
            "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token"
        );
    }

    #[test]
    fn a_url_written_other_than_its_canonical_form_is_refused_with_that_form() {
        let canonical = "https://acme.my.salesforce.com/services/oauth2/token";
        for raw in [
            " https://acme.my.salesforce.com/services/oauth2/token",
            "https://acme.my.salesforce.com/services/oauth2/token ",
            "https:acme.my.salesforce.com/services/oauth2/token",
            "https:/acme.my.salesforce.com/services/oauth2/token",
            "https:\\\\acme.my.salesforce.com\\services\\oauth2\\token",
            "https://acme.my.salesforce.com/services/./oauth2/token",
            "https://acme.my.salesforce.com/services/x/../oauth2/token",
            "https://ACME.My.Salesforce.com/services/oauth2/token",
            "HTTPS://acme.my.salesforce.com/services/oauth2/token",
            "https://acme.my.salesforce.com:443/services/oauth2/token",
            "https://acme%2Emy.salesforce.com/services/oauth2/token",
            "https://@acme.my.salesforce.com/services/oauth2/token",
        ] {
            for allow_any_host in [false, true] {
                let error = check_token_url(raw, allow_any_host).unwrap_err();
                assert_eq!(error.help, format!("write it as {canonical}"), "{raw}");
            }
        }
    }

    #[test]
    fn empty_host_labels_and_a_trailing_dot_are_refused() {
        let error = check_token_url(
            "https://acme..my.salesforce.com/services/oauth2/token",
            true,
        )
        .unwrap_err();
        assert!(error.message.contains("empty part"), "{}", error.message);
        assert_eq!(
            error.help,
            "write it as https://acme.my.salesforce.com/services/oauth2/token"
        );
        for allow_any_host in [false, true] {
            let error = check_token_url(
                "https://acme.my.salesforce.com./services/oauth2/token",
                allow_any_host,
            )
            .unwrap_err();
            assert!(error.message.contains("ends with `.`"), "{}", error.message);
        }
    }

    #[test]
    fn another_port_needs_the_opt_in() {
        let url = "https://acme.my.salesforce.com:8443/services/oauth2/token";
        let error = check_token_url(url, false).unwrap_err();
        assert!(error.message.contains("port 8443"), "{}", error.message);
        assert!(
            error
                .help
                .starts_with("write it as https://acme.my.salesforce.com/services/oauth2/token,")
        );
        assert_eq!(check_token_url(url, true), Ok(()));
        assert_eq!(
            check_token_url("http://127.0.0.1:40123/services/oauth2/token", true),
            Ok(())
        );
        assert_eq!(
            check_token_url("http://localhost:40123/services/oauth2/token", true),
            Ok(())
        );
    }

    #[test]
    fn a_url_or_host_as_my_domain_suggests_the_name_in_it() {
        let help = |written: &str| check_my_domain(written).unwrap_err().help;
        for written in [
            "https://initech.my.salesforce.com",
            "https://initech.my.salesforce.com/",
            "https://initech.my.salesforce.com/services/oauth2/token",
            "initech.my.salesforce.com",
            "https://user@initech.my.salesforce.com:443/x",
            "initech.lightning.force.com",
        ] {
            assert!(
                help(written).starts_with("write `myDomain: initech` (the part before"),
                "{written}: {}",
                help(written)
            );
        }
        assert!(
            help("https://initech--uat.sandbox.my.salesforce.com")
                .starts_with("write `myDomain: initech` and `sandbox: uat`")
        );
        assert!(
            check_my_domain("https://initech.my.salesforce.com")
                .unwrap_err()
                .message
                .contains("is a URL")
        );
        // Nothing that could be a name: no guess.
        assert!(help("https://.my.salesforce.com").starts_with("write the My Domain name only"));
    }

    #[test]
    fn accepts_my_domain_hosts_of_every_partition() {
        for url in [
            "https://acme.my.salesforce.com/services/oauth2/token",
            "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token",
            "https://acme-dev-ed.develop.my.salesforce.com/services/oauth2/token",
        ] {
            assert!(check_token_url(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn refuses_login_and_test_hosts_even_with_the_opt_in() {
        for host in ["login.salesforce.com", "test.salesforce.com"] {
            let url = format!("https://{host}/services/oauth2/token");
            let error = check_token_url(&url, true).unwrap_err();
            assert!(
                error
                    .message
                    .contains("request not supported on this domain"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn other_hosts_need_the_opt_in() {
        let url = "https://proxy.example.com/services/oauth2/token";
        assert!(check_token_url(url, false).is_err());
        assert!(check_token_url(url, true).is_ok());
    }

    #[test]
    fn http_only_on_loopback_with_the_opt_in() {
        let url = "http://127.0.0.1:8080/services/oauth2/token";
        assert!(check_token_url(url, false).is_err());
        assert!(check_token_url(url, true).is_ok());
        assert!(check_token_url("http://proxy.example.com/services/oauth2/token", true).is_err());
    }

    #[test]
    fn refuses_other_paths() {
        let error = check_token_url(
            "https://acme.my.salesforce.com/services/oauth2/authorize",
            false,
        )
        .unwrap_err();
        assert!(error.message.contains("/services/oauth2/authorize"));
    }

    #[test]
    fn my_domain_names_form_host_labels() {
        assert!(check_my_domain("acme-corp").is_ok());
        assert!(
            check_my_domain("acme.my.salesforce.com")
                .unwrap_err()
                .help
                .contains("myDomain: acme")
        );
        assert!(check_my_domain("acme--uat").is_err());
        assert!(check_my_domain("acme_corp").is_err());
        assert!(check_sandbox("uat2").is_ok());
        assert!(check_sandbox("u-at").is_err());
    }
}
