//! `{ env: NAME }`: a secret read from an environment variable (CI maps it from its own
//! secret store). Needs no IAM permission.

use super::{Address, Fetched, Reading, Refused, SecretSource, Source, Unread, Written};
use crate::key::Key;
use crate::secret::Secret;
use futures::future::BoxFuture;

pub(crate) const SOURCE: Source = Source {
    key: Key {
        name: "env",
        required: false,
        description: "The name of an environment variable holding the value (a reference takes exactly one source).",
        example: "SF_CLIENT_SECRET",
    },
    options: &[],
    example: "{ env: NAME }",
    schema: || {
        serde_json::json!({
            "type": crate::key::TEXT,
            "pattern": "^[^=\\s\\u0000]+$",
        })
    },
    parse,
    describe: |source| match source {
        SecretSource::Env(name) => format!("environment variable {name}"),
        _ => unreachable!("env describes env references"),
    },
    address: |source, _| match source {
        SecretSource::Env(name) => Address::Env { name: name.clone() },
        _ => unreachable!("env addresses env references"),
    },
    read,
    grants: |_, _| Vec::new(),
    policy_note: None,
};

fn parse(written: Written<'_>) -> Result<SecretSource, Refused> {
    let text = written.text;
    if text.contains('=') || text.contains('\0') || text.chars().any(char::is_whitespace) {
        return Err(Refused {
            message: format!("`{text}` is not an environment variable name"),
            help: "give the variable's name, e.g. `ACME_PROD_CONSUMER_SECRET`, never its value"
                .to_string(),
        });
    }
    Ok(SecretSource::Env(text))
}

fn read<'a>(_: Reading<'a>, source: &'a SecretSource) -> BoxFuture<'a, Result<Fetched, Unread>> {
    let SecretSource::Env(name) = source else {
        unreachable!("env reads env references")
    };
    let value = match std::env::var(name) {
        Ok(value) => Ok(Secret::new(value)),
        Err(std::env::VarError::NotPresent) => Err(Unread::new(
            format!("environment variable {name} is not set"),
            format!(
                "export {name} before running provision (in CI, map it from the CI secret store)"
            ),
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(Unread::new(
            format!("environment variable {name} is not valid UTF-8"),
            "set it to text",
        )),
    };
    Box::pin(std::future::ready(value.map(Fetched::unversioned)))
}
