//! Finds the YAML files under the given paths and loads every connection declared in them.
//!
//! Folders are walked recursively in sorted order (so output is stable), symlink loops are
//! detected, and every problem from every file is collected before the run is stopped.

use super::convert::convert_with;
use super::yaml::parse_documents;
use super::{ConnectionSpec, Rules};
use crate::bounds;
use crate::error::{Error, Location, Problem};
use crate::local_files::{self, ReadError, special_file_kind};
use std::collections::{BTreeMap, HashSet};

/// The project file's name: the walk never reads it as a connection document.
pub(crate) const PROJECT_FILE: &str = "provision.yaml";
use std::fs;
use std::path::{Path, PathBuf};

/// All connections declared under `paths`, or every problem found.
#[cfg(test)]
pub fn load(paths: &[PathBuf]) -> Result<Vec<ConnectionSpec>, Error> {
    load_with(paths, &Rules::default())
}

/// [`load`] with the run's [`Rules`]. A project file (`provision.yaml`, or the run's
/// `--config`) found in a folder is skipped, and one named as a path is refused: it is never a
/// connection document.
pub fn load_with(paths: &[PathBuf], rules: &Rules) -> Result<Vec<ConnectionSpec>, Error> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if is_project_file(path, rules) && fs::metadata(path).is_ok_and(|m| m.is_file()) {
            problems.push(
                Problem::new("this is a project file, not a connection document")
                    .at(Location::file(path))
                    .help("pass the folder or files that hold the connections; provision finds provision.yaml itself (or name it with --config)"),
            );
            continue;
        }
        collect_files(path, &mut files, &mut problems);
    }
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    files.retain(|file| !is_project_file(file, rules));

    let mut specs = Vec::new();
    for file in &files {
        load_file(file, &mut specs, &mut problems, rules);
    }
    check_duplicate_names(&specs, &mut problems);
    check_duplicate_destination_names(&specs, &mut problems);
    check_rules(&specs, &mut problems);
    if problems.is_empty() {
        specs.iter().for_each(declare_public);
        Ok(specs)
    } else {
        Err(Error::Input(problems))
    }
}

/// The connection files a run over `paths` would read, for finding their project file before
/// they are loaded: walked as [`load_with`] walks them, problems left for it to report.
pub(crate) fn document_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for path in paths {
        collect_files(path, &mut files, &mut ignored);
    }
    files.retain(|file| file.file_name().is_none_or(|name| name != PROJECT_FILE));
    files
}

/// What a document declares in the open (names, descriptions, the token URL) is public: a
/// secret that happens to start with its connection's name must not hide the name.
fn declare_public(spec: &ConnectionSpec) {
    crate::secret::public(&spec.name);
    crate::secret::public(&spec.token_url);
    spec.description
        .iter()
        .for_each(|d| crate::secret::public(d));
    for destination in &spec.destinations {
        crate::secret::public(&destination.name);
        destination
            .description
            .iter()
            .for_each(|d| crate::secret::public(d));
        for rule in &destination.rules {
            crate::secret::public(&rule.name);
        }
    }
}

