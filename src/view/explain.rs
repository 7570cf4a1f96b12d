//! What `provision explain` prints, in each output format, and the Markdown the generated key
//! reference (`docs/reference/yaml.md`, `project-file.md`) is made of: one key, or every key
//! of a document as a tree.
//!
//! Kept apart from the [`View`](super::View) documents of a run: it draws the key tables
//! ([`crate::manifest::explain`]), never a plan or a report, and the reference writes the same
//! Markdown `explain --output markdown` prints.

use super::Format;
use super::json::FORMAT_VERSION;
use crate::manifest::explain::{Document, Explained, code};
use serde::Serialize;

/// One key in `format`.
pub(crate) fn one(format: Format, document: Document, key: &Explained) -> String {
    match format {
        Format::Text => text(document, key),
        Format::Json => json(document, std::slice::from_ref(key)),
        Format::Markdown => markdown(key),
    }
}

/// Every key of `document` in `format`: a tree (text), every key in full (JSON, Markdown).
pub(crate) fn every(format: Format, document: Document, keys: &[Explained]) -> String {
    match format {
        Format::Text => tree(document, keys),
        Format::Json => json(document, keys),
        Format::Markdown => keys.iter().map(markdown).collect::<Vec<_>>().join("\n"),
    }
}

/// `explain KEY`: the key's facts, its description, an example, and the keys it holds.
fn text(document: Document, key: &Explained) -> String {
    let mut out = format!("KEY:         {}, in {}\n", key.key, document.name());
    out.push_str(&format!("TYPE:        {}\n", key.kind));
    out.push_str(&format!(
        "REQUIRED:    {}\n",
        if key.required { "yes" } else { "no" }
    ));
    for (i, limit) in key.limits.iter().enumerate() {
        let label = if i == 0 { "LIMITS:" } else { "" };
        out.push_str(&format!("{label:<13}{limit}\n"));
    }
    out.push_str(&format!("DESCRIPTION:\n  {}\n", key.description));
    out.push_str("EXAMPLE:\n");
    for line in key.example.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    if !key.keys.is_empty() {
        out.push_str(&format!(
            "KEYS:\n  {}\nExplain one: provision explain {}{}\n",
            key.keys.join(", "),
            project_flag(document),
            key.keys[0]
        ));
    }
    out
}

/// `explain` alone: every key as a tree, with its type and whether it is required.
fn tree(document: Document, keys: &[Explained]) -> String {
    let mut out = format!("Keys of {}:\n", document.name());
    let width = keys
        .iter()
        .map(|key| name_in_tree(key).chars().count())
        .max()
        .unwrap_or_default();
    for key in keys {
        let name = name_in_tree(key);
        let required = if key.required { ", required" } else { "" };
        out.push_str(&format!(
            "  {name}{}  {}{required}\n",
            " ".repeat(width - name.chars().count()),
            key.kind
        ));
    }
    out.push_str(&format!(
        "Explain one: provision explain {}KEY (e.g. {})\n",
        project_flag(document),
        keys.iter()
            .find(|key| key.depth() > 0)
            .or(keys.first())
            .map(|key| key.key.as_str())
            .unwrap_or_default()
    ));
    if document == Document::Connection {
        out.push_str("Keys of the project file (provision.yaml): provision explain --project\n");
    }
    out
}

/// A key's last name, indented by its depth.
fn name_in_tree(key: &Explained) -> String {
    let last = key.key.rsplit('.').next().unwrap_or_default();
    format!("{}{last}", "  ".repeat(key.depth()))
}

fn project_flag(document: Document) -> &'static str {
    match document {
        Document::Connection => "",
        Document::Project => "--project ",
    }
}

/// `explain --output json`: the keys, each in full.
fn json(document: Document, keys: &[Explained]) -> String {
    #[derive(Serialize)]
    struct ExplainDocument<'a> {
        version: u32,
        command: &'static str,
        document: Document,
        keys: &'a [Explained],
    }
    let text = serde_json::to_string_pretty(&ExplainDocument {
        version: FORMAT_VERSION,
        command: "explain",
        document,
        keys,
    })
    .unwrap_or_default();
    format!("{text}\n")
}

/// One key as a section of the reference: a heading GitHub anchors as the path without its
/// dots (`#salesforcemydomain`), the description, the facts, the example.
pub(crate) fn markdown(key: &Explained) -> String {
    let mut out = format!(
        "### {}\n\n{}\n\n",
        code(&key.key),
        markdown_text(&key.description)
    );
    out.push_str(&format!("- Type: {}\n", key.kind));
    out.push_str(&format!(
        "- Required: {}\n",
        if key.required { "yes" } else { "no" }
    ));
    if !key.limits.is_empty() {
        out.push_str(&format!("- Limits: {}\n", key.limits.join("; ")));
    }
    if !key.keys.is_empty() {
        let keys: Vec<String> = key
            .keys
            .iter()
            .map(|child| format!("[{}](#{})", code(child), anchor(child)))
            .collect();
        out.push_str(&format!("- Keys: {}\n", keys.join(", ")));
    }
    out.push_str(&format!("\n```yaml\n{}```\n", key.example));
    out
}

/// Prose for Markdown: outside its code spans, `<` and `>` (which would read as an HTML tag,
/// `/sobjects/<event>`), `*` and `\` are escaped.
pub(crate) fn markdown_text(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        for c in part.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '*' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// The anchor GitHub gives the heading of `key`: lower case, without the dots.
pub(crate) fn anchor(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}
