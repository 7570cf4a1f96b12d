//! `provision iam-policy`: print the least-privilege IAM policy of one run: the same files, the
//! command of `--for` and its flags, in the run's Regions (`--for rule` with declared rules:
//! each rule role's permission and trust policies, and each dead-letter queue's statement). No secret is read and no EventBridge
//! call is made; without `--account`, the account is the caller's (sts:GetCallerIdentity).

use super::EXIT_OK;
use super::context::load_specs;
use crate::config::{PolicyFlags, Settings};
use crate::engine::session::{Account, Scope, Session};
use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::policy::{Purpose, Refusal, Request, references, rule_documents, scoped_policy};
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    flags: &PolicyFlags,
    account: Option<&str>,
) -> Result<u8, Error> {
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
    let regions = &coverage.regions;
    let wanted: Vec<(String, Vec<&ConnectionSpec>)> = regions
        .iter()
        .map(|region| (region.clone(), coverage.wanted_in(region, &specs)))
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
    // What the policy cannot name (a key only the stored value knows), said once per source.
    let read = wanted
        .iter()
        .flat_map(|(_, specs)| specs.iter().flat_map(|spec| references(spec)))
        .map(|reference| reference.source.kind());
    let notes = if flags.purpose == Purpose::Rule {
        Vec::new()
    } else {
        crate::sources::policy_notes(read)
    };
    let notes = notes.into_iter().map(str::to_string).chain(document.notes);
    for note in notes {
        view::stderr(&format!("provision: note: {note}\n"));
    }
    Ok(EXIT_OK)
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
