//! `provision schema`: print the JSON Schema of the connection YAML (draft 2020-12), for
//! editors (`# yaml-language-server: $schema=...`) and other checkers. Built in
//! [`crate::spec::schema`] from the parser's own key tables.

use super::EXIT_OK;
use crate::error::Error;
use crate::view;

pub(super) fn run() -> Result<u8, Error> {
    view::stdout(&crate::spec::schema::text())?;
    Ok(EXIT_OK)
}
