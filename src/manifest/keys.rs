//! The keys of a connection document, in one table per mapping: their names, whether they are
//! required, and what they mean.
//!
//! One definition drives everything about a key (the habit of ripgrep's `flags/defs.rs`):
//! [`convert`](super::convert) accepts exactly these keys (and suggests them for misspellings),
//! [`schema`](super::schema) describes exactly these keys in the JSON Schema,
//! [`explain`](super::explain) explains each one (`provision explain KEY` and the generated
//! reference, `docs/reference/yaml.md`, which a test checks names every one of them), with the
//! example each carries.
//!
//! A key's limits (lengths, ranges, patterns) are named constants beside the check that
//! applies them: AWS's in [`limits`](super::limits), Salesforce's in
//! [`token_url`](super::token_url), [`app`](super::app) and
//! [`destination_rules`](super::destination_rules). The checks `convert` calls and the shapes
//! `schema` writes read those same constants (a test holds each schema limit to the parser's
//! verdict at and past it), and a test here holds the limits the descriptions quote to them.

pub(crate) use crate::key::{Key, Keys};

/// A required key: its name, what it means, and a value as written in the YAML.
const fn required(name: &'static str, description: &'static str, example: &'static str) -> Key {
    Key {
        name,
        required: true,
        description,
        example,
    }
}

/// An optional key: its name, what it means, and a value as written in the YAML.
const fn optional(name: &'static str, description: &'static str, example: &'static str) -> Key {
    Key {
        name,
        required: false,
        description,
        example,
    }
}

/// A connection document.
pub const TOP: Keys = &[
    required(
        "name",
        "EventBridge connection name: 1-64 of . - _ A-Z a-z 0-9, unique across all files.",
        "sf-acme-production",
    ),
    optional(
        "description",
        "Optional description; provision appends \"[managed by provision]\", and both together fit in AWS's 512 characters.",
        "Orders from the Acme production org",
    ),
    required(
        "salesforce",
        "The org's token endpoint: `myDomain` (with an optional `sandbox`), or `tokenUrl`.",
        "myDomain: acme",
    ),
    required(
        "clientId",
        "Consumer key of the connected app (it starts with 3MVG): a literal or a secret reference.",
        "{ secretsManager: provision/acme/client-id }",
    ),
    required(
        "clientSecret",
        "Consumer secret of the connected app: always a secret reference, never a literal.",
        "{ secretsManager: provision/acme/client-secret }",
    ),
    optional(
        "oauth",
        "Optional extra parameters on the token request (`headers`, `query`, `body`).",
        "body:\n  audience: eventbridge",
    ),
    optional(
        "invocation",
        "Optional parameters on every API destination call (`headers`, `query`, `body`).",
        "headers:\n  Sforce-Call-Options: client=eventbridge",
    ),
    optional(
        "kmsKey",
        "Optional customer managed KMS key (key id, key ARN, alias/name or alias ARN), tagged EventBridgeApiDestinations=true.",
        "alias/eventbridge-connections",
    ),
    optional(
        "privateLink",
        "Optional: reach the token endpoint through a VPC Lattice resource configuration.",
        "resourceConfigurationArn: arn:aws:vpc-lattice:eu-west-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0",
    ),
    optional(
        "regions",
        "Optional: the connection exists in each of these Regions (default: the default Region of the run).",
        "[eu-west-1, us-east-1]",
    ),
    optional(
        "targets",
        "The project file's targets this connection is placed in, in each of their Regions (required when the project file lists `targets:`; `regions:` may then only narrow them).",
        "[prod, staging]",
    ),
    optional(
        "destinations",
        "Optional: EventBridge API destinations on this org, each posting to a Platform Event, an sObject or a REST path with this connection's credentials.",
        "- name: sf-acme-order-placed\n  event: Order_Placed__e",
    ),
];

/// One item of `destinations:`.
pub const DESTINATION: Keys = &[
    required(
        "name",
        "API destination name: 1-64 of . - _ A-Z a-z 0-9, unique across all files.",
        "sf-acme-order-placed",
    ),
    optional(
        "description",
        "Optional description; provision appends its ownership marker.",
        "Order events to the Acme org",
    ),
    optional(
        "event",
        "A Platform Event API name (`Order_Placed__e`): posts to /services/data/<apiVersion>/sobjects/<event>. Exactly one of `event`, `sobject`, `path`.",
        "Order_Placed__e",
    ),
    optional(
        "sobject",
        "An sObject API name (`Case`): posts to /services/data/<apiVersion>/sobjects/<sobject>.",
        "Case",
    ),
    optional(
        "path",
        "A REST path under /services/ on the org's My Domain host (`/services/apexrest/orders`).",
        "/services/apexrest/orders",
    ),
    optional(
        "apiVersion",
        "Optional Salesforce API version, vNN.N (default v62.0).",
        "v62.0",
    ),
    optional(
        "rateLimitPerSecond",
        "Optional invocations per second, at least 1 (default 300, AWS's default quota; a higher rate needs the quota raised).",
        "100",
    ),
    optional(
        "rules",
        "Optional: the EventBridge rules that route events to this destination, each with its pattern, the body sent (Platform Event field -> path in the event), the role EventBridge invokes with, retries and a dead-letter queue. One rule name under several destinations of one file is one rule with a target per destination (at most 5).",
        "- name: orders-to-salesforce\n  pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}\n  body:\n    Order_Id__c: $.detail.id\n  role: arn:aws:iam::123456789012:role/eventbridge-invoke-orders",
    ),
];

