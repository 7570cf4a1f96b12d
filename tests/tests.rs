//! The integration tests, in one binary: the built `provision` as users run it.
//!
//! - `against_emulator`: the binary against the local emulator (moto, patched to behave like
//!   recorded AWS); each test starts its own emulator, so no state is shared between tests.
//! - `invalid_input`: the corpus of invalid inputs under `tests/invalid/`, each message pinned.
//! - `no_aws_calls`: bad input stops every command before any request reaches AWS.
//! - `report_merge`: `report merge` refuses what is not a diff report, names a failed leg, escapes.
//! - `extreme_inputs`: no flag or environment value makes a run panic.
//! - `salesforce_metadata`: the External Client App source trees, pinned byte for byte.
//! - `schema`: `provision schema` against an independent JSON Schema validator.
//! - `cli_docs`: help examples, version, shell completions and the man page.
//! - `explain`: `provision explain KEY`, each key's description, type, limits and example.
//! - `demo`: `scripts/demo.sh` on an already-built binary (`PROVISION`).
//! - `docs`: the README's size, the links between the documents, their voice.
//! - `verbose_calls`: `-vv` shows each AWS call and retry against failing loopback endpoints.
//! - `workflows`: the example workflow, the release workflow and the setup action, as data.
//! - `setup_action`: the setup action's scripts run on hostile inputs and a local release.
//! - `target_policies`: `iam-policy` per target and `--trust`, judged by the IAM reference.
//! - `targets_matrix`: `provision targets`, its matrix judged by GitHub's documented shape.
//! - `time_limits`: the limits given hold, and a run that gets no answer says why.
//! - `tls_stack`: one HTTP/TLS stack and one crypto provider in the build; the SDK speaks TLS.
//! - `untrusted_answers`: remote answers are read within bounds, and a bound hit is named.
//!
//! Engine tests against mocked AWS clients live inside the crate (`src/tests/`).

mod against_emulator;
mod cli_docs;
mod demo;
mod docs;
mod explain;
mod extreme_inputs;
mod invalid_input;
mod no_aws_calls;
mod report_merge;
mod salesforce_metadata;
mod schema;
mod setup_action;
mod support;
mod target_policies;
mod targets_matrix;
mod time_limits;
mod tls_stack;
mod untrusted_answers;
mod verbose_calls;
mod workflows;
