//! `provision iam-policy`: the least-privilege policy for exactly the declared connections,
//! pinned for the example folder; the account from `--account` (no AWS call) or from the
//! caller's identity.

use crate::support::World;

/// The example folder shipped with the project.
fn examples() -> String {
    format!("{}/connections", env!("CARGO_MANIFEST_DIR"))
}

/// A world whose AWS endpoint is a closed port: any AWS call would fail the run.
fn world_without_aws() -> World {
    let mut world = World::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    world.env("AWS_ENDPOINT_URL", &closed);
    world
}

#[test]
fn iam_policy_for_diff_names_exactly_the_example_connections() {
    let world = world_without_aws();
    let run = world.provision(&[
        "iam-policy",
        &examples(),
        "--for",
        "diff",
        "--account",
        "123456789012",
    ]);
    run.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("iam_policy_for_diff", run.stdout);
}

#[test]
fn iam_policy_for_apply_names_exactly_the_example_connections() {
    let world = world_without_aws();
    let run = world.provision(&["iam-policy", &examples(), "--account", "123456789012"]);
    run.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("iam_policy_for_apply", run.stdout);
    let explicit = world.provision(&[
        "iam-policy",
        &examples(),
        "--for",
        "apply",
        "--account",
        "123456789012",
    ]);
    assert_eq!(explicit.stdout, run.stdout, "--for apply is the default");
}

#[test]
fn iam_policy_has_no_wildcard_action_and_one_wildcard_resource() {
    let world = world_without_aws();
    for purpose in ["diff", "apply"] {
        let run = world.provision(&[
            "iam-policy",
            &examples(),
            "--for",
            purpose,
            "--account",
            "123456789012",
        ]);
        run.expect(0);
        let policy = run.json();
        assert_eq!(policy["Version"], "2012-10-17");
        let as_list = |value: &serde_json::Value| -> Vec<String> {
            match value {
                serde_json::Value::String(one) => vec![one.clone()],
                many => many
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
            }
        };
        for statement in policy["Statement"].as_array().unwrap() {
            assert_eq!(statement["Effect"], "Allow");
            let actions = as_list(&statement["Action"]);
            assert!(actions.iter().all(|a| !a.contains('*')), "{statement}");
            let resources = as_list(&statement["Resource"]);
            if resources.contains(&"*".to_string()) {
                assert_eq!(
                    actions,
                    ["events:ListApiDestinations", "events:ListConnections"],
                    "{statement}"
                );
            }
        }
    }
}

#[test]
fn iam_policy_refuses_an_account_that_is_not_12_digits() {
    let world = world_without_aws();
    let run = world.provision(&["iam-policy", &examples(), "--account", "12345"]);
    run.expect(1);
    assert!(
        run.stderr
            .contains("--account `12345` is not an AWS account id: it must be exactly 12 digits"),
        "{}",
        run.stderr
    );
}

#[test]
fn iam_policy_takes_the_account_from_the_callers_identity() {
    let world = World::with_emulator_env(&[("MOTO_ACCOUNT_ID", "210987654321")]);
    world.write(
        "connections/a.yaml",
        "name: sf-a\nsalesforce: { myDomain: acme }\nclientId: 3MVG9a\nclientSecret: { secretsManager: salesforce/a }\nregions: [eu-west-1]\n",
    );
    let run = world.provision(&["iam-policy", "connections/", "--for", "diff"]);
    run.expect(0);
    let policy = run.json();
    let resources: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| match &s["Resource"] {
            serde_json::Value::String(one) => vec![one.as_str()],
            many => many
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect(),
        })
        .collect();
    assert_eq!(
        resources,
        [
            "*",
            "arn:aws:events:eu-west-1:210987654321:connection/sf-a",
            "arn:aws:events:eu-west-1:210987654321:connection/sf-a/*",
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:salesforce/a-??????",
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:events!connection/sf-a/*",
        ]
    );
}
