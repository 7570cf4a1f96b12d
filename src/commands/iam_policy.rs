//! `provision iam-policy`: print the least-privilege IAM policy of one run: the same files, the
//! command of `--for` and its flags, in the run's Regions (`--for rule` with declared rules:
//! each rule role's permission and trust policies, and each dead-letter queue's statement). No secret is read and no EventBridge
//! call is made; without `--account`, the account is the caller's (sts:GetCallerIdentity).
//!
//! With `targets:` in the project file, one policy per target (`--target` narrows), for its
//! role in its account, with no call at all: the account is the project file's. `--trust
//! PRINCIPAL_ARN` prints each target role's trust policy instead.

use super::EXIT_OK;
use super::context::load_specs;
use crate::config::{PolicyFlags, Settings};
use crate::coverage::{Coverage, Covered, Sources, placement};
use crate::engine::session::{Account, Scope, Session};
use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::policy::{
    Purpose, Refusal, Request, references, rule_documents, scoped_policy, trust_policy,
};
use crate::project::Target;
use crate::view::{self, Format};

pub(super) async fn run(
    settings: &Settings,
    flags: &PolicyFlags,
    account: Option<&str>,
    trust: Option<&str>,
) -> Result<u8, Error> {
    if !settings.project.targets.is_empty() {
        return per_target(settings, flags, account, trust);
    }
    if trust.is_some() {
        return Err(Error::input(
            Problem::new("--trust prints the trust policy of each target's role, but the project file lists no `targets:`")
                .help("list the targets (name, account, role, regions) under `targets:` in provision.yaml, or leave --trust out"),
        ));
    }
    // `export` reads no file: its Regions are the flags' or the default one.
    let export = flags.purpose == Purpose::Export;
    let specs = if export {
        Vec::new()
    } else {
        load_specs(settings)?
    };
    let scope = if export {
        Scope::Export
    } else {
        Scope::Placed(&specs)
    };
    let session = Session::open(settings, scope, Account::Given(account)).await?;
    let account = session.account();
    let coverage = &session.coverage;
    let wanted: Vec<(String, Vec<&ConnectionSpec>)> = coverage
        .places
        .iter()
        .map(|place| (place.region.clone(), coverage.wanted_in(place, &specs)))
        .collect();
    let request = Request {
        purpose: flags.purpose,
        prune: flags.prune,
        replace: flags.replace,
        account,
        partition: flags.partition.as_deref(),
        // The project file's namePrefix narrows orphan discovery (its runs describe only
        // prefixed connections); export's own --name-prefix narrows what it reads.
        name_prefix: flags
            .name_prefix
            .as_deref()
            .or(settings.project.name_prefix.as_deref()),
        kms_conditions: flags.kms_conditions,
    };
    if flags.purpose == Purpose::Rule
        && let Some(documents) =
            rule_documents(&wanted, &request).map_err(|refusal| refused(refusal, settings))?
    {
        let text = serde_json::to_string_pretty(&documents).map_err(std::io::Error::other)?;
        view::stdout(&format!("{text}\n"))?;
        return Ok(EXIT_OK);
    }
    let document = scoped_policy(&wanted, &request, flags.scope)
        .map_err(|refusal| refused(refusal, settings))?;
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    view::stdout(&format!("{text}\n"))?;
    for note in notes(flags, &wanted, document.notes) {
        view::stderr(&format!("provision: note: {note}\n"));
    }
    Ok(EXIT_OK)
}

/// What the policy cannot name (a key only the stored value knows), said once per source,
/// then the policy's own notes.
fn notes(
    flags: &PolicyFlags,
    wanted: &[(String, Vec<&ConnectionSpec>)],
    own: Vec<String>,
) -> Vec<String> {
    let read = wanted
        .iter()
        .flat_map(|(_, specs)| specs.iter().flat_map(|spec| references(spec)))
        .map(|reference| reference.source.kind());
    let notes = if flags.purpose == Purpose::Rule {
        Vec::new()
    } else {
        crate::sources::policy_notes(read)
    };
    notes.into_iter().map(str::to_string).chain(own).collect()
}

