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

use super::{View, WINDOW_NOTE, error_lines};
use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::outside::Outside;
use crate::plan::credentials_report::{CredentialsReport, SecretWrite};
use crate::plan::rotation_report::RotationReport;
use crate::plan::{
    Action, ApplyResult, Entry, FieldChange, Outcome, Plan, SecretStatus, apply_summary,
};
use std::fmt::Write;

pub(crate) struct MarkdownView;

impl View for MarkdownView {
    fn exported(&self, files: &[super::ExportedFile]) -> String {
        fenced(
            &super::view(super::Format::Text, super::Style { colour: false }, false)
                .exported(files),
        )
    }

    fn verified(&self, report: &crate::plan::verify_report::VerifyReport) -> String {
        fenced(
            &super::view(super::Format::Text, super::Style { colour: false }, false)
                .verified(report),
        )
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
                    prose(&record.detail)
                );
            }
            out.push('\n');
            if let Some(window) = outcome.window_seconds {
                let _ = writeln!(out, "> {WINDOW_NOTE}; the window was {window:.1}s.\n");
            }
            if let Some(error) = &outcome.error {
                let _ = writeln!(out, "**Error:** {}\n", prose(error));
            }
            if let Some(now) = &outcome.now {
                let _ = writeln!(out, "**Now:** {}\n", prose(now));
            }
            if let Some(hint) = &outcome.hint {
                let _ = writeln!(out, "**Help:** {}\n", prose(hint));
            }
        }
        out
    }

    fn validated(&self, specs: &[ConnectionSpec], _: Option<&std::path::Path>) -> String {
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

    fn plan(&self, plan: &Plan) -> String {
        let mut out = String::from("### provision diff\n\n");
        plan_summary(&mut out, plan);
        for entry in plan
            .entries()
            .chain(plan.destination_entries())
            .filter(|entry| needs_details(entry))
        {
            entry_details(&mut out, entry, None);
        }
        left_out(&mut out, plan);
        out
    }

    fn apply_started(&self, _plan: &Plan) -> String {
        String::new()
    }

    fn result(&self, _plan: &Plan, _result: &ApplyResult) -> String {
        String::new()
    }

    fn applied(&self, plan: &Plan, results: &[ApplyResult]) -> String {
        let mut out = String::from("### provision apply\n\n");
        let s = apply_summary(results);
        out.push_str(
            "| created | updated | replaced | deleted | unchanged | failed | not started |\n",
        );
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
        out.push_str("| outcome | connection | region | state |\n");
        out.push_str("| --- | --- | --- | --- |\n");
        for result in results {
            let state = result
                .state
                .as_ref()
                .map(|state| state.to_string())
                .unwrap_or_else(|| "-".to_string());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                outcome_label(result.outcome),
                cell_code(&result.name),
                prose(&result.region),
                prose(&state)
            );
        }
        out.push('\n');
        for result in results {
            let entry = plan
                .entries()
                .find(|entry| entry.name == result.name && entry.region == result.region);
            let attention = result.outcome != Outcome::Unchanged
                || entry.is_some_and(needs_details)
                || result.error.is_some();
            if !attention {
                continue;
            }
            match entry {
                Some(entry) => entry_details(&mut out, entry, Some(result)),
                None => result_details(&mut out, result),
            }
        }
        left_out(&mut out, plan);
        out
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

/// The counts and one row per connection.
fn plan_summary(out: &mut String, plan: &Plan) {
    let s = plan.summary();
    out.push_str("| create | update | in sync | error |\n");
    out.push_str("| ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |\n",
        s.create, s.update, s.in_sync, s.error
    );
    if plan.connections().next().is_none() {
        let _ = writeln!(
            out,
            "No connections declared in {}.\n",
            plan.regions.join(", ")
        );
        return;
    }
    out.push_str("| action | connection | region | state |\n");
    out.push_str("| --- | --- | --- | --- |\n");
    for step in plan.connections() {
        let entry = step.entry();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            action_label(entry.action),
            cell_code(&entry.name),
            prose(&entry.region),
            state(entry)
        );
        // Its API destinations, under it.
        for destination in step.destinations.iter().map(|d| d.entry()) {
            let _ = writeln!(
                out,
                "| {} | ↳ {} (API destination) | {} | |",
                action_label(destination.action),
                cell_code(&destination.name),
                prose(&destination.region)
            );
        }
    }
    for pruned in plan.pruned_destinations().map(|d| d.entry()) {
        let _ = writeln!(
            out,
            "| {} | {} (API destination) | {} | |",
            action_label(pruned.action),
            cell_code(&pruned.name),
            prose(&pruned.region)
        );
    }
    out.push('\n');
    if plan.destination_entries().next().is_some() {
        let d = plan.destination_summary();
        let _ = writeln!(
            out,
            "API destinations: {} to create, {} to update, {} to delete, {} in sync.\n",
            d.create, d.update, d.delete, d.in_sync
        );
    }
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
fn entry_details(out: &mut String, entry: &Entry, result: Option<&ApplyResult>) {
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
        html(&entry.name),
        html(&entry.region)
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
    if let Some(result) = result {
        result_body(out, result);
    }
    out.push_str("</details>\n\n");
}

/// A result without a plan entry (not expected; shown rather than dropped).
fn result_details(out: &mut String, result: &ApplyResult) {
    let _ = writeln!(
        out,
        "<details><summary>{} <code>{}</code> in {}</summary>\n",
        outcome_label(result.outcome),
        html(&result.name),
        html(&result.region)
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

fn left_out(out: &mut String, plan: &Plan) {
    if plan.left_out.is_empty() {
        return;
    }
    out.push_str("**Left out of this run:**\n\n");
    for left in &plan.left_out {
        let _ = writeln!(
            out,
            "- {} in {}: {}",
            code(&left.name),
            left.region,
            prose(&left.reason)
        );
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
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest.max(2) + 1);
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
        let shown = MarkdownView.credentials_written(&report);
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
}
