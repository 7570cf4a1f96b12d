//! The command line as typed: clap's view of the flags, with no meaning attached yet.
//! [`crate::config`] turns it into settings.

use crate::engine::wait::MAX_DURATION;
use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "provision",
    version,
    about = "Keep EventBridge connections to Salesforce in line with YAML",
    long_about = "Keep Amazon EventBridge connections to Salesforce in line with a folder of YAML \
                  files.",
    after_help = "Exit codes: 0 success / in sync, 1 error, 2 `diff` found differences, 3 `diff \
                  --fail-on unhealthy` found a broken connection, 130 interrupted (SIGINT), 143 \
                  terminated (SIGTERM)."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

/// What `report` does with reports.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Print one report from the reports of several runs.
    ///
    /// The `diff --output json` reports of a CI fan-out's legs (one per `--target` or
    /// `--region`), as one report, as if one run had read every place: the counts are made
    /// again, what a leg left out but another covered is not left out, and two reports covering
    /// the same account and Region are refused. Reads no AWS. Exit 0 in sync, 2 differences, 1
    /// when a leg ended in an error or its plan has errors.
    #[command(after_help = REPORT_EXAMPLES)]
    Merge {
        /// The reports, one per leg.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and check the YAML offline: no AWS call, no secret.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate {
        #[command(flatten)]
        paths: PathArgs,
        /// Check the descriptions with this ownership set's marker.
        ///
        /// The marker `diff --set` and `apply --set` write (default: the project file's set, or
        /// `default`).
        #[arg(long, value_name = "NAME")]
        set: Option<String>,
    },
    /// Compare with AWS and print the plan.
    ///
    /// Exit 0 in sync, 2 differences, 1 error.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff {
        #[command(flatten)]
        paths: PathArgs,
        #[command(flatten)]
        compare: CompareArgs,
        /// Also write the plan to FILE, for `apply --plan` and `show`.
        ///
        /// Versioned JSON, no secret in it, readable by its owner only.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Exit 3 instead of 2 when the plan finds this.
        ///
        /// Repeatable. `unhealthy`: a declared connection that is DEAUTHORIZED or
        /// FAILED_CONNECTIVITY (an outage, not drift). An error still exits 1.
        #[arg(long, value_name = "WHAT", value_enum, action = clap::ArgAction::Append)]
        fail_on: Vec<FailOn>,
    },
    /// Make AWS match the YAML and wait until it is healthy.
    ///
    /// Each connection is waited for until healthy: exit 0 or 1.
    #[command(after_help = APPLY_EXAMPLES)]
    Apply {
        #[command(flatten)]
        paths: PathArgs,
        #[command(flatten)]
        compare: CompareArgs,
        /// Do not wait for connections to become AUTHORIZED (or ACTIVE).
        #[arg(long)]
        no_wait: bool,
        /// How long to wait for the written connections to settle.
        ///
        /// One limit for the whole settle phase, all connections together. E.g. 90s, 10m, 1h.
        #[arg(long, value_name = "DURATION", default_value = "25m", value_parser = parse_duration)]
        wait_timeout: Duration,
        /// Request a token with new credentials before writing them.
        ///
        /// The token is requested from the token endpoint; if Salesforce refuses the
        /// credentials, the connection is left untouched.
        #[arg(long)]
        verify_credentials: bool,
        /// Confirm the deletions of --prune without asking (CI).
        ///
        /// For a run without a terminal to ask on.
        #[arg(long)]
        yes: bool,
        /// Refuse a run deleting more connections than this.
        ///
        /// Counts the deletions of --prune.
        #[arg(long, value_name = "N", default_value = "10")]
        max_deletes: usize,
        /// Delete even a connection a destination uses.
        ///
        /// An API destination may still use it (--prune, --replace).
        #[arg(long)]
        force: bool,
        /// Carry out exactly this saved plan (`diff --out`).
        ///
        /// Nothing is done if it is stale. Give the same paths and flags as when planning.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
    },
    /// Print a saved plan (`diff --out`), reading no AWS.
    ///
    /// In the chosen output format, e.g. to post the reviewed plan from a CI artifact. Reads no
    /// AWS and no secret.
    #[command(after_help = SHOW_EXAMPLES)]
    Show {
        /// The saved plan.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Read reports that `diff --output json` wrote.
    #[command(after_help = REPORT_EXAMPLES)]
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Check that each connection gets a token and can deliver.
    ///
    /// Request a token for each declared connection as EventBridge would (the client
    /// credentials in the form body, as Salesforce documents), then ask the org, as the Run As
    /// user, whether each API destination can deliver (GET requests only): exit 0 when every
    /// check passes, 1 otherwise.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify {
        #[command(flatten)]
        paths: PathArgs,
        /// Fail on warnings too (rates past the org's allocations).
        #[arg(long)]
        strict: bool,
        /// Publish one test event through this API destination.
        ///
        /// As EventBridge would (opt-in; subscribers receive it, and it counts against the org's
        /// allocations).
        #[arg(long, value_name = "DESTINATION")]
        publish_test: Option<String>,
        /// The JSON body of the test event.
        ///
        /// Default: the required fields, with test values.
        #[arg(long, value_name = "FILE", requires = "publish_test")]
        body: Option<PathBuf>,
        /// Publish without asking (--publish-test without a terminal).
        #[arg(long, requires = "publish_test")]
        yes: bool,
        /// Let --publish-test publish to a production org.
        ///
        /// A host that is not a sandbox or scratch org.
        #[arg(long, requires = "publish_test")]
        allow_production: bool,
    },
    /// Write YAML for existing connections, to adopt them.
    ///
    /// One YAML file per existing OAuth client-credentials connection.
    #[command(
        after_help = "Example:\n  provision export --region eu-west-1 --name-prefix sf- --out connections/\n  # fill in the secret references, then:\n  provision apply connections/ --adopt"
    )]
    Export {
        /// Only connections whose names start with this.
        #[arg(long, value_name = "PREFIX")]
        name_prefix: Option<String>,
        /// The folder to write the files to.
        ///
        /// Created if missing; existing files are never overwritten.
        #[arg(long, value_name = "DIR", default_value = "exported/")]
        out: PathBuf,
    },
    /// Write the External Client Apps as Salesforce DX projects.
    ///
    /// The apps declared under `salesforce.app`, one project per org, for `sf project deploy
    /// start` (offline; never a key or secret).
    SalesforceMetadata {
        #[command(flatten)]
        paths: PathArgs,
        /// Folder to write the projects in (DIR/<org>/...).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Copy the apps' consumer keys into Secrets Manager.
    ///
    /// Read each External Client App's consumer key and secret from Salesforce (SF_ACCESS_TOKEN,
    /// SF_INSTANCE_URL) and write them into the Secrets Manager secrets `clientId` and
    /// `clientSecret` reference.
    SalesforceCredentials(PathArgs),
    /// Rotate each app's consumer credential without downtime.
    ///
    /// Each External Client App's consumer credential: stage a new one
    /// in Salesforce (SF_ACCESS_TOKEN, SF_INSTANCE_URL), carry it into the referenced secrets
    /// and every connection using them, health-gated, and make it primary; rolled back before
    /// the promotion, finished by a re-run after it. The previous credential keeps getting
    /// tokens (Salesforce keeps it as the Rotated staged entry, about 30 days) unless
    /// --revoke-previous deletes it.
    #[command(after_help = ROTATE_EXAMPLES)]
    RotateCredentials {
        #[command(flatten)]
        paths: PathArgs,
        /// Only this connection (repeatable).
        #[arg(long, value_name = "NAME", action = clap::ArgAction::Append)]
        name: Vec<String>,
        /// List the steps for each connection; change nothing.
        ///
        /// From what Salesforce and AWS show.
        #[arg(long)]
        dry_run: bool,
        /// Delete the previous credential once done (a leaked one).
        ///
        /// Once every connection using the app's secrets is AUTHORIZED on the new credential,
        /// delete the previous one (the Rotated staged entry), which revokes it at once: for a
        /// leaked secret. Without it, the previous credential stays valid about 30 days.
        #[arg(long)]
        revoke_previous: bool,
        /// The ownership set the connections belong to.
        ///
        /// Default: the project file's `set`, else `default`.
        #[arg(long, value_name = "NAME")]
        set: Option<String>,
        /// How long to wait for a connection to settle.
        ///
        /// After an update, e.g. 90s, 10m, 1h.
        #[arg(long, value_name = "DURATION", default_value = "25m", value_parser = parse_duration)]
        wait_timeout: Duration,
    },
    /// Print the least-privilege IAM policy a run needs.
    ///
    /// Give the same files, the command of `--for` and its flags (no secret is read, no
    /// EventBridge call made).
    #[command(after_help = IAM_POLICY_EXAMPLES)]
    IamPolicy {
        #[command(flatten)]
        paths: PathArgs,
        /// The command the policy is for.
        #[arg(
            long = "for",
            value_enum,
            value_name = "COMMAND",
            default_value = "apply"
        )]
        purpose: PolicyFor,
        /// The AWS account id (default: the caller's).
        ///
        /// 12 digits. Without it: the caller's account, from sts:GetCallerIdentity.
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        /// For a run with --prune.
        ///
        /// `apply --prune` deletes this set's undeclared connections and API destinations.
        #[arg(long)]
        prune: bool,
        /// For a run with --replace.
        ///
        /// `apply --replace` deletes and creates again declared connections.
        #[arg(long)]
        replace: bool,
        /// The partition of every ARN (default: the Regions').
        ///
        /// E.g. aws, aws-cn, aws-us-gov. Default: the partition of the run's Regions, which must
        /// all be in one.
        #[arg(long, value_name = "PARTITION")]
        partition: Option<String>,
        /// With --for export: the --name-prefix of the export run.
        #[arg(long, value_name = "PREFIX")]
        name_prefix: Option<String>,
        /// Also narrow the use of customer managed keys (kmsKey).
        ///
        /// With the conditions the EventBridge user guide recommends: through Secrets Manager,
        /// for the connections' managed secrets only.
        #[arg(long)]
        kms_conditions: bool,
        /// What the policy grants on: each name, or a prefix.
        ///
        /// Each declared name (names), or every name under the project's namePrefix and the
        /// secrets' common path, so adding a document needs no policy change (prefix).
        #[arg(long, value_enum, default_value_t = PolicyScope::Names)]
        scope: PolicyScope,
        /// Print the trust policy of each target's role instead.
        ///
        /// The role's trust policy letting PRINCIPAL_ARN (the IAM role, user or account root
        /// the run's credentials belong to) assume it, with the target's externalId as a
        /// condition (a placeholder naming where the value comes from, never the value). Needs
        /// `targets:` in the project file.
        #[arg(long, value_name = "PRINCIPAL_ARN")]
        trust: Option<String>,
    },
    /// List the target x Region places the documents use.
    ///
    /// Offline: from the project file's `targets:` and the documents' `targets:` and
    /// `regions:`. With --output json, a GitHub Actions matrix (`{"include": [...]}`, one job a
    /// place, at most 256); --target and --region narrow it.
    #[command(after_help = TARGETS_EXAMPLES)]
    Targets {
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Print the JSON Schema of the connection YAML.
    ///
    /// For editors and other checkers; with --output-document, the schema of a document that
    /// --output json prints.
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema {
        /// Print the project file's schema (provision.yaml) instead.
        #[arg(long, conflicts_with = "output_document")]
        project: bool,
        /// Print the schema of an --output json document instead.
        ///
        /// `plan` is what diff and show print; `error` what any command prints when it fails
        /// before it has a document of its own.
        #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::view::output_schema::DOCUMENTS))]
        output_document: Option<String>,
    },
    /// Describe a YAML key: type, limits and an example.
    ///
    /// A key of a connection document as a dotted path (`clientSecret`, `salesforce.myDomain`,
    /// `destinations.rateLimitPerSecond`), or with --project a key of provision.yaml: its
    /// description, type, whether it is required, its limits and an example. Without a key,
    /// every key as a tree.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain {
        /// The key, as a dotted path (default: list every key).
        #[arg(value_name = "KEY", value_parser = KEY_PATH, hide_possible_values = true)]
        key: Option<String>,
        /// Explain a key of the project file (provision.yaml).
        #[arg(long)]
        project: bool,
    },
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one per command to a folder.
    ///
    /// The manual page in roff; with --out, provision.1 and one page per command.
    #[command(after_help = MAN_EXAMPLES)]
    Man {
        /// Write one page per command to this folder.
        ///
        /// provision.1 and one page per subcommand (provision-diff.1, ...), instead of the one
        /// page on stdout.
        #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
        out: Option<PathBuf>,
    },
    /// Print the version, OS and architecture (offline).
    ///
    /// For a bug report: the package version and the operating system and architecture it was
    /// built for.
    #[command(after_help = VERSION_EXAMPLES)]
    Version,
}

