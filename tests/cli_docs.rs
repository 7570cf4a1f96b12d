//! What the clap definition generates for people: `--help` with examples, `--version`, shell
//! completions and the man page. No AWS involved.

use std::process::Command;

/// Runs the binary without colour: (exit code, stdout, stderr).
pub(crate) fn provision(args: &[&str]) -> (i32, String, String) {
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
    "explain",
    "completions",
    "man",
    "version",
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
fn version_names_the_build_for_a_bug_report() {
    let (code, stdout, stderr) = provision(&["version"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        format!(
            "provision {} ({} {})\n",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    );
    let (code, stdout, stderr) = provision(&["version", "--output", "json"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let document: serde_json::Value = serde_json::from_str(&stdout).expect(&stdout);
    assert_eq!(
        crate::support::output_schema::check(&document).as_deref(),
        Ok("version")
    );
    assert_eq!(
        document,
        serde_json::json!({
            "version": 2,
            "command": "version",
            "provision": env!("CARGO_PKG_VERSION"),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        })
    );
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

#[test]
fn the_man_page_names_every_variable_read_every_exit_code_and_see_also() {
    let (code, page, _) = provision(&["man"]);
    assert_eq!(code, 0);
    let section = |name: &str| -> String {
        let start = page
            .find(&format!(".SH {name}\n"))
            .unwrap_or_else(|| panic!("the man page has no {name} section"));
        let body = &page[start + name.len() + 5..];
        body[..body.find(".SH ").unwrap_or(body.len())].to_string()
    };
    let environment = section("ENVIRONMENT");
    for variable in [
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_MAX_ATTEMPTS",
        "SF_ACCESS_TOKEN",
        "SF_INSTANCE_URL",
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "TERM",
    ] {
        assert!(
            environment.contains(&format!("\\fB{variable}\\fR")),
            "ENVIRONMENT lacks {variable}:\n{environment}"
        );
    }
    let exit_status = section("\"EXIT STATUS\"");
    let codes: Vec<&str> = exit_status
        .lines()
        .filter_map(|line| line.strip_prefix("\\fB")?.strip_suffix("\\fR"))
        .collect();
    assert_eq!(codes, ["0", "1", "2", "3", "130", "143"], "{exit_status}");
    assert!(exit_status.contains("fail\\-on unhealthy"), "{exit_status}");
    assert!(exit_status.contains("SIGINT") && exit_status.contains("SIGTERM"));
    assert!(section("\"SEE ALSO\"").contains("\\fBaws\\fR(1)"));
    let (_, help, _) = provision(&["--help"]);
    assert!(help.contains("130 interrupted"), "{help}");
    assert!(help.contains("3 `diff --fail-on unhealthy`"), "{help}");
}

#[test]
fn o_is_the_short_form_of_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.yaml"),
        "name: sf-acme\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9example\nclientSecret:\n  env: ACME_SECRET\n",
    )
    .unwrap();
    let path = dir.path().join("acme.yaml");
    let (code, stdout, stderr) = provision(&["validate", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let (_, long, _) = provision(&["validate", path.to_str().unwrap(), "--output", "json"]);
    assert_eq!(
        document,
        serde_json::from_str::<serde_json::Value>(&long).unwrap()
    );
}

#[test]
fn completions_offer_regions_and_profiles_never_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[default]\nregion = eu-west-1\n[profile platform-prod]\n[sso-session corp]\n",
    )
    .unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ci-deploy]\naws_access_key_id = AKIAEXAMPLE\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(["completions", "bash"])
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&output.stdout);
    let completion_of = |flag: &str| -> String {
        let start = script
            .find(&format!("                {flag})\n"))
            .unwrap_or_else(|| panic!("no completion for {flag}"));
        let body = &script[start..];
        body[..body.find(";;").unwrap()].to_string()
    };
    let region = completion_of("--region");
    assert!(region.contains("compgen -W \"af-south-1 "), "{region}");
    assert!(
        region.contains(" eu-west-1 ") && region.contains(" us-gov-west-1 "),
        "{region}"
    );
    let profile = completion_of("--profile");
    assert!(
        profile.contains("compgen -W \"ci-deploy default platform-prod\""),
        "{profile}"
    );
    for flag in ["--region", "--profile"] {
        assert!(
            !completion_of(flag).contains("compgen -f"),
            "{flag} offers files"
        );
    }
    // No AWS config files: still no file names for --profile.
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(["completions", "bash"])
        .env("AWS_CONFIG_FILE", dir.path().join("missing"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("missing"))
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&output.stdout);
    let start = script.find("                --profile)\n").unwrap();
    let body = &script[start..];
    assert!(!body[..body.find(";;").unwrap()].contains("compgen -f"));
}

#[test]
fn man_out_writes_one_page_per_command_each_valid_roff() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let (code, stdout, stderr) = provision(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for sub in SUBCOMMANDS {
        assert!(names.contains(&format!("provision-{sub}.1")), "{names:?}");
    }
    assert!(names.contains(&"provision.1".to_string()));
    assert_eq!(
        stdout.lines().count(),
        names.len(),
        "each written page is named:\n{stdout}"
    );
    let (_, whole, _) = provision(&["man"]);
    assert_eq!(
        std::fs::read_to_string(out.join("provision.1")).unwrap(),
        whole
    );
    for name in &names {
        let page = std::fs::read_to_string(out.join(name)).unwrap();
        for section in [".SH ENVIRONMENT", ".SH \"EXIT STATUS\"", ".SH \"SEE ALSO\""] {
            assert!(page.contains(section), "{name} lacks {section}");
        }
        let output = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(out.join(name))
            .output()
            .expect("groff");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "",
            "groff warnings in {name}"
        );
    }
    let diff = std::fs::read_to_string(out.join("provision-diff.1")).unwrap();
    assert!(diff.contains(".TH provision-diff 1"), "{diff}");
    assert!(
        diff.contains("\\-\\-region"),
        "a command's page has the global options too"
    );
}

/// A symbolic link planted where a page goes is replaced by the page, never written through.
#[test]
fn man_out_writes_through_no_link() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let out = dir.path().join("man1");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("provision.1")).unwrap();
    let (code, _, stderr) = provision(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let (_, whole, _) = provision(&["man"]);
    assert!(
        !std::fs::symlink_metadata(out.join("provision.1"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(out.join("provision.1")).unwrap(),
        whole
    );
}
