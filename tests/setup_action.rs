//! The setup action's two scripts (`scripts/setup-action-resolve.sh`, then
//! `scripts/setup-action-install.sh`), run as the runner runs them: the action checked out under
//! `_actions/OWNER/NAME/REF`, the inputs in the environment, the step outputs in
//! `$GITHUB_OUTPUT`, and the release served from a local folder (or, for a download that hangs,
//! from a loopback port that never answers). Its inputs are hostile text: whatever they hold,
//! nothing reaches the step outputs or the CI log but what was checked, and the bytes installed
//! are the ones the action's own commit names.

use crate::time_limits::silent_endpoint;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TARGET: &str = "x86_64-unknown-linux-musl";
const ARCHIVE: &str = "provision-v9.9.9-x86_64-unknown-linux-musl.tar.gz";

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// A script run: exit code, its standard output (where workflow commands are read), its
/// standard error, the step outputs it wrote and how long it took.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    log: String,
    stderr: String,
    outputs: Option<String>,
    took: Duration,
}

/// A runner with the action checked out as `acme/provision` (its Cargo.toml at `version`), a
/// release of 9.9.9 in a local folder, and a tool cache.
struct Runner {
    root: tempfile::TempDir,
}

impl Runner {
    fn new(version: &str) -> Runner {
        let root = tempfile::tempdir().unwrap();
        let runner = Runner { root };
        std::fs::create_dir_all(runner.action().join("checksums")).unwrap();
        std::fs::write(
            runner.action().join("Cargo.toml"),
            format!("[package]\nname = \"provision\"\nversion = \"{version}\"\n"),
        )
        .unwrap();
        std::fs::create_dir_all(runner.release()).unwrap();
        runner.publish("#!/bin/sh\necho provision 9.9.9\n");
        runner
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    fn action(&self) -> PathBuf {
        self.path("_actions/acme/provision/0123456789abcdef0123456789abcdef01234567")
    }

    fn release(&self) -> PathBuf {
        self.path("release")
    }

    fn cache(&self) -> PathBuf {
        self.path("toolcache/provision/9.9.9").join(TARGET)
    }

    /// Puts an archive holding `binary` on the release, with a SHA256SUMS that matches it (what
    /// whoever controls the release can always do), and returns the archive's SHA-256.
    fn publish(&self, binary: &str) -> String {
        let staging = self.path("staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("provision"), binary).unwrap();
        let packed = Command::new("tar")
            .arg("-czf")
            .arg(self.release().join(ARCHIVE))
            .arg("-C")
            .arg(&staging)
            .arg("provision")
            .status()
            .unwrap();
        assert!(packed.success());
        let sums = Command::new("sha256sum")
            .arg(ARCHIVE)
            .current_dir(self.release())
            .output()
            .unwrap();
        assert!(sums.status.success());
        std::fs::write(self.release().join("SHA256SUMS"), &sums.stdout).unwrap();
        String::from_utf8(sums.stdout).unwrap()[..64].to_string()
    }

    /// Commits the release's current SHA256SUMS into the action as `checksums/v9.9.9.sha256`,
    /// as the release workflow does.
    fn commit_checksums(&self) {
        std::fs::copy(
            self.release().join("SHA256SUMS"),
            self.action().join("checksums/v9.9.9.sha256"),
        )
        .unwrap();
    }

    fn run(&self, script_name: &str, env: &[(&str, &str)]) -> Ran {
        let output_file = self.path("github_output");
        let _ = std::fs::remove_file(&output_file);
        let started = Instant::now();
        // `timeout` ends a script that would wait forever (the old install step did).
        let run = Command::new("timeout")
            .args(["--kill-after=5", "60", "bash"])
            .arg(script(script_name))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("GITHUB_ACTION_PATH", self.action())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", self.path("github_path"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Ran {
            code: run.status.code(),
            log: String::from_utf8_lossy(&run.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
            outputs: std::fs::read_to_string(&output_file).ok(),
            took: started.elapsed(),
        }
    }

    fn resolve(&self, version: &str, repository: &str) -> Ran {
        self.resolve_on("Linux", "X64", version, repository)
    }

    fn resolve_on(&self, os: &str, arch: &str, version: &str, repository: &str) -> Ran {
        self.run(
            "setup-action-resolve.sh",
            &[
                ("INPUT_VERSION", version),
                ("INPUT_REPOSITORY", repository),
                ("RUNNER_OS_NAME", os),
                ("RUNNER_ARCH_NAME", arch),
                ("TOOL_CACHE", self.path("toolcache").to_str().unwrap()),
            ],
        )
    }

    /// Step 1 for 9.9.9 on Linux X64, then step 3 with its outputs (as action.yml passes them),
    /// downloading from `release_url` (the local release folder unless given).
    fn install_from(&self, release_url: Option<&str>, extra: &[(&str, &str)]) -> Ran {
        let resolved = self.resolve("9.9.9", "");
        assert_eq!(resolved.code, Some(0), "{resolved:?}");
        let outputs = resolved.outputs.unwrap();
        let output = |name: &str| {
            outputs
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("no output {name}: {outputs}"))
                .to_string()
        };
        let local = format!("file://{}", self.release().display());
        let url = release_url.unwrap_or(&local);
        let protocol = url.split_once(':').unwrap().0;
        let _ = std::fs::remove_file(self.path("github_path"));
        let mut env = vec![
            ("PROVISION_VERSION", output("version")),
            ("PROVISION_TARGET", output("target")),
            ("PROVISION_REPOSITORY", output("repository")),
            ("PROVISION_SHA256", output("sha256")),
            ("PROVISION_DIR", output("dir")),
            ("PROVISION_RELEASE_URL", url.to_string()),
            ("PROVISION_PROTOCOLS", protocol.to_string()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.run("setup-action-install.sh", &env)
    }

    fn install(&self) -> Ran {
        self.install_from(None, &[])
    }

    /// What the install step put on PATH.
    fn github_path(&self) -> String {
        std::fs::read_to_string(self.path("github_path")).unwrap_or_default()
    }
}

/// Step 1 as the runner runs it: the version from the action's own Cargo.toml, the target of
/// the runner, the repository from where the runner checked the action out, and the archive's
/// SHA-256 from the checksums the action's commit holds.
#[test]
fn the_setup_action_resolves_its_own_release_for_the_runner() {
    let runner = Runner::new("9.9.9");
    std::fs::write(
        runner.action().join("checksums/v9.9.9.sha256"),
        format!(
            "{}  provision-v9.9.9-aarch64-unknown-linux-musl.tar.gz\n{}  provision-v9.9.9-x86_64-apple-darwin.tar.gz\n",
            "a".repeat(64),
            "b".repeat(64)
        ),
    )
    .unwrap();
    let tool_cache = runner.path("toolcache");
    let ran = runner.resolve_on("Linux", "ARM64", "", "");
    assert_eq!(ran.code, Some(0), "{ran:?}");
    assert_eq!(
        ran.outputs.unwrap(),
        format!(
            "version=9.9.9\ntarget=aarch64-unknown-linux-musl\nrepository=acme/provision\nsha256={}\ndir={}/provision/9.9.9/aarch64-unknown-linux-musl\n",
            "a".repeat(64),
            tool_cache.display()
        )
    );
    assert_eq!(ran.log, "");

    let ran = runner.resolve_on("macOS", "X64", "v9.9.9", "other/provision");
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let outputs = ran.outputs.unwrap();
    assert!(
        outputs
            .starts_with("version=9.9.9\ntarget=x86_64-apple-darwin\nrepository=other/provision\n"),
        "{outputs}"
    );

    let ran = runner.resolve_on("Windows", "X64", "", "");
    assert_eq!((ran.code, ran.outputs), (Some(1), None));
    assert_eq!(
        ran.log,
        "::error title=provision setup::no provision release for Windows/X64; releases exist for Linux and macOS on X64 and ARM64\n"
    );
}

/// `latest` is the newest release (no pre-release) whose checksums the action's commit holds:
/// nothing is looked up on the network, so it too is pinned by the commit.
#[test]
fn latest_is_the_newest_release_the_action_commit_holds_checksums_for() {
    let runner = Runner::new("0.0.1");
    let ran = runner.resolve("latest", "");
    assert_eq!((ran.code, ran.outputs), (Some(1), None));
    assert!(ran.log.contains("holds none"), "{}", ran.log);

    for version in ["9.9.9", "10.0.0-rc.1", "9.10.0", "0.99.99"] {
        std::fs::write(
            runner.action().join(format!("checksums/v{version}.sha256")),
            format!("{}  provision-v{version}-{TARGET}.tar.gz\n", "c".repeat(64)),
        )
        .unwrap();
    }
    let ran = runner.resolve("latest", "");
    assert_eq!(ran.code, Some(0), "{ran:?}");
    assert!(
        ran.outputs.unwrap().starts_with("version=9.10.0\n"),
        "9.10.0 is newer than 9.9.9 (numbers, not text) and 10.0.0-rc.1 is a pre-release"
    );
}

/// A line break anywhere in an input used to pass when one of its lines matched, and then wrote
/// the other lines as step outputs of their own; `..` in the repository redirected the
/// download. Each input is checked whole: refused, and no output is written.
#[test]
fn a_multi_line_or_dotted_input_is_refused_whole_and_writes_no_output() {
    let runner = Runner::new("9.9.9");
    runner.commit_checksums();
    for version in [
        "9.9.9\nrepository=evil/provision",
        "9.9.9\ndir=/usr/local/bin",
        "9.9.9\n",
        "\n9.9.9",
        "9.9.9\r",
        "latest\n",
        "v9.9.9 ",
        "9.9.9-rc..1",
        "9.9.9/../../8.8.8",
        "vv9.9.9",
    ] {
        let ran = runner.resolve(version, "acme/provision");
        assert_eq!(ran.code, Some(1), "{version:?}: {ran:?}");
        assert_eq!(ran.outputs, None, "{version:?} wrote outputs");
    }
    for repository in [
        "acme/provision\nversion=6.6.6",
        "acme/provision\n",
        "../..",
        "acme/..",
        "acme/.",
        "acme/...",
        "../provision",
        "acme/provision/../../evil/x",
        "acme//provision",
        "-acme/provision",
        "acme/pro vision",
        "acme/provision%0Aversion=6.6.6",
    ] {
        let ran = runner.resolve("9.9.9", repository);
        assert_eq!(ran.code, Some(1), "{repository:?}: {ran:?}");
        assert_eq!(ran.outputs, None, "{repository:?} wrote outputs");
    }
    // What GitHub allows still passes.
    for repository in ["acme/provision", "a-c-m-e/.github", "A1/x_y.z-w"] {
        let ran = runner.resolve("9.9.9", repository);
        assert_eq!(ran.code, Some(0), "{repository:?}: {ran:?}");
    }
}

/// The refusal used to echo the input, so an input holding `::add-mask::` or
/// `::stop-commands::` on a line of its own became a workflow command in the CI log. Now the
/// log is one error line that says what is wrong and never repeats the input.
#[test]
fn a_refused_input_is_never_echoed_so_it_cannot_be_a_workflow_command() {
    let runner = Runner::new("9.9.9");
    runner.commit_checksums();
    let cases = [
        (
            "version",
            "x\n::add-mask::9.9.9",
            "the version input has a line break",
        ),
        (
            "version",
            "::stop-commands::pwned",
            "the version input has a character or a form that is not allowed",
        ),
        (
            "version",
            "9.9.9\u{1b}]8;;https://evil/\u{7}",
            "the version input has a control character",
        ),
        (
            "repository",
            "acme/x\n::add-mask::acme",
            "the repository input has a line break",
        ),
        (
            "repository",
            "::warning::pwned/x",
            "the repository input has a character or a form that is not allowed",
        ),
    ];
    for (input, value, problem) in cases {
        let ran = match input {
            "version" => runner.resolve(value, ""),
            _ => runner.resolve("", value),
        };
        assert_eq!(ran.code, Some(1), "{value:?}: {ran:?}");
        let hint = match input {
            "version" => {
                "give latest, or a release such as 0.1.0 or v0.1.0 (or leave it out for the action's own release)"
            }
            _ => "give OWNER/NAME as GitHub spells it, e.g. repository: OWNER/provision",
        };
        assert_eq!(
            ran.log,
            format!("::error title=provision setup::{problem}; {hint}\n"),
            "{value:?}"
        );
        assert_eq!(ran.stderr, "", "{value:?}");
    }
}

/// Pinning the action's commit pins the binary: the SHA-256 comes from the action's own
/// `checksums/`, so a release whose archive and SHA256SUMS were both replaced installs
/// nothing, and a version the commit holds no checksums for is refused with the fix.
#[test]
fn the_bytes_installed_are_the_ones_the_action_commit_names() {
    let runner = Runner::new("9.9.9");
    let ran = runner.resolve("", "");
    assert_eq!((ran.code, ran.outputs), (Some(1), None));
    assert_eq!(
        ran.log,
        "::error title=provision setup::this action commit holds no checksums for provision v9.9.9 (checksums/v9.9.9.sha256), so it cannot tell the release's archive from a replaced one; pin the action to the commit its release names (tag action/v9.9.9), or ask for a version it holds (version: latest)\n"
    );

    runner.commit_checksums();
    let ran = runner.install();
    assert_eq!(ran.code, Some(0), "{ran:?}");
    assert!(ran.log.ends_with("provision 9.9.9\n"), "{}", ran.log);
    assert_eq!(
        runner.github_path(),
        format!("{}\n", runner.cache().join("bin").display())
    );

    // The release's archive and SHA256SUMS replaced, the cache gone: nothing is installed.
    std::fs::remove_dir_all(runner.cache()).unwrap();
    let replaced = runner.publish("#!/bin/sh\necho provision 9.9.9, replaced\n");
    let pinned = std::fs::read_to_string(runner.action().join("checksums/v9.9.9.sha256")).unwrap();
    let ran = runner.install();
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(
        ran.log.ends_with(&format!(
            "::error title=provision setup::{ARCHIVE} from release v9.9.9 does not match the checksum this action commit holds for it (checksums/v9.9.9.sha256: expected {}, got {replaced}): the release asset was replaced or damaged. It was removed, nothing was installed\n",
            &pinned[..64]
        )),
        "{}",
        ran.log
    );
    assert_eq!(runner.github_path(), "", "nothing put on PATH");
    assert!(!runner.cache().join("archive").join(ARCHIVE).exists());
}

/// A cache entry that does not match used to fail every later run (the cache restores it each
/// time): now it is discarded and the archive downloaded again.
#[test]
fn a_corrupted_cached_archive_is_discarded_and_downloaded_again() {
    let runner = Runner::new("9.9.9");
    runner.commit_checksums();
    let ran = runner.install();
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let cached = runner.cache().join("archive").join(ARCHIVE);
    let good = std::fs::read(&cached).unwrap();

    let mut bytes = good.clone();
    bytes.extend_from_slice(b"corrupted");
    std::fs::write(&cached, bytes).unwrap();
    let ran = runner.install();
    assert_eq!(ran.code, Some(0), "{ran:?}");
    assert!(
        ran.log.starts_with(&format!(
            "::warning title=provision setup::the cached {ARCHIVE} does not match the checksum this action commit holds for it (got "
        )),
        "{}",
        ran.log
    );
    assert!(
        ran.log
            .contains("it was discarded and is downloaded again\nDownloading file://"),
        "{}",
        ran.log
    );
    assert!(ran.log.ends_with("provision 9.9.9\n"), "{}", ran.log);
    assert_eq!(
        std::fs::read(&cached).unwrap(),
        good,
        "the cache holds the good archive again"
    );

    // A cached archive that matches is used as it is: nothing is downloaded.
    let ran = runner.install();
    assert_eq!(ran.code, Some(0), "{ran:?}");
    assert!(!ran.log.contains("Downloading"), "{}", ran.log);
}

/// A download used to have no time limit: a release server that accepts the connection and
/// never answers held the job until GitHub's six-hour limit. Each attempt is now bounded, and
/// the error says so.
#[test]
fn a_download_that_hangs_ends_within_its_time_limit_and_says_so() {
    let runner = Runner::new("9.9.9");
    runner.commit_checksums();
    let (endpoint, _server) = silent_endpoint();
    let ran = runner.install_from(
        Some(&endpoint),
        &[
            ("PROVISION_CONNECT_SECONDS", "1"),
            ("PROVISION_DOWNLOAD_SECONDS", "2"),
        ],
    );
    assert_eq!(ran.code, Some(1), "{ran:?}");
    assert!(
        ran.log.ends_with(&format!(
            "::error title=provision setup::downloading {ARCHIVE} did not finish within 2 seconds (a connection within 1), in 3 attempts; nothing was installed. Check that the runner reaches github.com, then re-run the job\n"
        )),
        "{}",
        ran.log
    );
    // 3 attempts of 2 seconds and 2 pauses of 2 seconds: well within 30.
    assert!(ran.took < Duration::from_secs(30), "took {:?}", ran.took);
    assert_eq!(runner.github_path(), "");
    assert!(!runner.cache().join("archive").join(ARCHIVE).exists());
}
