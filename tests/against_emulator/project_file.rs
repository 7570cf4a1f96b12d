//! The project file (`provision.yaml`): one folder does the same on every machine. Its set and
//! default Region win over the environment, it is found from a subfolder, prune needs a named
//! set and Regions pinned by the files (refused with nothing sent otherwise), the wrong account
//! is refused before any other call, and `namePrefix` keeps orphan discovery to this set's
//! names (describes counted through the fault proxy).

use crate::support::{Proxy, World};
use aws_sdk_eventbridge::types::{
    ConnectionAuthorizationType, ConnectionOAuthHttpMethod, CreateConnectionAuthRequestParameters,
    CreateConnectionOAuthClientRequestParameters, CreateConnectionOAuthRequestParameters,
};

const SECRET: &str = "project-file-consumer-secret-5a6b7c8d9e";

fn declare(world: &mut World, name: &str, extra: &str) {
    world.secret_env("PROJECT_SECRET", SECRET);
    world.write(
        &format!("connections/{name}.yaml"),
        &format!(
            "name: {name}\ndescription: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9project\nclientSecret: {{ env: PROJECT_SECRET }}\n{extra}"
        ),
    );
}

/// A connection made outside this folder's runs, with `description` as it is in AWS.
async fn create_outside(events: &aws_sdk_eventbridge::Client, name: String, description: String) {
    let oauth = CreateConnectionOAuthRequestParameters::builder()
        .client_parameters(
            CreateConnectionOAuthClientRequestParameters::builder()
                .client_id("3MVG9outside")
                .client_secret("outside-secret-value")
                .build()
                .unwrap(),
        )
        .authorization_endpoint("https://acme.my.salesforce.com/services/oauth2/token")
        .http_method(ConnectionOAuthHttpMethod::Post)
        .build()
        .unwrap();
    events
        .create_connection()
        .name(name)
        .description(description)
        .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
        .auth_parameters(
            CreateConnectionAuthRequestParameters::builder()
                .o_auth_parameters(oauth)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

fn description_in(world: &World, region: &str, name: &str) -> String {
    world
        .block_on(
            world
                .events_in(region)
                .describe_connection()
                .name(name)
                .send(),
        )
        .unwrap()
        .description()
        .unwrap_or_default()
        .to_string()
}

/// Requests the proxy saw, per operation (`AWSEvents.DescribeConnection`; `-` for STS).
fn seen(stats: &serde_json::Value, target: &str) -> u64 {
    stats["targets"][target]["seen"].as_u64().unwrap_or(0)
}

fn total_seen(stats: &serde_json::Value) -> u64 {
    stats["totals"]["seen"].as_u64().unwrap_or(0)
}

#[test]
fn the_files_set_and_region_win_over_aws_region() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: eu-west-1\n",
    );
    declare(&mut world, "sf-pay", "");
    // AWS_REGION is us-east-1 in every run of the world; the file says eu-west-1.
    let apply = world.provision(&["apply", "connections/", "-v"]);
    apply.expect(0);
    assert!(
        apply.stderr.contains("project file: provision.yaml"),
        "{}",
        apply.stderr
    );
    assert_eq!(world.connection_names("eu-west-1"), ["sf-pay"]);
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
    assert_eq!(
        description_in(&world, "eu-west-1", "sf-pay"),
        "sf-pay [managed by provision set=payments]"
    );

    // The first --region no longer decides a document's Region: it only narrows the run.
    let json = world
        .provision(&[
            "diff",
            "connections/",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--output",
            "json",
        ])
        .expect(0)
        .json();
    assert_eq!(json["projectFile"], "provision.yaml");
    assert_eq!(json["connections"][0]["name"], "sf-pay");
    assert_eq!(json["connections"][0]["region"], "eu-west-1");
    assert_eq!(json["connections"][0]["action"], "in-sync");
    let narrowed = world
        .provision(&[
            "diff",
            "connections/",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .expect(0)
        .json();
    assert_eq!(
        narrowed["leftOut"],
        serde_json::json!([{"name": "sf-pay", "account": crate::support::EMULATOR_ACCOUNT, "region": "eu-west-1", "reason": "eu-west-1 is not among the --region flags"}])
    );
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

#[test]
fn the_project_file_is_found_from_a_subfolder_up_to_the_repository_root() {
    let mut world = World::new();
    std::fs::create_dir_all(world.path(".git")).unwrap();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: eu-west-1\n",
    );
    declare(&mut world, "sf-sub", "");
    std::fs::create_dir_all(world.path("teams/payments")).unwrap();
    let validate = world.provision_in(
        "teams/payments",
        &["validate", "../../connections/", "--output", "json"],
    );
    validate.expect(0);
    assert_eq!(validate.json()["projectFile"], "../../provision.yaml");
    world
        .provision_in("teams/payments", &["apply", "../../connections/"])
        .expect(0);
    assert_eq!(world.connection_names("eu-west-1"), ["sf-sub"]);
    assert_eq!(
        description_in(&world, "eu-west-1", "sf-sub"),
        "sf-sub [managed by provision set=payments]"
    );
    // Walked as a folder, the project file is never read as a connection document.
    world.provision(&["validate", "."]).expect(0);
}

#[test]
fn prune_with_the_files_set_deletes_exactly_the_retired_connection() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\n",
    );
    declare(&mut world, "sf-kept", "");
    declare(&mut world, "sf-retired", "");
    world.provision(&["apply", "connections/"]).expect(0);
    // The default set's, another set's, and an unmarked connection: none of them ours.
    world.block_on(async {
        create_outside(
            &world.events,
            "sf-default".into(),
            "x [managed by provision]".into(),
        )
        .await;
        create_outside(
            &world.events,
            "sf-orders".into(),
            "x [managed by provision set=orders]".into(),
        )
        .await;
        create_outside(&world.events, "sf-console".into(), "made by hand".into()).await;
    });
    world.remove("connections/sf-retired.yaml");

    let diff = world.provision(&["diff", "connections/", "--prune"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("- delete   sf-retired"),
        "{}",
        diff.stdout
    );
    let apply = world.provision(&["apply", "connections/", "--prune", "--yes"]);
    apply.expect(0);
    assert_eq!(
        world.connection_names("us-east-1"),
        ["sf-console", "sf-default", "sf-kept", "sf-orders"]
    );
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(0);
}

#[test]
fn prune_without_a_named_set_or_with_regions_from_the_environment_is_refused_with_nothing_sent() {
    let mut world = World::new();
    declare(&mut world, "sf-prod", "");
    world.provision(&["apply", "connections/"]).expect(0);
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);

    for args in [
        vec!["diff", "connections/", "--prune"],
        vec!["apply", "connections/", "--prune", "--yes"],
    ] {
        let refused = world.provision(&args);
        refused.expect(1);
        assert!(
            refused
                .stderr
                .contains("--prune needs a named ownership set")
                && refused
                    .stderr
                    .contains("add `set: <name>` to provision.yaml"),
            "{}",
            refused.stderr
        );
    }
    // A named set, but the document's Region would come from AWS_REGION or the first --region.
    for args in [
        vec!["diff", "connections/", "--prune", "--set", "payments"],
        vec![
            "apply",
            "connections/",
            "--prune",
            "--yes",
            "--set",
            "payments",
            "--region",
            "eu-west-1",
            "--region",
            "us-east-1",
        ],
    ] {
        let refused = world.provision(&args);
        refused.expect(1);
        assert!(
            refused.stderr.contains("connections/sf-prod.yaml:1:1: --prune needs every document's Region pinned by the files: connection `sf-prod` declares no `regions:`")
                && refused.stderr.contains("add `defaultRegion: <region>` to provision.yaml"),
            "{}",
            refused.stderr
        );
    }
    assert_eq!(total_seen(&proxy.stats(false)), 0, "nothing was sent");
    assert_eq!(world.connection_names("us-east-1"), ["sf-prod"]);
    assert_eq!(world.connection_names("eu-west-1"), Vec::<String>::new());

    // Without --prune the default set works as before.
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn the_wrong_account_is_refused_before_any_other_call() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\naccounts: [\"111111111111\", \"222222222222\"]\n",
    );
    declare(&mut world, "sf-prod", "");
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);

    for args in [
        vec!["apply", "connections/"],
        vec!["diff", "connections/"],
        vec!["verify", "connections/"],
        vec!["export", "--out", "exported/"],
        vec!["iam-policy", "connections/"],
    ] {
        let refused = world.provision(&args);
        refused.expect(1);
        assert!(
            refused.stderr.contains("provision.yaml: accounts: the AWS credentials belong to account 123456789012, but the project file allows only 111111111111, 222222222222; nothing else was sent to AWS"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    let stats = proxy.stats(true);
    assert_eq!(seen(&stats, "-"), 5, "one GetCallerIdentity a run: {stats}");
    assert_eq!(total_seen(&stats), 5, "and nothing else: {stats}");
    // A policy for an account the folder may not touch is refused without any call.
    let policy = world.provision(&["iam-policy", "connections/", "--account", "333333333333"]);
    policy.expect(1);
    assert!(policy.stderr.contains("--account 333333333333 is not among the accounts the project file allows (111111111111, 222222222222)"), "{}", policy.stderr);
    assert_eq!(total_seen(&proxy.stats(false)), 0);
    assert!(!world.path("exported").exists());
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());

    // The moto account (123456789012) allowed: the run goes on.
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\naccounts: [\"123456789012\"]\n",
    );
    world.provision(&["apply", "connections/"]).expect(0);
    assert_eq!(world.connection_names("us-east-1"), ["sf-prod"]);
}

#[test]
fn validate_counts_the_files_set_in_the_description_limit() {
    let mut world = World::new();
    // 470 characters fit with `[managed by provision]` (489 room), not with a 32-character set.
    let long = "d".repeat(470);
    world.secret_env("PROJECT_SECRET", SECRET);
    world.write(
        "connections/long.yaml",
        &format!("name: sf-long\ndescription: {long}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9project\nclientSecret: {{ env: PROJECT_SECRET }}\ndestinations:\n  - name: sf-long-orders\n    description: {long}\n    event: Order__e\n"),
    );
    world.provision(&["validate", "connections/"]).expect(0);
    let set = "a".repeat(32);
    let by_flag = world.provision(&["validate", "connections/", "--set", &set]);
    by_flag.expect(1);
    world.write("provision.yaml", &format!("set: {set}\n"));
    let by_file = world.provision(&["validate", "connections/"]);
    by_file.expect(1);
    assert_eq!(by_file.stderr, by_flag.stderr);
    let expected = format!(
        "error: connections/long.yaml:2:14: description: the description is 470 characters long; with the ownership marker `[managed by provision set={set}]` that provision appends, at most 452 fit in AWS's 512\n  help: shorten the description by 18 characters\nerror: connections/long.yaml:9:18: destinations[0].description: the description is 470 characters long; with the ownership marker `[managed by provision set={set}]` that provision appends, at most 452 fit in AWS's 512\n  help: shorten the description by 18 characters\n2 problems found; nothing was sent to AWS\n"
    );
    assert_eq!(by_file.stderr, expected);
    // diff and apply check it again before any call.
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    world.provision(&["apply", "connections/"]).expect(1);
    assert_eq!(total_seen(&proxy.stats(false)), 0);
}

#[test]
fn a_broken_project_file_gets_file_line_and_key() {
    let mut world = World::new();
    declare(&mut world, "sf-prod", "");
    world.write(
        "provision.yaml",
        "set: payments\n# the Region of every document\ndefaultRegon: eu-west-1\nnamePrefix: sf-\n",
    );
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    for command in ["validate", "diff", "apply"] {
        let run = world.provision(&[command, "connections/"]);
        run.expect(1);
        assert_eq!(
            run.stderr,
            "error: provision.yaml:3:1: defaultRegon: unknown key `defaultRegon`\n  help: did you mean `defaultRegion`?\n",
            "{command}"
        );
    }
    let json = world
        .provision(&["diff", "connections/", "--output", "json"])
        .json();
    assert_eq!(
        json["problems"],
        serde_json::json!([{"file": "provision.yaml", "line": 3, "column": 1, "field": "defaultRegon", "message": "unknown key `defaultRegon`", "help": "did you mean `defaultRegion`?"}])
    );
    assert_eq!(total_seen(&proxy.stats(false)), 0);
    // What reads no folder is not stopped by it.
    world.provision(&["schema"]).expect(0);
    world.provision(&["completions", "bash"]).expect(0);
    let missing = world.provision(&["validate", "connections/", "--config", "nowhere.yaml"]);
    missing.expect(1);
    assert!(
        missing
            .stderr
            .starts_with("error: nowhere.yaml: cannot read the project file"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_name_prefix_is_required_of_every_name_and_a_new_region_can_be_allowed() {
    let mut world = World::new();
    declare(&mut world, "sf-prod", "regions: [ap-southeast-9]\n");
    let unknown = world.provision(&["validate", "connections/"]);
    unknown.expect(1);
    assert!(
        unknown.stderr.contains("`ap-southeast-9` is not a known AWS Region")
            && unknown.stderr.contains("If `ap-southeast-9` is a Region newer than this version of provision, list it under `extraRegions:` in provision.yaml"),
        "{}",
        unknown.stderr
    );
    world.write(
        "provision.yaml",
        "namePrefix: pay-\nextraRegions: [ap-southeast-9]\n",
    );
    let unprefixed = world.provision(&["validate", "connections/"]);
    unprefixed.expect(1);
    assert_eq!(
        unprefixed.stderr,
        "error: connections/sf-prod.yaml:1:7: name: connection name `sf-prod` does not start with `pay-`, the namePrefix of the project file\n  help: rename it to start with `pay-` (e.g. `pay-sf-prod`), or change namePrefix in provision.yaml\n"
    );
    world.remove("connections/sf-prod.yaml");
    declare(&mut world, "pay-prod", "regions: [ap-southeast-9]\n");
    world.provision(&["validate", "connections/"]).expect(0);
    world
        .provision(&["validate", "connections/", "--region", "ap-southeast-9"])
        .expect(0);
}

#[test]
fn connections_of_the_default_set_move_to_the_files_set_with_adopt() {
    let mut world = World::new();
    declare(&mut world, "sf-moving", "");
    world.provision(&["apply", "connections/"]).expect(0);
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\n",
    );
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout.contains("! not ours sf-moving"),
        "{}",
        diff.stdout
    );
    world
        .provision(&["apply", "connections/", "--adopt"])
        .expect(0);
    assert_eq!(
        description_in(&world, "us-east-1", "sf-moving"),
        "sf-moving [managed by provision set=payments]"
    );
    world
        .provision(&["diff", "connections/", "--prune"])
        .expect(0);
}

#[test]
fn with_a_name_prefix_orphan_discovery_describes_only_prefixed_connections() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\nnamePrefix: pay-\n",
    );
    declare(&mut world, "pay-a", "");
    declare(&mut world, "pay-b", "");
    world.provision(&["apply", "connections/"]).expect(0);
    // A shared account: 300 other teams' connections, and one of this set no file declares.
    let others = 300;
    world.block_on(async {
        let creates = (0..others).map(|i| {
            create_outside(
                &world.events,
                format!("other-{i:03}"),
                format!("team {i} [managed by provision set=team-{i}]"),
            )
        });
        futures::future::join_all(creates).await;
        create_outside(
            &world.events,
            "pay-retired".into(),
            "old [managed by provision set=payments]".into(),
        )
        .await;
    });
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);

    let json = world
        .provision(&["diff", "connections/", "--output", "json"])
        .expect(0)
        .json();
    assert_eq!(
        json["orphans"],
        serde_json::json!([{"kind": "connection", "name": "pay-retired", "account": crate::support::EMULATOR_ACCOUNT, "region": "us-east-1"}])
    );
    let stats = proxy.stats(true);
    // pay-a and pay-b (declared), pay-retired (undeclared, with the prefix): nothing else.
    assert_eq!(seen(&stats, "AWSEvents.DescribeConnection"), 3, "{stats}");
    assert_eq!(seen(&stats, "AWSEvents.ListConnections"), 1, "{stats}");

    // The same folder without namePrefix describes every connection of the account.
    world.write(
        "unprefixed.yaml",
        "set: payments\ndefaultRegion: us-east-1\n",
    );
    let json = world
        .provision(&[
            "diff",
            "connections/",
            "--config",
            "unprefixed.yaml",
            "--output",
            "json",
        ])
        .expect(0)
        .json();
    assert_eq!(json["orphans"][0]["name"], "pay-retired");
    let stats = proxy.stats(true);
    assert_eq!(
        seen(&stats, "AWSEvents.DescribeConnection"),
        3 + others,
        "{stats}"
    );
}

