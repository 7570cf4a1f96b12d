//! A run never ends in a panic: every flag and AWS environment variable, driven with extreme
//! and malformed values, gives exit 0, 1 or 2 and a message, never Rust's 101.
//!
//! AWS is a closed local port and retries are off (`AWS_MAX_ATTEMPTS=1`, except where that
//! variable is the input), so each run ends fast.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTION: &str = "\
name: sf-extreme
salesforce:
  myDomain: acme
clientId: 3MVG9extreme
clientSecret: { env: EXTREME_SECRET }
";

const SECRET: &str = "extreme-secret-value-4a5b6c7d8e9f";

/// A loopback address with nothing listening: every AWS call is refused at once.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn run(folder: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
    // Short call limits keep the runs whose retries are not turned off (AWS_MAX_ATTEMPTS is
    // among the inputs) fast; flags given later win.
    command
        .current_dir(folder)
        .args(args)
        .args(["--attempt-timeout", "1s", "--call-timeout", "2s"])
        .stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("AWS_ENDPOINT_URL", closed_port())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", folder.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", folder.join("no-credentials"))
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("EXTREME_SECRET", SECRET);
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let output = command.output().expect("run provision");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{args:?} {env:?} took {:?}",
        started.elapsed()
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn extreme_flags_and_environment_never_panic() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("c.yaml"), CONNECTION).unwrap();
    let long = "x".repeat(10_000);
    let flags: Vec<Vec<&str>> = vec![
        vec!["--wait-timeout", "18446744073709551615"],
        vec!["--wait-timeout", "99999999999999999999h"],
        vec!["--wait-timeout", "584942417355y"],
        vec!["--wait-timeout", "0"],
        vec!["--wait-timeout", "-1s"],
        vec!["--wait-timeout", ""],
        vec!["--concurrency", "0"],
        vec!["--concurrency", "18446744073709551616"],
        vec!["--concurrency", "-3"],
        vec!["--region", ""],
        vec!["--region", &long],
        vec!["--region", "us-east-1\n"],
        vec!["--region", "../../etc"],
        vec!["--endpoint-url", ""],
        vec!["--endpoint-url", "junk"],
        vec!["--endpoint-url", "http://"],
        vec!["--endpoint-url", "http://[::1"],
        vec!["--endpoint-url", "ftp://127.0.0.1/"],
        vec!["--endpoint-url", &long],
        vec!["--profile", ""],
        vec!["--profile", "no-such-profile"],
        vec!["--output", "yaml"],
        vec!["-vvvvvvvvvvvvvvvvvvvv"],
        vec!["--no-wait", "--verify-credentials"],
    ];
    let variables: Vec<(&str, &str)> = vec![
        ("AWS_ENDPOINT_URL", ""),
        ("AWS_ENDPOINT_URL", "junk"),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", ""),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", "not a url"),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", ""),
        ("AWS_REGION", ""),
        ("AWS_REGION", "   "),
        ("AWS_REGION", &long),
        ("AWS_MAX_ATTEMPTS", "0"),
        ("AWS_MAX_ATTEMPTS", "99999999999999999999"),
        ("AWS_RETRY_MODE", "bogus"),
        ("AWS_PROFILE", "no-such-profile"),
        ("AWS_PROFILE", ""),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SESSION_TOKEN", ""),
        ("AWS_EC2_METADATA_DISABLED", "not-a-bool"),
        ("NO_COLOR", ""),
    ];
    let mut runs = 0;
    for command in ["validate", "diff", "apply"] {
        for flag in &flags {
            let mut args = vec![command, "c.yaml"];
            args.extend(flag.iter().copied());
            if command != "apply" && flag.contains(&"--no-wait") {
                continue;
            }
            let (code, stdout, stderr) = run(folder.path(), &args, &[]);
            assert!(
                [0, 1, 2].contains(&code),
                "provision {args:?} exited {code}\n{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{args:?}\n{stderr}");
            assert!(
                !stdout.contains(SECRET) && !stderr.contains(SECRET),
                "{args:?}"
            );
            runs += 1;
        }
        for variable in &variables {
            let args = [command, "c.yaml"];
            let (code, stdout, stderr) = run(folder.path(), &args, &[*variable]);
            assert!(
                [0, 1, 2].contains(&code),
                "{variable:?} provision {args:?} exited {code}\n{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{variable:?}\n{stderr}");
            assert!(
                !stdout.contains(SECRET) && !stderr.contains(SECRET),
                "{variable:?}"
            );
            runs += 1;
        }
    }
    assert!(runs > 100, "{runs} runs");
}

#[test]
fn a_huge_wait_timeout_is_refused_before_anything_is_sent() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("c.yaml"), CONNECTION).unwrap();
    let (code, _, stderr) = run(
        folder.path(),
        &["apply", "c.yaml", "--wait-timeout", "18446744073709551615"],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("longer than 24h"), "{stderr}");
}

#[test]
fn a_yaml_file_over_16_mib_is_refused_by_name_unread() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("c.yaml"), CONNECTION).unwrap();
    // A sparse file: one connection, then zeros up to a byte over the bound; nothing is
    // written to disk for the zeros, so the test stays fast.
    let big = std::fs::File::create(folder.path().join("big.yaml")).unwrap();
    std::io::Write::write_all(
        &mut &big,
        CONNECTION.replace("sf-extreme", "sf-big").as_bytes(),
    )
    .unwrap();
    big.set_len(16 * 1024 * 1024 + 1).unwrap();
    let (code, _, stderr) = run(folder.path(), &["validate", "c.yaml", "big.yaml"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("big.yaml: cannot read this file: it is larger than 16 MiB, the most provision reads of it"),
        "{stderr}"
    );
}

#[test]
fn an_empty_endpoint_variable_is_unset_and_a_bad_endpoint_is_named() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("c.yaml"), CONNECTION).unwrap();
    let (code, _, stderr) = run(
        folder.path(),
        &["diff", "c.yaml", "--endpoint-url", "junk"],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--endpoint-url `junk` cannot be used: it is not a URL"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("SdkBody") && !stderr.contains("Request"),
        "{stderr}"
    );
    let (code, _, stderr) = run(
        folder.path(),
        &["diff", "c.yaml"],
        &[("AWS_ENDPOINT_URL_EVENTBRIDGE", "")],
    );
    // Empty is unset: the run goes on to the (closed) AWS_ENDPOINT_URL and fails there.
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("AWS_ENDPOINT_URL_EVENTBRIDGE"), "{stderr}");
}

#[test]
fn no_credentials_says_so_and_where_the_sdk_looked() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("c.yaml"), CONNECTION).unwrap();
    let (code, _, stderr) = run(
        folder.path(),
        &["diff", "c.yaml"],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no AWS credentials were found"), "{stderr}");
    for place in [
        "environment",
        "profile",
        "SSO",
        "container",
        "instance role",
    ] {
        assert!(stderr.contains(place), "{place}: {stderr}");
    }
    assert!(!stderr.contains("IMDS"), "{stderr}");
}
