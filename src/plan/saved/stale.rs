//! Is a saved plan still current? A pure comparison of the saved document with the one made
//! from a fresh reading of AWS and the files (with the saved salt), naming every difference.
//!
//! "Unrelated" resources are those neither plan holds: connections and API destinations no
//! file of the run declares and that are not this set's to prune. They may change freely; a
//! resource the plan touches or merely checks (even one planned as in sync) may not.

use super::{
    Assumed, AssumedConnection, AssumedDestination, FileDigest, SavedPlan, SavedStep,
    SecretSourceRecord,
};
use crate::outside::Outside;
use crate::place::Place;
use crate::plan::Entry;
use std::collections::BTreeMap;

/// Every way `fresh` differs from `saved`, as sentences; empty when the plan is current.
pub(crate) fn differences(saved: &SavedPlan, fresh: &SavedPlan) -> Vec<String> {
    let mut out = Vec::new();
    let (saved_accounts, saved_regions) = accounts_and_regions(&saved.places);
    let (fresh_accounts, fresh_regions) = accounts_and_regions(&fresh.places);
    if saved_accounts != fresh_accounts {
        out.push(format!(
            "the AWS account is {}, the plan was made in {}",
            list(&fresh_accounts),
            list(&saved_accounts)
        ));
    }
    if saved_regions != fresh_regions {
        out.push(format!(
            "the run covers the Regions {}, the plan covered {}",
            list(&fresh_regions),
            list(&saved_regions)
        ));
    }
    if saved.set != fresh.set {
        out.push(format!(
            "the ownership set is `{}`, the plan was made for `{}`",
            fresh.set, saved.set
        ));
    }
    let flag_names = |f: &super::Flags| {
        [
            ("--strict", f.strict),
            ("--adopt", f.adopt),
            ("--prune", f.prune),
            ("--replace", f.replace),
            ("--force", f.force),
        ]
    };
    for ((name, planned), (_, now)) in flag_names(&saved.flags)
        .into_iter()
        .zip(flag_names(&fresh.flags))
    {
        if planned != now {
            out.push(if planned {
                format!("the plan was made with {name}, this run is without it")
            } else {
                format!("this run has {name}, the plan was made without it")
            });
        }
    }
    files(&saved.files, &fresh.files, &mut out);
    secrets(&saved.secrets.sources, &fresh.secrets.sources, &mut out);
    roots(&saved.steps, &fresh.steps, &mut out);
    let steps = Steps {
        saved: &saved.steps,
        fresh: &fresh.steps,
    };
    children(
        "to prune",
        &detached(&saved.steps),
        &detached(&fresh.steps),
        steps,
        &mut out,
    );
    out
}

/// Both plans' whole lists of steps, where the children of a step are found.
#[derive(Clone, Copy)]
struct Steps<'a> {
    saved: &'a [SavedStep],
    fresh: &'a [SavedStep],
}

/// The steps that are no other's child and of a kind declared on its own (the connections),
/// in plan order.
fn top(steps: &[SavedStep]) -> Vec<&SavedStep> {
    steps
        .iter()
        .filter(|s| s.parent.is_none() && s.entry.address.kind.declared_on().is_none())
        .collect()
}

/// The steps declared on `parent`, in plan order.
fn children_of<'a>(steps: &'a [SavedStep], parent: &SavedStep) -> Vec<&'a SavedStep> {
    steps
        .iter()
        .filter(|s| s.parent.as_ref() == Some(&parent.entry.address))
        .collect()
}

/// Undeclared resources of a kind declared on another, to prune.
fn detached(steps: &[SavedStep]) -> Vec<&SavedStep> {
    steps
        .iter()
        .filter(|s| s.parent.is_none() && s.entry.address.kind.declared_on().is_some())
        .collect()
}