/// `provision.yaml` anywhere, or the run's project file under any name.
fn is_project_file(path: &Path, rules: &Rules) -> bool {
    if path.file_name().is_some_and(|name| name == PROJECT_FILE) {
        return true;
    }
    rules.project_file.as_ref().is_some_and(|project| {
        fs::canonicalize(project)
            .ok()
            .is_some_and(|real| fs::canonicalize(path).ok() == Some(real))
    })
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            problems.push(path_problem(path, &error));
            return;
        }
    };
    if metadata.is_file() {
        files.push(path.to_path_buf());
        return;
    }
    if !metadata.is_dir() {
        problems.push(not_a_file_or_folder(path, &metadata));
        return;
    }
    let (files_before, problems_before) = (files.len(), problems.len());
    let mut visiting = HashSet::new();
    walk(path, files, problems, &mut visiting);
    if files.len() == files_before && problems.len() == problems_before {
        problems.push(
            Problem::new("no YAML files (*.yaml, *.yml) in this folder")
                .at(Location::file(path))
                .help("add a connection file, or pass the folder or file that holds them"),
        );
    }
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
    visiting: &mut HashSet<PathBuf>,
) {
    let real = match fs::canonicalize(dir) {
        Ok(real) => real,
        Err(error) => {
            problems.push(path_problem(dir, &error));
            return;
        }
    };
    if !visiting.insert(real.clone()) {
        problems.push(
            Problem::new("symbolic link loop: this folder contains itself")
                .at(Location::file(dir))
                .help("remove the link that points back to a parent folder"),
        );
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(path_problem(dir, &error));
            visiting.remove(&real);
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => walk(&path, files, problems, visiting),
            Ok(metadata) if is_yaml(&path) && metadata.is_file() => files.push(path),
            // Reading a named pipe would wait for a writer forever.
            Ok(metadata) if is_yaml(&path) => {
                problems.push(not_a_file_or_folder(&path, &metadata));
            }
            Ok(_) => {}
            Err(error) if is_yaml(&path) || fs::symlink_metadata(&path).is_ok() => {
                problems.push(path_problem(&path, &error));
            }
            Err(_) => {}
        }
    }
    visiting.remove(&real);
}

/// A path that is neither a regular file nor a folder (a named pipe, a device such as
/// `/dev/null`, a socket): reading it could block or yield nothing, so it is refused by name.
fn not_a_file_or_folder(path: &Path, metadata: &fs::Metadata) -> Problem {
    let what = special_file_kind(metadata);
    Problem::new(format!(
        "not a YAML file or a folder: this is {what}; provision reads regular files and folders"
    ))
    .at(Location::file(path))
    .help("pass the connection files (*.yaml, *.yml) or the folders that hold them; to check generated YAML, write it to a file first")
}

/// ELOOP on Linux: too many levels of symbolic links.
const ELOOP: i32 = 40;

fn path_problem(path: &Path, error: &std::io::Error) -> Problem {
    let is_folder = fs::metadata(path).is_ok_and(|m| m.is_dir());
    let (message, help) = match error.kind() {
        std::io::ErrorKind::NotFound => match fs::read_link(path) {
            Ok(target) => (
                format!(
                    "broken symbolic link: it points to {}, which does not exist",
                    target.display()
                ),
                "fix the link's target, or remove the link".to_string(),
            ),
            Err(_) => (
                "no such file or folder".to_string(),
                match similar_name(path) {
                    Some(candidate) => format!("did you mean {}?", candidate.display()),
                    None => "check the path; by default provision reads the folder `connections/` in the current directory".to_string(),
                },
            ),
        },
        std::io::ErrorKind::PermissionDenied if is_folder => (
            "permission denied: cannot list this folder".to_string(),
            "make the folder readable and searchable (r-x) by the user running provision".to_string(),
        ),
        std::io::ErrorKind::PermissionDenied => (
            "permission denied: cannot read this file".to_string(),
            "make the file readable by the user running provision".to_string(),
        ),
        _ if error.raw_os_error() == Some(ELOOP) => (
            "symbolic link loop: following the links never reaches a file or folder".to_string(),
            "remove or fix the link that points back to itself".to_string(),
        ),
        _ => (format!("cannot read: {error}"), "check the path".to_string()),
    };
    Problem::new(message).at(Location::file(path)).help(help)
}

