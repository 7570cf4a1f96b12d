//! `provision export`: one YAML file per existing OAuth client-credentials connection in the
//! run's Regions, so connections made by hand or by another tool can be declared and adopted.

use super::EXIT_OK;
use crate::aws::{self, eventbridge};
use crate::config::Settings;
use crate::desired::AUTHORIZATION_TYPE;
use crate::error::{Error, Location, Problem};
use crate::spec::export::export;
use crate::view::{self, ExportedFile};
use futures::StreamExt;
use std::path::{Path, PathBuf};

pub(super) async fn run(
    settings: &Settings,
    name_prefix: Option<&str>,
    out: &Path,
) -> Result<u8, Error> {
    let config = aws::sdk_config(&settings.aws).await;
    let regions = regions(settings, &config)?;
    let several = regions.len() > 1;
    let mut files = Vec::new();
    for region in &regions {
        let events = aws::eventbridge_client(&aws::for_region(&config, region));
        let listed = eventbridge::list_connections(&events, name_prefix.unwrap_or_default())
            .await
            .map_err(|error| Error::Aws {
                context: format!("cannot list EventBridge connections in {region}"),
                message: error.message,
                help: Some(
                    "check the AWS credentials and Region, and that the identity may call events:ListConnections"
                        .to_string(),
                ),
            })?;
        let described: Vec<_> = futures::stream::iter(listed)
            .map(|summary| {
                let events = &events;
                async move {
                    let live = eventbridge::describe_connection(events, &summary.name).await;
                    (summary.name, live)
                }
            })
            .buffered(settings.concurrency.max(1))
            .collect()
            .await;
        let folder = if several {
            out.join(region)
        } else {
            out.to_path_buf()
        };
        for (name, live) in described {
            let file = match live {
                Err(error) => skipped(
                    &name,
                    region,
                    format!("cannot describe it: {}", error.message),
                ),
                Ok(None) => skipped(&name, region, "it was deleted meanwhile".to_string()),
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
                    let exported = export(&live, region);
                    let path = folder.join(format!("{name}.yaml"));
                    write_new(&path, &exported.yaml)?;
                    ExportedFile {
                        name,
                        region: region.clone(),
                        path: Some(path.display().to_string()),
                        variables: exported.variables,
                        skipped: None,
                    }
                }
            };
            files.push(file);
        }
    }
    view::stdout(&settings.view().exported(&files))?;
    Ok(EXIT_OK)
}

/// The Regions an export reads: the `--region` flags, or the default Region.
pub(super) fn regions(
    settings: &Settings,
    config: &aws_config::SdkConfig,
) -> Result<Vec<String>, Error> {
    if !settings.regions.is_empty() {
        return Ok(settings.regions.clone());
    }
    match config.region() {
        Some(region) => Ok(vec![region.to_string()]),
        None => Err(Error::input(
            Problem::new("no AWS Region to export from")
                .help("pass --region us-east-1 (repeatable), or set AWS_REGION"),
        )),
    }
}

fn skipped(name: &str, region: &str, why: String) -> ExportedFile {
    ExportedFile {
        name: name.to_string(),
        region: region.to_string(),
        path: None,
        variables: Vec::new(),
        skipped: Some(why),
    }
}

/// Writes a new file; an existing one is never overwritten.
fn write_new(path: &PathBuf, text: &str) -> Result<(), Error> {
    let problem = |message: String, help: &str| {
        Error::input(Problem::new(message).at(Location::file(path)).help(help))
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| {
            problem(
                format!("cannot create the folder: {error}"),
                "choose another --out folder",
            )
        })?;
    }
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
