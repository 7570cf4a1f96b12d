//! The run's memory of every secret value it read, and the redaction of text by it.
//!
//! A secret is redacted in every form it can come back in ([`super::forms`]): raw, escaped,
//! percent- or form-encoded, inside Base64, and as any piece of it at least [`PIECE_LEN`] bytes
//! long (an echo cut to a length keeps a piece). Pieces are found with a set of every
//! [`PIECE_LEN`]-byte window of every form: a text position whose next [`PIECE_LEN`] bytes are
//! in the set is inside a secret, and the union of all such spans is replaced. Remembering a
//! value adds its windows to the set (nothing is rebuilt), so thousands of secrets stay cheap.
//!
//! A piece that is also text the run knows to be public ([`public`]: a connection's name, a
//! destination's, a description) tells nothing about the secret, and a name such as
//! `sf-acme-prod` must stay readable even when a secret starts with it: a run of pieces that
//! lies wholly inside such a text where it stands is left alone. A whole secret is always
//! replaced.

use super::forms::{base64_forms, decoded_views};
use super::{SHOWN_AS, Secret};
use secrecy::{ExposeSecret, SecretString};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

/// Values shorter than this are not redacted: they would mangle ordinary words and say
/// nothing about the secret (AWS and Salesforce secrets are far longer).
const REDACT_MIN_LEN: usize = 4;

/// The length of the shortest piece of a secret that is redacted wherever it appears. Sixteen
/// bytes of a random secret never occur by chance, and a readable secret
/// (`destinations-consumer-secret-…`) does not share that many with the words of the output
/// ("API destinations"); a shorter secret is redacted whole.
pub(crate) const PIECE_LEN: usize = 16;

/// Every secret value read in this run, as the windows that find it.
struct Known {
    /// Raw values, so the same value is not added twice.
    values: Vec<SecretString>,
    /// Every [`PIECE_LEN`]-byte window of every value (raw bytes).
    pieces: Windows,
    /// Every [`PIECE_LEN`]-byte window of every value's Base64 forms, in the standard
    /// alphabet (text is looked up with the URL-safe letters mapped to the standard ones).
    base64_pieces: Windows,
    /// Values looked for whole only: those shorter than [`PIECE_LEN`], and whole JSON
    /// documents (whose keys are no secret; the fields read from them are remembered on
    /// their own).
    whole: Vec<SecretString>,
    /// Finds the `whole` values; built when first needed after one was added.
    whole_matcher: Option<aho_corasick::AhoCorasick>,
}

static KNOWN: Mutex<Option<Known>> = Mutex::new(None);

/// A set of windows. Every byte of every output is looked up once per view, so the hash is a
/// cheap mix of the window's two halves rather than SipHash: the keys are not chosen by an
/// attacker who could profit from collisions (a collision only costs a lookup).
type Windows = HashSet<[u8; PIECE_LEN], std::hash::BuildHasherDefault<WindowHasher>>;

#[derive(Default)]
struct WindowHasher(u64);

impl std::hash::Hasher for WindowHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(29) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, _: usize) {}
}

/// Text the run knows to be public, and the matcher that finds it (rebuilt when one is added).
struct Public {
    values: Vec<String>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

static PUBLIC: Mutex<Public> = Mutex::new(Public {
    values: Vec::new(),
    matcher: None,
});

/// Remembers `text` as public: a declared or listed name, a description. A piece of a secret
/// that stands inside it is not redacted there (the secret itself always is).
pub(crate) fn public(text: &str) {
    if text.len() < PIECE_LEN {
        return;
    }
    let mut public = PUBLIC.lock().unwrap_or_else(PoisonError::into_inner);
    if !public.values.iter().any(|v| v == text) {
        public.values.push(text.to_string());
        public.matcher = None;
    }
}

/// Where public text stands in `text`.
fn public_spans(text: &str) -> Vec<(usize, usize)> {
    let mut public = PUBLIC.lock().unwrap_or_else(PoisonError::into_inner);
    if public.values.is_empty() {
        return Vec::new();
    }
    if public.matcher.is_none() {
        public.matcher = aho_corasick::AhoCorasick::new(&public.values).ok();
    }
    match &public.matcher {
        Some(matcher) => matcher
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect(),
        None => Vec::new(),
    }
}

fn windows(bytes: &[u8]) -> impl Iterator<Item = [u8; PIECE_LEN]> + '_ {
    bytes
        .windows(PIECE_LEN)
        .map(|w| w.try_into().expect("windows have PIECE_LEN bytes"))
}

