//! The human view of a plan and of an apply, drawn from the same model as the JSON.
//!
//! Colour is used only when asked for (a terminal without `NO_COLOR`); the words carry the
//! meaning on their own, so the output reads the same in a CI log.

use super::{View, WINDOW_NOTE, error_lines, place_label};
use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::outside::Outside;
use crate::plan::credentials_report::CredentialsReport;
use crate::plan::rotation_report::{RotationEnd, RotationReport};
use crate::plan::verify_report::{Verified, VerifyReport};
use crate::plan::{
    Action, ApplyResult, Entry, FieldChange, Outcome, Plan, PlanStep, ResourceKind, SecretStatus,
    apply_summary,
};
use std::fmt::Write;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) colour: bool,
}

/// The human view. `quiet` (`-q`) prints errors only.
pub(crate) struct TextView {
    pub(crate) style: Style,
    pub(crate) quiet: bool,
}

impl View for TextView {
    fn validated(
        &self,
        specs: &[ConnectionSpec],
        _: Option<&std::path::Path>,
        places: &[super::DocumentPlace],
    ) -> String {
        if self.quiet {
            return String::new();
        }
        let noun = if specs.len() == 1 {
            "connection"
        } else {
            "connections"
        };
        let mut out = format!("{} {noun} valid.\n", specs.len());
        // One line per document and target: `sf-acme  prod (111111111111): eu-west-1, us-east-1`.
        let width = places.iter().map(|p| p.connection.len()).max().unwrap_or(0);
        let mut lines: Vec<(&str, &str, &str, Vec<&str>)> = Vec::new();
        for place in places {
            match lines.last_mut() {
                Some((connection, target, _, regions))
                    if *connection == place.connection && *target == place.target =>
                {
                    regions.push(&place.region);
                }
                _ => lines.push((
                    &place.connection,
                    &place.target,
                    &place.account,
                    vec![&place.region],
                )),
            }
        }
        for (connection, target, account, regions) in lines {
            let _ = writeln!(
                out,
                "  {connection:<width$}  {target} ({account}): {}",
                regions.join(", ")
            );
        }
        out
    }

    fn targets(&self, places: &[super::TargetPlace]) -> String {
        if self.quiet {
            return String::new();
        }
        if places.is_empty() {
            return "No document is placed in a target of this run.\n".to_string();
        }
        let width = places
            .iter()
            .map(|p| p.target.len())
            .max()
            .unwrap_or(0)
            .max("TARGET".len());
        let mut out = format!("{:<width$}  {:<12}  REGION\n", "TARGET", "ACCOUNT");
        for place in places {
            let _ = writeln!(
                out,
                "{:<width$}  {}  {}",
                place.target, place.account, place.region
            );
        }
        out
    }

    fn plan(&self, plan: &Plan) -> String {
        if self.quiet {
            return String::new();
        }
        render_plan(plan, self.style)
    }

    fn apply_started(&self, plan: &Plan) -> String {
        if self.quiet {
            return String::new();
        }
        format!("{}\n", render_plan(plan, self.style))
    }

    fn result(&self, plan: &Plan, result: &ApplyResult) -> String {
        if self.quiet {
            return String::new();
        }
        render_result(plan, result, name_width(plan), self.style)
    }

    fn applied(&self, _plan: &Plan, results: &[ApplyResult]) -> String {
        if self.quiet {
            return String::new();
        }
        render_summary(results, self.style)
    }

    fn version(&self, build: &super::Build) -> String {
        format!(
            "provision {} ({} {})\n",
            build.provision, build.os, build.arch
        )
    }

    fn exported(&self, files: &[super::ExportedFile]) -> String {
        let mut out = String::new();
        for file in files {
            match (&file.path, &file.skipped) {
                (Some(path), _) => {
                    let _ = writeln!(
                        out,
                        "wrote {path}  ({} in {}; set {})",
                        file.name,
                        file.place(),
                        file.variables.join(", ")
                    );
                }
                (None, Some(why)) => {
                    let _ = writeln!(out, "skipped {} in {}: {why}", file.name, file.place());
                }
                (None, None) => {}
            }
        }
        let written = files.iter().filter(|f| f.path.is_some()).count();
        let _ = writeln!(
            out,
            "Export: {written} written, {} skipped.",
            files.len() - written
        );
        out
    }