/// `diff --fail-on`: what makes `diff` exit 3 rather than 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// A declared connection is DEAUTHORIZED or FAILED_CONNECTIVITY: events fail now.
    Unhealthy,
}

/// `iam-policy --for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PolicyFor {
    Diff,
    Apply,
    /// The roles of the declared rules (each one's policy and trust policy, each dead-letter queue's statement); without rules, one policy invoking every declared API destination.
    Rule,
    /// Reads the Secrets Manager secrets the files reference.
    Verify,
    /// Lists and describes the connections of the Regions (--region, or the default).
    Export,
    /// Writes the client id and secret references of the documents with `salesforce.app`.
    SalesforceCredentials,
    /// The role `rotate-credentials` runs as: apply's calls, and writing the referenced
    /// secrets.
    RotateCredentials,
}

/// `iam-policy --scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PolicyScope {
    /// Each declared connection, destination and secret by name: least privilege.
    Names,
    /// Every connection and destination under namePrefix, every secret under the common path.
    Prefix,
}

const IAM_POLICY_EXAMPLES: &str = "Examples:
  provision iam-policy connections/ --for diff > diff-policy.json
  provision iam-policy connections/ --for apply --prune --account 123456789012
  provision iam-policy connections/ --for rule
  provision iam-policy connections/ --for apply --scope prefix
  provision iam-policy --for export --region eu-west-1 --name-prefix sf-";