/// With targets: one policy per target the run covers (its permission policy, or with
/// `trust` its trust policy), in its account as the project file names it; no call. One
/// `--target` prints that policy alone, as without targets; otherwise, in JSON an object keyed
/// by target, in text one block per target headed by its name and account.
fn per_target(
    settings: &Settings,
    flags: &PolicyFlags,
    account: Option<&str>,
    trust: Option<&str>,
) -> Result<u8, Error> {
    let project = &settings.project;
    if let Some(account) = account {
        return Err(Error::input(
            Problem::new(format!(
                "--account {account}: with targets in the project file, each policy is in its target's account"
            ))
            .help("leave --account out; choose the targets with --target"),
        ));
    }
    let chosen: Vec<&Target> = project
        .targets
        .iter()
        .filter(|target| settings.targets.is_empty() || settings.targets.contains(&target.name))
        .collect();
    let mut policies: Vec<(&Target, serde_json::Value)> = Vec::new();
    let mut all_notes: Vec<String> = Vec::new();
    if let Some(principal) = trust {
        for target in &chosen {
            let placeholder = target.external_id.as_ref().map(|reference| {
                format!(
                    "<the target's externalId, from the {}>",
                    reference.source.describe()
                )
            });
            let policy = trust_policy(principal, placeholder);
            policies.push((
                target,
                serde_json::to_value(&policy).map_err(std::io::Error::other)?,
            ));
        }
    } else {
        let export = flags.purpose == Purpose::Export;
        let specs = if export {
            Vec::new()
        } else {
            load_specs(settings)?
        };
        placement::check(&specs, project)?;
        let coverage = Coverage::of(&specs, &Sources::offline(settings))?;
        for target in &chosen {
            let wanted: Vec<(String, Vec<&ConnectionSpec>)> = if export {
                // Export reads no file: the target's Regions (or those of them --region names).
                target
                    .regions
                    .iter()
                    .filter(|region| {
                        settings.regions.is_empty() || settings.regions.contains(region)
                    })
                    .map(|region| (region.clone(), Vec::new()))
                    .collect()
            } else {
                coverage
                    .places
                    .iter()
                    .filter(|place| place.target.as_deref() == Some(target.name.as_str()))
                    .map(|place: &Covered| {
                        (place.region.clone(), coverage.wanted_in(place, &specs))
                    })
                    .collect()
            };
            let request = Request {
                purpose: flags.purpose,
                prune: flags.prune,
                replace: flags.replace,
                account: &target.account,
                partition: flags.partition.as_deref(),
                name_prefix: flags
                    .name_prefix
                    .as_deref()
                    .or(project.name_prefix.as_deref()),
                kms_conditions: flags.kms_conditions,
            };
            // `--for rule` with declared rules: each rule role's policies, per target.
            if flags.purpose == Purpose::Rule
                && let Some(documents) = rule_documents(&wanted, &request)
                    .map_err(|refusal| refused(refusal, settings))?
            {
                policies.push((
                    target,
                    serde_json::to_value(&documents).map_err(std::io::Error::other)?,
                ));
                continue;
            }
            match scoped_policy(&wanted, &request, flags.scope) {
                Ok(document) => {
                    let value = serde_json::to_value(&document).map_err(std::io::Error::other)?;
                    for note in notes(flags, &wanted, document.notes) {
                        if !all_notes.contains(&note) {
                            all_notes.push(note);
                        }
                    }
                    policies.push((target, value));
                }
                // Among several targets, one without anything to grant is said, not fatal.
                Err(Refusal::NothingToGrant { purpose }) if chosen.len() > 1 => {
                    all_notes.push(format!(
                        "target {} ({}): {} needs no IAM policy there (no document of this run calls AWS in it)",
                        target.name,
                        target.account,
                        purpose.name()
                    ));
                }
                Err(refusal) => return Err(refused(refusal, settings)),
            }
        }
    }
    view::stdout(&shown(settings, &policies)?)?;
    for note in all_notes {
        view::stderr(&format!("provision: note: {note}\n"));
    }
    Ok(EXIT_OK)
}