/// The accounts (each once) and the Regions of `places`, in their order.
fn accounts_and_regions(places: &[Place]) -> (Vec<String>, Vec<String>) {
    let mut accounts: Vec<String> = Vec::new();
    for place in places {
        if !accounts.contains(&place.account) {
            accounts.push(place.account.clone());
        }
    }
    let regions = places.iter().map(|place| place.region.clone()).collect();
    (accounts, regions)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn files(saved: &[FileDigest], fresh: &[FileDigest], out: &mut Vec<String>) {
    let fresh_by: BTreeMap<&str, &str> = fresh
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    let saved_by: BTreeMap<&str, &str> = saved
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    for (path, digest) in &saved_by {
        match fresh_by.get(path) {
            None => out.push(format!("{path} declared connections when planned and no longer does (removed, or not among the paths)")),
            Some(now) if now != digest => out.push(format!("{path} was edited since the plan")),
            Some(_) => {}
        }
    }
    for path in fresh_by.keys().filter(|p| !saved_by.contains_key(*p)) {
        out.push(format!(
            "{path} declares connections now and did not when planned"
        ));
    }
}

fn secrets(saved: &[SecretSourceRecord], fresh: &[SecretSourceRecord], out: &mut Vec<String>) {
    for record in saved {
        match fresh.iter().find(|f| f.source == record.source) {
            None => out.push(format!(
                "the plan read the secret from {}, this run does not",
                record.source.describe()
            )),
            Some(now) if now.proof != record.proof => out.push(format!(
                "the secret from {} changed since the plan (another value would be sent than the one planned with)",
                record.source.describe()
            )),
            Some(_) => {}
        }
    }
    for record in fresh
        .iter()
        .filter(|f| !saved.iter().any(|s| s.source == f.source))
    {
        out.push(format!(
            "this run reads a secret from {}, the plan did not",
            record.source.describe()
        ));
    }
}

/// How a resource is named in messages.
fn named(entry: &Entry) -> String {
    let (kind, _) = entry.address.kind.nouns();
    format!(
        "{kind} {} ({})",
        entry.address.name, entry.address.place.region
    )
}

/// A resource is the same in both plans when its address is.
type Key<'a> = &'a crate::place::Address;

fn key(entry: &Entry) -> Key<'_> {
    &entry.address
}

fn roots(saved_steps: &[SavedStep], fresh_steps: &[SavedStep], out: &mut Vec<String>) {
    let (saved, fresh) = (top(saved_steps), top(fresh_steps));
    let fresh_by: BTreeMap<Key<'_>, &SavedStep> =
        fresh.iter().map(|c| (key(&c.entry), *c)).collect();
    let saved_keys: Vec<Key<'_>> = saved.iter().map(|c| key(&c.entry)).collect();
    for planned in &saved {
        let Some(now) = fresh_by.get(&key(&planned.entry)) else {
            out.push(format!(
                "{} is no longer in the plan (it is no longer declared, or no longer this set's to prune)",
                named(&planned.entry)
            ));
            continue;
        };
        let name = named(&planned.entry);
        entry(&name, &planned.entry, &now.entry, out);
        assumed(&name, planned.assumed.as_ref(), now.assumed.as_ref(), out);
        children(
            &format!("on {name}"),
            &children_of(saved_steps, planned),
            &children_of(fresh_steps, now),
            Steps {
                saved: saved_steps,
                fresh: fresh_steps,
            },
            out,
        );
    }
    for now in fresh
        .iter()
        .filter(|c| !saved_keys.contains(&key(&c.entry)))
    {
        out.push(format!(
            "{} is in the plan now and was not (newly declared, or newly this set's to prune)",
            named(&now.entry)
        ));
    }
    let fresh_keys: Vec<Key<'_>> = fresh.iter().map(|c| key(&c.entry)).collect();
    let saved_order: Vec<Key<'_>> = saved_keys
        .iter()
        .copied()
        .filter(|k| fresh_keys.contains(k))
        .collect();
    let fresh_order: Vec<Key<'_>> = fresh_keys
        .iter()
        .copied()
        .filter(|k| saved_keys.contains(k))
        .collect();
    if saved_order != fresh_order {
        out.push("the connections are planned in another order".to_string());
    }
}

/// The steps declared on one step (or detached, `place` "to prune"), each compared with its
/// own children in turn (a rule under its API destination under its connection).
fn children(
    place: &str,
    saved: &[&SavedStep],
    fresh: &[&SavedStep],
    steps: Steps<'_>,
    out: &mut Vec<String>,
) {
    for planned in saved {
        let name = named(&planned.entry);
        match fresh.iter().find(|d| key(&d.entry) == key(&planned.entry)) {
            None => out.push(format!("{name} ({place}) is no longer in the plan")),
            Some(now) => {
                entry(&name, &planned.entry, &now.entry, out);
                assumed(&name, planned.assumed.as_ref(), now.assumed.as_ref(), out);
                children(
                    &format!("on {name}"),
                    &children_of(steps.saved, planned),
                    &children_of(steps.fresh, now),
                    steps,
                    out,
                );
            }
        }
    }
    for now in fresh
        .iter()
        .filter(|d| !saved.iter().any(|s| key(&s.entry) == key(&d.entry)))
    {
        out.push(format!(
            "{} ({place}) is in the plan now and was not",
            named(&now.entry)
        ));
    }
}

