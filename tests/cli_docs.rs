//! What the clap definition generates for people: `--help` with examples, `--version`, shell
//! completions and the man page. No AWS involved.

use std::process::Command;

fn provision(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run provision");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SUBCOMMANDS: &[&str] = &[
    "validate",
    "diff",
    "apply",
    "show",
    "schema",
    "completions",
    "man",
];

/// Every long flag of every subcommand, as `provision SUB --help` lists them.
fn every_flag() -> Vec<String> {
    let mut flags = Vec::new();
    for sub in SUBCOMMANDS {
        let (_, help, _) = provision(&[sub, "--help"]);
        for word in help.split(|c: char| c.is_whitespace() || c == ',' || c == '=') {
            let word = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            if word.starts_with("--") && word.len() > 2 && !flags.iter().any(|f| f == word) {
                flags.push(word.to_string());
            }
        }
    }
    flags.sort();
    flags
}

#[test]
fn every_subcommand_help_shows_a_realistic_example() {
    for sub in SUBCOMMANDS {
        let (code, help, _) = provision(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub} --help");
        let examples = help
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("`provision {sub} --help` has no examples:\n{help}"));
        let first = examples.lines().next().unwrap_or_default();
        assert!(
            first.contains(&format!("provision {sub}")),
            "the first example of {sub} runs it: {first:?}"
        );
    }
}

#[test]
fn version_prints_the_package_version() {
    let (code, stdout, _) = provision(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, format!("provision {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bash_completion_knows_every_subcommand_and_flag() {
    let (code, script, stderr) = provision(&["completions", "bash"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(script.contains("complete -F _provision"), "{script}");
    for sub in SUBCOMMANDS {
        assert!(
            script.contains(&format!("provision,{sub})")),
            "bash completion lacks {sub}"
        );
    }
    for flag in every_flag() {
        assert!(script.contains(&flag), "bash completion lacks {flag}");
    }
}

#[test]
fn completions_exist_for_every_shell_clap_complete_knows() {
    for (shell, marker) in [
        ("zsh", "#compdef provision"),
        ("fish", "complete -c provision"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[provision]"),
    ] {
        let (code, script, _) = provision(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains(marker), "{shell}:\n{script}");
        assert!(script.contains("apply"), "{shell} lacks apply");
    }
    let (code, _, stderr) = provision(&["completions", "tcsh"]);
    assert_eq!(code, 1, "an unknown shell is a usage error");
    assert!(stderr.contains("possible values"), "{stderr}");
}

#[test]
fn the_man_page_is_valid_roff_naming_every_subcommand_and_flag() {
    let (code, page, stderr) = provision(&["man"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page}");
    assert!(page.contains(".TH provision 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!(".SS \"provision {sub}\"")),
            "the man page lacks a section for {sub}"
        );
    }
    for flag in every_flag() {
        // roff writes `-` as `\-`.
        let written = flag.replace('-', "\\-");
        assert!(page.contains(&written), "the man page lacks {flag}");
    }
    // groff (in the base image with man-db) renders it with every warning enabled: none.
    let mut groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("groff renders man pages (install groff-base)");
    use std::io::Write;
    groff
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let output = groff.wait_with_output().unwrap();
    assert!(output.status.success(), "groff failed");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "groff warnings on the man page"
    );
}
