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
    /// parliament finding. Returns how many AWS calls the run made.
    fn judge(&mut self, run: &[&str], code: i32, policy: &[&str]) -> usize {
        std::fs::write(&self.calls, "").unwrap();
        self.world.provision(run).expect(code);
        let calls = iam::read_calls(&self.calls);
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
        calls.len()
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
    assert!(
        made >= 4,
        "list, describe declared, describe undeclared: {made}"
    );
    recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
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
    recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
    write(&recorded, 20);
    recorded.judge(
        &["diff", "connections/", "--set", "team"],
        2,
        &["connections/", "--for", "diff"],
    );
    recorded.judge(
        &["apply", "connections/", "--set", "team"],
        0,
        &["connections/", "--for", "apply"],
    );
    recorded.assert_every_call_allowed();
}
