//! Text from outside (what AWS, Salesforce or the YAML wrote) is data: it never drives a
//! terminal or a CI log.
//!
//! An [`Outside`] holds such a text exactly as it came, and its `Display` shows it escaped
//! ([`escape`]), so no place that prints it can forget: a control character (C0, DEL, C1), a
//! line or paragraph separator, a bidi override or another invisible format character shows as a
//! visible escape (`\n`, `\r`, `\t`, `\u001b`: JSON's forms, which the redactor also reads
//! back), so outside text can neither move the cursor, recolour or retitle a terminal, overwrite
//! a line with a carriage return, nor start a line of its own. Its `Serialize` writes the exact
//! text: JSON output stays exact (JSON escapes control characters itself).
//!
//! The GitHub Actions runner reads a line as a workflow command in two ways
//! (`src/Runner.Common/ActionCommand.cs` in actions/runner: `TryParseV2` after `TrimStart()`,
//! `StartsWith("::")`; the legacy `TryParse` at `IndexOf("##[")` anywhere in a line, both
//! compared with the culture's rules, which skip invisible format characters). So the escape
//! also shows a text that starts with `::` (after white space) with its first colon escaped, and
//! every `##[` with its bracket escaped: placed at the start of a line by the tool (`  {name}`),
//! it still cannot become a command. The escape is idempotent: escaped text has nothing left
//! to escape, and a backslash stays as it is.
//!
//! [`crate::term`] applies [`neutralise_line`] to every line it writes, as a last line of
//! defence for text that reached it as a plain `String`.

use std::borrow::Cow;
use std::fmt;

/// Text that came from AWS, Salesforce or the YAML. Shown escaped ([`escape`], after
/// redaction); serialized exactly.
#[derive(
    Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub(crate) struct Outside(String);

impl Outside {
    /// Text just read from an answer (an AWS error message, an OAuth `error_description`, a
    /// Connect API message): redacted and cut to `max_chars` the moment it is read
    /// ([`crate::secret::outside`]).
    pub(crate) fn read(text: &str, max_chars: usize) -> Self {
        Outside(crate::secret::outside(text, max_chars))
    }

    /// The exact text: for JSON, comparisons and requests, never for a line a person reads.
    /// (There is no `Deref` to `str`: reaching the raw text is always this explicit call.)
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Outside {
    fn from(text: String) -> Self {
        Outside(text)
    }
}

impl From<&str> for Outside {
    fn from(text: &str) -> Self {
        Outside(text.to_string())
    }
}

impl From<&String> for Outside {
    fn from(text: &String) -> Self {
        Outside(text.clone())
    }
}

impl From<Cow<'_, str>> for Outside {
    fn from(text: Cow<'_, str>) -> Self {
        Outside(text.into_owned())
    }
}

impl PartialEq<str> for Outside {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Outside {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Outside {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// Redacted first (the redactor matches the raw text, so an escape cannot hide a secret from
/// it), then escaped.
impl fmt::Display for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = crate::secret::redact(&self.0);
        f.write_str(&escape(&redacted))
    }
}

impl fmt::Debug for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// `text` as a line a person or a CI runner reads: every character that could act on a
/// terminal or a log shown as a visible escape ([`hidden`]), a leading `::` and every `##[`
/// broken up. Text without any of these is returned as it is.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    let starts_command = text.trim_start().starts_with("::");
    if !starts_command && !text.contains("##[") && !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => push_code(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(break_commands(&out))
}

/// A control character (C0, DEL, C1), a line or paragraph separator, or an invisible format
/// character: a bidi control, a zero-width character, a soft hyphen, a variation selector
/// (Unicode's `Default_Ignorable_Code_Point` and the format characters, general category Cf).
/// The runner's culture-sensitive comparison skips the invisible ones, so `:\u200b:` would
/// still read as `::` if they were left raw.
pub(crate) fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// `c` as JSON writes it: `\u001b`, or a surrogate pair beyond the first plane.
fn push_code(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        out.push_str(&format!("\\u{unit:04x}"));
    }
}

/// `text` (already free of hidden characters) with a leading `::` (after white space) shown
/// as `\u003a:` and every `##[` as `##\u005b`: neither of the runner's two command forms is
/// left in it.
fn break_commands(text: &str) -> String {
    let body = text.trim_start();
    let mut out = String::with_capacity(text.len() + 8);
    if body.starts_with("::") {
        out.push_str(&text[..text.len() - body.len()]);
        out.push_str("\\u003a");
        out.push_str(&body[1..]);
    } else {
        out.push_str(text);
    }
    out.replace("##[", "##\\u005b")
}

/// One line the tool is about to write, made safe whatever it holds: every control character
/// other than a tab and the colour codes the text view paints with (`ESC [ digits ; m`) shown
/// escaped, and the runner's command forms broken up ([`break_commands`]). Ordinary lines come
/// back as they are. This is the last line of defence in [`crate::term`]; [`Outside`] is the
/// fix.
pub(crate) fn neutralise_line(line: &str) -> Cow<'_, str> {
    let starts_command = line.trim_start().starts_with("::");
    let stray = line
        .char_indices()
        .any(|(at, c)| c != '\t' && c.is_control() && !(c == '\x1b' && colour_code(&line[at..])));
    if !starts_command && !line.contains("##[") && !stray {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b'
            && let Some(length) = colour_code_length(rest)
        {
            out.push_str(&rest[..length]);
            rest = &rest[length..];
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if c.is_control() => push_code(&mut out, c),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(break_commands(&out))
}

/// `text` (any number of lines) with every line made safe by [`neutralise_line`].
pub(crate) fn neutralise(text: &str) -> Cow<'_, str> {
    let lines: Vec<(Cow<'_, str>, &str)> = text
        .split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(body) => (neutralise_line(body), "\n"),
            None => (neutralise_line(line), ""),
        })
        .collect();
    if lines
        .iter()
        .all(|(line, _)| matches!(line, Cow::Borrowed(_)))
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        lines
            .into_iter()
            .map(|(line, end)| format!("{line}{end}"))
            .collect(),
    )
}