/// An existing sibling whose name is one or two edits away (`acme.yml` for `acme.yaml`).
fn similar_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut candidates: Vec<(usize, String)> = fs::read_dir(parent)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .map(|candidate| (strsim::levenshtein(name, &candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .collect();
    candidates.sort();
    let (_, best) = candidates.into_iter().next()?;
    Some(path.with_file_name(best))
}

fn load_file(
    file: &Path,
    specs: &mut Vec<ConnectionSpec>,
    problems: &mut Vec<Problem>,
    rules: &Rules,
) {
    let bytes = match local_files::read(file, bounds::YAML_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(error)) => {
            problems.push(path_problem(file, &error));
            return;
        }
        Err(error) => {
            problems.push(
                Problem::new(format!("cannot read this file: {}", error.describe()))
                    .at(Location::file(file))
                    .help("split the connections over several files (one file may hold many documents, each file at most the limit)"),
            );
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let valid = valid.strip_prefix('\u{feff}').unwrap_or(valid);
            let line = valid.matches('\n').count() + 1;
            let column = valid
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            problems.push(
                Problem::new("the file is not UTF-8 text: this byte is not valid UTF-8")
                    .at(Location::at(file, line, column))
                    .help("save the file as UTF-8 (it may be Latin-1 or UTF-16)"),
            );
            return;
        }
    };
    // A byte-order mark (some Windows editors write one) is not part of the YAML.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let documents = match parse_documents(file, text) {
        Ok(documents) => documents,
        Err(problem) => {
            problems.push(problem);
            return;
        }
    };
    if documents.iter().all(|document| document.value.is_null()) {
        let what = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "the file holds no connection, only comments or empty documents"
        };
        problems.push(
            Problem::new(what)
                .at(Location::file(file))
                .help("add a connection document (name, salesforce, clientId, clientSecret) or delete the file"),
        );
        return;
    }
    let last = documents.len().saturating_sub(1);
    for document in &documents {
        if document.value.is_null() {
            // A file may end with `---`; an empty document elsewhere is a mistake.
            if document.index != last {
                let start = document.start();
                problems.push(
                    Problem::new(format!("document {} is empty", document.index + 1))
                        .at(Location::at(file, start.line, start.column))
                        .help("remove the extra `---` or fill in the connection"),
                );
            }
            continue;
        }
        if let Some(spec) = convert_with(file, document, problems, rules) {
            specs.push(spec);
        }
    }
}

/// API destination names are unique per account and Region, across every file.
fn check_duplicate_destination_names(specs: &[ConnectionSpec], problems: &mut Vec<Problem>) {
    let mut first_seen: BTreeMap<&str, &crate::error::Location> = BTreeMap::new();
    for destination in specs.iter().flat_map(|spec| spec.destinations.iter()) {
        match first_seen.get(destination.name.as_str()) {
            Some(first) => problems.push(
                Problem::new(format!(
                    "API destination `{}` is declared twice; it is also declared at {first}",
                    destination.name
                ))
                .at(destination.origin.clone())
                .field("destinations.name")
                .help("API destination names are unique per account and Region: rename or remove one of them"),
            ),
            None => {
                first_seen.insert(&destination.name, &destination.origin);
            }
        }
    }
}

/// Rules, by bus and name: one rule per file (declared under one destination, or under
/// several for a target each, with one pattern, at most [`TARGETS_PER_RULE_MAX`] targets);
/// the same name on the same bus in another file whose Regions may meet is refused, naming
/// both files. Documents without `regions:` are in the run's default Region, unknown offline,
/// so they may meet any other.
fn check_rules(specs: &[ConnectionSpec], problems: &mut Vec<Problem>) {
    use super::rule_checks::TARGETS_PER_RULE_MAX;
    type Declared<'a> = (
        &'a ConnectionSpec,
        &'a super::DestinationSpec,
        &'a super::RuleSpec,
    );
    let mut groups: BTreeMap<(&str, &str), Vec<Declared<'_>>> = BTreeMap::new();
    for spec in specs {
        for destination in &spec.destinations {
            for rule in &destination.rules {
                groups
                    .entry((rule.bus_name(), rule.name.as_str()))
                    .or_default()
                    .push((spec, destination, rule));
            }
        }
    }
    let meet = |a: &ConnectionSpec, b: &ConnectionSpec| match (&a.regions, &b.regions) {
        (Some(a), Some(b)) => a.iter().any(|region| b.contains(region)),
        _ => true,
    };
    for ((bus, name), declared) in groups {
        let (first_spec, _, first) = declared[0];
        let mut targets = 0;
        for &(spec, destination, rule) in &declared {
            let same_file = rule.origin.file == first.origin.file;
            if !same_file {
                if meet(spec, first_spec) {
                    problems.push(
                        Problem::new(format!(
                            "rule `{name}` on bus `{bus}` is also declared in another file, at {}",
                            first.origin
                        ))
                        .at(rule.origin.clone())
                        .field("destinations.rules.name")
                        .help("a rule is declared in one file (under several destinations of that file for a target each): rename one of them, or move the declarations together"),
                    );
                }
                continue;
            }
            if rule.pattern != first.pattern {
                problems.push(
                    Problem::new(format!(
                        "rule `{name}` is declared under several destinations with different patterns (see {}); one rule has one pattern",
                        first.origin
                    ))
                    .at(rule.pattern_origin.location.clone())
                    .field(rule.pattern_origin.field.clone())
                    .help("write the same pattern in each declaration of the rule, or give one of them another name"),
                );
            }
            targets += 1;
            if targets == TARGETS_PER_RULE_MAX + 1 {
                problems.push(
                    Problem::new(format!(
                        "rule `{name}` targets more than {TARGETS_PER_RULE_MAX} destinations (here `{}`): EventBridge allows at most {TARGETS_PER_RULE_MAX} targets per rule, a quota that cannot be raised",
                        destination.name
                    ))
                    .at(rule.origin.clone())
                    .field("destinations.rules.name")
                    .help("split the destinations over two rules, each with its own name and the same pattern"),
                );
            }
        }
    }
}

