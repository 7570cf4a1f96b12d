//! The project file, `provision.yaml`: what makes one folder behave the same on every machine.
//!
//! Without it, a document without `regions:` belongs to whatever Region the environment says,
//! every team shares the ownership set `default`, and nothing stops a run against the wrong
//! account. The file pins those for the whole folder: `set`, `defaultRegion`, `accounts`,
//! `namePrefix`, `extraRegions`, `targets` (the keys are [`crate::manifest::keys::PROJECT`], one
//! line each). `targets` names the accounts the documents are placed in ([`Target`]).
//!
//! It is found from the documents' paths: the nearest `provision.yaml` at or above each
//! document (or each folder named, when it holds none), stopping at the repository root (the
//! first folder holding `.git`), or at the file system's root outside a repository. The folder
//! named decides, not the current directory: `provision apply teams/a/connections` from the
//! repository root is guarded by `teams/a/provision.yaml`. Documents that belong to different
//! project files (or some to one and some to none) make one run with two sets of guards, so
//! such a run is refused. `--config FILE` names the file instead; one that sets nothing is
//! refused (it would turn every guard off), and a project file it stands in for is named on
//! stderr. It is never read as a connection document. Reading it is pure apart from the file system.

use crate::error::{Error, Location, Problem};
use crate::manifest::convert::kind;
use crate::manifest::keys::{self, PROJECT, TARGET, TARGET_NAME_MAX};
use crate::manifest::regions;
use crate::manifest::yaml::{Document, Segment, display_path, parse_documents};
use crate::manifest::{SecretRef, convert};
use crate::ownership::OwnershipSet;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub(crate) const FILE_NAME: &str = crate::manifest::load::PROJECT_FILE;

/// The project file's settings; all empty when there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Project {
    /// The file these settings come from.
    pub(crate) file: Option<PathBuf>,
    /// `set`: the ownership set of everything this folder declares.
    pub(crate) set: Option<OwnershipSet>,
    /// `defaultRegion`: the Region of every document without `regions:`.
    pub(crate) default_region: Option<String>,
    /// `accounts`: the accounts this folder may touch (empty: any).
    pub(crate) accounts: Vec<String>,
    /// `namePrefix`: every connection and destination name of the set starts with it.
    pub(crate) name_prefix: Option<String>,
    /// `extraRegions`: Region codes accepted beyond the ones this build knows.
    pub(crate) extra_regions: Vec<String>,
    /// `targets`: the accounts the documents are placed in, in the order written (empty: the
    /// run's own account, as without a project file).
    pub(crate) targets: Vec<Target>,
}

/// One of the project file's `targets:`: a named AWS account, the role a run assumes there and
/// the Regions it covers. A document placed in it (`targets: [prod]`) exists in each of these
/// Regions of this account. No two targets share an account, so a place (an account and a
/// Region) names at most one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// A short label (1-32 of a-z 0-9 -), unique in the file.
    pub(crate) name: String,
    /// The 12-digit account id, as written.
    pub(crate) account: String,
    /// An IAM role ARN of this account, assumed for every command.
    pub(crate) role: Option<String>,
    /// An IAM role ARN of this account for the commands that only read.
    pub(crate) read_role: Option<String>,
    /// The external id the role requires, as a secret reference: the value is never printed.
    pub(crate) external_id: Option<SecretRef>,
    /// Region codes, at least one, without repeats.
    pub(crate) regions: Vec<String>,
}