    fn verified(&self, report: &VerifyReport) -> String {
        render_verified(report, self.style)
    }

    fn credentials_written(&self, report: &CredentialsReport) -> String {
        render_credentials(report)
    }

    fn rotated(&self, report: &RotationReport) -> String {
        render_rotation(report)
    }

    fn error(&self, error: &Error) -> (String, String) {
        (String::new(), error_lines(error))
    }
}

impl Style {
    fn paint(&self, look: anstyle::Style, text: &str) -> String {
        if self.colour {
            format!("{}{text}{}", look.render(), look.render_reset())
        } else {
            text.to_string()
        }
    }
}

const GREEN: anstyle::Style = anstyle::AnsiColor::Green.on_default();
const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();
const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default();
const DIM: anstyle::Style = anstyle::Style::new().dimmed();
const BOLD: anstyle::Style = anstyle::Style::new().bold();

/// The plan as `diff` prints it.
fn render_plan(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let count = plan.roots().count();
    let noun = if count == 1 {
        "connection"
    } else {
        "connections"
    };
    let places: Vec<String> = (plan.places.iter())
        .map(|place| place_label(plan, place))
        .collect();
    let _ = writeln!(out, "{count} {noun} in {}", places.join(", "));
    let width = name_width(plan);
    let destination_width = plan
        .steps
        .iter()
        .filter(|step| step.parent.is_some() || step.is_detached())
        .map(|step| step.entry().address.name.len())
        .max()
        .unwrap_or(0);
    let mut previous_had_details = true;
    for step in plan.roots() {
        let mut block = String::new();
        render_entry(&mut block, plan, step.entry(), width, style);
        render_children(&mut block, plan, step, destination_width, style);
        let has_details = block.lines().count() > 1;
        if has_details || previous_had_details {
            out.push('\n');
        }
        out.push_str(&block);
        previous_had_details = has_details;
    }
    if !plan.orphans.is_empty() {
        let has = |kind| {
            plan.orphans
                .iter()
                .any(|orphan| orphan.address.kind == kind)
        };
        let kinds = ResourceKind::ALL
            .into_iter()
            .filter(|&kind| has(kind))
            .map(|kind| kind.nouns().1)
            .collect::<Vec<_>>()
            .join(" and ");
        let _ = writeln!(
            out,
            "\nNot declared by any file (this set's {kinds}, left alone without --prune):"
        );
        for orphan in &plan.orphans {
            // A kind declared on another is named ("API destination sf-x"); a root kind not.
            let kind = match orphan.address.kind.declared_on() {
                None => String::new(),
                Some(_) => format!("{} ", orphan.address.kind.nouns().0),
            };
            let _ = writeln!(
                out,
                "  {kind}{} in {}",
                orphan.address.name,
                place_label(plan, &orphan.address.place)
            );
        }
    }
    if !plan.unrouted.is_empty() {
        let _ = writeln!(
            out,
            "\nNothing routes events here (no rule targets these API destinations, declared or in AWS):"
        );
        for destination in &plan.unrouted {
            let _ = writeln!(
                out,
                "  API destination {} in {}",
                destination.name, destination.place.region
            );
        }
    }
    for kind in ResourceKind::ALL {
        let detached: Vec<&PlanStep> = plan
            .detached()
            .filter(|step| step.entry().address.kind == kind)
            .collect();
        if detached.is_empty() {
            continue;
        }
        let noun = kind.heading();
        let _ = writeln!(out, "\n{noun} to delete (--prune):");
        for pruned in detached {
            render_entry(&mut out, plan, pruned.entry(), 0, style);
        }
    }
    if !plan.left_out.is_empty() {
        let _ = writeln!(out, "\nLeft out of this run:");
        for left in &plan.left_out {
            let _ = writeln!(
                out,
                "  {} in {}: {}",
                left.name,
                place_label(plan, &left.place),
                left.reason
            );
        }
    }
    unread_places(&mut out, plan);
    if !plan.failed_runs.is_empty() {
        let _ = writeln!(
            out,
            "\nRuns that ended in an error (what they would have read is not in this report):"
        );
        for run in &plan.failed_runs {
            let _ = writeln!(out, "  {}: {}", run.file, run.error);
            if let Some(help) = &run.help {
                let _ = writeln!(out, "    help: {help}");
            }
        }
    }
    let s = plan.summary();
    let mut line = format!("Plan: {} to create, {} to update", s.create, s.update);
    if s.replace > 0 {
        let _ = write!(line, ", {} to replace", s.replace);
    }
    let _ = write!(line, ", {} to delete", s.delete);
    if s.not_managed > 0 {
        let _ = write!(line, ", {} not ours", s.not_managed);
    }
    if s.refused > 0 {
        let _ = write!(line, ", {} refused", s.refused);
    }
    let _ = write!(line, ", {} in sync", s.in_sync);
    if s.error > 0 {
        let _ = write!(line, ", {} failed", s.error);
    }
    line.push('.');
    for kind in ResourceKind::ALL {
        if kind.declared_on().is_none() || plan.entries_of(kind).next().is_none() {
            continue;
        }
        let d = plan.summary_of(kind);
        let noun = kind.heading();
        let _ = write!(
            line,
            " {noun}: {} to create, {} to update, {} to delete, {} in sync",
            d.create, d.update, d.delete, d.in_sync
        );
        if d.not_managed > 0 {
            let _ = write!(line, ", {} not ours", d.not_managed);
        }
        if d.error > 0 {
            let _ = write!(line, ", {} failed", d.error);
        }
        line.push('.');
    }
    let _ = writeln!(out, "\n{}", style.paint(BOLD, &line));
    out
}

