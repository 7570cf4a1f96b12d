//! Secret values live here and nowhere else.
//!
//! A [`Secret`] holds a client secret or a secret parameter value. It has no `Display`, and its
//! `Debug` prints `(secret)`, so neither a log line, an error message nor a panic can carry the
//! value. The only way out is [`Secret::expose`], called where the value goes to AWS or to the
//! token endpoint, and [`Secret::matches`], which compares without revealing.
//!
//! Text that comes from outside (an AWS error message, the token endpoint's
//! `error_description`) may echo a request, and so a secret, in any encoding. Every secret value
//! the run reads is therefore remembered ([`redact`]): text from outside is redacted the moment
//! it is read ([`outside`]), before anything cuts or renders it, and everything written to stdout
//! or stderr is redacted once more.

mod forms;
mod redact;

pub(crate) use redact::{outside, public, redact, remember_answer};

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// How a secret is shown wherever a value would be printed.
pub(crate) const SHOWN_AS: &str = "(secret)";

/// A secret value that cannot print itself.
#[derive(Clone)]
pub(crate) struct Secret(SecretString);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        redact::remember(&value);
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

    /// Remembers every string in the value too, when it is a JSON document: for a value read
    /// from a secret source, whose other fields are secrets as well ([`redact`]).
    pub(crate) fn remember_strings(&self) {
        redact::remember_strings_of(self.expose());
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.expose().is_empty()
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

/// A value read, with the version the store says it is (not secret: Secrets Manager's
/// `VersionId`, Parameter Store's `Version`), which a saved plan records to tell that it
/// changed; `None` where the source has no versions (`env`, `file`).
///
/// Every value read from a source is made by [`Fetched::unversioned`] or read through
/// [`Reading::once`](crate::sources::Reading::once), and both remember each string of a JSON value as a secret
/// ([`Secret::remember_strings`]): the fields a reference does not select are secrets too.
#[derive(Clone)]
pub(crate) struct Fetched {
    pub(crate) value: Secret,
    pub(crate) version: Option<String>,
}

impl Fetched {
    /// A value without a version.
    pub(crate) fn unversioned(value: Secret) -> Self {
        value.remember_strings();
        Fetched {
            value,
            version: None,
        }
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
    fn matches_compares_values() {
        let secret = Secret::new("abc");
        assert!(secret.matches("abc"));
        assert!(!secret.matches("abd"));
        assert!(!secret.matches("ab"));
    }
}
