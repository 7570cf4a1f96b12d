//! The committed reference is what the code generates: a key, a command, a flag, an exit code
//! or an output document changed without regenerating `docs/reference/` fails here.

use super::outputs::{DOCUMENTS, OTHER_OUTPUT};
use super::{FOLDER, Input, REGENERATE, pages};
use crate::manifest::explain::Mapping;
use crate::manifest::keys::Key;
use std::path::{Path, PathBuf};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(FOLDER)
}

/// The pages whose copy in `dir` differs from the generated text (or is missing).
fn stale(pages: &[(&'static str, String)], dir: &Path) -> Vec<&'static str> {
    pages
        .iter()
        .filter(|(name, text)| std::fs::read_to_string(dir.join(name)).ok().as_ref() != Some(text))
        .map(|(name, _)| *name)
        .collect()
}

#[test]
fn the_committed_reference_is_generated_from_the_code() {
    let pages = pages(&Input::CODE);
    if std::env::var_os("PROVISION_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(folder()).unwrap();
        for (name, text) in &pages {
            std::fs::write(folder().join(name), text).unwrap();
        }
    }
    let stale = stale(&pages, &folder());
    assert!(
        stale.is_empty(),
        "{FOLDER}/ is out of date with the code ({}): regenerate it with `{REGENERATE}` and commit it",
        stale.join(", ")
    );
}

/// The must-show: a key's description changed in the tables, the docs not regenerated, and
/// the check above fails, naming the page.
#[test]
fn a_changed_key_description_fails_the_reference_check() {
    let code = Input::CODE;
    let changed_top: Vec<Key> = code.connection[0]
        .keys
        .iter()
        .map(|key| match key.name {
            "kmsKey" => Key {
                description: "A description nobody regenerated the reference for.",
                ..*key
            },
            _ => *key,
        })
        .collect();
    let mut connection: Vec<Mapping<'_>> = code.connection.to_vec();
    connection[0].keys = &changed_top;
    let changed = pages(&Input {
        connection: &connection,
        project: code.project,
    });
    let yaml = &changed
        .iter()
        .find(|(name, _)| *name == "yaml.md")
        .unwrap()
        .1;
    assert!(yaml.contains("\nA description nobody regenerated the reference for.\n"));
    assert_eq!(stale(&changed, &folder()), ["yaml.md"]);
}

#[test]
fn every_command_is_in_the_json_output_reference() {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let names: Vec<&str> = cli
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
        .map(|command| command.get_name())
        .collect();
    for name in &names {
        let listed = DOCUMENTS
            .iter()
            .any(|document| document.commands.contains(name))
            || OTHER_OUTPUT.iter().any(|(command, _)| command == name);
        assert!(
            listed,
            "`provision {name}` is not in json-output.md: add its document to DOCUMENTS or OTHER_OUTPUT"
        );
    }
    for command in DOCUMENTS
        .iter()
        .flat_map(|document| document.commands)
        .chain(OTHER_OUTPUT.iter().map(|(command, _)| command))
    {
        assert!(
            *command == "every command" || names.contains(command),
            "`{command}` is no command"
        );
    }
}

#[test]
fn the_commands_page_names_every_command_and_flag_with_its_default() {
    let commands = super::commands::page();
    for name in [
        "validate",
        "diff",
        "explain",
        "rotate-credentials",
        "version",
    ] {
        assert!(
            commands.contains(&format!("\n## provision {name}\n")),
            "{name}"
        );
    }
    assert!(commands.contains(
        "- `--wait-timeout <DURATION>`: How long to wait for the written connections to settle."
    ));
    assert!(commands.contains("Default: `25m`."));
    assert!(commands.contains("- `-o, --output <OUTPUT>`: Output format. Choices:"));
    assert!(commands.contains("`markdown` (Markdown, for a pull-request comment"));
}

/// The exit codes page and the man page's EXIT STATUS list the same codes.
#[test]
fn the_exit_codes_page_lists_the_codes_of_the_man_page() {
    let page = super::outputs::exit_codes();
    let in_page: Vec<&str> = page
        .lines()
        .filter_map(|line| line.strip_prefix("| ")?.split(' ').next())
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let man = super::super::man::page();
    let in_man: Vec<&str> = man
        .split(".SH \"EXIT STATUS\"")
        .nth(1)
        .unwrap_or_default()
        .split(".SH ")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("\\fB")?.strip_suffix("\\fR"))
        .collect();
    assert_eq!(in_page, ["0", "1", "2", "3", "130", "143"]);
    assert_eq!(in_page, in_man);
}
