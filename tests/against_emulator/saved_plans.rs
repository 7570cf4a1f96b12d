//! Saved plans: `diff --out` writes what was reviewed, `apply --plan` carries out exactly that
//! or nothing, and `show` prints it again. The file holds no secret and no plain hash of one.

use super::{ACME_SECRET, SHARED_TOKEN, UAT_SECRET, world_with_examples};
use crate::support::World;
use base64::Engine;
use sha2::{Digest, Sha256};

const PLAN: &str = "plan.json";

fn plan_in(world: &World) -> String {
    std::fs::read_to_string(world.path(PLAN)).unwrap()
}

/// `apply --plan` refused the plan as stale, naming `difference`, and said to plan again.
#[track_caller]
fn refused_as_stale(world: &World, difference: &str) -> String {
    let apply = world.provision(&["apply", "connections/", "--plan", PLAN]);
    apply.expect(1);
    assert!(
        apply
            .stderr
            .contains("error: the saved plan plan.json is stale, so nothing was changed:"),
        "{}",
        apply.stderr
    );
    assert!(apply.stderr.contains(difference), "{}", apply.stderr);
    assert!(
        apply.stderr.contains("help: plan again"),
        "{}",
        apply.stderr
    );
    apply.stderr.clone()
}

#[test]
fn a_saved_plan_is_applied_as_reviewed_and_a_second_apply_of_it_is_refused() {
    let world = world_with_examples();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    let apply = world.provision(&["apply", "connections/", "--plan", PLAN]);
    apply.expect(0);
    assert!(
        apply.stdout.contains("+ create   sf-acme-prod"),
        "{}",
        apply.stdout
    );
    world.provision(&["diff", "connections/"]).expect(0);

    // The plan was to create them; they exist now.
    refused_as_stale(
        &world,
        "connection sf-acme-prod (us-east-1) appeared in AWS since the plan",
    );
    let second = world.provision(&["apply", "connections/", "--plan", PLAN, "--output", "json"]);
    second.expect(1);
    assert!(
        second.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("the saved plan plan.json is stale"),
        "{}",
        second.stdout
    );
    refused_as_stale(
        &world,
        "connection sf-acme-uat (us-east-1): the plan was `create`, now it is `in sync`",
    );
}

#[test]
fn a_current_plan_applies_though_an_unrelated_connection_changed() {
    let mut world = world_with_examples();
    world.write(
        "elsewhere/other.yaml",
        "name: sf-other\nsalesforce: { myDomain: other }\nclientId: x\nclientSecret: { env: OTHER_SECRET }\n",
    );
    world.secret_env("OTHER_SECRET", "other-secret-value-777");
    world.provision(&["apply", "elsewhere/"]).expect(0);
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    super::secret_drift::rotate_in_console(&mut world, "sf-other", "another-pasted-secret-12");
    world
        .provision(&["apply", "connections/", "--plan", PLAN])
        .expect(0);
}

#[test]
fn an_out_of_band_change_makes_the_plan_stale_and_nothing_is_written() {
    let world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    world.write(
        "connections/acme.yaml",
        &super::acme_yaml().replace("Acme production org", "Acme production org, reviewed"),
    );
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    world
        .block_on(
            world
                .events
                .update_connection()
                .name("sf-acme-prod")
                .description("changed by hand")
                .send(),
        )
        .unwrap();

    let refusal = refused_as_stale(
        &world,
        "connection sf-acme-prod (us-east-1): changed in AWS since the plan: description",
    );
    // The emulator reports LastModifiedTime to the microsecond: the snapshot names no time.
    insta::with_settings!({filters => vec![(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "[time]")]}, {
        insta::assert_snapshot!("stale_by_out_of_band_change", refusal);
    });
    assert_eq!(
        world.describe("sf-acme-prod").description(),
        Some("changed by hand")
    );
}

