//! The manifests: the YAML documents users write, checked, before anything is resolved or sent.
//!
//! Loading is pure apart from reading the files: [`load::load`] walks the paths, [`yaml`] parses,
//! [`convert`] turns each document into a [`ConnectionSpec`] while [`limits`] and
//! [`token_url`] check AWS's and Salesforce's rules, [`regions`] the Region codes. Every problem found is reported at once.
//! [`keys`] is the one table of keys (names, required, descriptions) that both the parser and
//! the JSON Schema ([`schema`], `provision schema`) read, and [`explain`] says what each key
//! is (`provision explain`, the generated reference).

pub mod app;
pub mod convert;
pub mod destination_rules;
pub(crate) mod explain;
pub(crate) mod export;
pub mod keys;
pub mod limits;
pub mod load;
pub mod pattern;
pub mod regions;
pub mod rule_checks;
pub mod schema;
pub mod token_url;
pub mod yaml;

use crate::error::Location;
use std::path::PathBuf;

pub(crate) use crate::ownership::OWNERSHIP_MARKER;

/// What the run's project file and ownership set add to the checks of every document, so
/// that `validate` refuses exactly what `diff` and `apply` would refuse before any call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// The marker appended to every description: the run's set's, which counts toward AWS's
    /// 512 characters.
    pub marker: String,
    /// `namePrefix`: every connection and API destination name starts with it.
    pub name_prefix: Option<String>,
    /// `extraRegions`: Region codes accepted beyond the ones this build knows.
    pub extra_regions: Vec<String>,
    /// The project file of the run: never read as a connection document.
    pub project_file: Option<PathBuf>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            marker: OWNERSHIP_MARKER.to_string(),
            name_prefix: None,
            extra_regions: Vec::new(),
            project_file: None,
        }
    }
}

/// Where a value was declared: the file position and the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub location: Location,
    pub field: String,
}

/// One connection as declared in a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionSpec {
    pub name: String,
    pub description: Option<String>,
    /// The Salesforce token endpoint, built from `myDomain`/`sandbox` or given as `tokenUrl`.
    pub token_url: String,
    pub client_id: ValueSource,
    pub client_secret: SecretRef,
    pub oauth: HttpParameters,
    pub invocation: HttpParameters,
    pub kms_key: Option<String>,
    pub private_link: Option<PrivateLink>,
    /// Regions this connection belongs in; `None` means the Region of the run (or, with
    /// `targets:`, every Region of its targets).
    pub regions: Option<Vec<String>>,
    /// `targets:`: the names of the project file's targets this connection is placed in
    /// (checked against the project file by `crate::coverage`); `None` when not written.
    pub targets: Option<Vec<String>>,
    /// Where each of `targets` is written, in the same order (empty without `targets:`).
    pub targets_at: Vec<Location>,
    /// Where each of `regions` is written, in the same order (empty without `regions:`).
    pub regions_at: Vec<Location>,
    /// API destinations on this org, using this connection.
    pub destinations: Vec<DestinationSpec>,
    /// The External Client App declared under `salesforce.app`, if any.
    pub app: Option<app::AppSpec>,
    /// Where the connection is declared (its `name` key).
    pub origin: Location,
}

/// `privateLink:`: the My Domain host reached through VPC Lattice.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateLink {
    pub resource_configuration_arn: String,
    /// The token request goes through the resource configuration too (the default: a My
    /// Domain host serves both); `tokenEndpoint: public` keeps it on the internet.
    pub private_token_endpoint: bool,
}

/// An API destination as declared under its connection.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationSpec {
    pub name: String,
    pub description: Option<String>,
    pub target: DestinationTarget,
    /// `vNN.N`.
    pub api_version: String,
    pub rate_limit_per_second: u32,
    /// Where `rateLimitPerSecond` is written (`None`: left out, AWS's default).
    pub rate_origin: Option<Origin>,
    /// The EventBridge rules that route events here (`rules:`), in the order written.
    pub rules: Vec<RuleSpec>,
    /// Where it is declared (its `name` key).
    pub origin: Location,
}

