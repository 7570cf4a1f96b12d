//! Resolves the command line into the settings a run works with: what to do, on which paths,
//! how to print, and how to reach AWS.

use crate::aws::{AwsOptions, Timeouts};
use crate::cli::{Cli, Command, OutputFormat};
use crate::engine::apply::ApplyOptions;
use crate::engine::wait::WaitPolicy;
use crate::error::{Error, Problem};
use crate::plan::compute::Strictness;
use crate::view::{self, Format, Style, View};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) enum Task {
    Validate,
    Diff {
        strictness: Strictness,
    },
    Apply {
        strictness: Strictness,
        options: ApplyOptions,
    },
    Schema,
    Completions {
        shell: clap_complete::Shell,
    },
    Man,
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) task: Task,
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) format: Format,
    pub(crate) colour: bool,
    pub(crate) aws: AwsOptions,
    /// `--region` flags, checked; empty when none was given.
    pub(crate) regions: Vec<String>,
    pub(crate) concurrency: usize,
    pub(crate) verbosity: u8,
    /// `-q`: errors only in text output.
    pub(crate) quiet: bool,
}

impl Settings {
    pub(crate) fn from_cli(cli: Cli) -> Result<Self, Error> {
        let (task, paths) = match cli.command {
            Command::Validate(paths) => (Task::Validate, paths.paths),
            Command::Diff { paths, compare } => (
                Task::Diff {
                    strictness: Strictness {
                        strict: compare.strict,
                    },
                },
                paths.paths,
            ),
            Command::Apply {
                paths,
                compare,
                no_wait,
                wait_timeout,
                verify_credentials,
            } => {
                let wait = (!no_wait).then(|| WaitPolicy {
                    timeout: wait_timeout,
                    ..WaitPolicy::default()
                });
                let options = ApplyOptions {
                    wait,
                    verify_credentials,
                };
                (
                    Task::Apply {
                        strictness: Strictness {
                            strict: compare.strict,
                        },
                        options,
                    },
                    paths.paths,
                )
            }
            Command::Schema => (Task::Schema, Vec::new()),
            Command::Completions { shell } => (Task::Completions { shell }, Vec::new()),
            Command::Man => (Task::Man, Vec::new()),
        };
        let format = match cli.global.output {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
        };
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let regions = region_flags(cli.global.region)?;
        Ok(Settings {
            task,
            paths,
            format,
            colour: format == Format::Text && !no_colour && std::io::stdout().is_terminal(),
            aws: AwsOptions {
                region: regions.first().cloned(),
                profile: cli.global.profile.filter(|p| !p.trim().is_empty()),
                endpoint_url: endpoint_url(cli.global.endpoint_url)?,
                timeouts: Timeouts {
                    connect: cli.global.connect_timeout,
                    attempt: cli.global.attempt_timeout,
                    call: cli.global.call_timeout.max(cli.global.attempt_timeout),
                },
            },
            regions,
            concurrency: usize::from(cli.global.concurrency),
            verbosity: cli.global.verbose,
            quiet: cli.global.quiet,
        })
    }

    /// The view of the chosen output format.
    pub(crate) fn view(&self) -> Box<dyn View + Send> {
        view::view(
            self.format,
            Style {
                colour: self.colour,
            },
            self.quiet,
        )
    }
}

/// `--endpoint-url`, and the SDK's `AWS_ENDPOINT_URL*` variables, checked before the SDK sees
/// them (it panics or prints its request on some bad values). Empty means unset.
fn endpoint_url(flag: Option<String>) -> Result<Option<String>, Error> {
    for (name, value) in std::env::vars() {
        if name == "AWS_ENDPOINT_URL" || name.starts_with("AWS_ENDPOINT_URL_") {
            check_endpoint(&value).map_err(|why| endpoint_error(&name, &value, why))?;
        }
    }
    match flag.filter(|url| !url.trim().is_empty()) {
        None => Ok(None),
        Some(url) => {
            check_endpoint(&url).map_err(|why| endpoint_error("--endpoint-url", &url, why))?;
            Ok(Some(url))
        }
    }
}

fn check_endpoint(value: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(value).map_err(|_| "it is not a URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("it is not an http:// or https:// URL");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host");
    }
    Ok(())
}

fn endpoint_error(source: &str, value: &str, why: &str) -> Error {
    let shown: String = value
        .chars()
        .take(200)
        .collect::<String>()
        .escape_debug()
        .to_string();
    Error::input(
        Problem::new(format!("{source} `{shown}` cannot be used: {why}"))
            .help("give the endpoint as a URL such as https://events.us-east-1.amazonaws.com or http://127.0.0.1:5000, or leave it unset"),
    )
}

/// `--region` flags: each a known Region code; repeats are dropped.
fn region_flags(flags: Vec<String>) -> Result<Vec<String>, Error> {
    let mut problems = Vec::new();
    let mut regions: Vec<String> = Vec::new();
    for flag in flags {
        match crate::spec::regions::check_region(&flag) {
            Ok(()) if regions.contains(&flag) => {}
            Ok(()) => regions.push(flag),
            Err(violation) => problems.push(
                Problem::new(format!("--region: {}", violation.message)).help(violation.help),
            ),
        }
    }
    if problems.is_empty() {
        Ok(regions)
    } else {
        Err(Error::Input(problems))
    }
}
