//! `provision explain [KEY]`: a key's description, type, limits and example, as users see it
//! (the binary, no AWS), and the error of a key that does not exist.

use crate::cli_docs::provision;

/// `explain KEY` succeeds and prints to stdout only.
fn explained(args: &[&str]) -> String {
    let (code, stdout, stderr) = provision(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
    stdout
}

#[test]
fn a_secret_reference_key_is_explained_with_its_sources() {
    insta::assert_snapshot!(explained(&["explain", "clientSecret"]), @r"
    KEY:         clientSecret, in a connection document
    TYPE:        secret reference
    REQUIRED:    yes
    LIMITS:      exactly one of `env`, `file`, `secretsManager` or `ssm`
                 `key` only with `secretsManager`
                 `versionStage` only with `secretsManager`
    DESCRIPTION:
      Consumer secret of the connected app: always a secret reference, never a literal.
    EXAMPLE:
      clientSecret: { secretsManager: provision/acme/client-secret }
    KEYS:
      clientSecret.env, clientSecret.file, clientSecret.secretsManager, clientSecret.ssm, clientSecret.key, clientSecret.versionStage
    Explain one: provision explain clientSecret.env
    ");
}

#[test]
fn a_nested_key_is_explained_with_its_limits_and_an_example_in_place() {
    insta::assert_snapshot!(explained(&["explain", "salesforce.myDomain"]), @r"
    KEY:         salesforce.myDomain, in a connection document
    TYPE:        string
    REQUIRED:    no
    LIMITS:      1 to 63 characters
                 matches `^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$`
    DESCRIPTION:
      My Domain name (Setup > My Domain): `acme` -> https://acme.my.salesforce.com/services/oauth2/token.
    EXAMPLE:
      salesforce:
        myDomain: acme
    ");
}

#[test]
fn a_key_of_a_list_item_is_shown_under_its_dash() {
    insta::assert_snapshot!(explained(&["explain", "destinations[].rateLimitPerSecond"]), @r"
    KEY:         destinations.rateLimitPerSecond, in a connection document
    TYPE:        integer
    REQUIRED:    no
    LIMITS:      from 1 to 2147483647
    DESCRIPTION:
      Optional invocations per second, at least 1 (default 300, AWS's default quota; a higher rate needs the quota raised).
    EXAMPLE:
      destinations:
        - rateLimitPerSecond: 100
    ");
}

#[test]
fn a_key_of_the_project_file_is_explained_with_project() {
    insta::assert_snapshot!(explained(&["explain", "--project", "set"]), @r"
    KEY:         set, in the project file (provision.yaml)
    TYPE:        string
    REQUIRED:    no
    LIMITS:      1 to 32 characters
                 matches `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
    DESCRIPTION:
      The ownership set of everything this folder declares (1-32 of a-z 0-9 -): its marker ends every description, and only its connections are pruned. `--prune` needs a set other than `default`.
    EXAMPLE:
      set: payments-team
    ");
}

#[test]
fn an_unknown_key_exits_1_naming_the_nearest_keys() {
    let (code, stdout, stderr) = provision(&["explain", "destinations.rateLimit"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    insta::assert_snapshot!(stderr, @r"
    error: `destinations.rateLimit` is not a key of a connection document
      help: did you mean `destinations.rateLimitPerSecond`? `provision explain` lists every key
    ");
}

#[test]
fn a_project_key_asked_of_a_connection_document_is_pointed_at_project() {
    let (code, _, stderr) = provision(&["explain", "defaultRegion"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "`defaultRegion` is a key of the project file (provision.yaml): provision explain --project defaultRegion"
        ),
        "{stderr}"
    );
}

#[test]
fn the_key_asked_for_is_shown_escaped() {
    let (code, _, stderr) = provision(&["explain", "name\u{1b}]0;owned\u{7}\r\n::error::x"]);
    assert_eq!(code, 1);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("name\\u001b]0;owned\\u0007\\r\\n"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .all(|line| !line.trim_start().starts_with("::")),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_in_json_is_the_error_document() {
    let (code, stdout, _) = provision(&["explain", "salesforce.domain", "--output", "json"]);
    assert_eq!(code, 1);
    let error: serde_json::Value = serde_json::from_str(&stdout).expect(&stdout);
    let problem = &error["problems"][0];
    assert_eq!(
        problem["message"],
        "`salesforce.domain` is not a key of a connection document"
    );
    assert!(
        problem["help"]
            .as_str()
            .is_some_and(|help| help.contains("`salesforce.myDomain`")),
        "{error}"
    );
}

#[test]
fn explain_alone_lists_every_key_as_a_tree() {
    let tree = explained(&["explain"]);
    assert!(tree.starts_with("Keys of a connection document:\n"));
    assert!(tree.ends_with(
        "Explain one: provision explain KEY (e.g. salesforce.myDomain)\nKeys of the project file (provision.yaml): provision explain --project\n"
    ));
    for line in [
        "  name ",
        "  salesforce ",
        "    myDomain ",
        "      contactEmail ",
        "  clientSecret ",
        "    secretsManager ",
        "  destinations ",
        "    rateLimitPerSecond ",
    ] {
        assert!(
            tree.lines().any(|l| l.starts_with(line)),
            "{line:?} in\n{tree}"
        );
    }
    assert!(tree.contains("string, required\n"));
    let project = explained(&["explain", "--project"]);
    for key in [
        "set",
        "defaultRegion",
        "accounts",
        "namePrefix",
        "extraRegions",
    ] {
        assert!(
            project.contains(&format!("\n  {key} ")),
            "{key}:\n{project}"
        );
    }
}

#[test]
fn json_gives_every_key_in_full_with_an_example() {
    let text = explained(&["explain", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["command"], "explain");
    assert_eq!(document["document"], "connection");
    let keys = document["keys"].as_array().unwrap();
    assert!(keys.len() > 40, "{}", keys.len());
    for key in keys {
        for field in ["key", "type", "description", "example"] {
            assert!(
                key[field].as_str().is_some_and(|v| !v.trim().is_empty()),
                "{field} of {key}"
            );
        }
        assert!(key["required"].is_boolean() && key["limits"].is_array());
    }
    let one: serde_json::Value = serde_json::from_str(&explained(&[
        "explain",
        "--project",
        "accounts",
        "-o",
        "json",
    ]))
    .unwrap();
    assert_eq!(one["document"], "project");
    assert_eq!(one["keys"][0]["key"], "accounts");
    assert_eq!(one["keys"][0]["type"], "list of strings");
}

#[test]
fn bash_completion_offers_the_keys() {
    let script = explained(&["completions", "bash"]);
    let start = script
        .find("provision__subcmd__explain)")
        .expect("explain completes");
    let body = &script[start..];
    let body = &body[..body.find(";;").unwrap()];
    for key in [
        "clientSecret",
        "salesforce.myDomain",
        "destinations.rateLimitPerSecond",
    ] {
        assert!(body.contains(key), "{key}:\n{body}");
    }
}

/// Every form of `explain --output json` is valid against its published schema
/// (`schema/output/explain.schema.json`), read by an independent validator.
#[test]
fn json_output_is_valid_against_its_published_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/output/explain.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema");
    for args in [
        &["explain", "-o", "json"][..],
        &["explain", "--project", "-o", "json"],
        &["explain", "clientSecret", "-o", "json"],
        &["explain", "destinations.rateLimitPerSecond", "-o", "json"],
        &["explain", "--project", "accounts", "-o", "json"],
    ] {
        let document: serde_json::Value = serde_json::from_str(&explained(args)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    // The schema is closed: a field the code adds without it fails here.
    let mut extra: serde_json::Value =
        serde_json::from_str(&explained(&["explain", "name", "-o", "json"])).unwrap();
    extra["keys"][0]["default"] = serde_json::json!("x");
    assert!(!validator.is_valid(&extra));
}
