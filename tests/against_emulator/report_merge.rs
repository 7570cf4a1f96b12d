//! `report merge` of a fan-out's legs says what one run over every place says: the same
//! entries, orphans and counts, nothing left out that a leg covered, the same exit code. The
//! legs here are one per Region (`--region`), the mechanics of a leg per target.

use crate::support::World;
use serde_json::Value;

const SECRET: &str = "merge-consumer-secret-5d3e1f07";

/// Two Regions: a connection in both, one in each, an API destination, drift in us-east-1
/// (an applied connection changed since), an in-sync one and an orphan.
fn world() -> World {
    let mut world = World::new();
    world.secret_env("MERGE_SECRET", SECRET);
    world.write(
        "connections/both.yaml",
        "name: sf-both\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9both\nclientSecret: { env: MERGE_SECRET }\nregions: [us-east-1, eu-west-1]\n",
    );
    world.write(
        "connections/east.yaml",
        "name: sf-east\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9east\nclientSecret: { env: MERGE_SECRET }\nregions: [us-east-1]\ndestinations:\n  - name: east-orders\n    event: Order_Placed__e\n",
    );
    world.write(
        "connections/old.yaml",
        "name: sf-old\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9old\nclientSecret: { env: MERGE_SECRET }\nregions: [us-east-1]\n",
    );
    world
        .provision(&["apply", "connections/", "--region", "us-east-1"])
        .expect(0);
    world.remove("connections/old.yaml");
    world.write(
        "connections/east.yaml",
        "name: sf-east\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9east-changed\nclientSecret: { env: MERGE_SECRET }\nregions: [us-east-1]\ndestinations:\n  - name: east-orders\n    event: Order_Placed__e\n",
    );
    world.write(
        "connections/west.yaml",
        "name: sf-west\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9west\nclientSecret: { env: MERGE_SECRET }\nregions: [eu-west-1]\n",
    );
    world
}