/// A connection document under `folder`.
fn declare_in(world: &mut World, folder: &str, name: &str) {
    world.secret_env("PROJECT_SECRET", SECRET);
    world.write(
        &format!("{folder}/{name}.yaml"),
        &format!(
            "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9project\nclientSecret: {{ env: PROJECT_SECRET }}\n"
        ),
    );
}

#[test]
fn the_folder_named_decides_the_project_file_from_a_repository_root() {
    let mut world = World::new();
    std::fs::create_dir_all(world.path(".git")).unwrap();
    // The team's file forbids the emulator's account (123456789012).
    world.write(
        "teams/a/provision.yaml",
        "set: team-a\ndefaultRegion: eu-west-1\naccounts: [\"111111111111\"]\n",
    );
    declare_in(&mut world, "teams/a/connections", "sf-team-a");
    let refused = world.provision(&["apply", "teams/a/connections"]);
    refused.expect(1);
    assert!(
        refused.stderr.contains("teams/a/provision.yaml: accounts: the AWS credentials belong to account 123456789012, but the project file allows only 111111111111"),
        "{}",
        refused.stderr
    );
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
    assert_eq!(world.connection_names("eu-west-1"), Vec::<String>::new());

    // Allowed: its set and Region, not the environment's.
    world.write(
        "teams/a/provision.yaml",
        "set: team-a\ndefaultRegion: eu-west-1\naccounts: [\"123456789012\"]\n",
    );
    let json = world
        .provision(&["apply", "teams/a/connections", "--output", "json"])
        .expect(0)
        .json();
    assert_eq!(json["projectFile"], "teams/a/provision.yaml");
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
    assert_eq!(world.connection_names("eu-west-1"), ["sf-team-a"]);
    assert_eq!(
        description_in(&world, "eu-west-1", "sf-team-a"),
        "[managed by provision set=team-a]"
    );
    // A document named alone is guarded by the same file.
    world
        .provision(&["diff", "teams/a/connections/sf-team-a.yaml"])
        .expect(0);
}

