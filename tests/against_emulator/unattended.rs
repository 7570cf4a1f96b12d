//! A run that CI can leave unattended: it converges under throttling, server errors and
//! resets (through the fault proxy), a hung endpoint ends it within the call timeout, an
//! interruption reports what was done and a re-run converges, two runs at once do not collide,
//! one run covers several Regions, and the settle phase reports every connection.

use crate::support::json::{LeftOut, PlanDocument};
use crate::support::{EMULATOR_ACCOUNT, Proxy, REGION, Run, World};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

const SECRET: &str = "unattended-consumer-secret-31c4e5f6a7b8";

/// `count` connections named `{prefix}-0000`... in `connections/`, each its own file.
fn declare_many(world: &mut World, prefix: &str, count: usize) -> Vec<String> {
    world.secret_env("MANY_SECRET", SECRET);
    (0..count)
        .map(|i| {
            let name = format!("{prefix}-{i:04}");
            world.write(
                &format!("connections/{name}.yaml"),
                &format!(
                    "name: {name}\ndescription: connection {i}\nsalesforce:\n  myDomain: acme{i}\nclientId: 3MVG9many{i}\nclientSecret: {{ env: MANY_SECRET }}\n"
                ),
            );
            name
        })
        .collect()
}

/// Describes each connection in the emulator and checks it is exactly as declared.
fn assert_as_declared(world: &World, names: &[String]) {
    assert_eq!(
        world.connection_names(REGION),
        names,
        "exactly the declared connections"
    );
    for (i, name) in names.iter().enumerate() {
        let live = world.describe(name);
        assert_eq!(
            live.description(),
            Some(format!("connection {i} [managed by provision]").as_str()),
            "{name}"
        );
        let oauth = live
            .auth_parameters()
            .and_then(|a| a.o_auth_parameters())
            .expect("OAuth parameters");
        assert_eq!(
            oauth.authorization_endpoint(),
            Some(format!("https://acme{i}.my.salesforce.com/services/oauth2/token").as_str())
        );
        assert_eq!(
            oauth.client_parameters().and_then(|c| c.client_id()),
            Some(format!("3MVG9many{i}").as_str())
        );
    }
}

