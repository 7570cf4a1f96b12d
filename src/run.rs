//! Runs one command: parse the arguments, resolve settings, dispatch, print, pick the exit code.
//!
//! The only place that prints errors and decides the exit code: 0 success or in sync,
//! 1 error, 2 `diff` found differences.

use crate::aws;
use crate::cli::Cli;
use crate::config::{Settings, Task};
use crate::engine::{self, Context};
use crate::error::{Error, Problem};
use crate::log::Log;
use crate::plan::compute::Strictness;
use crate::plan::render_text::Style;
use crate::plan::{Outcome, render_json, render_text};
use crate::resolve::SecretResolver;
use crate::spec::{self, ConnectionSpec};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

pub const EXIT_OK: u8 = 0;
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_DIFFERENCES: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap uses 2 for usage errors; here 2 means "differences", so usage errors are 1.
            return ExitCode::from(if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            });
        }
    };
    let settings = Settings::from_cli(cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let json = settings.json;
    match runtime.block_on(execute(&settings)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            report(&error, json);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn report(error: &Error, json: bool) {
    match error {
        Error::Input(problems) => {
            for problem in problems {
                eprintln!("error: {problem}");
            }
            if problems.len() > 1 {
                eprintln!("{} problems found; nothing was sent to AWS", problems.len());
            }
            if json {
                let document = serde_json::json!({
                    "version": crate::plan::FORMAT_VERSION,
                    "error": "invalid input",
                    "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
                });
                println!("{document:#}");
            }
        }
        Error::ConnectionsFailed { .. } => eprintln!("error: {error}"),
        other => {
            eprintln!("error: {other}");
            if json {
                let document = serde_json::json!({
                    "version": crate::plan::FORMAT_VERSION,
                    "error": other.to_string(),
                });
                println!("{document:#}");
            }
        }
    }
}

fn problem_json(problem: &Problem) -> serde_json::Value {
    let location = problem.location.as_ref();
    serde_json::json!({
        "file": location.map(|l| l.file.display().to_string()),
        "line": location.and_then(|l| l.line),
        "column": location.and_then(|l| l.column),
        "field": problem.field,
        "message": problem.message,
        "help": problem.help,
    })
}

async fn execute(settings: &Settings) -> Result<u8, Error> {
    let log = Log::new(settings.verbosity);
    let specs = spec::load::load(&settings.paths)?;
    match &settings.task {
        Task::Validate => validate(settings, &specs),
        Task::Diff { strictness } => diff(settings, log, specs, *strictness).await,
        Task::Apply {
            strictness,
            options,
        } => {
            let context = context(settings, log).await?;
            let specs = in_region(&context, specs);
            let (plan, planned) = engine::read::plan(&context, &specs, *strictness).await?;
            if !settings.json {
                print(&render_text::plan(&plan, style(settings)))?;
                println!();
            }
            let results = engine::apply::apply(&context, &planned, *options).await;
            if settings.json {
                print(&format!("{:#}\n", render_json::apply(&plan, &results)))?;
            } else {
                print(&render_text::apply(&results, style(settings)))?;
            }
            let failed = results
                .iter()
                .filter(|r| r.outcome == Outcome::Failed)
                .count();
            if failed > 0 {
                return Err(Error::ConnectionsFailed {
                    failed,
                    total: results.len(),
                });
            }
            Ok(EXIT_OK)
        }
    }
}

fn validate(settings: &Settings, specs: &[ConnectionSpec]) -> Result<u8, Error> {
    if settings.json {
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        let document = serde_json::json!({
            "version": crate::plan::FORMAT_VERSION,
            "command": "validate",
            "valid": true,
            "connections": names,
        });
        print(&format!("{document:#}\n"))?;
    } else {
        let noun = if specs.len() == 1 {
            "connection"
        } else {
            "connections"
        };
        print(&format!("{} {noun} valid.\n", specs.len()))?;
    }
    Ok(EXIT_OK)
}

async fn diff(
    settings: &Settings,
    log: Log,
    specs: Vec<ConnectionSpec>,
    strictness: Strictness,
) -> Result<u8, Error> {
    let context = context(settings, log).await?;
    let specs = in_region(&context, specs);
    let (plan, _) = engine::read::plan(&context, &specs, strictness).await?;
    if settings.json {
        print(&format!("{:#}\n", render_json::plan("diff", &plan)))?;
    } else {
        print(&render_text::plan(&plan, style(settings)))?;
    }
    if plan.has_errors() {
        let failed = plan.summary().error;
        return Err(Error::ConnectionsFailed {
            failed,
            total: plan.entries.len(),
        });
    }
    Ok(if plan.has_differences() {
        EXIT_DIFFERENCES
    } else {
        EXIT_OK
    })
}

fn in_region(context: &Context, specs: Vec<ConnectionSpec>) -> Vec<ConnectionSpec> {
    specs
        .into_iter()
        .filter(|spec| {
            let wanted = spec.wanted_in(&context.region);
            if !wanted {
                context.log.verbose(format!(
                    "{}: not declared for {}, skipped",
                    spec.name, context.region
                ));
            }
            wanted
        })
        .collect()
}

async fn context(settings: &Settings, log: Log) -> Result<Context, Error> {
    let config = aws::sdk_config(&settings.aws).await;
    let Some(region) = config.region().map(|r| r.to_string()) else {
        return Err(Error::Aws {
            context: "no AWS Region".to_string(),
            message: "neither --region, AWS_REGION nor the profile names a Region".to_string(),
            help: Some("pass --region us-east-1 (or set AWS_REGION)".to_string()),
        });
    };
    let secrets_manager = aws_sdk_secretsmanager::Client::new(&config);
    Ok(Context {
        eventbridge: aws::eventbridge_client(&config),
        resolver: SecretResolver::new(secrets_manager.clone(), region.clone()),
        secrets_manager,
        region,
        concurrency: settings.concurrency,
        log,
    })
}

fn style(settings: &Settings) -> Style {
    Style {
        colour: settings.colour,
    }
}

fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