#[test]
fn an_edited_file_makes_the_plan_stale_and_nothing_is_written() {
    let world = world_with_examples();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    world.write(
        "connections/acme.yaml",
        &super::acme_yaml().replace("scope: api", "scope: api refresh_token"),
    );
    let refusal = refused_as_stale(&world, "acme.yaml was edited since the plan");
    insta::assert_snapshot!("stale_by_edited_file", refusal);
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

#[test]
fn a_new_secrets_manager_version_makes_the_plan_stale_and_nothing_is_written() {
    let mut world = world_with_examples();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    world.put_secret(
        "salesforce/acme-prod",
        r#"{"consumer_secret": "rotated-after-the-review-99"}"#,
    );
    refused_as_stale(
        &world,
        "the secret from Secrets Manager secret salesforce/acme-prod in us-east-1 changed since the plan",
    );
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

#[test]
fn a_changed_environment_secret_makes_the_plan_stale_and_nothing_is_written() {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    let (_, version_before) = world.managed_secret("sf-acme-uat");
    world.write(
        "connections/sandbox/uat.yml",
        &format!("{}description: reviewed\n", super::sandbox_yaml()),
    );
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    world.secret_env("ACME_UAT_SECRET", "uat-secret-nobody-reviewed-31");
    refused_as_stale(
        &world,
        "the secret from environment variable ACME_UAT_SECRET changed since the plan",
    );
    let (managed, version_after) = world.managed_secret("sf-acme-uat");
    assert_eq!(version_after, version_before);
    assert_eq!(managed["client_secret"], UAT_SECRET);
}

#[test]
fn the_plan_file_holds_no_secret_value_and_no_plain_hash_of_one() {
    let world = world_with_examples();
    // Existing connections, one to update: the plan records what AWS has of them too (the
    // live client id, the parameters) and checks their managed secrets.
    world.provision(&["apply", "connections/"]).expect(0);
    world.write(
        "connections/acme.yaml",
        &super::acme_yaml().replace("Acme production org", "Acme production org, reviewed"),
    );
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    let file = plan_in(&world);
    let whole_json = format!(r#"{{"consumer_secret": "{ACME_SECRET}"}}"#);
    for value in [ACME_SECRET, UAT_SECRET, SHARED_TOKEN, whole_json.as_str()] {
        let sha = Sha256::digest(value.as_bytes());
        let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        let b64 = base64::engine::general_purpose::STANDARD;
        let b64_nopad = base64::engine::general_purpose::STANDARD_NO_PAD;
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let forms = [
            value.to_string(),
            serde_json::to_string(value)
                .unwrap()
                .trim_matches('"')
                .to_string(),
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
            b64.encode(value),
            b64_nopad.encode(value),
            hex.clone(),
            hex.to_uppercase(),
            b64.encode(sha),
            b64_nopad.encode(sha),
            url.encode(sha),
        ];
        for form in forms {
            assert!(
                !file.contains(&form),
                "the plan file holds `{form}`, a form of a secret value or its SHA-256"
            );
        }
    }
    // What it holds instead: the version id of the Secrets Manager secret, and Argon2id
    // fingerprints (salted per plan) of the environment variables.
    let plan: serde_json::Value = serde_json::from_str(&file).unwrap();
    let sources = plan["secrets"]["sources"].as_array().unwrap();
    let by_source = |source: &str| {
        sources
            .iter()
            .filter(|s| s["source"] == source)
            .collect::<Vec<_>>()
    };
    assert_eq!(by_source("env").len(), 2, "{file}");
    assert!(
        by_source("env")
            .iter()
            .all(|s| s["proof"]["argon2id"].is_string())
    );
    assert!(by_source("secretsManager")[0]["proof"]["versionId"].is_string());
    assert_eq!(plan["secrets"]["kdf"]["memoryKib"], 19456);
    // The first step is the first connection (nothing to prune).
    let acme = &plan["steps"][0];
    assert_eq!(acme["entry"]["action"], "update");
    assert!(
        acme["assumed"]["connection"]["fields"]["clientId"]
            .as_str()
            .unwrap()
            .starts_with("argon2id:"),
        "{acme}"
    );
    assert_eq!(
        acme["assumed"]["connection"]["fields"]["invocation.headers.X-Shared-Token"],
        "(secret)"
    );
}

#[test]
fn show_prints_a_saved_plan_in_every_format() {
    let world = world_with_examples();
    let diff = world.provision(&["diff", "connections/", "--out", PLAN]);
    diff.expect(2);
    let show = world.provision(&["show", PLAN]);
    show.expect(0);
    assert_eq!(show.stdout, diff.stdout);
    insta::assert_snapshot!("show_text", show.stdout);

    let json = world.provision(&["show", PLAN, "--output", "json"]);
    json.expect(0);
    let json = json.json();
    let names: Vec<&str> = json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sf-acme-prod", "sf-acme-uat"]);
    assert_eq!(json["summary"]["create"], 2);

    let markdown = world.provision(&["show", PLAN, "--output", "markdown"]);
    markdown.expect(0);
    let diff_markdown = world.provision(&["diff", "connections/", "--output", "markdown"]);
    assert_eq!(markdown.stdout, diff_markdown.stdout);
}

#[test]
fn a_file_that_is_not_a_plan_or_is_damaged_is_a_clear_error() {
    let world = world_with_examples();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    let good = plan_in(&world);

    world.write(
        "garbage.json",
        "{\"format\": \"provision-saved-plan\", \"formatVer",
    );
    let show = world.provision(&["show", "garbage.json"]);
    show.expect(1);
    assert!(
        show.stderr
            .starts_with("error: garbage.json: garbage.json is not a saved plan: it is not JSON"),
        "{}",
        show.stderr
    );

    let diff_json = world.provision(&["diff", "connections/", "--output", "json"]);
    world.write("diff.json", &diff_json.stdout);
    let apply = world.provision(&["apply", "connections/", "--plan", "diff.json"]);
    apply.expect(1);
    assert!(
        apply.stderr.contains(
            "diff.json is not a saved plan: it has no `\"format\": \"provision-saved-plan\"`"
        ),
        "{}",
        apply.stderr
    );

    world.write(PLAN, &good.replacen("\"create\"", "\"in-sync\"", 1));
    let apply = world.provision(&["apply", "connections/", "--plan", PLAN]);
    apply.expect(1);
    assert!(
        apply
            .stderr
            .contains("plan.json is damaged or was edited: its checksum does not match"),
        "{}",
        apply.stderr
    );
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());

    world.write(
        PLAN,
        &good.replacen("\"formatVersion\": 4", "\"formatVersion\": 99", 1),
    );
    let show = world.provision(&["show", PLAN]);
    show.expect(1);
    assert!(
        show.stderr.contains("(plan format 99); this is provision"),
        "{}",
        show.stderr
    );

    // Format 2 named one account for the whole run; format 3 held connections and the API
    // destinations to prune apart, not one list of steps: refused, with the fix.
    for old in [2, 3] {
        world.write(
            PLAN,
            &good.replacen(
                "\"formatVersion\": 4",
                &format!("\"formatVersion\": {old}"),
                1,
            ),
        );
        let apply = world.provision(&["apply", "connections/", "--plan", PLAN]);
        apply.expect(1);
        assert!(
            apply
                .stderr
                .contains(&format!("(plan format {old}); this is provision"))
                && apply
                    .stderr
                    .contains("(plan format 4), which applies only its own plans")
                && apply
                    .stderr
                    .contains("make the plan again with `provision diff --out FILE`"),
            "{}",
            apply.stderr
        );
    }
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

/// A client secret and a secret header with the characters encoders rewrite, so the escaped
/// and encoded forms differ from the raw value.
const ECHOED_SECRET: &str = r#"Echo"ed\secret/with+plus=eq%pct é-7f8e9d0c"#;
const TEAM_TOKEN: &str = "team-token-b1c2d3e4f5a6-declared-secret";
const ECHOED_ID: &str = "3MVG9echoedClientId";

/// One connection with a secret client secret and a header the YAML declares secret, applied.
fn world_with_secret_header() -> World {
    let mut world = World::new();
    world.secret_env("ECHOED_SECRET", ECHOED_SECRET);
    world.secret_env("TEAM_TOKEN", TEAM_TOKEN);
    world.write(
        "connections/echoed.yaml",
        &format!(
            "name: sf-echoed\nsalesforce:\n  myDomain: acme\nclientId: {ECHOED_ID}\nclientSecret: {{ env: ECHOED_SECRET }}\ninvocation:\n  headers:\n    X-Team-Token: {{ env: TEAM_TOKEN }}\n"
        ),
    );
    world.provision(&["apply", "connections/"]).expect(0);
    world
}

/// No form of `secrets` (raw, JSON-escaped, form- and percent-encoded, Base64, any piece of
/// 16 characters) is in the saved plan, in its decoded strings, or in what `show` prints in
/// any format; the plan file is its owner's only.
#[track_caller]
fn assert_plan_and_show_hold_none_of(world: &World, secrets: &[&str]) {
    use super::redaction::{assert_no_form, json_strings};
    let file = plan_in(world);
    assert_no_form(&file, "the saved plan", ECHOED_ID, secrets);
    let mut strings = Vec::new();
    json_strings(&serde_json::from_str(&file).unwrap(), &mut strings);
    for text in strings {
        assert_no_form(&text, "a string of the saved plan", ECHOED_ID, secrets);
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(world.path(PLAN))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the plan is readable by its owner only"
    );
    for output in ["text", "markdown", "json"] {
        let show = world.provision(&["show", PLAN, "--output", output]);
        show.expect(0);
        let what = format!("show --output {output}");
        assert_no_form(&show.stdout, &what, ECHOED_ID, secrets);
        assert_no_form(&show.stderr, &what, ECHOED_ID, secrets);
        if output == "json" {
            let mut strings = Vec::new();
            json_strings(&show.json(), &mut strings);
            for text in strings {
                assert_no_form(&text, &what, ECHOED_ID, secrets);
            }
        }
    }
}

#[test]
fn a_declared_secret_that_aws_holds_plain_is_recorded_as_secret() {
    let mut world = world_with_secret_header();
    // Marked plain in the console (or an adopted connection made so): AWS now returns the value.
    let visible = world.secret("plain-in-aws-header-value-4d5e6f7a8b");
    super::hardening::set_invocation_headers(
        &world,
        "sf-echoed",
        &[("X-Team-Token", &visible, false)],
    );
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    assert_plan_and_show_hold_none_of(&world, &[&visible, TEAM_TOKEN, ECHOED_SECRET]);
    let plan: serde_json::Value = serde_json::from_str(&plan_in(&world)).unwrap();
    let recorded =
        plan["steps"][0]["assumed"]["connection"]["fields"]["invocation.headers.X-Team-Token"]
            .as_str()
            .unwrap()
            .to_string();
    assert!(recorded.starts_with("argon2id:"), "{recorded}");
    // What was recorded still proves the plan current: it applies as reviewed.
    world
        .provision(&["apply", "connections/", "--plan", PLAN])
        .expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_state_reason_echoing_the_token_request_is_stored_and_shown_redacted() {
    let world = world_with_secret_header();
    // EventBridge puts the token endpoint's refusal into StateReason; an endpoint that echoes
    // the request it refused (the request body, form-encoded) and a reason cut to a length
    // bring the client secret with it.
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", ECHOED_ID)
        .append_pair("client_secret", ECHOED_SECRET)
        .finish();
    let cut: String = ECHOED_SECRET.chars().take(20).collect();
    world.emulator.set_state(
        "sf-echoed",
        "DEAUTHORIZED",
        &format!(
            "Unable to authorize: 400 {{\"error\":\"invalid_client\",\"error_description\":\"could not authenticate request {body}\"}} last: {}; {cut}",
            serde_json::to_string(ECHOED_SECRET).unwrap()
        ),
    );
    let diff = world.provision(&["diff", "connections/", "--out", PLAN]);
    diff.expect(2);
    assert!(diff.stdout.contains("(secret)"), "{}", diff.stdout);
    assert_plan_and_show_hold_none_of(&world, &[ECHOED_SECRET, TEAM_TOKEN]);
    let show = world.provision(&["show", PLAN]);
    assert!(
        show.stdout.contains("client_secret=(secret)"),
        "{}",
        show.stdout
    );
    world
        .provision(&["apply", "connections/", "--plan", PLAN])
        .expect(0);
}

#[test]
fn a_plan_is_never_written_through_a_link() {
    use std::os::unix::fs::symlink;
    let world = world_with_examples();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    // Links planted where the plan goes and where a temporary copy of it used to go.
    symlink(&victim, world.path(PLAN)).unwrap();
    symlink(&victim, world.path("plan.json.partial")).unwrap();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let written = std::fs::symlink_metadata(world.path(PLAN)).unwrap();
    assert!(written.is_file(), "the link was replaced by the plan");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(written.permissions().mode() & 0o777, 0o600);
    world.provision(&["show", PLAN]).expect(0);
    let partials: Vec<_> = std::fs::read_dir(world.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial") && name != "plan.json.partial")
        .collect();
    assert!(partials.is_empty(), "{partials:?}");
}

/// `plan` with its checksum made again, as anyone editing the file can.
fn resealed(mut plan: serde_json::Value) -> String {
    plan["checksum"] = serde_json::Value::String(String::new());
    let digest = Sha256::digest(serde_json::to_vec(&plan).unwrap());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    plan["checksum"] = serde_json::Value::String(format!("sha256:{hex}"));
    serde_json::to_string_pretty(&plan).unwrap()
}

#[test]
fn a_plan_whose_fingerprint_cost_was_raised_is_refused_at_once() {
    let world = world_with_examples();
    world
        .provision(&["diff", "connections/", "--out", PLAN])
        .expect(2);
    let good: serde_json::Value = serde_json::from_str(&plan_in(&world)).unwrap();
    // The untouched plan, resealed, is accepted: the reseal is faithful.
    world.write(PLAN, &resealed(good.clone()));
    world.provision(&["show", PLAN]).expect(0);
    for (field, value) in [
        ("memoryKib", 3_145_728),
        ("iterations", 20_000),
        ("parallelism", 16),
    ] {
        let mut tampered = good.clone();
        tampered["secrets"]["kdf"][field] = serde_json::json!(value);
        world.write(PLAN, &resealed(tampered));
        for args in [
            &["show", PLAN][..],
            &["apply", "connections/", "--plan", PLAN],
        ] {
            let started = std::time::Instant::now();
            let run = world.provision(args);
            run.expect(1);
            assert!(
                run.stderr.contains("plan.json was edited: its Argon2id cost is")
                    && run.stderr.contains("provision makes fingerprints at memoryKib 19456, iterations 2, parallelism 1 and takes no higher cost"),
                "{args:?}: {}",
                run.stderr
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{args:?}"
            );
        }
    }
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

#[test]
fn a_signal_while_the_plan_is_saved_stops_the_run_and_leaves_no_plan() {
    use std::io::BufRead;
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut world = world_with_examples();
        // The saved plan fingerprints every secret read from the environment with Argon2id
        // (tens of milliseconds each, and no signal cuts one short): with 40 of them, the
        // signal sent once the plan is printed lands while the saved plan is made. (The run's
        // only AWS call after the plan, the account, is asked once when the run opens.)
        let headers: String = (0..40)
            .map(|n| {
                world.secret_env(
                    &format!("SAVE_SECRET_{n}"),
                    &format!("save-secret-value-{n:02}-0123456789"),
                );
                format!("    X-Save-{n}: {{ env: SAVE_SECRET_{n} }}\n")
            })
            .collect();
        world.write(
            "connections/slow-to-save.yaml",
            &format!("name: sf-slow-to-save\nsalesforce: {{ myDomain: acme }}\nclientId: 3MVG9slow\nclientSecret: {{ env: SAVE_SECRET_0 }}\ninvocation:\n  headers:\n{headers}"),
        );
        let mut child = world.spawn(&["diff", "connections/", "--out", PLAN]);
        let stdout = child.stdout.take().unwrap();
        let mut printed = String::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("Plan:") {
                break;
            }
        }
        assert!(printed.contains("Plan: 3 to create"), "{printed}");
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let run = world.finish(child);
        assert_eq!(run.code, code, "SIG{signal}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "error: interrupted by SIG{signal}: the plan was not saved to plan.json"
            )),
            "{}",
            run.stderr
        );
        let left: Vec<_> = std::fs::read_dir(world.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("plan.json"))
            .collect();
        assert!(left.is_empty(), "SIG{signal}: {left:?}");
    }
}

/// Runs the binary and gives up (killing it) after 30 s: a read that blocks fails the test
/// rather than hanging it.
fn provision_within_30s(world: &World, args: &[&str]) -> crate::support::Run {
    let mut child = world.spawn(args);
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} was still running after 30 s: a read blocked or did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    world.finish(child)
}

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

#[test]
fn a_device_a_pipe_or_an_oversized_file_is_refused_by_name_wherever_a_file_is_read() {
    let world = world_with_examples();
    let pipe = world.path("pipe");
    mkfifo(&pipe);
    world.write("large.json", &" ".repeat(65 * 1024 * 1024));
    let pipe = pipe.to_str().unwrap();
    for (args, said) in [
        (
            vec!["show", "/dev/zero"],
            "/dev/zero: cannot read the saved plan: it is a device, not a regular file; provision reads regular files only",
        ),
        (
            vec!["show", pipe],
            "cannot read the saved plan: it is a named pipe (FIFO), not a regular file",
        ),
        (
            vec!["show", "large.json"],
            "large.json: cannot read the saved plan: it is larger than 64 MiB, the most provision reads of it",
        ),
        (
            vec!["diff", "connections/", "--config", "/dev/zero"],
            "/dev/zero: cannot read the project file: it is a device, not a regular file",
        ),
        (
            vec!["diff", "connections/", "--config", pipe],
            "cannot read the project file: it is a named pipe (FIFO), not a regular file",
        ),
    ] {
        let run = provision_within_30s(&world, &args);
        run.expect(1);
        assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
    }

    // A `file:` secret: a device, a pipe, more than 64 KiB.
    world.write(
        "connections/sandbox/uat.yml",
        &super::sandbox_yaml().replace("{ env: ACME_UAT_SECRET }", "{ file: secret.txt }"),
    );
    let secret_file = world.path("connections/sandbox/secret.txt");
    for (make, said) in [
        (
            "device",
            "it is a device, not a regular file; provision reads regular files only",
        ),
        ("pipe", "it is a named pipe (FIFO), not a regular file"),
        (
            "large",
            "it is larger than 64 KiB, the most provision reads of it",
        ),
    ] {
        let _ = std::fs::remove_file(&secret_file);
        match make {
            "device" => std::os::unix::fs::symlink("/dev/zero", &secret_file).unwrap(),
            "pipe" => mkfifo(&secret_file),
            _ => std::fs::write(&secret_file, "x".repeat(64 * 1024 + 1)).unwrap(),
        }
        let run = provision_within_30s(&world, &["diff", "connections/"]);
        run.expect(1);
        assert!(
            run.stdout.contains("file secret.txt cannot be read: ") && run.stdout.contains(said),
            "{make}: {}{}",
            run.stdout,
            run.stderr
        );
    }
}
