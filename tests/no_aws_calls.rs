//! Bad input stops `validate`, `diff` and `apply` before any request reaches AWS.
//!
//! The AWS endpoint is a TCP listener on 127.0.0.1 that counts the connections it accepts
//! (and closes them at once: it speaks no HTTP). Every AWS call `provision` could make,
//! EventBridge or Secrets Manager, goes to that endpoint, so zero accepted connections means
//! zero requests and no secret read from Secrets Manager. A positive control shows the counter
//! does see the requests of a run on valid input.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A stand-in AWS endpoint that counts accepted connections.
struct CountingEndpoint {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CountingEndpoint {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (accepted, stop) = (accepted.clone(), stop.clone());
            std::thread::spawn(move || {
                loop {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                            drop(stream);
                        }
                        // Stop only once the backlog is empty, so a late connection counts.
                        Err(error) if error.kind() == ErrorKind::WouldBlock => {
                            if stop.load(Ordering::SeqCst) {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(error) => panic!("accept failed: {error}"),
                    }
                }
            })
        };
        CountingEndpoint {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn accepted_so_far(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Stops counting after taking every pending connection; returns the total.
    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the counting thread");
        }
        self.accepted.load(Ordering::SeqCst)
    }
}

/// `provision <args>` in `folder`, with AWS pointed at `endpoint` and nothing else to find:
/// fixed credentials and Region, no profile files, no instance metadata.
fn provision(folder: &Path, endpoint: &CountingEndpoint, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
    command
        .current_dir(folder)
        .args(args)
        .args(["--endpoint-url", &endpoint.url()])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL_EVENTBRIDGE")
        .env_remove("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .env("AWS_ENDPOINT_URL", endpoint.url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .env("AWS_CONFIG_FILE", folder.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            folder.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

const VALID: &str = "\
name: sf-acme-prod
salesforce:
  myDomain: acme
clientId: 3MVG9abc
clientSecret:
  secretsManager: salesforce/acme-prod
  key: consumer_secret
";

/// A project file with two targets (their roles are never assumed by `validate`).
const TARGETS: &str = crate::support::TWO_TARGETS;

/// Bad input of each kind, each next to a valid connection whose secret lives in Secrets
/// Manager (so reading it would be a request too).
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    paths: &'static [&'static str],
    /// Text the first line of stderr must contain.
    first_error: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "YAML syntax error",
        files: &[
            ("connections/acme.yaml", VALID),
            ("connections/globex.yaml", "name: [sf-globex-prod\n"),
        ],
        paths: &["connections"],
        first_error: "error: connections/globex.yaml:1:7: invalid YAML: the list opened here with `[` is not closed",
    },
    Case {
        name: "a literal client secret",
        files: &[(
            "connections/acme.yaml",
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: hunter2\n",
        )],
        paths: &["connections"],
        first_error: "error: connections/acme.yaml:5:15: clientSecret: a literal client secret is not allowed",
    },
    Case {
        name: "a name declared twice",
        files: &[
            ("connections/acme.yaml", VALID),
            ("connections/copy.yaml", VALID),
        ],
        paths: &["connections"],
        first_error: "error: connections/copy.yaml:1:1: name: connection `sf-acme-prod` is declared twice",
    },
    Case {
        name: "a document without targets where the project file lists them",
        files: &[
            ("provision.yaml", TARGETS),
            ("connections/acme.yaml", VALID),
        ],
        paths: &["connections"],
        first_error: "error: connections/acme.yaml:1:1: targets: connection `sf-acme-prod` names no `targets:`, but provision.yaml lists targets",
    },
    Case {
        name: "a document naming a target the project file does not list",
        files: &[
            ("provision.yaml", TARGETS),
            (
                "connections/acme.yaml",
                concat!(
                    "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret:\n  secretsManager: salesforce/acme-prod\n",
                    "targets: [prod, qa]\n"
                ),
            ),
        ],
        paths: &["connections"],
        first_error: "error: connections/acme.yaml:7:17: targets[1]: `qa` is not a target of provision.yaml",
    },
    Case {
        name: "a missing path",
        files: &[("connections/acme.yaml", VALID)],
        paths: &["connections", "connection/globex.yaml"],
        first_error: "error: connection/globex.yaml: no such file or folder",
    },
];

fn write_files(folder: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run provision")
}

#[test]
fn bad_input_makes_no_request_from_any_command() {
    for case in CASES {
        let folder = tempfile::tempdir().expect("temporary folder");
        write_files(folder.path(), case.files);
        let mut stderr_of_validate = None;
        for subcommand in ["validate", "diff", "apply", "verify", "iam-policy"] {
            let endpoint = CountingEndpoint::start();
            let mut args = vec![subcommand];
            args.extend(case.paths);
            let output = run(&mut provision(folder.path(), &endpoint, &args));
            let requests = endpoint.finish();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let context = format!("`provision {}` with {}", args.join(" "), case.name);
            assert_eq!(output.status.code(), Some(1), "{context}: {stderr}");
            assert_eq!(requests, 0, "{context} made {requests} connections");
            assert!(
                stderr.starts_with(case.first_error),
                "{context}: stderr is\n{stderr}"
            );
            assert_eq!(output.stdout, b"", "{context}: stdout");
            // The same problems, word for word, whichever command found them.
            match &stderr_of_validate {
                None => stderr_of_validate = Some(stderr),
                Some(expected) => assert_eq!(&stderr, expected, "{context}"),
            }
        }
    }
}

