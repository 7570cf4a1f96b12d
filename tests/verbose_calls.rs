//! `-vv` shows each AWS call and each retry (operation, attempt, reason, delay), from the SDK's
//! own tracing, against endpoints on 127.0.0.1 that fail: a closed port and a server that
//! answers every request with a 500. Never a request body, a header or a secret.

use std::process::Command;

const SECRET: &str = "vv-consumer-secret-7f3a9c";

/// `provision diff -vv` on one connection against `endpoint`, three attempts per call.
fn diff_verbose(endpoint: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.yaml"),
        "name: sf-acme\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9vvExample\nclientSecret:\n  env: VV_SECRET\n",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    let output = command
        .current_dir(dir.path())
        .args(["diff", "acme.yaml", "-vv", "--attempt-timeout", "2s"])
        .env("VV_SECRET", SECRET)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/provision-tests/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/provision-tests/credentials",
        )
        .env("AWS_MAX_ATTEMPTS", "3")
        .output()
        .expect("run provision");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for text in [stdout.as_ref(), stderr.as_str()] {
        assert!(!text.contains(SECRET), "the secret was printed:\n{text}");
        for leak in [
            "NamePrefix",
            "X-Amz-Target",
            "authorization",
            "Authorization",
        ] {
            assert!(
                !text.contains(leak),
                "a request was printed ({leak}):\n{text}"
            );
        }
    }
    (output.status.code().unwrap_or(-1), stderr)
}

/// The lines `-vv` prints for the SDK's attempts, without the jittered delays.
fn call_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|line| {
            line.starts_with("provision: EventBridge.") || line.starts_with("provision: STS.")
        })
        .map(|line| match line.split_once("; retrying in ") {
            Some((head, delay)) => {
                assert!(
                    delay.ends_with("ms") || delay.ends_with('s'),
                    "a delay: {line}"
                );
                format!("{head}; retrying in <delay>")
            }
            None => line.to_string(),
        })
        .collect()
}

/// A refused connection cannot succeed on a retry (nothing listens there): `-vv` shows the one
/// attempt and why it was not retried, and the error names the endpoint.
#[test]
fn a_closed_port_shows_the_attempt_and_why_it_is_not_retried() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (code, stderr) = diff_verbose(&format!("http://127.0.0.1:{port}"));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        call_lines(&stderr),
        // The run's first call asks whose the credentials are (where its resources live).
        [
            "provision: STS.GetCallerIdentity: attempt 1",
            "provision: STS.GetCallerIdentity: attempt 1 failed; not retried (cannot succeed on retry)",
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("http://127.0.0.1:{port} refused the connection")),
        "{stderr}"
    );
}

#[test]
fn a_server_answering_500_shows_each_failed_attempt_retried() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        // Whose the credentials are, answered; every other call fails.
        crate::support::caller_identity()
            .with_priority(1)
            .mount(&server)
            .await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(500).set_body_string(
                r#"{"__type":"InternalException","message":"We encountered an internal error"}"#,
            ))
            .mount(&server)
            .await;
        server
    });
    let (code, stderr) = diff_verbose(&server.uri());
    assert_eq!(code, 1, "{stderr}");
    let lines = call_lines(&stderr);
    assert_eq!(
        lines[..2],
        [
            "provision: STS.GetCallerIdentity: attempt 1",
            "provision: EventBridge.ListConnections: attempt 1"
        ],
        "{stderr}"
    );
    assert!(
        lines.contains(
            &"provision: EventBridge.ListConnections: attempt 2 failed (transient error: a time-out, a failed connection or an HTTP 5xx); retrying in <delay>"
                .to_string()
        ),
        "{stderr}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some(
            "provision: EventBridge.ListConnections: giving up after 3 attempts (the most allowed; AWS_MAX_ATTEMPTS sets it)"
        ),
        "{stderr}"
    );
    let requests = runtime
        .block_on(server.received_requests())
        .unwrap_or_default();
    assert_eq!(
        requests.len(),
        4,
        "the caller's identity, then three attempts reached the server"
    );
}

#[test]
fn without_vv_no_attempt_is_shown() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.yaml"),
        "name: sf-acme\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9vvExample\nclientSecret:\n  env: VV_SECRET\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .current_dir(dir.path())
        .args(["diff", "acme.yaml", "-v"])
        .env("VV_SECRET", SECRET)
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "2")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("attempt 1"), "{stderr}");
}
