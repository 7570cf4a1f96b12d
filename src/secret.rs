//! Secret values live here and nowhere else.
//!
//! A [`Secret`] holds a client secret or a secret parameter value. It has no `Display`, and its
//! `Debug` prints `(secret)`, so neither a log line, an error message nor a panic can carry the
//! value. The only way out is [`Secret::expose`], called where the value goes to AWS or to the
//! token endpoint, and [`Secret::matches`], which compares without revealing.
//!
//! Text that comes from outside (an AWS error message, the token endpoint's
//! `error_description`) may echo a request, and so a secret. Every secret value the run reads
//! is therefore remembered, and [`redact`] replaces it in anything written to stdout or stderr.

use aho_corasick::AhoCorasick;
use secrecy::{ExposeSecret, SecretString};
use std::borrow::Cow;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// How a secret is shown wherever a value would be printed.
pub(crate) const SHOWN_AS: &str = "(secret)";

/// A secret value that cannot print itself.
#[derive(Clone)]
pub(crate) struct Secret(SecretString);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        remember(&value);
        Secret(SecretString::from(value))
    }

    /// The value itself, for the request that needs it. Never format the result.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when `other` is the same value, compared in constant time for equal lengths.
    pub(crate) fn matches(&self, other: &str) -> bool {
        let mine = self.expose().as_bytes();
        let theirs = other.as_bytes();
        mine.len() == theirs.len()
            && mine
                .iter()
                .zip(theirs)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

/// Values shorter than this are not redacted: they would mangle ordinary words and say
/// nothing about the secret (AWS and Salesforce secrets are far longer).
const REDACT_MIN_LEN: usize = 4;

/// Every secret value read in this run, and the matcher built from them (rebuilt lazily).
struct Known {
    values: Vec<SecretString>,
    matcher: Option<AhoCorasick>,
}

static KNOWN: Mutex<Known> = Mutex::new(Known {
    values: Vec::new(),
    matcher: None,
});

fn remember(value: &str) {
    if value.len() < REDACT_MIN_LEN {
        return;
    }
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    if known.values.iter().any(|v| v.expose_secret() == value) {
        return;
    }
    known.values.push(SecretString::from(value.to_string()));
    known.matcher = None;
}

/// `text` with every secret value read in this run replaced by `(secret)`.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    if known.values.is_empty() {
        return Cow::Borrowed(text);
    }
    if known.matcher.is_none() {
        // Longest first, so a secret that contains another is replaced whole.
        let mut patterns: Vec<&str> = known.values.iter().map(|v| v.expose_secret()).collect();
        patterns.sort_by_key(|p| std::cmp::Reverse(p.len()));
        known.matcher = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(patterns)
            .ok();
    }
    match &known.matcher {
        Some(matcher) if matcher.is_match(text) => {
            Cow::Owned(matcher.replace_all(text, &vec![SHOWN_AS; matcher.patterns_len()]))
        }
        Some(_) => Cow::Borrowed(text),
        // The matcher could not be built (too many patterns): say nothing rather than risk it.
        None => Cow::Owned("(output withheld: it could not be checked for secrets)\n".into()),
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SHOWN_AS)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "(secret)");
        assert_eq!(format!("{:?}", Some(secret)), "Some((secret))");
    }

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
    fn matches_compares_values() {
        let secret = Secret::new("abc");
        assert!(secret.matches("abc"));
        assert!(!secret.matches("abd"));
        assert!(!secret.matches("ab"));
    }
}