fn check_duplicate_names(specs: &[ConnectionSpec], problems: &mut Vec<Problem>) {
    let mut first_seen: BTreeMap<&str, &ConnectionSpec> = BTreeMap::new();
    for spec in specs {
        match first_seen.get(spec.name.as_str()) {
            Some(first) => problems.push(
                Problem::new(format!("connection `{}` is declared twice; it is also declared at {}", spec.name, first.origin))
                    .at(spec.origin.clone())
                    .field("name")
                    .help("connection names are unique per account and Region: rename or remove one of them"),
            ),
            None => {
                first_seen.insert(&spec.name, spec);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection document named `name` in `regions` whose destination `destination`
    /// declares the rule `orders-to-salesforce`.
    fn document(name: &str, regions: &str, destination: &str) -> String {
        format!(
            "name: {name}\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: {{ env: S }}\n{regions}destinations:\n  - name: {destination}\n    event: Order_Placed__e\n    rules:\n      - name: orders-to-salesforce\n        pattern: {{source: [com.acme.orders]}}\n        body: {{Order_Id__c: $.detail.id}}\n        role: arn:aws:iam::123456789012:role/r\n"
        )
    }

    fn load_files(files: &[(&str, String)]) -> Result<Vec<ConnectionSpec>, Error> {
        let folder = tempfile::tempdir().expect("temporary folder");
        for (name, text) in files {
            fs::write(folder.path().join(name), text).expect("written");
        }
        load(&[folder.path().to_path_buf()])
    }

    #[test]
    fn one_rule_name_in_two_files_is_refused_only_where_their_regions_may_meet() {
        let apart = load_files(&[
            (
                "a.yaml",
                document("sf-a", "regions: [us-east-1]\n", "orders-a"),
            ),
            (
                "b.yaml",
                document("sf-b", "regions: [eu-west-1]\n", "orders-b"),
            ),
        ]);
        assert!(apart.is_ok(), "{apart:?}");
        for (a, b) in [
            (
                "regions: [us-east-1, eu-west-1]\n",
                "regions: [eu-west-1]\n",
            ),
            ("", "regions: [eu-west-1]\n"),
            ("", ""),
        ] {
            let Err(Error::Input(problems)) = load_files(&[
                ("a.yaml", document("sf-a", a, "orders-a")),
                ("b.yaml", document("sf-b", b, "orders-b")),
            ]) else {
                panic!("{a:?} and {b:?} meet");
            };
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(
                problems[0].message.to_string().starts_with(
                    "rule `orders-to-salesforce` on bus `default` is also declared in another file"
                ),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn one_rule_name_under_two_destinations_of_one_file_is_one_rule() {
        let text = format!(
            "{}---\n{}",
            document("sf-a", "", "orders-a"),
            document("sf-b", "", "orders-b")
        );
        let specs = load_files(&[("a.yaml", text)]).expect("one rule, two targets");
        assert_eq!(specs.len(), 2);
    }
}
