//! One HTTP/TLS stack in the build: the AWS SDK's HTTPS client and the Salesforce client
//! (reqwest) share one hyper, one rustls, one h2 and one crypto provider. The SDK crates'
//! default features bring a second, legacy stack (hyper 0.14 with rustls 0.21 and ring) that
//! costs every build from source; these tests fail when a dependency change brings it back,
//! and check that the SDK's client, built without it, still speaks TLS to an https endpoint.
//! (The token request's TLS is checked against the local org: `against_emulator::verify`.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The crates of the HTTP/TLS stack that must be there once: a second version of any is a
/// second stack compiled beside the first.
const ONE_VERSION_EACH: [&str; 6] = [
    "hyper",
    "h2",
    "rustls",
    "hyper-rustls",
    "tokio-rustls",
    "rustls-webpki",
];

/// `(name, version)` of every package of the lock file.
fn locked_packages() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    let text = std::fs::read_to_string(&path).expect("read Cargo.lock");
    text.split("[[package]]")
        .skip(1)
        .map(|entry| {
            let field = |key: &str| {
                entry
                    .lines()
                    .find_map(|line| line.strip_prefix(&format!("{key} = \"")))
                    .and_then(|rest| rest.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("a package without {key}:\n{entry}"))
                    .to_string()
            };
            (field("name"), field("version"))
        })
        .collect()
}

fn versions_of(packages: &[(String, String)], name: &str) -> Vec<String> {
    packages
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, version)| version.clone())
        .collect()
}

#[test]
fn the_lock_file_holds_one_hyper_one_rustls_and_one_h2() {
    let packages = locked_packages();
    let doubled: Vec<String> = ONE_VERSION_EACH
        .iter()
        .filter_map(|name| {
            let versions = versions_of(&packages, name);
            (versions.len() > 1).then(|| format!("{name} {}", versions.join(" and ")))
        })
        .collect();
    assert!(
        doubled.is_empty(),
        "Cargo.lock holds two HTTP/TLS stacks: {}. `cargo tree -i <name>@<version>` shows who \
         pulls the older one (an AWS SDK crate with its default features brings the legacy \
         connector: give it `default-features = false`, as Cargo.toml says)",
        doubled.join("; ")
    );
    assert_eq!(versions_of(&packages, "hyper").len(), 1, "hyper is locked");
    assert_eq!(
        versions_of(&packages, "rustls").len(),
        1,
        "rustls is locked"
    );
}

#[test]
fn the_legacy_connector_is_not_locked() {
    let packages = locked_packages();
    let legacy: Vec<String> = packages
        .iter()
        .filter(|(name, version)| {
            (name == "hyper" && version.starts_with("0."))
                || (name == "rustls" && !version.starts_with("0.23."))
                || (name == "h2" && version.starts_with("0.3."))
        })
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    assert!(
        legacy.is_empty(),
        "Cargo.lock pulls the AWS SDK's legacy connector again: {}",
        legacy.join(", ")
    );
}

/// What `cargo tree` prints of the crates of this build (host target, normal, build and dev
/// dependencies) that depend on `name`; empty when `name` is not built.
fn built_dependents(name: &str) -> String {
    let output = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "--edges",
            "normal,build,dev",
        ])
        .args(["--invert", name, "--prefix", "none"])
        .output()
        .expect("run cargo tree");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("did not match any packages") {
        // Not even in the lock file.
        return String::new();
    }
    assert!(output.status.success(), "cargo tree -i {name}: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// rustls's providers are separate C libraries, each a long build: the SDK's client uses
/// aws-lc-rs, and reqwest is given the same one (`salesforce::http`), so ring is not built.
/// (Cargo.lock may still list ring: a lock file names optional dependencies that no build
/// compiles, so the build graph is asked.)
#[test]
fn one_crypto_provider_is_built() {
    assert!(
        built_dependents("aws-lc-rs").contains("rustls v0.23"),
        "rustls uses aws-lc-rs"
    );
    let ring = built_dependents("ring");
    assert!(
        ring.trim().is_empty(),
        "ring is built beside aws-lc-rs, by:\n{ring}"
    );
}

/// A loopback server that speaks plain HTTP: it keeps the first bytes each connection sends,
/// answers `400 Bad Request` and closes.
fn plain_http_server() -> (u16, std::sync::mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut first = [0u8; 5];
            let read = stream.read(&mut first).unwrap_or(0);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
            if sent.send(first[..read].to_vec()).is_err() {
                return;
            }
        }
    });
    (port, received)
}

/// `provision diff` with AWS at `https://127.0.0.1:<port>` of a server that does not speak TLS:
/// the SDK's client opens with a TLS handshake (a ClientHello record: content type 22, version
/// 3.x), the handshake fails, and the run ends with an error (exit 1), not a panic and not a
/// plain-HTTP request.
#[test]
fn the_sdk_client_opens_https_endpoints_with_a_tls_handshake() {
    let (port, received) = plain_http_server();
    let folder = tempfile::tempdir().unwrap();
    let ran = crate::time_limits::provision(
        folder.path(),
        &format!("https://127.0.0.1:{port}"),
        &["diff", "c.yaml", "--call-timeout", "20s"],
        &[("AWS_MAX_ATTEMPTS", "1")],
    );
    let stderr = ran.stderr;
    assert_eq!(ran.code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&format!("could not reach https://127.0.0.1:{port}")),
        "{stderr}"
    );
    let first = received
        .recv_timeout(Duration::from_secs(5))
        .expect("the SDK connected");
    assert_eq!(
        first.get(..2),
        Some(&[0x16, 0x03][..]),
        "the SDK's first bytes are not a TLS handshake record: {first:?}\n{stderr}"
    );
}