/// One item of a destination's `rules:`.
pub const RULE: Keys = &[
    required(
        "name",
        "EventBridge rule name: 1-64 of . - _ A-Z a-z 0-9; unique per bus across files (the same name under several destinations of one file is one rule with several targets).",
        "orders-to-salesforce",
    ),
    optional(
        "bus",
        "Optional event bus: `default` (the default), a bus name, or a bus ARN in the document's Region.",
        "default",
    ),
    required(
        "pattern",
        "The event pattern, in EventBridge's grammar (checked before any call): every value a list of values or matchers (prefix, suffix, anything-but, numeric, exists, cidr, equals-ignore-case, wildcard), or `$or`.",
        "{source: [com.acme.orders], detail-type: [OrderPlaced]}",
    ),
    required(
        "body",
        "What Salesforce receives: Platform Event field API name -> JSON path in the event (`$.detail.id`), at most 100; provision writes the target's input transformer so the event arrives as exactly these fields, strings as strings, numbers and true/false as themselves.",
        "Order_Id__c: $.detail.id\nAmount__c: $.detail.total",
    ),
    optional(
        "retry",
        "Optional retry policy: `attempts` (0-185) and `maxEventAge` (60s-24h); AWS's defaults (185, 24h) for what is left out.",
        "{attempts: 10, maxEventAge: 1h}",
    ),
    optional(
        "deadLetterQueue",
        "Optional ARN of a standard SQS queue in the rule's Region for events that could not be delivered (without one, they are dropped).",
        "arn:aws:sqs:us-east-1:123456789012:orders-dlq",
    ),
    required(
        "role",
        "ARN of the IAM role EventBridge assumes to invoke the API destination (it needs events:InvokeApiDestination on it).",
        "arn:aws:iam::123456789012:role/eventbridge-invoke-orders",
    ),
    optional(
        "sample",
        "Optional sample event, as EventBridge would deliver it: `verify --publish-test` renders it through the rule's input transformer and publishes exactly those bytes.",
        "{source: com.acme.orders, detail-type: OrderPlaced, detail: {id: A-1, total: 12.5}}",
    ),
];

/// A rule's `retry:`.
pub const RETRY: Keys = &[
    optional(
        "attempts",
        "Optional maximum retry attempts, 0-185 (default 185).",
        "10",
    ),
    optional(
        "maxEventAge",
        "Optional: how long EventBridge keeps retrying an event, 60s-24h, written `90s`, `30m` or `1h` (default 24h).",
        "1h",
    ),
];

/// `salesforce.app:`, the External Client App.
pub const APP: Keys = &[
    optional(
        "name",
        "Optional API name of the External Client App (default derived from the connection name).",
        "Acme_EventBridge",
    ),
    optional(
        "label",
        "Optional label (default the connection name).",
        "Acme EventBridge",
    ),
    required(
        "contactEmail",
        "The app's contact email.",
        "platform-team@example.com",
    ),
    required(
        "runAsUser",
        "Username of the client credentials Run As user; Salesforce requires the API Only permission.",
        "eventbridge-integration@acme.example.com",
    ),
    optional("scopes", "Optional OAuth scopes (default [Api]).", "[Api]"),
    optional(
        "permittedUsers",
        "Optional: AdminApprovedPreAuthorized (default) or AllSelfAuthorized.",
        "AdminApprovedPreAuthorized",
    ),
];

/// `salesforce:`.
pub const SALESFORCE: Keys = &[
    optional(
        "myDomain",
        "My Domain name (Setup > My Domain): `acme` -> https://acme.my.salesforce.com/services/oauth2/token.",
        "acme",
    ),
    optional(
        "sandbox",
        "Optional sandbox name, with `myDomain`: `uat` -> https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token.",
        "uat",
    ),
    optional(
        "tokenUrl",
        "Instead of `myDomain`: the token URL in full, https://<name>.my.salesforce.com/services/oauth2/token.",
        "https://acme.my.salesforce.com/services/oauth2/token",
    ),
    optional(
        "allowAnyHost",
        "Opt in to a non-My-Domain https host for `tokenUrl` (a proxy), or http on a loopback address.",
        "true",
    ),
    optional(
        "app",
        "Optional: the External Client App as code (`provision salesforce-metadata` writes it).",
        "contactEmail: platform-team@example.com\nrunAsUser: eventbridge-integration@acme.example.com",
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
        "Sforce-Call-Options: client=eventbridge",
    ),
    optional(
        "query",
        "Query string parameters: `name: value` pairs; a plain value or a secret reference.",
        "source: eventbridge",
    ),
    optional(
        "body",
        "Body parameters: `name: value` pairs; a plain value or a secret reference. On the token request grant_type=client_credentials is always sent and cannot be overridden.",
        "audience: eventbridge",
    ),
];