const VALIDATE_EXAMPLES: &str = "Examples:
  provision validate
  provision validate --set payments-team
  provision validate connections/acme/ connections/globex/production.yaml
  provision validate --output json";

const TARGETS_EXAMPLES: &str = "Examples:
  provision targets
  provision targets connections/ --output json
  provision targets --target prod --output json";

const DIFF_EXAMPLES: &str = "Examples:
  provision diff connections/ --profile platform-prod
  provision diff --region eu-west-1 --region us-east-1 --strict
  provision diff --output markdown >> \"$GITHUB_STEP_SUMMARY\"
  provision diff connections/ --out plan.json   # then: provision apply connections/ --plan plan.json

Exit codes: 0 in sync, 2 differences, 1 error.";

const APPLY_EXAMPLES: &str = "Examples:
  provision apply connections/ --verify-credentials
  AWS_REGION=eu-west-1 provision apply --wait-timeout 30m
  provision apply --quiet --output json > apply.json
  provision apply connections/ --plan plan.json   # exactly the saved plan, or nothing if stale

Exit codes: 0 done, 1 a connection failed or an error.";

const SHOW_EXAMPLES: &str = "Examples:
  provision show plan.json
  provision show plan.json --output markdown >> \"$GITHUB_STEP_SUMMARY\"
  # made by `provision diff connections/ --out plan.json`; then:
  provision apply connections/ --plan plan.json";

