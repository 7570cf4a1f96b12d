//! Resolves the command line into the settings a run works with: what to do, on which paths,
//! how to print, and how to reach AWS.

use crate::aws::{AwsOptions, Timeouts};
use crate::cli::{Cli, Command, CompareArgs, OutputFormat, PolicyFor};
use crate::engine::apply::ApplyOptions;
use crate::engine::wait::WaitPolicy;
use crate::error::{Error, Problem};
use crate::ownership::OwnershipSet;
use crate::plan::compute::PlanOptions;
use crate::policy::Purpose;
use crate::salesforce::token::TokenLimits;
use crate::view::{self, Format, Style, View};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) enum Task {
    Validate,
    Diff {
        plan: PlanOptions,
    },
    Apply {
        plan: PlanOptions,
        options: ApplyOptions,
        deletes: DeleteGuards,
    },
    Export {
        name_prefix: Option<String>,
        out: PathBuf,
    },
    SalesforceMetadata {
        out: PathBuf,
    },
    SalesforceCredentials,
    RotateCredentials(crate::commands::RotateOptions),
    Verify {
        limits: TokenLimits,
        /// Warnings fail the run.
        strict: bool,
        publish: Option<PublishTest>,
    },
    IamPolicy {
        purpose: Purpose,
        /// `--account`, checked; `None`: the caller's account.
        account: Option<String>,
    },
    Schema,
    Completions {
        shell: clap_complete::Shell,
    },
    Man,
}

/// `verify --publish-test`.
#[derive(Debug, Clone)]
pub(crate) struct PublishTest {
    /// The API destination's name.
    pub(crate) destination: String,
    /// `--body FILE`.
    pub(crate) body: Option<PathBuf>,
    /// `--yes`.
    pub(crate) confirmed: bool,
    /// `--allow-production`.
    pub(crate) allow_production: bool,
}

/// What guards deletions in `apply`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeleteGuards {
    /// Confirmed without asking (`--yes`).
    pub(crate) confirmed: bool,
    /// Refuse more deletions than this.
    pub(crate) max: usize,
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
                    plan: plan_options(compare, false)?,
                },
                paths.paths,
            ),
            Command::Apply {
                paths,
                compare,
                no_wait,
                wait_timeout,
                verify_credentials,
                yes,
                max_deletes,
                force,
            } => {
                let wait = (!no_wait).then(|| WaitPolicy {
                    timeout: wait_timeout,
                    ..WaitPolicy::default()
                });
                let options = ApplyOptions {
                    wait,
                    verify_credentials,
                    force,
                };
                (
                    Task::Apply {
                        plan: plan_options(compare, force)?,
                        options,
                        deletes: DeleteGuards {
                            confirmed: yes,
                            max: max_deletes,
                        },
                    },
                    paths.paths,
                )
            }
            Command::Export { name_prefix, out } => (Task::Export { name_prefix, out }, Vec::new()),
            Command::SalesforceMetadata { paths, out } => {
                (Task::SalesforceMetadata { out }, paths.paths)
            }
            Command::SalesforceCredentials(paths) => (Task::SalesforceCredentials, paths.paths),
            Command::RotateCredentials {
                paths,
                name,
                dry_run,
                set,
                wait_timeout,
            } => (
                Task::RotateCredentials(crate::commands::RotateOptions {
                    names: name,
                    dry_run,
                    set: OwnershipSet::parse(&set)?,
                    wait_timeout,
                }),
                paths.paths,
            ),
            Command::Verify {
                paths,
                strict,
                publish_test,
                body,
                yes,
                allow_production,
            } => (
                Task::Verify {
                    limits: TokenLimits {
                        connect: cli.global.connect_timeout,
                        total: cli.global.call_timeout,
                        flag: "--call-timeout",
                    },
                    strict,
                    publish: publish_test.map(|destination| PublishTest {
                        destination,
                        body,
                        confirmed: yes,
                        allow_production,
                    }),
                },
                paths.paths,
            ),
            Command::IamPolicy {
                paths,
                purpose,
                account,
            } => (
                Task::IamPolicy {
                    purpose: match purpose {
                        PolicyFor::Diff => Purpose::Diff,
                        PolicyFor::Apply => Purpose::Apply,
                        PolicyFor::Rule => Purpose::Rule,
                        PolicyFor::RotateCredentials => Purpose::RotateCredentials,
                    },
                    account: account.map(|a| account_flag(&a)).transpose()?,
                },
                paths.paths,
            ),
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

/// `--account`: an AWS account id is 12 digits.
fn account_flag(text: &str) -> Result<String, Error> {
    let account = text.trim();
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(account.to_string());
    }
    let shown: String = account
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    Err(Error::input(
        Problem::new(format!("--account `{shown}` is not an AWS account id: it must be exactly 12 digits"))
            .help("give the account id as 12 digits, e.g. --account 123456789012 (leading zeros included), or leave --account out to use the caller's account"),
    ))
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

fn plan_options(compare: CompareArgs, force: bool) -> Result<PlanOptions, Error> {
    Ok(PlanOptions {
        strict: compare.strict,
        set: OwnershipSet::parse(&compare.set)?,
        adopt: compare.adopt,
        prune: compare.prune,
        replace: compare.replace,
        force,
    })
}