/// The steps declared on `step` (API destinations on a connection, rules on an API
/// destination), each with its own, indented under it.
fn render_children(out: &mut String, plan: &Plan, step: &PlanStep, width: usize, style: Style) {
    for child in plan.children(step) {
        let mut nested = String::new();
        render_entry(&mut nested, plan, child.entry(), width, style);
        render_children(&mut nested, plan, child, width, style);
        for line in nested.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// The width of the name column: names line up across a plan and its results.
fn name_width(plan: &Plan) -> usize {
    plan.entries()
        .map(|e| e.address.name.len())
        .max()
        .unwrap_or(0)
}

fn render_entry(out: &mut String, plan: &Plan, entry: &Entry, width: usize, style: Style) {
    let (symbol, colour) = match entry.action {
        Action::Create => ("+", GREEN),
        Action::Update | Action::Adopt => ("~", YELLOW),
        Action::Replace => ("±", YELLOW),
        Action::Delete => ("-", RED),
        Action::NotManaged | Action::Refused => ("!", RED),
        Action::InSync => ("=", DIM),
        Action::Error => ("x", RED),
    };
    // A name to delete or not ours was read back from AWS's listing.
    let head = format!(
        "{symbol} {:<8} {:<width$}  {}",
        entry.action.label(),
        crate::outside::escape(&entry.address.name),
        place_label(plan, &entry.address.place)
    );
    match entry.action {
        Action::InSync => {
            let _ = writeln!(
                out,
                "{}{}",
                style.paint(colour, &head),
                style.paint(DIM, &in_sync_note(entry))
            );
            if let SecretStatus::Unverifiable { reason } = &entry.secret {
                // `reason` quotes AWS: it shows itself escaped.
                let _ = writeln!(out, "      ? client secret: unverifiable: {reason}");
            }
            return;
        }
        _ => {
            let _ = writeln!(out, "{}", style.paint(colour, &head));
        }
    }
    for change in &entry.changes {
        let _ = writeln!(out, "      {}", field_line(change));
    }
    match &entry.secret {
        SecretStatus::Changed { fields } => {
            let what = fields.join(", ");
            let _ = writeln!(
                out,
                "      ~ client secret: changed outside provision ({what}); apply re-sends the declared value"
            );
        }
        SecretStatus::Unverifiable { reason } => {
            let _ = writeln!(out, "      ? client secret: unverifiable: {reason}");
        }
        SecretStatus::InSync | SecretStatus::NotApplicable => {}
    }
    if let Some(health) = &entry.health
        && health.broken
    {
        let reason = health
            .reason
            .as_ref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let line = format!(
            "! state: {}{reason}; apply re-sends the credentials to re-authorize",
            health.state
        );
        let _ = writeln!(out, "      {}", style.paint(RED, &line));
        if let Some(hint) = &health.hint {
            let _ = writeln!(out, "        hint: {hint}");
        }
    }
    if entry.problems.is_empty()
        && let Some(error) = &entry.error
    {
        let _ = writeln!(out, "      {error}");
    }
    // Invalid input: each problem on its line, with its help (the error is their headlines).
    for problem in &entry.problems {
        let _ = writeln!(out, "      {}", problem.headline());
        if let Some(help) = &problem.help {
            let _ = writeln!(out, "        help: {help}");
        }
    }
    if let Some(note) = &entry.note {
        let _ = writeln!(out, "      note: {note}");
    }
}

fn in_sync_note(entry: &Entry) -> String {
    // An API destination and a rule have no authorization state and no client secret.
    if entry.address.kind != ResourceKind::Connection {
        return String::new();
    }
    let state = entry
        .health
        .as_ref()
        .map(|h| h.state.as_str())
        .unwrap_or("unknown state");
    let secret = match &entry.secret {
        SecretStatus::InSync => "client secret in sync",
        SecretStatus::Unverifiable { .. } => "client secret unverifiable",
        SecretStatus::Changed { .. } => "client secret changed",
        SecretStatus::NotApplicable => "client secret not checked",
    };
    format!("  ({state}, {secret})")
}

/// A value in quotes, escaped as Rust quotes a string, then as text from outside (which
/// breaks up the runner's `##[` form, and shows what Rust's quoting leaves raw).
fn quoted(value: &Option<Outside>) -> String {
    match value {
        Some(text) if text == crate::secret::SHOWN_AS => text.as_str().to_string(),
        Some(text) => {
            let redacted = crate::secret::redact(text.as_str());
            crate::outside::escape(&format!("{redacted:?}")).into_owned()
        }
        None => "(none)".to_string(),
    }
}

fn field_line(change: &FieldChange) -> String {
    match (&change.before, &change.after) {
        (None, after) => format!("+ {}: {}", change.field, quoted(after)),
        (before, None) => format!("- {}: {} (removed)", change.field, quoted(before)),
        (before, after) => format!(
            "~ {}: {} -> {}",
            change.field,
            quoted(before),
            quoted(after)
        ),
    }
}

/// One result of `apply`, printed as soon as it is known. Unchanged connections print nothing.
fn render_result(plan: &Plan, result: &ApplyResult, width: usize, style: Style) -> String {
    let mut out = String::new();
    if result.outcome == Outcome::Unchanged {
        return out;
    }
    let colour = match result.outcome {
        Outcome::Failed | Outcome::NotStarted | Outcome::Deleted => RED,
        Outcome::Skipped => YELLOW,
        Outcome::Created | Outcome::Updated | Outcome::Replaced | Outcome::Unchanged => GREEN,
    };
    let state = match (&result.state, &result.state_reason) {
        (Some(state), Some(reason)) if result.outcome == Outcome::Failed => {
            format!("  {state}: {reason}")
        }
        (Some(state), _) => format!("  {state}"),
        (None, _) => String::new(),
    };
    let head = format!(
        "{:<11} {:<width$}  {}",
        result.outcome.label(),
        crate::outside::escape(&result.address.name),
        place_label(plan, &result.address.place)
    );
    let _ = writeln!(out, "{}{state}", style.paint(colour, &head));
    for change in &result.not_taken {
        let _ = writeln!(out, "      did not take: {}", field_line(change));
    }
    if let Some(error) = &result.error {
        let _ = writeln!(out, "      {error}");
    }
    if let Some(hint) = &result.hint {
        let _ = writeln!(out, "      hint: {hint}");
    }
    out
}

/// The closing line of `apply`.
fn render_summary(results: &[ApplyResult], style: Style) -> String {
    let mut out = String::new();
    let s = apply_summary(results);
    let mut line = format!("Apply: {} created, {} updated", s.created, s.updated);
    if s.replaced > 0 {
        let _ = write!(line, ", {} replaced", s.replaced);
    }
    let _ = write!(
        line,
        ", {} deleted, {} unchanged, {} failed",
        s.deleted, s.unchanged, s.failed
    );
    if s.not_started > 0 {
        let _ = write!(line, ", {} not started", s.not_started);
    }
    line.push('.');
    for kind in ResourceKind::ALL {
        if kind.declared_on().is_none() || !results.iter().any(|r| r.address.kind == kind) {
            continue;
        }
        let d = crate::plan::apply_summary_of(results, kind);
        let noun = kind.heading();
        let _ = write!(
            line,
            " {noun}: {} created, {} updated, {} deleted, {} unchanged, {} failed",
            d.created, d.updated, d.deleted, d.unchanged, d.failed
        );
        if d.not_started > 0 {
            let _ = write!(line, ", {} not started", d.not_started);
        }
        if d.skipped > 0 {
            let _ = write!(line, ", {} skipped", d.skipped);
        }
        line.push('.');
    }
    let _ = writeln!(out, "{}", style.paint(BOLD, &line));
    let deleted = crate::plan::left_deleted(results);
    if !deleted.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                RED,
                &format!(
                    "Left deleted, not yet created again: {}; run provision apply again to create them.",
                    deleted.join(", ")
                )
            )
        );
    }
    out
}

