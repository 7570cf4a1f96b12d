//! Resolves the command line into the settings a run works with: what to do, on which paths,
//! how to print, and how to reach AWS.

use crate::aws::{AwsOptions, Timeouts};
use crate::cli::{
    Cli, ColorWhen, Command, CompareArgs, FailOn, OutputFormat, PolicyFor, PolicyScope,
    ReportCommand,
};
use crate::engine::apply::ApplyOptions;
use crate::engine::rotate::RotateOptions;
use crate::engine::wait::WaitPolicy;
use crate::error::{Error, Problem};
use crate::manifest::Rules;
use crate::ownership::OwnershipSet;
use crate::plan::connection::PlanOptions;
use crate::policy::{Purpose, Scope};
use crate::project::{self, Project};
use crate::salesforce::token::TokenLimits;
use crate::view::{self, Format, Style, View};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) enum Task {
    Validate,
    /// `provision targets`: the places the documents use, offline.
    Targets,
    Diff {
        plan: PlanOptions,
        /// `--out FILE`: write the saved plan there.
        out: Option<PathBuf>,
        /// `--fail-on unhealthy`: a broken declared connection exits 3, not 2.
        fail_on_unhealthy: bool,
    },
    Apply {
        plan: PlanOptions,
        options: ApplyOptions,
        deletes: DeleteGuards,
        /// `--plan FILE`: apply this saved plan, or nothing if it is stale.
        saved: Option<PathBuf>,
    },
    /// `show FILE`: print a saved plan.
    Show {
        file: PathBuf,
    },
    /// `report merge FILE...`: one report from several runs' reports.
    ReportMerge {
        files: Vec<PathBuf>,
    },
    Export {
        name_prefix: Option<String>,
        out: PathBuf,
    },
    SalesforceMetadata {
        out: PathBuf,
    },
    SalesforceCredentials,
    RotateCredentials(RotateOptions),
    Verify {
        limits: TokenLimits,
        /// Warnings fail the run.
        strict: bool,
        publish: Option<PublishTest>,
    },
    IamPolicy {
        policy: PolicyFlags,
        /// `--account`, checked; `None`: the caller's account.
        account: Option<String>,
        /// `--trust PRINCIPAL_ARN`, checked: the targets' trust policies instead.
        trust: Option<String>,
    },
    Schema {
        /// The project file's schema instead of a connection document's.
        project: bool,
        /// `--output-document NAME`: the schema of a JSON output document instead.
        output_document: Option<String>,
    },
    /// `explain [KEY]`: describe a key, or list them.
    Explain {
        key: Option<String>,
        /// A key of the project file instead of a connection document.
        project: bool,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man {
        /// `--out DIR`: one page per command, written there.
        out: Option<PathBuf>,
    },
    Version,
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

/// `iam-policy`'s flags, checked: what the policy is for.
#[derive(Debug, Clone)]
pub(crate) struct PolicyFlags {
    pub(crate) purpose: Purpose,
    pub(crate) prune: bool,
    pub(crate) replace: bool,
    pub(crate) partition: Option<String>,
    pub(crate) name_prefix: Option<String>,
    pub(crate) kms_conditions: bool,
    /// `--scope`: by declared name, or by the project's namePrefix.
    pub(crate) scope: Scope,
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
    /// `--target` flags, each a target of the project file, without repeats; empty when none
    /// was given.
    pub(crate) targets: Vec<String>,
    pub(crate) concurrency: usize,
    pub(crate) verbosity: u8,
    /// `-q`: errors only in text output.
    pub(crate) quiet: bool,
    /// `--max-chars`: the longest Markdown document.
    pub(crate) max_chars: usize,
    /// The project file's settings (none when there is no file). Its `name_prefix` is what
    /// narrows orphan discovery, in the reads and in the IAM policy.
    pub(crate) project: Project,
    /// What the project file and the run's set add to the checks of every document.
    pub(crate) rules: Rules,
    /// The project files of the documents that `--config` stands in for (said on stderr).
    pub(crate) set_aside: Vec<PathBuf>,
}

impl Settings {
    pub(crate) fn from_cli(cli: Cli) -> Result<Self, Error> {
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config = cli.global.config.as_deref();
        let (project, set_aside) = match documents_of(&cli.command) {
            Some(paths) => (
                project::discover(config, &paths, &here)?,
                config
                    .map(|config| project::replaced_by_config(config, &paths, &here))
                    .unwrap_or_default(),
            ),
            None => (Project::default(), Vec::new()),
        };
        let mut set = project.set.clone().unwrap_or_default();
        let (task, paths) = match cli.command {
            Command::Validate { paths, set: flag } => {
                set = run_set(flag.as_deref(), &project)?;
                (Task::Validate, paths.paths)
            }
            Command::Targets { paths } => (Task::Targets, paths.paths),
            Command::Diff {
                paths,
                compare,
                out,
                fail_on,
            } => {
                let plan = plan_options(compare, &project, false)?;
                set = plan.set.clone();
                let fail_on_unhealthy = fail_on.contains(&FailOn::Unhealthy);
                (
                    Task::Diff {
                        plan,
                        out,
                        fail_on_unhealthy,
                    },
                    paths.paths,
                )
            }
            Command::Show { file } => (Task::Show { file }, Vec::new()),
            Command::Report {
                command: ReportCommand::Merge { files },
            } => (Task::ReportMerge { files }, Vec::new()),
            Command::Apply {
                paths,
                compare,
                no_wait,
                wait_timeout,
                verify_credentials,
                yes,
                max_deletes,
                force,
                plan: saved,
            } => {
                let wait = (!no_wait).then(|| WaitPolicy {
                    timeout: wait_timeout,
                    ..WaitPolicy::default()
                });
                let options = ApplyOptions {
                    wait,
                    verify_credentials: verify_credentials.then(|| {
                        TokenLimits::within(cli.global.connect_timeout, cli.global.call_timeout)
                    }),
                    force,
                };
                let plan = plan_options(compare, &project, force)?;
                set = plan.set.clone();
                (
                    Task::Apply {
                        plan,
                        options,
                        deletes: DeleteGuards {
                            confirmed: yes,
                            max: max_deletes,
                        },
                        saved,
                    },
                    paths.paths,
                )
            }
            Command::Export { name_prefix, out } => {
                if let Some(target) = cli.global.target.first() {
                    // Export reads the credentials' own account and writes documents without
                    // `targets:`: a --target would narrow nothing.
                    return Err(Error::input(
                        Problem::new(format!(
                            "--target `{}`: export lists the connections of the credentials' own account, in the --region Regions (or the default one), and takes no --target",
                            target.escape_debug()
                        ))
                        .help("leave --target out and run export with credentials of the target's account; then add `targets: [<name>]` to the documents it writes"),
                    ));
                }
                (Task::Export { name_prefix, out }, Vec::new())
            }
            Command::SalesforceMetadata { paths, out } => {
                (Task::SalesforceMetadata { out }, paths.paths)
            }
            Command::SalesforceCredentials(paths) => (Task::SalesforceCredentials, paths.paths),
            Command::RotateCredentials {
                paths,
                name,
                dry_run,
                revoke_previous,
                set: flag_set,
                wait_timeout,
            } => {
                set = run_set(flag_set.as_deref(), &project)?;
                (
                    Task::RotateCredentials(RotateOptions {
                        names: name,
                        dry_run,
                        revoke_previous,
                        set: set.clone(),
                        wait_timeout,
                    }),
                    paths.paths,
                )
            }
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
                        connect: cli.global.connect_timeout.min(cli.global.call_timeout),
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
                prune,
                replace,
                partition,
                name_prefix,
                kms_conditions,
                scope,
                trust,
            } => (
                Task::IamPolicy {
                    policy: policy_flags(PolicyFlags {
                        purpose: match purpose {
                            PolicyFor::Diff => Purpose::Diff,
                            PolicyFor::Apply => Purpose::Apply,
                            PolicyFor::Rule => Purpose::Rule,
                            PolicyFor::Verify => Purpose::Verify,
                            PolicyFor::Export => Purpose::Export,
                            PolicyFor::SalesforceCredentials => Purpose::SalesforceCredentials,
                            PolicyFor::RotateCredentials => Purpose::RotateCredentials,
                        },
                        prune,
                        replace,
                        partition,
                        name_prefix,
                        kms_conditions,
                        scope: match scope {
                            PolicyScope::Names => Scope::Names,
                            PolicyScope::Prefix => Scope::Prefix,
                        },
                    })?,
                    account: account.map(|a| account_flag(&a)).transpose()?,
                    trust: trust.map(trust_flag).transpose()?,
                },
                paths.paths,
            ),
            Command::Schema {
                project,
                output_document,
            } => (
                Task::Schema {
                    project,
                    output_document,
                },
                Vec::new(),
            ),
            Command::Explain { key, project } => (Task::Explain { key, project }, Vec::new()),
            Command::Completions { shell } => (Task::Completions { shell }, Vec::new()),
            Command::Man { out } => (Task::Man { out }, Vec::new()),
            Command::Version => (Task::Version, Vec::new()),
        };
        let format = format_of(cli.global.output);
        let regions = region_flags(cli.global.region, &project.extra_regions)?;
        let targets = target_flags(cli.global.target, &project)?;
        let rules = Rules {
            marker: set.marker(),
            name_prefix: project.name_prefix.clone(),
            extra_regions: project.extra_regions.clone(),
            project_file: project.file.clone(),
        };
        Ok(Settings {
            task,
            paths,
            format,
            colour: format == Format::Text && colour(cli.global.color),
            aws: AwsOptions {
                region: regions.first().or(project.default_region.as_ref()).cloned(),
                profile: cli.global.profile.filter(|p| !p.trim().is_empty()),
                endpoint_url: endpoint_url(cli.global.endpoint_url)?,
                timeouts: Timeouts::new(
                    cli.global.connect_timeout,
                    cli.global.attempt_timeout,
                    cli.global.call_timeout,
                ),
            },
            regions,
            targets,
            concurrency: usize::from(cli.global.concurrency),
            verbosity: cli.global.verbose,
            quiet: cli.global.quiet,
            max_chars: cli.global.max_chars,
            project,
            set_aside,
            rules,
        })
    }

    /// The view of the chosen output format.
    pub(crate) fn view(&self) -> Box<dyn View + Send> {
        view::view_within(
            self.format,
            Style {
                colour: self.colour,
            },
            self.quiet,
            self.max_chars,
        )
    }
}

/// The paths whose documents decide the project file: the documents a command reads, the
/// folder `export` writes documents to, none for `show`; `None` for the commands that read no
/// folder (printing a schema, completions, the man page or the version: a broken project file
/// in the current directory must not stop them).
fn documents_of(command: &Command) -> Option<Vec<PathBuf>> {
    match command {
        Command::Validate { paths, .. }
        | Command::Targets { paths }
        | Command::Diff { paths, .. }
        | Command::Apply { paths, .. }
        | Command::SalesforceMetadata { paths, .. }
        | Command::SalesforceCredentials(paths)
        | Command::RotateCredentials { paths, .. }
        | Command::Verify { paths, .. }
        | Command::IamPolicy { paths, .. } => Some(paths.paths.clone()),
        Command::Export { out, .. } => Some(vec![out.clone()]),
        Command::Show { .. } | Command::Report { .. } => Some(Vec::new()),
        Command::Schema { .. }
        | Command::Explain { .. }
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::Version => None,
    }
}

/// The view of a run that ended before it had settings (no colour: nothing is known yet).
pub(crate) fn early_view(output: OutputFormat, quiet: bool) -> Box<dyn View + Send> {
    view::view(format_of(output), Style { colour: false }, quiet)
}

fn format_of(output: OutputFormat) -> Format {
    match output {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    }
}

/// Whether text output on stdout is coloured: `--color always|never` as asked; `auto` never
/// on `TERM=dumb`, otherwise as anstream decides for clap's own messages (NO_COLOR and
/// CLICOLOR=0 turn it off, CLICOLOR_FORCE on; otherwise a terminal). anstream alone would colour
/// a dumb terminal when `CI` is set.
fn colour(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("TERM").is_none_or(|term| term != "dumb")
                && matches!(
                    anstream::AutoStream::choice(&std::io::stdout()),
                    anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
                )
        }
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
/// `iam-policy`'s flags: each only where the command of `--for` has it.
fn policy_flags(flags: PolicyFlags) -> Result<PolicyFlags, Error> {
    let purpose = flags.purpose.name();
    let compares = matches!(flags.purpose, Purpose::Diff | Purpose::Apply);
    for (flag, given) in [
        ("--prune", flags.prune),
        ("--replace", flags.replace),
        ("--kms-conditions", flags.kms_conditions),
    ] {
        if given && !compares {
            return Err(Error::input(
                Problem::new(format!(
                    "{flag} is for the policy of a diff or apply run, not of {purpose}"
                ))
                .help(format!(
                    "leave {flag} out, or ask for the policy of an apply run: --for apply {flag}"
                )),
            ));
        }
    }
    if flags.scope == Scope::Prefix && flags.purpose == Purpose::Export {
        return Err(Error::input(
            Problem::new("--scope prefix is for the policy of the files' runs, not of export: export's policy already grants by its --name-prefix")
                .help("leave --scope out, and give the export run's prefix: --for export --name-prefix PREFIX"),
        ));
    }
    if flags.name_prefix.is_some() && flags.purpose != Purpose::Export {
        return Err(Error::input(
            Problem::new(format!("--name-prefix is export's flag, not {purpose}'s: {purpose} reads every connection of the Region to find this set's orphans"))
                .help("leave --name-prefix out, or ask for the policy of an export run: --for export --name-prefix PREFIX"),
        ));
    }
    if let Some(partition) = &flags.partition {
        let valid = partition == "aws"
            || partition.strip_prefix("aws-").is_some_and(|rest| {
                !rest.is_empty()
                    && rest.split('-').all(|part| {
                        !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())
                    })
            });
        if !valid {
            let shown: String = partition
                .chars()
                .take(40)
                .collect::<String>()
                .escape_debug()
                .to_string();
            return Err(Error::input(
                Problem::new(format!("--partition `{shown}` is not an AWS partition"))
                    .help("give one such as aws, aws-cn or aws-us-gov, or leave --partition out to take it from the Regions"),
            ));
        }
    }
    Ok(flags)
}

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