/// `privateLink:`.
pub const PRIVATE_LINK: Keys = &[
    required(
        "resourceConfigurationArn",
        "ARN of the VPC Lattice resource configuration, arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...; it serves both the API calls and the token request.",
        "arn:aws:vpc-lattice:eu-west-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0",
    ),
    optional(
        "tokenEndpoint",
        "Optional: `public` keeps the token request on the internet (rare); default `private`, through the resource configuration.",
        "private",
    ),
];

/// The project file, `provision.yaml` (see [`crate::project`]): settings of the whole folder,
/// never a connection document. A later setting is one line here.
pub const PROJECT: Keys = &[
    optional(
        "set",
        "The ownership set of everything this folder declares (1-32 of a-z 0-9 -): its marker ends every description, and only its connections are pruned. `--prune` needs a set other than `default`.",
        "payments-team",
    ),
    optional(
        "defaultRegion",
        "The Region of every document without `regions:`, whatever AWS_REGION, the profile or --region say (--region can only narrow the run).",
        "eu-west-1",
    ),
    optional(
        "accounts",
        "The 12-digit AWS accounts this folder may touch: every command that calls AWS checks the caller's account (sts:GetCallerIdentity) first and refuses any other.",
        "[\"123456789012\"]",
    ),
    optional(
        "namePrefix",
        "Every connection and API destination of this folder starts with this: `validate` refuses other names, and finding this set's undeclared connections lists and describes only these.",
        "sf-",
    ),
    optional(
        "extraRegions",
        "Region codes to accept although this build of provision does not know them (a Region opened after its release).",
        "[eu-south-3]",
    ),
    optional(
        "targets",
        "Named AWS accounts the documents are placed in (each document names its own with `targets:`), each with the role a run assumes there and its Regions. A place is an account and a Region, so no two targets share an account; with `accounts:` as well, every target's account must be listed there.",
        "- name: prod\n  account: \"111111111111\"\n  role: arn:aws:iam::111111111111:role/provision\n  regions: [eu-west-1, us-east-1]",
    ),
];

/// The longest target name: it names files and CI jobs, so it stays short.
pub(crate) const TARGET_NAME_MAX: usize = 32;

/// One item of the project file's `targets:`.
pub const TARGET: Keys = &[
    required(
        "name",
        "A short label for the target (1-32 of a-z 0-9 -, unique): what documents' `targets:`, `--target` and every output name it by.",
        "prod",
    ),
    required(
        "account",
        "The target's 12-digit AWS account id; quoted or not (YAML reads an unquoted id as a number, and provision takes the digits as written).",
        "\"111111111111\"",
    ),
    optional(
        "role",
        "Optional: the ARN of the IAM role in the target's account that a run assumes for every command (without it, the run's own credentials must be in the target's account).",
        "arn:aws:iam::111111111111:role/provision",
    ),
    optional(
        "readRole",
        "Optional: the ARN of a role in the target's account for the commands that only read (diff, verify, export).",
        "arn:aws:iam::111111111111:role/provision-read",
    ),
    optional(
        "externalId",
        "Optional: the external id the target's role requires (sts:ExternalId), as a secret reference; never printed.",
        "{ env: PROVISION_EXTERNAL_ID }",
    ),
    required(
        "regions",
        "The Regions of the target the documents placed in it exist in (at least one; `extraRegions` are accepted).",
        "[eu-west-1, us-east-1]",
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
    ("destinations[].rules[]", RULE),
    ("destinations[].rules[].retry", RETRY),
    ("salesforce.app", APP),
    ("targets[]", TARGET),
];

/// The names of a table, in order.
pub fn names(keys: Keys) -> impl Iterator<Item = &'static str> {
    keys.iter().map(|key| key.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated reference (`docs/reference/`) has a section for every key: a key added to
    /// a table without regenerating it fails here as well as in the reference's own check.
    #[test]
    fn the_yaml_reference_names_every_key() {
        let reference = include_str!("../../docs/reference/yaml.md");
        for mapping in crate::manifest::explain::CONNECTION {
            for key in mapping.keys {
                let path = match mapping.path {
                    "" => key.name.to_string(),
                    parent => format!("{parent}.{}", key.name),
                };
                assert!(
                    reference.contains(&format!("\n### `{path}`\n")),
                    "docs/reference/yaml.md does not explain `{path}`"
                );
            }
        }
    }

    #[test]
    fn the_project_file_reference_names_every_key() {
        let reference = include_str!("../../docs/reference/project-file.md");
        for key in PROJECT {
            assert!(
                reference.contains(&format!("\n### `{}`\n", key.name)),
                "docs/reference/project-file.md does not explain `{}`",
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
        described(TARGET, "name", format!("1-{TARGET_NAME_MAX} of"));
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