/// Remembers `value` as a secret of this run: from now on it is redacted from every output.
pub(super) fn remember(value: &str) {
    if value.len() < REDACT_MIN_LEN {
        return;
    }
    let mut guard = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    let known = guard.get_or_insert_with(|| Known {
        values: Vec::new(),
        pieces: Windows::default(),
        base64_pieces: Windows::default(),
        whole: Vec::new(),
        whole_matcher: None,
    });
    if known.values.iter().any(|v| v.expose_secret() == value) {
        return;
    }
    known.values.push(SecretString::from(value.to_string()));
    // A JSON document (a secret of several fields, the managed secret) holds keys and plain
    // values that are no secret: it is looked for whole, and each field read from it is
    // remembered on its own when it is read.
    let document = matches!(
        serde_json::from_str::<serde_json::Value>(value),
        Ok(serde_json::Value::Object(_) | serde_json::Value::Array(_))
    );
    if document || value.len() < PIECE_LEN {
        known.whole.push(SecretString::from(value.to_string()));
        known.whole_matcher = None;
    } else {
        known.pieces.extend(windows(value.as_bytes()));
        for form in base64_forms(value.as_bytes()) {
            known
                .base64_pieces
                .extend(windows(&standard_alphabet(&form)));
        }
    }
}

/// Remembers every string value of `value` when it is a JSON document (an object or an
/// array, at any depth; not its keys): a secret of several fields read for one of them (`key:
/// consumer_secret`) holds others (`other_password`) that an echo cut short, which the whole
/// document no longer matches, could still show.
pub(super) fn remember_strings_of(value: &str) {
    fn walk(value: &serde_json::Value) {
        match value {
            serde_json::Value::String(text) => remember(text),
            serde_json::Value::Array(items) => items.iter().for_each(walk),
            serde_json::Value::Object(fields) => fields.values().for_each(walk),
            _ => {}
        }
    }
    if let Ok(document @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) =
        serde_json::from_str::<serde_json::Value>(value)
    {
        walk(&document);
    }
}

/// URL-safe Base64 letters as the standard ones, so one set serves both alphabets.
fn standard_alphabet(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect()
}

/// `text` with every secret value read in this run, in any of its forms, replaced by `(secret)`.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let mut guard = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(known) = guard.as_mut() else {
        return Cow::Borrowed(text);
    };
    if known.whole_matcher.is_none() && !known.whole.is_empty() {
        let patterns: Vec<&str> = known.whole.iter().map(|v| v.expose_secret()).collect();
        known.whole_matcher = aho_corasick::AhoCorasick::new(patterns).ok();
    }
    let known = &*known;
    let mut found = Found::default();
    let raw = text.as_bytes();
    find(known, raw, &mut |span, whole| found.add(span, whole));
    let normalized = standard_alphabet(raw);
    for (i, window) in windows(&normalized).enumerate() {
        if known.base64_pieces.contains(&window) {
            found.add((i, i + PIECE_LEN), false);
        }
    }
    for view in decoded_views(text) {
        find(known, &view.bytes, &mut |(start, end), whole| {
            found.add((view.spans[start].0, view.spans[end - 1].1), whole);
        });
    }
    if found.whole.is_empty() && found.pieces.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut spans = found.whole;
    let public = public_spans(text);
    spans.extend(merged(found.pieces).into_iter().filter(|&(start, end)| {
        let inside_public = public.iter().any(|&(from, to)| from <= start && end <= to);
        !inside_public || holds_a_whole_value(known, &raw[start..end])
    }));
    drop(guard);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(replace(text, spans))
}

