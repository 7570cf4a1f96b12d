//! `{ file: path }`: a secret read from a file, relative to the YAML file's folder (a trailing
//! newline is ignored). Needs no IAM permission.

use super::{Address, Fetched, Reading, Refused, SecretSource, Source, Unread, Written};
use crate::bounds::SECRET_FILE_BYTES;
use crate::key::Key;
use crate::local_files::{self, ReadError};
use crate::secret::Secret;
use futures::future::BoxFuture;

pub(crate) const SOURCE: Source = Source {
    key: Key {
        name: "file",
        required: false,
        description: "A file holding the value, relative to this YAML file (a trailing newline is ignored).",
        example: "secrets/acme-client-secret",
    },
    options: &[],
    example: "{ file: path/to/file }",
    schema: || serde_json::json!({ "type": crate::key::TEXT, "pattern": "\\S" }),
    parse,
    describe: |source| match source {
        SecretSource::File { written, .. } => format!("file {written}"),
        _ => unreachable!("file describes file references"),
    },
    address: |source, _| match source {
        SecretSource::File { path, .. } => Address::File {
            path: path.display().to_string(),
        },
        _ => unreachable!("file addresses file references"),
    },
    read,
    grants: |_, _| Vec::new(),
    policy_note: None,
};

fn parse(written: Written<'_>) -> Result<SecretSource, Refused> {
    Ok(SecretSource::File {
        path: written.folder.join(&written.text),
        written: written.text,
    })
}

fn read<'a>(_: Reading<'a>, source: &'a SecretSource) -> BoxFuture<'a, Result<Fetched, Unread>> {
    let SecretSource::File { written, path } = source else {
        unreachable!("file reads file references")
    };
    let value = match local_files::read(path, SECRET_FILE_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Secret::new(text.trim_end_matches(['\n', '\r']))),
            Err(_) => Err(Unread::new(
                format!("file {written} is not UTF-8 text"),
                "store the secret as text",
            )),
        },
        Err(ReadError::Io(error)) => Err(unreadable(written, path, &error)),
        Err(refused) => Err(Unread::new(
            format!("file {written} cannot be read: {}", refused.describe()),
            "point `file` at a readable regular file holding only the secret",
        )),
    };
    Box::pin(std::future::ready(value.map(Fetched::unversioned)))
}

/// Why a secret file could not be read. Names the file as written and as looked for.
pub(crate) fn unreadable(written: &str, path: &std::path::Path, error: &std::io::Error) -> Unread {
    match error.kind() {
        std::io::ErrorKind::NotFound => Unread::new(
            format!(
                "file {written} does not exist (looked for {})",
                path.display()
            ),
            "create it, or fix the path (it is relative to this YAML file's folder)",
        ),
        std::io::ErrorKind::PermissionDenied => Unread::new(
            format!("file {written} is not readable (permission denied)"),
            "make it readable by the user running provision",
        ),
        _ => Unread::new(
            format!("file {written} cannot be read: {error}"),
            "point `file` at a readable regular file holding only the secret",
        ),
    }
}
