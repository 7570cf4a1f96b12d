//! Reading back what `diff --output json` printed, for `report merge`: a leg of a CI fan-out
//! hands its report to the job that merges them, as a file.
//!
//! A report is checked against the published schema of its version ([`super::output_schema`],
//! by the same independent validator the tests use) before anything of it is read, so a file
//! another tool or another version wrote is refused whole, saying what it is. Its text is
//! outside text: every string of it that the views print as plain text is escaped
//! ([`crate::outside::escape`]) as it is read, the others are [`Outside`] already.

use super::json::FORMAT_VERSION;
use crate::outside::{Outside, escape};
use crate::place::Place;
use crate::plan::{Entry, LeftOut, Orphan, Plan, PlanStep, SecretStatus, TargetName, UnreadPlace};
use serde::Deserialize;
use serde_json::Value;

/// What one report file holds.
#[derive(Debug)]
pub(crate) enum Report {
    /// The plan a `diff` printed.
    Plan(Plan),
    /// The error document of a run that ended before it had a plan.
    Failed {
        error: Outside,
        help: Option<Outside>,
    },
}

/// The report in `text`, or what is wrong with it (the caller names the file).
pub(crate) fn read(text: &str) -> Result<Report, String> {
    let document: Value = serde_json::from_str(text).map_err(|error| {
        format!("not a report of `provision diff --output json`: it is not JSON ({error})")
    })?;
    let version = document.get("version").and_then(Value::as_u64);
    let Some(version) = version else {
        return Err(
            "not a report of `provision diff --output json`: it has no `version`".to_string(),
        );
    };
    if version != u64::from(FORMAT_VERSION) {
        return Err(format!(
            "a report in JSON output version {version}; this provision reads version {FORMAT_VERSION}: merge it with the provision that wrote it"
        ));
    }
    let command = document.get("command").and_then(Value::as_str);
    match command {
        Some("diff") => {
            check("plan", &document)?;
            let read: PlanReport = serde_json::from_value(document)
                .map_err(|error| format!("a `diff` report that cannot be read: {error}"))?;
            Ok(Report::Plan(read.into_plan()))
        }
        None if document.get("error").is_some() => {
            check("error", &document)?;
            let read: ErrorReport = serde_json::from_value(document)
                .map_err(|error| format!("an error report that cannot be read: {error}"))?;
            Ok(Report::Failed {
                error: read.error,
                help: read.help,
            })
        }
        Some("apply") => Err(
            "an `apply` report: report merge reads the plans of `diff --output json`; an apply's results are read on their own (its exit code says whether it failed)".to_string(),
        ),
        Some(other) => Err(format!(
            "a report of `provision {}`: report merge reads the plans of `diff --output json`",
            escape(other)
        )),
        None => Err(
            "not a report of `provision diff --output json`: it names no `command`".to_string(),
        ),
    }
}

/// Refuses `document` unless it matches the published schema of `name`, naming the first
/// mismatches (they quote the file: the caller shows them as outside text).
fn check(name: &str, document: &Value) -> Result<(), String> {
    let schema = super::output_schema::schema(name)
        .ok_or_else(|| format!("no published schema `{name}`"))?;
    let validator = jsonschema::draft202012::new(&schema)
        .map_err(|error| format!("the schema `{name}` does not compile: {error}"))?;
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(3)
        .map(|error| format!("{error} at `{}`", error.instance_path()))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "does not match the published schema of a version {FORMAT_VERSION} `{name}` document (`provision schema --output-document {name}`): {}",
        errors.join("; ")
    ))
}

/// `diff --output json`, as far as a merge reads it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanReport {
    regions: Vec<String>,
    summary: SummaryReport,
    connections: Vec<ConnectionReport>,
    #[serde(default)]
    pruned_api_destinations: Vec<Entry>,
    #[serde(default)]
    pruned_rules: Vec<Entry>,
    /// The declared API destinations nothing routes events to (absent when none).
    #[serde(default)]
    unrouted: Vec<crate::place::Address>,
    left_out: Vec<LeftOut>,
    /// The places the run could not read (absent when none).
    #[serde(default)]
    unread_places: Vec<UnreadPlace>,
    orphans: Vec<Orphan>,
    project_file: Option<String>,
}

#[derive(Deserialize)]
struct SummaryReport {
    /// Each target's counts and Regions (absent without targets).
    #[serde(default)]
    targets: Vec<TargetReport>,
}

