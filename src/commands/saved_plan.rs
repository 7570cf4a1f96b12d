//! What `diff --out` and `apply --plan` share: the saved-plan document of a run's plan, made
//! from the run's places (account and Region), files and secrets (see [`crate::plan::saved`]).

use super::context::Run;
use crate::error::Error;
use crate::manifest::ConnectionSpec;
use crate::manifest::ValueSource;
use crate::parameters::Block;
use crate::plan::Plan;
use crate::plan::connection::PlanOptions;
use crate::plan::saved::fingerprint::Kdf;
use crate::plan::saved::{DeclaredSecrets, Inputs, SavedPlan, file_digests};

/// The document of `plan`, fingerprinting with `kdf` (a fresh salt for a new plan, the saved
/// one to compare with a saved plan).
pub(super) async fn document(
    run: &Run<'_>,
    specs: &[ConnectionSpec],
    plan: &Plan,
    options: &PlanOptions,
    kdf: Kdf,
) -> Result<SavedPlan, Error> {
    let mut files: Vec<std::path::PathBuf> =
        specs.iter().map(|spec| spec.origin.file.clone()).collect();
    files.sort();
    files.dedup();
    let declared_secrets = declared_secrets(specs);
    let inputs = Inputs {
        options,
        files: file_digests(&files)?,
        secrets: run.session.resolver().read(),
        declared_secrets: &declared_secrets,
        kdf,
    };
    // Argon2id is deliberately slow: the other tasks may go on meanwhile.
    tokio::task::block_in_place(|| SavedPlan::new(plan, inputs)).map_err(|message| {
        Error::input(
            crate::error::Problem::new(format!("cannot make the saved plan: {message}"))
                .help("nothing was written; run again, and report it if it persists"),
        )
    })
}

/// Every parameter a document declares with a secret reference, by connection and field.
fn declared_secrets(specs: &[ConnectionSpec]) -> DeclaredSecrets {
    let mut declared = DeclaredSecrets::new();
    for spec in specs {
        for (block, lists) in [
            (Block::OAuth, &spec.oauth),
            (Block::Invocation, &spec.invocation),
        ] {
            for (list, parameters) in lists.lists() {
                for parameter in parameters {
                    if matches!(parameter.value, ValueSource::Reference(_)) {
                        declared.insert((spec.name.clone(), block.field(list, &parameter.key)));
                    }
                }
            }
        }
    }
    declared
}