impl Project {
    /// The target named `name`, if the project file lists one.
    pub(crate) fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|target| target.name == name)
    }

    /// The target whose account is `account` (there is at most one).
    pub(crate) fn target_in(&self, account: &str) -> Option<&Target> {
        self.targets.iter().find(|target| target.account == account)
    }

    /// The names of the targets, as messages list them (`prod, staging`).
    pub(crate) fn target_names(&self) -> String {
        self.targets
            .iter()
            .map(|target| target.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The project of a run over the documents under `paths`: the file named with `--config`
/// (which must set something), else the one project file all the documents belong to, else
/// none. `here` is the current directory, which paths are shown relative to.
pub(crate) fn discover(
    config: Option<&Path>,
    paths: &[PathBuf],
    here: &Path,
) -> Result<Project, Error> {
    let places = places(paths, here);
    let Some(config) = config else {
        return match owner(&places, here)? {
            Some(file) => read_shown(&here.join(&file), &file),
            None => Ok(Project::default()),
        };
    };
    let project = read(config)?;
    if project.sets_nothing() {
        return Err(Error::input(
            Problem::new(format!(
                "--config {} sets nothing: the run would have no account, set or Region guard",
                config.display()
            ))
            .at(Location::file(config))
            .help("name a project file that sets at least one key (e.g. `set: payments-team`), or leave --config out to use the provision.yaml found from the documents"),
        ));
    }
    Ok(project)
}

/// The project files the documents under `paths` belong to that `--config` stands in for (none
/// when they belong to it or to none): a run never sets one aside without saying so.
pub(crate) fn replaced_by_config(config: &Path, paths: &[PathBuf], here: &Path) -> Vec<PathBuf> {
    let chosen = std::fs::canonicalize(here.join(config)).ok();
    let mut replaced: Vec<PathBuf> = Vec::new();
    for place in places(paths, here) {
        if let Some(found) = nearest(&place, here)
            && std::fs::canonicalize(here.join(&found)).ok() != chosen
            && !replaced.contains(&found)
        {
            replaced.push(found);
        }
    }
    replaced
}

impl Project {
    /// No key set: not a single guard in force.
    fn sets_nothing(&self) -> bool {
        let Project {
            file: _,
            set,
            default_region,
            accounts,
            name_prefix,
            extra_regions,
            targets,
        } = self;
        set.is_none()
            && default_region.is_none()
            && accounts.is_empty()
            && name_prefix.is_none()
            && extra_regions.is_empty()
            && targets.is_empty()
    }
}

/// Where the project file of a run is looked for: each document the paths hold, or the path
/// itself where it holds none (an empty or missing folder, a folder `export` writes to). Paths
/// are relative to `here`, and shown as given.
fn places(paths: &[PathBuf], here: &Path) -> Vec<PathBuf> {
    let mut places = Vec::new();
    for path in paths {
        let files = crate::manifest::load::document_files(&[here.join(path)]);
        if files.is_empty() {
            places.push(path.clone());
        } else {
            places.extend(files.into_iter().map(|file| match file.strip_prefix(here) {
                Ok(relative) if path.is_relative() => relative.to_path_buf(),
                _ => file,
            }));
        }
    }
    places
}

/// The one project file every place belongs to, or none; places that belong to different
/// project files (or some to one and some to none) are refused, naming both.
fn owner(places: &[PathBuf], here: &Path) -> Result<Option<PathBuf>, Error> {
    let mut first: Option<(&PathBuf, Option<PathBuf>)> = None;
    for place in places {
        let found = nearest(place, here);
        let Some((first_place, first_found)) = &first else {
            first = Some((place, found));
            continue;
        };
        let same = match (first_found, &found) {
            (Some(a), Some(b)) => {
                std::fs::canonicalize(here.join(a)).ok() == std::fs::canonicalize(here.join(b)).ok()
            }
            (None, None) => true,
            _ => false,
        };
        if !same {
            let describe = |place: &Path, found: &Option<PathBuf>| match found {
                Some(file) => format!("{} belongs to {}", place.display(), file.display()),
                None => format!(
                    "{} belongs to none (no {FILE_NAME} at or above it{})",
                    place.display(),
                    if repository_root(&absolute(place, here)).is_some() {
                        " up to the repository root"
                    } else {
                        ""
                    }
                ),
            };
            return Err(Error::input(
                Problem::new(format!(
                    "the documents of this run belong to different project files: {}, {}",
                    describe(first_place, first_found),
                    describe(place, &found)
                ))
                .help("run provision once per project, each time with the folders of one project file only (each file's set, accounts and defaultRegion guard its own documents)"),
            ));
        }
    }
    Ok(first.and_then(|(_, found)| found))
}

/// The nearest `provision.yaml` at or above `place` (a document, or a folder), up to the
/// repository root (the first folder above holding `.git`), or up to the file system's root
/// outside a repository; shown relative to `here` (`provision.yaml`, `../provision.yaml`).
pub(crate) fn nearest(place: &Path, here: &Path) -> Option<PathBuf> {
    let place = absolute(place, here);
    let start = if place.is_dir() {
        place.as_path()
    } else {
        place.parent()?
    };
    let root = repository_root(start);
    for folder in start.ancestors() {
        let file = folder.join(FILE_NAME);
        if file.is_file() {
            return Some(relative_to(&file, here));
        }
        if Some(folder) == root.as_deref() {
            return None;
        }
    }
    None
}

/// The first folder at or above `folder` that holds `.git` (a folder, or a worktree's file).
fn repository_root(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` as an absolute path without `.` or `..`, its folders' links resolved where they exist
/// (a document's own link is not followed: the folder it is named in is the one that counts).
fn absolute(path: &Path, here: &Path) -> PathBuf {
    let joined = here.join(path);
    let mut normal = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if normal.is_dir() {
        return std::fs::canonicalize(&normal).unwrap_or(normal);
    }
    match (normal.parent(), normal.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .map(|real| real.join(name))
            .unwrap_or(normal),
        _ => normal,
    }
}

/// `file` relative to `here` (with `..` as needed), as messages show it; absolute when `here`
/// cannot be resolved.
fn relative_to(file: &Path, here: &Path) -> PathBuf {
    let Ok(here) = std::fs::canonicalize(here) else {
        return file.to_path_buf();
    };
    let common = file
        .components()
        .zip(here.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = PathBuf::new();
    for _ in here.components().skip(common) {
        relative.push("..");
    }
    relative.extend(file.components().skip(common));
    relative
}

/// Reads and checks one project file; every problem in it is reported at once, with its line.
pub(crate) fn read(file: &Path) -> Result<Project, Error> {
    read_shown(file, file)
}

/// [`read`] of the file at `real`, named `file` in messages and in the settings (relative to
/// the current directory, as it was found).
fn read_shown(real: &Path, file: &Path) -> Result<Project, Error> {
    let text = crate::local_files::read_text(real, crate::bounds::PROJECT_FILE_BYTES).map_err(|error| {
        Error::input(
            Problem::new(format!("cannot read the project file: {}", error.describe()))
                .at(Location::file(file))
                .help("check the path given to --config, or remove the option to use the provision.yaml of this folder"),
        )
    })?;
    let documents = parse_documents(file, &text).map_err(Error::input)?;
    let mut problems = Vec::new();
    let project = match documents.as_slice() {
        [] => Project::default(),
        [document] if document.value.is_null() => Project::default(),
        [document] => Reader {
            file,
            document,
            problems: &mut problems,
        }
        .project(),
        [_, second, ..] => {
            let start = second.start();
            problems.push(
                Problem::new("the project file holds more than one document")
                    .at(Location::at(file, start.line, start.column))
                    .help("keep one document in provision.yaml; connections belong in their own files"),
            );
            Project::default()
        }
    };
    if problems.is_empty() {
        Ok(Project {
            file: Some(file.to_path_buf()),
            ..project
        })
    } else {
        Err(Error::Input(problems))
    }
}

struct Reader<'a> {
    file: &'a Path,
    document: &'a Document,
    problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    fn report(&mut self, key: &str, at_key: bool, message: String, help: String) {
        let path = [Segment::Key(key.to_string())];
        let position = if at_key {
            self.document.key_position(&path)
        } else {
            self.document.value_position(&path)
        };
        self.problems.push(
            Problem::new(message)
                .at(Location::at(self.file, position.line, position.column))
                .field(key)
                .help(help),
        );
    }

    fn project(mut self) -> Project {
        let Value::Mapping(mapping) = &self.document.value else {
            let start = self.document.start();
            self.problems.push(
                Problem::new("the project file must be a mapping of keys to values")
                    .at(Location::at(self.file, start.line, start.column))
                    .help("write e.g. `set: payments-team` and `defaultRegion: eu-west-1`, one key a line"),
            );
            return Project::default();
        };
        let mut project = Project::default();
        for (key, value) in mapping {
            let Some(key) = key.as_str() else {
                let start = self.document.start();
                self.problems.push(
                    Problem::new("a key of the project file must be a plain string")
                        .at(Location::at(self.file, start.line, start.column))
                        .help("write the key as plain text"),
                );
                continue;
            };
            match key {
                "set" => project.set = self.set(value),
                "defaultRegion" => {
                    project.default_region = self.text(key, value).filter(|region| {
                        self.region(key, region, &unchecked_list(mapping, "extraRegions"))
                    });
                }
                "accounts" => project.accounts = self.accounts(value),
                "namePrefix" => project.name_prefix = self.name_prefix(value),
                "extraRegions" => project.extra_regions = self.extra_regions(value),
                "targets" => {
                    project.targets = self.targets(value, &unchecked_list(mapping, "extraRegions"));
                }
                unknown => {
                    let help = match crate::manifest::convert::suggest(unknown, PROJECT) {
                        Some(candidate) => format!("did you mean `{candidate}`?"),
                        None => format!(
                            "allowed keys in provision.yaml: {}",
                            keys::names(PROJECT).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    self.report(unknown, true, format!("unknown key `{unknown}`"), help);
                }
            }
        }
        self.targets_in_accounts(&project);
        project
    }

    /// A plain string (a number is refused: `set: 2024` would lose its text).
    fn text(&mut self, key: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            other => {
                self.report(
                    key,
                    other.is_null(),
                    format!("expected a string, found {}", kind(other)),
                    format!("write `{key}: <value>`, in quotes if it looks like a number"),
                );
                None
            }
        }
    }

    fn set(&mut self, value: &Value) -> Option<OwnershipSet> {
        let name = self.text("set", value)?;
        match OwnershipSet::parse(&name) {
            Ok(set) => Some(set),
            Err(_) => {
                self.report(
                    "set",
                    false,
                    format!("`{}` is not a set name", name.escape_debug()),
                    "use 1-32 lower-case letters, digits and hyphens, e.g. `set: payments-team`"
                        .to_string(),
                );
                None
            }
        }
    }

    fn region(&mut self, key: &str, region: &str, extra: &[String]) -> bool {
        match regions::check_region_with(region, extra) {
            Ok(()) => true,
            Err(violation) => {
                self.report(key, false, violation.message, violation.help);
                false
            }
        }
    }

    fn list(&mut self, key: &str, value: &Value) -> Vec<String> {
        let Value::Sequence(items) = value else {
            self.report(
                key,
                value.is_null(),
                format!("expected a list, found {}", kind(value)),
                format!("write e.g. `{key}: [\"...\"]`"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Value::String(text) => out.push(text.clone()),
                other => self.report(
                    key,
                    false,
                    format!("expected a list of strings, found {} in it", kind(other)),
                    format!("put each entry of `{key}` in quotes"),
                ),
            }
        }
        out
    }

    fn accounts(&mut self, value: &Value) -> Vec<String> {
        if let Value::Sequence(items) = value
            && items.iter().any(|item| matches!(item, Value::Number(_)))
        {
            self.report(
                "accounts",
                false,
                "account ids must be quoted: YAML reads them as numbers and drops leading zeros"
                    .to_string(),
                "write e.g. `accounts: [\"012345678901\"]`".to_string(),
            );
            return Vec::new();
        }
        let accounts = self.list("accounts", value);
        for account in &accounts {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                self.report(
                    "accounts",
                    false,
                    format!(
                        "`{}` is not an AWS account id: it must be exactly 12 digits",
                        account.escape_debug()
                    ),
                    "write each account as 12 digits in quotes, e.g. `accounts: [\"123456789012\"]`"
                        .to_string(),
                );
            }
        }
        if accounts.is_empty() && matches!(value, Value::Sequence(_)) {
            self.report(
                "accounts",
                false,
                "the list of accounts is empty: no account could be used".to_string(),
                "list the accounts this folder may touch, or remove `accounts`".to_string(),
            );
        }
        accounts
    }

    fn name_prefix(&mut self, value: &Value) -> Option<String> {
        let prefix = self.text("namePrefix", value)?;
        let valid = !prefix.is_empty()
            && prefix.len() < 64
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if valid {
            Some(prefix)
        } else {
            self.report(
                "namePrefix",
                false,
                format!("`{}` cannot start a connection name", prefix.escape_debug()),
                "use 1-63 of A-Z a-z 0-9 . - _, e.g. `namePrefix: payments-`".to_string(),
            );
            None
        }
    }

    fn extra_regions(&mut self, value: &Value) -> Vec<String> {
        let listed = self.list("extraRegions", value);
        let mut accepted = Vec::new();
        for region in listed {
            match regions::check_extra_region(&region) {
                Ok(()) => accepted.push(region),
                Err(violation) => {
                    self.report("extraRegions", false, violation.message, violation.help);
                }
            }
        }
        accepted
    }
}