/// True when `text` starts with a colour code (Select Graphic Rendition: `ESC [`, digits and
/// `;`, then `m`), the only escape sequence the tool writes.
fn colour_code(text: &str) -> bool {
    colour_code_length(text).is_some()
}

fn colour_code_length(text: &str) -> Option<usize> {
    let parameters = text.strip_prefix("\x1b[")?;
    let digits = parameters
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (parameters.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hostile answers of issue 33: a terminal escape, OSC 8 and OSC 52 sequences, a bare
    /// carriage return, and the runner's workflow commands after a newline.
    const HOSTILE: &str = "\x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x1b]52;c;cHduZWQ=\x07 failed\rok\n::error::x\n  ::add-mask::x\n::stop-commands::tok";

    #[test]
    fn outside_text_is_shown_escaped_and_serialized_exactly() {
        let text = Outside::from(HOSTILE);
        assert_eq!(
            text.to_string(),
            "\\u001b[2J\\u001b]8;;https://evil.example\\u0007link\\u001b]8;;\\u0007\\u001b]52;c;cHduZWQ=\\u0007 failed\\rok\\n::error::x\\n  ::add-mask::x\\n::stop-commands::tok"
        );
        assert_eq!(
            serde_json::to_string(&text).unwrap(),
            serde_json::to_string(HOSTILE).unwrap()
        );
        let back: Outside = serde_json::from_str(&serde_json::to_string(&text).unwrap()).unwrap();
        assert_eq!(back, HOSTILE);
    }

    #[test]
    fn no_line_can_start_with_a_workflow_command() {
        assert_eq!(escape("::add-mask::x"), "\\u003a:add-mask::x");
        assert_eq!(escape("  ::error::x"), "  \\u003a:error::x");
        assert_eq!(
            escape("\u{a0}::stop-commands::tok"),
            "\u{a0}\\u003a:stop-commands::tok"
        );
        assert_eq!(escape("see ##[error]x"), "see ##\\u005berror]x");
        // Invisible characters the runner would skip are shown, so they cannot hide a command.
        assert_eq!(escape(":\u{200b}:add-mask::x"), ":\\u200b:add-mask::x");
        assert_eq!(escape("##\u{2060}[error]"), "##\\u2060[error]");
        // A colon pair inside a text (an IAM ARN) is no command, and stays.
        assert_eq!(
            escape("arn:aws:iam::123456789012:role/x"),
            "arn:aws:iam::123456789012:role/x"
        );
    }

    #[test]
    fn separators_bidi_and_c1_controls_are_shown() {
        assert_eq!(escape("a\u{2028}b\u{2029}c"), "a\\u2028b\\u2029c");
        assert_eq!(escape("\u{202e}txt.exe"), "\\u202etxt.exe");
        assert_eq!(escape("\u{9b}2J\u{85}\u{7f}"), "\\u009b2J\\u0085\\u007f");
        assert_eq!(escape("tag\u{e0041}"), "tag\\udb40\\udc41");
    }

    #[test]
    fn ordinary_text_is_left_as_it_is_and_escaping_twice_changes_nothing() {
        for text in [
            "sf-acme-prod",
            "Acme production org (owner: \"team\") \\ 50% ✅ ü",
            "InvalidParameter: the endpoint must be https://acme.my.salesforce.com",
        ] {
            assert!(matches!(escape(text), Cow::Borrowed(_)), "{text}");
        }
        let once = escape(HOSTILE).into_owned();
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn a_secret_with_a_character_that_is_escaped_is_still_redacted() {
        let secret = crate::secret::Secret::new("outside-secret-\u{1b}[31m-\n-4f1c9a2b");
        let echo = Outside::from(format!("invalid_client: {}", secret.expose()));
        assert_eq!(echo.to_string(), "invalid_client: (secret)");
    }

    #[test]
    fn the_last_line_of_defence_keeps_colour_and_breaks_the_rest() {
        assert_eq!(
            neutralise_line("\x1b[31mfailed\x1b[0m\t3"),
            "\x1b[31mfailed\x1b[0m\t3"
        );
        assert_eq!(
            neutralise_line("failed\rok \x1b]52;c;eA==\x07 \x1b[2J"),
            "failed\\rok \\u001b]52;c;eA==\\u0007 \\u001b[2J"
        );
        assert_eq!(neutralise_line("  ::add-mask::x"), "  \\u003a:add-mask::x");
        assert_eq!(neutralise_line("x ##[error]y"), "x ##\\u005berror]y");
        assert_eq!(neutralise_line("plan ok"), "plan ok");
        assert_eq!(
            neutralise("ok\n\x1b[1mPlan\x1b[0m\n::error::x\n"),
            "ok\n\x1b[1mPlan\x1b[0m\n\\u003a:error::x\n"
        );
    }
}
