//! The forms a secret can take on its way back to us, and the decoded views of a text in which
//! to look for it.
//!
//! An endpoint or an AWS error may echo what we sent in another form than we hold it: escaped
//! inside JSON (`\"`, `\\`, `\u0041`), percent- or form-encoded (the token request body, as an
//! endpoint echoes it: `%2B`, `%2b`, `+` for a space), Base64 (an `Authorization: Basic` header
//! of `id:secret`), or cut to a length. Rather than guess every encoder's exact output, the
//! redactor decodes the *text* in each way (a [`View`] maps every decoded byte back to the bytes
//! it came from) and looks for the raw secret there; only Base64, which cannot be decoded
//! without knowing where it starts, is looked for as encoded patterns ([`base64_forms`]).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// A text decoded one way, with where each decoded byte came from in the original.
pub(super) struct View {
    pub(super) bytes: Vec<u8>,
    /// For each decoded byte, the span `[start, end)` of the original text it was decoded from.
    pub(super) spans: Vec<(usize, usize)>,
}

impl View {
    fn with_capacity(n: usize) -> Self {
        View {
            bytes: Vec::with_capacity(n),
            spans: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, byte: u8, start: usize, end: usize) {
        self.bytes.push(byte);
        self.spans.push((start, end));
    }

    fn push_all(&mut self, bytes: &[u8], start: usize, end: usize) {
        for &byte in bytes {
            self.push(byte, start, end);
        }
    }
}

/// Every decoded view of `text` worth searching, besides the text itself: one per encoding
/// the text shows signs of.
pub(super) fn decoded_views(text: &str) -> Vec<View> {
    let bytes = text.as_bytes();
    let mut views = Vec::new();
    if bytes.contains(&b'%') || bytes.contains(&b'+') {
        views.push(percent_decoded(bytes, false));
        views.push(percent_decoded(bytes, true));
    }
    if bytes.contains(&b'\\') {
        views.push(backslash_unescaped(text));
    }
    views
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// `%XX` (either case) decoded; with `form`, `+` as a space too (`application/x-www-form-urlencoded`).
fn percent_decoded(bytes: &[u8], form: bool) -> View {
    let mut view = View::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    view.push(high * 16 + low, i, i + 3);
                    i += 3;
                }
                _ => {
                    view.push(b'%', i, i + 1);
                    i += 1;
                }
            },
            b'+' if form => {
                view.push(b' ', i, i + 1);
                i += 1;
            }
            byte => {
                view.push(byte, i, i + 1);
                i += 1;
            }
        }
    }
    view
}

/// Backslash escapes undone: JSON's (`\"`, `\\`, `\/`, `\n`, `\uXXXX` with surrogate pairs)
/// and Markdown's (`\|`, `` \` ``, any other `\` before punctuation).
fn backslash_unescaped(text: &str) -> View {
    let bytes = text.as_bytes();
    let mut view = View::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 >= bytes.len() {
            view.push(bytes[i], i, i + 1);
            i += 1;
            continue;
        }
        let next = bytes[i + 1];
        let simple = match next {
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'u' => None,
            other if other.is_ascii_punctuation() => Some(other),
            _ => None,
        };
        if let Some(byte) = simple {
            view.push(byte, i, i + 2);
            i += 2;
            continue;
        }
        if next == b'u'
            && let Some((ch, used)) = unicode_escape(&bytes[i..])
        {
            let mut buffer = [0u8; 4];
            view.push_all(ch.encode_utf8(&mut buffer).as_bytes(), i, i + used);
            i += used;
            continue;
        }
        view.push(b'\\', i, i + 1);
        i += 1;
    }
    view
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at the start of `bytes`: the character and
/// how many bytes it took.
fn unicode_escape(bytes: &[u8]) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u32> {
        let digits = bytes.get(at..at + 6)?;
        if digits[0] != b'\\' || digits[1] != b'u' {
            return None;
        }
        std::str::from_utf8(&digits[2..])
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let first = unit(0)?;
    if (0xD800..0xDC00).contains(&first) {
        let second = unit(6)?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        return char::from_u32(code).map(|c| (c, 12));
    }
    char::from_u32(first).map(|c| (c, 6))
}

/// The Base64 text that stands for `secret` wherever it sits in a Base64-encoded whole (such
/// as `id:secret` in an HTTP Basic header): Base64 works in groups of three bytes, so the secret
/// shows as one of three strings depending on where it starts, each without the partial groups
/// at its ends (those depend on the neighbouring bytes). Standard and URL-safe alphabets.
pub(super) fn base64_forms(secret: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = Vec::new();
    for shift in 0..3 {
        let Some(rest) = secret.get(shift..) else {
            continue;
        };
        let whole = rest.len() / 3 * 3;
        if whole == 0 {
            continue;
        }
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let form = engine.encode(&rest[..whole]).into_bytes();
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(view: &View) -> String {
        String::from_utf8_lossy(&view.bytes).into_owned()
    }

    #[test]
    fn percent_decoding_takes_either_case_and_form_takes_plus_as_space() {
        let text = "a%2Bb%2fc+d%zz%";
        assert_eq!(
            decoded(&percent_decoded(text.as_bytes(), false)),
            "a+b/c+d%zz%"
        );
        assert_eq!(
            decoded(&percent_decoded(text.as_bytes(), true)),
            "a+b/c d%zz%"
        );
    }

    #[test]
    fn every_decoded_byte_knows_where_it_came_from() {
        let view = percent_decoded(b"x%41y", false);
        assert_eq!(view.bytes, b"xAy");
        assert_eq!(view.spans, vec![(0, 1), (1, 4), (4, 5)]);
    }

    #[test]
    fn backslash_escapes_of_json_and_markdown_are_undone() {
        let view = backslash_unescaped(r#"q\"b\\s\/\u0041\ud83d\ude00\|\n\x"#);
        assert_eq!(decoded(&view), "q\"b\\s/A\u{1F600}|\n\\x");
    }

    #[test]
    fn base64_forms_appear_in_the_basic_header_of_any_client_id() {
        let secret = b"s3cr3t/Value+with=every-thing";
        let forms = base64_forms(secret);
        for id in ["", "a", "ab", "3MVG9abc"] {
            let header = STANDARD_NO_PAD.encode(
                format!("{id}:")
                    .into_bytes()
                    .into_iter()
                    .chain(secret.iter().copied())
                    .collect::<Vec<u8>>(),
            );
            assert!(
                forms.iter().any(|form| header
                    .as_bytes()
                    .windows(form.len())
                    .any(|w| w == form.as_slice())),
                "no form of the secret in the Basic header for id {id:?}"
            );
        }
    }
}
