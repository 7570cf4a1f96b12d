//! `yaml.md` and `project-file.md`: every key of a connection document and of the project
//! file, from the key tables, each as `provision explain KEY --output markdown` prints it.

use crate::manifest::explain::{self, Document, Mapping, code};
use crate::view::explain::{anchor, markdown};

/// `yaml.md`.
pub(super) fn yaml(mappings: &[Mapping<'_>]) -> String {
    page(
        Document::Connection,
        mappings,
        "# Connection document keys

Each YAML file of the folder (but `provision.yaml`) holds one or more connection documents,
separated by `---`. These are all their keys, with the path `provision explain` takes
(`provision explain salesforce.myDomain`). A key of a list item (`destinations`) is written
under its `- `. A secret reference (`clientSecret`, and `clientId` or a parameter value written
as one) takes exactly one source key. `provision validate` checks all of it offline, and
`provision schema` prints the same rules as a JSON Schema for editors.
",
    )
}

/// `project-file.md`.
pub(super) fn project_file(mappings: &[Mapping<'_>]) -> String {
    page(
        Document::Project,
        mappings,
        "# Project file keys

`provision.yaml`, the nearest one at or above the documents (up to the repository root), or the
file `--config` names, sets what holds for the whole folder. Every key is optional, and a file
that sets none is refused. `provision explain --project KEY` prints one of them;
`provision schema --project` prints the JSON Schema.
",
    )
}

fn page(document: Document, mappings: &[Mapping<'_>], intro: &str) -> String {
    let keys = explain::every_key(mappings, &document.schema());
    let mut out = format!("{intro}\n## Keys\n\n");
    for key in &keys {
        out.push_str(&format!(
            "{}- [{}](#{}){}\n",
            "  ".repeat(key.depth()),
            code(&key.key),
            anchor(&key.key),
            if key.required { " (required)" } else { "" }
        ));
    }
    for key in &keys {
        out.push('\n');
        out.push_str(&markdown(key));
    }
    out
}