#[test]
fn outside_a_repository_the_parents_project_file_counts_and_prune_works_for_the_folder_named() {
    let mut world = World::new();
    world.write(
        "ours/provision.yaml",
        "set: ours\ndefaultRegion: us-east-1\n",
    );
    world.write(
        "other/provision.yaml",
        "set: other\ndefaultRegion: us-east-1\n",
    );
    declare_in(&mut world, "ours/connections", "sf-ours");
    declare_in(&mut world, "other/connections", "sf-other");
    world
        .provision_in("ours/connections", &["apply", "."])
        .expect(0);
    world
        .provision_in("other/connections", &["apply", "."])
        .expect(0);
    assert_eq!(
        description_in(&world, "us-east-1", "sf-ours"),
        "[managed by provision set=ours]"
    );
    let json = world
        .provision_in("ours/connections", &["diff", ".", "--output", "json"])
        .expect(0)
        .json();
    assert_eq!(json["projectFile"], "../provision.yaml");

    // Pruning the other folder from here works for its set: ours is not among its orphans.
    world.remove("other/connections/sf-other.yaml");
    declare_in(&mut world, "other/connections", "sf-other-new");
    let diff = world.provision_in(
        "ours/connections",
        &[
            "diff",
            "../../other/connections",
            "--prune",
            "--output",
            "json",
        ],
    );
    diff.expect(2);
    let json = diff.json();
    assert_eq!(json["projectFile"], "../../other/provision.yaml");
    let deleted: Vec<&str> = json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "delete")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(deleted, ["sf-other"]);
}