/// What `verify` prints: one line per connection and Region (`ok  <name>  <region>
/// <instance URL>`, or `failed  <name>  <region>  <error>` with the hint below), each followed
/// by its API destinations (`ok`, `warning` or `failed  <name>  <region>  <target> <version>:
/// ...`, with the required fields, each declared rule (`rule <name> on bus <bus>: ok|N errors`
/// with its errors, warnings and what was not checked), warnings, what was not checked and the
/// hint below), then a count.
fn render_verified(report: &VerifyReport, style: Style) -> String {
    let mut out = String::new();
    for result in &report.results {
        render_verified_result(&mut out, result, style);
    }
    render_verified_tail(&mut out, report, style);
    out
}

/// `verify`'s text without colour, for the Markdown view's fenced block.
pub(super) fn verified(report: &VerifyReport) -> String {
    render_verified(report, Style { colour: false })
}

/// The lines of one result of `verify`, without colour.
pub(super) fn verified_result(result: &Verified) -> String {
    let mut out = String::new();
    render_verified_result(&mut out, result, Style { colour: false });
    out
}

/// What ends `verify`'s text, without colour: the connections left out, and the counts.
pub(super) fn verified_tail(report: &VerifyReport) -> String {
    let mut out = String::new();
    render_verified_tail(&mut out, report, Style { colour: false });
    out
}

