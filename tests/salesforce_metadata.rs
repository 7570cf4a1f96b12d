//! `provision salesforce-metadata`: the generated Salesforce DX projects are pinned byte for byte
//! against committed files (`tests/fixtures/salesforce-metadata/expected/`, one production and
//! one sandbox org), every XML file is read by a real XML parser, no key or secret is ever in
//! them, and two runs write the same bytes.
//!
//! After an intended change, rewrite the expected files with `PROVISION_BLESS=1` and review
//! the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/salesforce-metadata")
}

/// Every file under `root`, by path relative to it.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

/// Runs the command on the fixture documents into `out`.
fn generate_into(out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_provision"))
        .current_dir(fixtures())
        .args(["salesforce-metadata", "connections/", "--out"])
        .arg(out)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

/// Runs the command on the fixture documents into a fresh folder; returns the folder.
fn generate() -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let output = generate_into(out.path());
    assert!(
        output.status.success(),
        "exit {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (out, String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn the_generated_projects_match_the_committed_files() {
    let (out, stdout) = generate();
    let generated = tree(out.path());
    let expected_root = fixtures().join("expected");
    if std::env::var_os("PROVISION_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&expected_root);
        for (relative, bytes) in &generated {
            let path = expected_root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    let expected = tree(&expected_root);
    assert_eq!(
        generated.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (relative, bytes) in &generated {
        assert_eq!(
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&expected[relative]),
            "{relative}"
        );
    }
    // One project per org: production and sandbox; the document without an app adds nothing.
    let orgs: Vec<&str> = generated
        .keys()
        .map(|p| p.split('/').next().unwrap())
        .collect();
    assert!(
        orgs.iter().all(|org| ["acme", "acme--uat"].contains(org)),
        "{orgs:?}"
    );
    assert!(
        stdout.contains("sf project deploy start --manifest manifest/package.xml"),
        "{stdout}"
    );
    // The org and user permissions the deployment needs, named after every write.
    assert!(
        stdout.ends_with("Deploying needs, in the target org:\n  - External Client Apps enabled (Setup > External Client App Settings)\n  - for extlClntAppOauthSettings/ and extlClntAppGlobalOauthSets/: the user permission \"View External Client Apps Consumer Secrets in Metadata\" (in older releases, the org setting \"Allow Access to OAuth Consumer Secrets via Metadata API\")\n  - for extlClntAppOauthPolicies/ and extlClntAppPolicies/: the user permission \"View all External Client Apps, view their settings, and edit their policies\"\n"),
        "{stdout}"
    );
}

/// The Metadata API type each folder holds.
fn type_of(folder: &str) -> &'static str {
    match folder {
        "externalClientApps" => "ExternalClientApplication",
        "extlClntAppOauthSettings" => "ExtlClntAppOauthSettings",
        "extlClntAppGlobalOauthSets" => "ExtlClntAppGlobalOauthSettings",
        "extlClntAppOauthPolicies" => "ExtlClntAppOauthConfigurablePolicies",
        "extlClntAppPolicies" => "ExtlClntAppConfigurablePolicies",
        other => panic!("unexpected folder {other}"),
    }
}

#[test]
fn every_file_parses_and_holds_no_key_or_secret() {
    let (out, _) = generate();
    let files = tree(out.path());
    let mut xml_files = 0;
    for (relative, bytes) in &files {
        let text = std::str::from_utf8(bytes).unwrap();
        if relative.ends_with("sfdx-project.json") {
            let project: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(project["sourceApiVersion"], "64.0", "{relative}");
            assert_eq!(project["packageDirectories"][0]["path"], "force-app");
            continue;
        }
        let document = roxmltree::Document::parse(text)
            .unwrap_or_else(|e| panic!("{relative} is not well-formed XML: {e}"));
        xml_files += 1;
        let root = document.root_element();
        assert_eq!(root.tag_name().namespace(), Some(NAMESPACE), "{relative}");
        for node in document.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                ![
                    "consumerKey",
                    "consumerSecret",
                    "oauthLink",
                    "orgScopedExternalApp"
                ]
                .contains(&name),
                "{relative} has <{name}>"
            );
        }
        let child = |name: &str| {
            root.children()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        if relative.ends_with("manifest/package.xml") {
            assert_eq!(root.tag_name().name(), "Package");
            assert_eq!(child("version").as_deref(), Some("64.0"));
            continue;
        }
        // <org>/force-app/main/default/<folder>/<name>.<suffix>-meta.xml
        let parts: Vec<&str> = relative.split('/').collect();
        assert_eq!(parts[1..4], ["force-app", "main", "default"], "{relative}");
        assert_eq!(root.tag_name().name(), type_of(parts[4]), "{relative}");
        let app = parts[5].split('.').next().unwrap();
        if parts[4] != "externalClientApps" {
            assert_eq!(
                child("externalClientApplication").as_deref(),
                Some(app),
                "{relative}"
            );
        }
        match parts[4] {
            "extlClntAppGlobalOauthSets" => {
                assert_eq!(
                    child("isClientCredentialsFlowEnabled").as_deref(),
                    Some("true")
                );
                assert_eq!(child("isConsumerSecretOptional").as_deref(), Some("false"));
                assert_eq!(
                    child("isSecretRequiredForRefreshToken").as_deref(),
                    Some("true")
                );
            }
            "extlClntAppOauthPolicies" => {
                assert_eq!(
                    child("isClientCredentialsFlowEnabled").as_deref(),
                    Some("true")
                );
                assert!(child("clientCredentialsFlowUser").is_some(), "{relative}");
            }
            "extlClntAppPolicies" => {
                assert_eq!(child("isEnabled").as_deref(), Some("true"));
                assert_eq!(child("isOauthPluginEnabled").as_deref(), Some("true"));
            }
            _ => {}
        }
    }
    // Three apps, five components each, and one manifest per org.
    assert_eq!(xml_files, 3 * 5 + 2);
    // The escaped label reads back as written.
    let orders = &files["acme/force-app/main/default/externalClientApps/Orders_EU.eca-meta.xml"];
    let document = roxmltree::Document::parse(std::str::from_utf8(orders).unwrap()).unwrap();
    let label = document
        .descendants()
        .find(|n| n.tag_name().name() == "label")
        .and_then(|n| n.text());
    assert_eq!(label, Some("Orders <EU> & \"returns\""));
}

#[test]
fn two_runs_write_the_same_bytes() {
    let (first, first_stdout) = generate();
    let (second, second_stdout) = generate();
    assert_eq!(tree(first.path()), tree(second.path()));
    let normalise = |text: &str, dir: &Path| text.replace(&dir.display().to_string(), "OUT");
    assert_eq!(
        normalise(&first_stdout, first.path()),
        normalise(&second_stdout, second.path())
    );
}

/// A symbolic link planted inside the output folder (committed to the repository CI checks
/// out) sends no write outside it: a link where a file goes is replaced by the file, a link
/// where a folder goes is refused by name, and the target of either is left untouched.
#[test]
fn links_planted_in_the_output_folder_are_never_written_through() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.json");
    std::fs::write(&victim, "untouched").unwrap();

    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("acme")).unwrap();
    symlink(&victim, out.path().join("acme/sfdx-project.json")).unwrap();
    let output = generate_into(out.path());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let written = out.path().join("acme/sfdx-project.json");
    assert!(!std::fs::symlink_metadata(&written).unwrap().is_symlink());
    assert_eq!(
        std::fs::read(&written).unwrap(),
        std::fs::read(fixtures().join("expected/acme/sfdx-project.json")).unwrap()
    );

    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("acme")).unwrap();
    symlink(outside.path(), out.path().join("acme/force-app")).unwrap();
    let output = generate_into(out.path());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{} is a symbolic link; provision writes nothing through a link (remove it)",
            out.path().join("acme/force-app").display()
        )),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["victim.json"],
        "nothing was written through the link"
    );
}
