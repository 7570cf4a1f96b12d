//! `provision export`: one YAML file per existing OAuth client-credentials connection in the
//! run's Regions (with targets in the project file: each target's, in its account), so connections made by hand or by another tool can be declared and adopted.
//!
//! Names from AWS are untrusted (the endpoint may not be AWS): a name AWS itself forbids
//! (1-64 of `[.\-_A-Za-z0-9]`) is refused and never becomes a path, every file lands directly
//! in `--out` (or its Region folder), and every target is checked before any file is written,
//! so an export either writes all its files or none (it never overwrites one). Below `--out`
//! nothing is written through a symbolic link: a link where a Region folder goes is refused.
//!
//! The rules on the default event bus that target each exported API destination are read
//! (`ListRuleNamesByTarget`, then each rule) and written under its `rules:`.

use super::EXIT_OK;
use crate::aws::actions::events;
use crate::aws::assume::Access;
use crate::aws::connections;
use crate::aws::destinations::{describe_destination, list_destinations};
use crate::aws::rules::{read_rule, rules_targeting};
use crate::config::Settings;
use crate::desired::AUTHORIZATION_TYPE;
use crate::engine::session::{Account, Scope, Session};
use crate::error::{Error, Location, Problem};
use crate::live::LiveConnection;
use crate::local_files;
use crate::manifest::export::{Destinations, LeftOut, RulesFound, export};
use crate::manifest::limits::check_name;
use crate::view::{self, ExportedFile};
use futures::StreamExt;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The bus export looks for rules on.
const DEFAULT_BUS: &str = "default";

/// A file to write, once every target is known to be free.
struct Planned {
    path: PathBuf,
    yaml: String,
}

pub(super) async fn run(
    settings: &Settings,
    name_prefix: Option<&str>,
    out: &Path,
) -> Result<u8, Error> {
    // With targets in the project file, each target's account is opened with its role
    // (`readRole` when it has one) and exported from in its Regions.
    let session = Session::open(settings, Scope::Export, Account::Caller(Access::Read)).await?;
    let several = session.coverage.regions().len() > 1;
    let mut files = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    let mut refused = 0;
    let mut unopened = Vec::new();
    let mut variables = BTreeSet::new();
    for covered in &session.coverage.places {
        let region = &covered.region;
        let place = session.place_of(covered);
        if let Some(unread) = session.unopened().iter().find(|u| u.place == place) {
            unopened.push(
                Problem::new(format!(
                    "nothing was exported from {} (account {}): {}",
                    covered, place.account, unread.error
                ))
                .help(unread.help.as_ref().map_or_else(
                    || "check the target's role, then export it again with --target".to_string(),
                    ToString::to_string,
                )),
            );
            continue;
        }
        let events = session.events(&place);
        let first = files.len();
        // `--name-prefix`, else the project file's `namePrefix`.
        let prefix = name_prefix.or(settings.project.name_prefix.as_deref());
        let listed = connections::list_connections(&events, prefix.unwrap_or_default())
            .await
            .map_err(|error| {
                Error::aws(
                    format!("cannot list EventBridge connections in {region}"),
                    error,
                    format!(
                        "check the AWS credentials and Region, and that the identity may call {}",
                        events::LIST_CONNECTIONS
                    ),
                )
            })?;
        let (allowed, forbidden): (Vec<_>, Vec<_>) = listed
            .into_iter()
            .partition(|summary| check_name(&summary.name).is_ok());
        for summary in forbidden {
            refused += 1;
            let why = check_name(&summary.name)
                .err()
                .map(|violation| violation.message)
                .unwrap_or_default();
            files.push(skipped(
                &shown(&summary.name),
                region,
                format!("refused: {why}, so the answer is not AWS's; nothing was written for it"),
            ));
        }
        let described: Vec<_> = futures::stream::iter(allowed)
            .map(|summary| {
                let events = &events;
                async move {
                    let live = connections::describe_connection(events, &summary.name).await;
                    let destinations = match &live {
                        Ok(Some(live)) => destinations_on(events, live, prefix).await,
                        _ => Destinations::Listed(Vec::new()),
                    };
                    let rules = rules_on(events, &destinations).await;
                    (summary.name, live, (destinations, rules))
                }
            })
            .buffered(crate::engine::lanes(settings.concurrency))
            .collect()
            .await;
        // OUT/<target>/ with targets, then a folder per Region when the run has several.
        let mut folder = match &covered.target {
            Some(target) => out.join(target),
            None => out.to_path_buf(),
        };
        if several {
            folder.push(region);
        }
        for (name, live, (destinations, rules)) in described {
            let file = match live {
                Err(error) => skipped(
                    &name,
                    region,
                    format!("cannot describe it: {}", error.message),
                ),
                Ok(None) => skipped(&name, region, "it was deleted meanwhile".to_string()),
                Ok(Some(live)) if live.name != name => {
                    refused += 1;
                    skipped(
                        &name,
                        region,
                        format!(
                            "refused: described, it is named `{}`, so the answer is not AWS's",
                            shown(&live.name)
                        ),
                    )
                }
                Ok(Some(live))
                    if live.authorization_type.as_deref() != Some(AUTHORIZATION_TYPE) =>
                {
                    skipped(
                        &name,
                        region,
                        format!(
                            "its authorization type is {}, not OAuth client credentials",
                            live.authorization_type.as_deref().unwrap_or("unknown")
                        ),
                    )
                }
                Ok(Some(live)) => {
                    if let Destinations::Unlisted(why) = &destinations {
                        crate::log::Log::new(settings.verbosity, settings.quiet).warn(format!(
                            "the API destinations on {name} in {region} could not be listed ({why}): its file says so; allow {} to export them",
                            events::LIST_API_DESTINATIONS
                        ));
                    }
                    let exported = export(
                        &live,
                        &destinations,
                        &rules,
                        region,
                        covered.target.as_deref(),
                        &mut variables,
                    );
                    let path = folder.join(format!("{name}.yaml"));
                    planned.push(Planned {
                        path: path.clone(),
                        yaml: exported.yaml,
                    });
                    ExportedFile {
                        name: name.into(),
                        region: region.clone(),
                        path: Some(path.display().to_string()),
                        variables: exported.variables,
                        skipped: None,
                        target: None,
                        account: None,
                    }
                }
            };
            files.push(file);
        }
        for file in &mut files[first..] {
            file.target.clone_from(&covered.target);
            file.account = covered.target.as_ref().map(|_| place.account.clone());
        }
    }
    check_targets(out, &planned)?;
    // Every folder first, so a link refused among them leaves no file written.
    for file in &planned {
        create_folder(out, &file.path)?;
    }
    for file in &planned {
        write_new(&file.path, &file.yaml)?;
    }
    view::stdout(&settings.view().exported(&files))?;
    if !unopened.is_empty() {
        return Err(Error::Input(unopened));
    }
    if refused > 0 {
        return Err(Error::ConnectionsFailed {
            failed: refused,
            total: files.len(),
        });
    }
    Ok(EXIT_OK)
}