const REPORT_EXAMPLES: &str = "Examples:
  # each leg of a CI matrix: provision diff connections/ --target prod --output json > prod.json
  provision report merge prod.json staging.json
  provision report merge *.json --output markdown >> \"$GITHUB_STEP_SUMMARY\"";

const VERIFY_EXAMPLES: &str = "Examples:
  provision verify connections/
  provision verify --strict --output json
  provision verify --publish-test acme-order-events --yes

Exit codes: 0 every check passed, 1 a check failed (or warned, with --strict).";

const ROTATE_EXAMPLES: &str = "Examples:
  provision rotate-credentials connections/ --dry-run
  provision rotate-credentials --name sf-acme-prod --output json
  provision rotate-credentials --name sf-acme-prod --revoke-previous   # a leaked secret

A run after a complete rotation starts a new one: it deletes the Rotated entry first (the
previous credential), as Salesforce stages only into an empty slot; --dry-run says so. After a
rotation, turn \"Allow access to External Client App consumer secrets via REST API\" off again.

Exit codes: 0 rotated, 1 failed or rolled back (the output says what holds: Salesforce's
primary and staged slot, the secrets, the connections), 130/143 interrupted (run it again: it
finishes or rolls back from what Salesforce and AWS show).";

const SCHEMA_EXAMPLES: &str = "Examples:
  provision schema > schema/provision.schema.json
  # then, as the first line of connections/acme/production.yaml:
  # yaml-language-server: $schema=../../schema/provision.schema.json
  provision schema --project > schema/provision-project.schema.json
  provision schema --output-document plan > schema/output/plan.schema.json";

