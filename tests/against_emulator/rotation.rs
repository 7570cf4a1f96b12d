//! `provision rotate-credentials` against the patched emulator (AWS's managed-secret layout,
//! reached through the fault proxy) and the local Salesforce org (scripts/fake_salesforce.py,
//! its staged credentials as Salesforce documents them), in both `stagedTokensBeforePromotion`
//! modes: a rotation end to end (the previous credential kept as the Rotated entry, or revoked
//! with `--revoke-previous`), a re-run after it, each starting state of the staged slot and the
//! secret, AWS refusing the connection update (rolled back), SIGTERM after each step then a
//! second run, a failed stage. Each ends with ONE credential in Salesforce's primary, the
//! stored secret and the connection, and never a key or secret in any output (every run of a
//! `World` checks that).

use crate::support::{FakeOrg, Proxy, World};
use serde_json::json;

const TOKEN: &str = "00Dxx0000000001!AQ4AQFake.Access.Token.For.Rotation";
const OLD_KEY: &str = "3MVG9oldConsumerKeyForRotationTests01";
const OLD_SECRET: &str = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

/// The `n`th credential the org stages (known, so the world can check it is never printed).
fn staged(n: usize) -> (String, String) {
    (
        format!("3MVG9stagedKeyNumber{n:02}ForRotationTests"),
        format!("{n:02}{}", "C0FFEE".repeat(10)) + "AB",
    )
}

const STAGED_COUNT: usize = 16;

fn org(staged_tokens_before_promotion: bool) -> FakeOrg {
    let staged: Vec<serde_json::Value> = (0..STAGED_COUNT)
        .map(|n| {
            let (key, secret) = staged(n);
            json!({"consumerKey": key, "consumerSecret": secret})
        })
        .collect();
    FakeOrg::start(&json!({
        "apps": [{"name": "sf_acme_prod", "consumerKey": OLD_KEY, "consumerSecret": OLD_SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "stagedCredentials": staged,
        "signedInToken": TOKEN,
        "switches": {"stagedTokensBeforePromotion": staged_tokens_before_promotion}
    }))
}

/// A world with the connection `sf-acme-prod` applied (its key and secret in one Secrets
/// Manager secret, beside another key), signed in to `org`, reaching AWS through a proxy.
fn rotating_world(org: &FakeOrg) -> (World, Proxy) {
    let mut world = World::new();
    applied(&mut world, org);
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    world.env("AWS_MAX_ATTEMPTS", "1");
    (world, proxy)
}

/// Signs `world` in to `org` and applies `sf-acme-prod` (its key and secret in one Secrets
/// Manager secret, beside another key); every credential the org may stage is one the world
/// checks is never printed.
fn applied(world: &mut World, org: &FakeOrg) {
    sign_in(world, org);
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {{ secretsManager: salesforce/acme-prod, key: client_id }}\nclientSecret: {{ secretsManager: salesforce/acme-prod, key: client_secret }}\n",
            org.token_url()
        ),
    );
    world.create_secret(
        "salesforce/acme-prod",
        &json!({"client_id": OLD_KEY, "client_secret": OLD_SECRET, "note": "an-unrelated-value"})
            .to_string(),
    );
    world.provision(&["apply", "connections/"]).expect(0);
}

/// Signs `world` in to `org`; every credential the org may stage is one the world checks is
/// never printed.
fn sign_in(world: &mut World, org: &FakeOrg) {
    world.secret_env("SF_ACCESS_TOKEN", TOKEN);
    world.secret(OLD_KEY);
    world.secret(OLD_SECRET);
    world.env("SF_INSTANCE_URL", &org.url);
    for n in 0..STAGED_COUNT {
        let (key, secret) = staged(n);
        world.secret(&key);
        world.secret(&secret);
    }
}

fn version_id(world: &World, stage: &str) -> String {
    world
        .block_on(
            world
                .secrets_manager
                .get_secret_value()
                .secret_id("salesforce/acme-prod")
                .version_stage(stage)
                .send(),
        )
        .unwrap()
        .version_id()
        .unwrap()
        .to_string()
}

fn stored(world: &World, stage: &str) -> serde_json::Value {
    let value = world
        .block_on(
            world
                .secrets_manager
                .get_secret_value()
                .secret_id("salesforce/acme-prod")
                .version_stage(stage)
                .send(),
        )
        .unwrap();
    serde_json::from_str(value.secret_string().unwrap()).unwrap()
}

