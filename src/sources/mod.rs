//! The secret sources (`env`, `file`, `secretsManager`, `ssm`), one module each, registered in one
//! table, [`SOURCES`].
//!
//! Everything that knows about a source reads it from here: parsing ([`crate::manifest::convert`]
//! takes exactly the keys of the table and asks the source to read its own), the key table and
//! the JSON Schema ([`crate::manifest::keys`], [`crate::manifest::schema`]), the resolver
//! ([`crate::resolve`] asks the source to read the value, through the run's shared [`Stores`]),
//! the IAM policy ([`crate::policy`] asks each reference which statements reading it needs)
//! and the generated reference (a test checks that it shows every key of the table). A new source is its
//! own module, a variant of [`SecretSource`] and of [`Address`], and a line in [`SOURCES`].

pub(crate) mod env;
pub(crate) mod file;
pub(crate) mod secrets_manager;
pub(crate) mod ssm;

use crate::aws::secretsmanager::SecretsManagerClients;
use crate::aws::ssm::ParameterStoreClients;
use crate::key::Key;
use crate::place::Place;
use crate::secret::Fetched;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Where a secret comes from. The value itself is only read by `diff` and `apply`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretSource {
    Env(String),
    /// `written` is the path as in the YAML; `path` is resolved against the YAML file's folder.
    File {
        written: String,
        path: PathBuf,
    },
    SecretsManager {
        id: String,
        key: Option<String>,
        version_stage: Option<String>,
    },
    /// A Parameter Store parameter name or ARN.
    Ssm(String),
}

impl SecretSource {
    /// The source this reference reads (sources are told apart by their key: a `const` has no
    /// one address).
    pub(crate) fn kind(&self) -> &'static Source {
        match self {
            SecretSource::Env(_) => &env::SOURCE,
            SecretSource::File { .. } => &file::SOURCE,
            SecretSource::SecretsManager { .. } => &secrets_manager::SOURCE,
            SecretSource::Ssm(_) => &ssm::SOURCE,
        }
    }

    /// A description of the reference (never of the value) for messages.
    pub fn describe(&self) -> String {
        (self.kind().describe)(self)
    }

    /// Where the reference is read for a connection in `place`.
    pub(crate) fn address(&self, place: &Place) -> Address {
        (self.kind().address)(self, place)
    }
}

/// Where a secret was read, as a later run finds it again: what the resolver records of each
/// secret it read and a saved plan writes down (`{ "source": "ssm", "region": "eu-west-1",
/// "name": "/team/secret" }`), never the value. A new source is a variant here too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "camelCase")]
pub(crate) enum Address {
    Env {
        name: String,
    },
    /// The path as looked for (resolved against the YAML file's folder).
    File {
        path: String,
    },
    #[serde(rename_all = "camelCase")]
    SecretsManager {
        /// The account and Region it is read in.
        #[serde(flatten)]
        place: Place,
        id: String,
        version_stage: Option<String>,
    },
    Ssm {
        /// The account and Region it is read in.
        #[serde(flatten)]
        place: Place,
        name: String,
    },
}

impl Address {
    /// The address as messages name it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Address::Env { name } => format!("environment variable {name}"),
            Address::File { path } => format!("file {path}"),
            Address::SecretsManager {
                place,
                id,
                version_stage,
            } => format!(
                "Secrets Manager secret {id} in {}{}",
                place.region,
                version_stage
                    .as_ref()
                    .map(|s| format!(" (stage {s})"))
                    .unwrap_or_default()
            ),
            Address::Ssm { place, name } => {
                format!("SSM parameter {name} in {}", place.region)
            }
        }
    }
}