#[derive(Deserialize)]
struct TargetReport {
    #[serde(flatten)]
    target: TargetName,
    regions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionReport {
    #[serde(flatten)]
    entry: Entry,
    #[serde(default)]
    api_destinations: Vec<DestinationReport>,
}

/// An API destination's entry with the rules first declared under it.
#[derive(Deserialize)]
struct DestinationReport {
    #[serde(flatten)]
    entry: Entry,
    #[serde(default)]
    rules: Vec<Entry>,
}

#[derive(Deserialize)]
struct ErrorReport {
    error: Outside,
    help: Option<Outside>,
}

impl PlanReport {
    fn into_plan(self) -> Plan {
        let mut steps = Vec::new();
        for connection in self.connections {
            let parent = connection.entry.address.clone();
            steps.push(PlanStep::recorded(clean_entry(connection.entry), None));
            for destination in connection.api_destinations {
                let destination_address = destination.entry.address.clone();
                let parent = Some(clean_place_of(parent.clone()));
                steps.push(PlanStep::recorded(clean_entry(destination.entry), parent));
                for rule in destination.rules {
                    let parent = Some(clean_place_of(destination_address.clone()));
                    steps.push(PlanStep::recorded(clean_entry(rule), parent));
                }
            }
        }
        for pruned in self
            .pruned_api_destinations
            .into_iter()
            .chain(self.pruned_rules)
        {
            steps.push(PlanStep::recorded(clean_entry(pruned), None));
        }
        let targets: Vec<TargetName> = (self.summary.targets.iter())
            .map(|target| TargetName {
                name: clean(&target.target.name),
                account: clean(&target.target.account),
            })
            .collect();
        let places = places(&self.regions, &self.summary.targets, &steps, &self.orphans);
        Plan {
            places,
            left_out: (self.left_out.into_iter())
                .map(|left| LeftOut {
                    name: clean(&left.name),
                    place: clean_place(&left.place),
                    reason: clean(&left.reason),
                })
                .collect(),
            orphans: (self.orphans.into_iter())
                .map(|mut orphan| {
                    orphan.address.place = clean_place(&orphan.address.place);
                    orphan
                })
                .collect(),
            steps,
            unrouted: self.unrouted.into_iter().map(clean_place_of).collect(),
            unread: (self.unread_places.into_iter())
                .map(|mut unread| {
                    unread.place = clean_place(&unread.place);
                    unread
                })
                .collect(),
            project_file: self.project_file.as_deref().map(clean),
            targets,
            failed_runs: Vec::new(),
        }
    }
}

/// The places a report covers. With targets, each target's account in each of its Regions, as
/// its summary says; without, the one account of the run (a run without targets reads one), as
/// its resources name it, in each Region (unnamed when the report has no resource: it counts
/// nothing there, so nothing can be counted twice).
fn places(
    regions: &[String],
    targets: &[TargetReport],
    steps: &[PlanStep],
    orphans: &[Orphan],
) -> Vec<Place> {
    if !targets.is_empty() {
        return targets
            .iter()
            .flat_map(|target| {
                let account = clean(&target.target.account);
                (target.regions.iter())
                    .map(move |region| Place::new(account.clone(), clean(region)))
            })
            .collect();
    }
    let seen = (steps.iter().map(|step| &step.entry().address.place))
        .chain(orphans.iter().map(|orphan| &orphan.address.place));
    let account = seen
        .map(|place| place.account.clone())
        .next()
        .unwrap_or_default();
    regions
        .iter()
        .map(|region| Place::new(clean(&account), clean(region)))
        .collect()
}

fn clean(text: &str) -> String {
    escape(text).into_owned()
}

fn clean_place(place: &Place) -> Place {
    Place::new(clean(&place.account), clean(&place.region))
}

fn clean_place_of(mut address: crate::place::Address) -> crate::place::Address {
    address.name = clean(&address.name);
    address.place = clean_place(&address.place);
    address
}

/// The entry with every plain string of it escaped (its `Outside` fields are escaped when shown).
fn clean_entry(mut entry: Entry) -> Entry {
    entry.address = clean_place_of(entry.address);
    entry.note = entry.note.as_deref().map(clean);
    if let Some(health) = &mut entry.health {
        health.hint = health.hint.as_deref().map(clean);
    }
    if let SecretStatus::Changed { fields } = &mut entry.secret {
        *fields = fields.iter().map(|field| clean(field)).collect();
    }
    entry
}