/// `--trust`: the ARN of the principal a target's role trusts.
fn trust_flag(arn: String) -> Result<String, Error> {
    crate::policy::check_principal(&arn).map_err(|why| {
        Error::input(
            Problem::new(format!("--trust: {why}"))
                .help("give the ARN the run's credentials belong to, e.g. --trust arn:aws:iam::123456789012:role/ci (or arn:aws:iam::123456789012:root for the whole account)"),
        )
    })?;
    Ok(arn)
}

/// `--target` flags: each a target of the project file; repeats are dropped. Refused when the
/// project file lists no targets (there is nothing to narrow).
fn target_flags(flags: Vec<String>, project: &Project) -> Result<Vec<String>, Error> {
    let mut targets: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for flag in flags {
        if project.targets.is_empty() {
            let file = match &project.file {
                Some(file) => format!("the project file {} lists", file.display()),
                None => "there is no project file, so nothing lists".to_string(),
            };
            return Err(Error::input(
                Problem::new(format!(
                    "--target `{}`: {file} no `targets:`, so there is no target to limit the run to",
                    flag.escape_debug()
                ))
                .help("leave --target out (the run works in the credentials' own account), or list `targets:` in provision.yaml"),
            ));
        }
        if project.target(&flag).is_none() {
            problems.push(
                Problem::new(format!(
                    "--target `{}` is not a target of the project file",
                    flag.escape_debug()
                ))
                .help(format!("give one of: {}", project.target_names())),
            );
        } else if !targets.contains(&flag) {
            targets.push(flag);
        }
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(Error::Input(problems))
    }
}