fn count(stats: &serde_json::Value, operation: &str, what: &str) -> u64 {
    stats["targets"][format!("AWSEvents.{operation}")][what]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn apply_converges_under_throttling_and_server_errors() {
    let mut world = World::new();
    let names = declare_many(&mut world, "sf-throttled", 200);
    // EventBridge's calls are throttled (the proxy's throttle is EventBridge's JSON answer);
    // the caller's identity, asked first in STS's query protocol, passes.
    let proxy = Proxy::start(
        &world.emulator.endpoint,
        &[
            "--throttle",
            "0.3",
            "--error500",
            "0.05",
            "--seed",
            "7",
            "--only-target",
            "AWSEvents",
        ],
    );
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    world.provision(&["apply", "connections/"]).expect(0);
    let stats = proxy.stats(false);
    assert!(
        stats["totals"]["throttle"].as_u64().unwrap() > 100,
        "the proxy really throttled: {stats}"
    );
    assert_as_declared(&world, &names);
    proxy.configure(serde_json::json!({"throttle": 0, "error500": 0}));
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_create_whose_answer_is_lost_is_retried_and_converges() {
    // The create reaches AWS but the connection is reset before the answer (half of the
    // creates and their retries): a retry finds the name taken, reads the connection and
    // updates it.
    let mut world = World::new();
    let names = declare_many(&mut world, "sf-reset", 3);
    let proxy = Proxy::start(
        &world.emulator.endpoint,
        &[
            "--reset-after-forward",
            "0.5",
            "--only-target",
            "CreateConnection",
            "--seed",
            "3",
        ],
    );
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(0);
    let stats = proxy.stats(false);
    let lost = count(&stats, "CreateConnection", "reset_after_forward");
    assert!(lost >= 1, "{stats}");
    assert!(
        count(&stats, "UpdateConnection", "forwarded") >= 1,
        "a create whose answer was lost is taken over with an update: {stats}"
    );
    assert_as_declared(&world, &names);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn a_hung_endpoint_ends_the_run_within_the_call_timeout_and_names_the_endpoint() {
    let mut world = World::new();
    declare_many(&mut world, "sf-hung", 3);
    let proxy = Proxy::start(&world.emulator.endpoint, &["--hang", "1.0"]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    for command in ["diff", "apply"] {
        let started = Instant::now();
        let run = world.provision(&[
            command,
            "connections/",
            "--attempt-timeout",
            "1s",
            "--call-timeout",
            "3s",
        ]);
        let took = started.elapsed();
        run.expect(1);
        assert!(
            run.stderr.contains(&format!(
                "{} did not answer in time (1s per attempt, 3s per call",
                proxy.endpoint
            )),
            "{}",
            run.stderr
        );
        // The bound is the call timeout (3 s) plus start-up; this only shows it does not hang.
        assert!(took < Duration::from_secs(60), "{command} took {took:?}");
    }
}

/// Reads a spawned run's stderr until a line contains `text`, then returns the rest unread.
fn wait_for_line(child: &mut std::process::Child, text: &str) -> std::thread::JoinHandle<String> {
    let stderr = child.stderr.take().expect("stderr");
    let (seen_sender, seen) = std::sync::mpsc::channel();
    let text = text.to_string();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            if !sent && line.contains(&text) {
                let _ = seen_sender.send(());
                sent = true;
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    seen.recv_timeout(Duration::from_secs(120))
        .expect("the line appears");
    reader
}

fn send_signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn an_interrupted_apply_says_what_it_did_and_a_rerun_converges() {
    let mut world = World::new();
    let names = declare_many(&mut world, "sf-interrupted", 40);
    // Slow enough that the interruption lands in the middle of the writes.
    let proxy = Proxy::start(&world.emulator.endpoint, &["--latency-ms", "150"]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    let mut child = world.spawn(&["apply", "connections/", "--concurrency", "2", "-v"]);
    let stderr = wait_for_line(&mut child, "sf-interrupted-0003: created");
    send_signal(&child, "INT");
    let stdout = child.stdout.take().unwrap();
    let status = child.wait().unwrap();
    let stdout = std::io::read_to_string(stdout).unwrap();
    let stderr = stderr.join().unwrap();
    assert_eq!(status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("SIGINT received"), "{stderr}");
    assert!(
        stderr.contains("error: interrupted by SIGINT:") && stderr.contains("not started"),
        "{stderr}"
    );
    let not_started = stdout
        .lines()
        .filter(|l| l.starts_with("not started"))
        .count();
    let created = stdout.lines().filter(|l| l.starts_with("created")).count();
    assert!(not_started > 0 && created > 0, "{stdout}");
    assert_eq!(
        created + not_started,
        40,
        "each connection is reported:\n{stdout}"
    );
    assert!(SECRET.len() > 10 && !stdout.contains(SECRET) && !stderr.contains(SECRET));
    // Whatever was written is there once; the re-run converges.
    assert_eq!(world.connection_names(REGION).len(), created);
    world.env("AWS_ENDPOINT_URL", &world.emulator.endpoint.clone());
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    assert_as_declared(&world, &names);
}

#[test]
fn an_interrupted_json_apply_still_prints_its_document() {
    let mut world = World::new();
    declare_many(&mut world, "sf-json-interrupted", 20);
    let proxy = Proxy::start(&world.emulator.endpoint, &["--latency-ms", "150"]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    let mut child = world.spawn(&[
        "apply",
        "connections/",
        "--concurrency",
        "1",
        "--output",
        "json",
        "-v",
    ]);
    let stderr = wait_for_line(&mut child, "sf-json-interrupted-0001: created");
    send_signal(&child, "TERM");
    let run: Run = world.finish(child);
    let _ = stderr.join();
    assert_eq!(run.code, 143, "{}", run.stdout);
    let json: PlanDocument = run.document();
    let summary = json.apply_summary();
    assert!(summary.not_started > 0, "{summary:?}");
    assert_eq!(json.results().len(), 20);
}

#[test]
fn two_applies_at_once_end_with_every_connection_as_declared() {
    let mut world = World::new();
    let names = declare_many(&mut world, "sf-concurrent", 40);
    let first = world.spawn(&["apply", "connections/"]);
    let second = world.spawn(&["apply", "connections/"]);
    let first = world.finish(first);
    let second = world.finish(second);
    first.expect(0);
    second.expect(0);
    assert_as_declared(&world, &names);
    world.provision(&["diff", "connections/"]).expect(0);
}

#[test]
fn one_run_covers_every_declared_region() {
    let mut world = World::new();
    // The same secret name in each Region, with a value of its own: a name resolves in the
    // connection's Region.
    for (region, value) in [
        ("us-east-1", "east-secret-0a1b2c3d4e"),
        ("eu-west-1", "west-secret-5f6a7b8c9d"),
    ] {
        world.secret(value);
        let client = world.secrets_manager_in(region);
        world
            .block_on(
                client
                    .create_secret()
                    .name("salesforce/shared")
                    .secret_string(value)
                    .send(),
            )
            .unwrap();
    }
    world.write(
        "connections/both.yaml",
        "name: sf-both\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9both\nclientSecret: { secretsManager: salesforce/shared }\nregions: [us-east-1, eu-west-1]\n",
    );
    world.write(
        "connections/default.yaml",
        "name: sf-default\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9default\nclientSecret: { secretsManager: salesforce/shared }\n",
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(2)
        .stdout_json();
    assert_eq!(json.regions, ["us-east-1", "eu-west-1"]);
    let planned: Vec<(&str, &str)> = json
        .connections
        .iter()
        .map(|c| (c.name.as_str(), c.region.as_str()))
        .collect();
    assert_eq!(
        planned,
        [
            ("sf-both", "us-east-1"),
            ("sf-default", "us-east-1"),
            ("sf-both", "eu-west-1"),
        ]
    );
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(0);
    assert!(
        apply.stdout.contains("sf-both     eu-west-1"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        world.connection_names("us-east-1"),
        ["sf-both", "sf-default"]
    );
    assert_eq!(world.connection_names("eu-west-1"), ["sf-both"]);
    // Each Region's connection holds its own Region's secret.
    let west = world.events_in("eu-west-1");
    let arn = world
        .block_on(west.describe_connection().name("sf-both").send())
        .unwrap()
        .secret_arn()
        .unwrap()
        .to_string();
    let managed = world
        .block_on(
            world
                .secrets_manager_in("eu-west-1")
                .get_secret_value()
                .secret_id(arn)
                .send(),
        )
        .unwrap();
    let managed: serde_json::Value =
        serde_json::from_str(managed.secret_string().unwrap()).unwrap();
    assert_eq!(managed["client_secret"], "west-secret-5f6a7b8c9d");
    world.provision(&["diff", "connections/"]).expect(0);

    // Limited to one Region, the run says what it leaves out (the first --region is the
    // default Region, so sf-default would be created there).
    let limited = world.provision(&["diff", "connections/", "--region", "eu-west-1"]);
    limited.expect(2);
    assert!(
        limited.stdout.contains("Left out of this run:\n  sf-both in us-east-1: us-east-1 is not among the --region flags"),
        "{}",
        limited.stdout
    );
    let limited: PlanDocument = world
        .test(&[
            "diff",
            "connections/",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .stdout_json();
    assert_eq!(
        limited.left_out,
        [LeftOut {
            name: "sf-both".to_string(),
            account: EMULATOR_ACCOUNT.to_string(),
            region: "eu-west-1".to_string(),
            reason: "eu-west-1 is not among the --region flags".to_string()
        }]
    );
}

#[test]
fn the_settle_phase_reports_every_connection_with_its_final_state() {
    // Connections stay AUTHORIZING for 2 s after each write, as real AWS does; one has
    // credentials Salesforce refuses.
    let mut world = World::with_emulator_env(&[
        ("MOTO_AUTHORIZING_SECONDS", "2"),
        ("MOTO_DEAUTHORIZE_SECRET_PREFIX", "refused-"),
    ]);
    let names = declare_many(&mut world, "sf-settle", 15);
    world.secret_env("REFUSED_SECRET", "refused-consumer-secret-8899aabb");
    world.write(
        "connections/sf-settle-0007.yaml",
        "name: sf-settle-0007\ndescription: connection 7\nsalesforce:\n  myDomain: acme7\nclientId: 3MVG9many7\nclientSecret: { env: REFUSED_SECRET }\n",
    );
    let proxy = Proxy::start(&world.emulator.endpoint, &[]);
    world.env("AWS_ENDPOINT_URL", &proxy.endpoint);
    let apply = world.provision(&["apply", "connections/"]);
    apply.expect(1);
    for name in &names {
        let line = apply
            .stdout
            .lines()
            .find(|l| l.contains(name.as_str()) && !l.starts_with(['+', '~', '=']))
            .unwrap_or_else(|| panic!("{name} is reported:\n{}", apply.stdout));
        if name == "sf-settle-0007" {
            assert!(
                line.starts_with("failed") && line.ends_with("DEAUTHORIZED: Unable to authorize connection: invalid_client: invalid client credentials"),
                "{line}"
            );
        } else {
            assert!(
                line.starts_with("created") && line.ends_with("AUTHORIZED"),
                "{line}"
            );
        }
    }
    assert!(
        apply
            .stdout
            .contains("Apply: 14 created, 0 updated, 0 deleted, 0 unchanged, 1 failed."),
        "{}",
        apply.stdout
    );
    // One write and one read-back per connection; the waiting itself is ListConnections pages.
    let stats = proxy.stats(false);
    assert_eq!(
        count(&stats, "CreateConnection", "forwarded"),
        15,
        "{stats}"
    );
    assert_eq!(
        count(&stats, "DescribeConnection", "forwarded"),
        15,
        "{stats}"
    );
    assert!(
        count(&stats, "ListConnections", "forwarded") >= 2,
        "{stats}"
    );
}

#[test]
fn the_wait_timeout_names_the_connections_still_authorizing() {
    let mut world = World::with_emulator_env(&[("MOTO_AUTHORIZING_SECONDS", "60")]);
    let names = declare_many(&mut world, "sf-slow", 12);
    let apply = world.provision(&["apply", "connections/", "--wait-timeout", "2s"]);
    apply.expect(1);
    for name in &names {
        assert!(
            apply.stdout.lines().any(|l| l.starts_with("failed")
                && l.contains(name.as_str())
                && l.ends_with("AUTHORIZING")),
            "{name}:\n{}",
            apply.stdout
        );
    }
    assert!(
        apply
            .stdout
            .contains("still AUTHORIZING when the wait of 2s ended"),
        "{}",
        apply.stdout
    );
}
