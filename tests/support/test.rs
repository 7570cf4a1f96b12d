//! One run of the binary with everything it must do pinned together: the exit status, stdout
//! and stderr are checked at once, and any mismatch shows all three (the habit of just's
//! `Test` builder, and of uv's snapshots that hold status, stdout and stderr in one text).
//!
//! ```ignore
//! let plan: PlanDocument = world
//!     .test(&["diff", "connections/", "--output", "json"])
//!     .status(2)
//!     .stdout_json();
//! ```
//!
//! Unless a test says otherwise, a run must exit 0 and print nothing on stderr; `run` also
//! wants nothing on stdout unless `stdout` or `stdout_contains` says what. The secret check of
//! [`World::provision`] applies to every run.

use super::{Run, World};
use serde::de::DeserializeOwned;
use std::process::Command;

impl World {
    /// A run of the binary in this world with `args`, checked when it ends (`run`,
    /// `stdout_json`, `stdout_text`).
    pub fn test(&self, args: &[&str]) -> Test<'_> {
        Test {
            world: self,
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            status: 0,
            stdout: Expected::Unset,
            stderr: Expected::Unset,
        }
    }
}

#[must_use = "a Test checks nothing until it runs"]
pub struct Test<'w> {
    world: &'w World,
    args: Vec<String>,
    env: Vec<(String, String)>,
    status: i32,
    stdout: Expected,
    stderr: Expected,
}

/// What one stream must hold.
enum Expected {
    /// Nothing was said: empty, unless the stream is returned to the test.
    Unset,
    Exact(String),
    /// Each of these, anywhere.
    Contains(Vec<String>),
}

impl Expected {
    fn exact(self, text: &str) -> Self {
        match self {
            Expected::Unset => Expected::Exact(text.to_string()),
            _ => panic!("a stream is pinned once: exactly, or by what it contains"),
        }
    }

    fn contains(self, part: &str) -> Self {
        match self {
            Expected::Unset => Expected::Contains(vec![part.to_string()]),
            Expected::Contains(mut parts) => {
                parts.push(part.to_string());
                Expected::Contains(parts)
            }
            Expected::Exact(_) => {
                panic!("a stream is pinned once: exactly, or by what it contains")
            }
        }
    }

    /// What is wrong with `actual`, if anything (`Unset` reads as empty).
    fn mismatch(&self, actual: &str) -> Option<String> {
        match self {
            Expected::Unset if actual.is_empty() => None,
            Expected::Unset => Some("is not empty".to_string()),
            Expected::Exact(expected) if expected == actual => None,
            Expected::Exact(expected) => Some(format!("differs; expected:\n{expected}")),
            Expected::Contains(parts) => {
                let missing: Vec<&String> = parts
                    .iter()
                    .filter(|p| !actual.contains(p.as_str()))
                    .collect();
                (!missing.is_empty()).then(|| format!("lacks {missing:?}"))
            }
        }
    }
}

impl Test<'_> {
    /// An environment variable for this run only.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// The exit status (0 unless said).
    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    /// stdout, exactly.
    pub fn stdout(mut self, text: &str) -> Self {
        self.stdout = self.stdout.exact(text);
        self
    }

    /// A piece stdout must hold (may be given several times).
    pub fn stdout_contains(mut self, part: &str) -> Self {
        self.stdout = self.stdout.contains(part);
        self
    }

    /// stderr, exactly (empty unless said).
    pub fn stderr(mut self, text: &str) -> Self {
        self.stderr = self.stderr.exact(text);
        self
    }

    /// A piece stderr must hold (may be given several times).
    pub fn stderr_contains(mut self, part: &str) -> Self {
        self.stderr = self.stderr.contains(part);
        self
    }

    /// Runs it and checks the status, stdout and stderr; returns the run.
    #[track_caller]
    pub fn run(self) -> Run {
        let run = self.execute();
        self.check(&run, self.stdout.mismatch(&run.stdout));
        run
    }

    /// Runs it, checks the status and stderr (and stdout's pieces, if given), and returns
    /// stdout parsed as `T`: a document that does not match its published schema
    /// ([`super::output_schema`]), or does not have `T`'s shape, fails the test.
    #[track_caller]
    pub fn stdout_json<T: DeserializeOwned>(self) -> T {
        let run = self.execute();
        let parsed = super::output_schema::check_text(&run.stdout).and_then(|()| {
            serde_json::from_str::<T>(&run.stdout).map_err(|error| {
                format!("is not a {} document: {error}", std::any::type_name::<T>())
            })
        });
        let stdout = match &parsed {
            Err(why) => Some(why.clone()),
            Ok(_) => self.stdout_pieces(&run),
        };
        self.check(&run, stdout);
        parsed.unwrap()
    }

    /// Runs it, checks the status and stderr (and stdout's pieces, if given), and returns
    /// stdout for the test to pin (a snapshot).
    #[track_caller]
    pub fn stdout_text(self) -> String {
        let run = self.execute();
        self.check(&run, self.stdout_pieces(&run));
        run.stdout
    }

    /// Runs it and returns status, stdout and stderr in one text, for a snapshot that pins
    /// all three (nothing else may be said of the run).
    #[track_caller]
    pub fn transcript(self) -> String {
        assert!(
            self.status == 0
                && matches!(self.stdout, Expected::Unset)
                && matches!(self.stderr, Expected::Unset),
            "a transcript is the whole expectation: say nothing else of the run"
        );
        let run = self.execute();
        format!(
            "exit status: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            run.code, run.stdout, run.stderr
        )
    }

    /// stdout's pieces, when the test gave some (the document or snapshot pins the rest).
    fn stdout_pieces(&self, run: &Run) -> Option<String> {
        match self.stdout {
            Expected::Unset => None,
            _ => self.stdout.mismatch(&run.stdout),
        }
    }

    fn execute(&self) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(&self.args);
        self.world.prepare(&mut command);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        self.world.output(command)
    }

    /// Fails with every stream of the run when anything is not as pinned.
    #[track_caller]
    fn check(&self, run: &Run, stdout: Option<String>) {
        let mut wrong = Vec::new();
        if run.code != self.status {
            wrong.push(format!(
                "exit status {}, expected {}",
                run.code, self.status
            ));
        }
        if let Some(why) = stdout {
            wrong.push(format!("stdout {why}"));
        }
        if let Some(why) = self.stderr.mismatch(&run.stderr) {
            wrong.push(format!("stderr {why}"));
        }
        if !wrong.is_empty() {
            panic!(
                "provision {}:\n{}\n----- exit status: {}\n----- stdout -----\n{}----- stderr -----\n{}",
                self.args.join(" "),
                wrong.join("\n"),
                run.code,
                run.stdout,
                run.stderr
            );
        }
    }
}
