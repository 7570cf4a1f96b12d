//! `{ ssm: /path/name }` references against the emulator's Parameter Store: a SecureString is
//! decrypted and applied, a changed parameter is secret drift until applied, `iam-policy`
//! grants `ssm:GetParameter` on exactly the parameters, and a missing parameter, a refused
//! read and a StringList each fail their connection with a message naming the parameter.

use crate::support::World;
use aws_sdk_ssm::types::ParameterType;

const SECRET: &str = "ssm-consumer-secret-7a6b5c4d3e2f";
const TOKEN: &str = "ssm-header-token-1029384756";

fn ssm(world: &World) -> aws_sdk_ssm::Client {
    let config = aws_sdk_ssm::Config::builder()
        .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
        .region(aws_sdk_ssm::config::Region::new("us-east-1"))
        .endpoint_url(&world.emulator.endpoint)
        .credentials_provider(aws_sdk_ssm::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

/// Writes (or overwrites) a parameter; its value is a secret the runs must never print.
fn put_parameter(world: &mut World, name: &str, value: &str, kind: ParameterType) {
    world.secret(value);
    let client = ssm(world);
    world
        .block_on(
            client
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(kind)
                .overwrite(true)
                .send(),
        )
        .unwrap();
}

/// A connection whose secret is a SecureString and whose header is a String parameter.
fn ssm_yaml(name: &str, secret_parameter: &str) -> String {
    format!(
        "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9ssmClientId\nclientSecret: {{ ssm: {secret_parameter} }}\ninvocation:\n  headers:\n    X-Token: {{ ssm: /acme/prod/token }}\n"
    )
}

#[test]
fn a_secure_string_is_applied_and_a_changed_parameter_is_a_difference_until_applied() {
    let mut world = World::new();
    put_parameter(
        &mut world,
        "/acme/prod/secret",
        SECRET,
        ParameterType::SecureString,
    );
    put_parameter(&mut world, "/acme/prod/token", TOKEN, ParameterType::String);
    world.write(
        "connections/acme.yaml",
        &ssm_yaml("sf-acme-ssm", "/acme/prod/secret"),
    );

    world.provision(&["validate", "connections/"]).expect(0);
    world.provision(&["apply", "connections/"]).expect(0);
    let (managed, _) = world.managed_secret("sf-acme-ssm");
    assert_eq!(managed["client_secret"], SECRET);
    world.provision(&["diff", "connections/"]).expect(0);

    put_parameter(
        &mut world,
        "/acme/prod/secret",
        "rotated-in-parameter-store-99",
        ParameterType::SecureString,
    );
    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(2);
    assert!(
        diff.stdout
            .contains("client secret: changed outside provision (clientSecret)"),
        "{}",
        diff.stdout
    );
    world.provision(&["apply", "connections/"]).expect(0);
    let (managed, _) = world.managed_secret("sf-acme-ssm");
    assert_eq!(managed["client_secret"], "rotated-in-parameter-store-99");
    // Every run above checks that no parameter value was printed (the world registered them).
    world.provision(&["diff", "connections/", "-v"]).expect(0);
}

#[test]
fn a_missing_a_refused_and_a_list_parameter_each_fail_their_connection_naming_it() {
    let mut world = World::with_emulator_env(&[("MOTO_DENY_PARAMETER_PREFIX", "/locked/")]);
    put_parameter(&mut world, "/acme/prod/token", TOKEN, ParameterType::String);
    put_parameter(
        &mut world,
        "/locked/secret",
        SECRET,
        ParameterType::SecureString,
    );
    put_parameter(&mut world, "/acme/list", "a,b,c", ParameterType::StringList);
    world.write(
        "connections/missing.yaml",
        &ssm_yaml("sf-missing", "/acme/absent"),
    );
    world.write(
        "connections/locked.yaml",
        &ssm_yaml("sf-locked", "/locked/secret"),
    );
    world.write("connections/list.yaml", &ssm_yaml("sf-list", "/acme/list"));

    let diff = world.provision(&["diff", "connections/"]);
    diff.expect(1);
    for expected in [
        "clientSecret: SSM parameter /acme/absent was not found in us-east-1",
        "help: create the parameter, or fix the name or ARN (the account and Region are those of the run)",
        "clientSecret: access denied reading SSM parameter /locked/secret: AccessDeniedException: User is not authorized to perform: ssm:GetParameter on resource: /locked/secret",
        "help: allow ssm:GetParameter on this parameter (and kms:Decrypt on its key, for a SecureString with a customer managed key) for the identity running provision; `provision iam-policy` prints the policy",
        "clientSecret: SSM parameter /acme/list is a StringList; provision reads String and SecureString parameters",
        "help: store the value in a String or SecureString parameter",
    ] {
        assert!(
            diff.stdout.contains(expected) || diff.stderr.contains(expected),
            "{expected}\n--- stdout\n{}\n--- stderr\n{}",
            diff.stdout,
            diff.stderr
        );
    }
    assert!(world.connection_names("us-east-1").is_empty());
}

#[test]
fn iam_policy_grants_get_parameter_on_exactly_the_parameters_and_notes_kms() {
    let world = World::new();
    world.write(
        "connections/acme.yaml",
        &format!(
            "{}regions: [us-east-1, eu-west-1]\n",
            ssm_yaml(
                "sf-acme-ssm",
                "arn:aws:ssm:us-west-2:123456789012:parameter/shared/secret"
            )
        ),
    );
    let run = world.provision(&[
        "iam-policy",
        "connections/",
        "--for",
        "diff",
        "--account",
        "123456789012",
    ]);
    run.expect(0);
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statement = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ReadReferencedParameters")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(statement["Action"], "ssm:GetParameter");
    assert_eq!(
        statement["Resource"],
        serde_json::json!([
            "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/prod/token",
            "arn:aws:ssm:us-east-1:123456789012:parameter/acme/prod/token",
            "arn:aws:ssm:us-west-2:123456789012:parameter/shared/secret",
        ])
    );
    assert!(
        !run.stdout.contains("ReadReferencedSecrets"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr,
        "provision: note: an `ssm` SecureString encrypted with a customer managed KMS key also needs kms:Decrypt on that key (the AWS managed key aws/ssm needs no statement)\n"
    );
}
