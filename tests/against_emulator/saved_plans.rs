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
    let acme = &plan["connections"][0];
    assert_eq!(acme["entry"]["action"], "update");
    assert!(
        acme["assumed"]["fields"]["clientId"]
            .as_str()
            .unwrap()
            .starts_with("argon2id:"),
        "{acme}"
    );
    assert_eq!(
        acme["assumed"]["fields"]["invocation.headers.X-Shared-Token"],
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
        &good.replacen("\"formatVersion\": 1", "\"formatVersion\": 99", 1),
    );
    let show = world.provision(&["show", PLAN]);
    show.expect(1);
    assert!(
        show.stderr.contains("(plan format 99); this is provision"),
        "{}",
        show.stderr
    );
}
