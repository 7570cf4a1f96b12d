//! Every call a run makes is allowed by the policy `iam-policy` prints for the same files and
//! flags, judged by the Service Authorization Reference rather than by the tool itself (see
//! `tests/support/iam.rs`): each run goes through the recording proxy, and each recorded call
//! is checked, resource by resource, against the printed policy. parliament lints every
//! printed policy on the way.

use crate::support::iam::{self, ACCOUNT};
use crate::support::{Proxy, World};
use std::path::PathBuf;

/// A world whose binary runs go through a recording proxy.
struct Recorded {
    world: World,
    _proxy: Proxy,
    calls: PathBuf,
    /// Everything found wrong so far, each line naming the run it came from.
    problems: Vec<String>,
}

impl Recorded {
    fn new(world: World) -> Self {
        let calls = world.path("calls.jsonl");
        let proxy = Proxy::start(
            &world.emulator.endpoint,
            &["--record", calls.to_str().unwrap()],
        );
        let mut world = world;
        world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
        Recorded {
            world,
            _proxy: proxy,
            calls,
            problems: Vec::new(),
        }
    }

    /// Runs `run` (expecting `code`), then `iam-policy` with `policy` (the same files and
    /// flags), and remembers every recorded call the policy does not allow and every
    /// parliament finding. Returns the operations the run called, in order.
    fn judge(&mut self, run: &[&str], code: i32, policy: &[&str]) -> Vec<String> {
        std::fs::write(&self.calls, "").unwrap();
        self.world.provision(run).expect(code);
        let calls = iam::read_calls(&self.calls);
        assert!(!calls.is_empty(), "`{}` made no AWS call", run.join(" "));
        let mut args = vec!["iam-policy"];
        args.extend_from_slice(policy);
        args.extend_from_slice(&["--account", ACCOUNT]);
        let printed = self.world.provision(&args);
        printed.expect(0);
        let document = printed.json();
        let label = run.join(" ");
        for denial in iam::denials(&document, &calls) {
            self.problems.push(format!("`{label}`: {denial}"));
        }
        for finding in iam::parliament(&printed.stdout) {
            self.problems
                .push(format!("`{}`: parliament: {finding}", args.join(" ")));
        }
        calls.into_iter().map(|call| call.operation).collect()
    }

    #[track_caller]
    fn assert_every_call_allowed(&self) {
        assert!(
            self.problems.is_empty(),
            "calls the printed policy does not allow, or parliament findings:\n{}",
            self.problems.join("\n")
        );
    }
}

