//! One run, many accounts: a project file with three targets (an account and a role each, two
//! Regions each) converges, drifts and prunes in one run, each account checked with its own
//! listing; one refused role leaves the other places converging and is named with the trust
//! policy to give it; an external id is required, sent and never printed; a session that ends
//! mid-run is renewed. The emulator serves one account per assumed role (moto mints the role's
//! account into its credentials; scripts/moto_server.py adds the refusals and session ends).

use crate::support::{REGION, World};

const SECRET: &str = "accounts-consumer-secret-7c1d9e2f4a";
const EXTERNAL_ID: &str = "ext-id-3f9a1c7e5b";
const OTHER_REGION: &str = "eu-west-1";
const ACCOUNTS: [(&str, &str); 3] = [
    ("prod", "111111111111"),
    ("staging", "222222222222"),
    ("dev", "333333333333"),
];

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/provision")
}

/// The project file: the three targets, each in both Regions; `extra` is added to each target.
fn project(world: &World, extra: &str) {
    let mut text = String::from("set: payments\ntargets:\n");
    for (name, account) in ACCOUNTS {
        text.push_str(&format!(
            "  - name: {name}\n    account: \"{account}\"\n    role: {}\n    regions: [{REGION}, {OTHER_REGION}]\n{extra}",
            role(account)
        ));
    }
    world.write("provision.yaml", &text);
}

/// A connection placed in `targets`.
fn declare(world: &mut World, name: &str, targets: &str) {
    world.secret_env("ACCOUNTS_SECRET", SECRET);
    world.write(
        &format!("connections/{name}.yaml"),
        &format!(
            "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9accounts\nclientSecret: {{ env: ACCOUNTS_SECRET }}\ntargets: [{targets}]\n"
        ),
    );
}

/// The SDK configuration of `account` in `region`: the test's own credentials with the
/// account's role assumed (with `external_id` when its trust policy requires one), as the
/// emulator serves each account.
fn assumed(
    world: &World,
    account: &str,
    region: &str,
    external_id: Option<&str>,
) -> aws_config::SdkConfig {
    world.block_on(async {
        let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .endpoint_url(&world.emulator.endpoint)
            .credentials_provider(aws_sdk_eventbridge::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await;
        let mut provider = aws_config::sts::AssumeRoleProvider::builder(role(account))
            .session_name("provision-tests")
            .configure(&base);
        if let Some(external_id) = external_id {
            provider = provider.external_id(external_id);
        }
        let provider = provider.build().await;
        base.to_builder()
            .credentials_provider(aws_sdk_eventbridge::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build()
    })
}

fn events_of(world: &World, account: &str, region: &str) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&assumed(world, account, region, None))
}

fn names_in(world: &World, account: &str, region: &str) -> Vec<String> {
    let client = events_of(world, account, region);
    let page = world
        .block_on(client.list_connections().send())
        .expect("list the account's connections");
    let mut names: Vec<String> = page
        .connections()
        .iter()
        .filter_map(|c| c.name().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Three targets, two Regions each, documents spread over them: one `apply` creates each in
/// its own account, drift behind the tool's back shows in one `diff` (exit 2), `apply --prune`
/// deletes an undeclared one, and the second `diff` is clean.
#[test]
fn three_accounts_are_created_drifted_and_pruned_in_one_run() {
    let mut world = World::new();
    project(&world, "");
    declare(&mut world, "sf-everywhere", "prod, staging, dev");
    declare(&mut world, "sf-prod-only", "prod");
    declare(&mut world, "sf-staging-dev", "staging, dev");

    world.provision(&["apply", "--yes"]).expect(0);
    for region in [REGION, OTHER_REGION] {
        assert_eq!(
            names_in(&world, "111111111111", region),
            ["sf-everywhere", "sf-prod-only"]
        );
        assert_eq!(
            names_in(&world, "222222222222", region),
            ["sf-everywhere", "sf-staging-dev"]
        );
        assert_eq!(
            names_in(&world, "333333333333", region),
            ["sf-everywhere", "sf-staging-dev"]
        );
        assert!(
            world.connection_names(region).is_empty(),
            "nothing lands in the run's own account"
        );
    }

    // Drift in staging's second Region, behind the tool's back.
    let staging = events_of(&world, "222222222222", OTHER_REGION);
    world
        .block_on(
            staging
                .update_connection()
                .name("sf-staging-dev")
                .description("changed by hand [managed by provision set=payments]")
                .send(),
        )
        .expect("change the connection by hand");
    let diff = world.provision(&["diff", "--output", "json"]);
    diff.expect(2);
    let plan = diff.json();
    let changed: Vec<(String, String, String)> = plan["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "in-sync")
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["account"].as_str().unwrap().to_string(),
                c["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [(
            "sf-staging-dev".to_string(),
            "222222222222".to_string(),
            OTHER_REGION.to_string()
        )]
    );

    // Undeclare the prod-only one: `apply --prune` deletes it from prod's both Regions.
    world.remove("connections/sf-prod-only.yaml");
    world.provision(&["apply", "--prune", "--yes"]).expect(0);
    for region in [REGION, OTHER_REGION] {
        assert_eq!(names_in(&world, "111111111111", region), ["sf-everywhere"]);
    }
    world.provision(&["diff"]).expect(0);
}

/// One account's role is refused: the other places converge, the refused one is named (target,
/// account, role) with the trust policy it needs, and the run exits 1.
#[test]
fn a_refused_role_leaves_the_other_accounts_converging() {
    let refused = role("222222222222");
    let mut world = World::with_emulator_env(&[("MOTO_DENY_ASSUME_ROLE", refused.as_str())]);
    project(&world, "");
    declare(&mut world, "sf-everywhere", "prod, staging, dev");

    let run = world.provision(&["apply", "--yes"]);
    run.expect(1);
    for region in [REGION, OTHER_REGION] {
        assert_eq!(names_in(&world, "111111111111", region), ["sf-everywhere"]);
        assert_eq!(names_in(&world, "333333333333", region), ["sf-everywhere"]);
    }
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains(&format!(
            "cannot assume the role {refused} of target `staging` (account 222222222222)"
        )),
        "{out}"
    );
    assert!(
        out.contains("\"sts:AssumeRole\""),
        "the trust policy: {out}"
    );
    assert!(out.contains("provision iam-policy --trust"), "{out}");

    let diff = world.provision(&["diff", "--output", "json"]);
    diff.expect(1);
    let plan = diff.json();
    let unread: Vec<(&str, &str)> = plan["unreadPlaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account"].as_str().unwrap(),
                u["region"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        unread,
        [("222222222222", REGION), ("222222222222", OTHER_REGION)]
    );
}

