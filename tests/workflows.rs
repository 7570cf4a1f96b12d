//! The GitHub Actions files users copy or call, read as data: the example workflows
//! (`examples/github-actions/provision.yml`, and `fan-out.yml`: one leg per target and Region,
//! one merged report), the release workflow and the setup action
//! (`action.yml`). actionlint and zizmor (in `scripts/test.sh`) check their syntax and
//! security; these tests pin what they cannot know: AWS credentials come before every AWS step,
//! nothing builds the tool from the user's repository, the drift check runs on a schedule, and
//! every action is pinned to a commit with its tag beside it.

use serde_yaml::{Mapping, Value};
use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn parse(text: &str) -> Mapping {
    serde_yaml::from_str(text).expect("the workflow is YAML")
}

fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(Value::String(key.to_string()))
}

fn jobs(workflow: &Mapping) -> Vec<(String, Mapping)> {
    get(workflow, "jobs")
        .and_then(Value::as_mapping)
        .expect("jobs")
        .iter()
        .map(|(name, job)| {
            (
                name.as_str().expect("job name").to_string(),
                job.as_mapping().expect("job").clone(),
            )
        })
        .collect()
}

fn job_named(workflow: &Mapping, name: &str) -> Mapping {
    jobs(workflow)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, j)| j)
        .unwrap_or_else(|| panic!("no job {name}"))
}

fn steps(job: &Mapping) -> Vec<Mapping> {
    get(job, "steps")
        .and_then(Value::as_sequence)
        .expect("steps")
        .iter()
        .map(|step| step.as_mapping().expect("step").clone())
        .collect()
}

/// The `strategy.matrix.include` entries of a job.
fn matrix_include(job: &Mapping) -> &Vec<Value> {
    get(job, "strategy")
        .and_then(Value::as_mapping)
        .and_then(|s| get(s, "matrix"))
        .and_then(Value::as_mapping)
        .and_then(|m| get(m, "include"))
        .and_then(Value::as_sequence)
        .expect("matrix include")
}

fn text<'a>(step: &'a Mapping, key: &str) -> &'a str {
    get(step, key).and_then(Value::as_str).unwrap_or_default()
}

/// The provision subcommands that call AWS (everything but `validate`, `schema`, ...).
const AWS_COMMANDS: &[&str] = &["diff", "apply", "iam-policy", "verify", "export"];

fn calls_aws(script: &str) -> bool {
    script.lines().any(|line| {
        let line = line.trim_start();
        AWS_COMMANDS
            .iter()
            .any(|command| line.starts_with(&format!("provision {command} ")))
    })
}

const EXAMPLE: &str = "examples/github-actions/provision.yml";
const FAN_OUT: &str = "examples/github-actions/fan-out.yml";