/// One secret source: everything parsing, the schema, the resolver and the IAM policy need
/// to know about it.
pub(crate) struct Source {
    /// The YAML key that names the source (`env`), and what it means.
    pub(crate) key: Key,
    /// The keys that only work with this source (`key`, `versionStage`).
    pub(crate) options: &'static [Key],
    /// How help texts show a reference to it: `{ env: NAME }`.
    pub(crate) example: &'static str,
    /// The JSON Schema of the source key's value (options are text).
    pub(crate) schema: fn() -> serde_json::Value,
    /// The reference, from the source key's text (not blank) and the options given.
    pub(crate) parse: fn(Written<'_>) -> Result<SecretSource, Refused>,
    /// A description of a reference (never of the value) for messages.
    pub(crate) describe: fn(&SecretSource) -> String,
    /// Where a reference is read for a connection in a Region, as a later run finds it again.
    pub(crate) address: fn(&SecretSource, &Place) -> Address,
    /// Reads the value of a reference, in the Region of its connection.
    pub(crate) read:
        for<'a> fn(Reading<'a>, &'a SecretSource) -> BoxFuture<'a, Result<Fetched, Unread>>,
    /// The IAM statements reading a reference needs, for a connection in `scope`.
    pub(crate) grants: fn(&SecretSource, &Scope<'_>) -> Vec<Grant>,
    /// Said next to the IAM policy when a reference to this source is in it (what the policy
    /// cannot name).
    pub(crate) policy_note: Option<&'static str>,
}

/// Every source, in the order help texts and the schema list them.
pub(crate) const SOURCES: &[&Source] = &[
    &env::SOURCE,
    &file::SOURCE,
    &secrets_manager::SOURCE,
    &ssm::SOURCE,
];

/// What a secret reference was written with, for a source's `parse`.
pub(crate) struct Written<'a> {
    /// The source key's value, not blank.
    pub(crate) text: String,
    /// The options given (name, text), in the order of the source's `options`.
    pub(crate) options: &'a [(&'static str, String)],
    /// The folder of the YAML file (relative paths are relative to it).
    pub(crate) folder: &'a Path,
}

impl Written<'_> {
    /// The text of option `name`, if given.
    pub(crate) fn option(&self, name: &str) -> Option<String> {
        self.options
            .iter()
            .find(|(given, _)| *given == name)
            .map(|(_, text)| text.clone())
    }
}

/// Why a source refuses what was written for it: said at the source key's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Why a value could not be read: what went wrong (naming the reference, never the value),
/// and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unread {
    pub(crate) what: String,
    pub(crate) help: String,
}

impl Unread {
    pub(crate) fn new(what: impl Into<String>, help: impl Into<String>) -> Self {
        Unread {
            what: what.into(),
            help: help.into(),
        }
    }
}

/// Where a connection is, for the IAM policy.
pub(crate) struct Scope<'a> {
    pub(crate) partition: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
}

/// One resource a policy statement allows reading: statements with the same `sid` and
/// `actions` are one statement listing all their resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) sid: &'static str,
    pub(crate) actions: &'static [&'static str],
    pub(crate) resource: String,
}

/// One remote read: the source, the place it is made in, what is read (a secret id, a
/// parameter name) and which version of it. References that differ only in what they take
/// from the value (a JSON `key`) share one read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Fetch {
    pub(crate) source: &'static str,
    pub(crate) place: Place,
    pub(crate) id: String,
    pub(crate) version: Option<String>,
}

type CachedRead = Arc<OnceCell<Result<Fetched, Unread>>>;

/// What every Region's resolver of a run shares: each remote source's clients, and the cache
/// of remote reads (a value used by many connections, in any Region, is read once).
pub(crate) struct Stores {
    pub(crate) secrets_manager: SecretsManagerClients,
    pub(crate) ssm: ParameterStoreClients,
    cache: Mutex<HashMap<Fetch, CachedRead>>,
}

impl Stores {
    /// The clients of every remote source, made from the run's configuration as needed.
    pub(crate) fn from_config(config: impl Into<crate::aws::regional::Configs>) -> Self {
        let config = config.into();
        Stores {
            ssm: ParameterStoreClients::of(Some(config.clone())),
            ..Stores::new(SecretsManagerClients::of(config))
        }
    }

