//! The one user-facing error type.
//!
//! Every message a user sees names where the problem is (file, line, column, field), what is
//! wrong, and how to fix it. Bad input is collected into a list of [`Problem`]s so a run reports
//! all of them at once. Nothing in here ever holds a secret value: messages are built from
//! field names, file paths and AWS error texts, never from resolved secrets. An error made from
//! another one (an SDK error, a reqwest error) keeps it as its source, a [`Cause`], which
//! prints no more than its own redacted message. What a message quotes from AWS, Salesforce
//! or the YAML is held as [`Outside`] text, so it is shown escaped on every line.

use crate::outside::Outside;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where in the user's files a problem is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Location {
    pub(crate) file: PathBuf,
    /// 1-based line, when known.
    pub(crate) line: Option<usize>,
    /// 1-based column, when known.
    pub(crate) column: Option<usize>,
}

impl Location {
    pub(crate) fn file(file: &Path) -> Self {
        Location {
            file: file.to_path_buf(),
            line: None,
            column: None,
        }
    }

    pub(crate) fn at(file: &Path, line: usize, column: usize) -> Self {
        Location {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
        }
    }
}

/// The path as the file system named it, escaped like any text from outside.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display().to_string();
        f.write_str(&crate::outside::escape(&file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// One thing wrong with the input, with the way to fix it. The field path, the message and
/// the help may quote the YAML (a key, a value), so they are [`Outside`] text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) location: Option<Location>,
    /// The field path inside the document, e.g. `invocation.headers.X-Token`.
    pub(crate) field: Option<Outside>,
    pub(crate) message: Outside,
    pub(crate) help: Option<Outside>,
}

impl Problem {
    pub(crate) fn new(message: impl Into<Outside>) -> Self {
        Problem {
            location: None,
            field: None,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub(crate) fn field(mut self, field: impl Into<Outside>) -> Self {
        let field = field.into();
        self.field = if field.is_empty() { None } else { Some(field) };
        self
    }

    pub(crate) fn help(mut self, help: impl Into<Outside>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The first line of the message: location, field and what is wrong.
    pub(crate) fn headline(&self) -> String {
        let mut out = String::new();
        if let Some(location) = &self.location {
            out.push_str(&format!("{location}: "));
        }
        if let Some(field) = &self.field {
            out.push_str(&format!("{field}: "));
        }
        out.push_str(&self.message.to_string());
        out
    }
}

/// A problem as JSON output carries it: each part on its own (`file`, `line`, `column`,
/// `field`, `message`, `help`), so a pipeline can point at the line.
impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let location = self.location.as_ref();
        let mut out = serializer.serialize_struct("Problem", 6)?;
        out.serialize_field("file", &location.map(|l| l.file.display().to_string()))?;
        out.serialize_field("line", &location.and_then(|l| l.line))?;
        out.serialize_field("column", &location.and_then(|l| l.column))?;
        out.serialize_field("field", &self.field)?;
        out.serialize_field("message", &self.message)?;
        out.serialize_field("help", &self.help)?;
        out.end()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can end a run with exit code 1.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The YAML, the paths or the flags are wrong; nothing was sent to AWS.
    #[error("{}", render_problems(.0))]
    Input(Vec<Problem>),

    /// The AWS configuration could not be built or a call outside any one connection failed.
    #[error("{}", self.with_help())]
    Aws {
        context: String,
        /// The call's error, which quotes AWS.
        message: Outside,
        help: Option<String>,
        /// The failed call ([`Error::aws`]).
        #[source]
        source: Option<Cause>,
    },

    /// A Salesforce call outside any one connection failed (the access token, a permission).
    #[error("{}", self.with_help())]
    Salesforce {
        context: String,
        /// The failure, which quotes Salesforce.
        message: Outside,
        help: Option<String>,
        /// The failure ([`Error::salesforce`]).
        #[source]
        source: Option<Cause>,
    },

    /// Some connections failed; each failure was already reported with its connection.
    #[error("{failed} of {total} connections failed")]
    ConnectionsFailed { failed: usize, total: usize },

    /// Resources of several kinds failed, counted by kind ("1 of 3 connections and 1 of 2 API
    /// destinations"); each failure was already reported with its resource.
    #[error("{failed} failed{}", if left_deleted.is_empty() { String::new() } else { format!("; left deleted, not yet created again: {} (run provision apply again to create them)", left_deleted.join(", ")) })]
    ResourcesFailed {
        failed: String,
        /// Connections a replace deleted and could not create again, as `name (region)`.
        left_deleted: Vec<String>,
    },

    /// `verify` checks failed (or, with `--strict`, warned); each was already reported.
    #[error("{failed} of {total} checks failed{}", if *.warned > 0 { format!(", {warned} warned (--strict)", warned = .warned) } else { String::new() })]
    ChecksFailed {
        failed: usize,
        warned: usize,
        total: usize,
    },

    /// SIGINT or SIGTERM stopped the run; what was done is already reported.
    #[error("interrupted by {}: {done}; run the same command again to finish", signal.name())]
    Interrupted {
        signal: crate::signal::Signal,
        done: String,
    },

    /// `apply --plan`: the saved plan is no longer what AWS and the files say; nothing was
    /// written.
    #[error("{}", self.with_help())]
    StalePlan {
        file: String,
        differences: Vec<String>,
    },

    /// Writing the output failed (a closed pipe, a full disk).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

fn render_problems(problems: &[Problem]) -> String {
    let mut out = problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > 1 {
        out.push_str(&format!(
            "\n{} problems found; nothing was sent to AWS",
            problems.len()
        ));
    }
    out
}

impl Error {
    /// What went wrong, apart from how to fix it: JSON output keeps the two in fields of their
    /// own, text shows the help on a line of its own ([`Error::with_help`]). Invalid input is
    /// "invalid input": each of its problems carries its own message and help.
    pub(crate) fn message_and_help(&self) -> (String, Option<String>) {
        match self {
            Error::Input(_) => ("invalid input".to_string(), None),
            Error::Aws {
                context,
                message,
                help,
                ..
            }
            | Error::Salesforce {
                context,
                message,
                help,
                ..
            } => (format!("{context}: {message}"), help.clone()),
            Error::StalePlan { file, differences } => (
                format!(
                    "the saved plan {file} is stale, so nothing was changed:{}",
                    differences
                        .iter()
                        .map(|d| format!("\n  - {d}"))
                        .collect::<String>()
                ),
                Some(format!(
                    "plan again (`provision diff --out {file}`), review the new plan, then apply it"
                )),
            ),
            other => (other.to_string(), None),
        }
    }

    /// The message, and the help on a line of its own (`\n  help: ...`), as text shows them.
    fn with_help(&self) -> String {
        match self.message_and_help() {
            (message, Some(help)) => format!("{message}\n  help: {help}"),
            (message, None) => message,
        }
    }

    /// Bad input that is one problem.
    pub(crate) fn input(problem: Problem) -> Self {
        Error::Input(vec![problem])
    }

    /// A failed AWS call outside any one connection: what the run was doing (`context`), the
    /// call's error (its message is shown; it is kept as the source) and the fix.
    pub(crate) fn aws(
        context: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
        help: impl Into<String>,
    ) -> Self {
        Error::Aws {
            context: context.into(),
            message: error.to_string().into(),
            help: Some(help.into()),
            source: Some(Cause::new(error)),
        }
    }

    /// A Salesforce failure that ends the run, at the org `host`: its message is shown, and it
    /// is kept as the source.
    pub(crate) fn salesforce(
        host: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
        help: Option<String>,
    ) -> Self {
        Error::Salesforce {
            context: host.into(),
            message: error.to_string().into(),
            help,
            source: Some(Cause::new(error)),
        }
    }
}

/// The error a failure was made from (an SDK error, a reqwest error, an io error), kept as its
/// [`source`](std::error::Error::source) for whoever walks the chain, while the message users
/// read is the one provision built from it. Shared, so the errors that carry it stay `Clone`;
/// two are equal when they say the same.
///
/// It never prints more than its own message, redacted: an SDK error's `Debug` shows the raw
/// answer, which may echo the request and so a secret. The errors further down the chain are
/// the underlying error's own; nothing that writes output walks the chain (every output is a
/// `Display`, redacted again when written).
#[derive(Clone)]
pub(crate) struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(error))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::secret::redact(&self.0.to_string()))
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Cause").field(&self.to_string()).finish()
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// An SDK-like error: a terse `Display`, and a `Debug` that shows the raw answer.
    struct Raw;

    impl fmt::Display for Raw {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("service error")
        }
    }

    impl fmt::Debug for Raw {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Response { body: \"client_secret=raw-answer-echo\" }")
        }
    }

    impl std::error::Error for Raw {}

    #[derive(Debug, thiserror::Error)]
    #[error("AccessDeniedException: not allowed")]
    struct Call(#[source] Cause);

    #[test]
    fn an_error_keeps_its_source_and_shows_only_its_own_message() {
        let error = Error::aws("cannot list", Call(Cause::new(Raw)), "allow it");
        assert_eq!(
            error.to_string(),
            "cannot list: AccessDeniedException: not allowed\n  help: allow it"
        );
        let call = error.source().unwrap();
        assert_eq!(call.to_string(), "AccessDeniedException: not allowed");
        assert_eq!(call.source().unwrap().to_string(), "service error");
        assert!(
            !format!("{error:?}").contains("raw-answer-echo"),
            "{error:?}"
        );
    }

    /// A file's name is the file system's text: a line break in it cannot start a line.
    #[test]
    fn a_problem_shows_its_file_field_message_and_help_escaped() {
        let problem = Problem::new("myDomain `a\r\n::error::x` is wrong")
            .at(Location::at(Path::new("x\n::add-mask::y.yaml"), 3, 1))
            .field("invocation.headers.\"X\u{1b}[2J\"")
            .help("write `b\n::stop-commands::t`");
        assert_eq!(
            problem.to_string(),
            "x\\n::add-mask::y.yaml:3:1: invocation.headers.\"X\\u001b[2J\": myDomain `a\\r\\n::error::x` is wrong\n  help: write `b\\n::stop-commands::t`"
        );
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["message"], "myDomain `a\r\n::error::x` is wrong");
    }

    #[test]
    fn a_cause_prints_its_message_redacted() {
        let secret = crate::secret::Secret::new("cause-secret-4f1c9a");
        let cause = Cause::new(std::io::Error::other(format!(
            "the endpoint echoed {}",
            secret.expose()
        )));
        assert!(!cause.to_string().contains(secret.expose()), "{cause}");
        assert!(!format!("{cause:?}").contains(secret.expose()), "{cause:?}");
        let salesforce = Error::salesforce("acme.my.salesforce.com", cause, None);
        assert!(salesforce.source().is_some());
    }
}