#[test]
fn valid_input_is_validated_without_a_request() {
    let folder = tempfile::tempdir().expect("temporary folder");
    write_files(folder.path(), &[("connections/acme.yaml", VALID)]);
    let endpoint = CountingEndpoint::start();
    let output = run(&mut provision(folder.path(), &endpoint, &["validate"]));
    assert_eq!(endpoint.finish(), 0);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 connection valid.\n"
    );
}

/// With targets in the project file, `validate` names each document's places: target, account
/// and Region, in text and in JSON; still without a request.
#[test]
fn valid_input_with_targets_is_validated_with_its_places_without_a_request() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let placed = format!("{VALID}targets: [prod, staging]\n");
    let narrowed =
        VALID.replace("sf-acme-prod", "sf-acme-us") + "targets: [prod]\nregions: [us-east-1]\n";
    write_files(
        folder.path(),
        &[
            ("provision.yaml", TARGETS),
            ("connections/acme.yaml", placed.as_str()),
            ("connections/us.yaml", narrowed.as_str()),
        ],
    );
    let endpoint = CountingEndpoint::start();
    let text = run(&mut provision(
        folder.path(),
        &endpoint,
        &["validate", "connections"],
    ));
    let json = run(&mut provision(
        folder.path(),
        &endpoint,
        &["validate", "connections", "--output", "json"],
    ));
    assert_eq!(endpoint.finish(), 0);
    assert_eq!(
        text.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&text.stdout),
        "2 connections valid.\n  sf-acme-prod  prod (111111111111): eu-west-1, us-east-1\n  sf-acme-prod  staging (222222222222): eu-west-1\n  sf-acme-us    prod (111111111111): us-east-1\n"
    );
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        crate::support::output_schema::check(&document).as_deref(),
        Ok("validate")
    );
    let place = |connection: &str, target: &str, account: &str, region: &str| serde_json::json!({"connection": connection, "target": target, "region": region, "account": account});
    assert_eq!(
        document["places"],
        serde_json::json!([
            place("sf-acme-prod", "prod", "111111111111", "eu-west-1"),
            place("sf-acme-prod", "prod", "111111111111", "us-east-1"),
            place("sf-acme-prod", "staging", "222222222222", "eu-west-1"),
            place("sf-acme-us", "prod", "111111111111", "us-east-1"),
        ])
    );
}

/// `rateLimitPerSecond` has no maximum in the EventBridge API model: 300 is AWS's default
/// quota, which can be raised. A higher rate is valid; `validate` says, on stderr, that it
/// needs a raised quota, and still exits 0.
#[test]
fn a_rate_above_the_default_quota_is_valid_with_a_note_that_it_needs_a_raised_quota() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let document = format!(
        "{VALID}destinations:\n  - name: orders\n    event: Order_Placed__e\n    rateLimitPerSecond: 500\n"
    );
    write_files(
        folder.path(),
        &[("connections/acme.yaml", document.as_str())],
    );
    let endpoint = CountingEndpoint::start();
    let output = run(&mut provision(folder.path(), &endpoint, &["validate"]));
    assert_eq!(endpoint.finish(), 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 connection valid.\n"
    );
    assert_eq!(
        stderr,
        "provision: note: connections/acme.yaml:11:25: destinations[0].rateLimitPerSecond: 500 invocations per second is above 300, AWS's default quota for an API destination: EventBridge takes it only in an account and Region whose quota was raised (Service Quotas)\n"
    );
}

/// The control: on valid input `diff` does reach the endpoint, so a count of zero above
/// means something. The endpoint closes every connection, so the run would fail after its
/// retries; it is stopped as soon as the first connection arrives.
#[test]
fn the_counter_sees_the_requests_of_a_diff_on_valid_input() {
    let folder = tempfile::tempdir().expect("temporary folder");
    write_files(folder.path(), &[("connections/acme.yaml", VALID)]);
    let endpoint = CountingEndpoint::start();
    let mut child: Child = provision(folder.path(), &endpoint, &["diff"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provision");
    let deadline = Instant::now() + Duration::from_secs(60);
    while endpoint.accepted_so_far() == 0 && Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("poll provision") {
            panic!("provision diff ended ({status}) without reaching the endpoint");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        endpoint.finish() >= 1,
        "diff on valid input never reached the endpoint within 60 s"
    );
}
