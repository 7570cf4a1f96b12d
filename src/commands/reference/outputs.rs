//! `exit-codes.md` and `json-output.md`: what a run ends with and what `--output json` prints,
//! from the exit code constants (`commands::EXIT_*`, [`Signal`]) and the list of
//! output documents below.

use super::super::{EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, EXIT_UNHEALTHY};
use crate::signal::Signal;
use crate::view::explain::markdown_text;

/// Each exit code a command returns, with its meaning (a signal's code is
/// [`Signal::exit_code`]).
const EXIT_CODES: &[(u8, &str)] = &[
    (EXIT_OK, "Success; for `diff`, in sync: nothing to change."),
    (
        EXIT_ERROR,
        "An error: bad input (the YAML, the project file, the flags: nothing was sent), an AWS or secret failure, a connection that did not become healthy, a `verify` check that failed. A command line clap refuses exits 1 too.",
    ),
    (EXIT_DIFFERENCES, "`diff` found differences."),
    (
        EXIT_UNHEALTHY,
        "`diff --fail-on unhealthy` found a declared connection DEAUTHORIZED or FAILED_CONNECTIVITY (an outage: events to it fail now), with or without other differences. Only with that option; an error still exits 1.",
    ),
];

/// `exit-codes.md`.
pub(super) fn exit_codes() -> String {
    let mut out = String::from(
        "# Exit codes

The same for every command: CI can tell success, an error, drift and an outage apart.

| Code | Meaning |
| --- | --- |
",
    );
    for (code, meaning) in EXIT_CODES {
        out.push_str(&format!("| {code} | {} |\n", markdown_text(meaning)));
    }
    for signal in [Signal::Interrupt, Signal::Terminate] {
        out.push_str(&format!(
            "| {} | Stopped by {} (128 + its number): writes under way finished, and what was done and not done is printed. Run the same command again to finish. |\n",
            signal.exit_code(),
            signal.name()
        ));
    }
    out
}

/// One JSON document of `--output json`.
pub(super) struct OutputDocument {
    /// Its name, which is its schema's file name.
    pub(super) name: &'static str,
    /// The commands that print it.
    pub(super) commands: &'static [&'static str],
    pub(super) holds: &'static str,
}

/// Every JSON document the commands print (`src/view/json.rs` and `src/view/explain.rs` write
/// them; each carries `version` and, but the error document, `command`).
pub(super) const DOCUMENTS: &[OutputDocument] = &[
    OutputDocument {
        name: "plan",
        commands: &["diff", "show", "report"],
        holds: "The plan: each connection with its API destinations, the action and the differences of each, the counts (with targets, each target's apart), the orphans and the connections left out. `show` prints a saved plan (`diff --out`) in the same document; `report merge` the plans of several runs as one, naming in `failedRuns` a run that ended in an error.",
    },
    OutputDocument {
        name: "apply",
        commands: &["apply"],
        holds: "The plan that was carried out, then each result (outcome, state, error) and the counts of the results.",
    },
    OutputDocument {
        name: "validate",
        commands: &["validate"],
        holds: "The connections declared, when every document is valid, and with `targets:` in the project file each document's places (target, account, Region).",
    },
    OutputDocument {
        name: "targets",
        commands: &["targets"],
        holds: "A GitHub Actions matrix, `{\"include\": [...]}`: each place (target, account, Region) the documents use. It alone carries no `version` or `command`, which a matrix would read as variables.",
    },
    OutputDocument {
        name: "verify",
        commands: &["verify"],
        holds: "Each check per connection and API destination and Region: whether it passed, what was checked, the error, and the counts.",
    },
    OutputDocument {
        name: "export",
        commands: &["export"],
        holds: "Each file written (or skipped, and why), with the environment variables its secret references name.",
    },
    OutputDocument {
        name: "salesforce-credentials",
        commands: &["salesforce-credentials"],
        holds: "Each Secrets Manager secret written, per Region, and the documents of other orgs left out.",
    },
    OutputDocument {
        name: "rotate-credentials",
        commands: &["rotate-credentials"],
        holds: "Each connection's rotation: its steps, where Salesforce and AWS stand, and how it ended (or, with `--dry-run`, what would be done).",
    },
    OutputDocument {
        name: "version",
        commands: &["version"],
        holds: "The package version and the operating system and architecture of the build.",
    },
    OutputDocument {
        name: "explain",
        commands: &["explain"],
        holds: "The keys asked for (one, or every key of the document), each with its type, whether required, limits, description and example.",
    },
    OutputDocument {
        name: "error",
        commands: &["every command"],
        holds: "A run that ended in an error before its document: the error, and each problem apart (file, line, column, field, message, help).",
    },
];

/// Commands whose output is not one of [`DOCUMENTS`], and what they print in every format.
pub(super) const OTHER_OUTPUT: &[(&str, &str)] = &[
    (
        "iam-policy",
        "An IAM policy document, in AWS's policy grammar; with `targets:` in the project file, one per target (in JSON an object keyed by target, unless one `--target` is given), or with `--trust` each target role's trust policy.",
    ),
    (
        "schema",
        "The JSON Schema (draft 2020-12) of the connection YAML, or with `--project` of the project file.",
    ),
    ("salesforce-metadata", "The folders it wrote, as text."),
    ("completions", "A shell completion script."),
    ("man", "The manual page in roff, or the pages it wrote."),
];

/// `json-output.md`.
pub(super) fn json_output() -> String {
    let mut out = String::from(
        "# JSON output

With `--output json` (`-o json`) a command prints one JSON document on stdout; progress,
warnings and errors go to stderr. Every document carries `version` (the format's version: a
field is only ever added within a version) and, but the error document, `command`. Each
document has a JSON Schema (draft 2020-12) under `schema/output/`.

| Document | Printed by | What it holds | Schema |
| --- | --- | --- | --- |
",
    );
    for document in DOCUMENTS {
        let commands: Vec<String> = document
            .commands
            .iter()
            .map(|command| match *command {
                "every command" => command.to_string(),
                command => format!("`{command}`"),
            })
            .collect();
        out.push_str(&format!(
            "| `{name}` | {} | {} | [{name}.schema.json](../../schema/output/{name}.schema.json) |\n",
            commands.join(", "),
            markdown_text(document.holds),
            name = document.name,
        ));
    }
    out.push_str("\nThese commands print something else, whatever `--output` says:\n\n");
    for (command, prints) in OTHER_OUTPUT {
        out.push_str(&format!("- `{command}`: {}\n", markdown_text(prints)));
    }
    out
}
