//! Saved plans (`diff --out`, `apply --plan`, `show`): the plan as a versioned JSON document,
//! with what `apply` needs to prove it is still current.
//!
//! The document holds, besides what users read (the entries), what the plan assumed: the tool
//! version, the account, the Regions, the ownership set and flags, a digest of each declared
//! file, a proof per secret read (a store's version id, or an Argon2id fingerprint: see
//! [`fingerprint`]), and per resource what AWS had (ARN, state, `LastModifiedTime`, every
//! compared field). It never holds a secret value or a plain hash of one: a parameter the YAML
//! declares secret is recorded as secret whatever AWS's flag says, every string of the document
//! passes the run's redaction (text from AWS, such as a `StateReason` echoing the token
//! request, may quote a secret the run read), and the file is written for its owner only,
//! never through a link.
//!
//! `apply --plan` reads AWS and the files again, builds the same document from what it finds
//! (with the saved plan's salt), and [`stale::differences`] compares the two: any difference
//! refuses the run. Equal documents mean the fresh plan is the saved one, step for step, so
//! applying it carries out exactly what was reviewed.

pub(crate) mod fingerprint;
pub(crate) mod stale;

use super::{
    ConnectionChange, DestinationChange, Entry, LeftOut, Orphan, Plan, PlanStep, TargetName,
};
use crate::error::{Error, Problem};
use crate::live::{LiveConnection, LiveDestination};
use crate::place::Place;
use crate::plan::connection::PlanOptions;
use crate::resolve::{Evidence, SecretRead};
use crate::sources::Address;
use fingerprint::Kdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the `format` field of every saved plan says.
pub(crate) const FORMAT: &str = "provision-saved-plan";
/// Bumped on any change to the document; a plan of another version is refused. 2: a declared
/// secret that AWS holds plain is a fingerprint, and every string is redacted (a plan of format
/// 1 may hold secrets, so `show` refuses it too). 3: the run's places (account and Region)
/// replace its one account and its Regions, and every entry, orphan, left-out connection and
/// remote secret names its account beside its Region. 4: one list of steps in the planned
/// order, each with the address of its parent, replaces the connections (each holding its API
/// destinations) and the API destinations to prune.
pub(crate) const FORMAT_VERSION: u32 = 4;
/// The version of the tool that writes and applies plans.
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SavedPlan {
    pub(crate) format: String,
    pub(crate) format_version: u32,
    pub(crate) tool_version: String,
    /// The places (account and Region) the plan covers, in the run's order; the account is
    /// the caller's (`sts:GetCallerIdentity`).
    pub(crate) places: Vec<Place>,
    pub(crate) set: String,
    pub(crate) flags: Flags,
    /// Each declared YAML file and the SHA-256 of its content.
    pub(crate) files: Vec<FileDigest>,
    pub(crate) secrets: Secrets,
    /// Every step, in the planned order, each with its parent.
    pub(crate) steps: Vec<SavedStep>,
    pub(crate) left_out: Vec<LeftOut>,
    pub(crate) orphans: Vec<Orphan>,
    /// The project file's targets the plan covers, with their accounts (absent without
    /// targets, so a plan without them reads as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) targets: Vec<TargetName>,
    /// `sha256:` of the document with this field empty: an edited or damaged file is told
    /// from a stale one.
    pub(crate) checksum: String,
}

/// The flags that change what is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Flags {
    pub(crate) strict: bool,
    pub(crate) adopt: bool,
    pub(crate) prune: bool,
    pub(crate) replace: bool,
    pub(crate) force: bool,
}

