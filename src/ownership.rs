//! Ownership: which connections and rules `provision` may change or delete.
//!
//! Connections cannot carry tags, so ownership lives at the end of the description: a marker
//! naming the ownership set (`--set NAME`, default `default`; the idea of kubectl's ApplySet),
//! so that two teams applying two folders to one account never touch each other's
//! connections. The default set writes the bare marker `[managed by provision]`, which is also
//! how every connection created before sets existed reads.
//!
//! EventBridge rules can be tagged ("In EventBridge, rules and event buses can be tagged":
//! the EventBridge API reference, `TagResource`), so a rule's owner is a tag instead: the key
//! [`SET_TAG`] with the set's name as its value, the same set vocabulary as the marker, for
//! every set, the default one included. A rule without that tag is nobody's: never deleted,
//! only reported. Pure: no I/O.

use crate::error::{Error, Problem};

/// Appended to the description of every connection `provision` writes, so later runs can tell
/// the connections it owns from those it must leave alone.
pub const OWNERSHIP_MARKER: &str = "[managed by provision]";

/// The tag key naming the set that owns a rule; its value is the set's name.
pub(crate) const SET_TAG: &str = "provision:set";

/// The set a run works for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnershipSet(String);

pub(crate) const DEFAULT_SET: &str = "default";

/// Longest set name: the marker counts toward AWS's 512-character description.
pub(crate) const SET_NAME_MAX: usize = 32;

impl Default for OwnershipSet {
    fn default() -> Self {
        OwnershipSet(DEFAULT_SET.to_string())
    }
}

impl OwnershipSet {
    /// `--set NAME`: lower-case letters, digits and `-`, at most 32 characters.
    pub(crate) fn parse(name: &str) -> Result<Self, Error> {
        let valid = !name.is_empty()
            && name.len() <= SET_NAME_MAX
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if valid {
            Ok(OwnershipSet(name.to_string()))
        } else {
            Err(Error::input(
                Problem::new(format!(
                    "--set `{}` is not a set name",
                    name.chars().take(64).collect::<String>().escape_debug()
                ))
                .help(
                    "use 1-32 lower-case letters, digits and hyphens, e.g. `--set payments-team`",
                ),
            ))
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.0
    }

    /// The marker this set writes at the end of a description.
    pub(crate) fn marker(&self) -> String {
        if self.0 == DEFAULT_SET {
            OWNERSHIP_MARKER.to_string()
        } else {
            format!("[managed by provision set={}]", self.0)
        }
    }

    /// The tag a rule of this set carries: ([`SET_TAG`], the set's name).
    pub(crate) fn tag(&self) -> (&'static str, &str) {
        (SET_TAG, &self.0)
    }

    /// The description as written to AWS: the user's text followed by the marker.
    pub(crate) fn describe(&self, description: Option<&str>) -> String {
        match description {
            Some(text) if !text.is_empty() => format!("{text} {}", self.marker()),
            _ => self.marker(),
        }
    }
}

/// Who owns a live connection, read from the end of its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
    /// No marker: made by hand or by another tool.
    Nobody,
    /// Marked for this set.
    Set(String),
}

impl Owner {
    pub(crate) fn of(description: Option<&str>) -> Self {
        let Some(description) = description.map(str::trim_end) else {
            return Owner::Nobody;
        };
        if description.ends_with(OWNERSHIP_MARKER) {
            return Owner::Set(DEFAULT_SET.to_string());
        }
        let Some(open) = description.rfind("[managed by provision set=") else {
            return Owner::Nobody;
        };
        let tail = &description[open + "[managed by provision set=".len()..];
        match tail.strip_suffix(']') {
            Some(name) if OwnershipSet::parse(name).is_ok() => Owner::Set(name.to_string()),
            _ => Owner::Nobody,
        }
    }

    /// Who owns a live rule, read from its tags (key, value): the set [`SET_TAG`] names, if it
    /// names one that could be a set; nobody otherwise.
    pub(crate) fn of_tags<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        tags.into_iter()
            .find(|(key, _)| *key == SET_TAG)
            .and_then(|(_, value)| OwnershipSet::parse(value).ok())
            .map_or(Owner::Nobody, |set| Owner::Set(set.0))
    }

    pub(crate) fn is(&self, set: &OwnershipSet) -> bool {
        matches!(self, Owner::Set(name) if name == set.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_writes_the_bare_marker_that_older_runs_wrote() {
        let set = OwnershipSet::default();
        assert_eq!(set.describe(Some("Acme")), "Acme [managed by provision]");
        assert_eq!(set.describe(None), "[managed by provision]");
        assert_eq!(set.describe(Some("")), "[managed by provision]");
        assert!(Owner::of(Some("Acme [managed by provision]")).is(&set));
    }

    #[test]
    fn a_named_set_is_read_back_from_its_marker() {
        let team = OwnershipSet::parse("payments-team").unwrap();
        let written = team.describe(Some("Orders"));
        assert_eq!(written, "Orders [managed by provision set=payments-team]");
        assert!(Owner::of(Some(&written)).is(&team));
        assert!(!Owner::of(Some(&written)).is(&OwnershipSet::default()));
        assert_eq!(
            Owner::of(Some(&written)),
            Owner::Set("payments-team".into())
        );
    }

    #[test]
    fn anything_else_is_owned_by_nobody() {
        for description in [
            None,
            Some(""),
            Some("made by hand"),
            Some("[managed by provision] and then some text"),
            Some("[managed by provision set=]"),
            Some("[managed by provision set=UPPER]"),
        ] {
            assert_eq!(Owner::of(description), Owner::Nobody, "{description:?}");
        }
    }

    #[test]
    fn a_rule_is_owned_by_the_set_its_tag_names_and_by_nobody_without_it() {
        let team = OwnershipSet::parse("payments-team").unwrap();
        assert_eq!(team.tag(), ("provision:set", "payments-team"));
        assert_eq!(OwnershipSet::default().tag(), ("provision:set", "default"));
        let tagged = [("cost-centre", "42"), team.tag()];
        assert!(Owner::of_tags(tagged).is(&team));
        assert!(!Owner::of_tags(tagged).is(&OwnershipSet::default()));
        for tags in [
            vec![],
            vec![("cost-centre", "42")],
            vec![("provision:set", "")],
            vec![("provision:set", "Payments Team")],
            vec![("Provision:Set", "payments-team")],
        ] {
            assert_eq!(Owner::of_tags(tags.clone()), Owner::Nobody, "{tags:?}");
        }
    }

    #[test]
    fn set_names_are_checked() {
        for bad in ["", "Team", "a b", "-x", "x-", &"x".repeat(33)] {
            assert!(OwnershipSet::parse(bad).is_err(), "{bad}");
        }
        assert!(OwnershipSet::parse("team-2").is_ok());
    }
}
