//! Turns one parsed YAML document into a [`ConnectionSpec`], reporting every problem in it.
//!
//! This is a hand-written walk rather than a serde derive so that one document can report all
//! of its mistakes at once, each with the exact position of the key or value at fault and a
//! "did you mean" for misspelt keys.
//!
//! Every string field, and every key, receives exactly the text the user wrote: where YAML
//! reads a plain scalar as a number or a boolean (`description: 3.10`, `X-V: 0x1F`, a header
//! named `123`), the source text recorded by the event pass is used, never serde_yaml's
//! canonical form (`3.1`, `31`). Messages quote that same text. Nulls (`~`, `null`, nothing)
//! mean no value: an error where a value is required, absent where it is optional. See the
//! [`yaml`](super::yaml) module for how the text is recorded.
//!
//! One file per part of the document: [`walker`] holds the walk's primitives (mappings, strings
//! as written, positions, "did you mean"), [`connection`] the document's root, [`salesforce`]
//! the token URL, [`app`] the External Client App, [`secret`] secret references,
//! [`parameters`] the `headers`/`query`/`body` lists, [`destination`] the API destinations.

mod app;
mod connection;
mod destination;
mod parameters;
mod salesforce;
mod secret;
mod walker;

use super::yaml::Document;
use super::{ConnectionSpec, Rules};
use crate::error::Problem;
use std::path::Path;
use walker::Walker;
pub(crate) use walker::{kind, suggest};

/// Converts a document under the run's [`Rules`] (its set's marker, `namePrefix`,
/// `extraRegions`). Returns `None` when it has problems (all of them pushed to `problems`).
pub fn convert_with(
    file: &Path,
    document: &Document,
    problems: &mut Vec<Problem>,
    rules: &Rules,
) -> Option<ConnectionSpec> {
    let before = problems.len();
    let mut walker = Walker {
        file,
        document,
        problems,
        rules,
        misspelt: Vec::new(),
    };
    let spec = walker.connection();
    if problems.len() > before { None } else { spec }
}

/// The first document of `text` converted as `c.yaml`: its spec, or its problems as printed.
#[cfg(test)]
fn convert_text(text: &str) -> Result<ConnectionSpec, Vec<String>> {
    let file = Path::new("c.yaml");
    let documents = super::yaml::parse_documents(file, text).map_err(|p| vec![p.to_string()])?;
    let mut problems = Vec::new();
    let spec = convert_with(file, &documents[0], &mut problems, &Rules::default());
    spec.ok_or_else(|| problems.iter().map(ToString::to_string).collect())
}

/// A document with only the required keys.
#[cfg(test)]
const REQUIRED: &str = "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: S }\n";
