//! The Markdown view, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a summary table
//! (the counts, then one row per connection with its action, name, Region and state), then a
//! collapsed `<details>` block per connection that needs attention with each field change,
//! the secret drift and the health with its hint.
//!
//! Drawn from the same models as the text and JSON views. Like JSON it is one document: `apply`
//! prints it when done. Values a user or AWS wrote are shown in code spans ([`cell_code`] in a
//! table cell), HTML-escaped in a `<summary>` line ([`html`]), or as escaped running text
//! ([`prose`], which also keeps GitHub from reading a mention or a bare link in it), so no text
//! can turn into Markdown or HTML, and each shows escaped what [`crate::outside::escape`]
//! escapes; secrets are `(secret)`.
//!
//! The documents of `diff`, `show`, `apply` and `verify` stay within `--max-chars` ([`fit`]):
//! GitHub refuses a longer comment whole, so a long one keeps its counts and every failure,
//! then as many entries as fit, and says how many it left out and where the whole document is.

use super::{View, WINDOW_NOTE, error_lines};
use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::outside::Outside;
use crate::plan::credentials_report::{CredentialsReport, SecretWrite};
use crate::plan::rotation_report::RotationReport;
use crate::plan::{
    Action, ApplyResult, Entry, FieldChange, Outcome, Plan, PlanStep, ResourceKind, SecretStatus,
    apply_summary,
};
use std::fmt::Write;

pub(crate) struct MarkdownView {
    /// The longest document of `diff`, `show`, `apply` and `verify`, in characters.
    pub(crate) max_chars: usize,
}

impl View for MarkdownView {
    fn version(&self, build: &super::Build) -> String {
        fenced(
            &super::view(super::Format::Text, super::Style { colour: false }, false).version(build),
        )
    }

    fn exported(&self, files: &[super::ExportedFile]) -> String {
        fenced(
            &super::view(super::Format::Text, super::Style { colour: false }, false)
                .exported(files),
        )
    }

    fn verified(&self, report: &crate::plan::verify_report::VerifyReport) -> String {
        let whole = super::text::verified(report);
        let document = fenced(&whole);
        if length(&document) <= self.max_chars {
            return document;
        }
        // Cut: each result's lines inside one fence (long enough for all of them), then the
        // lines left out of the run and the counts in their own.
        let fence = fence_for(&whole);
        let parts = report
            .results
            .iter()
            .map(|result| Part {
                failed: !result.ok,
                resources: 1,
                rows: super::text::verified_result(result),
                details: String::new(),
            })
            .collect();
        let frame = Frame {
            head: String::new(),
            table_head: format!("{fence}text\n"),
            table_end: format!("{fence}\n"),
            tail: fenced(super::text::verified_tail(report).trim_start_matches('\n')),
            command: "verify",
        };
        fit(self.max_chars, frame, parts)
    }