/// A role whose trust policy requires an external id: missing and wrong are refused, the right
/// one works, and the value appears in no output, even at `-vvv`.
#[test]
fn an_external_id_is_sent_and_never_printed() {
    let ids = serde_json::json!({ role("111111111111"): EXTERNAL_ID }).to_string();
    let mut world = World::with_emulator_env(&[("MOTO_ASSUME_ROLE_EXTERNAL_IDS", ids.as_str())]);
    world.write(
        "provision.yaml",
        &format!(
            "set: payments\ntargets:\n  - name: prod\n    account: \"111111111111\"\n    role: {}\n    externalId: {{ env: PROD_EXTERNAL_ID }}\n    regions: [{REGION}]\n",
            role("111111111111")
        ),
    );
    declare(&mut world, "sf-prod", "prod");

    // Missing: the target names none, and the role's trust policy requires one.
    let without = std::fs::read_to_string(world.path("provision.yaml"))
        .unwrap()
        .replace("    externalId: { env: PROD_EXTERNAL_ID }\n", "");
    let with = std::fs::read_to_string(world.path("provision.yaml")).unwrap();
    world.write("provision.yaml", &without);
    let missing = world.provision(&["diff"]);
    missing.expect(1);
    assert!(
        missing.stderr.contains("cannot assume the role")
            || missing.stdout.contains("cannot assume the role"),
        "{}{}",
        missing.stdout,
        missing.stderr
    );
    world.write("provision.yaml", &with);

    world.secret_env("PROD_EXTERNAL_ID", "wrong-external-id-0000");
    let wrong = world.provision(&["diff"]);
    wrong.expect(1);
    assert!(
        format!("{}{}", wrong.stdout, wrong.stderr).contains("cannot assume the role"),
        "{}{}",
        wrong.stdout,
        wrong.stderr
    );

    world.secret_env("PROD_EXTERNAL_ID", EXTERNAL_ID);
    let right = world.provision(&["-vvv", "apply", "--yes"]);
    right.expect(0);
    assert_eq!(names_in_with(&world, EXTERNAL_ID), ["sf-prod"]);
    for run in [&wrong, &right] {
        assert!(!run.stdout.contains(EXTERNAL_ID) && !run.stderr.contains(EXTERNAL_ID));
    }
}

/// prod's connections, listed with the external id prod's role requires.
fn names_in_with(world: &World, external_id: &str) -> Vec<String> {
    let client = aws_sdk_eventbridge::Client::new(&assumed(
        world,
        "111111111111",
        REGION,
        Some(external_id),
    ));
    let page = world
        .block_on(client.list_connections().send())
        .expect("list prod's connections");
    page.connections()
        .iter()
        .filter_map(|c| c.name().map(str::to_string))
        .collect()
}

/// Sessions of prod's role last two seconds; an `apply` that waits longer than that for its
/// connections to settle renews them and converges.
#[test]
fn a_session_that_ends_mid_run_is_renewed() {
    let seconds = serde_json::json!({ role("111111111111"): 2 }).to_string();
    let mut world = World::with_emulator_env(&[
        ("MOTO_SESSION_SECONDS", seconds.as_str()),
        // Each connection is AUTHORIZING for a few reads, so the run outlives a session.
        ("MOTO_AUTHORIZING_READS", "4"),
    ]);
    world.write(
        "provision.yaml",
        &format!(
            "set: payments\ntargets:\n  - name: prod\n    account: \"111111111111\"\n    role: {}\n    regions: [{REGION}, {OTHER_REGION}]\n",
            role("111111111111")
        ),
    );
    for name in ["sf-one", "sf-two", "sf-three"] {
        declare(&mut world, name, "prod");
    }
    let started = std::time::Instant::now();
    world.provision(&["apply", "--yes"]).expect(0);
    assert!(
        started.elapsed() > std::time::Duration::from_secs(2),
        "the run outlives a session ({:?})",
        started.elapsed()
    );
    world.provision(&["diff"]).expect(0);
}

