//! `provision iam-policy`: print the least-privilege IAM policy that `diff` or `apply` needs
//! for the declared connections in the run's Regions. No secret is read and no EventBridge
//! call is made; without `--account`, the account is the caller's (sts:GetCallerIdentity).

use super::EXIT_OK;
use super::context::{check_account, configured_coverage, load_specs, wanted_in};
use crate::aws;
use crate::config::Settings;
use crate::error::Error;
use crate::policy::{Purpose, policy, references};
use crate::view;

pub(super) async fn run(
    settings: &Settings,
    purpose: Purpose,
    account: Option<&str>,
) -> Result<u8, Error> {
    let specs = load_specs(settings)?;
    let (config, coverage) = configured_coverage(settings, &specs).await?;
    let account = match account {
        Some(account)
            if !settings.project.accounts.is_empty()
                && !settings
                    .project
                    .accounts
                    .iter()
                    .any(|allowed| allowed == account) =>
        {
            return Err(Error::input(
                crate::error::Problem::new(format!(
                    "--account {account} is not among the accounts the project file allows ({})",
                    settings.project.accounts.join(", ")
                ))
                .help("give one of the project file's accounts, or add this one to `accounts:`"),
            ));
        }
        Some(account) => account.to_string(),
        None => {
            check_account(
                settings,
                &config,
                coverage.regions.first().map(String::as_str),
            )
            .await?;
            let region = coverage
                .regions
                .first()
                .map(String::as_str)
                .unwrap_or("us-east-1");
            aws::sts::caller_account(&aws::for_region(&config, region))
                .await
                .map_err(|message| Error::Aws {
                    context: "cannot tell the AWS account from the caller's identity (sts:GetCallerIdentity)".to_string(),
                    message,
                    help: Some("pass the account with --account 123456789012, or check the AWS credentials".to_string()),
                })?
        }
    };
    let wanted: Vec<_> = coverage
        .regions
        .iter()
        .map(|region| (region.clone(), wanted_in(&coverage, region, &specs)))
        .collect();
    let document = policy(&wanted, &account, purpose);
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    view::stdout(&format!("{text}\n"))?;
    // What the policy cannot name (a key only the stored value knows), said once per source.
    let read = wanted
        .iter()
        .flat_map(|(_, specs)| specs.iter().flat_map(|spec| references(spec)))
        .map(|reference| reference.source.kind());
    let notes = if purpose == Purpose::Rule {
        Vec::new()
    } else {
        crate::sources::policy_notes(read)
    };
    for note in notes {
        view::stderr(&format!("provision: note: {note}\n"));
    }
    Ok(EXIT_OK)
}
