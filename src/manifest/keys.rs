//! The keys of a connection document, in one table per mapping: their names, whether they are
//! required, and what they mean.
//!
//! One definition drives everything about a key (the habit of ripgrep's `flags/defs.rs`):
//! [`convert`](super::convert) accepts exactly these keys (and suggests them for misspellings),
//! [`schema`](super::schema) describes exactly these keys in the JSON Schema, and a test checks
//! that the guide's connection document (docs/guide.md) names every one of them. The
//! descriptions are that document's comments, written out.
//!
//! A key's limits (lengths, ranges, patterns) are named constants beside the check that
//! applies them: AWS's in [`limits`](super::limits), Salesforce's in
//! [`token_url`](super::token_url), [`app`](super::app) and
//! [`destination_rules`](super::destination_rules). The checks `convert` calls and the shapes
//! `schema` writes read those same constants (a test holds each schema limit to the parser's
//! verdict at and past it), and a test here holds the limits the descriptions quote to them.

pub(crate) use crate::key::{Key, Keys};

const fn required(name: &'static str, description: &'static str) -> Key {
    Key {
        name,
        required: true,
        description,
    }
}

const fn optional(name: &'static str, description: &'static str) -> Key {
    Key {
        name,
        required: false,
        description,
    }
}

/// A connection document.
pub const TOP: Keys = &[
    required(
        "name",
        "EventBridge connection name: 1-64 of . - _ A-Z a-z 0-9, unique across all files.",
    ),
    optional(
        "description",
        "Optional description; provision appends \"[managed by provision]\", and both together fit in AWS's 512 characters.",
    ),
    required(
        "salesforce",
        "The org's token endpoint: `myDomain` (with an optional `sandbox`), or `tokenUrl`.",
    ),
    required(
        "clientId",
        "Consumer key of the connected app (it starts with 3MVG): a literal or a secret reference.",
    ),
    required(
        "clientSecret",
        "Consumer secret of the connected app: always a secret reference, never a literal.",
    ),
    optional(
        "oauth",
        "Optional extra parameters on the token request (`headers`, `query`, `body`).",
    ),
    optional(
        "invocation",
        "Optional parameters on every API destination call (`headers`, `query`, `body`).",
    ),
    optional(
        "kmsKey",
        "Optional customer managed KMS key (key id, key ARN, alias/name or alias ARN), tagged EventBridgeApiDestinations=true.",
    ),
    optional(
        "privateLink",
        "Optional: reach the token endpoint through a VPC Lattice resource configuration.",
    ),
    optional(
        "regions",
        "Optional: the connection exists in each of these Regions (default: the default Region of the run).",
    ),
    optional(
        "destinations",
        "Optional: EventBridge API destinations on this org, each posting to a Platform Event, an sObject or a REST path with this connection's credentials.",
    ),
];

/// One item of `destinations:`.
pub const DESTINATION: Keys = &[
    required(
        "name",
        "API destination name: 1-64 of . - _ A-Z a-z 0-9, unique across all files.",
    ),
    optional(
        "description",
        "Optional description; provision appends its ownership marker.",
    ),
    optional(
        "event",
        "A Platform Event API name (`Order_Placed__e`): posts to /services/data/<apiVersion>/sobjects/<event>. Exactly one of `event`, `sobject`, `path`.",
    ),
    optional(
        "sobject",
        "An sObject API name (`Case`): posts to /services/data/<apiVersion>/sobjects/<sobject>.",
    ),
    optional(
        "path",
        "A REST path under /services/ on the org's My Domain host (`/services/apexrest/orders`).",
    ),
    optional(
        "apiVersion",
        "Optional Salesforce API version, vNN.N (default v62.0).",
    ),
    optional(
        "rateLimitPerSecond",
        "Optional invocations per second, at least 1 (default 300, AWS's default quota; a higher rate needs the quota raised).",
    ),
];

/// `salesforce.app:`, the External Client App.
pub const APP: Keys = &[
    optional(
        "name",
        "Optional API name of the External Client App (default derived from the connection name).",
    ),
    optional("label", "Optional label (default the connection name)."),
    required("contactEmail", "The app's contact email."),
    required(
        "runAsUser",
        "Username of the client credentials Run As user; Salesforce requires the API Only permission.",
    ),
    optional("scopes", "Optional OAuth scopes (default [Api])."),
    optional(
        "permittedUsers",
        "Optional: AdminApprovedPreAuthorized (default) or AllSelfAuthorized.",
    ),
];

/// `salesforce:`.
pub const SALESFORCE: Keys = &[
    optional(
        "myDomain",
        "My Domain name (Setup > My Domain): `acme` -> https://acme.my.salesforce.com/services/oauth2/token.",
    ),
    optional(
        "sandbox",
        "Optional sandbox name, with `myDomain`: `uat` -> https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token.",
    ),
    optional(
        "tokenUrl",
        "Instead of `myDomain`: the token URL in full, https://<name>.my.salesforce.com/services/oauth2/token.",
    ),
    optional(
        "allowAnyHost",
        "Opt in to a non-My-Domain https host for `tokenUrl` (a proxy), or http on a loopback address.",
    ),
    optional(
        "app",
        "Optional: the External Client App as code (`provision salesforce-metadata` writes it).",
    ),
];

/// A secret reference (`clientSecret`, and `clientId` or a parameter value written as one), in
/// the order the "allowed keys" help lists them: each source's key, then their options (one
/// table, [`crate::sources::SOURCES`]).
pub const SECRET_REFERENCE: Keys = &crate::sources::KEYS;

