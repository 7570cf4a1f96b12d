//! `provision salesforce-metadata [PATH...] --out DIR`: the External Client Apps declared under
//! `salesforce.app`, written as one Salesforce DX project per org. Offline: no Salesforce or
//! AWS call, no secret read, and no key or secret in what it writes.

use super::EXIT_OK;
use crate::config::Settings;
use crate::error::{Error, Problem};
use crate::local_files::{self, Access};
use crate::manifest;
use crate::salesforce::metadata::{self, OrgTree};
use crate::view;
use std::path::Path;

pub(super) fn run(settings: &Settings, out: &Path) -> Result<u8, Error> {
    let specs = manifest::load::load_with(&settings.paths, &settings.rules)?;
    let trees = metadata::source_trees(&specs).map_err(Error::Input)?;
    if trees.is_empty() {
        return Err(Error::input(
            Problem::new("no document declares an External Client App (`salesforce.app`)")
                .help("add `app: { contactEmail: <address>, runAsUser: <username> }` under `salesforce:` in the documents whose app provision should write"),
        ));
    }
    for tree in &trees {
        write_tree(out, tree)?;
    }
    view::stdout(&summary(out, &trees))?;
    Ok(EXIT_OK)
}

/// Writes one org's files under `out`. `out` is the user's choice (it may be a link); below
/// it nothing is written through a link: a link among the folders is refused, and each file is
/// written beside its place and renamed over it, replacing a link there
/// ([`crate::local_files`]). A symbolic link committed inside the output folder cannot send a
/// write elsewhere.
fn write_tree(out: &Path, tree: &OrgTree) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|error| {
        Error::input(
            Problem::new(format!("cannot create {}: {error}", out.display()))
                .help("give --out a folder this user can write to"),
        )
    })?;
    for (relative, content) in &tree.files {
        let relative = Path::new(&tree.org).join(relative);
        let path = out.join(&relative);
        let inside = relative
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        let written = if inside {
            Ok(())
        } else {
            Err(std::io::Error::other("the path leaves the output folder"))
        }
        .and_then(|()| {
            local_files::create_folders(out, relative.parent().unwrap_or_else(|| Path::new("")))
        })
        .and_then(|()| local_files::replace(&path, content.as_bytes(), Access::Shared));
        if let Err(error) = written {
            return Err(Error::input(
                Problem::new(format!("cannot write {}: {error}", path.display())).help(
                    "give --out a folder this user can write to, with no symbolic link inside it",
                ),
            ));
        }
    }
    Ok(())
}

/// What was written and how to deploy it (text; the same lines whatever `--output`).
fn summary(out: &Path, trees: &[OrgTree]) -> String {
    let mut text = String::new();
    for tree in trees {
        let apps: Vec<&str> = tree
            .files
            .iter()
            .filter_map(|(path, _)| {
                path.strip_prefix("force-app/main/default/externalClientApps/")
                    .and_then(|file| file.strip_suffix(".eca-meta.xml"))
            })
            .collect();
        text.push_str(&format!(
            "{}: {} ({}): {} file{}\n",
            out.join(&tree.org).display(),
            tree.host,
            apps.join(", "),
            tree.files.len(),
            if tree.files.len() == 1 { "" } else { "s" }
        ));
    }
    text.push_str(&format!(
        "Deploy each with: cd {}/<org> && sf project deploy start --manifest manifest/package.xml --target-org <org alias>\n",
        out.display()
    ));
    text.push_str("Keep extlClntAppGlobalOauthSets/ out of source control and packages (Salesforce's advice); provision writes no key or secret in it.\n");
    text.push_str(DEPLOY_PERMISSIONS);
    text
}

/// What the deploying user and the target org need (Metadata API Developer Guide), printed
/// after every write so a refused deployment is no surprise.
const DEPLOY_PERMISSIONS: &str = "\
Deploying needs, in the target org:
  - External Client Apps enabled (Setup > External Client App Settings)
  - for extlClntAppOauthSettings/ and extlClntAppGlobalOauthSets/: the user permission \"View External Client Apps Consumer Secrets in Metadata\" (in older releases, the org setting \"Allow Access to OAuth Consumer Secrets via Metadata API\")
  - for extlClntAppOauthPolicies/ and extlClntAppPolicies/: the user permission \"View all External Client Apps, view their settings, and edit their policies\"
";