impl Flags {
    pub(crate) fn of(options: &PlanOptions) -> Self {
        let PlanOptions {
            strict,
            set: _,
            adopt,
            prune,
            replace,
            force,
            // Comes from the project file; what it changes (the orphans found) is compared
            // step by step when the plan is applied.
            name_prefix: _,
        } = options;
        Flags {
            strict: *strict,
            adopt: *adopt,
            prune: *prune,
            replace: *replace,
            force: *force,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FileDigest {
    pub(crate) path: String,
    pub(crate) sha256: String,
}

/// The secrets the plan read, each with what proves it unchanged, and how fingerprints are
/// made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Secrets {
    pub(crate) kdf: Kdf,
    pub(crate) sources: Vec<SecretSourceRecord>,
}

/// One secret source: where it was read (`source` and its address, [`Address`], which each
/// source of [`crate::sources`] gives) and the proof of its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretSourceRecord {
    #[serde(flatten)]
    pub(crate) source: Address,
    pub(crate) proof: Proof,
}

/// What proves a secret unchanged: the store's version id (not secret), or, for a source
/// without versions, the value's Argon2id fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum Proof {
    VersionId(String),
    Argon2id(String),
}

/// One step of the plan: what users read, the step it is declared on, and what AWS had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SavedStep {
    pub(crate) entry: Entry,
    /// The address of the step it is declared on (an API destination's connection); `None`
    /// for a root.
    pub(crate) parent: Option<crate::place::Address>,
    /// What AWS had; `None`: the resource did not exist (or was being deleted).
    pub(crate) assumed: Option<Assumed>,
}

/// What AWS had of a resource, by its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum Assumed {
    Connection(AssumedConnection),
    ApiDestination(AssumedDestination),
}

/// A live connection as the plan assumed it. Field values are as AWS returned them, except
/// the client id (it may come from a secret): its Argon2id fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AssumedConnection {
    pub(crate) arn: Option<String>,
    pub(crate) state: String,
    pub(crate) state_reason: Option<String>,
    /// RFC 3339; `None` where AWS (or the emulator) reports none.
    pub(crate) last_modified_time: Option<String>,
    /// Every compared field by its path (`oauth.headers.X-Key`); a secret parameter, whose
    /// value AWS hides, is `(secret)`.
    pub(crate) fields: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AssumedDestination {
    pub(crate) arn: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) connection_arn: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) http_method: Option<String>,
    pub(crate) rate_limit_per_second: Option<u32>,
}

/// The parameters the YAML declares secret (a secret reference), as (connection name, field
/// path such as `invocation.headers.X-Key`): recorded as secret whatever AWS's flag says.
pub(crate) type DeclaredSecrets = BTreeSet<(String, String)>;

/// What a saved plan is made from, besides the plan itself.
pub(crate) struct Inputs<'a> {
    pub(crate) options: &'a PlanOptions,
    pub(crate) files: Vec<FileDigest>,
    pub(crate) secrets: Vec<SecretRead>,
    pub(crate) declared_secrets: &'a DeclaredSecrets,
    /// A fresh one for `diff --out`; the saved plan's for `apply --plan`.
    pub(crate) kdf: Kdf,
}