    /// The same clients with an empty cache: every read is made again.
    pub(crate) fn sharing_clients(&self) -> Self {
        Stores {
            secrets_manager: self.secrets_manager.clone(),
            ssm: self.ssm.clone(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Only the given Secrets Manager clients (tests): other remote sources cannot be read.
    pub(crate) fn new(secrets_manager: SecretsManagerClients) -> Self {
        Stores {
            secrets_manager,
            ssm: ParameterStoreClients::of(None),
            cache: Mutex::new(HashMap::new()),
        }
    }
}

/// A read in progress: the run's stores, and the place of the connection the reference is
/// read for.
#[derive(Clone, Copy)]
pub(crate) struct Reading<'a> {
    pub(crate) stores: &'a Stores,
    pub(crate) place: &'a Place,
}

impl Reading<'_> {
    /// The value of `fetch`, read by `read` the first time the run asks for it.
    pub(crate) async fn once<F>(&self, fetch: Fetch, read: F) -> Result<Fetched, Unread>
    where
        F: Future<Output = Result<Fetched, Unread>>,
    {
        let cell = {
            let mut cache = self
                .stores
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.entry(fetch).or_default().clone()
        };
        cell.get_or_init(|| async {
            let fetched = read.await;
            if let Ok(fetched) = &fetched {
                fetched.value.remember_strings();
            }
            fetched
        })
        .await
        .clone()
    }
}

/// "`env`, `file` or `secretsManager`": the source keys, for messages.
pub(crate) fn one_of() -> String {
    listed(
        SOURCES
            .iter()
            .map(|source| format!("`{}`", source.key.name)),
    )
}

/// "`file`, `secretsManager` or `ssm`": the source keys other than `key`, for messages.
pub(crate) fn others_than(key: &str) -> String {
    listed(
        SOURCES
            .iter()
            .filter(|source| source.key.name != key)
            .map(|source| format!("`{}`", source.key.name)),
    )
}

/// "write one of `{ env: NAME }`, ... or `{ secretsManager: ... }`": how to write a reference.
pub(crate) fn help() -> String {
    format!(
        "write one of {}",
        listed(SOURCES.iter().map(|source| format!("`{}`", source.example)))
    )
}

fn listed(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The notes of the sources read, each once, in table order.
pub(crate) fn policy_notes(read: impl IntoIterator<Item = &'static Source>) -> Vec<&'static str> {
    let read: Vec<&Source> = read.into_iter().collect();
    SOURCES
        .iter()
        .filter(|source| read.iter().any(|r| r.key.name == source.key.name))
        .filter_map(|source| source.policy_note)
        .collect()
}

/// The source named by `key`, if it is a source key.
pub(crate) fn by_key(key: &str) -> Option<&'static Source> {
    SOURCES
        .iter()
        .copied()
        .find(|source| source.key.name == key)
}

/// The source an option key (`key`) belongs to, and the option.
pub(crate) fn option(key: &str) -> Option<(&'static Source, &'static Key)> {
    SOURCES.iter().copied().find_map(|source| {
        source
            .options
            .iter()
            .find(|option| option.name == key)
            .map(|option| (source, option))
    })
}

const fn key_count() -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < SOURCES.len() {
        count += 1 + SOURCES[i].options.len();
        i += 1;
    }
    count
}

/// The keys of a secret reference: every source key, then every option, in table order.
pub(crate) const KEYS: [Key; key_count()] = {
    let mut keys = [SOURCES[0].key; key_count()];
    let mut at = 0;
    let mut i = 0;
    while i < SOURCES.len() {
        keys[at] = SOURCES[i].key;
        at += 1;
        i += 1;
    }
    i = 0;
    while i < SOURCES.len() {
        let mut j = 0;
        while j < SOURCES[i].options.len() {
            keys[at] = SOURCES[i].options[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    keys
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_is_found_by_its_key_and_its_options() {
        for source in SOURCES {
            assert_eq!(by_key(source.key.name).unwrap().key, source.key);
            for option in source.options {
                let (owner, found) = option_of(option.name);
                assert_eq!(owner.key, source.key, "{}", option.name);
                assert_eq!(found, option);
            }
        }
        assert!(by_key("key").is_none());
        assert!(option("env").is_none());
    }

    fn option_of(name: &str) -> (&'static Source, &'static Key) {
        option(name).expect("an option")
    }

    #[test]
    fn help_texts_list_every_source_in_order() {
        assert_eq!(one_of(), "`env`, `file`, `secretsManager` or `ssm`");
        assert_eq!(
            help(),
            "write one of `{ env: NAME }`, `{ file: path/to/file }`, `{ secretsManager: name-or-arn, key: field }` or `{ ssm: /path/name }`"
        );
    }

    #[test]
    fn the_keys_are_the_sources_then_their_options() {
        let names: Vec<&str> = KEYS.iter().map(|key| key.name).collect();
        assert_eq!(
            names,
            [
                "env",
                "file",
                "secretsManager",
                "ssm",
                "key",
                "versionStage"
            ]
        );
    }
}