/// A connection of the emulator made by hand: no ownership marker, no file declares it.
fn create_by_hand(world: &World, name: &str) {
    use aws_sdk_eventbridge::types::{
        ConnectionAuthorizationType, ConnectionOAuthHttpMethod,
        CreateConnectionAuthRequestParameters, CreateConnectionOAuthClientRequestParameters,
        CreateConnectionOAuthRequestParameters,
    };
    let oauth = CreateConnectionOAuthRequestParameters::builder()
        .authorization_endpoint("https://foreign.my.salesforce.com/services/oauth2/token")
        .http_method(ConnectionOAuthHttpMethod::Post)
        .client_parameters(
            CreateConnectionOAuthClientRequestParameters::builder()
                .client_id("3MVG9foreign")
                .client_secret("foreign-secret-value")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    world
        .block_on(
            world
                .events
                .create_connection()
                .name(name)
                .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
                .auth_parameters(
                    CreateConnectionAuthRequestParameters::builder()
                        .o_auth_parameters(oauth)
                        .build(),
                )
                .send(),
        )
        .unwrap();
}

fn document(name: &str, extra: &str) -> String {
    format!(
        "name: {name}\ndescription: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9{name}\nclientSecret: {{ secretsManager: salesforce/{name}, key: consumer_secret }}\nregions: [us-east-1]\n{extra}"
    )
}

/// Declared connections (one with its consumer secret in Secrets Manager), one of the set
/// whose file is gone (an orphan), and one made by hand (not the set's).
fn world_with_orphans() -> World {
    let mut world = World::new();
    for name in ["sf-a", "sf-b", "sf-c"] {
        world.create_secret(
            &format!("salesforce/{name}"),
            &format!(r#"{{"consumer_secret": "{name}-consumer-secret-0123456789"}}"#),
        );
    }
    world.write("connections/a.yaml", &document("sf-a", ""));
    world.write("connections/b.yaml", &document("sf-b", ""));
    world
        .provision(&["apply", "connections/", "--set", "team"])
        .expect(0);
    world.remove("connections/b.yaml");
    create_by_hand(&world, "sf-foreign");
    world
}

#[test]
fn every_call_of_diff_and_apply_is_allowed_by_the_policy_printed_for_it() {
    let mut recorded = Recorded::new(world_with_orphans());
    // A changed description (an update) and a new connection (a create).
    recorded.world.write(
        "connections/a.yaml",
        &document("sf-a", "").replace("description: sf-a", "description: changed"),
    );
    recorded
        .world
        .write("connections/c.yaml", &document("sf-c", ""));
    let made = recorded.judge(
        &["diff", "connections/", "--set", "team"],
        2,
        &["connections/", "--for", "diff"],
    );
    let described = made.iter().filter(|op| *op == "DescribeConnection").count();
    assert_eq!(
        described, 3,
        "sf-a declared, sf-b and sf-foreign undeclared: {made:?}"
    );
    assert!(made.contains(&"GetSecretValue".to_string()), "{made:?}");
    let made = recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
    for operation in ["CreateConnection", "UpdateConnection"] {
        assert!(
            made.contains(&operation.to_string()),
            "{operation}: {made:?}"
        );
    }
    recorded.assert_every_call_allowed();
}

#[test]
fn every_call_with_api_destinations_is_allowed_by_the_policy_printed_for_it() {
    let mut recorded = Recorded::new(World::new());
    recorded
        .world
        .secret_env("DEST_SECRET", "destination-secret-0123456789");
    let write = |recorded: &Recorded, rate: u32| {
        recorded.world.write(
            "connections/prod.yaml",
            &format!(
                "name: sf-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9prod\nclientSecret: {{ env: DEST_SECRET }}\nregions: [us-east-1]\ndestinations:\n  - name: prod-orders\n    event: Order_Placed__e\n    rateLimitPerSecond: {rate}\n"
            ),
        );
    };
    write(&recorded, 10);
    let made = recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
    assert!(
        made.contains(&"CreateApiDestination".to_string()),
        "{made:?}"
    );
    write(&recorded, 20);
    recorded.judge(
        &["diff", "connections/", "--set", "team"],
        2,
        &["connections/", "--for", "diff"],
    );
    let made = recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
    assert!(
        made.contains(&"UpdateApiDestination".to_string()),
        "{made:?}"
    );
    recorded.assert_every_call_allowed();
}

#[test]
fn every_call_of_prune_and_replace_is_allowed_by_the_policy_printed_for_it() {
    let mut world = World::new();
    for name in ["sf-a", "sf-b"] {
        world.create_secret(
            &format!("salesforce/{name}"),
            &format!(r#"{{"consumer_secret": "{name}-consumer-secret-0123456789"}}"#),
        );
    }
    world.write(
        "connections/a.yaml",
        &document("sf-a", "kmsKey: alias/eventbridge-connections\n"),
    );
    world.write(
        "connections/b.yaml",
        &document(
            "sf-b",
            "destinations:\n  - name: b-orders\n    event: Order_Placed__e\n",
        ),
    );
    world
        .provision(&["apply", "connections/", "--set", "team"])
        .expect(0);
    // sf-b and its destination become the set's orphans; sf-a's key goes (by --replace).
    world.remove("connections/b.yaml");
    world.write("connections/a.yaml", &document("sf-a", ""));
    create_by_hand(&world, "sf-foreign");
    let mut recorded = Recorded::new(world);
    recorded.judge(
        &["diff", "connections/", "--set", "team", "--prune"],
        2,
        &["connections/", "--for", "diff", "--prune"],
    );
    let made = recorded.judge(
        &[
            "apply",
            "connections/",
            "--set",
            "team",
            "--replace",
            "--yes",
        ],
        0,
        &["connections/", "--for", "apply", "--replace"],
    );
    for operation in ["DeleteConnection", "CreateConnection"] {
        assert!(
            made.contains(&operation.to_string()),
            "{operation}: {made:?}"
        );
    }
    let made = recorded.judge(
        &["apply", "connections/", "--set", "team", "--prune", "--yes"],
        0,
        &["connections/", "--for", "apply", "--prune"],
    );
    for operation in ["DeleteApiDestination", "DeleteConnection"] {
        assert!(
            made.contains(&operation.to_string()),
            "{operation}: {made:?}"
        );
    }
    assert_eq!(
        recorded.world.connection_names("us-east-1"),
        ["sf-a", "sf-foreign"],
        "the orphan was pruned, the hand-made connection kept"
    );
    recorded.assert_every_call_allowed();
}

/// A fake Salesforce on loopback: the token endpoint grants every request, and the Connect
/// REST API answers the app `sf_creds` with its consumer key and secret.
fn fake_salesforce(world: &World) -> wiremock::MockServer {
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    const BASE: &str = "/services/data/v64.0/apps/oauth";
    world.block_on(async {
        let server = MockServer::start().await;
        let answers = [
            (
                "POST",
                "/services/oauth2/token".to_string(),
                serde_json::json!({"access_token": "00Dfake!token", "instance_url": server.uri(), "token_type": "Bearer"}),
            ),
            (
                "GET",
                format!("{BASE}/usage"),
                serde_json::json!({"apps": [{"identifier": "0xI1", "developerName": "sf_creds", "name": "sf-creds"}]}),
            ),
            (
                "GET",
                format!("{BASE}/credentials/0xI1"),
                serde_json::json!({"consumers": [{"id": "0Ci1", "url": format!("{BASE}/credentials/0xI1/0Ci1")}]}),
            ),
        ];
        for (verb, route, body) in answers {
            Mock::given(method(verb))
                .and(path(route))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/credentials/0xI1/0Ci1")))
            .and(query_param("part", "keyandsecret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "id": "0Ci1", "key": "3MVG9carriedKey0123456789", "secret": "CARRIED0123456789ABCDEF"
            })))
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn every_call_of_verify_export_and_salesforce_credentials_is_allowed_by_the_policy_printed_for_it()
{
    let mut world = World::new();
    let salesforce = fake_salesforce(&world);
    world.secret("00Dfake!token");
    world.secret("CARRIED0123456789ABCDEF");
    world.create_secret(
        "salesforce/verified",
        r#"{"consumer_secret": "verified-consumer-secret-0123456789"}"#,
    );
    world.write(
        "verify/verified.yaml",
        &format!(
            "name: sf-verified\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9verified\nclientSecret: {{ secretsManager: salesforce/verified, key: consumer_secret }}\n",
            salesforce.uri()
        ),
    );
    world.write(
        "credentials/creds.yaml",
        &format!(
            "name: sf-creds\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\n  app:\n    contactEmail: integration@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: {{ secretsManager: salesforce/creds, key: client_id }}\nclientSecret: {{ secretsManager: salesforce/creds, key: client_secret }}\n",
            salesforce.uri()
        ),
    );
    world.secret_env("SF_ACCESS_TOKEN", "00Dfake!token");
    world.env("SF_INSTANCE_URL", &salesforce.uri());
    create_by_hand(&world, "sf-exported");
    create_by_hand(&world, "other-exported");
    // Destinations on an exported connection: one inside the name prefix `sf-`, one outside.
    let exported_arn = world
        .describe("sf-exported")
        .connection_arn()
        .unwrap()
        .to_string();
    for name in ["sf-exported-orders", "other-orders"] {
        world
            .block_on(
                world
                    .events
                    .create_api_destination()
                    .name(name)
                    .connection_arn(&exported_arn)
                    .invocation_endpoint(
                        "https://foreign.my.salesforce.com/services/data/v62.0/sobjects/Order__e",
                    )
                    .http_method(aws_sdk_eventbridge::types::ApiDestinationHttpMethod::Post)
                    .send(),
            )
            .unwrap();
    }
    // A rule made by hand routes to the destination inside the prefix: export reads it.
    let orders_arn = world
        .block_on(
            world
                .events
                .describe_api_destination()
                .name("sf-exported-orders")
                .send(),
        )
        .unwrap()
        .api_destination_arn()
        .unwrap()
        .to_string();
    world
        .block_on(
            world
                .events
                .put_rule()
                .name("orders-by-hand")
                .event_pattern(r#"{"source":["com.acme.orders"]}"#)
                .send(),
        )
        .unwrap();
    world
        .block_on(
            world
                .events
                .put_targets()
                .rule("orders-by-hand")
                .targets(
                    aws_sdk_eventbridge::types::Target::builder()
                        .id("sf-exported-orders")
                        .arn(&orders_arn)
                        .role_arn("arn:aws:iam::123456789012:role/invoke-orders")
                        .build()
                        .unwrap(),
                )
                .send(),
        )
        .unwrap();
    let mut recorded = Recorded::new(world);
    let made = recorded.judge(&["verify", "verify/"], 0, &["verify/", "--for", "verify"]);
    // Whose the credentials are (every run that reads AWS asks it first; it needs no grant),
    // then the one referenced secret.
    assert_eq!(
        made,
        ["GetCallerIdentity", "GetSecretValue"],
        "verify reads the one referenced secret"
    );
    // Every run that calls AWS asks the caller's account first, once (sts:GetCallerIdentity,
    // which needs no permission).
    let mut made = recorded.judge(&["export", "--out", "all/"], 0, &["--for", "export"]);
    made.sort();
    assert_eq!(
        made,
        [
            "DescribeApiDestination",
            "DescribeApiDestination",
            "DescribeConnection",
            "DescribeConnection",
            "DescribeRule",
            "GetCallerIdentity",
            "ListApiDestinations",
            "ListApiDestinations",
            "ListConnections",
            "ListRuleNamesByTarget",
            "ListRuleNamesByTarget",
            "ListTagsForResource",
            "ListTargetsByRule",
        ],
        "export lists the destinations on each connection it exports, describes them, and reads the rules that target them"
    );
    let mut made = recorded.judge(
        &["export", "--out", "some/", "--name-prefix", "sf-"],
        0,
        &["--for", "export", "--name-prefix", "sf-"],
    );
    made.sort();
    assert_eq!(
        made,
        [
            "DescribeApiDestination",
            "DescribeConnection",
            "DescribeRule",
            "GetCallerIdentity",
            "ListApiDestinations",
            "ListConnections",
            "ListRuleNamesByTarget",
            "ListTagsForResource",
            "ListTargetsByRule",
        ],
        "within the name prefix only"
    );
    let made = recorded.judge(
        &["salesforce-credentials", "credentials/"],
        0,
        &["credentials/", "--for", "salesforce-credentials"],
    );
    assert_eq!(
        made,
        [
            "GetCallerIdentity",
            "GetSecretValue",
            "PutSecretValue",
            "CreateSecret"
        ],
        "the account, then read the secret, try a new version, create it"
    );
    recorded.assert_every_call_allowed();
}

#[test]
fn a_run_that_cannot_describe_undeclared_connections_says_so() {
    let mut world = World::new();
    world.secret_env("A_SECRET", "a-consumer-secret-0123456789");
    world.write(
        "connections/a.yaml",
        "name: sf-a\nsalesforce: { myDomain: acme }\nclientId: 3MVG9a\nclientSecret: { env: A_SECRET }\n",
    );
    create_by_hand(&world, "sf-foreign");
    // sf-a does not exist yet: the one DescribeConnection is orphan discovery's.
    let proxy = Proxy::start(
        &world.emulator.endpoint,
        &["--error500", "1.0", "--only-target", "DescribeConnection"],
    );
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    world.env("AWS_MAX_ATTEMPTS", "1");
    let diff = world.provision(&["diff", "connections/", "-q"]);
    diff.expect(2);
    assert!(
        diff.stderr.contains(
            "provision: warning: 1 undeclared connection in us-east-1 could not be described ("
        ),
        "{}",
        diff.stderr
    );
    assert!(
        diff.stderr.contains("whether this set's orphans are among them is unknown; allow events:DescribeConnection on connection/* in the Region (provision iam-policy prints it)\n"),
        "{}",
        diff.stderr
    );
}

/// With the project file's `namePrefix`, orphan discovery describes only prefixed connections,
/// and the policy narrows its describe grants to them: the run's calls are still all allowed,
/// and none reaches a connection of another team.
#[test]
fn with_a_name_prefix_every_call_is_allowed_by_the_narrowed_policy() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        &format!(
            "set: team\ndefaultRegion: us-east-1\nnamePrefix: sf-\naccounts: [\"{ACCOUNT}\"]\n"
        ),
    );
    for name in ["sf-a", "sf-b"] {
        world.create_secret(
            &format!("salesforce/{name}"),
            &format!(r#"{{"consumer_secret": "{name}-consumer-secret-0123456789"}}"#),
        );
    }
    world.write("connections/a.yaml", &document("sf-a", ""));
    world.write("connections/b.yaml", &document("sf-b", ""));
    world.provision(&["apply", "connections/"]).expect(0);
    world.remove("connections/b.yaml");
    create_by_hand(&world, "other-team-connection");
    let mut recorded = Recorded::new(world);
    let made = recorded.judge(
        &["diff", "connections/"],
        0,
        &["connections/", "--for", "diff"],
    );
    assert_eq!(
        made.iter().filter(|op| *op == "DescribeConnection").count(),
        2,
        "sf-a declared and sf-b undeclared, never the other team's: {made:?}"
    );
    let printed = recorded.world.provision(&[
        "iam-policy",
        "connections/",
        "--for",
        "diff",
        "--account",
        ACCOUNT,
    ]);
    assert!(
        printed.stdout.contains("connection/sf-*") && !printed.stdout.contains("connection/*\""),
        "the describe grant narrows to the prefix:\n{}",
        printed.stdout
    );
    let made = recorded.judge(
        &["apply", "connections/", "--prune", "--yes"],
        0,
        &["connections/", "--for", "apply", "--prune"],
    );
    assert!(made.contains(&"DeleteConnection".to_string()), "{made:?}");
    assert_eq!(
        recorded.world.connection_names("us-east-1"),
        ["other-team-connection", "sf-a"]
    );
    recorded.assert_every_call_allowed();
}

/// `--scope prefix` grants on `connection/sf-*`, `api-destination/sf-*` and the secrets'
/// common path instead of each name: every call of diff and apply (creating, updating,
/// replacing and pruning connections and API destinations, reading the referenced secrets) is
/// still allowed by the reference's rules, and parliament finds nothing new.
#[test]
fn with_scope_prefix_every_call_is_allowed_by_the_prefix_policy() {
    let mut world = World::new();
    world.write(
        "provision.yaml",
        &format!(
            "set: team\ndefaultRegion: us-east-1\nnamePrefix: sf-\naccounts: [\"{ACCOUNT}\"]\n"
        ),
    );
    for name in ["sf-a", "sf-b", "sf-c"] {
        world.create_secret(
            &format!("salesforce/{name}"),
            &format!(r#"{{"consumer_secret": "{name}-consumer-secret-0123456789"}}"#),
        );
    }
    let with_destination = |name: &str, rate: u32, extra: &str| {
        document(
            name,
            &format!(
                "{extra}destinations:\n  - name: {name}-orders\n    event: Order_Placed__e\n    rateLimitPerSecond: {rate}\n"
            ),
        )
    };
    world.write(
        "connections/a.yaml",
        &document("sf-a", "kmsKey: alias/eventbridge-connections\n"),
    );
    world.write("connections/b.yaml", &with_destination("sf-b", 10, ""));
    world.provision(&["apply", "connections/"]).expect(0);
    // sf-b and its destination become the set's orphans, sf-c is new, sf-a's key goes (by
    // --replace).
    world.remove("connections/b.yaml");
    world.write("connections/a.yaml", &document("sf-a", ""));
    world.write("connections/c.yaml", &with_destination("sf-c", 10, ""));
    create_by_hand(&world, "other-team-connection");
    let mut recorded = Recorded::new(world);
    let policy = |flags: &[&'static str]| {
        let mut args = vec!["connections/", "--scope", "prefix"];
        args.extend_from_slice(flags);
        args
    };
    recorded.judge(
        &["diff", "connections/", "--prune"],
        2,
        &policy(&["--for", "diff", "--prune"]),
    );
    let made = recorded.judge(
        &["apply", "connections/", "--replace", "--prune", "--yes"],
        0,
        &policy(&["--for", "apply", "--replace", "--prune"]),
    );
    for operation in [
        "CreateConnection",
        "CreateApiDestination",
        "DeleteApiDestination",
        "DeleteConnection",
        "GetSecretValue",
    ] {
        assert!(
            made.contains(&operation.to_string()),
            "{operation}: {made:?}"
        );
    }
    assert_eq!(
        recorded.world.connection_names("us-east-1"),
        ["other-team-connection", "sf-a", "sf-c"],
        "the orphan was pruned, the other team's connection kept"
    );
    // A changed destination: an update.
    recorded
        .world
        .write("connections/c.yaml", &with_destination("sf-c", 20, ""));
    recorded.judge(&["diff", "connections/"], 2, &policy(&["--for", "diff"]));
    let made = recorded.judge(&["apply", "connections/"], 0, &policy(&["--for", "apply"]));
    assert!(
        made.contains(&"UpdateApiDestination".to_string()),
        "{made:?}"
    );
    recorded.assert_every_call_allowed();
}

/// `verify` with a declared rule reads its role's trust policy, inline and managed policies
/// from IAM: every one of those calls is allowed by `iam-policy --for verify`.
#[test]
fn every_iam_read_of_verify_for_a_rule_is_allowed_by_the_policy_printed_for_it() {
    let key = "3MVG9oracleRules";
    let secret = "oracle-rules-secret-0123456789abcdef";
    let org = crate::support::FakeOrg::start(&serde_json::json!({
        "apps": [{"name": "Oracle", "consumerKey": key, "consumerSecret": secret,
                  "runAsUser": "eventbridge@acme.example"}],
        "objects": {"Order_Placed__e": {"createable": true, "fields": {
            "Order_Id__c": {"type": "string", "nillable": false, "createable": true, "defaultedOnCreate": false}
        }}},
        "limits": {"DailyApiRequests": {"Max": 5_000_000, "Remaining": 5_000_000}}
    }));
    let mut world = World::new();
    world.secret_env("ORACLE_SECRET", secret);
    world.write(
        "rules/acme.yaml",
        &format!(
            "name: sf-rules\nsalesforce:\n  tokenUrl: {}\n  allowAnyHost: true\nclientId: {key}\nclientSecret: {{ env: ORACLE_SECRET }}\ndestinations:\n  - name: orders\n    event: Order_Placed__e\n    rateLimitPerSecond: 1\n    rules:\n      - name: orders-to-salesforce\n        pattern: {{ source: [com.acme.orders] }}\n        body: {{ Order_Id__c: $.detail.id }}\n        deadLetterQueue: arn:aws:sqs:us-east-1:{ACCOUNT}:orders-dlq\n        role: arn:aws:iam::{ACCOUNT}:role/invoke-orders\n",
            org.token_url()
        ),
    );
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "events:InvokeApiDestination",
        "Resource": format!("arn:aws:events:us-east-1:{ACCOUNT}:api-destination/orders/*")
    }]});
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"
    }]});
    world.create_role(
        "invoke-orders",
        &trust,
        std::slice::from_ref(&policy),
        std::slice::from_ref(&policy),
    );
    let mut recorded = Recorded::new(world);
    let made = recorded.judge(&["verify", "rules/"], 0, &["rules/", "--for", "verify"]);
    assert_eq!(
        made,
        [
            "GetCallerIdentity",
            "GetRole",
            "ListRolePolicies",
            "ListAttachedRolePolicies",
            "GetRolePolicy",
            "GetPolicy",
            "GetPolicyVersion",
        ],
        "verify reads the rule's role and each of its policies"
    );
    recorded.assert_every_call_allowed();
}