#[test]
fn documents_of_different_project_files_are_refused_naming_both() {
    let mut world = World::new();
    std::fs::create_dir_all(world.path(".git")).unwrap();
    world.write("teams/a/provision.yaml", "set: team-a\n");
    world.write("teams/b/provision.yaml", "set: team-b\n");
    declare_in(&mut world, "teams/a/connections", "sf-a");
    declare_in(&mut world, "teams/b/connections", "sf-b");
    declare_in(&mut world, "loose", "sf-loose");
    for args in [
        vec!["validate", "teams/"],
        vec!["apply", "teams/a/connections", "teams/b/connections"],
        vec!["diff", "teams/a/connections", "loose"],
        vec!["iam-policy", "teams/"],
        vec!["verify", "teams/"],
        vec!["salesforce-credentials", "teams/"],
        vec!["rotate-credentials", "teams/"],
    ] {
        let refused = world.provision(&args);
        refused.expect(1);
        assert!(
            refused.stderr.contains("the documents of this run belong to different project files: teams/a/connections/sf-a.yaml belongs to teams/a/provision.yaml, ")
                && refused.stderr.contains("help: run provision once per project"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    let mixed = world.provision(&["diff", "teams/a/connections", "loose"]);
    assert!(
        mixed.stderr.contains("loose/sf-loose.yaml belongs to none (no provision.yaml at or above it up to the repository root)"),
        "{}",
        mixed.stderr
    );
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
}

#[test]
fn an_empty_config_is_refused_and_a_config_that_stands_in_is_named() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        "set: payments\ndefaultRegion: us-east-1\naccounts: [\"111111111111\"]\n",
    );
    world.write("empty.yaml", "# nothing\n");
    declare(&mut world, "sf-guarded", "");
    // `/dev/null` is refused as a device before it is read; an empty file as setting nothing.
    for (config, why) in [
        (
            "/dev/null",
            "/dev/null: cannot read the project file: it is a device, not a regular file"
                .to_string(),
        ),
        (
            "empty.yaml",
            "--config empty.yaml sets nothing: the run would have no account, set or Region guard"
                .to_string(),
        ),
    ] {
        let refused = world.provision(&["apply", "connections/", "--config", config]);
        refused.expect(1);
        assert!(refused.stderr.contains(&why), "{}", refused.stderr);
    }
    assert_eq!(world.connection_names("us-east-1"), Vec::<String>::new());
    world.write("other.yaml", "set: other\ndefaultRegion: us-east-1\n");
    let run = world.provision(&["validate", "connections/", "--config", "other.yaml"]);
    run.expect(0);
    assert!(
        run.stderr.contains("provision: warning: --config stands in for provision.yaml, the project file of the documents"),
        "{}",
        run.stderr
    );
}