/// An EventBridge rule as declared under the API destination it targets (`rules:`). One
/// rule name under several destinations of one file is one rule with a target per
/// destination (see [`rule_checks`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    /// The rule's name (PutRule `Name`).
    pub name: String,
    /// The event bus: `default` (when left out), a bus name, or a bus ARN.
    pub bus: String,
    /// The event pattern, checked against EventBridge's grammar, its keys sorted at every
    /// level (the canonical form PutRule is sent and a live pattern is compared in).
    pub pattern: serde_json::Value,
    /// Platform Event field -> JSON path in the event, in the order written.
    pub body: Vec<BodyField>,
    /// `retry:`, its missing half filled with AWS's default (`None`: left out, AWS's defaults).
    pub retry: Option<crate::route::RetryPolicy>,
    /// An SQS queue ARN (`deadLetterQueue:`).
    pub dead_letter_queue: Option<String>,
    /// The IAM role EventBridge assumes to invoke the destination.
    pub role: String,
    /// A sample event declared beside the rule (`sample:`), for `verify --publish-test`.
    pub sample: Option<serde_json::Value>,
    /// Where `pattern` is written, for messages about the pattern as a whole.
    pub pattern_origin: Origin,
    /// Where the rule is declared (its `name` key).
    pub origin: Location,
}

/// One field of a rule's `body:`.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyField {
    /// The Platform Event field's API name (`Order_Id__c`).
    pub field: String,
    /// The JSON path in the event (`$.detail.id`).
    pub path: String,
    /// Where the field is written.
    pub origin: Origin,
}

impl RuleSpec {
    /// The target's input transformer: Salesforce receives exactly the body's fields.
    pub(crate) fn transformer(&self) -> crate::route::InputTransformer {
        crate::route::transformer(
            self.body
                .iter()
                .map(|field| (field.field.as_str(), field.path.as_str())),
        )
    }

    /// The event bus's name: the bus as written, or the name at the end of a bus ARN.
    pub fn bus_name(&self) -> &str {
        rule_checks::bus_name(&self.bus)
    }
}

/// What in the org an API destination posts to.
#[derive(Debug, Clone, PartialEq)]
pub enum DestinationTarget {
    /// A Platform Event (`Order_Placed__e`).
    Event(String),
    /// An sObject (`Case`).
    SObject(String),
    /// A REST path under `/services/`.
    Path(String),
}

/// The API version destinations use when none is given: Winter '25, documented and current
/// in every org since.
pub const DEFAULT_API_VERSION: &str = "v62.0";

impl DestinationSpec {
    /// A note for a valid rate that needs a raised quota, where the rate is written:
    /// `FILE:LINE:COLUMN: FIELD: ...`.
    pub fn rate_note(&self) -> Option<String> {
        let origin = self.rate_origin.as_ref()?;
        let note = destination_rules::rate_quota_note(self.rate_limit_per_second)?;
        Some(format!("{}: {}: {note}", origin.location, origin.field))
    }

    /// The endpoint on the connection's My Domain host (the token URL's host).
    pub fn endpoint(&self, token_url: &str) -> String {
        let origin = token_url
            .strip_suffix(token_url::TOKEN_PATH)
            .unwrap_or(token_url);
        match &self.target {
            DestinationTarget::Event(name) | DestinationTarget::SObject(name) => format!(
                "{origin}/services/data/{}/sobjects/{name}",
                self.api_version
            ),
            DestinationTarget::Path(path) => format!("{origin}{path}"),
        }
    }
}

/// A value that is either written in the YAML or read from a secret reference.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    Literal(String),
    Reference(SecretRef),
}

/// Key/value parameters sent with the token request or with every invocation.
pub type HttpParameters = crate::parameters::ParameterLists<Parameter>;

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub key: String,
    /// A literal is sent with `IsValueSecret: false`, a reference with `IsValueSecret: true`.
    pub value: ValueSource,
}

/// Where a secret comes from. The value itself is only read by `diff` and `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub source: SecretSource,
    pub origin: Origin,
}

/// Where a secret comes from: one variant per source of [`crate::sources`].
pub use crate::sources::SecretSource;