/// Reading `targets:`: each item checked on its own, then the names and accounts across them.
impl Reader<'_> {
    fn report_at(&mut self, path: &[Segment], at_key: bool, message: String, help: String) {
        let position = if at_key {
            self.document.key_position(path)
        } else {
            self.document.value_position(path)
        };
        self.problems.push(
            Problem::new(message)
                .at(Location::at(self.file, position.line, position.column))
                .field(display_path(path))
                .help(help),
        );
    }

    fn targets(&mut self, value: &Value, extra: &[String]) -> Vec<Target> {
        let root = [Segment::Key("targets".to_string())];
        let items = match value {
            Value::Sequence(items) if !items.is_empty() => items,
            Value::Sequence(_) => {
                self.report_at(
                    &root,
                    false,
                    "the list of targets is empty: no document could be placed".to_string(),
                    "list at least one target (`- name: prod`, `account`, `regions`), or remove `targets`".to_string(),
                );
                return Vec::new();
            }
            other => {
                self.report_at(
                    &root,
                    other.is_null(),
                    format!("expected a list of targets, found {}", kind(other)),
                    format!("write e.g. `targets:` followed by {}", example_target()),
                );
                return Vec::new();
            }
        };
        let mut targets: Vec<Target> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let path = [root[0].clone(), Segment::Index(index)];
            let Some(target) = self.target(item, &path, extra) else {
                continue;
            };
            let field = |key: &str| {
                let mut at = path.to_vec();
                at.push(Segment::Key(key.to_string()));
                at
            };
            if let Some(first) = targets.iter().position(|t| t.name == target.name) {
                self.report_at(
                    &field("name"),
                    false,
                    format!(
                        "the target name `{}` is used twice (also by targets[{first}])",
                        target.name
                    ),
                    "give each target its own name".to_string(),
                );
                continue;
            }
            if let Some(first) = targets.iter().find(|t| t.account == target.account) {
                self.report_at(
                    &field("account"),
                    false,
                    format!(
                        "account {} is already the target `{}`: a place is an account and a Region, so two targets cannot share an account",
                        target.account, first.name
                    ),
                    format!(
                        "list every Region of account {} under the one target `{}`",
                        target.account, first.name
                    ),
                );
                continue;
            }
            targets.push(target);
        }
        targets
    }

    /// One item of `targets:`; `None` after reporting its problems.
    fn target(&mut self, value: &Value, path: &[Segment], extra: &[String]) -> Option<Target> {
        let Value::Mapping(mapping) = value else {
            self.report_at(
                path,
                false,
                format!("expected a target (a mapping), found {}", kind(value)),
                format!("write each target as {}", example_target()),
            );
            return None;
        };
        let before = self.problems.len();
        let at = |key: &str| {
            let mut at = path.to_vec();
            at.push(Segment::Key(key.to_string()));
            at
        };
        for key in mapping.keys() {
            let Some(key) = key.as_str() else {
                self.report_at(
                    path,
                    false,
                    "a key of a target must be a plain string".to_string(),
                    "write the key as plain text".to_string(),
                );
                continue;
            };
            if !keys::names(TARGET).any(|name| name == key) {
                let help = match convert::suggest(key, TARGET) {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!(
                        "allowed keys of a target: {}",
                        keys::names(TARGET).collect::<Vec<_>>().join(", ")
                    ),
                };
                self.report_at(&at(key), true, format!("unknown key `{key}`"), help);
            }
        }
        for required in TARGET.iter().filter(|key| key.required) {
            if !mapping.contains_key(required.name) {
                self.report_at(
                    path,
                    false,
                    format!("the target has no `{}`", required.name),
                    format!("add `{}: {}`", required.name, required.example),
                );
            }
        }
        let name = mapping
            .get("name")
            .and_then(|value| self.target_name(value, &at("name")));
        let account = mapping
            .get("account")
            .and_then(|value| self.target_account(value, &at("account")));
        let role = |this: &mut Self, key: &str| {
            let value = mapping.get(key)?;
            this.role_arn(value, &at(key), account.as_deref())
        };
        let role_arn = role(self, "role");
        let read_role = role(self, "readRole");
        let external_id = mapping.get("externalId").and_then(|_| {
            convert::secret_reference(self.file, self.document, &at("externalId"), self.problems)
        });
        let regions = mapping
            .get("regions")
            .and_then(|value| self.target_regions(value, &at("regions"), extra));
        if self.problems.len() > before {
            return None;
        }
        Some(Target {
            name: name?,
            account: account?,
            role: role_arn,
            read_role,
            external_id,
            regions: regions?,
        })
    }

    fn target_name(&mut self, value: &Value, path: &[Segment]) -> Option<String> {
        let text = value.as_str().map(str::to_string).or_else(|| {
            self.document
                .raw_scalar(path)
                .filter(|_| matches!(value, Value::Number(_)))
                .map(str::to_string)
        });
        let valid = text.as_deref().is_some_and(|name| {
            !name.is_empty()
                && name.len() <= TARGET_NAME_MAX
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-')
        });
        if valid {
            return text;
        }
        let shown = match &text {
            Some(text) => format!("`{}`", text.escape_debug()),
            None => kind(value).to_string(),
        };
        self.report_at(
            path,
            value.is_null(),
            format!("{shown} is not a target name"),
            format!(
                "use 1-{TARGET_NAME_MAX} lower-case letters, digits and hyphens, e.g. `name: prod`"
            ),
        );
        None
    }

    /// 12 digits, quoted or not: YAML reads an unquoted id as a number (`012345678901` as
    /// 12345678901), so the digits are taken as written.
    fn target_account(&mut self, value: &Value, path: &[Segment]) -> Option<String> {
        let text = match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(_) => self.document.raw_scalar(path).map(str::to_string),
            _ => None,
        };
        if let Some(account) = text.filter(|account| is_account(account)) {
            return Some(account);
        }
        let shown = match (value, self.document.raw_scalar(path)) {
            (Value::String(text), _) => format!("`{}`", text.escape_debug()),
            (_, Some(text)) => format!("`{}`", text.escape_debug()),
            (other, None) => kind(other).to_string(),
        };
        self.report_at(
            path,
            value.is_null(),
            format!("{shown} is not an AWS account id: it must be exactly 12 digits"),
            "write the account as its 12 digits, e.g. `account: \"111111111111\"`".to_string(),
        );
        None
    }

    /// An IAM role ARN in `account` (the target's): a role elsewhere would be refused once
    /// assumed, when the assumed account is checked, so it is refused here first.
    fn role_arn(
        &mut self,
        value: &Value,
        path: &[Segment],
        account: Option<&str>,
    ) -> Option<String> {
        let key = display_path(&path[path.len() - 1..]);
        let Some(arn) = value.as_str() else {
            self.report_at(
                path,
                value.is_null(),
                format!("expected an IAM role ARN, found {}", kind(value)),
                format!("write e.g. `{key}: arn:aws:iam::111111111111:role/provision`"),
            );
            return None;
        };
        let Some((partition, arn_account, name)) = role_parts(arn) else {
            self.report_at(
                path,
                false,
                format!("`{}` is not an IAM role ARN", arn.escape_debug()),
                format!(
                    "write arn:<partition>:iam::<account>:role/<name>, e.g. `{key}: arn:aws:iam::111111111111:role/provision`"
                ),
            );
            return None;
        };
        if let Some(account) = account
            && arn_account != account
        {
            self.report_at(
                path,
                false,
                format!(
                    "the role `{}` is in account {arn_account}, but the target is account {account}: the assumed account would be refused",
                    arn.escape_debug()
                ),
                format!("name a role of account {account}, e.g. arn:{partition}:iam::{account}:role/{name}"),
            );
            return None;
        }
        Some(arn.to_string())
    }

    fn target_regions(
        &mut self,
        value: &Value,
        path: &[Segment],
        extra: &[String],
    ) -> Option<Vec<String>> {
        let Value::Sequence(items) = value else {
            self.report_at(
                path,
                value.is_null(),
                format!("expected a list of Regions, found {}", kind(value)),
                "write e.g. `regions: [eu-west-1, us-east-1]`".to_string(),
            );
            return None;
        };
        if items.is_empty() {
            self.report_at(
                path,
                false,
                "the list of Regions is empty: the target would hold nothing".to_string(),
                "list at least one Region, e.g. `regions: [eu-west-1]`".to_string(),
            );
            return None;
        }
        let mut regions: Vec<String> = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let mut at = path.to_vec();
            at.push(Segment::Index(index));
            let Some(region) = item.as_str() else {
                self.report_at(
                    &at,
                    false,
                    format!("expected a Region code, found {}", kind(item)),
                    "write Region codes such as `eu-west-1`".to_string(),
                );
                ok = false;
                continue;
            };
            if let Err(violation) = regions::check_region_with(region, extra) {
                self.report_at(&at, false, violation.message, violation.help);
                ok = false;
            } else if let Some(first) = regions.iter().position(|r| r == region) {
                self.report_at(
                    &at,
                    false,
                    format!("`{region}` is listed twice (also as regions[{first}])"),
                    "remove one of them".to_string(),
                );
                ok = false;
            } else {
                regions.push(region.to_string());
            }
        }
        ok.then_some(regions)
    }

    /// With both `accounts:` and `targets:`, every target's account is one of `accounts:`.
    fn targets_in_accounts(&mut self, project: &Project) {
        if project.accounts.is_empty() {
            return;
        }
        for (index, target) in project.targets.iter().enumerate() {
            if project.accounts.contains(&target.account) {
                continue;
            }
            let path = [
                Segment::Key("targets".to_string()),
                Segment::Index(index),
                Segment::Key("account".to_string()),
            ];
            self.report_at(
                &path,
                false,
                format!(
                    "the target `{}` is account {}, which `accounts:` does not list ({})",
                    target.name,
                    target.account,
                    project.accounts.join(", ")
                ),
                format!(
                    "add \"{}\" to `accounts:`, or remove the target",
                    target.account
                ),
            );
        }
    }
}