const EXPLAIN_EXAMPLES: &str = "Examples:
  provision explain
  provision explain clientSecret
  provision explain salesforce.myDomain
  provision explain destinations.rateLimitPerSecond --output json
  provision explain --project set";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  provision completions bash > ~/.local/share/bash-completion/completions/provision
  provision completions zsh > ~/.zfunc/_provision
  provision completions fish > ~/.config/fish/completions/provision.fish";

const VERSION_EXAMPLES: &str = "Examples:
  provision version
  provision version --output json";

const MAN_EXAMPLES: &str = "Examples:
  provision man > ~/.local/share/man/man1/provision.1
  provision man | man -l -
  provision man --out ~/.local/share/man/man1   # then: man provision-diff";

#[derive(Debug, Args)]
pub(crate) struct PathArgs {
    /// YAML files or folders (walked recursively).
    #[arg(value_name = "PATH", default_value = "connections/")]
    pub(crate) paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Count a client secret not verifiable as a difference.
    ///
    /// Without it, an unverifiable secret is shown but is no difference.
    #[arg(long)]
    pub(crate) strict: bool,
    /// The ownership set to work for.
    ///
    /// Its marker ends the description of every connection it creates or adopts, and only its
    /// connections are pruned (default: the project file's `set`, or `default`; --prune needs
    /// a named set).
    #[arg(long, value_name = "NAME")]
    pub(crate) set: Option<String>,
    /// Take over declared connections without this set's marker.
    ///
    /// Connections made by hand or by another tool.
    #[arg(long)]
    pub(crate) adopt: bool,
    /// Delete this set's connections that no file declares.
    ///
    /// Apply asks first; see --yes.
    #[arg(long)]
    pub(crate) prune: bool,
    /// Recreate a connection that cannot change in place.
    ///
    /// Deletes and creates again a marked connection (e.g. removing a customer managed key).
    /// Its ARN changes: API destinations must be repointed.
    #[arg(long)]
    pub(crate) replace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Text,
    Json,
    /// Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// A value as typed: any text, checked later where the message can suggest a near value, with
/// `offers` the values shell completion lists (`--region`: the known Regions, checked with the
/// files in [`crate::config`]; `explain KEY`: every key's dotted path, an unknown one answered
/// with the nearest in [`crate::commands`]).
#[derive(Debug, Clone, Copy)]
struct Offering {
    offers: fn() -> Vec<&'static str>,
}

/// `--region`.
const REGION_CODE: Offering = Offering {
    offers: || crate::manifest::regions::KNOWN_REGIONS.to_vec(),
};

/// `explain KEY`.
const KEY_PATH: Offering = Offering {
    offers: || {
        crate::manifest::explain::every_path()
            .iter()
            .map(String::as_str)
            .collect()
    },
};

impl TypedValueParser for Offering {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            (self.offers)().into_iter().map(PossibleValue::new),
        ))
    }
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// The project file (default: the nearest provision.yaml).
    ///
    /// Default: the nearest provision.yaml at or above the documents, up to the repository
    /// root. One that sets no key is refused.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Limit the run to this Region (repeatable).
    ///
    /// The first is the default for files without `regions:`. Without it: every Region the
    /// files declare, plus AWS_REGION or the profile's Region.
    #[arg(
        long,
        global = true,
        value_name = "REGION",
        action = clap::ArgAction::Append,
        value_parser = REGION_CODE,
        hide_possible_values = true
    )]
    pub(crate) region: Vec<String>,
    /// Limit the run to this project-file target (repeatable).
    ///
    /// A target is a named account of the project file's `targets:`. What the run leaves out
    /// is named in its output. Refused when the project file lists no targets.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        action = clap::ArgAction::Append,
        value_hint = ValueHint::Other
    )]
    pub(crate) target: Vec<String>,
    /// AWS named profile (default: AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME", value_hint = ValueHint::Other)]
    pub(crate) profile: Option<String>,
    /// AWS endpoint URL (default: AWS_ENDPOINT_URL).
    ///
    /// E.g. a local emulator.
    #[arg(long, global = true, value_name = "URL", value_hint = ValueHint::Url)]
    pub(crate) endpoint_url: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value = "text")]
    pub(crate) output: OutputFormat,
    /// The longest Markdown document, in characters.
    ///
    /// Of diff, show, apply and verify: counts and failures are kept, other entries cut with a
    /// note (GitHub takes at most 65,536 in a
    /// comment; the default leaves room for a workflow's own lines). `--output json` is whole.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = crate::view::DEFAULT_MAX_CHARS,
        value_parser = max_chars
    )]
    pub(crate) max_chars: usize,
    /// When to colour text output.
    ///
    /// `auto`: on a terminal, unless NO_COLOR is set, CLICOLOR=0 or TERM=dumb (CLICOLOR_FORCE
    /// colours even a pipe).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub(crate) color: ColorWhen,
    /// How many connections to work on at once.
    #[arg(long, global = true, default_value = "8", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,
    /// Longest wait to connect to an AWS endpoint.
    #[arg(long, global = true, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub(crate) connect_timeout: Duration,
    /// Longest wait for one attempt of an AWS call.
    ///
    /// It is then retried.
    #[arg(long, global = true, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub(crate) attempt_timeout: Duration,
    /// Longest wait for one AWS call, retries included.
    ///
    /// It then fails that connection, or the listing.
    #[arg(long, global = true, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub(crate) call_timeout: Duration,
    /// More detail on stderr (-vv: each AWS call and retry).
    ///
    /// -vv shows each AWS call and retry with the operation, attempt, reason and delay.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Print errors only (text output).
    ///
    /// No plan, no results, no progress in text output. JSON and Markdown still print their
    /// document; exit codes are unchanged.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
}

