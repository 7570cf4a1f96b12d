//! `provision explain [KEY]`: what a YAML key means, its type, whether it is required, its
//! limits and an example, as `kubectl explain` does for a resource's fields; without a key,
//! every key as a tree. `--project` explains the project file's keys (as `schema --project`
//! prints its schema). Everything comes from the key tables and the JSON Schema
//! ([`crate::manifest::explain`]); the key asked for is user input and is only ever shown
//! escaped (it reaches the error as [`crate::outside::Outside`] text).

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::{Error, Problem};
use crate::manifest::explain::{self, Document, code};
use crate::view;

pub(super) fn run(settings: &Settings, key: Option<&str>, project: bool) -> Result<u8, Error> {
    let document = if project {
        Document::Project
    } else {
        Document::Connection
    };
    let schema = document.schema();
    let mappings = explain::mappings(document);
    let text = match key {
        None => view::explain::every(
            settings.format,
            document,
            &explain::every_key(mappings, &schema),
        ),
        Some(key) => match explain::find(mappings, &schema, key) {
            Ok(found) => view::explain::one(settings.format, document, &found),
            Err(nearest) => return Err(unknown(document, key, &nearest)),
        },
    };
    view::stdout(&text)?;
    Ok(EXIT_OK)
}

/// The error of a key that is not in the tables: the nearest keys, and how to list them all.
/// A connection key asked of the project file (or the other way round) is pointed there.
fn unknown(document: Document, key: &str, nearest: &[String]) -> Error {
    let other = match document {
        Document::Connection => Document::Project,
        Document::Project => Document::Connection,
    };
    let other_schema = other.schema();
    let in_other = explain::find(explain::mappings(other), &other_schema, key).ok();
    let list = match document {
        Document::Connection => "`provision explain` lists every key",
        Document::Project => "`provision explain --project` lists every key",
    };
    let help = match (in_other, nearest) {
        (Some(found), _) => format!(
            "{} is a key of {}: provision explain {}{}",
            code(&found.key),
            other.name(),
            if other == Document::Project {
                "--project "
            } else {
                ""
            },
            found.key
        ),
        (None, []) => format!("write a dotted path such as `salesforce.myDomain`; {list}"),
        (None, nearest) => format!(
            "did you mean {}? {list}",
            nearest
                .iter()
                .map(|key| code(key))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    Error::input(Problem::new(format!("`{key}` is not a key of {}", document.name())).help(help))
}