/// Salesforce's primary, the stored secret and the connection's managed secret are one and the
/// same credential, nothing is left as a candidate (the slot is empty or holds the previous
/// credential, Rotated, which is neither stored nor primary), the primary gets a token, and
/// `diff` is clean. Returns it.
#[track_caller]
fn assert_one_credential_everywhere(world: &World, org: &FakeOrg) -> (String, String) {
    let app = &org.state()["apps"][0];
    let key = app["consumerKey"].as_str().unwrap().to_string();
    let secret = app["consumerSecret"].as_str().unwrap().to_string();
    match app["staged"].as_array().unwrap().as_slice() {
        [] => {}
        [entry] => {
            assert_eq!(entry["state"], "Rotated", "no candidate left staged: {app}");
            assert_ne!(entry["consumerSecret"], secret.as_str(), "{app}");
        }
        more => panic!("one staged slot: {more:?}"),
    }
    assert!(
        app["tokenCredentials"]
            .as_array()
            .unwrap()
            .contains(&json!({"consumerKey": key, "consumerSecret": secret})),
        "the primary gets a token: {app}"
    );
    let current = stored(world, "AWSCURRENT");
    assert_eq!(
        (
            current["client_id"].as_str(),
            current["client_secret"].as_str()
        ),
        (Some(key.as_str()), Some(secret.as_str())),
        "the secret holds Salesforce's primary"
    );
    assert_eq!(
        current["note"], "an-unrelated-value",
        "other JSON keys are kept"
    );
    let (managed, _) = world.managed_secret("sf-acme-prod");
    assert_eq!(
        (
            managed["client_id"].as_str(),
            managed["client_secret"].as_str()
        ),
        (Some(key.as_str()), Some(secret.as_str())),
        "the connection uses it: {managed}"
    );
    world.provision(&["diff", "connections/"]).expect(0);
    (key, secret)
}

/// What occupies the org's staged slot: `(state, consumerKey)`, or `None`.
fn slot(org: &FakeOrg) -> Option<(String, String)> {
    let app = &org.state()["apps"][0];
    app["staged"].as_array().unwrap().first().map(|entry| {
        (
            entry["state"].as_str().unwrap().to_string(),
            entry["consumerKey"].as_str().unwrap().to_string(),
        )
    })
}

/// Whether the org still gives a token to the credential with `key`.
fn gets_token(org: &FakeOrg, key: &str) -> bool {
    org.state()["apps"][0]["tokenCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .any(|credential| credential["consumerKey"] == key)
}

fn step_names(run: &crate::support::Run) -> Vec<String> {
    run.json()["results"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

/// The parts of a rotation's text that change from run to run: dates and secret version ids.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:?\d\d)", "[time]"),
        (r"version [0-9a-f-]{36}", "version [id]"),
        (r"the window was [0-9.]+s", "the window was [seconds]"),
    ]
}

#[test]
fn a_rotation_keeps_the_previous_credential_until_revoked_and_a_re_run_starts_a_new_one() {
    let org = org(true);
    let (world, proxy) = rotating_world(&org);

    let run = world.provision(&["rotate-credentials", "connections/"]);
    run.expect(0);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("rotation_complete", run.stdout);
    });
    let (key, _) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(key, staged(0).0, "the new credential is primary");
    assert_eq!(
        slot(&org),
        Some(("Rotated".to_string(), OLD_KEY.to_string())),
        "the previous credential is the Rotated entry"
    );
    assert!(gets_token(&org, OLD_KEY), "and still gets a token");
    let previous = stored(&world, "AWSPREVIOUS");
    assert_eq!(
        previous["client_secret"], OLD_SECRET,
        "the previous version keeps AWSPREVIOUS"
    );
    assert_every_call_is_allowed(&world, &proxy);

    let dry = world.provision(&["rotate-credentials", "connections/", "--dry-run"]);
    dry.expect(0);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("rotation_re_run_dry_run", dry.stdout);
    });
    assert_eq!(
        slot(&org),
        Some(("Rotated".to_string(), OLD_KEY.to_string())),
        "a dry run changes nothing"
    );

    let again = world.provision(&["rotate-credentials", "connections/", "--revoke-previous"]);
    again.expect(0);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("rotation_complete_revoking_the_previous", again.stdout);
    });
    let (key, _) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(key, staged(1).0, "a new rotation");
    assert_eq!(slot(&org), None, "the previous credential is revoked");
    assert!(!gets_token(&org, OLD_KEY) && !gets_token(&org, &staged(0).0));
    let revoked: Vec<String> = org.state()["apps"][0]["revoked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["consumerKey"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(revoked, [OLD_KEY.to_string(), staged(0).0]);
}

