//! The declared connections: what the YAML says, checked, before anything is resolved or sent.
//!
//! Loading is pure apart from reading the files: [`load::load`] walks the paths, [`yaml`] parses,
//! [`convert`] turns each document into a [`ConnectionSpec`] while [`limits`] and
//! [`token_url`] check AWS's and Salesforce's rules, [`regions`] the Region codes. Every problem found is reported at once.
//! [`keys`] is the one table of keys (names, required, descriptions) that both the parser and
//! the JSON Schema ([`schema`], `provision schema`) read.

pub mod convert;
pub mod keys;
pub mod limits;
pub mod load;
pub mod regions;
pub mod schema;
pub mod token_url;
pub mod yaml;

use crate::error::Location;
use std::path::PathBuf;

/// Appended to the description of every connection `provision` writes, so later runs can tell
/// the connections it owns from those it must leave alone.
pub const OWNERSHIP_MARKER: &str = "[managed by provision]";

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
    pub private_link: Option<String>,
    /// Regions this connection belongs in; `None` means the Region of the run.
    pub regions: Option<Vec<String>>,
    /// Where the connection is declared (its `name` key).
    pub origin: Location,
}

impl ConnectionSpec {
    /// The description as written to AWS: the user's text followed by the ownership marker.
    pub fn description_with_marker(&self) -> String {
        with_marker(self.description.as_deref())
    }
}

pub fn with_marker(description: Option<&str>) -> String {
    match description {
        Some(text) if !text.is_empty() => format!("{text} {OWNERSHIP_MARKER}"),
        _ => OWNERSHIP_MARKER.to_string(),
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
#[derive(Debug, Clone, PartialEq)]
pub struct SecretRef {
    pub source: SecretSource,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecretSource {
    Env(String),
    /// `written` is the path as in the YAML; `path` is resolved against the YAML file's folder.
    File {
        written: String,
        path: PathBuf,
    },
    SecretsManager {
        id: String,
        key: Option<String>,
        version_stage: Option<String>,
    },
}

impl SecretSource {
    /// A description of the reference (never of the value) for messages.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(name) => format!("environment variable {name}"),
            SecretSource::File { written, .. } => format!("file {written}"),
            SecretSource::SecretsManager {
                id, key: Some(key), ..
            } => {
                format!("Secrets Manager secret {id} (key {key})")
            }
            SecretSource::SecretsManager { id, key: None, .. } => {
                format!("Secrets Manager secret {id}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(regions: Option<Vec<&str>>, description: Option<&str>) -> ConnectionSpec {
        let origin = Origin {
            location: Location::file(std::path::Path::new("c.yaml")),
            field: "clientSecret".into(),
        };
        ConnectionSpec {
            name: "sf".into(),
            description: description.map(str::to_string),
            token_url: "https://acme.my.salesforce.com/services/oauth2/token".into(),
            client_id: ValueSource::Literal("3MVG".into()),
            client_secret: SecretRef {
                source: SecretSource::Env("S".into()),
                origin,
            },
            oauth: HttpParameters::default(),
            invocation: HttpParameters::default(),
            kms_key: None,
            private_link: None,
            regions: regions.map(|r| r.into_iter().map(str::to_string).collect()),
            origin: Location::file(std::path::Path::new("c.yaml")),
        }
    }

    #[test]
    fn the_ownership_marker_ends_every_description() {
        assert_eq!(
            spec(None, Some("Acme")).description_with_marker(),
            "Acme [managed by provision]"
        );
        assert_eq!(
            spec(None, None).description_with_marker(),
            "[managed by provision]"
        );
        assert_eq!(
            spec(None, Some("")).description_with_marker(),
            "[managed by provision]"
        );
    }
}