/// `--max-chars`: at least 1,000, so the counts and the note always fit.
fn max_chars(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1_000 => Ok(n),
        Ok(_) => Err(format!(
            "`{text}` is too short for the counts and the note; give at least 1000"
        )),
        Err(_) => Err(format!(
            "`{text}` is not a number of characters, e.g. 60000"
        )),
    }
}

/// A duration flag: `90` (seconds), `90s`, `10m`, `1h`, `1h30m`, `500ms` (humantime's syntax),
/// from 1 ms to 24 h.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let parsed = if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        trimmed
            .parse::<u64>()
            .ok()
            .filter(|seconds| *seconds <= MAX_DURATION.as_secs())
            .map(Duration::from_secs)
            .ok_or(())
    } else {
        humantime::parse_duration(trimmed).map_err(|_| ())
    };
    match parsed {
        Ok(duration) if duration.is_zero() => {
            Err(format!("`{trimmed}` is no time at all; give at least 1ms"))
        }
        Ok(duration) if duration <= MAX_DURATION => Ok(duration),
        Ok(_) => Err(format!(
            "`{trimmed}` is longer than 24h, the longest allowed"
        )),
        Err(()) if trimmed.bytes().all(|b| b.is_ascii_digit()) && !trimmed.is_empty() => Err(
            format!("`{trimmed}` is longer than 24h, the longest allowed"),
        ),
        Err(()) => Err(format!(
            "`{trimmed}` is not a duration; write e.g. 90s, 10m, 1h or 1h30m"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn durations_are_bounded_at_parse_time() {
        assert_eq!(parse_duration("24h"), Ok(MAX_DURATION));
        for too_long in [
            "25h",
            "5d",
            "86401",
            "18446744073709551615",
            "99999999999999999999999s",
            "584942417355y",
        ] {
            let error = parse_duration(too_long).expect_err(too_long);
            assert!(
                error.contains("longer than 24h") || error.contains("not a duration"),
                "{too_long}: {error}"
            );
        }
    }

    /// `provision -h` and `provision SUB -h` show one line per command and flag: at most
    /// [`ONE_LINER`] characters each; the detail is in `--help`.
    #[test]
    fn every_short_help_is_one_line_of_at_most_60_characters() {
        use clap::CommandFactory;
        const ONE_LINER: usize = 60;
        let mut command = Cli::command();
        command.build();
        let mut too_long = Vec::new();
        let mut walk = vec![command];
        while let Some(command) = walk.pop() {
            let name = command.get_name().to_string();
            let mut lines = vec![(name.clone(), command.get_about().map(|a| a.to_string()))];
            lines.extend(command.get_arguments().map(|arg| {
                (
                    format!("{name} {}", arg.get_id()),
                    arg.get_help().map(|h| h.to_string()),
                )
            }));
            for (what, help) in lines {
                let help = help.unwrap_or_else(|| panic!("{what} has no short help"));
                if help.chars().count() > ONE_LINER || help.contains('\n') {
                    too_long.push(format!("{what} ({}): {help}", help.chars().count()));
                }
            }
            walk.extend(command.get_subcommands().cloned());
        }
        assert!(too_long.is_empty(), "{}", too_long.join("\n"));
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