/// The fan-out: the matrix comes from `provision targets` (offline), each leg assumes a role in
/// its own target's account before it reads AWS and uploads its report under a name of its
/// own, and the merge runs whatever the legs did (but for a cancelled run). Matrix values reach scripts only through the
/// environment (zizmor's template-injection rule).
#[test]
fn the_fan_out_runs_a_leg_per_target_with_its_own_role_and_merges_every_report() {
    let workflow = parse(&read(FAN_OUT));
    let targets = job_named(&workflow, "targets");
    let listing = steps(&targets)
        .into_iter()
        .find(|step| text(step, "run").contains("provision targets connections/ --output json"))
        .expect("a step lists the targets");
    assert!(!calls_aws(text(&listing, "run")));
    let outputs = get(&targets, "outputs")
        .and_then(Value::as_mapping)
        .unwrap();
    assert_eq!(
        get(outputs, "matrix").and_then(Value::as_str),
        Some("${{ steps.targets.outputs.matrix }}")
    );

    let diff = job_named(&workflow, "diff");
    assert_eq!(get(&diff, "needs").and_then(Value::as_str), Some("targets"));
    let strategy = get(&diff, "strategy").and_then(Value::as_mapping).unwrap();
    assert_eq!(get(strategy, "fail-fast"), Some(&Value::Bool(false)));
    assert_eq!(
        get(strategy, "matrix").and_then(Value::as_str),
        Some("${{ fromJSON(needs.targets.outputs.matrix) }}")
    );
    let permissions = get(&diff, "permissions")
        .and_then(Value::as_mapping)
        .unwrap();
    assert_eq!(
        get(permissions, "id-token").and_then(Value::as_str),
        Some("write")
    );
    assert_eq!(
        get(permissions, "contents").and_then(Value::as_str),
        Some("read")
    );
    assert_eq!(permissions.len(), 2, "a leg needs nothing else");
    let legs = steps(&diff);
    let role = legs
        .iter()
        .position(|s| text(s, "uses").starts_with("aws-actions/configure-aws-credentials@"))
        .expect("each leg assumes a role");
    let with = get(&legs[role], "with")
        .and_then(Value::as_mapping)
        .unwrap();
    let role_arn = get(with, "role-to-assume").and_then(Value::as_str).unwrap();
    assert!(
        role_arn.starts_with("arn:aws:iam::${{ matrix.account }}:role/"),
        "{role_arn}"
    );
    assert_eq!(
        get(with, "aws-region").and_then(Value::as_str),
        Some("${{ matrix.region }}")
    );
    let run = legs
        .iter()
        .position(|s| calls_aws(text(s, "run")))
        .expect("a leg runs diff");
    assert!(run > role, "the leg reads AWS before its role is assumed");
    let script = text(&legs[run], "run");
    assert!(
        script.contains(r#"provision diff connections/ --target "$TARGET" --region "$REGION" --output json > "report-$TARGET-$REGION.json""#),
        "{script}"
    );
    let env = get(&legs[run], "env").and_then(Value::as_mapping).unwrap();
    assert_eq!(
        get(env, "TARGET").and_then(Value::as_str),
        Some("${{ matrix.target }}")
    );
    for step in &legs {
        assert!(
            !text(step, "run").contains("${{"),
            "expressions in a script: {step:?}"
        );
    }
    let upload = legs
        .iter()
        .find(|s| text(s, "uses").starts_with("actions/upload-artifact@"))
        .expect("each leg uploads its report");
    assert_eq!(
        text(upload, "if"),
        "always()",
        "a failed leg's error document too"
    );
    let with = get(upload, "with").and_then(Value::as_mapping).unwrap();
    assert_eq!(
        get(with, "name").and_then(Value::as_str),
        Some("provision-diff-${{ matrix.target }}-${{ matrix.region }}")
    );

    let report = job_named(&workflow, "report");
    assert_eq!(get(&report, "needs").and_then(Value::as_str), Some("diff"));
    assert_eq!(
        get(&report, "if").and_then(Value::as_str),
        Some("${{ !cancelled() && needs.diff.result != 'skipped' }}"),
        "the report runs after failed legs too"
    );
    let merge = steps(&report);
    let download = merge
        .iter()
        .find(|s| text(s, "uses").starts_with("actions/download-artifact@"))
        .expect("the report job downloads the reports");
    let with = get(download, "with").and_then(Value::as_mapping).unwrap();
    assert_eq!(
        get(with, "pattern").and_then(Value::as_str),
        Some("provision-diff-*")
    );
    let merged = merge
        .iter()
        .map(|s| text(s, "run"))
        .find(|script| {
            script.contains("provision report merge reports/*.json --output markdown > report.md")
        })
        .expect("the report job merges every report");
    assert!(merged.contains(r#"cat report.md >> "$GITHUB_STEP_SUMMARY""#));
    for (name, job) in jobs(&workflow) {
        if name != "diff" {
            assert!(
                steps(&job).iter().all(|s| !calls_aws(text(s, "run"))),
                "job {name} reads no AWS"
            );
        }
    }
}

#[test]
fn every_aws_step_of_the_example_comes_after_the_credentials() {
    let workflow = parse(&read(EXAMPLE));
    for (name, job) in jobs(&workflow) {
        let steps = steps(&job);
        let credentials = steps
            .iter()
            .position(|s| text(s, "uses").starts_with("aws-actions/configure-aws-credentials@"))
            .unwrap_or_else(|| panic!("job {name} assumes no AWS role"));
        let aws_steps: Vec<usize> = (0..steps.len())
            .filter(|&i| calls_aws(text(&steps[i], "run")))
            .collect();
        assert!(!aws_steps.is_empty(), "job {name} runs no AWS command");
        for i in aws_steps {
            assert!(
                i > credentials,
                "job {name}: step {i} ({:?}) calls AWS before the role is assumed (step {credentials})",
                text(&steps[i], "run").lines().next()
            );
        }
        let permissions = get(&job, "permissions")
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| panic!("job {name} names its own permissions"));
        assert_eq!(
            get(permissions, "id-token").and_then(Value::as_str),
            Some("write"),
            "job {name} needs an OIDC token"
        );
    }
    assert_eq!(
        get(&workflow, "permissions"),
        Some(&Value::Mapping(Mapping::new())),
        "no permission is granted workflow-wide"
    );
}

#[test]
fn the_example_installs_the_released_tool_and_never_builds_it() {
    let text_of_file = read(EXAMPLE);
    let workflow = parse(&text_of_file);
    for (name, job) in jobs(&workflow) {
        let steps = steps(&job);
        let install = steps
            .iter()
            .position(|s| text(s, "uses").starts_with("ORG/provision@"))
            .unwrap_or_else(|| panic!("job {name} does not use the setup action"));
        let first_provision = steps
            .iter()
            .position(|s| text(s, "run").contains("provision "))
            .unwrap_or_else(|| panic!("job {name} runs no provision"));
        assert!(
            install < first_provision,
            "job {name} runs provision before installing it"
        );
        for step in &steps {
            let script = text(step, "run");
            for builder in ["cargo ", "rustup", "--path ."] {
                assert!(
                    !script.contains(builder),
                    "job {name} builds from the user's repository: {script}"
                );
            }
        }
    }
}

#[test]
fn pull_requests_diff_main_applies_in_a_protected_environment_and_a_schedule_checks_drift() {
    let workflow = parse(&read(EXAMPLE));
    let on = get(&workflow, "on")
        .and_then(Value::as_mapping)
        .expect("on");
    let cron = get(on, "schedule")
        .and_then(Value::as_sequence)
        .and_then(|s| s.first())
        .and_then(Value::as_mapping)
        .and_then(|s| get(s, "cron"))
        .and_then(Value::as_str)
        .expect("a schedule with a cron");
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");

    let jobs = jobs(&workflow);
    let job = |name: &str| {
        jobs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, j)| j.clone())
            .unwrap_or_else(|| panic!("no job {name}"))
    };
    let runs = |job: &Mapping| -> String {
        steps(job)
            .iter()
            .map(|s| text(s, "run").to_string())
            .collect()
    };
    let condition = |job: &Mapping| {
        text(job, "if")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };

    let diff = job("diff");
    assert_eq!(condition(&diff), "github.event_name == 'pull_request'");
    assert!(runs(&diff).contains("provision diff connections/ --output markdown"));
    assert!(runs(&diff).contains("GITHUB_STEP_SUMMARY"));
    assert!(!runs(&diff).contains("provision apply"));

    let apply = job("apply");
    assert_eq!(
        condition(&apply),
        "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
        "apply runs on a push to the default branch only, never on a manual or scheduled run"
    );
    assert_eq!(text(&apply, "environment"), "production");
    assert!(runs(&apply).contains("provision apply connections/"));

    let drift = job("drift");
    // A schedule's event names no repository (it always runs on the default branch); a
    // manual run is checked against the default branch.
    assert_eq!(
        condition(&drift),
        "github.event_name == 'schedule' || (github.event_name == 'workflow_dispatch' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch))"
    );
    assert!(
        !runs(&drift).contains("provision apply"),
        "the drift check never writes"
    );
    let script = runs(&drift);
    assert!(script.contains("provision diff connections/"));
    assert!(
        script.contains("exit \"$DIFF_CODE\""),
        "drift (exit 2) fails the run"
    );
    assert!(script.contains("gh issue create") && script.contains("gh issue edit"));
    let permissions = get(&drift, "permissions")
        .and_then(Value::as_mapping)
        .unwrap();
    assert_eq!(
        get(permissions, "issues").and_then(Value::as_str),
        Some("write")
    );
}