fn render_verified_result(out: &mut String, result: &Verified, style: Style) {
    if result.kind == ResourceKind::ApiDestination {
        render_destination(out, result, style);
        return;
    }
    if result.ok {
        let mut line = format!("ok  {}  {}", result.name, result.region);
        if let Some(url) = &result.instance_url {
            let _ = write!(line, "  {url}");
        }
        let _ = writeln!(out, "{}", style.paint(GREEN, &line));
        return;
    }
    let what = match (&result.error, &result.error_description) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error.to_string(),
        (None, _) => "failed".to_string(),
    };
    let mut lines = what.lines();
    let head = format!(
        "failed  {}  {}  {}",
        result.name,
        result.region,
        lines.next().unwrap_or_default()
    );
    let _ = writeln!(out, "{}", style.paint(RED, &head));
    for line in lines {
        let _ = writeln!(out, "      {line}");
    }
    if let Some(hint) = &result.hint {
        for line in hint.lines() {
            let _ = writeln!(out, "      hint: {line}");
        }
    }
}

fn render_verified_tail(out: &mut String, report: &VerifyReport, style: Style) {
    if !report.left_out.is_empty() {
        let _ = writeln!(out, "\nLeft out of this run:");
        for left in &report.left_out {
            let _ = writeln!(
                out,
                "  {} in {}: {}",
                left.name, left.place.region, left.reason
            );
        }
    }
    let summary = report.summary();
    let mut line = format!("Verify: {} ok", summary.ok);
    if summary.warnings > 0 {
        let _ = write!(line, " ({} with warnings)", summary.warnings);
    }
    let _ = write!(line, ", {} failed.", summary.failed);
    let _ = writeln!(out, "\n{}", style.paint(BOLD, &line));
}