/// The spans of `text` found to hold a secret: whole values, and pieces.
#[derive(Default)]
struct Found {
    whole: Vec<(usize, usize)>,
    pieces: Vec<(usize, usize)>,
}

impl Found {
    fn add(&mut self, span: (usize, usize), whole: bool) {
        if whole {
            self.whole.push(span);
        } else {
            self.pieces.push(span);
        }
    }
}

/// Calls `found(span, whole)` for every span of `bytes` that is a secret (`whole`) or a piece
/// of one.
fn find(known: &Known, bytes: &[u8], found: &mut impl FnMut((usize, usize), bool)) {
    for (i, window) in windows(bytes).enumerate() {
        if known.pieces.contains(&window) {
            found((i, i + PIECE_LEN), false);
        }
    }
    if let Some(matcher) = &known.whole_matcher {
        for m in matcher.find_overlapping_iter(bytes) {
            found((m.start(), m.end()), true);
        }
    }
}

/// True when `run` (a short run of pieces) contains a whole secret value.
fn holds_a_whole_value(known: &Known, run: &[u8]) -> bool {
    known.values.iter().any(|value| {
        let needle = value.expose_secret().as_bytes();
        needle.len() <= run.len() && run.windows(needle.len()).any(|w| w == needle)
    })
}

/// Overlapping or touching spans joined into maximal runs, in order.
fn merged(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match runs.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => runs.push((start, end)),
        }
    }
    runs
}

/// `text` with the union of `spans` (widened to whole characters) each replaced by `(secret)`.
fn replace(text: &str, spans: Vec<(usize, usize)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut written = 0;
    for (mut start, mut end) in merged(spans) {
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let start = start.max(written);
        if start < end {
            out.push_str(&text[written..start]);
            out.push_str(SHOWN_AS);
            written = end;
        }
    }
    out.push_str(&text[written..]);
    out
}

/// Text from outside the tool (an AWS error message, an OAuth `error_description`, a Connect
/// API message), made safe the moment it is read: redacted first, then cut to `max_chars`
/// characters, so a cut can never leave a piece of a secret behind.
pub(crate) fn outside(text: &str, max_chars: usize) -> String {
    let redacted = redact(text);
    match redacted.char_indices().nth(max_chars) {
        Some((cut, _)) => redacted[..cut].to_string(),
        None => redacted.into_owned(),
    }
}

/// Field names under which an answer carries a secret (compared without case, `_` or `-`).
const SECRET_FIELDS: &[&str] = &[
    "secret",
    "consumersecret",
    "clientsecret",
    "key",
    "consumerkey",
    "clientid",
    "accesstoken",
    "refreshtoken",
    "password",
    "token",
];