    fn credentials_written(&self, report: &CredentialsReport) -> String {
        let mut out = String::from("### provision salesforce-credentials\n\n");
        let failed = report
            .results
            .iter()
            .filter(|write| write.error.is_some())
            .count();
        out.push_str("| written | failed |\n| ---: | ---: |\n");
        let _ = writeln!(out, "| {} | {failed} |\n", report.results.len() - failed);
        out.push_str("| result | connection | region | app | secret | version |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        let or_dash = |text: Option<&str>, show: fn(&str) -> String| {
            text.map(show).unwrap_or_else(|| "-".to_string())
        };
        for write in &report.results {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                write_label(write),
                cell_code(&write.name),
                or_dash(write.region.as_deref(), prose),
                cell_code(&write.app),
                or_dash(write.secret.as_ref().map(Outside::as_str), cell_code),
                or_dash(write.version_id.as_ref().map(Outside::as_str), cell_code)
            );
        }
        out.push('\n');
        for write in report.results.iter().filter(|write| write.error.is_some()) {
            let place = write
                .region
                .as_deref()
                .map(|region| format!(" in {}", html(region)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<details><summary>{} <code>{}</code>{place}</summary>\n",
                write_label(write),
                html(&write.name)
            );
            out.push_str(&fenced(
                &write
                    .error
                    .as_ref()
                    .map(Outside::to_string)
                    .unwrap_or_default(),
            ));
            out.push('\n');
            if let Some(hint) = &write.hint {
                let _ = writeln!(out, "**Hint:** {}\n", prose(hint));
            }
            out.push_str("</details>\n\n");
        }
        if !report.left_out.is_empty() {
            out.push_str("**Left out of this run:**\n\n");
            for left in &report.left_out {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    code(&left.name),
                    prose(&left.reason.to_string())
                );
            }
            out.push('\n');
        }
        out
    }

    fn rotated(&self, report: &RotationReport) -> String {
        let mut out = String::from("## provision rotate-credentials\n\n");
        for outcome in &report.results {
            let _ = writeln!(
                out,
                "### {} (app {}): {}\n\n| Step | Result | Detail |\n| --- | --- | --- |",
                code(&outcome.name),
                code(&outcome.app),
                outcome.result.label()
            );
            for record in &outcome.steps {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    code(record.step.name()),
                    record.result.label(),
                    prose(&record.detail.to_string())
                );
            }
            out.push('\n');
            if let Some(window) = outcome.window_seconds {
                let _ = writeln!(out, "> {WINDOW_NOTE}; the window was {window:.1}s.\n");
            }
            if let Some(error) = &outcome.error {
                let _ = writeln!(out, "**Error:** {}\n", prose(&error.to_string()));
            }
            if let Some(now) = &outcome.now {
                let _ = writeln!(out, "**Now:** {}\n", prose(&now.to_string()));
            }
            if let Some(hint) = &outcome.hint {
                let _ = writeln!(out, "**Help:** {}\n", prose(&hint.to_string()));
            }
        }
        out
    }

    fn validated(
        &self,
        specs: &[ConnectionSpec],
        _: Option<&std::path::Path>,
        _: &[super::DocumentPlace],
    ) -> String {
        let mut out = String::from("### provision validate\n\n");
        let noun = if specs.len() == 1 {
            "connection"
        } else {
            "connections"
        };
        let _ = writeln!(out, "{} {noun} valid.\n", specs.len());
        for spec in specs {
            let _ = writeln!(out, "- {}", code(&spec.name));
        }
        out
    }

    fn targets(&self, places: &[super::TargetPlace]) -> String {
        let mut out = String::from("### provision targets\n\n");
        if places.is_empty() {
            out.push_str("No document is placed in a target of this run.\n");
            return out;
        }
        out.push_str("| Target | Account | Region |\n|---|---|---|\n");
        for place in places {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                code(&place.target),
                code(&place.account),
                code(&place.region)
            );
        }
        out
    }

    fn plan(&self, plan: &Plan) -> String {
        let mut out = String::from(PLAN_HEADING);
        plan_summary(&mut out, plan);
        out.push_str(&details_of(
            plan,
            ResourceKind::ALL
                .into_iter()
                .flat_map(|kind| plan.entries_of(kind)),
        ));
        unrouted(&mut out, plan);
        left_out(&mut out, plan);
        if length(&out) <= self.max_chars {
            return out;
        }
        // Cut: the counts first, then each connection with its API destinations (rows and
        // details together), failures first.
        let mut head = String::from(PLAN_HEADING);
        plan_counts(&mut head, plan);
        destination_counts(&mut head, plan);
        let declared = plan.roots().map(|step| {
            let entries = || plan.subtree(step).into_iter().map(PlanStep::entry);
            Part {
                failed: entries().any(|entry| entry.action == Action::Error),
                resources: entries().count(),
                rows: connection_rows(plan, step),
                details: details_of(plan, entries()),
            }
        });
        let pruned = plan.detached().map(|step| Part {
            failed: step.entry().action == Action::Error,
            resources: 1,
            rows: pruned_row(plan, step.entry()),
            details: details_of(plan, std::iter::once(step.entry())),
        });
        let mut tail = String::new();
        unrouted(&mut tail, plan);
        left_out(&mut tail, plan);
        let frame = Frame {
            head,
            table_head: table_head(plan, PLAN_TABLE_HEAD),
            table_end: "\n".to_string(),
            tail,
            command: "diff",
        };
        fit(self.max_chars, frame, declared.chain(pruned).collect())
    }

    fn apply_started(&self, _plan: &Plan) -> String {
        String::new()
    }

    fn result(&self, _plan: &Plan, _result: &ApplyResult) -> String {
        String::new()
    }

    fn applied(&self, plan: &Plan, results: &[ApplyResult]) -> String {
        let mut head = String::new();
        apply_counts(&mut head, results);
        let mut tail = String::new();
        left_out(&mut tail, plan);
        let mut out = head.clone();
        out.push_str(&table_head(plan, APPLY_TABLE_HEAD));
        for result in results {
            out.push_str(&result_row(plan, result));
        }
        out.push('\n');
        for result in results {
            out.push_str(&result_block(plan, result));
        }
        out.push_str(&tail);
        if length(&out) <= self.max_chars {
            return out;
        }
        // Cut: the counts first, then each result (row and details together), failures first.
        let parts = results
            .iter()
            .map(|result| Part {
                failed: result.outcome == Outcome::Failed || result.error.is_some(),
                resources: 1,
                rows: result_row(plan, result),
                details: result_block(plan, result),
            })
            .collect();
        let frame = Frame {
            head,
            table_head: table_head(plan, APPLY_TABLE_HEAD),
            table_end: "\n".to_string(),
            tail,
            command: "apply",
        };
        fit(self.max_chars, frame, parts)
    }

    fn error(&self, error: &Error) -> (String, String) {
        let stdout = match error {
            // Each resource is already in the document that was printed.
            Error::ConnectionsFailed { .. }
            | Error::ResourcesFailed { .. }
            | Error::ChecksFailed { .. }
            | Error::Interrupted { .. } => String::new(),
            Error::Input(problems) => {
                let mut out = String::from("### provision: invalid input\n\n");
                let _ = writeln!(
                    out,
                    "{} found; nothing was sent to AWS.\n",
                    if problems.len() == 1 {
                        "1 problem".to_string()
                    } else {
                        format!("{} problems", problems.len())
                    }
                );
                for problem in problems {
                    let mut place = problem
                        .location
                        .as_ref()
                        .map(|location| code(&location.to_string()))
                        .unwrap_or_default();
                    if let Some(field) = &problem.field {
                        if !place.is_empty() {
                            place.push(' ');
                        }
                        place.push_str(&code(field.as_str()));
                    }
                    if !place.is_empty() {
                        place.push_str(": ");
                    }
                    let _ = writeln!(out, "- {place}{}", prose(&problem.message.to_string()));
                    if let Some(help) = &problem.help {
                        let _ = writeln!(out, "  - help: {}", prose(&help.to_string()));
                    }
                }
                out
            }
            other => format!("### provision: error\n\n{}", fenced(&other.to_string())),
        };
        (stdout, error_lines(error))
    }
}

