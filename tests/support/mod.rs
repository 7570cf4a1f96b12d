//! The test harness: a private emulator per test, a scratch folder of YAML, the built binary,
//! and the SDK to look at (or tamper with) what the binary did.
//!
//! Every run of the binary goes through [`World::provision`], which asserts that no secret
//! value registered with the world appears in stdout or stderr: the "never print a secret"
//! promise is checked on every test, on success and error paths alike. [`World::test`]
//! (`test.rs`) pins a run's exit status, stdout and stderr together; `json.rs` reads the JSON
//! documents through types of their own, after `output_schema.rs` has checked each against
//! its published schema.

#![allow(dead_code)]

pub mod iam;
pub mod json;
pub mod output_schema;
pub mod test;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const REGION: &str = "us-east-1";
/// The account moto's `GetCallerIdentity` names (moto's default account, which
/// scripts/moto_server.py keeps): every resource of an emulator run lives in it.
pub const EMULATOR_ACCOUNT: &str = "123456789012";

/// A project file with two targets, `prod` (two Regions, a role and an external id from
/// PROVISION_EXTERNAL_ID) and `staging` (its account unquoted, as YAML lets it be written).
pub const TWO_TARGETS: &str = "\
set: payments
targets:
  - name: prod
    account: \"111111111111\"
    role: arn:aws:iam::111111111111:role/provision
    externalId: { env: PROVISION_EXTERNAL_ID }
    regions: [eu-west-1, us-east-1]
  - name: staging
    account: 222222222222
    regions: [eu-west-1]
";

/// moto's server, patched to behave like recorded AWS (scripts/moto_server.py), on a free
/// loopback port. Killed when dropped.
pub struct Emulator {
    child: Child,
    pub endpoint: String,
}

impl Emulator {
    pub fn start(env: &[(&str, &str)]) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = root.join(".venv/bin/python");
        assert!(
            python.exists(),
            "the local AWS emulator is not installed: run `bash scripts/setup-emulator.sh` (it creates .venv/ with the pinned moto)"
        );
        let mut command = Command::new(python);
        command
            .arg(root.join("scripts/moto_server.py"))
            .args(["--port", "0"]);
        for (key, value) in env {
            command.env(key, value);
        }
        let (child, endpoint) = start_ready(command, "the emulator");
        Emulator { child, endpoint }
    }

    /// Sets a connection's state as if AWS had changed it (the launcher's control route).
    pub fn set_state(&self, name: &str, state: &str, reason: &str) {
        let body = serde_json::json!({"name": name, "state": state, "reason": reason}).to_string();
        control(
            &self.endpoint,
            "POST",
            "/_provision/connection-state",
            &body,
        );
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fault proxy (scripts/fault_proxy.py) in front of an emulator, on a free loopback
/// port: latency, throttling, 5xx answers, resets and hangs. Killed when dropped.
pub struct Proxy {
    child: Child,
    pub endpoint: String,
}

impl Proxy {
    /// Starts it in front of `upstream` with `flags` (e.g. `["--throttle", "0.3"]`).
    pub fn start(upstream: &str, flags: &[&str]) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut command = Command::new(root.join(".venv/bin/python"));
        command
            .arg(root.join("scripts/fault_proxy.py"))
            .args(["--upstream", upstream, "--port", "0"])
            .args(flags);
        let (child, endpoint) = start_ready(command, "the fault proxy");
        Proxy { child, endpoint }
    }

    fn request(&self, method: &str, path: &str, body: &str) -> String {
        control(&self.endpoint, method, path, body)
    }

    /// Changes the faults from now on (a JSON object, as `POST /_proxy/config` takes).
    pub fn configure(&self, config: serde_json::Value) {
        self.request("POST", "/_proxy/config", &config.to_string());
    }

    /// Requests seen per operation (`AWSEvents.CreateConnection`, ...) and per fault; `reset`
    /// zeroes the counters after reading them.
    pub fn stats(&self, reset: bool) -> serde_json::Value {
        let path = if reset {
            "/_proxy/stats?reset=1"
        } else {
            "/_proxy/stats"
        };
        serde_json::from_str(&self.request("GET", path, "")).expect("stats JSON")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The local Salesforce org (scripts/fake_salesforce.py) declared by `org` (the org file's
/// JSON), on a free loopback port. Killed when dropped.
pub struct FakeOrg {
    child: Child,
    pub url: String,
    _file: tempfile::NamedTempFile,
}

impl FakeOrg {
    pub fn start(org: &serde_json::Value) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(org.to_string().as_bytes()).unwrap();
        let mut command = Command::new(root.join(".venv/bin/python"));
        command
            .arg(root.join("scripts/fake_salesforce.py"))
            .arg("--org")
            .arg(file.path())
            .args(["--port", "0"]);
        let (child, url) = start_ready(command, "the local Salesforce org");
        FakeOrg {
            child,
            url,
            _file: file,
        }
    }

    /// The org's token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/services/oauth2/token", self.url)
    }

    /// `GET /_provision/state`: the apps, the published events, every request seen.
    pub fn state(&self) -> serde_json::Value {
        serde_json::from_str(&control(&self.url, "GET", "/_provision/state", ""))
            .expect("state JSON")
    }

    /// `POST /_provision/switches`: merges `switches` into the org's switches.
    pub fn switches(&self, switches: serde_json::Value) {
        control(
            &self.url,
            "POST",
            "/_provision/switches",
            &switches.to_string(),
        );
    }

    /// `POST /_provision/faults`: replaces the org's faults (chosen calls fail).
    pub fn faults(&self, faults: serde_json::Value) {
        let body = serde_json::json!({ "faults": faults }).to_string();
        control(&self.url, "POST", "/_provision/faults", &body);
    }

    /// `POST /_provision/expire`: what occupies each app's staged slot expires.
    pub fn expire(&self) {
        control(&self.url, "POST", "/_provision/expire", "{}");
    }

    /// Every request the org saw, as `METHOD path`.
    pub fn requests(&self) -> Vec<String> {
        self.state()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }
}

impl Drop for FakeOrg {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a loopback server that prints `ready URL` on stdout once listening (the emulator,
/// the fault proxy, the local Salesforce org), and returns it with its URL.
fn start_ready(mut command: Command, what: &str) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("read the ready line of {what}: {e}"));
    let endpoint = line
        .trim()
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("{what} did not start: {line:?}"))
        .to_string();
    (child, endpoint)
}