/// The paths that change what provision plans: the documents and every project file.
#[test]
fn the_example_runs_for_the_documents_and_every_project_file() {
    let workflow = parse(&read(EXAMPLE));
    let on = get(&workflow, "on").and_then(Value::as_mapping).unwrap();
    for event in ["pull_request", "push"] {
        let trigger = get(on, event).and_then(Value::as_mapping).unwrap();
        let paths: Vec<&str> = get(trigger, "paths")
            .and_then(Value::as_sequence)
            .unwrap_or_else(|| panic!("{event} has no path filter"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for path in ["connections/**", "provision.yaml", "**/provision.yaml"] {
            assert!(paths.contains(&path), "{event} misses {path}: {paths:?}");
        }
        assert!(
            get(trigger, "branches").is_none(),
            "{event} names a branch: the jobs check the default branch"
        );
    }
    assert!(
        !read(EXAMPLE).contains("refs/heads/main'"),
        "the default branch is read, not named"
    );
}

/// The diff job edits its own comment, found by a hidden marker, never the token's last
/// comment (another workflow's), and uploads the whole plan as JSON.
#[test]
fn the_diff_job_keeps_one_comment_found_by_its_marker_and_uploads_the_json_plan() {
    let workflow = parse(&read(EXAMPLE));
    let steps = steps(&job_named(&workflow, "diff"));
    let script: String = steps.iter().map(|s| text(s, "run").to_string()).collect();
    assert!(!script.contains("gh pr comment"), "{script}");
    assert!(script.contains("marker='<!-- provision-plan -->'"));
    assert!(script.contains("echo \"$marker\""));
    assert!(script.contains("startswith(\\\"$marker\\\")"), "{script}");
    assert!(script.contains("gh api --method PATCH \"repos/$GH_REPO/issues/comments/$id\""));
    assert!(script.contains("gh api --method POST \"repos/$GH_REPO/issues/$PR_NUMBER/comments\""));
    assert!(script.contains("provision show plan.saved.json --output json > plan.json"));
    let upload = steps
        .iter()
        .find(|s| text(s, "uses").starts_with("actions/upload-artifact@"))
        .expect("the plan is uploaded");
    let with = get(upload, "with").and_then(Value::as_mapping).unwrap();
    assert_eq!(text(with, "path"), "plan.json");
    assert_eq!(text(with, "name"), "provision-plan");
}

/// The schedule tells an outage (exit 3 of `diff --fail-on unhealthy`, or a token `verify`
/// cannot get) apart from drift (exit 2), each in its one issue, and runs `verify`.
#[test]
fn the_schedule_raises_an_outage_apart_from_drift_and_runs_verify() {
    let workflow = parse(&read(EXAMPLE));
    let steps = steps(&job_named(&workflow, "drift"));
    let script: String = steps.iter().map(|s| text(s, "run").to_string()).collect();
    assert!(script.contains("provision diff connections/ --fail-on unhealthy"));
    assert!(script.contains("provision verify connections/"));
    assert!(script.contains("if [ \"$DIFF_CODE\" -eq 3 ]"), "{script}");
    assert!(script.contains("keep_issue provision-outage"));
    assert!(script.contains("keep_issue provision-drift"));
    assert!(script.contains("gh issue edit \"$number\" --body-file report.md"));
    assert!(
        !script.contains("gh issue comment"),
        "one issue, updated, not a comment a day"
    );
}

/// Every `uses:` line names a full commit and, in a comment, the tag it is; checkout never
/// leaves its token in `.git/config`.
fn assert_pinned(path: &str) {
    let text_of_file = read(path);
    let mut pins = 0;
    for line in text_of_file.lines() {
        let Some((_, rest)) = line.split_once("uses: ") else {
            continue;
        };
        if line.trim_start().starts_with('#') {
            continue;
        }
        let (reference, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
        let (action, commit) = reference
            .split_once('@')
            .unwrap_or_else(|| panic!("{path}: {line}: no @ref"));
        assert!(
            commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
            "{path}: {action} is not pinned to a commit: {line}"
        );
        let tag = comment.trim();
        assert!(
            tag.starts_with('v') && tag[1..].split('.').all(|n| n.parse::<u32>().is_ok()),
            "{path}: {action} has no tag comment: {line}"
        );
        pins += 1;
    }
    assert!(pins > 0, "{path} uses no action");
    let document = parse(&text_of_file);
    let all_steps: Vec<Mapping> = match get(&document, "jobs") {
        Some(_) => jobs(&document).iter().flat_map(|(_, j)| steps(j)).collect(),
        None => steps(get(&document, "runs").and_then(Value::as_mapping).unwrap()),
    };
    for step in all_steps {
        if text(&step, "uses").starts_with("actions/checkout@") {
            let with = get(&step, "with").and_then(Value::as_mapping);
            assert_eq!(
                with.and_then(|w| get(w, "persist-credentials")),
                Some(&Value::Bool(false)),
                "{path}: checkout keeps its credentials"
            );
        }
    }
}

#[test]
fn every_action_is_pinned_to_a_commit_with_its_tag() {
    for path in [
        EXAMPLE,
        FAN_OUT,
        ".github/workflows/release.yml",
        "action.yml",
    ] {
        assert_pinned(path);
    }
}

#[test]
fn the_example_pins_the_setup_action_of_this_version_which_the_release_fills_in() {
    let example = read(EXAMPLE);
    let pin = format!(
        "uses: ORG/provision@0000000000000000000000000000000000000000 # v{}",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(example.matches(&pin).count(), 3, "one per job:\n{example}");
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("placeholder='ORG/provision@0000000000000000000000000000000000000000'")
    );
    assert!(release.contains("sed \"s|$placeholder|$GITHUB_REPOSITORY@$ACTION_COMMIT|\""));
}

/// The setup action reads an archive's SHA-256 from `checksums/vX.Y.Z.sha256` in its own
/// commit: the release commits exactly its SHA256SUMS there (on top of the tagged commit,
/// tagged `action/vX.Y.Z`), before it publishes anything, and pins the example to that commit.
#[test]
fn the_release_commits_the_checksums_the_setup_action_reads_before_publishing() {
    let release = parse(&read(".github/workflows/release.yml"));
    let job = job_named(&release, "release");
    let steps = steps(&job);
    let position = |needle: &str| {
        steps
            .iter()
            .position(|s| text(s, "run").contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle}"))
    };
    let sums = position("sha256sum provision-*.tar.gz > SHA256SUMS");
    let commit = position("--arg path \"checksums/$TAG.sha256\"");
    let script = text(&steps[commit], "run");
    assert!(
        script.contains("--rawfile content dist/SHA256SUMS"),
        "{script}"
    );
    assert!(script.contains("--arg parent \"$GITHUB_SHA\""), "{script}");
    assert!(script.contains("ref=refs/tags/action/$TAG"), "{script}");
    assert!(script.contains("echo \"ACTION_COMMIT=$commit\" >> \"$GITHUB_ENV\""));
    let example = position("$GITHUB_REPOSITORY@$ACTION_COMMIT");
    let publish = position("gh release create");
    assert!(sums < commit && commit < example && example < publish);
    assert!(text(&steps[publish], "run").contains("$GH_REPO@$ACTION_COMMIT # $TAG"));

    let resolve = read("scripts/setup-action-resolve.sh");
    assert!(resolve.contains(r#"checksums_dir="$GITHUB_ACTION_PATH/checksums""#));
    assert!(resolve.contains(r#"sums_file="$checksums_dir/v${version}.sha256""#));
}

#[test]
fn the_release_builds_every_target_the_setup_action_installs() {
    let release = parse(&read(".github/workflows/release.yml"));
    let build = job_named(&release, "build");
    let matrix = matrix_include(&build);
    let mut targets: Vec<&str> = matrix
        .iter()
        .filter_map(|entry| entry.as_mapping().and_then(|e| get(e, "target")))
        .filter_map(Value::as_str)
        .collect();
    targets.sort_unstable();
    let resolve = read("scripts/setup-action-resolve.sh");
    let mut installed: Vec<&str> = resolve
        .lines()
        .filter_map(|line| {
            line.split_once(") target=")
                .map(|(_, t)| t.trim_end_matches(" ;;"))
        })
        .collect();
    installed.sort_unstable();
    assert_eq!(targets, installed);
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-unknown-linux-musl"
        ]
    );
}

/// The install script reads a few settings only the tests give (a local release, its protocol,
/// shorter time limits): action.yml sets each to empty, so a job's `env:` cannot redirect the
/// download or lift its time limits.
#[test]
fn the_setup_action_leaves_no_test_only_setting_to_the_job_environment() {
    let action = parse(&read("action.yml"));
    let steps = steps(get(&action, "runs").and_then(Value::as_mapping).unwrap());
    let install = steps
        .iter()
        .find(|s| text(s, "id") == "install")
        .expect("the install step");
    let env = get(install, "env").and_then(Value::as_mapping).unwrap();
    let script = read("scripts/setup-action-install.sh");
    let defaulted: Vec<&str> = script
        .split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once(":-").map(|(name, _)| name))
        .collect();
    assert_eq!(
        defaulted,
        [
            "PROVISION_CONNECT_SECONDS",
            "PROVISION_DOWNLOAD_SECONDS",
            "PROVISION_RELEASE_URL",
            "PROVISION_PROTOCOLS"
        ]
    );
    for name in defaulted {
        assert_eq!(
            get(env, name).and_then(Value::as_str),
            Some(""),
            "{name} is not emptied by action.yml"
        );
    }
}

/// Each release archive carries the man pages and the completions of every shell, written by
/// the built binary (a host build for a target that cannot run on its runner) before packing.
#[test]
fn the_release_archive_carries_the_man_pages_and_every_completion() {
    let release = parse(&read(".github/workflows/release.yml"));
    let build = job_named(&release, "build");
    let steps = steps(&build);
    let position = |name: &str| {
        steps
            .iter()
            .position(|step| text(step, "name") == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    let generate = position("Man pages and completions, from the built binary");
    let package = position("Package");
    assert!(
        position("Build") < generate && generate < package,
        "built, then written, then packed"
    );
    let script = text(&steps[generate], "run");
    assert!(script.contains(r#"bin="target/$TARGET/release/provision""#));
    assert!(
        script.contains(r#""$bin" man --out "$stage/man""#),
        "{script}"
    );
    for (shell, file) in [
        ("bash", "provision.bash"),
        ("zsh", "_provision"),
        ("fish", "provision.fish"),
        ("powershell", "_provision.ps1"),
        ("elvish", "provision.elv"),
    ] {
        assert!(
            script.contains(&format!(
                r#""$bin" completions {shell} > "$stage/completions/{file}""#
            )),
            "{shell}: {script}"
        );
    }
    let env = get(&steps[generate], "env").and_then(Value::as_mapping);
    for variable in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        assert_eq!(
            env.and_then(|e| get(e, variable)).and_then(Value::as_str),
            Some("/dev/null"),
            "the runner's AWS profiles stay out of the completions"
        );
    }
    // A cross-built target's binary cannot run on its runner: a host build writes the text.
    assert!(script.contains(
        "if [ \"$CROSS\" = true ]; then\n  # The text comes from the clap definition, the same for every target.\n  cargo build --release --locked --bin provision\n  bin=target/release/provision\n"
    ));
    let cross: Vec<&str> = matrix_include(&build)
        .iter()
        .filter_map(Value::as_mapping)
        .filter(|entry| get(entry, "cross").and_then(Value::as_bool) == Some(true))
        .filter_map(|entry| get(entry, "target").and_then(Value::as_str))
        .collect();
    assert_eq!(cross, ["x86_64-apple-darwin"]);
    assert!(
        text(&steps[package], "run")
            .contains(r#"tar -czf "$archive" -C "$STAGE" provision man completions"#),
        "{}",
        text(&steps[package], "run")
    );
}
