//! Secret references (`{ env: NAME }`, `{ file: path }`, ...): exactly one source of
//! [`crate::sources::SOURCES`] with its options, parsed by that source; and values that are
//! either a literal or such a reference.

use super::walker::{At, Walker, child, lookup};
use crate::manifest::keys;
use crate::manifest::yaml::Segment;
use crate::manifest::{SecretRef, ValueSource};
use crate::sources::{self, SOURCES, Source, Written};
use serde_yaml::Value;
use std::path::Path;

impl Walker<'_> {
    /// A literal value or a secret reference.
    pub(super) fn value_source(&mut self, value: &Value, path: &[Segment]) -> Option<ValueSource> {
        match value {
            Value::Mapping(_) => self.secret_ref(value, path).map(ValueSource::Reference),
            _ => self.string(value, path).map(ValueSource::Literal),
        }
    }

    pub(super) fn secret_ref(&mut self, value: &Value, path: &[Segment]) -> Option<SecretRef> {
        if value.is_null() {
            self.report(
                path,
                At::Key,
                "the secret reference is empty",
                sources::help(),
            );
            return None;
        }
        let entries = self.mapping(value, path, keys::SECRET_REFERENCE)?;
        let given: Vec<&'static Source> = SOURCES
            .iter()
            .copied()
            .filter(|source| lookup(&entries, source.key.name).is_some())
            .collect();
        let source = match given.as_slice() {
            [] if SOURCES
                .iter()
                .any(|source| self.misspelt(path, source.key.name)) =>
            {
                return None;
            }
            [] => {
                self.report(
                    path,
                    At::Key,
                    format!("a secret reference needs one of {}", sources::one_of()),
                    sources::help(),
                );
                return None;
            }
            [source] => *source,
            several => {
                self.report(
                    path,
                    At::Key,
                    format!(
                        "a secret reference takes exactly one of {}; found {}",
                        sources::one_of(),
                        several
                            .iter()
                            .map(|s| format!("`{}`", s.key.name))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    "keep only the one the value should come from",
                );
                return None;
            }
        };
        for (name, _) in &entries {
            if let Some((owner, _)) = sources::option(name)
                && owner.key.name != source.key.name
            {
                self.report(
                    &child(path, name),
                    At::Key,
                    format!("`{name}` only works with `{}`", owner.key.name),
                    format!("remove `{name}`"),
                );
                return None;
            }
        }
        let source_key = source.key.name;
        let source_path = child(path, source_key);
        let raw = lookup(&entries, source_key)?;
        let text = self.string(raw, &source_path)?;
        if text.trim().is_empty() {
            self.report(
                &source_path,
                At::Value,
                format!("`{source_key}` is empty"),
                sources::help(),
            );
            return None;
        }
        let mut options = Vec::new();
        for option in source.options {
            if let Some(value) = lookup(&entries, option.name) {
                options.push((option.name, self.string(value, &child(path, option.name))?));
            }
        }
        let written = Written {
            text,
            options: &options,
            folder: self.file.parent().unwrap_or(Path::new(".")),
        };
        let source = match (source.parse)(written) {
            Ok(source) => source,
            Err(refused) => {
                self.report(&source_path, At::Value, refused.message, refused.help);
                return None;
            }
        };
        Some(SecretRef {
            source,
            origin: self.origin(path),
        })
    }
}
