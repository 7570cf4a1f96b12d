//! The External Client Apps declared under `salesforce.app`, as Salesforce DX source trees that
//! `sf project deploy start` deploys: one tree per org, the documents grouped by token host.
//!
//! Pure: [`source_trees`] turns the declared connections into file paths and bytes; the command
//! writes them. The output is deterministic (orgs, apps, files, XML elements and manifest
//! entries sorted; no timestamps), every value is XML-escaped, and no consumer key or secret is
//! ever part of it: Salesforce generates them on deploy, and `salesforce-credentials` carries
//! them to AWS. Field names and folders follow the Metadata API Developer Guide (see
//! `docs/aws-behaviour.md`, "Salesforce External Client Apps").

use crate::error::Problem;
use crate::manifest::ConnectionSpec;
use crate::manifest::app::AppSpec;
use std::collections::BTreeMap;

/// The Metadata API version of the generated source (Summer '25). Every field written exists
/// since 60.0 (Spring '24); see `docs/aws-behaviour.md`.
pub(crate) const API_VERSION: &str = "64.0";

/// The Metadata API's XML namespace.
const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// Where the source lives inside each org's project.
const SOURCE_ROOT: &str = "force-app/main/default";

/// One org's deployable project: its folder name and its files, sorted by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrgTree {
    /// The folder under `--out`: the My Domain name (with `--sandbox` for a sandbox), or the
    /// whole host for any other token host.
    pub(crate) org: String,
    /// The token URL's host.
    pub(crate) host: String,
    /// (path relative to the org's folder, content).
    pub(crate) files: Vec<(String, String)>,
}

/// The folder name of the org a token URL belongs to: `acme.my.salesforce.com` -> `acme`,
/// `acme--uat.sandbox.my.salesforce.com` -> `acme--uat`, anything else -> its host (which has
/// dots, so it never collides with a My Domain name).
pub(crate) fn org_of(token_url: &str) -> (String, String) {
    let host = url::Url::parse(token_url)
        .ok()
        .and_then(|url| {
            url.host_str().map(|host| match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            })
        })
        .unwrap_or_else(|| token_url.to_string());
    let org = host
        .strip_suffix(".sandbox.my.salesforce.com")
        .or_else(|| host.strip_suffix(".my.salesforce.com"))
        .filter(|name| !name.contains('.'))
        .map(str::to_string)
        .unwrap_or_else(|| host.replace(':', "_"));
    (org, host)
}

/// An org's token host and its apps by name, each with the document that declared it first.
type Apps<'a> = (String, BTreeMap<String, (&'a AppSpec, &'a ConnectionSpec)>);