const PLAN_HEADING: &str = "### provision diff\n\n";
const PLAN_TABLE_HEAD: &str =
    "| action | connection | region | state |\n| --- | --- | --- | --- |\n";
const APPLY_TABLE_HEAD: &str =
    "| outcome | connection | region | state |\n| --- | --- | --- | --- |\n";

/// A table's head, with a `target` column before `region` when the run has targets.
fn table_head(plan: &Plan, head: &str) -> String {
    if plan.targets.is_empty() {
        return head.to_string();
    }
    head.replacen("| region |", "| target | region |", 1)
        .replacen(
            "| --- | --- | --- | --- |",
            "| --- | --- | --- | --- | --- |",
            1,
        )
}

/// The cells naming a place: its Region, after its target and account when the run has
/// targets (`prod (111111111111) | eu-west-1`).
fn place_cells(plan: &Plan, place: &crate::place::Place) -> String {
    let region = prose(&place.region);
    match plan.target_of(place) {
        Some(target) => format!(
            "{} ({}) | {region}",
            cell_code(&target.name),
            prose(&target.account)
        ),
        None if plan.targets.is_empty() => region,
        // A place of no target (not expected): its target cell left empty.
        None => format!(" | {region}"),
    }
}

/// The counts and one row per connection.
fn plan_summary(out: &mut String, plan: &Plan) {
    plan_counts(out, plan);
    if plan.roots().next().is_none() {
        let _ = writeln!(
            out,
            "No connections declared in {}.\n",
            plan.regions().join(", ")
        );
        return;
    }
    out.push_str(&table_head(plan, PLAN_TABLE_HEAD));
    for step in plan.roots() {
        out.push_str(&connection_rows(plan, step));
    }
    for pruned in plan.detached() {
        out.push_str(&pruned_row(plan, pruned.entry()));
    }
    out.push('\n');
    destination_counts(out, plan);
}

/// The counts table of the plan's connections.
fn plan_counts(out: &mut String, plan: &Plan) {
    let s = plan.summary();
    out.push_str("| create | update | in sync | error |\n");
    out.push_str("| ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |\n",
        s.create, s.update, s.in_sync, s.error
    );
}

/// A connection's row, and its children's (its API destinations) under it.
fn connection_rows(plan: &Plan, step: &PlanStep) -> String {
    let mut out = String::new();
    let entry = step.entry();
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |",
        action_label(entry.action),
        cell_code(&entry.address.name),
        place_cells(plan, &entry.address.place),
        state(entry)
    );
    child_rows(&mut out, plan, step, 1);
    out
}

/// The rows of the steps declared on `step`, each with its own under it, one `↳` per level
/// (an API destination under its connection, a rule under its API destination).
fn child_rows(out: &mut String, plan: &Plan, step: &PlanStep, depth: usize) {
    for child in plan.children(step) {
        let entry = child.entry();
        let (kind, _) = entry.address.kind.nouns();
        let _ = writeln!(
            out,
            "| {} | {}{} ({kind}) | {} | |",
            action_label(entry.action),
            "↳ ".repeat(depth),
            cell_code(&entry.address.name),
            place_cells(plan, &entry.address.place)
        );
        child_rows(out, plan, child, depth + 1);
    }
}

/// The row of a detached step (an API destination to prune).
fn pruned_row(plan: &Plan, pruned: &Entry) -> String {
    let (kind, _) = pruned.address.kind.nouns();
    format!(
        "| {} | {} ({kind}) | {} | |\n",
        action_label(pruned.action),
        cell_code(&pruned.address.name),
        place_cells(plan, &pruned.address.place)
    )
}

/// The line that counts the resources of each kind declared on another (API destinations),
/// when there are any.
fn destination_counts(out: &mut String, plan: &Plan) {
    for kind in ResourceKind::ALL {
        if kind.declared_on().is_none() || plan.entries_of(kind).next().is_none() {
            continue;
        }
        let d = plan.summary_of(kind);
        let noun = kind.heading();
        let _ = writeln!(
            out,
            "{noun}: {} to create, {} to update, {} to delete, {} in sync.\n",
            d.create, d.update, d.delete, d.in_sync
        );
    }
}

/// The details blocks of those of `entries` that need one.
fn details_of<'a>(plan: &Plan, entries: impl Iterator<Item = &'a Entry>) -> String {
    let mut out = String::new();
    for entry in entries.filter(|entry| needs_details(entry)) {
        entry_details(&mut out, plan, entry, None);
    }
    out
}

/// The heading and counts of `apply`'s document, and the resources left deleted.
fn apply_counts(out: &mut String, results: &[ApplyResult]) {
    out.push_str("### provision apply\n\n");
    let s = apply_summary(results);
    out.push_str("| created | updated | replaced | deleted | unchanged | failed | not started |\n");
    out.push_str("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        s.created, s.updated, s.replaced, s.deleted, s.unchanged, s.failed, s.not_started
    );
    let deleted = crate::plan::left_deleted(results);
    if !deleted.is_empty() {
        let _ = writeln!(
            out,
            "**Left deleted, not yet created again:** {}; run `provision apply` again to create them.\n",
            deleted.join(", ")
        );
    }
}

