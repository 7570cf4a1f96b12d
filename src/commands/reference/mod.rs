//! The reference under `docs/reference/`, generated from the code: every YAML and project-file
//! key from the key tables ([`keys`]), every command and flag from clap's definition
//! ([`commands`]), the exit codes and the JSON output documents ([`outputs`]).
//!
//! Nothing here is written by hand twice: a page is a function of the tables it documents, and
//! the key tables are an input ([`Input`]) so a test can generate the reference of a changed
//! copy. The test in [`tests`] regenerates every page and fails when the committed copy
//! differs; `PROVISION_BLESS=1 cargo nextest run committed_reference` writes them instead.

mod commands;
mod keys;
mod outputs;
#[cfg(test)]
mod tests;

use crate::manifest::explain::{self, Mapping};

/// The folder of the pages, from the repository root.
pub(crate) const FOLDER: &str = "docs/reference";

/// How to regenerate the pages, as the index and the failing test say it.
pub(crate) const REGENERATE: &str = "PROVISION_BLESS=1 cargo nextest run committed_reference";

/// The first line of every page: it is generated, and how to regenerate it.
fn generated_note() -> String {
    format!(
        "<!-- Generated from the code by provision's reference test: do not edit. Regenerate with `{REGENERATE}`. -->\n\n"
    )
}

/// The key tables the pages document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub(crate) connection: &'a [Mapping<'a>],
    pub(crate) project: &'a [Mapping<'a>],
}

impl Input<'static> {
    /// The tables the parser reads.
    pub(crate) const CODE: Input<'static> = Input {
        connection: explain::CONNECTION,
        project: explain::PROJECT,
    };
}

/// Every page: its file name under [`FOLDER`] and its text.
pub(crate) fn pages(input: &Input<'_>) -> Vec<(&'static str, String)> {
    let pages = vec![
        ("README.md", index()),
        ("yaml.md", keys::yaml(input.connection)),
        ("project-file.md", keys::project_file(input.project)),
        ("commands.md", commands::page()),
        ("exit-codes.md", outputs::exit_codes()),
        ("json-output.md", outputs::json_output()),
    ];
    pages
        .into_iter()
        .map(|(name, text)| (name, format!("{}{text}", generated_note())))
        .collect()
}

/// `docs/reference/README.md`: what each page holds, and how they are made.
fn index() -> String {
    format!(
        "# Reference

Everything `provision` accepts and prints, generated from its code: the key tables the parser
reads, the clap definition that parses the command line, the exit code constants and the JSON
documents the commands print. [The guide](../guide.md) explains the concepts; this is the
exact list.

| Page | What it lists |
| --- | --- |
| [yaml.md](yaml.md) | Every key of a connection document: type, whether required, limits, description, an example. |
| [project-file.md](project-file.md) | Every key of the project file, `provision.yaml`, the same way. |
| [commands.md](commands.md) | Every command and flag, with its help, default and environment variable. |
| [exit-codes.md](exit-codes.md) | Every exit code and what it means. |
| [json-output.md](json-output.md) | Each JSON document `--output json` prints, the commands that print it, and its schema. |

`provision explain KEY` prints a key's entry on the terminal (`provision explain --project KEY`
for the project file); `provision schema` prints the JSON Schema of the YAML.

## How these pages are made

A test generates every page from the code and fails when a committed page differs, naming the
page. After changing a key, a command, a flag, an exit code or an output document, regenerate
them and commit the result:

```sh
{REGENERATE}
```
"
    )
}