/// The policies of the targets as printed: one `--target`, its policy alone; otherwise an
/// object keyed by target in JSON, one block per target (`# prod (111111111111)`) in text.
fn shown(settings: &Settings, policies: &[(&Target, serde_json::Value)]) -> Result<String, Error> {
    let pretty = |value: &serde_json::Value| {
        serde_json::to_string_pretty(value).map_err(std::io::Error::other)
    };
    if let ([(_, policy)], [_]) = (policies, settings.targets.as_slice()) {
        return Ok(format!("{}\n", pretty(policy)?));
    }
    if settings.format == Format::Json {
        let keyed: serde_json::Map<String, serde_json::Value> = policies
            .iter()
            .map(|(target, policy)| (target.name.clone(), policy.clone()))
            .collect();
        return Ok(format!("{}\n", pretty(&serde_json::Value::Object(keyed))?));
    }
    let mut out = String::new();
    for (index, (target, policy)) in policies.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "# {} ({})\n{}\n",
            target.name,
            target.account,
            pretty(policy)?
        ));
    }
    Ok(out)
}

/// Why there is no policy to print, and what to do instead.
fn refused(refusal: Refusal, settings: &Settings) -> Error {
    let problem = match refusal {
        Refusal::NothingToGrant {
            purpose: Purpose::Rule,
        } => Problem::new(
            "no document declares an API destination: the role of a rule would have nothing to invoke, and IAM refuses a policy without statements",
        )
        .help("declare `destinations:` under a connection, or ask for the policy of another command with --for"),
        Refusal::NothingToGrant {
            purpose: Purpose::Verify,
        } => Problem::new(
            "no document references a Secrets Manager secret: verify makes no AWS call for these files, so it needs no IAM policy",
        )
        .help("run verify as it is: it only needs to reach the token endpoints"),
        Refusal::NothingToGrant {
            purpose: Purpose::SalesforceCredentials,
        } => Problem::new(
            "no document with `salesforce.app` references its clientId or clientSecret in Secrets Manager: salesforce-credentials has nothing to write in AWS",
        )
        .help("reference the credentials as `clientSecret: { secretsManager: NAME }` in the documents with `salesforce.app`"),
        Refusal::NothingToGrant { purpose } => Problem::new(format!(
            "{} calls no AWS API for this run, so it needs no IAM policy",
            purpose.name()
        ))
        .help("check the Regions of the run (--region, AWS_REGION)"),
        Refusal::NoNamePrefix => {
            let (what, fix) = match &settings.project.file {
                Some(file) => (
                    format!("the project file {} sets no namePrefix", file.display()),
                    format!("set `namePrefix:` in {} (every connection and destination name must start with it), or leave --scope out to name each resource", file.display()),
                ),
                None => (
                    "these files have no project file (provision.yaml), so no namePrefix".to_string(),
                    "add a provision.yaml beside the documents with `namePrefix: sf-` (every connection and destination name must start with it), or leave --scope out to name each resource".to_string(),
                ),
            };
            Problem::new(format!(
                "--scope prefix grants every name under the project's namePrefix, but {what}"
            ))
            .help(fix)
        }
        Refusal::Partitions(partitions) => {
            let listed = partitions
                .iter()
                .map(|(partition, regions)| format!("{partition}: {}", regions.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            let (_, example) = &partitions[partitions.len() - 1];
            Problem::new(format!(
                "the run's Regions are in more than one partition ({listed}): a policy is attached in one partition and cannot name another's resources"
            ))
            .help(format!(
                "print one policy per partition: limit the run with --region (e.g. --region {}), or name the partition with --partition",
                example[0]
            ))
        }
    };
    Error::input(problem)
}