/// One result's row of `apply`'s table.
fn result_row(plan: &Plan, result: &ApplyResult) -> String {
    let state = result
        .state
        .as_ref()
        .map(|state| state.to_string())
        .unwrap_or_else(|| "-".to_string());
    format!(
        "| {} | {} | {} | {} |\n",
        outcome_label(result.outcome),
        cell_code(&result.address.name),
        place_cells(plan, &result.address.place),
        prose(&state)
    )
}

/// One result's details block, when it needs attention (else nothing).
fn result_block(plan: &Plan, result: &ApplyResult) -> String {
    let entry = plan.entries().find(|entry| {
        entry.address.name == result.address.name
            && entry.address.place.region == result.address.place.region
    });
    let attention = result.outcome != Outcome::Unchanged
        || entry.is_some_and(needs_details)
        || result.error.is_some();
    let mut out = String::new();
    if attention {
        match entry {
            Some(entry) => entry_details(&mut out, plan, entry, Some(result)),
            None => result_details(&mut out, plan, result),
        }
    }
    out
}

/// One resource's share of a document that may be cut to fit (`--max-chars`): its table rows
/// and its details, kept or left out together, so no row or `<details>` block is cut in two.
struct Part {
    /// A failure or error: always kept, before the rest.
    failed: bool,
    /// How many entries (connections, API destinations) it shows.
    resources: usize,
    rows: String,
    details: String,
}

/// What a cut document holds besides its parts.
struct Frame {
    /// The heading and the counts: always kept.
    head: String,
    /// Written before the kept rows (a table's header, a fence), when any is kept.
    table_head: String,
    /// Written after them.
    table_end: String,
    /// What ends the document (the connections left out of the run): always kept.
    tail: String,
    /// The command whose `--output json` holds the whole document.
    command: &'static str,
}

/// The document of `frame` and `parts` within `limit` characters: the head, a note saying
/// how many entries were left out and where the whole document is, the rows and then the
/// details of every failed part and of as many others (in order) as fit, and the tail.
/// Failures are kept even past the limit: a reviewer must see each.
fn fit(limit: usize, frame: Frame, parts: Vec<Part>) -> String {
    let total: usize = parts.iter().map(|part| part.resources).sum();
    let cost = |part: &Part| length(&part.rows) + length(&part.details);
    // The note is counted as long as it can get: it names at most `total` left out.
    let mut used = [
        &frame.head,
        &frame.table_head,
        &frame.table_end,
        &frame.tail,
    ]
    .into_iter()
    .map(|text| length(text))
    .sum::<usize>()
        + length(&cut_note(total, total, limit, frame.command));
    let (mut kept, rest): (Vec<Part>, Vec<Part>) = parts.into_iter().partition(|p| p.failed);
    used += kept.iter().map(cost).sum::<usize>();
    for part in rest {
        if used + cost(&part) > limit {
            break;
        }
        used += cost(&part);
        kept.push(part);
    }
    let shown: usize = kept.iter().map(|part| part.resources).sum();
    let mut out = frame.head;
    if shown < total {
        out.push_str(&cut_note(total - shown, total, limit, frame.command));
    }
    if !kept.is_empty() {
        out.push_str(&frame.table_head);
        for part in &kept {
            out.push_str(&part.rows);
        }
        out.push_str(&frame.table_end);
    }
    for part in &kept {
        out.push_str(&part.details);
    }
    out.push_str(&frame.tail);
    out
}

/// What a cut document says where it was cut.
fn cut_note(left: usize, total: usize, limit: usize, command: &str) -> String {
    format!(
        "> **Shortened to {limit} characters (`--max-chars`):** {left} of {total} entries are left out of this document; the counts include them, and every failure is shown. The whole document is `provision {command} --output json` (in CI, the workflow's artifact).\n\n"
    )
}

/// The fence of a fenced block that shows `text` exactly: longer than any run of backticks in
/// it.
fn fence_for(text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    "`".repeat(longest.max(2) + 1)
}

/// The length of a document: its characters (Unicode code points).
fn length(text: &str) -> usize {
    text.chars().count()
}

fn action_label(action: Action) -> &'static str {
    match action {
        Action::Create => "➕ create",
        Action::Update => "🔄 update",
        Action::Adopt => "🔄 adopt",
        Action::NotManaged => "🚫 not ours",
        Action::Refused => "⛔ refused",
        Action::Replace => "♻️ replace",
        Action::Delete => "➖ delete",
        Action::InSync => "✅ in sync",
        Action::Error => "❌ error",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "➕ created",
        Outcome::Updated => "🔄 updated",
        Outcome::Replaced => "♻️ replaced",
        Outcome::Deleted => "➖ deleted",
        Outcome::Unchanged => "✅ unchanged",
        Outcome::Failed => "❌ failed",
        Outcome::NotStarted => "⏸️ not started",
        Outcome::Skipped => "⏭️ skipped",
    }
}

/// What became of one secret of `salesforce-credentials`.
fn write_label(write: &SecretWrite) -> &'static str {
    match (&write.error, write.created) {
        (Some(_), _) => "❌ failed",
        (None, true) => "➕ created",
        (None, false) => "🔄 new version",
    }
}

