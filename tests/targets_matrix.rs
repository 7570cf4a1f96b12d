//! `provision targets`: the places the documents use, offline, printed as a GitHub Actions
//! matrix with `--output json`.
//!
//! The matrix is judged by a schema written here from GitHub's own documentation, not from
//! the code: GitHub Docs, "Workflow syntax for GitHub Actions" and "Running variations of jobs
//! in a workflow" (docs.github.com/en/actions/using-jobs/using-a-matrix-for-your-jobs):
//! `jobs.<job_id>.strategy.matrix.include` "value is a list of objects", each object's keys
//! becoming `matrix.<key>` of one job when the matrix has no other variable; every other key
//! of a matrix is a variable "followed by an array of values" (so a `version` or `command`
//! beside `include` would be read as a variable and break the matrix); "A matrix will generate
//! a maximum of 256 jobs per workflow run".

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// GitHub's `strategy.matrix` holding only `include`, from the documents cited above.
fn github_matrix_schema() -> serde_json::Value {
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "include": {
                "type": "array",
                "maxItems": 256,
                "items": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": { "type": ["string", "number", "boolean"] }
                }
            }
        },
        "required": ["include"],
        "additionalProperties": false
    })
}

const PROJECT: &str = "\
set: payments
targets:
  - name: prod
    account: \"111111111111\"
    role: arn:aws:iam::111111111111:role/provision
    regions: [eu-west-1, us-east-1]
  - name: staging
    account: 222222222222
    regions: [eu-west-1]
  - name: sandbox
    account: \"333333333333\"
    regions: [ap-south-1]
";

fn document(name: &str, placement: &str) -> String {
    format!(
        "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret:\n  env: ACME_SECRET\n{placement}"
    )
}

/// Files written in a fresh temporary folder.
pub(crate) fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    for (path, text) in files {
        let path = folder.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    folder
}

/// The value of PROVISION_EXTERNAL_ID in every run here: a target's external id, never printed.
pub(crate) const EXTERNAL_ID: &str = "ext-id-value-7f3a";

/// `provision <args>` in `folder` with AWS unreachable (a closed loopback port, one attempt,
/// fixed credentials and no profile): a call would end the run with an error, so exit 0 means
/// none was made.
pub(crate) fn provision(folder: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_provision"))
        .current_dir(folder)
        .args(args)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_CONFIG_FILE", folder.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            folder.join("no-aws-credentials"),
        )
        .env("PROVISION_EXTERNAL_ID", EXTERNAL_ID)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run provision")
}

fn two_documents() -> tempfile::TempDir {
    folder(&[
        ("provision.yaml", PROJECT),
        (
            "connections/a.yaml",
            &document("sf-a", "targets: [prod, staging]\n"),
        ),
        (
            "connections/b.yaml",
            &document("sf-b", "targets: [prod]\nregions: [us-east-1]\n"),
        ),
    ])
}

#[test]
fn the_places_the_documents_use_print_as_a_github_actions_matrix() {
    let folder = two_documents();
    let output = provision(
        folder.path(),
        &["targets", "connections", "--output", "json"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let matrix: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let github = jsonschema::draft202012::new(&github_matrix_schema()).expect("a schema");
    let errors: Vec<String> = github.iter_errors(&matrix).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "not a matrix GitHub takes: {errors:?}");
    assert_eq!(
        crate::support::output_schema::check(&matrix).as_deref(),
        Ok("targets")
    );
    // Only the places some document uses (sandbox has none), in the project file's order.
    assert_eq!(
        matrix,
        serde_json::json!({"include": [
            {"target": "prod", "account": "111111111111", "region": "eu-west-1"},
            {"target": "prod", "account": "111111111111", "region": "us-east-1"},
            {"target": "staging", "account": "222222222222", "region": "eu-west-1"},
        ]})
    );
    let narrowed = provision(
        folder.path(),
        &[
            "targets",
            "connections",
            "--target",
            "staging",
            "--output",
            "json",
        ],
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&narrowed.stdout).expect("JSON"),
        serde_json::json!({"include": [
            {"target": "staging", "account": "222222222222", "region": "eu-west-1"},
        ]})
    );
}

#[test]
fn the_places_print_as_a_table_in_text() {
    let folder = two_documents();
    let output = provision(folder.path(), &["targets", "connections"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "TARGET   ACCOUNT       REGION\nprod     111111111111  eu-west-1\nprod     111111111111  us-east-1\nstaging  222222222222  eu-west-1\n"
    );
}

#[test]
fn more_places_than_a_matrix_holds_are_refused_naming_the_limit_and_target() {
    let regions: Vec<String> = (1..=9).map(|n| format!("eu-south-{n}")).collect();
    let mut project = format!("extraRegions: [{}]\ntargets:\n", regions.join(", "));
    let mut names = Vec::new();
    for n in 0..30 {
        let name = format!("t{n}");
        project.push_str(&format!(
            "  - name: {name}\n    account: \"{:012}\"\n    regions: [{}]\n",
            100_000_000_000_u64 + n,
            regions.join(", ")
        ));
        names.push(name);
    }
    let placed = document("sf-a", &format!("targets: [{}]\n", names.join(", ")));
    let folder = folder(&[
        ("provision.yaml", &project),
        ("connections/a.yaml", &placed),
    ]);
    let output = provision(
        folder.path(),
        &["targets", "connections", "--output", "json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        crate::support::output_schema::check(&error).as_deref(),
        Ok("error")
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: the documents use 270 places (target x Region), but a GitHub Actions matrix makes at most 256 jobs per workflow run\n  help: split the fan-out: one matrix per group of targets, each printed with --target (e.g. `provision targets --target t0 --output json`)\n"
    );
    // Split with --target, each part is a matrix again.
    let part = provision(
        folder.path(),
        &[
            "targets",
            "connections",
            "--target",
            "t0",
            "--output",
            "json",
        ],
    );
    assert_eq!(part.status.code(), Some(0));
}

#[test]
fn without_targets_in_the_project_file_there_is_nothing_to_list_and_target_is_refused() {
    let folder = folder(&[
        ("provision.yaml", "set: payments\n"),
        ("connections/a.yaml", &document("sf-a", "")),
    ]);
    let listed = provision(folder.path(), &["targets", "connections"]);
    assert_eq!(listed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&listed.stderr),
        "error: no targets to list: the project file provision.yaml lists no `targets:`\n  help: list the accounts under `targets:` in provision.yaml (name, account, regions), and each document's with `targets: [<names>]`\n"
    );
    let narrowed = provision(
        folder.path(),
        &["validate", "connections", "--target", "prod"],
    );
    assert_eq!(narrowed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&narrowed.stderr),
        "error: --target `prod`: the project file provision.yaml lists no `targets:`, so there is no target to limit the run to\n  help: leave --target out (the run works in the credentials' own account), or list `targets:` in provision.yaml\n"
    );
    let unknown = provision(
        two_documents().path(),
        &["validate", "connections", "--target", "qa"],
    );
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr),
        "error: --target `qa` is not a target of the project file\n  help: give one of: prod, staging, sandbox\n"
    );
    // export reads the credentials' own account: a --target is refused, not ignored.
    let exported = provision(
        two_documents().path(),
        &["export", "--out", "connections", "--target", "prod"],
    );
    assert_eq!(exported.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&exported.stderr),
        "error: --target `prod`: export lists the connections of the credentials' own account, in the --region Regions (or the default one), and takes no --target\n  help: leave --target out and run export with credentials of the target's account; then add `targets: [<name>]` to the documents it writes\n"
    );
}