/// A Secrets Manager client of `account` in the first Region (its role assumed).
fn secrets_manager_of(world: &World, account: &str) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&assumed(world, account, REGION, None))
}

/// A secret is read in its connection's account with that account's role; a secret ARN of
/// another account that AWS does not let the role read says what reading across accounts
/// needs (the emulator reads only the caller's account's secrets, as AWS without a resource
/// policy).
#[test]
fn secrets_are_read_in_the_connections_account() {
    let mut world = World::new();
    project(&world, "");
    let prod = secrets_manager_of(&world, "111111111111");
    let staging = secrets_manager_of(&world, "222222222222");
    let value = world.secret("prod-only-consumer-secret-4b8e");
    world
        .block_on(
            prod.create_secret()
                .name("salesforce/prod")
                .secret_string(&value)
                .send(),
        )
        .expect("create prod's secret");
    let other = world
        .block_on(
            staging
                .create_secret()
                .name("salesforce/staging")
                .secret_string("x-staging-secret-value")
                .send(),
        )
        .expect("create staging's secret");
    world.write(
        "connections/sf-prod.yaml",
        "name: sf-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9accounts\nclientSecret: { secretsManager: salesforce/prod }\ntargets: [prod]\nregions: [us-east-1]\n",
    );
    world.provision(&["apply", "--yes"]).expect(0);
    assert_eq!(names_in(&world, "111111111111", REGION), ["sf-prod"]);

    world.write(
        "connections/sf-prod.yaml",
        &format!(
            "name: sf-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9accounts\nclientSecret: {{ secretsManager: \"{}\" }}\ntargets: [prod]\nregions: [us-east-1]\n",
            other.arn().unwrap()
        ),
    );
    let run = world.provision(&["diff"]);
    run.expect(1);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("of account 222222222222"), "{out}");
    assert!(out.contains("resource policy"), "{out}");
    assert!(out.contains("customer managed KMS key"), "{out}");
}

/// `diff` assumes the target's `readRole`, `apply` its `role`: with the write role refused,
/// `diff` still reads and `apply` is refused naming the write role.
#[test]
fn reading_commands_assume_the_read_role() {
    let write_role = role("111111111111");
    let mut world = World::with_emulator_env(&[("MOTO_DENY_ASSUME_ROLE", write_role.as_str())]);
    world.write(
        "provision.yaml",
        &format!(
            "set: payments\ntargets:\n  - name: prod\n    account: \"111111111111\"\n    role: {write_role}\n    readRole: arn:aws:iam::111111111111:role/provision-read\n    regions: [{REGION}]\n"
        ),
    );
    declare(&mut world, "sf-prod", "prod");
    world.provision(&["diff"]).expect(2);
    let apply = world.provision(&["apply", "--yes"]);
    apply.expect(1);
    let out = format!("{}{}", apply.stdout, apply.stderr);
    assert!(
        out.contains(&format!(
            "cannot assume the role {write_role} of target `prod`"
        )),
        "{out}"
    );
}

/// A plan saved across three accounts is applied exactly, each account's part with its role;
/// a plan made in the run's own account is refused across the targets' accounts, naming them.
#[test]
fn a_saved_plan_records_each_places_account() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        &format!("set: payments\ndefaultRegion: {REGION}\n"),
    );
    declare(&mut world, "sf-everywhere", "prod");
    let placed = std::fs::read_to_string(world.path("connections/sf-everywhere.yaml")).unwrap();
    world.write(
        "connections/sf-everywhere.yaml",
        &placed.replace("targets: [prod]\n", ""),
    );
    world
        .provision(&["diff", "connections/", "--out", "own.json"])
        .expect(2);

    project(&world, "");
    world.write("connections/sf-everywhere.yaml", &placed);
    declare(&mut world, "sf-everywhere", "prod, staging, dev");
    let run = world.provision(&["apply", "connections/", "--plan", "own.json"]);
    run.expect(1);
    assert!(
        run.stderr.contains(
            "the AWS account is 111111111111, 222222222222, 333333333333, the plan was made in 123456789012"
        ),
        "{}",
        run.stderr
    );
    assert!(names_in(&world, "111111111111", REGION).is_empty());

    world
        .provision(&["diff", "connections/", "--out", "targets.json"])
        .expect(2);
    world
        .provision(&["apply", "connections/", "--plan", "targets.json"])
        .expect(0);
    for (_, account) in ACCOUNTS {
        for region in [REGION, OTHER_REGION] {
            assert_eq!(names_in(&world, account, region), ["sf-everywhere"]);
        }
    }
}