/// The state column of the plan's table (an unknown state is AWS's text: shown as prose).
fn state(entry: &Entry) -> String {
    match (&entry.health, entry.action) {
        (Some(health), _) if health.broken => {
            format!("⚠️ {}", prose(&health.state.to_string()))
        }
        (Some(health), _) => prose(&health.state.to_string()),
        (None, Action::Create) => "not created yet".to_string(),
        (None, _) => "-".to_string(),
    }
}

/// An entry needs a details block when something is to change or to look at.
fn needs_details(entry: &Entry) -> bool {
    entry.action != Action::InSync
        || matches!(
            entry.secret,
            SecretStatus::Changed { .. } | SecretStatus::Unverifiable { .. }
        )
        || entry.health.as_ref().is_some_and(|health| health.broken)
}

/// The collapsed block of one connection: its field changes, secret drift and health, and
/// what `apply` did with it when there is a result.
fn entry_details(out: &mut String, plan: &Plan, entry: &Entry, result: Option<&ApplyResult>) {
    let count = match entry.changes.len() {
        0 => String::new(),
        1 => " (1 change)".to_string(),
        n => format!(" ({n} changes)"),
    };
    let head = match result {
        Some(result) => outcome_label(result.outcome),
        None => action_label(entry.action),
    };
    let _ = writeln!(
        out,
        "<details><summary>{head} <code>{}</code> in {}{count}</summary>\n",
        html(&entry.address.name),
        html(&super::place_label(plan, &entry.address.place))
    );
    for change in &entry.changes {
        let _ = writeln!(out, "- {}", field_line(change));
    }
    if !entry.changes.is_empty() {
        out.push('\n');
    }
    match &entry.secret {
        SecretStatus::Changed { fields } => {
            let fields: Vec<String> = fields.iter().map(|field| code(field)).collect();
            let _ = writeln!(
                out,
                "**Client secret:** changed outside provision ({}); apply re-sends the declared value.\n",
                fields.join(", ")
            );
        }
        SecretStatus::Unverifiable { reason } => {
            let _ = writeln!(
                out,
                "**Client secret:** unverifiable: {}\n",
                prose(&reason.to_string())
            );
        }
        SecretStatus::InSync => out.push_str("**Client secret:** in sync.\n\n"),
        SecretStatus::NotApplicable => {}
    }
    if let Some(health) = &entry.health {
        let reason = health
            .reason
            .as_ref()
            .map(|reason| format!(": {}", prose(&reason.to_string())))
            .unwrap_or_default();
        let state = code(&health.state.to_string());
        if health.broken {
            let _ = writeln!(
                out,
                "**Health:** ⚠️ {state}{reason}; apply re-sends the credentials to re-authorize.\n"
            );
        } else {
            let _ = writeln!(out, "**Health:** {state}{reason}.\n");
        }
        if let Some(hint) = &health.hint {
            let _ = writeln!(out, "**Hint:** {}\n", prose(hint));
        }
    }
    if let Some(error) = &entry.error {
        out.push_str(&fenced(&error.to_string()));
        out.push('\n');
    }
    // Invalid input: the error is the problems' headlines; how to fix each is its help (an
    // apply result says it as its own).
    let helps = entry.problems.iter().filter_map(|p| p.help.as_ref());
    for help in helps.filter(|_| result.is_none()) {
        let _ = writeln!(out, "**Help:** {}\n", prose(&help.to_string()));
    }
    if let Some(result) = result {
        result_body(out, result);
    }
    out.push_str("</details>\n\n");
}

/// A result without a plan entry (not expected; shown rather than dropped).
fn result_details(out: &mut String, plan: &Plan, result: &ApplyResult) {
    let _ = writeln!(
        out,
        "<details><summary>{} <code>{}</code> in {}</summary>\n",
        outcome_label(result.outcome),
        html(&result.address.name),
        html(&super::place_label(plan, &result.address.place))
    );
    result_body(out, result);
    out.push_str("</details>\n\n");
}

fn result_body(out: &mut String, result: &ApplyResult) {
    if let Some(state) = &result.state {
        let reason = result
            .state_reason
            .as_ref()
            .map(|reason| format!(": {}", prose(&reason.to_string())))
            .unwrap_or_default();
        let state = code(&state.to_string());
        let _ = writeln!(out, "**After apply:** {state}{reason}.\n");
    }
    for change in &result.not_taken {
        let _ = writeln!(out, "- did not take: {}", field_line(change));
    }
    if !result.not_taken.is_empty() {
        out.push('\n');
    }
    if let Some(error) = &result.error {
        out.push_str(&fenced(&error.to_string()));
        out.push('\n');
    }
    if let Some(hint) = &result.hint {
        let _ = writeln!(out, "**Hint:** {}\n", prose(hint));
    }
}

/// The declared API destinations no rule targets: a note, not a difference.
fn unrouted(out: &mut String, plan: &Plan) {
    if plan.unrouted.is_empty() {
        return;
    }
    out.push_str(
        "**Nothing routes events here** (no rule targets these API destinations, declared or in AWS):\n\n",
    );
    for destination in &plan.unrouted {
        let _ = writeln!(
            out,
            "- {} in {}",
            code(&destination.name),
            destination.place.region
        );
    }
    out.push('\n');
}

fn left_out(out: &mut String, plan: &Plan) {
    unread_places(out, plan);
    failed_runs(out, plan);
    if plan.left_out.is_empty() {
        return;
    }
    out.push_str("**Left out of this run:**\n\n");
    for left in &plan.left_out {
        let _ = writeln!(
            out,
            "- {} in {}: {}",
            code(&left.name),
            super::place_label(plan, &left.place),
            prose(&left.reason)
        );
    }
    out.push('\n');
}

