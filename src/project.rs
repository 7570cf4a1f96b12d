//! The project file, `provision.yaml`: what makes one folder behave the same on every machine.
//!
//! Without it, a document without `regions:` belongs to whatever Region the environment says,
//! every team shares the ownership set `default`, and nothing stops a run against the wrong
//! account. The file pins those for the whole folder: `set`, `defaultRegion`, `accounts`,
//! `namePrefix`, `extraRegions` (the keys are [`crate::manifest::keys::PROJECT`], one line each).
//!
//! It is found in the current directory or the nearest parent, stopping at the repository root
//! (the first folder holding `.git`; outside a repository only the current directory is
//! looked at, so a stray file higher up never changes a run), or named with `--config FILE`.
//! It is never read as a connection document. Reading it is pure apart from the file system.

use crate::error::{Error, Location, Problem};
use crate::manifest::convert::kind;
use crate::manifest::keys::{self, PROJECT};
use crate::manifest::regions;
use crate::manifest::yaml::{Document, Segment, parse_documents};
use crate::ownership::OwnershipSet;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub(crate) const FILE_NAME: &str = "provision.yaml";

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
}

/// The project of a run: `--config FILE`, or the file found from `start` (the current
/// directory), or none.
pub(crate) fn discover(config: Option<&Path>, start: &Path) -> Result<Project, Error> {
    match config {
        Some(file) => read(file),
        None => match find(start) {
            Some(file) => read(&file),
            None => Ok(Project::default()),
        },
    }
}

/// `provision.yaml` in `start` or the nearest parent, up to the repository root; as a path
/// relative to `start` (`provision.yaml`, `../../provision.yaml`), as messages show it.
pub(crate) fn find(start: &Path) -> Option<PathBuf> {
    let mut folder = start.to_path_buf();
    let mut relative = PathBuf::new();
    let inside_repository = start.ancestors().any(|a| a.join(".git").exists());
    loop {
        if folder.join(FILE_NAME).is_file() {
            return Some(relative.join(FILE_NAME));
        }
        if !inside_repository || folder.join(".git").exists() || !folder.pop() {
            return None;
        }
        relative.push("..");
    }
}

/// Reads and checks one project file; every problem in it is reported at once, with its line.
pub(crate) fn read(file: &Path) -> Result<Project, Error> {
    let text = crate::local_files::read_text(file, crate::bounds::PROJECT_FILE_BYTES).map_err(|error| {
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
                "provision.yaml:1:1: concurrency: unknown key `concurrency`\n  help: allowed keys in provision.yaml: set, defaultRegion, accounts, namePrefix, extraRegions"
            ]
        );
        assert_eq!(problems("accounts: [\"12345\"]\n").len(), 1);
        assert_eq!(problems("- set\n").len(), 1);
        assert_eq!(problems("set: a\n---\nset: b\n").len(), 1);
    }

    #[test]
    fn found_in_the_nearest_parent_up_to_the_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let deep = repo.join("teams/payments/connections");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        // Above the repository root: never looked at.
        std::fs::write(root.path().join(FILE_NAME), "set: outside\n").unwrap();
        assert_eq!(find(&deep), None);
        std::fs::write(repo.join(FILE_NAME), "set: root\n").unwrap();
        assert_eq!(find(&deep), Some(PathBuf::from("../../../provision.yaml")));
        let team = repo.join("teams/payments");
        std::fs::write(team.join(FILE_NAME), "set: payments\n").unwrap();
        assert_eq!(find(&deep), Some(PathBuf::from("../provision.yaml")));
        // Outside a repository, only the current directory counts.
        let loose = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(loose.path().join("sub")).unwrap();
        std::fs::write(loose.path().join(FILE_NAME), "set: loose\n").unwrap();
        assert_eq!(find(&loose.path().join("sub")), None);
        assert_eq!(find(loose.path()), Some(PathBuf::from(FILE_NAME)));
    }
}
