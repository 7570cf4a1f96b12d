//! Targets of the project file against the emulator (moto, whose credentials are account
//! 123456789012): `--target` narrows a run to the credentials' account and names what it
//! leaves out in the other target's account; without it, a target in another account that
//! names no role is not opened (named, with the fix) and the others are read.

use crate::support::World;

const SECRET: &str = "targets-consumer-secret-3c4d5e6f";

const PROJECT: &str = "\
set: payments
targets:
  - name: local
    account: \"123456789012\"
    regions: [us-east-1, eu-west-1]
  - name: other
    account: \"222222222222\"
    regions: [us-east-1]
";

fn declare(world: &mut World, name: &str, placement: &str) {
    world.secret_env("TARGETS_SECRET", SECRET);
    world.write(
        &format!("connections/{name}.yaml"),
        &format!(
            "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9targets\nclientSecret: {{ env: TARGETS_SECRET }}\n{placement}"
        ),
    );
}

#[test]
fn target_narrows_a_run_to_its_account_and_names_what_it_leaves_out() {
    let mut world = World::new();
    world.write("provision.yaml", PROJECT);
    declare(
        &mut world,
        "sf-a",
        "targets: [local]\nregions: [us-east-1]\n",
    );
    declare(&mut world, "sf-b", "targets: [local, other]\n");

    // Every target: `other` is not the credentials' account and names no role, so it is not
    // opened (named, with the fix) while `local` is read all the same.
    let refused = world.provision(&["diff", "connections/"]);
    refused.expect(1);
    assert!(
        refused.stderr.contains("cannot work in target `other`: it is account 222222222222, but the AWS credentials are of account 123456789012 and the target names no `role:`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stdout.contains("add `role: arn:aws:iam::222222222222:role/<name>` to the target in the project file, or run with credentials of account 222222222222"),
        "{}",
        refused.stdout
    );
    assert!(
        refused.stdout.contains("+ create   sf-a"),
        "local's places are planned: {}",
        refused.stdout
    );
    // --target local: the run covers local's places and names sf-b in other's as left out.
    let applied = world.provision(&[
        "apply",
        "connections/",
        "--target",
        "local",
        "--output",
        "json",
    ]);
    applied.expect(0);
    let json = applied.json();
    assert_eq!(
        json["leftOut"],
        serde_json::json!([{
            "name": "sf-b",
            "account": "222222222222",
            "region": "us-east-1",
            "reason": "other is not among the --target flags",
        }])
    );
    assert_eq!(
        json["regions"],
        serde_json::json!(["us-east-1", "eu-west-1"])
    );
    assert_eq!(world.connection_names("us-east-1"), ["sf-a", "sf-b"]);
    assert_eq!(world.connection_names("eu-west-1"), ["sf-b"]);
    // In sync afterwards, leaving out the same.
    let diff = world.provision(&["diff", "connections/", "--target", "local"]);
    diff.expect(0);
    assert!(
        diff.stdout.contains("sf-b")
            && diff
                .stdout
                .contains("other is not among the --target flags"),
        "{}",
        diff.stdout
    );

    // Prune: the targets' Regions are pinned by the files, so --prune works; removing sf-a's
    // document deletes it from local's us-east-1, and sf-b stays.
    std::fs::remove_file(world.path("connections/sf-a.yaml")).expect("remove");
    world
        .provision(&[
            "apply",
            "connections/",
            "--target",
            "local",
            "--prune",
            "--yes",
        ])
        .expect(0);
    assert_eq!(world.connection_names("us-east-1"), ["sf-b"]);
    assert_eq!(world.connection_names("eu-west-1"), ["sf-b"]);
}
