//! Time limits hold as given, and a run that cannot get an answer says why: the call limit is
//! never raised to the attempt limit; a refused or unresolvable endpoint ends at once, named;
//! a profile that does not exist is refused by name, with where it was looked for; Ctrl-C at
//! the deletion prompt ends the run (exit 130) and deletes nothing.
//!
//! Timings are asserted with generous bounds only (the machine is shared): "well within" a
//! limit that the old behaviour overran several times.

use crate::support::World;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTION: &str = "name: sf-acme-prod\nsalesforce: { myDomain: acme }\nclientId: 3MVG9acme\nclientSecret: { env: ACME_SECRET }\n";

/// What one run printed, its exit code and how long it took.
pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stderr: String,
    pub(crate) took: Duration,
}

/// `provision <args>` in a folder holding one connection, with fixed keys in the environment
/// (so a run that ignored a bad profile would go on with them) and AWS pointed at `endpoint`.
pub(crate) fn provision(folder: &Path, endpoint: &str, args: &[&str], env: &[(&str, &str)]) -> Ran {
    std::fs::write(folder.join("c.yaml"), CONNECTION).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(folder)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
        .env("AWS_SECRET_ACCESS_KEY", "environment-keys")
        .env("AWS_CONFIG_FILE", folder.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            folder.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("ACME_SECRET", "acme-secret-value")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    let started = Instant::now();
    let output = command.output().expect("run provision");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// A loopback endpoint that accepts connections and never answers.
pub(crate) fn silent_endpoint() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let mut held = Vec::new();
        let started = Instant::now();
        listener.set_nonblocking(true).unwrap();
        while started.elapsed() < Duration::from_secs(30) {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (url, thread)
}

/// A loopback address where nothing listens: bound, then closed.
fn refusing_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn a_call_limit_shorter_than_the_attempt_limit_holds() {
    let folder = tempfile::tempdir().unwrap();
    let (endpoint, _server) = silent_endpoint();
    // The attempt limit is the default 15s: it used to raise the call limit to 15s.
    let ran = provision(
        folder.path(),
        &endpoint,
        &["diff", "c.yaml", "--call-timeout", "3s"],
        &[],
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.took < Duration::from_secs(10),
        "a 3s call limit took {:?}\n{}",
        ran.took,
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&format!(
            "{endpoint} did not answer in time (3s per attempt, 3s per call"
        )),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_refused_connection_is_named_and_ends_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let endpoint = refusing_endpoint();
    for command in ["diff", "apply"] {
        let ran = provision(
            folder.path(),
            &endpoint,
            &[command, "c.yaml", "--call-timeout", "30s"],
            &[],
        );
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        assert!(
            ran.stderr.contains(&format!(
                "{endpoint} refused the connection: nothing listens there"
            )),
            "{}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("did not answer in time"),
            "{}",
            ran.stderr
        );
        assert!(
            ran.took < Duration::from_secs(10),
            "{command}: a refused connection was retried for {:?}",
            ran.took
        );
    }
}

#[test]
fn an_unresolvable_endpoint_is_named_within_the_call_limit() {
    let folder = tempfile::tempdir().unwrap();
    let endpoint = "http://no-such-host.invalid";
    let ran = provision(
        folder.path(),
        endpoint,
        &["diff", "c.yaml", "--call-timeout", "5s"],
        &[],
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("the host of http://no-such-host.invalid could not be resolved")
            || ran
                .stderr
                .contains("did not answer in time (5s per attempt, 5s per call"),
        "{}",
        ran.stderr
    );
    assert!(ran.took < Duration::from_secs(15), "took {:?}", ran.took);
}

#[test]
fn a_profile_that_does_not_exist_is_refused_by_name_with_where_it_was_looked_for() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("aws-config");
    let credentials = folder.path().join("aws-credentials");
    std::fs::write(
        &config,
        "[default]\nregion = us-east-1\n[profile platform-prod]\nregion = eu-west-1\n",
    )
    .unwrap();
    let files = [
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
    ];
    // Anything reaching the endpoint would be refused: the profile must be refused first.
    let endpoint = refusing_endpoint();
    let by_flag = provision(
        folder.path(),
        &endpoint,
        &["diff", "c.yaml", "--profile", "platform-prd"],
        &files,
    );
    let mut with_variable = files.to_vec();
    with_variable.push(("AWS_PROFILE", "platform-prd"));
    let by_variable = provision(
        folder.path(),
        &endpoint,
        &["apply", "c.yaml"],
        &with_variable,
    );
    for (ran, source) in [(by_flag, "--profile"), (by_variable, "AWS_PROFILE")] {
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        let expected = format!(
            "error: the AWS profile `platform-prd` ({source}) does not exist: it is neither `[profile platform-prd]` in {} nor `[platform-prd]` in {}, which does not exist\n  help: did you mean `platform-prod`? the files declare default, platform-prod; create it with `aws configure --profile platform-prd` (or `aws configure sso`), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files that declare it\n",
            config.display(),
            credentials.display()
        );
        assert_eq!(ran.stderr, expected);
    }
}

#[test]
fn a_profile_declared_in_the_credentials_file_is_used() {
    let folder = tempfile::tempdir().unwrap();
    let credentials = folder.path().join("aws-credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-keys\n",
    )
    .unwrap();
    let endpoint = refusing_endpoint();
    let ran = provision(
        folder.path(),
        &endpoint,
        &["diff", "c.yaml", "--profile", "ci"],
        &[("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())],
    );
    // The run goes on to AWS (here: a refused endpoint), past the profile check.
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(!ran.stderr.contains("does not exist"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("refused the connection"),
        "{}",
        ran.stderr
    );
}

/// A world with two of this set's connections in AWS, one no longer declared: `apply --prune`
/// asks before deleting it.
fn world_with_one_to_prune() -> World {
    let mut world = World::new();
    world.secret_env("OWNED_SECRET", "owned-secret-value-0123456789");
    // Pruning needs a named set and Regions pinned by the files.
    world.write(
        "provision.yaml",
        "set: prompt-tests\ndefaultRegion: us-east-1\n",
    );
    for name in ["sf-kept", "sf-dropped"] {
        world.write(
            &format!("connections/{name}.yaml"),
            &format!("name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9{name}\nclientSecret: {{ env: OWNED_SECRET }}\n"),
        );
    }
    world.provision(&["apply", "connections/"]).expect(0);
    world.remove("connections/sf-dropped.yaml");
    world
}

const PROMPT: &str = "Type yes to confirm";

#[test]
fn ctrl_c_at_the_deletion_prompt_ends_the_run_and_deletes_nothing() {
    let world = world_with_one_to_prune();
    let started = Instant::now();
    let run = world.provision_on_pty(&["apply", "connections/", "--prune"], PROMPT, b"\x03");
    assert_eq!(run.code, 130, "{}", run.stdout);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(run.stdout.contains("SIGINT received"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("error: interrupted by SIGINT: nothing was deleted or changed"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("deleted     sf-dropped"),
        "{}",
        run.stdout
    );
    assert!(
        world
            .connection_names("us-east-1")
            .contains(&"sf-dropped".to_string())
    );
}

#[test]
fn yes_at_the_deletion_prompt_deletes() {
    let world = world_with_one_to_prune();
    let run = world.provision_on_pty(&["apply", "connections/", "--prune"], PROMPT, b"yes\n");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("deleted     sf-dropped"),
        "{}",
        run.stdout
    );
    assert_eq!(world.connection_names("us-east-1"), ["sf-kept"]);
}

#[test]
fn the_credential_check_of_apply_holds_the_call_limit() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mut world = World::new();
    let endpoint = world.block_on(MockServer::start());
    world.block_on(
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"access_token": "00Dxx!late"}))
                    .set_delay(Duration::from_secs(12)),
            )
            .mount(&endpoint),
    );
    world.secret_env("ACME_SECRET", "acme-consumer-secret-for-limits-0123");
    world.write(
        "connections/acme.yaml",
        &format!(
            "name: sf-acme-prod\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: 3MVG9acme\nclientSecret: {{ env: ACME_SECRET }}\n",
            endpoint.uri()
        ),
    );
    let started = Instant::now();
    let run = world.provision(&[
        "apply",
        "connections/",
        "--verify-credentials",
        "--call-timeout",
        "2s",
    ]);
    let took = started.elapsed();
    run.expect(1);
    assert!(
        run.stdout.contains(&format!(
            "{}/services/oauth2/token did not answer within 2s (--call-timeout); the connection was not created",
            endpoint.uri()
        )),
        "{}",
        run.stdout
    );
    // The old 20s limit would have waited for the answer, and created the connection.
    assert!(took < Duration::from_secs(10), "a 2s limit took {took:?}");
    assert!(world.connection_names("us-east-1").is_empty());
}