/// What users read of one resource: the action, each changed field, the secret check, the
/// health and the notes.
fn entry(name: &str, planned: &Entry, now: &Entry, out: &mut Vec<String>) {
    if planned == now {
        return;
    }
    if planned.action != now.action {
        out.push(format!(
            "{name}: the plan was `{}`, now it is `{}`",
            planned.action.label(),
            now.action.label()
        ));
    }
    if planned.changes != now.changes {
        type Values<'a> = (&'a Option<Outside>, &'a Option<Outside>);
        fn by_field(e: &Entry) -> BTreeMap<&str, Values<'_>> {
            e.changes
                .iter()
                .map(|c| (c.field.as_str(), (&c.before, &c.after)))
                .collect()
        }
        let (planned_by, now_by) = (by_field(planned), by_field(now));
        let differing: std::collections::BTreeSet<&str> = planned_by
            .keys()
            .chain(now_by.keys())
            .copied()
            .filter(|field| planned_by.get(field) != now_by.get(field))
            .collect();
        out.push(if differing.is_empty() {
            format!("{name}: its field changes are planned in another order")
        } else {
            format!(
                "{name}: the change planned for {} is not the one it would be now",
                differing.into_iter().collect::<Vec<_>>().join(", ")
            )
        });
    }
    if planned.secret != now.secret {
        out.push(format!(
            "{name}: the check of the connection's managed secret says something else now (planned: {}; now: {})",
            secret_status(&planned.secret),
            secret_status(&now.secret)
        ));
    }
    if planned.health != now.health {
        out.push(format!("{name}: its health changed since the plan"));
    }
    if planned.note != now.note || planned.error != now.error {
        out.push(format!(
            "{name}: what the plan says of it changed (now: {})",
            now.error
                .as_ref()
                .map(Outside::to_string)
                .or(now.note.clone())
                .unwrap_or_else(|| "nothing".to_string())
        ));
    }
}

fn secret_status(status: &crate::plan::SecretStatus) -> String {
    use crate::plan::SecretStatus;
    match status {
        SecretStatus::InSync => "in sync".to_string(),
        SecretStatus::Changed { fields } => format!("changed in {}", fields.join(", ")),
        SecretStatus::Unverifiable { .. } => "unverifiable".to_string(),
        SecretStatus::NotApplicable => "nothing to compare".to_string(),
    }
}

/// What AWS had of one resource, against what it has now.
fn assumed(name: &str, planned: Option<&Assumed>, now: Option<&Assumed>, out: &mut Vec<String>) {
    if appeared_or_vanished(name, planned.is_some(), now.is_some(), out) {
        return;
    }
    match (planned, now) {
        (Some(Assumed::Connection(planned)), Some(Assumed::Connection(now))) => {
            assumed_connection(name, planned, now, out);
        }
        (Some(Assumed::ApiDestination(planned)), Some(Assumed::ApiDestination(now))) => {
            assumed_destination(name, planned, now, out);
        }
        // The same address is of the same kind: nothing else to compare.
        _ => {}
    }
}

fn appeared_or_vanished(name: &str, planned: bool, now: bool, out: &mut Vec<String>) -> bool {
    match (planned, now) {
        (false, true) => out.push(format!("{name} appeared in AWS since the plan")),
        (true, false) => out.push(format!("{name} was deleted from AWS since the plan")),
        _ => return false,
    }
    true
}

fn assumed_connection(
    name: &str,
    planned: &AssumedConnection,
    now: &AssumedConnection,
    out: &mut Vec<String>,
) {
    let AssumedConnection {
        arn,
        state,
        state_reason,
        last_modified_time,
        fields,
    } = planned;
    if *arn != now.arn {
        out.push(format!(
            "{name}: its ARN changed since the plan (deleted and created again)"
        ));
    }
    if *state != now.state || *state_reason != now.state_reason {
        out.push(format!(
            "{name}: its state is {}, the plan assumed {state}",
            now.state
        ));
    }
    if *last_modified_time != now.last_modified_time {
        out.push(format!(
            "{name}: it was modified in AWS at {}, after the plan (which saw {})",
            now.last_modified_time
                .as_deref()
                .unwrap_or("an unknown time"),
            last_modified_time.as_deref().unwrap_or("no time")
        ));
    }
    let changed: Vec<&str> = fields
        .keys()
        .chain(now.fields.keys())
        .filter(|field| fields.get(*field) != now.fields.get(*field))
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !changed.is_empty() {
        out.push(format!(
            "{name}: changed in AWS since the plan: {}",
            changed.join(", ")
        ));
    }
}

fn assumed_destination(
    name: &str,
    planned: &AssumedDestination,
    now: &AssumedDestination,
    out: &mut Vec<String>,
) {
    let AssumedDestination {
        arn,
        state,
        description,
        connection_arn,
        endpoint,
        http_method,
        rate_limit_per_second,
    } = planned;
    let mut changed = Vec::new();
    for (field, differs) in [
        ("arn", *arn != now.arn),
        ("state", *state != now.state),
        ("description", *description != now.description),
        ("connectionArn", *connection_arn != now.connection_arn),
        ("endpoint", *endpoint != now.endpoint),
        ("httpMethod", *http_method != now.http_method),
        (
            "rateLimitPerSecond",
            *rate_limit_per_second != now.rate_limit_per_second,
        ),
    ] {
        if differs {
            changed.push(field);
        }
    }
    if !changed.is_empty() {
        out.push(format!(
            "{name}: changed in AWS since the plan: {}",
            changed.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests;
