//! `iam-policy --scope`: whether a policy names each declared resource (`names`, least
//! privilege) or every resource under the project's `namePrefix` and the referenced secrets'
//! common path (`prefix`), so that a document added under them needs no policy change.
//!
//! What `prefix` grants in each Region of the run, instead of the declared names:
//! - `connection/<prefix>*`, which covers both forms IAM authorizes connection actions on
//!   (`connection/<name>` and the connection's ARN, `connection/<name>/<uuid>`), and
//!   `api-destination/<prefix>*` likewise;
//! - the connections' managed secrets, `secret:events!connection/<prefix>*`;
//! - the Secrets Manager secrets referenced by name: `secret:<path>*-??????`, where `<path>` is
//!   the longest common prefix of their names that ends at a `/`, and `-??????` the six
//!   characters Secrets Manager appends to every secret's ARN (the same rule as a single name);
//! - the SSM parameters referenced by name: `parameter/<path>*`, their common path likewise.
//!
//! References written as ARNs stay as written. When the names share no path, the policy names
//! each one, as `names` does, and says so beside it: it never grants every secret.

use super::names::references;
use crate::manifest::{ConnectionSpec, SecretSource};

/// `--scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Scope {
    /// Each declared resource by its name.
    #[default]
    Names,
    /// Every resource under the project's `namePrefix` and the secrets' common path.
    Prefix,
}

/// What a `prefix` policy grants instead of the declared names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Widened {
    /// The project's `namePrefix`: every connection and destination name starts with it.
    pub(super) prefix: String,
    /// The common path of the Secrets Manager names referenced (`None`: they share none, or
    /// there are none).
    pub(super) secrets: Option<String>,
    /// The common path of the SSM parameter names referenced, without the leading `/`.
    pub(super) parameters: Option<String>,
    /// What the policy could not widen, said beside it.
    pub(super) notes: Vec<String>,
}

impl Widened {
    pub(super) fn new(prefix: &str, wanted: &[(String, Vec<&ConnectionSpec>)]) -> Self {
        let mut secrets = Vec::new();
        let mut parameters = Vec::new();
        for spec in wanted.iter().flat_map(|(_, specs)| specs) {
            for reference in references(spec) {
                match &reference.source {
                    SecretSource::SecretsManager { id, .. } if !id.starts_with("arn:") => {
                        secrets.push(id.as_str());
                    }
                    SecretSource::Ssm(name) if !name.starts_with("arn:") => {
                        parameters.push(name.trim_start_matches('/'));
                    }
                    _ => {}
                }
            }
        }
        let mut notes = Vec::new();
        let mut path_of = |names: &[&str], what: &str, example: &str| {
            let path = common_path(names.iter().copied());
            if path.is_none() && !names.is_empty() {
                notes.push(format!(
                    "the referenced {what} names share no path (no common prefix ending in `/`), so the policy names each one as --scope names does; keep them under one path (e.g. `{example}`) to grant the path instead"
                ));
            }
            path
        };
        Widened {
            prefix: prefix.to_string(),
            secrets: path_of(
                &secrets,
                "Secrets Manager secret",
                "salesforce/<org>/client-secret",
            ),
            parameters: path_of(&parameters, "SSM parameter", "/salesforce/<org>/token"),
            notes,
        }
    }

    /// What reading a referenced secret needs under `prefix`, in `region`: its common path, or
    /// `None` when it is named as `names` would (an ARN, or names without a common path).
    pub(super) fn reference(
        &self,
        source: &SecretSource,
        partition: &str,
        region: &str,
        account: &str,
    ) -> Option<String> {
        match source {
            SecretSource::SecretsManager { id, .. } => self.secret(id, partition, region, account),
            SecretSource::Ssm(name) if !name.starts_with("arn:") => {
                let path = self.parameters.as_ref()?;
                Some(format!(
                    "arn:{partition}:ssm:{region}:{account}:parameter/{path}*"
                ))
            }
            _ => None,
        }
    }

    /// A Secrets Manager secret id under `prefix`, as [`Widened::reference`] says.
    pub(super) fn secret(
        &self,
        id: &str,
        partition: &str,
        region: &str,
        account: &str,
    ) -> Option<String> {
        if id.starts_with("arn:") {
            return None;
        }
        let path = self.secrets.as_ref()?;
        Some(format!(
            "arn:{partition}:secretsmanager:{region}:{account}:secret:{path}*-??????"
        ))
    }
}

/// The longest prefix every name shares that ends at a `/` (`salesforce/acme/id` and
/// `salesforce/globex/id`: `salesforce/`); `None` when there is none, or no name.
fn common_path<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<String> {
    let first = names.next()?;
    let mut shared = first.len();
    for name in names {
        shared = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((index, a), b)| *index < shared && a == b)
            .map(|((index, a), _)| index + a.len_utf8())
            .last()
            .unwrap_or(0);
    }
    let end = first[..shared].rfind('/')?;
    Some(first[..=end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_path_ends_at_a_slash() {
        let path = |names: &[&str]| common_path(names.iter().copied());
        assert_eq!(
            path(&["salesforce/acme/id", "salesforce/globex/secret"]),
            Some("salesforce/".into())
        );
        assert_eq!(
            path(&["salesforce/acme/id", "salesforce/acme/secret"]),
            Some("salesforce/acme/".into())
        );
        // A shared start that is not a whole segment is cut back to the last `/`.
        assert_eq!(
            path(&["sf/acme-prod/id", "sf/acme-dev/id"]),
            Some("sf/".into())
        );
        assert_eq!(path(&["salesforce/acme"]), Some("salesforce/".into()));
        assert_eq!(path(&["acme", "acme"]), None);
        assert_eq!(path(&["a/x", "b/x"]), None);
        assert_eq!(path(&[]), None);
    }
}