/// One API destination's result, indented under its connection.
fn render_destination(out: &mut String, result: &Verified, style: Style) {
    let mut target = result.target.clone().unwrap_or_default();
    if let Some(version) = &result.api_version {
        let _ = write!(target, " {version}");
    }
    let (word, colour, what) = if !result.ok {
        (
            "failed",
            RED,
            result
                .error
                .as_ref()
                .map_or_else(|| "failed".to_string(), Outside::to_string),
        )
    } else if result.has_warnings() {
        (
            "warning",
            YELLOW,
            result.checked.clone().unwrap_or_default(),
        )
    } else {
        ("ok", GREEN, result.checked.clone().unwrap_or_default())
    };
    let mut head = format!("{word}  {}  {}  {target}", result.name, result.region);
    if let Some(id) = &result.enqueued_id {
        let _ = write!(head, ": published, id {id}");
    } else if !what.is_empty() {
        let _ = write!(head, ": {what}");
    }
    let _ = writeln!(out, "{}", style.paint(colour, &head));
    if let Some(fields) = &result.required_fields {
        let listed = if fields.is_empty() {
            "none".to_string()
        } else {
            fields
                .iter()
                .map(Outside::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "      required fields: {listed}");
    }
    for rule in &result.rules {
        let state = match rule.errors.len() {
            0 => "ok".to_string(),
            1 => "1 error".to_string(),
            n => format!("{n} errors"),
        };
        let _ = writeln!(out, "      rule {} on bus {}: {state}", rule.name, rule.bus);
        for checked in &rule.checked {
            let _ = writeln!(out, "        checked: {checked}");
        }
        for error in &rule.errors {
            let _ = writeln!(out, "        error: {}", error.error);
            let _ = writeln!(out, "          help: {}", error.help);
        }
        for warning in &rule.warnings {
            let _ = writeln!(out, "        warning: {warning}");
        }
        for reason in &rule.not_checked {
            let _ = writeln!(out, "        not checked: {reason}");
        }
    }
    for warning in result.warnings.iter().flatten() {
        let _ = writeln!(out, "      warning: {warning}");
    }
    for reason in &result.not_checked {
        let _ = writeln!(out, "      not checked: {reason}");
    }
    if let Some(hint) = &result.hint {
        for line in hint.lines() {
            let _ = writeln!(out, "      hint: {line}");
        }
    }
}

/// What `salesforce-credentials` prints: `= <name>  <region>  app <app>: created|new version
/// of Secrets Manager secret <id>, version <id>` per secret written, `x <name>  [<region>]  app
/// <app>: <error>` (with its help below) per failure, then the documents left out.
fn render_credentials(report: &CredentialsReport) -> String {
    let mut text = String::new();
    for outcome in &report.results {
        match (&outcome.error, &outcome.version_id) {
            (None, Some(version)) => {
                let _ = writeln!(
                    text,
                    "= {}  {}  app {}: {} Secrets Manager secret {}, version {version}",
                    outcome.name,
                    outcome.region.as_deref().unwrap_or_default(),
                    outcome.app,
                    if outcome.created {
                        "created"
                    } else {
                        "new version of"
                    },
                    outcome
                        .secret
                        .as_ref()
                        .map(Outside::to_string)
                        .unwrap_or_default(),
                );
            }
            (error, _) => {
                let _ = writeln!(
                    text,
                    "x {}{}  app {}: {}",
                    outcome.name,
                    outcome
                        .region
                        .as_deref()
                        .map(|r| format!("  {r}"))
                        .unwrap_or_default(),
                    outcome.app,
                    error
                        .as_ref()
                        .map_or_else(|| "failed".to_string(), Outside::to_string)
                );
                if let Some(hint) = &outcome.hint {
                    let _ = writeln!(text, "      help: {hint}");
                }
            }
        }
    }
    for left in &report.left_out {
        let _ = writeln!(text, "- {}: left out ({})", left.name, left.reason);
    }
    text
}

/// What `rotate-credentials` prints: per document `= <name>  app <app>: rotated` (`~` when
/// planned, `x` otherwise), each step with its result and detail, then the note, error, what
/// holds now and help.
fn render_rotation(report: &RotationReport) -> String {
    let mut text = String::new();
    for outcome in &report.results {
        let mark = match outcome.result {
            RotationEnd::Rotated => "=",
            RotationEnd::Planned => "~",
            RotationEnd::RolledBack | RotationEnd::Failed | RotationEnd::Interrupted => "x",
        };
        let _ = writeln!(
            text,
            "{mark} {}  app {}: {}",
            outcome.name,
            outcome.app,
            outcome.result.label()
        );
        for record in &outcome.steps {
            let _ = writeln!(
                text,
                "    {:<8} {:<19} {}",
                record.result.label(),
                record.step.name(),
                record.detail
            );
        }
        if let Some(window) = outcome.window_seconds {
            let _ = writeln!(text, "    note: {WINDOW_NOTE}; the window was {window:.1}s");
        }
        if let Some(error) = &outcome.error {
            let _ = writeln!(text, "    error: {error}");
        }
        if let Some(now) = &outcome.now {
            let _ = writeln!(text, "    now: {now}");
        }
        if let Some(hint) = &outcome.hint {
            let _ = writeln!(text, "    help: {hint}");
        }
    }
    text
}

/// The places the run could not read, each with what went wrong and the fix.
fn unread_places(out: &mut String, plan: &Plan) {
    if plan.unread.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nNot read (the other places were read all the same):");
    let mut previous: Option<&crate::outside::Outside> = None;
    for unread in &plan.unread {
        let _ = writeln!(
            out,
            "  account {} in {}: {}",
            unread.place.account, unread.place.region, unread.error
        );
        // The places of one target share their fix: it is shown once.
        let help = unread.help.as_ref().filter(|&help| previous != Some(help));
        previous = unread.help.as_ref();
        if let Some(help) = help {
            // The help may hold a policy document, a line of its own per line, each escaped.
            for (i, line) in help.as_str().lines().enumerate() {
                let lead = if i == 0 { "help: " } else { "      " };
                let line = crate::outside::escape(line);
                let _ = writeln!(out, "    {lead}{line}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name read back from a listing (AWS refuses such names; an endpoint that is not AWS
    /// need not), and a state reason, each on the result's one line.
    #[test]
    fn a_result_line_shows_outside_text_escaped() {
        let mut result = ApplyResult::of(
            crate::place::Address::new(
                ResourceKind::Connection,
                "sf-ghost\n::add-mask::x",
                crate::tests::place("us-east-1"),
            ),
            Outcome::Failed,
        );
        result.state = Some(crate::live::ConnectionState::Deauthorized);
        result.state_reason = Some("denied\rok\n::error::x".into());
        result.error = Some("AWS said\n##[error]x".into());
        assert_eq!(
            render_result(&Plan::default(), &result, 0, Style { colour: false }),
            "failed      sf-ghost\\n::add-mask::x  us-east-1  DEAUTHORIZED: denied\\rok\\n::error::x\n      AWS said\\n##\\u005berror]x\n"
        );
    }

    /// The exact bytes a terminal receives (the colour test against the emulator pins them too).
    #[test]
    fn styles_render_the_same_escape_codes_as_before() {
        let on = Style { colour: true };
        assert_eq!(on.paint(GREEN, "x"), "\x1b[32mx\x1b[0m");
        assert_eq!(on.paint(YELLOW, "x"), "\x1b[33mx\x1b[0m");
        assert_eq!(on.paint(RED, "x"), "\x1b[31mx\x1b[0m");
        assert_eq!(on.paint(DIM, "x"), "\x1b[2mx\x1b[0m");
        assert_eq!(on.paint(BOLD, "x"), "\x1b[1mx\x1b[0m");
        assert_eq!(Style { colour: false }.paint(RED, "x"), "x");
    }
}
