//! `scripts/demo.sh` with `PROVISION` naming an already-built binary: the whole demo runs on
//! that binary, and cargo is never started (a `cargo` that fails comes first on PATH).

use std::path::Path;
use std::process::Command;

fn demo(provision: &str, path_dir: &Path) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = format!(
        "{}:{}",
        path_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(root.join("scripts/demo.sh"))
        .env("PROVISION", provision)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run scripts/demo.sh");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A folder with a `cargo` that fails, so a demo that builds fails.
fn no_cargo() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let cargo = dir.path().join("cargo");
    std::fs::write(&cargo, "#!/bin/sh\necho \"cargo ran: $*\" >&2\nexit 97\n").expect("cargo");
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

#[test]
fn the_demo_runs_on_the_binary_provision_names_without_building() {
    let path = no_cargo();
    let (code, stdout, stderr) = demo(env!("CARGO_BIN_EXE_provision"), path.path());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!stderr.contains("cargo ran"), "{stderr}");
    assert!(
        stdout.contains(&format!(
            "== using {} (PROVISION): no build",
            env!("CARGO_BIN_EXE_provision")
        )),
        "{stdout}"
    );
    assert!(stdout.contains("== provision verify"), "{stdout}");
}

#[test]
fn a_provision_that_is_no_executable_stops_the_demo_before_anything_starts() {
    let path = no_cargo();
    let (code, stdout, stderr) = demo("target/no-such/provision", path.path());
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "PROVISION=target/no-such/provision is not an executable file; build one (cargo build) or \
         unset PROVISION\n"
    );
}