/// `--region` flags: each a known Region code (or one of the project's `extraRegions`);
/// repeats are dropped.
fn region_flags(flags: Vec<String>, extra: &[String]) -> Result<Vec<String>, Error> {
    let mut problems = Vec::new();
    let mut regions: Vec<String> = Vec::new();
    for flag in flags {
        match crate::manifest::regions::check_region_with(&flag, extra) {
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

/// The set of a run: `--set`, else the project file's `set`, else `default`. A `--set` that
/// contradicts the project file is refused: working for another set from this folder would
/// mark its connections as someone else's, or prune someone else's.
fn run_set(flag: Option<&str>, project: &Project) -> Result<OwnershipSet, Error> {
    let Some(flag) = flag else {
        return Ok(project.set.clone().unwrap_or_default());
    };
    let set = OwnershipSet::parse(flag)?;
    match (&project.set, &project.file) {
        (Some(pinned), Some(file)) if *pinned != set => Err(Error::input(
            Problem::new(format!(
                "--set {} contradicts `set: {}` of the project file {}",
                set.name(),
                pinned.name(),
                file.display()
            ))
            .help("leave --set out (the project file names this folder's set), or change `set:` in the project file"),
        )),
        _ => Ok(set),
    }
}

fn plan_options(
    compare: CompareArgs,
    project: &Project,
    force: bool,
) -> Result<PlanOptions, Error> {
    let set = run_set(compare.set.as_deref(), project)?;
    if compare.prune && set == OwnershipSet::default() {
        return Err(Error::input(
            Problem::new("--prune needs a named ownership set: this run works for the shared set `default`, whose connections any folder applied without a set may own; nothing was sent to AWS")
                .help("add `set: <name>` to provision.yaml (or pass --set <name>); connections of the default set move to it with `provision apply --adopt`"),
        ));
    }
    Ok(PlanOptions {
        strict: compare.strict,
        set,
        adopt: compare.adopt,
        prune: compare.prune,
        replace: compare.replace,
        force,
        name_prefix: project.name_prefix.clone(),
    })
}
