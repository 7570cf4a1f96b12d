//! `provision iam-policy`: the least-privilege policy for exactly the declared resources,
//! pinned for the example folder and for a fixture with every kind of resource, once for each
//! `--for` and flag combination; parliament lints every printed policy, and every action must
//! be one the Service Authorization Reference knows. The account comes from `--account` (no
//! AWS call) or from the caller's identity. Whether the policies allow what the runs do is
//! proven in `iam_oracle.rs`.

use crate::support::World;
use crate::support::iam;

/// The example folder shipped with the project.
fn examples() -> String {
    format!("{}/connections", env!("CARGO_MANIFEST_DIR"))
}

/// Two connections with every kind of resource a policy names (tests/fixtures/iam-policy).
fn fixture() -> String {
    format!("{}/tests/fixtures/iam-policy", env!("CARGO_MANIFEST_DIR"))
}

/// The same kinds of resource under a project `namePrefix` (`sf-`), the Secrets Manager names
/// under `salesforce/` and the SSM parameters under `/salesforce/`
/// (tests/fixtures/iam-policy-prefix).
fn prefix_fixture() -> String {
    format!(
        "{}/tests/fixtures/iam-policy-prefix",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// What `iam-policy` says beside a policy for a run that writes a referenced Secrets Manager
/// secret (Secrets Manager User Guide, "Permissions for the KMS key").
const WRITE_KEY_NOTE: &str = "provision: note: writing a Secrets Manager secret encrypted with a customer managed KMS key also needs kms:GenerateDataKey and kms:Decrypt on that key (the AWS managed key aws/secretsmanager needs no statement)\n";

/// `iam-policy ARGS --account 123456789012`: it succeeds, parliament finds nothing
/// unexplained, and the reference knows every action. Returns the policy as printed, then
/// what it said on stderr, if anything, after a `--- stderr ---` line.
#[track_caller]
fn printed(world: &World, args: &[&str]) -> String {
    let mut all = vec!["iam-policy"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--account", "123456789012"]);
    let run = world.provision(&all);
    run.expect(0);
    let findings = iam::parliament(&run.stdout);
    assert!(
        findings.is_empty(),
        "parliament on `{}`:\n{}",
        all.join(" "),
        findings.join("\n")
    );
    for action in iam::actions_of(&run.json()) {
        assert!(iam::knows(&action), "{action} is not in the reference");
    }
    assert_eq!(iam::unknown_conditions(&run.json()), Vec::<String>::new());
    if run.stderr.is_empty() {
        run.stdout.clone()
    } else {
        format!("{}--- stderr ---\n{}", run.stdout, run.stderr)
    }
}

/// Rules on two API destinations: two roles (one shared by rules of both destinations), a rule
/// on a custom event bus, a dead-letter queue shared by two rules (tests/fixtures/iam-policy-rules).
fn rules_fixture() -> String {
    format!(
        "{}/tests/fixtures/iam-policy-rules",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// parliament lints identity policies, which must have a `Resource`; a role's trust policy has
/// none, its resource being the role itself (IAM User Guide, "IAM JSON policy elements:
/// Principal", the role trust policy examples). This is the only finding a trust policy may get.
const TRUST_POLICY_HAS_NO_RESOURCE: &str = "Statement contains neither Resource nor NotResource";

/// `iam-policy PATH --for rule --account 123456789012` with rules declared: it succeeds, and
/// each document in it is judged: every action and condition key is one the Service
/// Authorization Reference knows for it, and parliament finds nothing in a permission policy
/// or a queue statement, and nothing but the missing `Resource` in a trust policy.
#[track_caller]
fn printed_rule_documents(world: &World, path: &str) -> String {
    let run = world.provision(&[
        "iam-policy",
        path,
        "--for",
        "rule",
        "--account",
        "123456789012",
    ]);
    run.expect(0);
    assert_eq!(run.stderr, "");
    let printed = run.json();
    let judge = |document: &serde_json::Value, allowed: &[&str]| {
        for action in iam::actions_of(document) {
            assert!(iam::knows(&action), "{action} is not in the reference");
        }
        assert_eq!(iam::unknown_conditions(document), Vec::<String>::new());
        let findings: Vec<String> = iam::parliament(&document.to_string())
            .into_iter()
            .filter(|finding| !allowed.iter().any(|detail| finding.contains(detail)))
            .collect();
        assert!(
            findings.is_empty(),
            "parliament on {document}:\n{}",
            findings.join("\n")
        );
    };
    let roles = printed["roles"].as_array().expect("roles");
    assert!(!roles.is_empty());
    for role in roles {
        judge(&role["permissionPolicy"], &[]);
        judge(&role["trustPolicy"], &[TRUST_POLICY_HAS_NO_RESOURCE]);
    }
    for queue in printed["deadLetterQueues"].as_array().into_iter().flatten() {
        let document =
            serde_json::json!({"Version": "2012-10-17", "Statement": [queue["statement"]]});
        judge(&document, &[]);
    }
    run.stdout.clone()
}

#[test]
fn iam_policy_snapshots_for_declared_rules() {
    let world = world_without_aws();
    let fixture = rules_fixture();
    for (name, args) in [
        ("rules_for_diff", vec!["--for", "diff"]),
        ("rules_for_apply", vec!["--for", "apply"]),
        ("rules_for_apply_prune", vec!["--for", "apply", "--prune"]),
    ] {
        let mut all = vec![fixture.as_str()];
        all.extend_from_slice(&args);
        insta::assert_snapshot!(name, printed(&world, &all));
    }
    insta::assert_snapshot!("rules_for_rule", printed_rule_documents(&world, &fixture));
}

#[test]
fn each_rule_role_invokes_exactly_its_rules_destinations_and_trusts_only_those_rules() {
    let world = world_without_aws();
    let printed: serde_json::Value =
        serde_json::from_str(&printed_rule_documents(&world, &rules_fixture())).unwrap();
    let rule = |name: &str| format!("arn:aws:events:us-east-1:123456789012:rule/{name}");
    let destination =
        |name: &str| format!("arn:aws:events:us-east-1:123456789012:api-destination/{name}/*");
    let role = |name: &str| {
        printed["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == format!("arn:aws:iam::123456789012:role/{name}"))
            .unwrap_or_else(|| panic!("no role {name} in {printed}"))
            .clone()
    };
    let invoke = role("sf-eventbridge-invoke");
    assert_eq!(
        invoke["permissionPolicy"]["Statement"][0]["Resource"],
        serde_json::json!([destination("sf-acme-cases"), destination("sf-acme-orders")])
    );
    assert_eq!(
        invoke["trustPolicy"]["Statement"][0]["Condition"],
        serde_json::json!({
            "ArnEquals": {"aws:SourceArn": [rule("sf-cases-to-salesforce"), rule("sf-orders-to-salesforce")]},
            "StringEquals": {"aws:SourceAccount": "123456789012"}
        })
    );
    let rush = role("sf-eventbridge-rush");
    assert_eq!(
        rush["permissionPolicy"]["Statement"][0]["Resource"],
        destination("sf-acme-orders")
    );
    assert_eq!(
        rush["trustPolicy"]["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"],
        rule("orders/sf-rush-orders")
    );
    assert_eq!(
        printed["deadLetterQueues"],
        serde_json::json!([{
            "queue": "arn:aws:sqs:us-east-1:123456789012:sf-routes-dlq",
            "statement": {
                "Sid": "EventBridgeRulesDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:123456789012:sf-routes-dlq",
                "Condition": {"ArnEquals": {"aws:SourceArn": [rule("orders/sf-rush-orders"), rule("sf-orders-to-salesforce")]}}
            }
        }])
    );
}

#[test]
fn apply_passes_exactly_the_declared_rule_roles_and_only_to_eventbridge() {
    let world = world_without_aws();
    let document: serde_json::Value = serde_json::from_str(
        printed(&world, &[&rules_fixture(), "--for", "apply"])
            .split("--- stderr ---")
            .next()
            .unwrap(),
    )
    .unwrap();
    let pass = document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "iam:PassRole")
        .expect("a PassRole statement");
    assert_eq!(
        pass["Resource"],
        serde_json::json!([
            "arn:aws:iam::123456789012:role/sf-eventbridge-invoke",
            "arn:aws:iam::123456789012:role/sf-eventbridge-rush"
        ])
    );
    assert_eq!(
        pass["Condition"],
        serde_json::json!({"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}})
    );
    // Without declared rules, apply is granted nothing on rules.
    let plain = printed(&world, &[&fixture(), "--for", "apply"]);
    assert!(
        !plain.contains(":rule/") && !plain.contains("PassRole"),
        "{plain}"
    );
}

/// `iam-policy ARGS --account 123456789012` refused: exit 1, nothing on stdout. Returns what
/// it said on stderr.
#[track_caller]
fn refusal(world: &World, args: &[&str]) -> String {
    let mut all = vec!["iam-policy"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--account", "123456789012"]);
    let run = world.provision(&all);
    run.expect(1);
    assert_eq!(run.stdout, "");
    run.stderr.clone()
}

/// The commands that write the Secrets Manager secrets the YAML references may meet a secret
/// encrypted with a customer managed key, which only the secret names: the policy cannot grant
/// it, so they say which KMS actions it takes. `apply` writes no referenced secret.
#[test]
fn commands_that_write_referenced_secrets_name_the_kms_actions_a_customer_managed_key_needs() {
    let world = world_without_aws();
    let fixture = fixture();
    for purpose in ["salesforce-credentials", "rotate-credentials"] {
        let run = world.provision(&[
            "iam-policy",
            &fixture,
            "--for",
            purpose,
            "--account",
            "123456789012",
        ]);
        run.expect(0);
        assert_eq!(run.stderr, WRITE_KEY_NOTE, "--for {purpose}");
    }
    let apply = world.provision(&[
        "iam-policy",
        &fixture,
        "--for",
        "apply",
        "--account",
        "123456789012",
    ]);
    apply.expect(0);
    assert_eq!(apply.stderr, "");
}

#[test]
fn iam_policy_snapshots_for_each_command_and_flag() {
    let world = world_without_aws();
    let fixture = fixture();
    for (name, args) in [
        ("fixture_for_diff", vec!["--for", "diff"]),
        ("fixture_for_apply", vec!["--for", "apply"]),
        ("fixture_for_apply_prune", vec!["--for", "apply", "--prune"]),
        (
            "fixture_for_apply_replace",
            vec!["--for", "apply", "--replace"],
        ),
        (
            "fixture_for_apply_kms_conditions",
            vec!["--for", "apply", "--kms-conditions"],
        ),
        ("fixture_for_rule", vec!["--for", "rule"]),
        ("fixture_for_verify", vec!["--for", "verify"]),
        (
            "fixture_for_salesforce_credentials",
            vec!["--for", "salesforce-credentials"],
        ),
        (
            "for_export_with_a_name_prefix",
            vec![
                "--for",
                "export",
                "--region",
                "eu-west-1",
                "--name-prefix",
                "sf-",
            ],
        ),
    ] {
        let mut all = vec![fixture.as_str()];
        all.extend_from_slice(&args);
        insta::assert_snapshot!(name, printed(&world, &all));
    }
}

#[test]
fn a_diff_deletes_nothing_whatever_its_flags_and_prune_with_replace_is_both() {
    let world = world_without_aws();
    let fixture = fixture();
    let diff = printed(&world, &[&fixture, "--for", "diff"]);
    for flags in [&["--prune"][..], &["--replace"], &["--prune", "--replace"]] {
        let mut args = vec![fixture.as_str(), "--for", "diff"];
        args.extend_from_slice(flags);
        assert_eq!(printed(&world, &args), diff, "{flags:?}");
    }
    let both: serde_json::Value = serde_json::from_str(&printed(
        &world,
        &[&fixture, "--for", "apply", "--prune", "--replace"],
    ))
    .unwrap();
    let sids: Vec<&str> = both["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert!(sids.contains(&"DeleteUndeclaredConnections"), "{sids:?}");
    assert!(
        both.to_string()
            .contains("\"events:DeleteConnection\",\"events:DescribeConnection\"")
    );
}

#[test]
fn export_without_a_name_prefix_describes_every_connection_of_the_region() {
    let world = world_without_aws();
    let policy: serde_json::Value = serde_json::from_str(&printed(
        &world,
        &["--for", "export", "--region", "eu-west-1"],
    ))
    .unwrap();
    assert_eq!(
        policy["Statement"][1]["Resource"],
        "arn:aws:events:eu-west-1:123456789012:connection/*"
    );
}

#[test]
fn iam_policy_refuses_what_iam_or_the_run_would_refuse() {
    let world = world_without_aws();
    world.write(
        "mixed/c.yaml",
        "name: sf-c\nsalesforce: { myDomain: acme }\nclientId: 3MVG9c\nclientSecret: { env: C }\nregions: [us-east-1, cn-north-1]\n",
    );
    let examples = examples();
    for (args, message) in [
        (
            vec![examples.as_str(), "--for", "rule"],
            "error: no document declares an API destination: the role of a rule would have nothing to invoke, and IAM refuses a policy without statements\n  help: declare `destinations:` under a connection, or ask for the policy of another command with --for\n",
        ),
        (
            vec!["mixed/", "--for", "diff"],
            "error: the run's Regions are in more than one partition (aws: us-east-1; aws-cn: cn-north-1): a policy is attached in one partition and cannot name another's resources\n  help: print one policy per partition: limit the run with --region (e.g. --region cn-north-1), or name the partition with --partition\n",
        ),
        (
            vec![examples.as_str(), "--for", "verify", "--prune"],
            "error: --prune is for the policy of a diff or apply run, not of verify\n  help: leave --prune out, or ask for the policy of an apply run: --for apply --prune\n",
        ),
        (
            vec![examples.as_str(), "--for", "rule", "--kms-conditions"],
            "error: --kms-conditions is for the policy of a diff or apply run, not of rule\n  help: leave --kms-conditions out, or ask for the policy of an apply run: --for apply --kms-conditions\n",
        ),
        (
            vec![examples.as_str(), "--for", "diff", "--name-prefix", "sf-"],
            "error: --name-prefix is export's flag, not diff's: diff reads every connection of the Region to find this set's orphans\n  help: leave --name-prefix out, or ask for the policy of an export run: --for export --name-prefix PREFIX\n",
        ),
        (
            vec![examples.as_str(), "--partition", "AWS"],
            "error: --partition `AWS` is not an AWS partition\n  help: give one such as aws, aws-cn or aws-us-gov, or leave --partition out to take it from the Regions\n",
        ),
    ] {
        assert_eq!(refusal(&world, &args), message, "{args:?}");
    }
    // Naming the partition is the way out: one partition, every ARN in it.
    let named = printed(
        &world,
        &["mixed/", "--for", "diff", "--partition", "aws-cn"],
    );
    assert!(!named.contains("arn:aws:"), "{named}");
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
    insta::assert_snapshot!(
        "iam_policy_for_diff",
        printed(&world, &[&examples(), "--for", "diff"])
    );
}

#[test]
fn iam_policy_for_apply_names_exactly_the_example_connections() {
    let world = world_without_aws();
    let run = world.provision(&["iam-policy", &examples(), "--account", "123456789012"]);
    run.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("iam_policy_for_apply", printed(&world, &[&examples()]));
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
            "arn:aws:events:eu-west-1:210987654321:connection/*",
            "arn:aws:events:eu-west-1:210987654321:api-destination/*",
            "arn:aws:events:eu-west-1:210987654321:connection/*",
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:salesforce/a-??????",
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:events!connection/sf-a/*",
        ]
    );
}

#[test]
fn iam_policy_snapshots_with_scope_prefix() {
    let world = world_without_aws();
    let fixture = prefix_fixture();
    for (name, args) in [
        ("prefix_scope_for_diff", vec!["--for", "diff"]),
        (
            "prefix_scope_for_apply_prune_replace_kms_conditions",
            vec!["--for", "apply", "--prune", "--replace", "--kms-conditions"],
        ),
        ("prefix_scope_for_rule", vec!["--for", "rule"]),
        ("prefix_scope_for_verify", vec!["--for", "verify"]),
        (
            "prefix_scope_for_rotate_credentials",
            vec!["--for", "rotate-credentials"],
        ),
        (
            "prefix_scope_for_salesforce_credentials_in_aws_cn",
            vec!["--for", "salesforce-credentials", "--partition", "aws-cn"],
        ),
    ] {
        let mut all = vec![fixture.as_str(), "--scope", "prefix"];
        all.extend_from_slice(&args);
        insta::assert_snapshot!(name, printed(&world, &all));
    }
}

/// With `--scope prefix`, a new org (a document whose connection and destination names start
/// with the namePrefix, its secret under the secrets' common path) needs no policy change;
/// with `--scope names` it does.
#[test]
fn adding_an_org_under_the_prefix_leaves_the_prefix_policy_unchanged() {
    let world = world_without_aws();
    for file in ["provision.yaml", "connections.yaml"] {
        let text = std::fs::read_to_string(format!("{}/{file}", prefix_fixture())).unwrap();
        world.write(&format!("org/{file}"), &text);
    }
    let policies = |world: &World| {
        ["prefix", "names"].map(|scope| {
            printed(
                world,
                &["org/", "--for", "apply", "--prune", "--scope", scope],
            )
        })
    };
    let [prefix_before, names_before] = policies(&world);
    world.write(
        "org/initech.yaml",
        "name: sf-initech-prod\nsalesforce: { myDomain: initech }\nclientId: 3MVG9initech\nclientSecret: { secretsManager: salesforce/initech-prod, key: consumer_secret }\ninvocation:\n  headers:\n    X-Tenant: { ssm: /salesforce/initech-prod/tenant }\nregions: [us-east-1, eu-west-1]\ndestinations:\n  - name: sf-initech-orders\n    event: Order_Placed__e\n",
    );
    let [prefix_after, names_after] = policies(&world);
    assert_eq!(prefix_after, prefix_before, "--scope prefix");
    assert_ne!(names_after, names_before, "--scope names");
    for name in [
        "connection/sf-initech-prod",
        "api-destination/sf-initech-orders",
        "secret:salesforce/initech-prod-??????",
        "parameter/salesforce/initech-prod/tenant",
    ] {
        assert!(names_after.contains(name), "{name} in\n{names_after}");
    }
}

/// Secret names with no common path are named one by one (never `secret:*`), and the policy
/// says why beside it.
#[test]
fn with_scope_prefix_secrets_that_share_no_path_are_named_with_a_note() {
    let world = world_without_aws();
    world.write("org/provision.yaml", "namePrefix: sf-\n");
    world.write(
        "org/a.yaml",
        "name: sf-a\nsalesforce: { myDomain: acme }\nclientId: 3MVG9a\nclientSecret: { secretsManager: acme-secret }\nregions: [us-east-1]\n",
    );
    world.write(
        "org/b.yaml",
        "name: sf-b\nsalesforce: { myDomain: globex }\nclientId: 3MVG9b\nclientSecret: { secretsManager: globex/secret }\nregions: [us-east-1]\n",
    );
    let run = world.provision(&[
        "iam-policy",
        "org/",
        "--for",
        "diff",
        "--scope",
        "prefix",
        "--account",
        "123456789012",
    ]);
    run.expect(0);
    let policy = run.json();
    let read = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ReadReferencedSecrets")
        .unwrap();
    assert_eq!(
        read["Resource"],
        serde_json::json!([
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-secret-??????",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:globex/secret-??????"
        ])
    );
    assert!(
        run.stdout.contains("connection/sf-*"),
        "connections still by prefix:\n{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "provision: note: the referenced Secrets Manager secret names share no path (no common prefix ending in `/`), so the policy names each one as --scope names does; keep them under one path (e.g. `salesforce/<org>/client-secret`) to grant the path instead\n"
    );
}

#[test]
fn scope_prefix_is_refused_without_a_name_prefix_and_for_export() {
    let world = world_without_aws();
    world.write("with-project/provision.yaml", "defaultRegion: us-east-1\n");
    world.write(
        "with-project/a.yaml",
        "name: sf-a\nsalesforce: { myDomain: acme }\nclientId: 3MVG9a\nclientSecret: { env: A }\n",
    );
    world.write(
        "bare/a.yaml",
        "name: sf-a\nsalesforce: { myDomain: acme }\nclientId: 3MVG9a\nclientSecret: { env: A }\nregions: [us-east-1]\n",
    );
    for (args, message) in [
        (
            vec!["with-project/", "--scope", "prefix"],
            "error: --scope prefix grants every name under the project's namePrefix, but the project file with-project/provision.yaml sets no namePrefix\n  help: set `namePrefix:` in with-project/provision.yaml (every connection and destination name must start with it), or leave --scope out to name each resource\n",
        ),
        (
            vec!["bare/", "--scope", "prefix", "--for", "diff"],
            "error: --scope prefix grants every name under the project's namePrefix, but these files have no project file (provision.yaml), so no namePrefix\n  help: add a provision.yaml beside the documents with `namePrefix: sf-` (every connection and destination name must start with it), or leave --scope out to name each resource\n",
        ),
        (
            vec![
                "--for",
                "export",
                "--region",
                "eu-west-1",
                "--scope",
                "prefix",
            ],
            "error: --scope prefix is for the policy of the files' runs, not of export: export's policy already grants by its --name-prefix\n  help: leave --scope out, and give the export run's prefix: --for export --name-prefix PREFIX\n",
        ),
    ] {
        assert_eq!(refusal(&world, &args), message, "{args:?}");
    }
}