/// `oauth:` and `invocation:`.
pub const PARAMETER_BLOCK: Keys = &[
    optional(
        "headers",
        "HTTP headers: `Name: value` pairs; a plain value is sent as is, a secret reference is sent as a secret value.",
    ),
    optional(
        "query",
        "Query string parameters: `name: value` pairs; a plain value or a secret reference.",
    ),
    optional(
        "body",
        "Body parameters: `name: value` pairs; a plain value or a secret reference. On the token request grant_type=client_credentials is always sent and cannot be overridden.",
    ),
];

/// `privateLink:`.
pub const PRIVATE_LINK: Keys = &[
    required(
        "resourceConfigurationArn",
        "ARN of the VPC Lattice resource configuration, arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...; it serves both the API calls and the token request.",
    ),
    optional(
        "tokenEndpoint",
        "Optional: `public` keeps the token request on the internet (rare); default `private`, through the resource configuration.",
    ),
];

/// The project file, `provision.yaml` (see [`crate::project`]): settings of the whole folder,
/// never a connection document. A later setting is one line here.
pub const PROJECT: Keys = &[
    optional(
        "set",
        "The ownership set of everything this folder declares (1-32 of a-z 0-9 -): its marker ends every description, and only its connections are pruned. `--prune` needs a set other than `default`.",
    ),
    optional(
        "defaultRegion",
        "The Region of every document without `regions:`, whatever AWS_REGION, the profile or --region say (--region can only narrow the run).",
    ),
    optional(
        "accounts",
        "The 12-digit AWS accounts this folder may touch: every command that calls AWS checks the caller's account (sts:GetCallerIdentity) first and refuses any other.",
    ),
    optional(
        "namePrefix",
        "Every connection and API destination of this folder starts with this: `validate` refuses other names, and finding this set's undeclared connections lists and describes only these.",
    ),
    optional(
        "extraRegions",
        "Region codes to accept although this build of provision does not know them (a Region opened after its release).",
    ),
];

/// Every table, by the path of the mapping it describes.
#[cfg(test)]
pub const TABLES: &[(&str, Keys)] = &[
    ("", TOP),
    ("salesforce", SALESFORCE),
    ("(secret reference)", SECRET_REFERENCE),
    ("oauth / invocation", PARAMETER_BLOCK),
    ("privateLink", PRIVATE_LINK),
    ("destinations[]", DESTINATION),
    ("salesforce.app", APP),
];

/// The names of a table, in order.
pub fn names(keys: Keys) -> impl Iterator<Item = &'static str> {
    keys.iter().map(|key| key.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ```yaml block of the guide's "The connection document".
    fn guide_connection_document() -> &'static str {
        let guide = include_str!("../../docs/guide.md");
        let section = guide
            .split("## The connection document")
            .nth(1)
            .expect("the guide has a connection document");
        let block = section
            .split("```yaml\n")
            .nth(1)
            .expect("the reference has a yaml block");
        block.split("```").next().unwrap_or_default()
    }

    #[test]
    fn the_guide_connection_document_names_every_key() {
        let reference = guide_connection_document();
        for (table, keys) in TABLES {
            for key in *keys {
                assert!(
                    reference.contains(&format!("{}:", key.name)),
                    "the guide's connection document does not show `{}` ({table})",
                    key.name
                );
            }
        }
    }

    #[test]
    fn the_guide_shows_every_key_of_the_project_file() {
        let guide = include_str!("../../docs/guide.md");
        let section = guide
            .split("## The project file (`provision.yaml`)")
            .nth(1)
            .expect("the guide has a project file section");
        let block = section.split("```yaml\n").nth(1).unwrap_or_default();
        let block = block.split("```").next().unwrap_or_default();
        for key in PROJECT {
            assert!(
                block.contains(&format!("{}:", key.name))
                    && section.contains(&format!("**`{}`**", key.name)),
                "the guide's project file section does not show and explain `{}`",
                key.name
            );
            assert!(!key.description.trim().is_empty(), "{}", key.name);
        }
    }

    /// The descriptions are prose, so a test holds the limits they quote to the constants the
    /// checks and the schema read.
    #[test]
    fn descriptions_quote_the_limits_the_checks_apply() {
        use crate::manifest::destination_rules::{DEFAULT_RATE_LIMIT, RATE_LIMIT_MIN};
        use crate::manifest::limits::{DESCRIPTION_MAX, NAME_MAX};
        use crate::ownership::SET_NAME_MAX;
        let described = |table: Keys, name: &str, quote: String| {
            let key = table.iter().find(|key| key.name == name);
            assert!(
                key.is_some_and(|key| key.description.contains(&quote)),
                "the description of `{name}` does not say `{quote}`"
            );
        };
        described(TOP, "name", format!("1-{NAME_MAX} of"));
        described(DESTINATION, "name", format!("1-{NAME_MAX} of"));
        described(
            TOP,
            "description",
            format!("AWS's {DESCRIPTION_MAX} characters"),
        );
        described(
            DESTINATION,
            "rateLimitPerSecond",
            format!("at least {RATE_LIMIT_MIN} (default {DEFAULT_RATE_LIMIT},"),
        );
        described(PROJECT, "set", format!("1-{SET_NAME_MAX} of"));
    }

    #[test]
    fn every_key_is_described_and_named_once() {
        for (table, keys) in TABLES {
            let mut seen: Vec<&str> = Vec::new();
            for key in *keys {
                assert!(
                    !key.description.trim().is_empty(),
                    "{table}.{} has no description",
                    key.name
                );
                assert!(!seen.contains(&key.name), "{table}.{} twice", key.name);
                seen.push(key.name);
            }
        }
    }
}
