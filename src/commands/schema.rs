//! `provision schema`: print the JSON Schema of the connection YAML (draft 2020-12), or with
//! `--project` of the project file `provision.yaml`, for editors (`# yaml-language-server:
//! $schema=...`) and other checkers. Built in [`crate::manifest::schema`] from the parser's own
//! key tables. With `--output-document NAME`, the schema of a document `--output json` prints
//! ([`crate::view::output_schema`]), for whoever reads the output in CI.

use super::EXIT_OK;
use crate::error::{Error, Problem};
use crate::view;

pub(super) fn run(project: bool, output_document: Option<&str>) -> Result<u8, Error> {
    let text = match output_document {
        // clap takes only the names of `DOCUMENTS`; a name without a schema is still refused.
        Some(name) => view::output_schema::text(name).ok_or_else(|| {
            Error::input(
                Problem::new(format!(
                    "--output-document `{name}` is not an output document"
                ))
                .help(format!(
                    "give one of {}",
                    view::output_schema::DOCUMENTS.join(", ")
                )),
            )
        })?,
        None if project => crate::manifest::schema::project_text(),
        None => crate::manifest::schema::text(),
    };
    view::stdout(&text)?;
    Ok(EXIT_OK)
}