/// The API destinations on `connection` (listed by its ARN), each described unless its name
/// is outside the run's name prefix (the policy printed for export describes no other).
async fn destinations_on(
    events: &connections::Events,
    connection: &LiveConnection,
    prefix: Option<&str>,
) -> Destinations {
    let Some(arn) = &connection.arn else {
        return Destinations::Unlisted("AWS did not say the connection's ARN".to_string());
    };
    let mut listed = match list_destinations(events, Some(arn)).await {
        Ok(listed) => listed,
        Err(error) => return Destinations::Unlisted(error.message),
    };
    // Written in name order, whatever order AWS lists them in.
    listed.sort();
    let mut found = Vec::new();
    for (name, _) in listed {
        let left_out = |why: String| LeftOut {
            name: name.clone(),
            why,
        };
        let destination = match prefix {
            Some(prefix) if !name.starts_with(prefix) => Err(left_out(format!(
                "its name does not start with the name prefix `{prefix}`, so it was not described"
            ))),
            _ => match describe_destination(events, &name).await {
                Ok(Some(live)) if live.name == name => Ok(live),
                Ok(Some(_)) => Err(left_out(
                    "refused: described, it has another name, so the answer is not AWS's"
                        .to_string(),
                )),
                Ok(None) => Err(left_out("it was deleted meanwhile".to_string())),
                Err(error) => Err(left_out(format!("cannot describe it: {}", error.message))),
            },
        };
        found.push(destination);
    }
    Destinations::Listed(found)
}

