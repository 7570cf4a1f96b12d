//! Tests of the engine through mocked AWS clients, and properties of the loader.
//!
//! `mocked`: SDK-level mock tests for what the local emulator (moto) cannot show: connection
//! states and their transitions, pagination, throttling, access denied to the managed secret,
//! partial failures, duplicates, fields that did not take, and that no secret value ever leaks.
//! Every response is built with the SDK's own types or as the HTTP error AWS sends, shaped after
//! the real-AWS recordings in `tests/fixtures/aws-recorded/` (an OAuth connection is created
//! `AUTHORIZING`; `DescribeConnection` never returns the client secret; the managed secret is
//! `{"client_id","client_secret","authorization_endpoint","http_method"}`; a missing connection
//! is `ResourceNotFoundException` with AWS's message). The clients are built from the same
//! configuration functions the binary ships.
//!
//! `emulated_rules`: the rule edge and its engine against the local emulator (scripts/moto_server.py
//! from `.venv`, as the emulator tests use), below the commands that will read and apply rules.
//!
//! `never_panics`: the loader and validator never panic, whatever the files hold.
//!
//! [`specs`]: the documents of one YAML file, for the unit tests that start from YAML.

mod mocked {
    pub(crate) mod support;

    mod apply;
    mod destinations;
    mod iam;
    mod isolation;
    mod leaks;
    mod pagination;
    mod rules;
    mod secrets;
    mod states;
    mod throttling;
}
mod emulated_rules;
mod never_panics;

/// The account unit tests place their resources in.
pub(crate) const ACCOUNT: &str = "123456789012";

/// A place of the tests' account, in `region`.
pub(crate) fn place(region: &str) -> crate::place::Place {
    crate::place::Place::new(ACCOUNT, region)
}

/// The plan entry of a resource of `kind` at `place`, with nothing to show but its action.
pub(crate) fn entry(
    kind: crate::plan::ResourceKind,
    name: &str,
    place: &crate::place::Place,
    action: crate::plan::Action,
) -> crate::plan::Entry {
    crate::plan::Entry {
        address: crate::place::Address::new(kind, name, place.clone()),
        action,
        changes: Vec::new(),
        secret: crate::plan::SecretStatus::NotApplicable,
        health: None,
        error: None,
        problems: Vec::new(),
        note: None,
    }
}

/// A target of a project file: `name` in `account`, in `regions`, with no role.
pub(crate) fn target(name: &str, account: &str, regions: &[&str]) -> crate::project::Target {
    crate::project::Target {
        name: name.into(),
        account: account.into(),
        role: None,
        read_role: None,
        external_id: None,
        regions: regions.iter().map(|r| r.to_string()).collect(),
    }
}

/// The documents of a file holding `yaml`, loaded as a run loads them.
pub(crate) fn specs(yaml: &str) -> Vec<crate::manifest::ConnectionSpec> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), yaml).unwrap();
    crate::manifest::load::load(&[dir.path().to_path_buf()]).unwrap()
}