/// Remembers as secrets every value an answer carries under a secret's field name, at any
/// depth: an error answer from Salesforce may still hold the consumer secret we were about to
/// read, and it must be redacted wherever the rest of that answer is shown.
pub(crate) fn remember_answer(answer: &serde_json::Value) {
    match answer {
        serde_json::Value::Object(fields) => {
            for (name, value) in fields {
                let name: String = name
                    .chars()
                    .filter(|c| *c != '_' && *c != '-')
                    .flat_map(char::to_lowercase)
                    .collect();
                match value {
                    serde_json::Value::String(text) if SECRET_FIELDS.contains(&name.as_str()) => {
                        drop(Secret::new(text.clone()));
                    }
                    other => remember_answer(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(remember_answer),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_text_has_every_secret_value_read_replaced() {
        let _ = Secret::new("redact-me-0123456789");
        let _ = Secret::new("redact-me-0123456789-and-more");
        let echoed = "invalid_client: client_secret=redact-me-0123456789-and-more; also redact-me-0123456789.";
        assert_eq!(
            redact(echoed),
            "invalid_client: client_secret=(secret); also (secret)."
        );
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn escaped_and_encoded_forms_are_redacted() {
        let _ = Secret::new("Q\"w\\e+r/t=y z%u");
        for echoed in [
            r#"{"m":"Q\"w\\e+r/t=y z%u"}"#,
            "client_secret=Q%22w%5Ce%2Br%2Ft%3Dy+z%25u&x=1",
            "client_secret=Q%22w%5ce%2br%2ft%3dy%20z%25u",
            r#"Q\u0022w\u005ce+r\/t=y z%u"#,
        ] {
            let shown = redact(echoed);
            assert!(shown.contains(SHOWN_AS), "{echoed} -> {shown}");
            assert!(!shown.contains("r/t=y"), "{echoed} -> {shown}");
            assert!(!shown.contains("%2Ft"), "{echoed} -> {shown}");
            assert!(!shown.contains("r\\/t"), "{echoed} -> {shown}");
        }
    }

    #[test]
    fn a_long_enough_piece_is_redacted_and_a_cut_leaves_none() {
        let _ = Secret::new("piece-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        assert_eq!(redact("x ABCDEFGHIJKLMNOP y"), "x (secret) y");
        assert_eq!(redact("x ABCDEFGHIJKLMNO y"), "x ABCDEFGHIJKLMNO y");
        assert_eq!(
            outside(
                "error: the secret piece-ABCDEFGHIJKLMNOPQRSTUVWXYZ is wrong",
                24
            ),
            "error: the secret (secre"
        );
    }

    #[test]
    fn a_json_secret_is_redacted_whole_and_its_keys_stay_readable() {
        let document = r#"{"client_parameters": {"client_id": "Sforce-Call-Options-x"}}"#;
        let _ = Secret::new(document);
        assert_eq!(redact(&format!("got {document}")), "got (secret)");
        assert_eq!(
            redact("header Sforce-Call-Options-x, field client_parameters"),
            "header Sforce-Call-Options-x, field client_parameters"
        );
    }

    #[test]
    fn every_string_of_a_json_secret_is_remembered_and_a_cut_echo_shows_none() {
        let document = r#"{"consumer_secret": "selected-field-value-3a4b5c6d", "nested": {"other_password": "unrelated-field-value-7e8f9a0b"}, "list": ["listed-field-value-1c2d3e4f"], "port": 8443}"#;
        let secret = Secret::new(document);
        secret.remember_strings();
        // AWS echoes the document cut short: the whole no longer matches, each field does.
        let cut = &document[..document.find("\"]").unwrap()];
        let shown = redact(cut);
        for value in [
            "selected-field-value-3a4b5c6d",
            "unrelated-field-value-7e8f9a0b",
            "listed-field-value-1c2d3e4f",
        ] {
            assert!(!shown.contains(value), "{shown}");
        }
        assert!(
            shown.contains("other_password"),
            "keys stay readable: {shown}"
        );
    }

    #[test]
    fn a_public_name_inside_a_secret_stays_readable() {
        public("sf-public-name-x");
        let _ = Secret::new("sf-public-name-x-consumer-secret-1");
        assert_eq!(
            redact("ok  sf-public-name-x  us-east-1"),
            "ok  sf-public-name-x  us-east-1"
        );
        assert_eq!(
            redact("echo sf-public-name-x-consumer-secret-1 and sf-public-name-x-consumer"),
            "echo (secret) and (secret)"
        );
    }

    #[test]
    fn redaction_keeps_text_around_multibyte_characters_whole() {
        let _ = Secret::new("é-multibyte-secret-€");
        assert_eq!(redact("«é-multibyte-secret-€»"), "«(secret)»");
    }

    #[test]
    fn an_answer_s_secret_fields_are_remembered() {
        let answer: serde_json::Value = serde_json::json!([
            {"errorCode": "X", "message": "m", "detail": {"consumerSecret": "answer-held-secret-1"}}
        ]);
        remember_answer(&answer);
        assert_eq!(redact("it was answer-held-secret-1"), "it was (secret)");
    }
}