/// The rotation opens the run's AWS world once, however many steps it takes and however often
/// it looks again: the caller's account is asked once (the project file's `accounts:` checks
/// it), and each look after a write reads through the same clients.
#[test]
fn a_rotation_opens_its_aws_world_once() {
    let org = org(true);
    let mut world = World::new();
    world.write("provision.yaml", "accounts: [\"123456789012\"]\n");
    applied(&mut world, &org);
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);

    let run = world.provision(&["rotate-credentials", "connections/", "--output", "json"]);
    run.expect(0);
    let steps = step_names(&run);
    assert!(steps.len() >= 5, "a whole rotation: {steps:?}");
    let stats = proxy.stats(false);
    // STS calls carry no X-Amz-Target: the proxy counts them under "-".
    assert_eq!(
        stats["targets"]["-"]["seen"],
        1,
        "one GetCallerIdentity for a rotation of {} steps: {stats}",
        steps.len()
    );
    assert_one_credential_everywhere(&world, &org);
}

/// Every AWS call the rotation made (as the proxy saw them) is an action of
/// `iam-policy --for rotate-credentials`.
#[track_caller]
fn assert_every_call_is_allowed(world: &World, proxy: &Proxy) {
    let stats = proxy.stats(false);
    let called: Vec<String> = stats["targets"]
        .as_object()
        .unwrap()
        .keys()
        // "-": a request without X-Amz-Target, the caller's identity (sts:GetCallerIdentity,
        // a query-protocol call every run makes first, which needs no permission).
        .filter(|target| target.as_str() != "-")
        .map(|target| {
            let (service, action) = target.split_once('.').unwrap();
            let prefix = if service == "AWSEvents" {
                "events"
            } else {
                "secretsmanager"
            };
            format!("{prefix}:{action}")
        })
        .collect();
    assert!(
        called.contains(&"secretsmanager:PutSecretValue".to_string()),
        "{called:?}"
    );
    assert!(
        called.contains(&"events:UpdateConnection".to_string()),
        "{called:?}"
    );
    let policy = world.provision(&[
        "iam-policy",
        "connections/",
        "--for",
        "rotate-credentials",
        "--account",
        "123456789012",
    ]);
    policy.expect(0);
    let allowed: Vec<String> = policy.json()["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|statement| match &statement["Action"] {
            serde_json::Value::String(one) => vec![one.clone()],
            many => many
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
        })
        .collect();
    for call in &called {
        assert!(
            allowed.contains(call),
            "{call} is not in the policy: {allowed:?}"
        );
    }
}

#[test]
fn a_staged_credential_honoured_only_once_primary_is_promoted_then_carried_at_once() {
    let org = org(false);
    let (world, _proxy) = rotating_world(&org);

    let run = world.provision(&["rotate-credentials", "connections/"]);
    run.expect(0);
    assert!(
        run.stdout
            .starts_with("= sf-acme-prod  app sf_acme_prod: rotated\n"),
        "{}",
        run.stdout
    );
    for step in [
        "stage",
        "check-staged",
        "promote",
        "store-primary",
        "update-connections",
        "check-primary",
    ] {
        assert!(
            run.stdout.contains(&format!(" {step} ")),
            "{step}: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("EventBridge keeps its cached token until it expires or a call gets 401/407")
            && run.stdout.contains("the window was "),
        "why the order is safe, and how long the window was: {}",
        run.stdout
    );
    let (key, _) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(key, staged(0).0);
}

#[test]
fn aws_refusing_the_connection_update_rolls_everything_back() {
    let org = org(true);
    let (world, proxy) = rotating_world(&org);
    let old_version = version_id(&world, "AWSCURRENT");
    proxy.configure(json!({"error500": 1.0, "only_target": "UpdateConnection"}));

    let run = world.provision(&["rotate-credentials", "connections/", "--output", "json"]);
    run.expect(1);
    assert_eq!(
        version_id(&world, "AWSCURRENT"),
        old_version,
        "the old secret version is current again"
    );
    assert_every_call_is_allowed(&world, &proxy);
    let result = &run.json()["results"][0];
    assert_eq!(result["outcome"], "rolled-back", "{result}");
    assert_eq!(
        step_names(&run),
        [
            "stage",
            "check-staged",
            "store-staged",
            "update-connections",
            "store-primary",
            "delete-staged"
        ]
    );
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .contains("AWS did not take the credential: sf-acme-prod (us-east-1)"),
        "{result}"
    );
    proxy.configure(json!({"error500": 0, "only_target": null}));
    assert_eq!(slot(&org), None, "the staged credential is deleted");
    let (key, secret) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(
        (key.as_str(), secret.as_str()),
        (OLD_KEY, OLD_SECRET),
        "the old credential is still primary and stored"
    );
}