impl SavedPlan {
    /// The document of `plan`. A plan with errors cannot be saved: it could not be applied
    /// as reviewed.
    pub(crate) fn new(plan: &Plan, inputs: Inputs<'_>) -> Result<Self, String> {
        let Inputs {
            options,
            files,
            secrets,
            declared_secrets,
            kdf,
        } = inputs;
        let mut sources = Vec::new();
        for read in secrets {
            let SecretRead { source, evidence } = read;
            let proof = match evidence {
                Evidence::Version(version) => Proof::VersionId(version),
                Evidence::Value(secret) => Proof::Argon2id(kdf.fingerprint(secret.expose())?),
            };
            sources.push(SecretSourceRecord { source, proof });
        }
        sources.sort_by(|a, b| a.source.cmp(&b.source));
        let steps = plan
            .steps
            .iter()
            .map(|step| {
                Ok(SavedStep {
                    entry: step.entry().clone(),
                    parent: step.parent.clone(),
                    assumed: assumed(step, &kdf, declared_secrets)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut saved = SavedPlan {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            tool_version: TOOL_VERSION.to_string(),
            places: plan.places.clone(),
            set: options.set.name().to_string(),
            flags: Flags::of(options),
            files,
            secrets: Secrets { kdf, sources },
            steps,
            left_out: plan.left_out.clone(),
            orphans: plan.orphans.clone(),
            targets: plan.targets.clone(),
            checksum: String::new(),
        };
        saved = saved.redacted()?;
        saved.checksum = saved.computed_checksum();
        Ok(saved)
    }

    /// The document with every string in it (keys too) passed through the run's redaction:
    /// what AWS returned (a `StateReason`, a description) may quote a secret the run read.
    /// Both `diff --out` and `apply --plan` make their document this way, so they compare.
    fn redacted(&self) -> Result<Self, String> {
        let value = serde_json::to_value(self).map_err(|error| error.to_string())?;
        serde_json::from_value(redact_strings(value)).map_err(|error| error.to_string())
    }

    fn computed_checksum(&self) -> String {
        let body = SavedPlan {
            checksum: String::new(),
            ..self.clone()
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        format!("sha256:{}", hex(&Sha256::digest(bytes)))
    }

    /// The document as written to the file.
    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a saved plan; a file that is not one, is damaged or was made by another version
    /// is a clear error naming the file.
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let shown = path.display().to_string();
        let bad = |message: String, help: &str| {
            Error::input(
                Problem::new(message)
                    .at(crate::error::Location::file(path))
                    .help(help),
            )
        };
        let text = crate::local_files::read_text(path, crate::bounds::SAVED_PLAN_BYTES).map_err(
            |error| {
                bad(
                    format!("cannot read the saved plan: {}", error.describe()),
                    "give the file `provision diff --out FILE` wrote",
                )
            },
        )?;
        Self::parse(&text).map_err(|(message, help)| bad(format!("{shown} {message}"), help))
    }

    /// Parses a saved plan's text. Errors are (what is wrong, what to do).
    pub(crate) fn parse(text: &str) -> Result<Self, (String, &'static str)> {
        const PLAN_AGAIN: &str = "make the plan again with `provision diff --out FILE`";
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
            (
                format!("is not a saved plan: it is not JSON ({error})"),
                "give the file `provision diff --out FILE` wrote; if it is one, it was damaged: make the plan again",
            )
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err((
                format!("is not a saved plan: it has no `\"format\": \"{FORMAT}\"`"),
                "give the file `provision diff --out FILE` wrote (not the JSON of `diff --output json`)",
            ));
        }
        let version = value.get("formatVersion").and_then(|v| v.as_u64());
        let tool = value
            .get("toolVersion")
            .and_then(|v| v.as_str())
            .unwrap_or("an unknown version");
        if version != Some(u64::from(FORMAT_VERSION)) || tool != TOOL_VERSION {
            return Err((
                format!(
                    "was made by provision {} (plan format {}); this is provision {TOOL_VERSION} (plan format {FORMAT_VERSION}), which applies only its own plans",
                    tool.escape_debug(),
                    version.map_or("unknown".to_string(), |v| v.to_string())
                ),
                PLAN_AGAIN,
            ));
        }
        let saved: SavedPlan = serde_json::from_value(value).map_err(|error| {
            (
                format!("is damaged: {error}"),
                "make the plan again with `provision diff --out FILE`; do not edit saved plans",
            )
        })?;
        if saved.checksum != saved.computed_checksum() {
            return Err((
                "is damaged or was edited: its checksum does not match its content".to_string(),
                "make the plan again with `provision diff --out FILE`; do not edit saved plans",
            ));
        }
        // The checksum proves no author: a cost beyond the tool's own would hold `apply --plan`
        // for minutes or take gigabytes.
        saved.secrets.kdf.check().map_err(|problem| {
            (
                format!("was edited: {problem}"),
                "make the plan again with `provision diff --out FILE`; do not edit saved plans",
            )
        })?;
        Ok(saved)
    }

    /// Writes the file, readable by its owner only, to a new file first and renamed into
    /// place ([`crate::local_files::replace`]): an interrupted write leaves no half plan, and
    /// a link at the path or at a temporary name is never written through.
    pub(crate) fn write(&self, path: &Path) -> Result<(), Error> {
        crate::local_files::replace(
            path,
            self.to_json().as_bytes(),
            crate::local_files::Access::Owner,
        )
        .map_err(|error| {
            Error::input(
                Problem::new(format!(
                    "cannot write the saved plan {}: {error}",
                    path.display()
                ))
                .help("give a path in a writable folder to --out"),
            )
        })
    }

    /// The plan as the views draw it. Its steps carry no executable change: a shown plan is
    /// read, never applied (`apply --plan` plans again and proves it equal).
    pub(crate) fn shown(&self) -> Plan {
        let steps = self
            .steps
            .iter()
            .map(|step| PlanStep::recorded(step.entry.clone(), step.parent.clone()))
            .collect();
        Plan {
            places: self.places.clone(),
            left_out: self.left_out.clone(),
            orphans: self.orphans.clone(),
            steps,
            // A note of the run that read AWS, not a step: not saved, so not shown again.
            unrouted: Vec::new(),
            // A plan with an unread place is never saved.
            unread: Vec::new(),
            // A saved plan is shown for what it plans; the project file is the run's.
            project_file: None,
            targets: self.targets.clone(),
            ..Plan::default()
        }
    }
}

/// `value` with every string and key redacted ([`crate::secret::redact`]).
fn redact_strings(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let redact = |text: &str| crate::secret::redact(text).into_owned();
    match value {
        Value::String(text) => Value::String(redact(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_strings).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| (redact(&key), redact_strings(value)))
                .collect(),
        ),
        other => other,
    }
}

/// The digest of each declared file, sorted by path.
pub(crate) fn file_digests(files: &[PathBuf]) -> Result<Vec<FileDigest>, Error> {
    let mut digests = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).map_err(|error| {
            Error::input(
                Problem::new(format!("cannot read {}: {error}", file.display()))
                    .help("make the file readable"),
            )
        })?;
        digests.push(FileDigest {
            path: file.display().to_string(),
            sha256: hex(&Sha256::digest(bytes)),
        });
    }
    digests.sort_by(|a, b| a.path.cmp(&b.path));
    digests.dedup();
    Ok(digests)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What AWS had of a connection. A parameter AWS holds secret is `(secret)` (AWS hides its
/// value); one the YAML declares secret that AWS holds plain (edited in the console, adopted)
/// is its value's Argon2id fingerprint, like the client id: never the value.
fn assumed_connection(
    live: &LiveConnection,
    kdf: &Kdf,
    declared_secrets: &DeclaredSecrets,
) -> Result<AssumedConnection, String> {
    let LiveConnection {
        name,
        arn,
        state,
        state_reason,
        description,
        authorization_type,
        authorization_endpoint,
        http_method,
        client_id,
        oauth,
        invocation,
        kms_key,
        resource_configuration_arn,
        token_resource_configuration_arn,
        secret_arn,
        last_modified,
    } = live;
    let mut fields = BTreeMap::new();
    let mut field = |name: &str, value: &Option<String>| {
        fields.insert(name.to_string(), value.clone());
    };
    field("description", description);
    field("authorizationType", authorization_type);
    field("tokenUrl", authorization_endpoint);
    field("httpMethod", http_method);
    field("kmsKey", kms_key);
    field(
        "privateLink.resourceConfigurationArn",
        resource_configuration_arn,
    );
    field(
        "privateLink.tokenResourceConfigurationArn",
        token_resource_configuration_arn,
    );
    field("secretArn", secret_arn);
    let client_id = client_id
        .as_deref()
        .map(|id| kdf.fingerprint(id).map(|f| format!("argon2id:{f}")))
        .transpose()?;
    fields.insert("clientId".to_string(), client_id);
    for (block, lists) in [
        (crate::parameters::Block::OAuth, oauth),
        (crate::parameters::Block::Invocation, invocation),
    ] {
        for (list, parameters) in [
            (crate::parameters::ListKind::Headers, &lists.headers),
            (crate::parameters::ListKind::Query, &lists.query),
            (crate::parameters::ListKind::Body, &lists.body),
        ] {
            for parameter in parameters {
                let field = block.field(list, &parameter.key);
                let declared_secret = declared_secrets.contains(&(name.clone(), field.clone()));
                let value = match &parameter.value {
                    _ if parameter.is_secret => Some(crate::secret::SHOWN_AS.to_string()),
                    Some(value) if declared_secret => {
                        Some(format!("argon2id:{}", kdf.fingerprint(value)?))
                    }
                    value => value.clone(),
                };
                fields.insert(field, value);
            }
        }
    }
    Ok(AssumedConnection {
        arn: arn.clone(),
        state: state.as_str().to_string(),
        state_reason: state_reason.as_ref().map(|r| r.as_str().to_string()),
        last_modified_time: last_modified.clone(),
        fields,
    })
}

/// What AWS had of the resource of `step`, as the document records it.
fn assumed(
    step: &PlanStep,
    kdf: &Kdf,
    declared_secrets: &DeclaredSecrets,
) -> Result<Option<Assumed>, String> {
    if let Some(connection) = step.of::<ConnectionChange>() {
        return connection
            .change()
            .live()
            .map(|live| assumed_connection(live, kdf, declared_secrets).map(Assumed::Connection))
            .transpose();
    }
    Ok(step
        .of::<DestinationChange>()
        .and_then(|destination| destination.change().live())
        .map(|live| Assumed::ApiDestination(assumed_destination(live))))
}

fn assumed_destination(live: &LiveDestination) -> AssumedDestination {
    let LiveDestination {
        name: _,
        arn,
        description,
        connection_arn,
        endpoint,
        http_method,
        rate_limit_per_second,
        state,
    } = live;
    AssumedDestination {
        arn: arn.clone(),
        state: state.clone(),
        description: description.clone(),
        connection_arn: connection_arn.clone(),
        endpoint: endpoint.clone(),
        http_method: http_method.clone(),
        rate_limit_per_second: *rate_limit_per_second,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of format 2 named one account for the whole run and no account per entry; one of
    /// format 3 held connections (each with its API destinations) and the destinations to
    /// prune apart, not one list of steps: both are refused by their version, naming the
    /// version found and the fix, before anything is read.
    #[test]
    fn a_plan_of_format_2_or_3_is_refused_naming_its_version_and_the_fix() {
        let format_2 = format!(
            r#"{{"format": "{FORMAT}", "formatVersion": 2, "toolVersion": "{TOOL_VERSION}",
            "account": "123456789012", "regions": ["us-east-1"], "set": "default",
            "flags": {{"strict": false, "adopt": false, "prune": false, "replace": false, "force": false}},
            "files": [], "secrets": {{"kdf": null, "sources": []}}, "connections": [],
            "prunedDestinations": [], "leftOut": [], "orphans": [], "checksum": ""}}"#
        );
        let format_3 = format!(
            r#"{{"format": "{FORMAT}", "formatVersion": 3, "toolVersion": "{TOOL_VERSION}",
            "places": [{{"account": "123456789012", "region": "us-east-1"}}], "set": "default",
            "flags": {{"strict": false, "adopt": false, "prune": false, "replace": false, "force": false}},
            "files": [], "secrets": {{"kdf": null, "sources": []}}, "connections": [],
            "prunedDestinations": [], "leftOut": [], "orphans": [], "checksum": ""}}"#
        );
        for (version, text) in [(2, format_2), (3, format_3)] {
            let (message, help) = SavedPlan::parse(&text).unwrap_err();
            assert_eq!(
                message,
                format!(
                    "was made by provision {TOOL_VERSION} (plan format {version}); this is provision {TOOL_VERSION} (plan format 4), which applies only its own plans"
                )
            );
            assert_eq!(help, "make the plan again with `provision diff --out FILE`");
        }
    }
}
