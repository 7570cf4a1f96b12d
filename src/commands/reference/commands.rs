//! `commands.md`: every command and flag, read from clap's definition (the one that parses the
//! command line, `--help`, completions and the man page come from): each command's description,
//! usage and examples, each flag's help, value, default, environment variable and choices.

use crate::cli::Cli;
use crate::view::explain::markdown_text;
use clap::{Arg, Command, CommandFactory};

/// `commands.md`.
pub(super) fn page() -> String {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let mut out = String::from(
        "# Commands

Every command of `provision`, with its flags. `provision -h` and `provision COMMAND -h` print the
one-line forms, `--help` the whole text, and `provision man` the manual page.

",
    );
    let commands: Vec<&Command> = cli.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    for command in &commands {
        out.push_str(&format!(
            "- [`provision {}`](#provision-{}): {}\n",
            command.get_name(),
            command.get_name(),
            markdown_text(
                &command
                    .get_about()
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            )
        ));
    }
    out.push_str("- [Global options](#global-options): taken by every command\n");
    for command in commands {
        out.push_str(&section(command));
    }
    out.push_str("\n## Global options\n\nEvery command takes these, before or after its name.\n\n");
    out.push_str(&arguments(cli.get_arguments().filter(|arg| shown(arg))));
    out
}

/// One command: its description, usage, own arguments and examples.
fn section(command: &Command) -> String {
    let name = command.get_name();
    let mut out = format!("\n## provision {name}\n\n");
    if let Some(about) = command.get_long_about().or(command.get_about()) {
        out.push_str(&format!("{}\n\n", paragraphs(&about.to_string())));
    }
    let usage = command
        .clone()
        .bin_name(format!("provision {name}"))
        .render_usage()
        .to_string();
    out.push_str(&format!(
        "```text\n{}\n```\n\n",
        usage.trim_start_matches("Usage: ")
    ));
    let own: Vec<&Arg> = command
        .get_arguments()
        .filter(|arg| shown(arg) && !arg.is_global_set())
        .collect();
    if !own.is_empty() {
        out.push_str(&arguments(own.into_iter()));
    }
    if let Some(examples) = command.get_after_long_help().or(command.get_after_help()) {
        out.push_str(&format!(
            "\n```text\n{}\n```\n",
            examples.to_string().trim_end()
        ));
    }
    out
}

/// Shown in the reference: not hidden, and not clap's own `--help` and `--version`.
fn shown(arg: &Arg) -> bool {
    !arg.is_hide_set() && !matches!(arg.get_id().as_str(), "help" | "version")
}

/// Each argument as a list item: its form, then its help, value choices, default and
/// environment variable.
fn arguments<'a>(args: impl Iterator<Item = &'a Arg>) -> String {
    let mut out = String::new();
    for arg in args {
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(|help| sentence(&paragraphs(&help.to_string())))
            .unwrap_or_default();
        out.push_str(&format!("- `{}`: {help}", form(arg)));
        let choices: Vec<String> = if arg.is_hide_possible_values_set() {
            Vec::new()
        } else {
            arg.get_possible_values()
                .iter()
                .filter(|value| !value.is_hide_set())
                .map(|value| match value.get_help() {
                    Some(help) => format!(
                        "`{}` ({})",
                        value.get_name(),
                        markdown_text(&help.to_string())
                    ),
                    None => format!("`{}`", value.get_name()),
                })
                .collect()
        };
        if !choices.is_empty() {
            out.push_str(&format!(" Choices: {}.", choices.join(", ")));
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|value| format!("`{}`", value.to_string_lossy()))
            .collect();
        if !defaults.is_empty() && arg.get_action().takes_values() {
            out.push_str(&format!(" Default: {}.", defaults.join(", ")));
        }
        if let Some(env) = arg.get_env() {
            out.push_str(&format!(" Environment: `{}`.", env.to_string_lossy()));
        }
        out.push('\n');
    }
    out
}

/// How the argument is written: `-o, --output <OUTPUT>`, `--yes`, `[PATH]...`.
fn form(arg: &Arg) -> String {
    let values = arg
        .get_value_names()
        .map(|names| {
            names
                .iter()
                .map(|name| format!("<{name}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    let many = matches!(arg.get_num_args(), Some(range) if range.max_values() > 1)
        || matches!(arg.get_action(), clap::ArgAction::Append);
    if arg.is_positional() {
        let values = values.replace(['<', '>'], "");
        let values = if arg.is_required_set() {
            values
        } else {
            format!("[{values}]")
        };
        return if many { format!("{values}...") } else { values };
    }
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("--{long}"));
    }
    let takes_value = arg.get_action().takes_values();
    if takes_value {
        format!("{} {values}", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// A help line ends with a full stop before the facts that follow it.
fn sentence(help: &str) -> String {
    if help.is_empty() || help.ends_with(['.', '!', '?']) {
        help.to_string()
    } else {
        format!("{help}.")
    }
}

/// Help text as Markdown: its paragraphs joined by a space (a list item is one paragraph), its
/// prose escaped.
fn paragraphs(text: &str) -> String {
    markdown_text(
        &text
            .split('\n')
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}