/// The runs a merged report could not read a plan from (`report merge`), with their errors.
fn failed_runs(out: &mut String, plan: &Plan) {
    if plan.failed_runs.is_empty() {
        return;
    }
    out.push_str(
        "**Runs that ended in an error** (what they would have read is not in this report):\n\n",
    );
    for run in &plan.failed_runs {
        let _ = write!(out, "- {}: {}", code(&run.file), prose(run.error.as_str()));
        if let Some(help) = &run.help {
            let _ = write!(out, " (help: {})", prose(help.as_str()));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The places the run could not read, each with what went wrong and the fix: always kept,
/// whatever is cut (they are why the run failed).
fn unread_places(out: &mut String, plan: &Plan) {
    if plan.unread.is_empty() {
        return;
    }
    out.push_str("**Not read** (the other places were read all the same):\n\n");
    for unread in &plan.unread {
        let _ = writeln!(
            out,
            "- account {} in {}: {}",
            unread.place.account,
            unread.place.region,
            prose(&unread.error.to_string())
        );
        if let Some(help) = &unread.help {
            let _ = writeln!(out, "  **Help:** {}", prose(&help.to_string()));
        }
    }
    out.push('\n');
}

/// `field`: before -> after, as the text view says it.
fn field_line(change: &FieldChange) -> String {
    let field = code(change.field.as_str());
    match (&change.before, &change.after) {
        (None, after) => format!("{field}: (none) -> {}", value(after)),
        (before, None) => format!("{field}: {} -> (removed)", value(before)),
        (before, after) => format!("{field}: {} -> {}", value(before), value(after)),
    }
}

fn value(value: &Option<Outside>) -> String {
    match value {
        Some(text) if text == crate::secret::SHOWN_AS => text.as_str().to_string(),
        Some(text) => code(text.as_str()),
        None => "(none)".to_string(),
    }
}

/// A code span that shows `text` exactly: its fence is longer than any run of backticks in
/// it, and a newline (which a code span would fold) is shown as `\n`, like every character
/// [`crate::outside::escape`] shows escaped. GitHub reads no mention or link in a code span.
fn code(text: &str) -> String {
    let redacted = crate::secret::redact(text);
    let text = crate::outside::escape(&redacted);
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    if text.is_empty() {
        return "`\u{200b}`".to_string();
    }
    let pad = if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span in a table cell. GitHub splits a row into cells at every `|` before it reads
/// code spans, and takes `\|` back to `|` in a cell, even inside a code span (GitHub Flavored
/// Markdown, the Tables extension: "include a pipe in a cell's content by escaping it,
/// including inside other inline spans"), so each `|` is written `\|`.
fn cell_code(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// Text inside an HTML block (`<summary>`), where Markdown is not read: `&`, `<`, `>` and
/// quotes as character references, so no text can open or close a tag.
fn html(text: &str) -> String {
    let redacted = crate::secret::redact(text);
    let mut out = String::with_capacity(text.len());
    for c in crate::outside::escape(&redacted).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The zero-width joiner that [`prose`] writes after an `@` and inside a link's start.
const JOINER: char = '\u{200d}';

/// Running text from AWS or a message: every character Markdown or HTML could read as syntax
/// is escaped, lines are joined, and what else [`crate::outside::escape`] shows escaped is.
///
/// GitHub also reads plain text: `@name` notifies a user or a team, and a bare URL
/// (`https://…`, `www.…`) or e-mail address becomes a link (GFM's autolink extension). A
/// backslash does not stop either (the mention is found in the rendered text, where `\@` is
/// `@` again), so a zero-width joiner is written after every `@`, after the `:` of a `://`, and
/// after a `www` before a `.`: the text reads the same, but neither the mention (an `@`
/// followed by a letter or digit) nor an autolink (a contiguous `://` or `www.`, a domain
/// after the `@`) matches it any more, in the source or in the rendered text.
fn prose(text: &str) -> String {
    let joined: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let redacted = crate::secret::redact(&joined);
    let escaped = crate::outside::escape(&redacted);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_ref();
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push(c);
                out.push(JOINER);
            }
            ':' if after.starts_with("//") => {
                out.push(c);
                out.push(JOINER);
            }
            'w' | 'W'
                if after.len() >= 3
                    && after.is_char_boundary(2)
                    && after[..2].eq_ignore_ascii_case("ww")
                    && after[2..].starts_with('.') =>
            {
                out.push(c);
                out.push_str(&after[..2]);
                out.push(JOINER);
                rest = &after[2..];
                continue;
            }
            other => out.push(other),
        }
        rest = after;
    }
    out
}

/// A fenced block that shows `text` exactly.
fn fenced(text: &str) -> String {
    let fence = fence_for(text);
    let mut out = format!("{fence}text\n{text}");
    if !text.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_show_any_text_exactly() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a `tick`"), "`` a `tick` ``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b<c>"), "`a|b<c>`");
        assert_eq!(code("two\nlines"), "`two\\nlines`");
    }

    #[test]
    fn prose_cannot_become_markup() {
        assert_eq!(
            prose("<img src=x> *bold* [link](u) a|b"),
            "\\<img src=x\\> \\*bold\\* \\[link\\](u) a\\|b"
        );
        assert_eq!(prose("two\nlines"), "two lines");
    }

    #[test]
    fn a_pipe_in_a_code_span_stays_in_its_table_cell() {
        // GitHub splits the row at every `|` not after a backslash before it reads the code
        // span, then takes `\|` back to `|`: the cell shows the text exactly.
        assert_eq!(cell_code("x|<img src=x>"), "`x\\|<img src=x>`");
        assert_eq!(cell_code("a\\|b"), "`a\\\\|b`");
        assert_eq!(cell_code("plain"), "`plain`");
    }

    #[test]
    fn a_table_row_keeps_its_cells_whatever_a_secret_name_holds() {
        let report = CredentialsReport {
            results: vec![SecretWrite {
                name: "sf-a".into(),
                app: "sf_a".into(),
                region: Some("us-east-1".into()),
                secret: Some("salesforce/a|<img src=x onerror=alert(1)>|".into()),
                version_id: Some("v|1".into()),
                created: true,
                error: None,
                hint: None,
            }],
            left_out: Vec::new(),
        };
        let shown = MarkdownView { max_chars: 60_000 }.credentials_written(&report);
        assert!(
            shown.contains("| ➕ created | `sf-a` | us-east-1 | `sf_a` | `salesforce/a\\|<img src=x onerror=alert(1)>\\|` | `v\\|1` |\n"),
            "{shown}"
        );
    }

    #[test]
    fn summary_lines_carry_names_as_html_text() {
        assert_eq!(
            html("<img src=x onerror=alert(1)>&\"'"),
            "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"
        );
        assert_eq!(html("a\nb</summary>"), "a\\nb&lt;/summary&gt;");
    }

    #[test]
    fn mentions_and_bare_links_stay_plain_text() {
        assert_eq!(
            prose(
                "ask @octocat or @acme/admins, see https://evil.example/x or WWW.evil.example, mail ops@evil.example"
            ),
            "ask @\u{200d}octocat or @\u{200d}acme/admins, see https:\u{200d}//evil.example/x or WWW\u{200d}.evil.example, mail ops@\u{200d}evil.example"
        );
        // Text without either is unchanged.
        assert_eq!(
            prose("no mention, no link: a.b"),
            "no mention, no link: a.b"
        );
    }

    #[test]
    fn outside_text_in_markdown_is_escaped_like_any_text_line() {
        assert_eq!(code("a\u{1b}[2Jb\rc"), "`a\\u001b[2Jb\\rc`");
        assert_eq!(prose("::add-mask::x"), "\\\\u003a:add-mask::x");
    }

    #[test]
    fn fences_are_longer_than_any_backticks_inside() {
        assert_eq!(fenced("x"), "```text\nx\n```\n");
        assert_eq!(fenced("a ``` b"), "````text\na ``` b\n````\n");
    }

    /// An entry of `kind` to update, with its description changed, or in error.
    fn entry(kind: crate::plan::ResourceKind, name: &str, error: Option<&str>) -> Entry {
        Entry {
            address: crate::place::Address::new(kind, name, crate::tests::place("eu-west-1")),
            action: if error.is_some() {
                Action::Error
            } else {
                Action::Update
            },
            changes: if error.is_some() {
                Vec::new()
            } else {
                vec![FieldChange {
                    field: "description".into(),
                    before: Some(format!("{name}, old description [managed by provision]").into()),
                    after: Some(format!("{name}, new description [managed by provision]").into()),
                }]
            },
            secret: SecretStatus::InSync,
            health: None,
            error: error.map(Into::into),
            problems: Vec::new(),
            note: None,
        }
    }

    /// `count` connections to update, each with an API destination to update; the connections
    /// at `failing` cannot be planned.
    fn plan_of(count: usize, failing: &[usize]) -> Plan {
        let steps = (0..count)
            .flat_map(|i| {
                let error = failing
                    .contains(&i)
                    .then(|| format!("secret salesforce/org-{i:03} cannot be read: AccessDenied"));
                let connection = entry(
                    ResourceKind::Connection,
                    &format!("sf-org-{i:03}"),
                    error.as_deref(),
                );
                let parent = connection.address.clone();
                [
                    PlanStep::recorded(connection, None),
                    PlanStep::recorded(
                        entry(
                            ResourceKind::ApiDestination,
                            &format!("sf-org-{i:03}-orders"),
                            None,
                        ),
                        Some(parent),
                    ),
                ]
            })
            .collect();
        Plan {
            places: vec![crate::tests::place("eu-west-1")],
            steps,
            ..Plan::default()
        }
    }

    /// The table rows of a shortened document that name a resource.
    fn rows_naming_an_org(shown: &str) -> usize {
        shown
            .lines()
            .filter(|line| line.contains("`sf-org-") && line.starts_with('|'))
            .count()
    }

    fn assert_blocks_closed(shown: &str) {
        assert_eq!(
            shown.matches("<details>").count(),
            shown.matches("</details>").count()
        );
    }

    #[test]
    fn four_hundred_changed_connections_fit_a_comment_with_the_counts_every_error_and_a_note() {
        let failing = [7, 250, 399];
        let plan = plan_of(400, &failing);
        let view = MarkdownView {
            max_chars: super::super::DEFAULT_MAX_CHARS,
        };
        let whole = MarkdownView {
            max_chars: usize::MAX,
        }
        .plan(&plan);
        assert!(length(&whole) > 150_000, "{}", length(&whole));

        let shown = view.plan(&plan);
        assert!(length(&shown) <= 60_000, "{}", length(&shown));
        assert!(length(&shown) < 65_536);
        assert!(
            shown.starts_with(
                "### provision diff\n\n| create | update | in sync | error |\n| ---: | ---: | ---: | ---: |\n| 0 | 397 | 0 | 3 |\n\nAPI destinations: 0 to create, 400 to update, 0 to delete, 0 in sync.\n\n> **Shortened to 60000 characters"
            ),
            "{shown}"
        );
        // Each error first, with its row and its details.
        for i in failing {
            let row = format!("| ❌ error | `sf-org-{i:03}` | eu-west-1 | - |\n");
            assert!(shown.contains(&row), "{row}");
            assert!(shown.contains(&format!(
                "secret salesforce/org-{i:03} cannot be read: AccessDenied"
            )));
        }
        let first_row = shown
            .lines()
            .find(|line| line.starts_with("| ❌") || line.starts_with("| 🔄"));
        assert_eq!(
            first_row,
            Some("| ❌ error | `sf-org-007` | eu-west-1 | - |")
        );
        // The note counts exactly the entries without a row.
        let rows = rows_naming_an_org(&shown);
        assert!(rows > 6 && rows < 800, "{rows}");
        assert!(
            shown.contains(&format!(
                "{} of 800 entries are left out of this document; the counts include them, and every failure is shown. The whole document is `provision diff --output json` (in CI, the workflow's artifact).\n",
                800 - rows
            )),
            "{shown}"
        );
        // Nothing cut in two: each block is closed, each row whole, each shown entry has its
        // details.
        assert_blocks_closed(&shown);
        assert_eq!(shown.matches("<details>").count(), rows);
        for line in shown.lines().filter(|line| line.starts_with('|')) {
            assert!(line.ends_with('|'), "{line}");
        }
        assert!(shown.ends_with("</details>\n\n"), "{shown}");
    }

    #[test]
    fn a_document_within_the_limit_is_unchanged_and_one_character_more_is_cut() {
        let plan = plan_of(3, &[]);
        let whole = MarkdownView {
            max_chars: usize::MAX,
        }
        .plan(&plan);
        let at_limit = MarkdownView {
            max_chars: length(&whole),
        };
        assert_eq!(at_limit.plan(&plan), whole);
        let under = MarkdownView {
            max_chars: length(&whole) - 1,
        }
        .plan(&plan);
        assert_ne!(under, whole);
        assert!(length(&under) < length(&whole), "{under}");
        assert!(
            under.contains("entries are left out of this document"),
            "{under}"
        );
    }

    #[test]
    fn a_long_apply_document_keeps_every_failure() {
        let plan = plan_of(400, &[]);
        let results: Vec<ApplyResult> = plan
            .connections()
            .enumerate()
            .map(|(i, step)| {
                let mut result = ApplyResult::new(
                    step.entry(),
                    if i == 333 {
                        Outcome::Failed
                    } else {
                        Outcome::Updated
                    },
                );
                if i == 333 {
                    result.error = Some("UpdateConnection: ThrottlingException".into());
                }
                result
            })
            .collect();
        let shown = MarkdownView { max_chars: 20_000 }.applied(&plan, &results);
        assert!(length(&shown) <= 20_000, "{}", length(&shown));
        assert!(
            shown.contains("| ❌ failed | `sf-org-333` | eu-west-1 | - |\n"),
            "{shown}"
        );
        assert!(shown.contains("UpdateConnection: ThrottlingException"));
        let rows = rows_naming_an_org(&shown);
        assert!(
            shown.contains(&format!(
                "> **Shortened to 20000 characters (`--max-chars`):** {} of 400 entries are left out of this document",
                400 - rows
            )),
            "{shown}"
        );
        assert_blocks_closed(&shown);
    }

    #[test]
    fn a_long_verify_document_keeps_every_failure_and_the_counts_in_closed_fences() {
        use crate::plan::verify_report::{Verified, VerifyReport};
        let results = (0..1_000)
            .map(|i| {
                let mut result = Verified::new(&format!("sf-org-{i:03}"), "eu-west-1");
                if i == 640 {
                    result.error = Some("invalid_client".into());
                    result.error_description = Some("invalid client credentials".into());
                } else {
                    result.ok = true;
                    result.instance_url = Some("https://acme.my.salesforce.com".into());
                }
                result
            })
            .collect();
        let report = VerifyReport {
            regions: vec!["eu-west-1".to_string()],
            left_out: Vec::new(),
            results,
        };
        let shown = MarkdownView { max_chars: 10_000 }.verified(&report);
        assert!(length(&shown) <= 10_000, "{}", length(&shown));
        let lines = shown
            .lines()
            .filter(|line| line.contains("  sf-org-"))
            .count();
        assert!(
            shown.starts_with(&format!(
                "> **Shortened to 10000 characters (`--max-chars`):** {} of 1000 entries are left out of this document; the counts include them, and every failure is shown. The whole document is `provision verify --output json` (in CI, the workflow's artifact).\n\n```text\nfailed  sf-org-640  eu-west-1  invalid_client: invalid client credentials\nok  sf-org-000  eu-west-1  https://acme.my.salesforce.com\n",
                1000 - lines
            )),
            "{shown}"
        );
        assert!(
            shown.ends_with("```\n```text\nVerify: 999 ok, 1 failed.\n```\n"),
            "{shown}"
        );
    }
}
