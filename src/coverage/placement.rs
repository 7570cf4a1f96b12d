//! Where the documents say they live, checked against the project file's `targets:` before any
//! call (by `validate` and by every command that opens a session).
//!
//! Placement is never implicit across accounts: with targets in the project file, every
//! document names its own (`targets: [prod, staging]`), each name is one of the project file's,
//! and a document's `regions:` may only narrow its targets' Regions. Without targets in the
//! project file, a document's `targets:` has nothing to name and is refused rather than
//! ignored. Pure.

use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::project::{Project, Target};

/// Every document's `targets:` and `regions:` against the project file's targets; every
/// problem of every document at once.
pub(crate) fn check(specs: &[ConnectionSpec], project: &Project) -> Result<(), Error> {
    let problems: Vec<Problem> = specs
        .iter()
        .flat_map(|spec| problems_of(spec, project))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

fn problems_of(spec: &ConnectionSpec, project: &Project) -> Vec<Problem> {
    let file = project
        .file
        .as_ref()
        .map_or("provision.yaml".to_string(), |file| {
            file.display().to_string()
        });
    let Some(names) = &spec.targets else {
        if project.targets.is_empty() {
            return Vec::new();
        }
        return vec![
            Problem::new(format!(
                "connection `{}` names no `targets:`, but {file} lists targets: a document is never placed in an account implicitly",
                spec.name
            ))
            .at(spec.origin.clone())
            .field("targets")
            .help(format!(
                "add `targets: [{}]` to the document, naming the targets it belongs in",
                project.target_names()
            )),
        ];
    };
    if project.targets.is_empty() {
        let at = spec.targets_at.first().unwrap_or(&spec.origin);
        return vec![
            Problem::new(format!(
                "connection `{}` names targets, but {}",
                spec.name,
                match &project.file {
                    Some(_) => format!("the project file {file} lists no `targets:`"),
                    None => "there is no project file (provision.yaml) to list them".to_string(),
                }
            ))
            .at(at.clone())
            .field("targets")
            .help("list the targets (name, account, regions) under `targets:` in provision.yaml, or remove `targets:` from the document"),
        ];
    }
    let mut problems = Vec::new();
    let mut named: Vec<&Target> = Vec::new();
    for (index, name) in names.iter().enumerate() {
        match project.target(name) {
            Some(target) => named.push(target),
            None => problems.push(
                Problem::new(format!("`{name}` is not a target of {file}"))
                    .at(spec.targets_at.get(index).unwrap_or(&spec.origin).clone())
                    .field(format!("targets[{index}]"))
                    .help(format!("name one of: {}", project.target_names())),
            ),
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let Some(declared) = &spec.regions else {
        return problems;
    };
    let regions_of = |target: &Target| format!("{}: {}", target.name, target.regions.join(", "));
    for (index, region) in declared.iter().enumerate() {
        if named.iter().any(|target| target.regions.contains(region)) {
            continue;
        }
        problems.push(
            Problem::new(format!(
                "`{region}` is a Region of none of this connection's targets ({}): `regions:` may only narrow them",
                named.iter().map(|t| regions_of(t)).collect::<Vec<_>>().join("; ")
            ))
            .at(spec.regions_at.get(index).unwrap_or(&spec.origin).clone())
            .field(format!("regions[{index}]"))
            .help(format!(
                "remove `{region}`, or add it to a target's `regions:` in {file}"
            )),
        );
    }
    for (index, target) in named.iter().enumerate() {
        if target
            .regions
            .iter()
            .any(|region| declared.contains(region))
        {
            continue;
        }
        problems.push(
            Problem::new(format!(
                "with `regions: [{}]`, connection `{}` is in no Region of its target `{}` ({})",
                declared.join(", "),
                spec.name,
                target.name,
                target.regions.join(", ")
            ))
            .at(spec.targets_at.get(index).unwrap_or(&spec.origin).clone())
            .field(format!("targets[{index}]"))
            .help(format!(
                "remove `{}` from `targets:`, or add one of its Regions to `regions:`",
                target.name
            )),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{specs, target};

    fn project() -> Project {
        Project {
            file: Some("provision.yaml".into()),
            targets: vec![
                target("prod", "111111111111", &["eu-west-1", "us-east-1"]),
                target("staging", "222222222222", &["eu-west-1"]),
            ],
            ..Project::default()
        }
    }

    fn refused(document: &str, project: &Project) -> Vec<String> {
        let body = "salesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";
        match check(&specs(&format!("name: a\n{body}{document}")), project) {
            Err(Error::Input(problems)) => problems
                .iter()
                .map(|problem| {
                    // The document's temporary path, shown as `c.yaml`.
                    let text = problem.to_string();
                    let at = text
                        .find(".yaml:")
                        .map_or(0, |i| text[..i].rfind('/').map_or(0, |slash| slash + 1));
                    text[at..].to_string()
                })
                .collect(),
            Err(other) => panic!("{other}"),
            Ok(()) => Vec::new(),
        }
    }

    #[test]
    fn with_targets_every_document_names_its_own() {
        assert_eq!(
            refused("", &project()),
            [
                "c.yaml:1:1: targets: connection `a` names no `targets:`, but provision.yaml lists targets: a document is never placed in an account implicitly\n  help: add `targets: [prod, staging]` to the document, naming the targets it belongs in"
            ]
        );
        assert_eq!(
            refused("targets: [prod, staging]\n", &project()),
            [] as [&str; 0]
        );
    }

    #[test]
    fn a_target_the_project_file_does_not_list_is_refused_naming_the_known_ones() {
        assert_eq!(
            refused("targets: [prod, qa]\n", &project()),
            [
                "c.yaml:5:17: targets[1]: `qa` is not a target of provision.yaml\n  help: name one of: prod, staging"
            ]
        );
    }

    #[test]
    fn a_documents_regions_only_narrow_its_targets() {
        assert_eq!(
            refused("targets: [prod]\nregions: [us-east-1]\n", &project()),
            [] as [&str; 0]
        );
        assert_eq!(
            refused(
                "targets: [prod, staging]\nregions: [eu-west-1, ap-south-1]\n",
                &project()
            ),
            [
                "c.yaml:6:22: regions[1]: `ap-south-1` is a Region of none of this connection's targets (prod: eu-west-1, us-east-1; staging: eu-west-1): `regions:` may only narrow them\n  help: remove `ap-south-1`, or add it to a target's `regions:` in provision.yaml"
            ]
        );
        assert_eq!(
            refused(
                "targets: [prod, staging]\nregions: [us-east-1]\n",
                &project()
            ),
            [
                "c.yaml:5:17: targets[1]: with `regions: [us-east-1]`, connection `a` is in no Region of its target `staging` (eu-west-1)\n  help: remove `staging` from `targets:`, or add one of its Regions to `regions:`"
            ]
        );
    }

    #[test]
    fn without_targets_in_the_project_file_a_documents_targets_are_refused() {
        assert_eq!(
            refused("targets: [prod]\n", &Project::default()),
            [
                "c.yaml:5:11: targets: connection `a` names targets, but there is no project file (provision.yaml) to list them\n  help: list the targets (name, account, regions) under `targets:` in provision.yaml, or remove `targets:` from the document"
            ]
        );
        assert_eq!(refused("", &Project::default()), [] as [&str; 0]);
    }
}
