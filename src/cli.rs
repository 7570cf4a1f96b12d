//! The command line as typed: clap's view of the flags, with no meaning attached yet.
//! [`crate::config`] turns it into settings.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "provision",
    version,
    about = "Keep Amazon EventBridge connections to Salesforce in line with a folder of YAML files",
    after_help = "Exit codes: 0 success / in sync, 1 error, 2 `diff` found differences."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and check the YAML offline: no AWS call, no secret read.
    Validate(PathArgs),
    /// Compare with AWS and print the plan: exit 0 in sync, 2 differences, 1 error.
    Diff {
        #[command(flatten)]
        paths: PathArgs,
        #[command(flatten)]
        compare: CompareArgs,
    },
    /// Make AWS match the YAML and wait until each connection is healthy: exit 0 or 1.
    Apply {
        #[command(flatten)]
        paths: PathArgs,
        #[command(flatten)]
        compare: CompareArgs,
        /// Do not wait for connections to become AUTHORIZED (or ACTIVE).
        #[arg(long)]
        no_wait: bool,
        /// How long to wait for each connection to settle, e.g. 90s, 10m, 1h.
        #[arg(long, value_name = "DURATION", default_value = "25m", value_parser = parse_duration)]
        wait_timeout: Duration,
        /// Before writing credentials, request a token with them from the token endpoint, and
        /// leave the connection untouched if Salesforce refuses them.
        #[arg(long)]
        verify_credentials: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PathArgs {
    /// YAML files or folders (walked recursively).
    #[arg(value_name = "PATH", default_value = "connections/")]
    pub(crate) paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Treat a client secret that cannot be verified as a difference.
    #[arg(long)]
    pub(crate) strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// AWS Region (default: AWS_REGION or the profile's Region).
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// AWS named profile (default: AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// AWS endpoint URL, e.g. a local emulator (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint_url: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub(crate) output: OutputFormat,
    /// How many connections to work on at once.
    #[arg(long, global = true, default_value = "8", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,
    /// More detail on stderr (-vv for every request).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// `90`, `90s`, `10m`, `1h`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 90s, 10m or 1h"))?;
    let seconds = match unit {
        "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("`{text}` has an unknown unit; use s, m or h")),
    };
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