/// Each of `key`'s items, sorted: the merge lists the legs in the order given, one run its
/// places in its own order.
fn sorted(document: &Value, key: &str) -> Vec<String> {
    let mut items: Vec<String> = document[key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(Value::to_string)
        .collect();
    items.sort();
    items
}

/// The merged report says what the one run said: the same counts, and the same entries, orphans
/// and left-out connections (in the legs' order rather than the run's).
#[track_caller]
fn assert_same_report(merged: &Value, whole: &Value) {
    for key in ["summary", "apiDestinationSummary", "differences"] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    for key in ["connections", "orphans", "leftOut"] {
        assert_eq!(sorted(merged, key), sorted(whole, key), "{key}");
    }
}

#[test]
fn merging_one_report_per_region_says_what_one_run_over_both_says() {
    let world = world();
    let whole = world.provision(&["diff", "connections/", "--output", "json"]);
    whole.expect(2);
    let whole = whole.json();
    let mut legs = Vec::new();
    for region in ["us-east-1", "eu-west-1"] {
        let leg = world.provision(&[
            "diff",
            "connections/",
            "--region",
            region,
            "--output",
            "json",
        ]);
        leg.expect(2);
        // Each leg leaves the other Region's two connections out.
        assert_eq!(leg.json()["leftOut"].as_array().unwrap().len(), 2);
        let file = format!("{region}.json");
        world.write(&file, &leg.stdout);
        legs.push(file);
    }
    let merged = world.provision(&["report", "merge", &legs[0], &legs[1], "--output", "json"]);
    merged.expect(2);
    let merged = merged.json();
    assert_same_report(&merged, &whole);
    assert_eq!(merged["projectFile"], whole["projectFile"]);
    assert_eq!(
        merged["leftOut"],
        Value::Array(Vec::new()),
        "a leg covered it"
    );
    assert_eq!(sorted(&merged, "regions"), sorted(&whole, "regions"));
    assert_eq!(whole["summary"]["update"], 1, "{whole:#}");

    // The text counts are the one run's too.
    let plan_line = |text: &str| {
        text.lines()
            .find(|line| line.starts_with("Plan:"))
            .map(str::to_string)
    };
    let whole_text = world.provision(&["diff", "connections/"]);
    let merged_text = world.provision(&["report", "merge", &legs[0], &legs[1]]);
    merged_text.expect(2);
    assert_eq!(
        plan_line(&merged_text.stdout),
        plan_line(&whole_text.stdout),
        "{}",
        merged_text.stdout
    );
    assert!(
        !merged_text.stdout.contains("Left out"),
        "{}",
        merged_text.stdout
    );

    // The same leg twice would count its place twice.
    let twice = world.provision(&["report", "merge", &legs[0], &legs[0]]);
    twice.expect(1);
    assert_eq!(twice.stdout, "");
    assert!(
        twice
            .stderr
            .contains("us-east-1.json and us-east-1.json both cover account"),
        "{}",
        twice.stderr
    );
}

/// With a target in the project file (the emulator's one account: a run reaches no other
/// without the role it would assume), the legs are `--target prod --region R`: the merge says
/// what one run over the target says, each line naming `prod (account) Region`, and the JSON
/// counts the target apart, adding up to the run's.
#[test]
fn merging_the_legs_of_a_target_says_what_one_run_over_it_says() {
    let world = world();
    world.write(
        "provision.yaml",
        &format!(
            "targets:\n  - name: prod\n    account: \"{}\"\n    regions: [us-east-1, eu-west-1]\n",
            crate::support::EMULATOR_ACCOUNT
        ),
    );
    for file in ["both", "east", "west"] {
        let path = world.path(&format!("connections/{file}.yaml"));
        let yaml = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{yaml}targets: [prod]\n")).unwrap();
    }
    let whole = world.provision(&["diff", "connections/", "--output", "json"]);
    whole.expect(2);
    let whole = whole.json();
    let targets = whole["summary"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1, "{whole:#}");
    assert_eq!(targets[0]["target"], "prod");
    for count in ["create", "update", "inSync", "delete", "error"] {
        assert_eq!(targets[0][count], whole["summary"][count], "{count}");
    }
    let mut legs = Vec::new();
    for region in ["us-east-1", "eu-west-1"] {
        let args = [
            "diff",
            "connections/",
            "--target",
            "prod",
            "--region",
            region,
            "--output",
            "json",
        ];
        let leg = world.provision(&args);
        leg.expect(2);
        let file = format!("prod-{region}.json");
        world.write(&file, &leg.stdout);
        legs.push(file);
    }
    let merged = world.provision(&["report", "merge", &legs[0], &legs[1], "--output", "json"]);
    merged.expect(2);
    let merged = merged.json();
    // The counts, each target's part (its Regions gathered from the legs) included.
    assert_same_report(&merged, &whole);
    assert!(
        merged["connections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["target"] == "prod"),
        "{merged:#}"
    );
    let text = world.provision(&["report", "merge", &legs[0], &legs[1]]);
    let account = crate::support::EMULATOR_ACCOUNT;
    assert!(
        text.stdout
            .contains(&format!("sf-east  prod ({account}) us-east-1")),
        "{}",
        text.stdout
    );
}

/// Three targets in three accounts (the emulator serves one account per assumed role), two
/// Regions each: `report merge` of one `--target` leg per target says what one run over all of
/// them says, and each target's counts add up to the run's.
#[test]
fn merging_one_leg_per_account_says_what_one_run_over_every_account_says() {
    let mut world = World::new();
    world.secret_env("MERGE_SECRET", SECRET);
    let targets = [
        ("prod", "111111111111"),
        ("staging", "222222222222"),
        ("dev", "333333333333"),
    ];
    let mut project = String::from("set: payments\ntargets:\n");
    for (name, account) in targets {
        project.push_str(&format!(
            "  - name: {name}\n    account: \"{account}\"\n    role: arn:aws:iam::{account}:role/provision\n    regions: [us-east-1, eu-west-1]\n"
        ));
    }
    world.write("provision.yaml", &project);
    let declare = |name: &str, client_id: &str, targets: &str| {
        world.write(
            &format!("connections/{name}.yaml"),
            &format!(
                "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: {client_id}\nclientSecret: {{ env: MERGE_SECRET }}\ntargets: [{targets}]\n"
            ),
        );
    };
    declare("sf-everywhere", "3MVG9every", "prod, staging, dev");
    declare("sf-prod-only", "3MVG9prod", "prod");
    world
        .provision(&["apply", "--yes", "--target", "prod"])
        .expect(0);
    // Drift in prod (a changed client id), a new one for staging and dev.
    declare("sf-prod-only", "3MVG9prod-changed", "prod");
    declare("sf-staging-dev", "3MVG9sd", "staging, dev");

    let whole = world.provision(&["diff", "--output", "json"]);
    whole.expect(2);
    let whole = whole.json();
    let per_target = whole["summary"]["targets"].as_array().unwrap();
    assert_eq!(per_target.len(), 3, "{whole:#}");
    for count in ["create", "update", "inSync", "delete", "error"] {
        let sum: u64 = per_target.iter().map(|t| t[count].as_u64().unwrap()).sum();
        assert_eq!(sum, whole["summary"][count].as_u64().unwrap(), "{count}");
    }
    let mut legs = Vec::new();
    for (name, _) in targets {
        let leg = world.provision(&["diff", "--target", name, "--output", "json"]);
        leg.expect(2);
        let file = format!("{name}.json");
        world.write(&file, &leg.stdout);
        legs.push(file);
    }
    let mut args = vec!["report", "merge"];
    args.extend(legs.iter().map(String::as_str));
    args.extend(["--output", "json"]);
    let merged = world.provision(&args);
    merged.expect(2);
    let merged = merged.json();
    assert_same_report(&merged, &whole);
    assert_eq!(
        whole["summary"]["update"], 2,
        "sf-prod-only in both Regions: {whole:#}"
    );
}