/// One request to a server's control route (not an AWS API); it must answer 200. Returns the
/// body.
fn control(endpoint: &str, method: &str, path: &str, body: &str) -> String {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "{response}"
    );
    response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// What one run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON; a document of provision's own must match its published schema.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        if let Err(why) = output_schema::check_text(&self.stdout) {
            panic!("stdout {why}\n{}", self.stdout)
        }
        serde_json::from_str(&self.stdout).expect("checked")
    }

    /// stdout as a document of type `T` (`support::json`), for a run the [`World::test`]
    /// builder cannot make (spawned, interrupted).
    #[track_caller]
    pub fn document<T: serde::de::DeserializeOwned>(&self) -> T {
        if let Err(why) = output_schema::check_text(&self.stdout) {
            panic!("stdout {why}\n{}", self.stdout)
        }
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a {} document ({e}):\n{}",
                std::any::type_name::<T>(),
                self.stdout
            )
        })
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// One test's world: an emulator of its own, a folder of YAML, environment for the binary,
/// and the secret values that must never be printed.
pub struct World {
    pub emulator: Emulator,
    pub dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    secrets: Vec<String>,
    pub runtime: tokio::runtime::Runtime,
    pub events: aws_sdk_eventbridge::Client,
    pub secrets_manager: aws_sdk_secretsmanager::Client,
}

impl World {
    pub fn new() -> Self {
        Self::with_emulator_env(&[])
    }

