//! `provision schema`: print the JSON Schema of the connection YAML (draft 2020-12), or with
//! `--project` of the project file `provision.yaml`, for editors (`# yaml-language-server:
//! $schema=...`) and other checkers. Built in [`crate::manifest::schema`] from the parser's own
//! key tables.

use super::EXIT_OK;
use crate::error::Error;
use crate::view;

pub(super) fn run(project: bool) -> Result<u8, Error> {
    let text = if project {
        crate::manifest::schema::project_text()
    } else {
        crate::manifest::schema::text()
    };
    view::stdout(&text)?;
    Ok(EXIT_OK)
}
