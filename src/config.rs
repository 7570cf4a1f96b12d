//! Resolves the command line into the settings a run works with: what to do, on which paths,
//! how to print, and how to reach AWS.

use crate::aws::AwsOptions;
use crate::cli::{Cli, Command, OutputFormat};
use crate::engine::apply::ApplyOptions;
use crate::engine::wait::WaitPolicy;
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
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) task: Task,
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) format: Format,
    pub(crate) colour: bool,
    pub(crate) aws: AwsOptions,
    pub(crate) concurrency: usize,
    pub(crate) verbosity: u8,
}

impl Settings {
    pub(crate) fn from_cli(cli: Cli) -> Self {
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
        };
        let format = match cli.global.output {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
        };
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Settings {
            task,
            paths,
            format,
            colour: format == Format::Text && !no_colour && std::io::stdout().is_terminal(),
            aws: AwsOptions {
                region: cli.global.region,
                profile: cli.global.profile,
                endpoint_url: cli.global.endpoint_url,
            },
            concurrency: usize::from(cli.global.concurrency),
            verbosity: cli.global.verbose,
        }
    }

    /// The view of the chosen output format.
    pub(crate) fn view(&self) -> Box<dyn View> {
        view::view(
            self.format,
            Style {
                colour: self.colour,
            },
        )
    }
}