/// A target as the help shows one.
fn example_target() -> &'static str {
    "`- name: prod` with `account: \"111111111111\"` and `regions: [eu-west-1]`"
}

/// 12 ASCII digits.
fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The partition, account and role name (with its path) of an IAM role ARN
/// (`arn:aws:iam::111111111111:role/provision`), as IAM's identifiers reference describes them:
/// names of A-Z a-z 0-9 and `+=,.@_-`, under an optional path.
fn role_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam::")?;
    let (account, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix("role/")?;
    let partition_ok = partition == "aws" || partition.starts_with("aws-");
    let name_ok = !name.is_empty()
        && !name.ends_with('/')
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-' | b'/')
        });
    (partition_ok && is_account(account) && name_ok).then_some((partition, account, name))
}

/// The strings listed under `key`, unchecked (so `defaultRegion` may name an extra Region
/// whatever the order of the keys).
fn unchecked_list(mapping: &serde_yaml::Mapping, key: &str) -> Vec<String> {
    match mapping.get(key) {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(text: &str) -> Result<Project, Error> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, text).unwrap();
        read(&file).map(|project| Project {
            file: None,
            ..project
        })
    }

    fn problems(text: &str) -> Vec<String> {
        match project(text) {
            Err(Error::Input(problems)) => problems
                .iter()
                .map(|p| {
                    let mut line = p.to_string();
                    let at = line.find(FILE_NAME).map_or(0, |i| i + FILE_NAME.len());
                    line.replace_range(..at, "provision.yaml");
                    line
                })
                .collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn every_key_is_read() {
        let read = project(
            "set: payments-team\ndefaultRegion: ap-southeast-9\naccounts: [\"123456789012\", \"012345678901\"]\nnamePrefix: pay-\nextraRegions: [ap-southeast-9]\n",
        )
        .unwrap();
        assert_eq!(
            read,
            Project {
                file: None,
                set: Some(OwnershipSet::parse("payments-team").unwrap()),
                default_region: Some("ap-southeast-9".into()),
                accounts: vec!["123456789012".into(), "012345678901".into()],
                name_prefix: Some("pay-".into()),
                extra_regions: vec!["ap-southeast-9".into()],
                targets: Vec::new(),
            }
        );
        assert_eq!(project("").unwrap(), Project::default());
        assert_eq!(project("# nothing yet\n").unwrap(), Project::default());
    }

    #[test]
    fn a_broken_file_gets_file_line_and_key() {
        assert_eq!(
            problems("set: payments-team\ndefaultRegon: eu-west-1\n"),
            [
                "provision.yaml:2:1: defaultRegon: unknown key `defaultRegon`\n  help: did you mean `defaultRegion`?"
            ]
        );
        assert_eq!(
            problems(
                "set: Payments\ndefaultRegion: eu-west1\naccounts: [123456789012]\nnamePrefix: \"a b\"\nextraRegions: [mars]\n"
            ),
            [
                "provision.yaml:1:6: set: `Payments` is not a set name\n  help: use 1-32 lower-case letters, digits and hyphens, e.g. `set: payments-team`",
                "provision.yaml:2:16: defaultRegion: `eu-west1` is not an AWS Region code\n  help: did you mean `eu-west-1`?",
                "provision.yaml:3:11: accounts: account ids must be quoted: YAML reads them as numbers and drops leading zeros\n  help: write e.g. `accounts: [\"012345678901\"]`",
                "provision.yaml:4:13: namePrefix: `a b` cannot start a connection name\n  help: use 1-63 of A-Z a-z 0-9 . - _, e.g. `namePrefix: payments-`",
                "provision.yaml:5:15: extraRegions: `mars` is not shaped like an AWS Region code\n  help: write Region codes such as `us-east-1`, `eu-central-2` or `us-gov-west-1` (lower case: area, direction, number)",
            ]
        );
        assert_eq!(
            problems("concurrency: 4\n"),
            [
                "provision.yaml:1:1: concurrency: unknown key `concurrency`\n  help: allowed keys in provision.yaml: set, defaultRegion, accounts, namePrefix, extraRegions, targets"
            ]
        );
        assert_eq!(problems("accounts: [\"12345\"]\n").len(), 1);
        assert_eq!(problems("- set\n").len(), 1);
        assert_eq!(problems("set: a\n---\nset: b\n").len(), 1);
    }

    const TARGETS: &str = "targets:\n  - name: prod\n    account: \"111111111111\"\n    role: arn:aws:iam::111111111111:role/provision\n    readRole: arn:aws:iam::111111111111:role/provision-read\n    externalId: { env: PROVISION_EXTERNAL_ID }\n    regions: [eu-west-1, us-east-1]\n  - name: staging\n    account: 012345678901\n    regions: [eu-west-1]\n";

    #[test]
    fn targets_are_read_with_their_accounts_roles_and_regions() {
        let read = project(TARGETS).unwrap();
        let [prod, staging] = read.targets.as_slice() else {
            panic!("{read:?}")
        };
        assert_eq!(prod.name, "prod");
        assert_eq!(prod.account, "111111111111");
        assert_eq!(
            prod.role.as_deref(),
            Some("arn:aws:iam::111111111111:role/provision")
        );
        assert_eq!(
            prod.read_role.as_deref(),
            Some("arn:aws:iam::111111111111:role/provision-read")
        );
        assert_eq!(
            prod.external_id.as_ref().map(|r| &r.source),
            Some(&crate::sources::SecretSource::Env(
                "PROVISION_EXTERNAL_ID".into()
            ))
        );
        assert_eq!(prod.regions, ["eu-west-1", "us-east-1"]);
        // Unquoted, YAML reads the id as a number and drops its leading zero: the digits are
        // taken as written.
        assert_eq!(staging.account, "012345678901");
        assert_eq!(
            (staging.role.as_ref(), staging.external_id.as_ref()),
            (None, None)
        );
        assert_eq!(read.target("staging"), Some(staging));
        assert_eq!(read.target_in("111111111111"), Some(prod));
        assert_eq!(read.target_names(), "prod, staging");
    }

    #[test]
    fn a_broken_target_gets_file_line_field_and_help() {
        assert_eq!(
            problems(
                "targets:\n  - name: Prod\n    account: \"1111\"\n    role: arn:aws:iam::222222222222:role/provision\n    regions: [eu-west1]\n    region: [eu-west-1]\n"
            ),
            [
                "provision.yaml:6:5: targets[0].region: unknown key `region`\n  help: did you mean `regions`?",
                "provision.yaml:2:11: targets[0].name: `Prod` is not a target name\n  help: use 1-32 lower-case letters, digits and hyphens, e.g. `name: prod`",
                "provision.yaml:3:14: targets[0].account: `1111` is not an AWS account id: it must be exactly 12 digits\n  help: write the account as its 12 digits, e.g. `account: \"111111111111\"`",
                "provision.yaml:5:15: targets[0].regions[0]: `eu-west1` is not an AWS Region code\n  help: did you mean `eu-west-1`?",
            ]
        );
        assert_eq!(
            problems(
                "targets:\n  - name: prod\n    account: \"111111111111\"\n    role: arn:aws:iam::222222222222:role/provision\n    readRole: provision-read\n    regions: [eu-west-1]\n"
            ),
            [
                "provision.yaml:4:11: targets[0].role: the role `arn:aws:iam::222222222222:role/provision` is in account 222222222222, but the target is account 111111111111: the assumed account would be refused\n  help: name a role of account 111111111111, e.g. arn:aws:iam::111111111111:role/provision",
                "provision.yaml:5:15: targets[0].readRole: `provision-read` is not an IAM role ARN\n  help: write arn:<partition>:iam::<account>:role/<name>, e.g. `readRole: arn:aws:iam::111111111111:role/provision`",
            ]
        );
        assert_eq!(
            problems("targets:\n  - name: prod\n    account: \"111111111111\"\n"),
            [
                "provision.yaml:2:5: targets[0]: the target has no `regions`\n  help: add `regions: [eu-west-1, us-east-1]`"
            ]
        );
        assert_eq!(
            problems("targets: []\n"),
            [
                "provision.yaml:1:10: targets: the list of targets is empty: no document could be placed\n  help: list at least one target (`- name: prod`, `account`, `regions`), or remove `targets`"
            ]
        );
        assert_eq!(
            problems("targets:\n  - name: prod\n    account: \"111111111111\"\n    regions: []\n")
                .len(),
            1
        );
        assert_eq!(
            problems("targets:\n  - name: prod\n    account: \"111111111111\"\n    regions: [eu-west-1]\n    externalId: { env: \"\" }\n")
                .len(),
            1
        );
    }

    #[test]
    fn targets_share_no_name_and_no_account_and_stay_within_accounts() {
        let two = |second: &str| {
            format!(
                "targets:\n  - name: prod\n    account: \"111111111111\"\n    regions: [eu-west-1]\n{second}"
            )
        };
        assert_eq!(
            problems(&two(
                "  - name: prod\n    account: \"222222222222\"\n    regions: [eu-west-1]\n"
            )),
            [
                "provision.yaml:5:11: targets[1].name: the target name `prod` is used twice (also by targets[0])\n  help: give each target its own name"
            ]
        );
        assert_eq!(
            problems(&two(
                "  - name: staging\n    account: \"111111111111\"\n    regions: [us-east-1]\n"
            )),
            [
                "provision.yaml:6:14: targets[1].account: account 111111111111 is already the target `prod`: a place is an account and a Region, so two targets cannot share an account\n  help: list every Region of account 111111111111 under the one target `prod`"
            ]
        );
        let with_accounts = format!(
            "accounts: [\"222222222222\"]\n{}",
            two("  - name: staging\n    account: \"222222222222\"\n    regions: [us-east-1]\n")
        );
        assert_eq!(
            problems(&with_accounts),
            [
                "provision.yaml:4:14: targets[0].account: the target `prod` is account 111111111111, which `accounts:` does not list (222222222222)\n  help: add \"111111111111\" to `accounts:`, or remove the target"
            ]
        );
        // extraRegions are honoured whatever the order of the keys.
        let extra = project(&format!(
            "{}extraRegions: [eu-south-3]\n",
            two("  - name: staging\n    account: \"222222222222\"\n    regions: [eu-south-3]\n")
        ))
        .unwrap();
        assert_eq!(extra.targets[1].regions, ["eu-south-3"]);
    }

    #[test]
    fn found_from_the_documents_up_to_the_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let deep = repo.join("teams/payments/connections");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(deep.join("sf.yaml"), "name: sf\n").unwrap();
        // Above the repository root: never looked at.
        std::fs::write(root.path().join(FILE_NAME), "set: outside\n").unwrap();
        assert_eq!(nearest(&deep, &deep), None);
        std::fs::write(repo.join(FILE_NAME), "set: root\n").unwrap();
        assert_eq!(
            nearest(&deep, &deep),
            Some(PathBuf::from("../../../provision.yaml"))
        );
        let team = repo.join("teams/payments");
        std::fs::write(team.join(FILE_NAME), "set: payments\n").unwrap();
        // The folder named decides, wherever the run starts.
        assert_eq!(
            nearest(Path::new("teams/payments/connections/sf.yaml"), &repo),
            Some(PathBuf::from("teams/payments/provision.yaml"))
        );
        assert_eq!(
            nearest(
                Path::new("../teams/payments/connections"),
                &repo.join("teams")
            ),
            Some(PathBuf::from("payments/provision.yaml"))
        );
        let project =
            discover(None, &[PathBuf::from("teams/payments/connections")], &repo).unwrap();
        assert_eq!(project.set, Some(OwnershipSet::parse("payments").unwrap()));
        assert_eq!(
            project.file,
            Some(PathBuf::from("teams/payments/provision.yaml"))
        );
        // Outside a repository, up to the file system's root.
        let loose = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(loose.path().join("sub")).unwrap();
        std::fs::write(loose.path().join(FILE_NAME), "set: loose\n").unwrap();
        assert_eq!(
            nearest(Path::new("."), &loose.path().join("sub")),
            Some(PathBuf::from("../provision.yaml"))
        );
        assert_eq!(
            nearest(Path::new("sub"), loose.path()),
            Some(PathBuf::from(FILE_NAME))
        );
    }

    #[test]
    fn documents_of_two_project_files_are_refused_naming_both() {
        let repo = tempfile::tempdir().unwrap();
        let repo = repo.path();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        for team in ["a", "b", "c"] {
            std::fs::create_dir_all(repo.join(format!("teams/{team}/connections"))).unwrap();
            std::fs::write(
                repo.join(format!("teams/{team}/connections/{team}.yaml")),
                "name: x\n",
            )
            .unwrap();
        }
        std::fs::write(repo.join("teams/a/provision.yaml"), "set: a\n").unwrap();
        std::fs::write(repo.join("teams/b/provision.yaml"), "set: b\n").unwrap();
        let message = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            match discover(None, &paths, repo) {
                Err(error) => error.to_string(),
                Ok(project) => panic!("expected a refusal, got {project:?}"),
            }
        };
        assert_eq!(
            message(&["teams/"]),
            "the documents of this run belong to different project files: teams/a/connections/a.yaml belongs to teams/a/provision.yaml, teams/b/connections/b.yaml belongs to teams/b/provision.yaml\n  help: run provision once per project, each time with the folders of one project file only (each file's set, accounts and defaultRegion guard its own documents)"
        );
        assert!(
            message(&["teams/a/connections", "teams/c/connections"]).contains(
                "teams/c/connections/c.yaml belongs to none (no provision.yaml at or above it up to the repository root)"
            )
        );
        // One project, named twice: one run.
        let project = discover(
            None,
            &[
                PathBuf::from("teams/a/connections"),
                PathBuf::from("teams/a"),
            ],
            repo,
        )
        .unwrap();
        assert_eq!(project.set, Some(OwnershipSet::parse("a").unwrap()));
    }

    #[test]
    fn a_config_that_sets_nothing_is_refused_and_one_that_stands_in_is_named() {
        let repo = tempfile::tempdir().unwrap();
        let repo = repo.path();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("connections")).unwrap();
        std::fs::write(repo.join("connections/a.yaml"), "name: x\n").unwrap();
        std::fs::write(repo.join(FILE_NAME), "accounts: [\"123456789012\"]\n").unwrap();
        std::fs::write(repo.join("other.yaml"), "set: other\n").unwrap();
        std::fs::write(repo.join("empty.yaml"), "# nothing\n").unwrap();
        let paths = [PathBuf::from("connections")];
        let refused = discover(Some(&repo.join("empty.yaml")), &paths, repo)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("sets nothing: the run would have no account, set or Region guard"),
            "{refused}"
        );
        // A device is no project file at all: refused before it is read (local_files).
        let refused = discover(Some(Path::new("/dev/null")), &paths, repo)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("/dev/null: cannot read the project file: it is a device"),
            "{refused}"
        );
        let other = repo.join("other.yaml");
        assert_eq!(
            discover(Some(&other), &paths, repo).unwrap().set,
            Some(OwnershipSet::parse("other").unwrap())
        );
        assert_eq!(
            replaced_by_config(&other, &paths, repo),
            [PathBuf::from(FILE_NAME)]
        );
        assert!(replaced_by_config(&repo.join(FILE_NAME), &paths, repo).is_empty());
    }
}