/// The rules on the default event bus that target each API destination described
/// (`ListRuleNamesByTarget` by its ARN), each read. A rule on another bus is not found: EventBridge
/// lists rules by target per bus, and export does not walk the account's buses.
async fn rules_on(events: &connections::Events, destinations: &Destinations) -> RulesFound {
    let Destinations::Listed(found) = destinations else {
        return RulesFound::new();
    };
    let mut rules = RulesFound::new();
    for destination in found.iter().flatten() {
        let Some(arn) = &destination.arn else {
            continue;
        };
        let names = match rules_targeting(events, DEFAULT_BUS, arn).await {
            Ok(names) => names,
            Err(error) => {
                rules.insert(destination.name.clone(), Err(error.message));
                continue;
            }
        };
        let mut read = Vec::new();
        for name in names {
            let left_out = |why: String| LeftOut {
                name: name.clone(),
                why,
            };
            read.push(match read_rule(events, DEFAULT_BUS, &name).await {
                Ok(Some(rule)) if rule.name == name => Ok(rule),
                Ok(Some(_)) => Err(left_out(
                    "refused: described, it has another name, so the answer is not AWS's"
                        .to_string(),
                )),
                Ok(None) => Err(left_out("it was deleted meanwhile".to_string())),
                Err(error) => Err(left_out(format!("cannot read it: {}", error.message))),
            });
        }
        rules.insert(destination.name.clone(), Ok(read));
    }
    rules
}

/// A name from the endpoint as it may be shown: escaped, and cut at 100 characters.
fn shown(name: &str) -> String {
    name.chars()
        .take(100)
        .collect::<String>()
        .escape_debug()
        .to_string()
}

/// Every target is a new file directly in `out` (or in its Region folder), no two the same
/// (case folded, for case-insensitive file systems), none there already: otherwise nothing is
/// written, and every clash is named.
fn check_targets(out: &Path, planned: &[Planned]) -> Result<(), Error> {
    let mut problems = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for file in planned {
        // OUT, OUT/<region>, OUT/<target> or OUT/<target>/<region>.
        let inside = file
            .path
            .parent()
            .is_some_and(|parent| parent.ancestors().take(3).any(|above| above == out))
            && file
                .path
                .file_name()
                .is_some_and(|name| Path::new(name).components().count() == 1);
        if !inside {
            problems.push(
                Problem::new("the file would land outside the --out folder: nothing was written")
                    .at(Location::file(&file.path))
                    .help("this is a bug: please report it with the connection names"),
            );
            continue;
        }
        if !seen.insert(file.path.display().to_string().to_lowercase()) {
            problems.push(
                Problem::new("two connections would be written to this file (their names differ only in case): nothing was written")
                    .at(Location::file(&file.path))
                    .help("export each with its own --name-prefix into its own --out folder"),
            );
        }
        if std::fs::symlink_metadata(&file.path).is_ok() {
            problems.push(
                Problem::new(
                    "the file exists already; export never overwrites, so nothing was written",
                )
                .at(Location::file(&file.path))
                .help("move it away, or export into an empty --out folder"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

fn skipped(name: &str, region: &str, why: String) -> ExportedFile {
    ExportedFile {
        name: name.into(),
        region: region.to_string(),
        path: None,
        variables: Vec::new(),
        skipped: Some(why.into()),
        target: None,
        account: None,
    }
}

/// Creates `out` (the user's choice: it may be a link) and the folder of `path` below it,
/// refusing a link among those ([`local_files::create_folders`]): a symbolic link planted
/// where a Region folder goes cannot send the files elsewhere.
fn create_folder(out: &Path, path: &Path) -> Result<(), Error> {
    let below = path
        .parent()
        .and_then(|parent| parent.strip_prefix(out).ok())
        .unwrap_or_else(|| Path::new(""));
    std::fs::create_dir_all(out)
        .and_then(|()| local_files::create_folders(out, below))
        .map_err(|error| {
            Error::input(
                Problem::new(format!(
                    "cannot create the folder: {error}; nothing was written"
                ))
                .at(Location::file(path))
                .help(
                    "give --out a folder this user can write to, with no symbolic link inside it",
                ),
            )
        })
}

/// Writes a new file in a folder [`create_folder`] made; an existing one (or a link in its
/// place) is never overwritten nor followed: the file is created exclusively.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    let problem = |message: String, help: &str| {
        Error::input(Problem::new(message).at(Location::file(path)).help(help))
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => problem(
                "the file exists already; export never overwrites".to_string(),
                "move it away, or export into an empty --out folder",
            ),
            _ => problem(
                format!("cannot write it: {error}"),
                "choose another --out folder",
            ),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|error| problem(format!("cannot write it: {error}"), "check the disk"))
}