#[test]
fn a_connection_that_ends_deauthorized_rolls_the_rotation_back() {
    // The emulator settles an update whose secret starts with this in DEAUTHORIZED.
    let org = org(true);
    let mut world = World::with_emulator_env(&[("MOTO_DEAUTHORIZE_SECRET_PREFIX", "00C0FFEE")]);
    applied(&mut world, &org);

    let run = world.provision(&["rotate-credentials", "connections/"]);
    run.expect(1);
    assert!(run.stdout.contains("rolled back"), "{}", run.stdout);
    assert!(run.stdout.contains("DEAUTHORIZED"), "{}", run.stdout);
    let (key, _) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(key, OLD_KEY);
}

/// SIGTERM after each step of a rotation in turn (with `args`), then a run without it: the
/// interrupted run says what it did and what holds (the primary unchanged before the
/// promotion, the new one after), and each time the second run leaves one consistent
/// credential everywhere.
fn interrupted_after_each_step(
    staged_tokens_before_promotion: bool,
    steps: &[&str],
    args: &[&str],
) {
    let org = org(staged_tokens_before_promotion);
    let (mut world, _proxy) = rotating_world(&org);
    let promotion = steps.iter().position(|step| *step == "promote").unwrap();
    let command: Vec<&str> = ["rotate-credentials", "connections/"]
        .iter()
        .chain(args)
        .copied()
        .collect();
    for (at, step) in steps.iter().enumerate() {
        world.env("PROVISION_TEST_SIGTERM_AFTER", step);
        let interrupted = world.provision(&command);
        interrupted.expect(143);
        assert!(
            interrupted.stderr.contains("interrupted by SIGTERM")
                && interrupted
                    .stderr
                    .contains(&format!("{step}; run the same command again to finish")),
            "{step}: {}",
            interrupted.stderr
        );
        let holds = if at < promotion {
            "    now: Salesforce's primary credential is unchanged; "
        } else {
            "    now: the new credential is primary in Salesforce; "
        };
        assert!(
            interrupted.stdout.contains(holds) && !interrupted.stdout.contains("no way back"),
            "{step}: {}",
            interrupted.stdout
        );
        world.env("PROVISION_TEST_SIGTERM_AFTER", "");
        let second = world.provision(&command);
        second.expect(0);
        assert_one_credential_everywhere(&world, &org);
    }
}

#[test]
fn sigterm_after_each_step_then_a_second_run_leaves_one_credential_everywhere() {
    interrupted_after_each_step(
        true,
        &[
            "stage",
            "check-staged",
            "store-staged",
            "update-connections",
            "promote",
            "check-primary",
            "revoke-previous",
        ],
        &["--revoke-previous"],
    );
}

#[test]
fn sigterm_after_each_step_of_a_promote_first_rotation_then_a_second_run_finishes_it() {
    interrupted_after_each_step(
        false,
        &[
            "stage",
            "check-staged",
            "promote",
            "store-primary",
            "update-connections",
            "check-primary",
        ],
        &[],
    );
}