/// The source trees of every org that has at least one app. Two documents of one org that
/// declare the same app name must declare the same app.
pub(crate) fn source_trees(specs: &[ConnectionSpec]) -> Result<Vec<OrgTree>, Vec<Problem>> {
    let mut orgs: BTreeMap<String, Apps> = BTreeMap::new();
    let mut problems = Vec::new();
    for spec in specs {
        let Some(app) = &spec.app else { continue };
        let (org, host) = org_of(&spec.token_url);
        let (_, apps) = orgs
            .entry(org.clone())
            .or_insert_with(|| (host, BTreeMap::new()));
        match apps.get(&app.name) {
            Some((first, _)) if *first == app => {}
            Some((_, declared_by)) => problems.push(
                Problem::new(format!(
                    "the app `{}` of org `{org}` is also declared by connection `{}` ({}), with different settings",
                    app.name, declared_by.name, declared_by.origin
                ))
                .at(spec.origin.clone())
                .field("salesforce.app")
                .help("give one of them another `name`, or declare the same settings in both"),
            ),
            None => {
                apps.insert(app.name.clone(), (app, spec));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(orgs
        .into_iter()
        .map(|(org, (host, apps))| {
            let mut files: Vec<(String, String)> = Vec::new();
            for (app, spec) in apps.values() {
                files.extend(app_files(app, spec));
            }
            files.push(("manifest/package.xml".to_string(), manifest(&apps)));
            files.push(("sfdx-project.json".to_string(), project(&org)));
            files.sort();
            OrgTree { org, host, files }
        })
        .collect())
}

/// The metadata types written for each app: (type, folder, suffix).
const TYPES: &[(&str, &str, &str)] = &[
    ("ExternalClientApplication", "externalClientApps", "eca"),
    (
        "ExtlClntAppConfigurablePolicies",
        "extlClntAppPolicies",
        "ecaPlcy",
    ),
    (
        "ExtlClntAppGlobalOauthSettings",
        "extlClntAppGlobalOauthSets",
        "ecaGlblOauth",
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "extlClntAppOauthPolicies",
        "ecaOauthPlcy",
    ),
    (
        "ExtlClntAppOauthSettings",
        "extlClntAppOauthSettings",
        "ecaOauth",
    ),
];

/// The five component files of one app, each named after the app.
fn app_files(app: &AppSpec, spec: &ConnectionSpec) -> Vec<(String, String)> {
    let name = app.name.as_str();
    let callback = callback_url(&spec.token_url);
    let yes = || "true".to_string();
    let no = || "false".to_string();
    TYPES
        .iter()
        .map(|(kind, folder, suffix)| {
            let fields: Vec<(&str, String)> = match *kind {
                "ExternalClientApplication" => vec![
                    ("contactEmail", app.contact_email.clone()),
                    (
                        "description",
                        format!(
                            "EventBridge connection {} (written by provision)",
                            spec.name
                        ),
                    ),
                    ("distributionState", "Local".to_string()),
                    ("isProtected", no()),
                    ("label", app.label.clone()),
                ],
                "ExtlClntAppConfigurablePolicies" => vec![
                    ("externalClientApplication", name.to_string()),
                    ("isEnabled", yes()),
                    ("isOauthPluginEnabled", yes()),
                    ("label", app.label.clone()),
                ],
                "ExtlClntAppGlobalOauthSettings" => vec![
                    ("callbackUrl", callback.clone()),
                    ("externalClientApplication", name.to_string()),
                    ("isClientCredentialsFlowEnabled", yes()),
                    ("isConsumerSecretOptional", no()),
                    ("isSecretRequiredForRefreshToken", yes()),
                    ("label", app.label.clone()),
                ],
                "ExtlClntAppOauthConfigurablePolicies" => vec![
                    ("clientCredentialsFlowUser", app.run_as_user.clone()),
                    ("externalClientApplication", name.to_string()),
                    ("isClientCredentialsFlowEnabled", yes()),
                    ("label", app.label.clone()),
                    (
                        "permittedUsersPolicyType",
                        app.permitted_users.as_str().to_string(),
                    ),
                ],
                _ => vec![
                    ("commaSeparatedOauthScopes", app.scopes.join(", ")),
                    ("externalClientApplication", name.to_string()),
                    ("label", app.label.clone()),
                ],
            };
            (
                format!("{SOURCE_ROOT}/{folder}/{name}.{suffix}-meta.xml"),
                component(kind, fields),
            )
        })
        .collect()
}

/// The OAuth callback URL on the org's own host (the client credentials flow never calls it;
/// Setup asks for one whenever OAuth is on).
fn callback_url(token_url: &str) -> String {
    match url::Url::parse(token_url) {
        Ok(url) => format!(
            "{}/services/oauth2/callback",
            url.origin().ascii_serialization()
        ),
        Err(_) => token_url.to_string(),
    }
}

/// One metadata component: its fields as elements, sorted by name.
fn component(kind: &str, mut fields: Vec<(&str, String)>) -> String {
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<{kind} xmlns=\"{NAMESPACE}\">\n"));
    for (field, value) in fields {
        out.push_str(&format!("    <{field}>{}</{field}>\n", escape(&value)));
    }
    out.push_str(&format!("</{kind}>\n"));
    out
}

/// `package.xml`: every type with its members, both sorted.
fn manifest<T>(apps: &BTreeMap<String, T>) -> String {
    let mut kinds: Vec<&str> = TYPES.iter().map(|(kind, _, _)| *kind).collect();
    kinds.sort_unstable();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<Package xmlns=\"{NAMESPACE}\">\n"));
    for kind in kinds {
        out.push_str("    <types>\n");
        for name in apps.keys() {
            out.push_str(&format!("        <members>{}</members>\n", escape(name)));
        }
        out.push_str(&format!("        <name>{kind}</name>\n"));
        out.push_str("    </types>\n");
    }
    out.push_str(&format!("    <version>{API_VERSION}</version>\n"));
    out.push_str("</Package>\n");
    out
}

/// `sfdx-project.json` (serde_json's maps keep their keys sorted).
fn project(org: &str) -> String {
    let project = serde_json::json!({
        "name": org,
        "namespace": "",
        "packageDirectories": [{ "default": true, "path": "force-app" }],
        "sourceApiVersion": API_VERSION,
    });
    let mut text = serde_json::to_string_pretty(&project).unwrap_or_default();
    text.push('\n');
    text
}

/// Text as XML character data or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orgs_are_named_after_their_my_domain() {
        assert_eq!(
            org_of("https://acme.my.salesforce.com/services/oauth2/token").0,
            "acme"
        );
        assert_eq!(
            org_of("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token").0,
            "acme--uat"
        );
        assert_eq!(
            org_of("https://acme.develop.my.salesforce.com/services/oauth2/token").0,
            "acme.develop.my.salesforce.com"
        );
        assert_eq!(
            org_of("http://127.0.0.1:8080/services/oauth2/token"),
            ("127.0.0.1_8080".to_string(), "127.0.0.1:8080".to_string())
        );
    }

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    }
}
