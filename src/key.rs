//! One key of a YAML mapping, and the JSON Schema's word for text.
//!
//! The manifest's key table ([`crate::manifest::keys`]) and each secret source's keys
//! ([`crate::sources`]) are written with these, and the sources sit below the manifest (it
//! reads their keys to parse and describe a `secret:`), so the type is a leaf both name.

/// One key of a mapping in the YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    /// Reported as `missing required key` when absent.
    pub required: bool,
    pub description: &'static str,
    /// A value of the key as written in the YAML (one line, or a block that goes under the
    /// key): `provision explain` and the generated reference show it in place.
    pub example: &'static str,
}

/// The keys of one mapping. An empty table means any key is allowed (a parameter list).
pub type Keys = &'static [Key];

/// Text as the parser takes it: a YAML string, never a number or true/false.
pub(crate) const TEXT: &str = "string";