#[test]
fn dry_run_lists_the_steps_and_changes_nothing() {
    let org = org(true);
    let (world, _proxy) = rotating_world(&org);
    let before = org.state()["apps"].clone();

    let run = world.provision(&[
        "rotate-credentials",
        "connections/",
        "--dry-run",
        "--output",
        "markdown",
    ]);
    run.expect(0);
    assert!(
        run.stdout
            .contains("### `sf-acme-prod` (app `sf_acme_prod`): planned"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("| `store-staged` | planned |"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("if Salesforce gives the staged credential no token before it is primary, the steps are: stage, check-staged, promote, store-primary, update-connections, check-primary"),
        "{}",
        run.stdout
    );
    assert_eq!(org.state()["apps"], before, "nothing staged");
    assert_eq!(
        assert_one_credential_everywhere(&world, &org),
        (OLD_KEY.to_string(), OLD_SECRET.to_string())
    );
}

#[test]
fn aws_refusing_after_the_promotion_says_what_is_left_and_a_re_run_finishes_it() {
    let org = org(false);
    let (world, proxy) = rotating_world(&org);
    proxy.configure(json!({"error500": 1.0, "only_target": "UpdateConnection"}));

    let run = world.provision(&["rotate-credentials", "connections/", "-vv"]);
    run.expect(1);
    assert!(
        run.stdout.contains(
            "    now: the new credential is primary in Salesforce; the previous credential is the Rotated staged entry and still gets tokens until "
        ) && run.stdout.contains(
            "; the referenced secrets hold the primary; sf-acme-prod (us-east-1) differs from them; a new run would: update-connections, check-primary\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(org.state()["apps"][0]["consumerKey"], staged(0).0);

    proxy.configure(json!({"error500": 0, "only_target": null}));
    let again = world.provision(&["rotate-credentials", "connections/", "--output", "json"]);
    again.expect(0);
    assert_eq!(
        step_names(&again),
        ["update-connections", "check-primary"],
        "the re-run finishes what was left, and starts no new rotation"
    );
    let (key, _) = assert_one_credential_everywhere(&world, &org);
    assert_eq!(key, staged(0).0);
}

#[test]
fn a_document_also_in_a_region_the_run_leaves_out_is_not_rotated_and_nothing_is_staged() {
    let org = org(true);
    let (world, _proxy) = rotating_world(&org);
    let before = org.state()["apps"].clone();
    let file = std::fs::read_to_string(world.path("connections/acme.yaml")).unwrap();
    world.write(
        "connections/acme.yaml",
        &format!("{file}regions: [us-east-1, eu-west-1]\n"),
    );

    let run = world.provision(&[
        "rotate-credentials",
        "connections/",
        "--region",
        "us-east-1",
    ]);
    run.expect(1);
    assert!(
        run.stdout.contains("not rotated: sf-acme-prod (eu-west-1) uses its credential in a Region this run leaves out"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout
            .contains("run without --region, or with every Region these connections are in"),
        "{}",
        run.stdout
    );
    assert_eq!(org.state()["apps"], before, "nothing staged");
    // The document as applied (its connection exists in us-east-1 only).
    world.write("connections/acme.yaml", &file);
    assert_eq!(
        assert_one_credential_everywhere(&world, &org),
        (OLD_KEY.to_string(), OLD_SECRET.to_string())
    );
}

/// Each starting state of the staged slot and the secret, in one org, each run ending with
/// one credential everywhere: nothing staged (GET answering an empty collection, and the
/// other answers the sources leave open); the Rotated entry with the secret holding it; an
/// expired Rotated entry; an Active entry whose secret the listing leaves out; an expired
/// Active entry.
#[test]
fn every_starting_state_ends_with_one_credential_everywhere() {
    let org = org(true);
    let (mut world, _proxy) = rotating_world(&org);
    org.switches(json!({
        "emptyStagedGet": "emptyCollection",
        "postWithoutBody": "accept",
        "patchAnswer": "noContent",
        "rotatedEntryId": "same",
        "itemUrl": "item",
        "unhonouredKeyError": "invalid_client_id"
    }));
    let rotate = |world: &World| {
        let run = world.provision(&["rotate-credentials", "connections/", "--output", "json"]);
        run.expect(0);
        step_names(&run)
    };
    // A run that empties the slot, stages again and ends on the `n`th staged credential.
    let restaged = |world: &World, n: usize| {
        let steps = rotate(world);
        assert_eq!(steps[..2], ["delete-staged", "stage"], "{steps:?}");
        assert_eq!(assert_one_credential_everywhere(world, &org).0, staged(n).0);
    };

    // Nothing staged, and GET says so with an empty collection.
    assert_eq!(rotate(&world)[0], "stage");
    assert_eq!(
        assert_one_credential_everywhere(&world, &org).0,
        staged(0).0
    );

    // The secret holds the previous credential (the Rotated entry): the primary is written
    // over it; the Rotated entry is never stored, promoted, nor taken for a finished rotation.
    world.put_secret(
        "salesforce/acme-prod",
        &json!({"client_id": OLD_KEY, "client_secret": OLD_SECRET, "note": "an-unrelated-value"})
            .to_string(),
    );
    let steps = rotate(&world);
    assert_eq!(steps[0], "store-primary", "{steps:?}");
    assert!(!steps.contains(&"stage".to_string()), "{steps:?}");
    assert_eq!(
        assert_one_credential_everywhere(&world, &org).0,
        staged(0).0
    );

    // The Rotated entry expired: deleted, then a new rotation.
    org.expire();
    assert_eq!(slot(&org).unwrap().0, "Expired");
    restaged(&world, 1);

    // An Active entry the listing gives without its secret (only the POST answer carries it):
    // it cannot be carried, so it is cancelled and staged again.
    org.switches(json!({"stagedSecret": "postOnly"}));
    stopped_after_staging(&mut world);
    assert_eq!(slot(&org), Some(("Active".to_string(), staged(2).0)));
    restaged(&world, 3);

    // An Active entry that expired before it was carried: deleted, staged again.
    org.switches(json!({"stagedSecret": "always"}));
    stopped_after_staging(&mut world);
    org.expire();
    assert_eq!(slot(&org), Some(("Expired".to_string(), staged(4).0)));
    restaged(&world, 5);
}

/// A rotation that SIGTERM stops right after it staged a credential.
fn stopped_after_staging(world: &mut World) {
    world.env("PROVISION_TEST_SIGTERM_AFTER", "stage");
    world
        .provision(&["rotate-credentials", "connections/"])
        .expect(143);
    world.env("PROVISION_TEST_SIGTERM_AFTER", "");
}

/// A stage Salesforce refuses, or takes but whose answer is lost, leaves the primary as it was:
/// the output says so and what is staged, never that the new credential is primary; a re-run
/// finishes.
#[test]
fn a_failed_stage_says_the_primary_is_unchanged_and_what_is_staged() {
    let org = org(true);
    let (world, _proxy) = rotating_world(&org);

    org.faults(
        json!([{"method": "POST", "path": "/staged", "fault": "error500", "when": "before"}]),
    );
    let refused = world.provision(&["rotate-credentials", "connections/"]);
    refused.expect(1);
    assert!(
        refused.stdout.contains(
            "    now: Salesforce's primary credential is unchanged; nothing is staged; the referenced secrets hold the primary; every connection using them matches them; a new run would: stage, check-staged, store-staged, update-connections, promote, check-primary\n"
        ) && !refused.stdout.contains("no way back"),
        "{}",
        refused.stdout
    );
    assert_eq!(slot(&org), None);

    org.faults(
        json!([{"method": "POST", "path": "/staged", "fault": "error500", "when": "after"}]),
    );
    let lost = world.provision(&["rotate-credentials", "connections/"]);
    lost.expect(1);
    assert!(
        lost.stdout.contains(
            "    now: Salesforce's primary credential is unchanged; a new credential is staged (Active, not primary; valid until "
        ) && lost.stdout.contains(
            "a new run would: check-staged, store-staged, update-connections, promote, check-primary\n"
        ),
        "{}",
        lost.stdout
    );
    assert_eq!(org.state()["apps"][0]["consumerKey"], OLD_KEY);

    let again = world.provision(&["rotate-credentials", "connections/", "--output", "json"]);
    again.expect(0);
    assert_eq!(step_names(&again)[0], "check-staged");
    assert_eq!(
        assert_one_credential_everywhere(&world, &org).0,
        staged(0).0
    );
}

/// A rotation across targets: the document is in two accounts (`targets: [prod, staging]`),
/// each with its own copy of the referenced secret, applied with each target's role.
mod across_targets {
    use super::*;
    use crate::against_emulator::accounts::{assumed, role};
    use crate::support::REGION;

    const TARGETS: [(&str, &str); 3] = [
        ("prod", "111111111111"),
        ("staging", "222222222222"),
        ("dev", "333333333333"),
    ];

    fn secrets_in(world: &World, account: &str) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&assumed(world, account, REGION, None))
    }

    /// What the referenced secret holds in `account`, and what the connection there holds
    /// (its managed secret): `(client_id, client_secret)` each.
    fn held_in(world: &World, account: &str) -> [(String, String); 2] {
        let secrets = secrets_in(world, account);
        let events = aws_sdk_eventbridge::Client::new(&assumed(world, account, REGION, None));
        let arn = world
            .block_on(events.describe_connection().name("sf-acme-prod").send())
            .expect("describe the connection")
            .secret_arn()
            .unwrap()
            .to_string();
        ["salesforce/acme-prod".to_string(), arn].map(|id| {
            let value = world
                .block_on(secrets.get_secret_value().secret_id(id).send())
                .expect("read the secret");
            let json: serde_json::Value =
                serde_json::from_str(value.secret_string().unwrap()).unwrap();
            (
                json["client_id"].as_str().unwrap().to_string(),
                json["client_secret"].as_str().unwrap().to_string(),
            )
        })
    }

    /// Signs in to `org`, writes the project file (three targets, one Region each) and the
    /// document placed in `placed`, creates the referenced secret in each of `placed`'s
    /// accounts and applies there.
    fn world_in(org: &FakeOrg, placed: &[&str], emulator_env: &[(&str, &str)]) -> World {
        let mut world = World::with_emulator_env(emulator_env);
        sign_in(&mut world, org);
        let mut project = String::from("set: payments\ntargets:\n");
        for (name, account) in TARGETS {
            project.push_str(&format!(
                "  - name: {name}\n    account: \"{account}\"\n    role: {}\n    regions: [{REGION}]\n",
                role(account)
            ));
        }
        world.write("provision.yaml", &project);
        world.write(
            "connections/acme.yaml",
            &format!(
                "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {{ secretsManager: salesforce/acme-prod, key: client_id }}\nclientSecret: {{ secretsManager: salesforce/acme-prod, key: client_secret }}\ntargets: [{}]\n",
                org.token_url(),
                placed.join(", ")
            ),
        );
        for (name, account) in TARGETS {
            if !placed.contains(&name) || emulator_env.iter().any(|(_, v)| v.contains(account)) {
                continue;
            }
            world
                .block_on(
                    secrets_in(&world, account)
                        .create_secret()
                        .name("salesforce/acme-prod")
                        .secret_string(
                            json!({"client_id": OLD_KEY, "client_secret": OLD_SECRET}).to_string(),
                        )
                        .send(),
                )
                .expect("create the secret in the target's account");
        }
        world
    }

    /// After the rotation, the connection in EACH account holds the new credential, and so
    /// does the referenced secret there; the run's own account holds no copy.
    #[test]
    fn a_rotation_carries_the_new_credential_to_every_account() {
        let org = org(true);
        let world = world_in(&org, &["prod", "staging"], &[]);
        world.provision(&["apply", "--yes"]).expect(0);

        let run = world.provision(&["rotate-credentials", "connections/"]);
        run.expect(0);
        let new = staged(0);
        for account in ["111111111111", "222222222222"] {
            assert_eq!(
                held_in(&world, account),
                [new.clone(), new.clone()],
                "account {account}: the secret and the connection hold the new credential\n{}",
                run.stdout
            );
        }
        let own = world.block_on(
            world
                .secrets_manager
                .describe_secret()
                .secret_id("salesforce/acme-prod")
                .send(),
        );
        assert!(own.is_err(), "nothing written in the run's own account");
        world.provision(&["diff"]).expect(0);
    }

    /// One of the document's accounts cannot be opened (its role refused): nothing is staged
    /// in Salesforce, the other account keeps the old credential (still the primary, nothing
    /// revoked), and the account is named.
    #[test]
    fn a_refused_role_in_one_account_stops_the_rotation_before_anything_is_staged() {
        let org = org(true);
        let refused = role("222222222222");
        let world = world_in(
            &org,
            &["prod", "staging"],
            &[("MOTO_DENY_ASSUME_ROLE", refused.as_str())],
        );
        world
            .provision(&["apply", "--yes", "--target", "prod"])
            .expect(0);

        let run = world.provision(&["rotate-credentials", "connections/"]);
        run.expect(1);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(
            out.contains("not rotated: staging/us-east-1 (account 222222222222) holds its credential and could not be opened"),
            "{out}"
        );
        assert_eq!(slot(&org), None, "nothing staged in Salesforce");
        assert_eq!(
            org.state()["apps"][0]["consumerKey"],
            OLD_KEY,
            "the primary is the old one"
        );
        assert!(gets_token(&org, OLD_KEY), "the old credential stays valid");
        assert_eq!(
            held_in(&world, "111111111111"),
            [
                (OLD_KEY.to_string(), OLD_SECRET.to_string()),
                (OLD_KEY.to_string(), OLD_SECRET.to_string())
            ]
        );
    }
}
