//! `report merge` on files it must refuse or read with care, without AWS: each refusal names
//! the file and prints no report; a leg that ended in an error is named in the report
//! and fails the merge; text from the files is shown escaped.

use serde_json::{Value, json};
use std::process::Command;

/// A `diff --output json` report of one connection in `region` of account 111111111111.
fn report(name: &str, region: &str, action: &str) -> Value {
    let mut summary = json!({"create": 0, "update": 0, "replace": 0, "delete": 0, "notManaged": 0, "inSync": 0, "error": 0});
    let counted = match action {
        "in-sync" => "inSync",
        other => other,
    };
    summary[counted] = json!(1);
    json!({
        "version": 2,
        "command": "diff",
        "regions": [region],
        "differences": action != "in-sync",
        "summary": summary,
        "apiDestinationSummary": {"create": 0, "update": 0, "replace": 0, "delete": 0, "notManaged": 0, "inSync": 0, "error": 0},
        "connections": [{
            "kind": "connection", "name": name, "account": "111111111111", "region": region,
            "action": action, "changes": [], "secret": {"status": "not-applicable"},
            "health": null, "error": null, "note": null
        }],
        "leftOut": [],
        "orphans": []
    })
}

/// Runs `provision report merge` on `files` (name, content) in a folder of their own, and on
/// `missing`, files that are not there.
fn merge_with(files: &[(&str, String)], missing: &[&str], output: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(["report", "merge", "--output", output])
        .args(
            files
                .iter()
                .map(|(name, _)| *name)
                .chain(missing.iter().copied()),
        )
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn merge(files: &[(&str, String)], output: &str) -> (i32, String, String) {
    merge_with(files, &[], output)
}

#[test]
fn a_file_that_is_not_a_diff_report_is_refused_naming_it_with_nothing_on_stdout() {
    let good = (
        "east.json",
        report("sf-a", "us-east-1", "create").to_string(),
    );
    let mut old = report("sf-b", "eu-west-1", "create");
    old["version"] = json!(1);
    let mut apply = report("sf-b", "eu-west-1", "create");
    apply["command"] = json!("apply");
    let mut unknown_key = report("sf-b", "eu-west-1", "create");
    unknown_key["surprise"] = json!(true);
    let refused = [
        ("empty.json", Some(String::new()), "it is not JSON"),
        (
            "other.json",
            Some(r#"{"foo": 1}"#.to_string()),
            "it has no `version`",
        ),
        ("old.json", Some(old.to_string()), "JSON output version 1"),
        ("apply.json", Some(apply.to_string()), "an `apply` report"),
        (
            "open.json",
            Some(unknown_key.to_string()),
            "does not match the published schema",
        ),
        ("missing.json", None, "cannot read the report"),
    ];
    // Text prints nothing on stdout; JSON (and Markdown) print the error document their
    // format prints for any failed run, and nothing of the other reports.
    for output in ["text", "json"] {
        for (file, content, says) in &refused {
            let (code, stdout, stderr) = match content {
                Some(content) => merge(&[good.clone(), (file, content.clone())], output),
                None => merge_with(std::slice::from_ref(&good), &[file], output),
            };
            assert_eq!(code, 1, "{file}: {stderr}");
            if output == "text" {
                assert_eq!(stdout, "", "{file}");
            } else {
                let document: Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(document["error"], "invalid input", "{file}");
                assert!(!stdout.contains("sf-a"), "{stdout}");
            }
            assert!(
                stderr.contains(&format!("error: {file}: ")),
                "{file}: {stderr}"
            );
            assert!(stderr.contains(says), "{file}: {stderr}");
            assert!(
                stderr.contains("help: give report merge the files"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn a_leg_that_ended_in_an_error_is_named_and_fails_the_merge() {
    let failed = json!({
        "version": 2,
        "error": "cannot assume arn:aws:iam::222222222222:role/provision",
        "help": "trust the CI role in the role's trust policy",
    });
    let files = [
        (
            "prod.json",
            report("sf-a", "us-east-1", "in-sync").to_string(),
        ),
        ("staging.json", failed.to_string()),
    ];
    let (code, stdout, stderr) = merge(&files, "text");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("Runs that ended in an error (what they would have read is not in this report):\n  staging.json: cannot assume arn:aws:iam::222222222222:role/provision\n    help: trust the CI role in the role's trust policy\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Plan: 0 to create, 0 to update, 0 to delete, 1 in sync."),
        "{stdout}"
    );
    assert_eq!(stderr, "error: the run of staging.json failed\n");
    let (code, stdout, _) = merge(&files, "json");
    assert_eq!(code, 1);
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(merged["failedRuns"][0]["file"], "staging.json");
    assert_eq!(merged["summary"]["inSync"], 1);
    let (_, stdout, _) = merge(&files, "markdown");
    assert!(
        stdout.contains("**Runs that ended in an error**"),
        "{stdout}"
    );
    assert!(stdout.contains("`staging.json`"), "{stdout}");
}

#[test]
fn the_exit_code_is_the_worst_of_the_legs() {
    let in_sync = ("a.json", report("sf-a", "us-east-1", "in-sync").to_string());
    let drift = ("b.json", report("sf-a", "eu-west-1", "update").to_string());
    let failed = ("c.json", report("sf-a", "us-west-2", "error").to_string());
    assert_eq!(merge(std::slice::from_ref(&in_sync), "text").0, 0);
    assert_eq!(merge(&[in_sync.clone(), drift.clone()], "text").0, 2);
    let (code, stdout, stderr) = merge(&[in_sync, drift, failed], "text");
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stderr, "error: 1 of 3 connections failed\n");
}

#[test]
fn text_from_a_report_is_shown_escaped() {
    let mut hostile = report("sf-a", "us-east-1", "create");
    hostile["connections"][0]["note"] = json!("owned\u{1b}]0;x\u{7}\n::error::forged");
    hostile["connections"][0]["name"] = json!("sf-\u{1b}[31mred");
    let (code, stdout, _) = merge(&[("a.json", hostile.to_string())], "text");
    assert_eq!(code, 2);
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(!stdout.contains('\u{7}'), "{stdout}");
    assert!(!stdout.contains("\n::error"), "{stdout}");
    assert!(stdout.contains("sf-\\u001b[31mred"), "{stdout}");
}

/// The merged Markdown goes through the same size limit as `diff`'s (GitHub refuses a comment
/// over 65,536 characters): cut to `--max-chars`, the counts of every leg kept, the cut said.
#[test]
fn the_merged_markdown_stays_within_max_chars() {
    let leg = |region: &str| {
        let mut document = report("sf-0", region, "create");
        let entry = document["connections"][0].clone();
        let connections: Vec<Value> = (0..400)
            .map(|n| {
                let mut entry = entry.clone();
                entry["name"] = json!(format!("sf-connection-with-a-long-name-{n:03}"));
                entry
            })
            .collect();
        document["connections"] = Value::Array(connections);
        document["summary"]["create"] = json!(400);
        document.to_string()
    };
    let files = [("a.json", leg("us-east-1")), ("b.json", leg("eu-west-1"))];
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in &files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(["report", "merge", "a.json", "b.json"])
        .args(["--output", "markdown", "--max-chars", "5000"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.chars().count() <= 5000, "{}", stdout.len());
    assert!(stdout.contains("| 800 | 0 | 0 | 0 |"), "{stdout}");
    assert!(stdout.contains("Shortened to 5000 characters"), "{stdout}");
}
