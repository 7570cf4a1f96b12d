//! `iam-policy` with targets in the project file: one permission policy per target, in its
//! account as the project file names it (no call to AWS), and `--trust PRINCIPAL_ARN`, each
//! target role's trust policy. Judged by the Service Authorization Reference and parliament
//! (tests/support/iam.rs), never by the tool's own idea of IAM.

use crate::support::iam;
use crate::targets_matrix::provision;
use std::process::Output;

const DOCUMENT: &str = "\
name: sf-acme
salesforce:
  myDomain: acme
clientId: 3MVG9abc
clientSecret:
  secretsManager: salesforce/acme
targets: [prod, staging]
";

/// The external id's value in the environment (`provision` sets it): never printed.
const EXTERNAL_ID: &str = crate::targets_matrix::EXTERNAL_ID;

fn folder() -> tempfile::TempDir {
    let project = format!("{}namePrefix: sf-\n", crate::support::TWO_TARGETS);
    crate::targets_matrix::folder(&[
        ("provision.yaml", &project),
        ("connections/acme.yaml", DOCUMENT),
    ])
}

fn succeeded(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains(EXTERNAL_ID), "{stderr}");
    let stdout = String::from_utf8(output.stdout.clone()).expect("UTF-8");
    assert!(!stdout.contains(EXTERNAL_ID), "{stdout}");
    stdout
}

/// Every account and Region a policy's resources name.
fn places(policy: &serde_json::Value) -> Vec<(String, String)> {
    let mut places: Vec<(String, String)> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|statement| match &statement["Resource"] {
            serde_json::Value::Array(all) => all.clone(),
            one => vec![one.clone()],
        })
        .filter_map(|resource| {
            let fields: Vec<String> = resource.as_str()?.split(':').map(str::to_string).collect();
            (fields.len() > 4).then(|| (fields[4].clone(), fields[3].clone()))
        })
        .collect();
    places.sort();
    places.dedup();
    places
}

#[test]
fn one_target_gets_the_policy_of_its_role_in_its_account_without_a_call() {
    let folder = folder();
    let printed = succeeded(&provision(
        folder.path(),
        &[
            "iam-policy",
            "connections",
            "--for",
            "diff",
            "--target",
            "prod",
        ],
    ));
    let policy: serde_json::Value = serde_json::from_str(&printed).expect("one policy");
    assert_eq!(
        places(&policy),
        [
            ("111111111111".to_string(), "eu-west-1".to_string()),
            ("111111111111".to_string(), "us-east-1".to_string()),
        ]
    );
    for action in iam::actions_of(&policy) {
        assert!(iam::knows(&action), "{action} is not in the reference");
    }
    assert_eq!(iam::parliament(&printed), Vec::<String>::new());
}

#[test]
fn every_target_gets_its_own_policy_keyed_in_json_and_headed_in_text() {
    let folder = folder();
    let json = succeeded(&provision(
        folder.path(),
        &[
            "iam-policy",
            "connections",
            "--for",
            "apply",
            "--output",
            "json",
        ],
    ));
    let keyed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let names: Vec<&String> = keyed.as_object().unwrap().keys().collect();
    assert_eq!(names, ["prod", "staging"]);
    // apply may create EventBridge's service-linked role: IAM's ARNs name no Region.
    assert_eq!(
        places(&keyed["staging"]),
        [
            ("222222222222".to_string(), String::new()),
            ("222222222222".to_string(), "eu-west-1".to_string())
        ]
    );
    for (_, policy) in keyed.as_object().unwrap() {
        let text = serde_json::to_string_pretty(policy).unwrap();
        assert_eq!(iam::parliament(&text), Vec::<String>::new());
    }
    let text = succeeded(&provision(
        folder.path(),
        &["iam-policy", "connections", "--for", "apply"],
    ));
    let headings: Vec<&str> = text.lines().filter(|line| line.starts_with("# ")).collect();
    assert_eq!(
        headings,
        ["# prod (111111111111)", "# staging (222222222222)"]
    );
}

#[test]
fn the_trust_policy_lets_the_principal_assume_the_role_with_the_external_id_as_a_placeholder() {
    let folder = folder();
    let printed = succeeded(&provision(
        folder.path(),
        &[
            "iam-policy",
            "connections",
            "--trust",
            "arn:aws:iam::999999999999:role/ci",
            "--target",
            "prod",
        ],
    ));
    let policy: serde_json::Value = serde_json::from_str(&printed).expect("one policy");
    assert_eq!(
        policy,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "ProvisionRunAssumesThisRole",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999999999999:role/ci"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {
                    "sts:ExternalId": "<the target's externalId, from the environment variable PROVISION_EXTERNAL_ID>"
                }}
            }]
        })
    );
    // The Service Authorization Reference: the action exists and takes the condition key.
    assert!(iam::knows("sts:AssumeRole"));
    assert!(
        iam::condition_keys("sts:AssumeRole").contains(&"sts:ExternalId".to_string()),
        "sts:ExternalId is a condition key of sts:AssumeRole"
    );
    // parliament lints identity policies and stops at a statement without `Resource` before
    // judging anything else, so it is shown the statement with the resource AssumeRole acts
    // on (the target's role): it then judges the action, the principal and the condition.
    let mut judged = policy.clone();
    judged["Statement"][0]["Resource"] = "arn:aws:iam::111111111111:role/provision".into();
    assert_eq!(
        iam::parliament(&serde_json::to_string_pretty(&judged).unwrap()),
        Vec::<String>::new()
    );
    // A target without externalId: no condition.
    let staging = succeeded(&provision(
        folder.path(),
        &[
            "iam-policy",
            "connections",
            "--trust",
            "arn:aws:iam::999999999999:root",
            "--target",
            "staging",
        ],
    ));
    let staging: serde_json::Value = serde_json::from_str(&staging).expect("one policy");
    assert_eq!(staging["Statement"][0].get("Condition"), None);
}

#[test]
fn trust_needs_targets_and_a_principal_arn() {
    let folder = folder();
    let refused = provision(
        folder.path(),
        &["iam-policy", "connections", "--trust", "ci-role"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        "error: --trust: `ci-role` is not the ARN of an IAM role, user or account root\n  help: give the ARN the run's credentials belong to, e.g. --trust arn:aws:iam::123456789012:role/ci (or arn:aws:iam::123456789012:root for the whole account)\n"
    );
    std::fs::write(folder.path().join("provision.yaml"), "set: payments\n").expect("write");
    std::fs::write(
        folder.path().join("connections/acme.yaml"),
        DOCUMENT.replace("targets: [prod, staging]\n", ""),
    )
    .expect("write");
    let without = provision(
        folder.path(),
        &[
            "iam-policy",
            "connections",
            "--trust",
            "arn:aws:iam::999999999999:role/ci",
        ],
    );
    assert_eq!(without.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&without.stderr),
        "error: --trust prints the trust policy of each target's role, but the project file lists no `targets:`\n  help: list the targets (name, account, role, regions) under `targets:` in provision.yaml, or leave --trust out\n"
    );
}