    pub fn with_emulator_env(env: &[(&str, &str)]) -> Self {
        // Connections settle after one AUTHORIZING read, as in AWS; waits are short.
        let mut emulator_env = vec![("MOTO_AUTHORIZING_READS", "1")];
        emulator_env.extend_from_slice(env);
        let emulator = Emulator::start(&emulator_env);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let config = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(REGION))
                .endpoint_url(&emulator.endpoint)
                .credentials_provider(aws_sdk_eventbridge::config::Credentials::new(
                    "testing", "testing", None, None, "tests",
                ))
                .load(),
        );
        World {
            dir: tempfile::tempdir().unwrap(),
            env: BTreeMap::new(),
            secrets: Vec::new(),
            events: aws_sdk_eventbridge::Client::new(&config),
            secrets_manager: aws_sdk_secretsmanager::Client::new(&config),
            runtime,
            emulator,
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file under the world's folder (creating folders as needed).
    pub fn write(&self, relative: &str, content: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).unwrap();
    }

    /// A value that must never be printed.
    pub fn secret(&mut self, value: &str) -> String {
        self.secrets.push(value.to_string());
        value.to_string()
    }

    /// An environment variable for the binary holding a secret.
    pub fn secret_env(&mut self, name: &str, value: &str) {
        self.secret(value);
        self.env.insert(name.to_string(), value.to_string());
    }

    pub fn env(&mut self, name: &str, value: &str) {
        self.env.insert(name.to_string(), value.to_string());
    }

    /// A Secrets Manager secret; every string value in it (JSON fields too) is a secret.
    pub fn create_secret(&mut self, name: &str, value: &str) {
        self.secret(value);
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(value) {
            for field in fields.values().filter_map(|v| v.as_str()) {
                self.secret(field);
            }
        }
        self.block_on(
            self.secrets_manager
                .create_secret()
                .name(name)
                .secret_string(value)
                .send(),
        )
        .unwrap();
    }

    pub fn put_secret(&mut self, name: &str, value: &str) {
        self.secret(value);
        self.block_on(
            self.secrets_manager
                .put_secret_value()
                .secret_id(name)
                .secret_string(value)
                .send(),
        )
        .unwrap();
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Runs the binary in the world's folder against the world's emulator, and checks that no
    /// secret value appears in what it printed.
    pub fn provision(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(args);
        self.run(command)
    }

    /// Runs the binary with a terminal as its stdout and stderr (through `script`), as a
    /// user at a shell would.
    pub fn provision_on_terminal(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        // The extra variables go on the command line: `run` clears inherited ones. A terminal
        // that can show colour unless a test says otherwise (`env` takes the last assignment).
        let assignments: Vec<String> = std::iter::once(&("TERM", "xterm-256color"))
            .chain(extra_env)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let line = std::iter::once("env")
            .chain(assignments.iter().map(String::as_str))
            .chain(std::iter::once(env!("CARGO_BIN_EXE_provision")))
            .chain(args.iter().copied())
            .map(|word| format!("'{}'", word.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let mut command = Command::new("script");
        command.args(["-qec", &line, "/dev/null"]);
        self.run(command)
    }

    /// Runs the binary on a pseudo-terminal (stdin, stdout and stderr: `tests/support/pty_run.py`)
    /// and types `keys` once `prompt` appears (`b"\x03"`: Ctrl-C). Everything printed is in
    /// `stdout`; `code` is the exit code, or -1 when the binary was still running 20 s after
    /// the keys (it is then killed).
    pub fn provision_on_pty(&self, args: &[&str], prompt: &str, keys: &[u8]) -> Run {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let hex: String = keys.iter().map(|b| format!("{b:02x}")).collect();
        let mut command = Command::new(root.join(".venv/bin/python"));
        command
            .arg(root.join("tests/support/pty_run.py"))
            .args([prompt, &hex, env!("CARGO_BIN_EXE_provision")])
            .args(args);
        let ran = self.run(command);
        let code = ran
            .stderr
            .lines()
            .last()
            .and_then(|line| line.strip_prefix("exit "))
            .and_then(|code| code.parse().ok())
            .unwrap_or(-1);
        Run { code, ..ran }
    }

    /// Starts the binary in the world without waiting for it (stdout and stderr piped).
    pub fn spawn(&self, args: &[&str]) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(args);
        self.prepare(&mut command);
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start provision")
    }

    /// Waits for a spawned run and checks its output for secrets, like [`World::provision`].
    pub fn finish(&self, child: Child) -> Run {
        let output = child.wait_with_output().expect("wait for provision");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_no_secret(&self.secrets, &run);
        run
    }

    /// Every connection name in the emulator, in `region`.
    pub fn connection_names(&self, region: &str) -> Vec<String> {
        let client = self.events_in(region);
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .block_on(client.list_connections().set_next_token(token).send())
                .unwrap();
            names.extend(
                page.connections()
                    .iter()
                    .filter_map(|c| c.name().map(str::to_string)),
            );
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        names.sort();
        names
    }

    /// A Secrets Manager client of the emulator in another Region.
    pub fn secrets_manager_in(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        let config = self
            .secrets_manager
            .config()
            .to_builder()
            .region(aws_sdk_secretsmanager::config::Region::new(
                region.to_string(),
            ))
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    /// An EventBridge client of the emulator in another Region.
    pub fn events_in(&self, region: &str) -> aws_sdk_eventbridge::Client {
        let config = self
            .events
            .config()
            .to_builder()
            .region(aws_sdk_eventbridge::config::Region::new(region.to_string()))
            .build();
        aws_sdk_eventbridge::Client::from_conf(config)
    }

    /// Runs the binary with its stdout closed before it writes anything (`provision diff |
    /// head -0`), and returns its exit code and stderr.
    pub fn provision_with_stdout_closed(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(args);
        self.prepare(&mut command);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run provision");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for provision");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_no_secret(&self.secrets, &run);
        run
    }

    /// Like [`World::provision`], from a subfolder of the world's folder.
    pub fn provision_in(&self, folder: &str, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(args);
        self.prepare(&mut command);
        command.current_dir(self.path(folder));
        self.output(command)
    }

    fn run(&self, mut command: Command) -> Run {
        self.prepare(&mut command);
        self.output(command)
    }

    fn output(&self, mut command: Command) -> Run {
        let output = command.output().expect("run provision");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_no_secret(&self.secrets, &run);
        run
    }

    /// The world's folder and environment for a run of the binary.
    fn prepare(&self, command: &mut Command) {
        command.current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_")
                || ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"].contains(&key.as_str())
            {
                command.env_remove(key);
            }
        }
        command
            .env("AWS_ENDPOINT_URL", &self.emulator.endpoint)
            .env("AWS_REGION", REGION)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/provision-tests/config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/provision-tests/credentials",
            );
        command.envs(&self.env);
    }

    pub fn describe(
        &self,
        name: &str,
    ) -> aws_sdk_eventbridge::operation::describe_connection::DescribeConnectionOutput {
        self.block_on(self.events.describe_connection().name(name).send())
            .unwrap()
    }

    /// The connection's EventBridge-managed secret: its JSON and version id.
    pub fn managed_secret(&self, name: &str) -> (serde_json::Value, String) {
        let arn = self.describe(name).secret_arn().unwrap().to_string();
        let secret = self
            .block_on(
                self.secrets_manager
                    .get_secret_value()
                    .secret_id(arn)
                    .send(),
            )
            .unwrap();
        (
            serde_json::from_str(secret.secret_string().unwrap()).unwrap(),
            secret.version_id().unwrap().to_string(),
        )
    }
}

/// Fails the test if any registered secret value was printed.
#[track_caller]
pub fn assert_no_secret(secrets: &[String], run: &Run) {
    for secret in secrets {
        assert!(
            !run.stdout.contains(secret.as_str()),
            "a secret value was printed on stdout:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(secret.as_str()),
            "a secret value was printed on stderr:\n{}",
            run.stderr
        );
    }
}

/// `sts:GetCallerIdentity` answered on a wiremock endpoint standing in for AWS: every run that
/// reads AWS asks it first (where its resources live). The body is the example of the AWS STS
/// API Reference (GetCallerIdentity, "Examples"), in the query protocol's XML; the SDK asks
/// with a form body naming the action (`aws-sdk-sts`, `operation/get_caller_identity.rs`:
/// `application/x-www-form-urlencoded`).
pub fn caller_identity() -> wiremock::Mock {
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::body_string_contains(
            "Action=GetCallerIdentity",
        ))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .insert_header("content-type", "text/xml")
                .set_body_string(format!(
                    r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{EMULATOR_ACCOUNT}:user/Alice</Arn>
    <UserId>AKIAI44QH8DHBEXAMPLE</UserId>
    <Account>{EMULATOR_ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>"#
                )),
        )
}
