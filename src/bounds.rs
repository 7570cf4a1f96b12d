//! How much of a remote answer `provision` reads: one place for every bound.
//!
//! Remote answers are untrusted: a hostile or broken endpoint (a wrong `SF_INSTANCE_URL`, an
//! `--endpoint-url` that is not AWS) could answer without end, in size or in pages. Every
//! answer is read through these bounds, and hitting one is an error that names the bound; no
//! answer is ever cut short silently. The bounds sit far above what Salesforce and AWS send:
//! a token answer is under 2 KiB, a page of 100 apps under 100 KiB, and an account holds at
//! most a few thousand connections (3,000 by default).
//!
//! The files a user names are bounded too ([`crate::local_files::read`]): a path may be
//! `/dev/zero`. Each bound fits what the file holds.

use std::time::Duration;

/// The most a token endpoint's answer may hold.
pub(crate) const TOKEN_BODY_BYTES: usize = 64 * 1024;
/// The most one Connect REST API answer may hold.
pub(crate) const CONNECT_BODY_BYTES: usize = 1024 * 1024;
/// Apps a page of the Connect API's `apps/oauth/usage` listing asks for.
pub(crate) const APPS_PAGE_SIZE: usize = 100;
/// Pages of that listing read at most, and so the most apps an org may list.
pub(crate) const APPS_PAGES: usize = 100;
pub(crate) const APPS_LISTED: usize = APPS_PAGE_SIZE * APPS_PAGES;
/// The most one AWS answer may hold: far above a page of 100 connections (some backends
/// answer a whole listing on one page) or a 64 KiB secret.
pub(crate) const AWS_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Pages of an AWS listing (ListConnections, ListApiDestinations: 100 a page) read at most.
pub(crate) const AWS_PAGES: usize = 1_000;
/// Items an AWS listing may hold over all its pages (some backends ignore `Limit` and answer
/// everything on one page, so the pages alone do not bound it).
pub(crate) const AWS_LISTED: usize = 100_000;

/// The most a project file (`provision.yaml`, `--config`) may hold: a few settings and lists.
pub(crate) const PROJECT_FILE_BYTES: usize = 1024 * 1024;
/// The most one YAML document file may hold: a connection document is under 1 KiB, so 16 MiB
/// leaves room for the few thousand connections an account holds (3,000 by default) in one
/// file, with comments, while a path such as a huge log named by mistake is refused by name.
pub(crate) const YAML_FILE_BYTES: usize = 16 * 1024 * 1024;
/// The most a saved plan (`show`, `apply --plan`) may hold: a plan of the 3,000 connections an
/// account holds by default, with their API destinations, is a few MiB.
pub(crate) const SAVED_PLAN_BYTES: usize = 64 * 1024 * 1024;
/// The most a `file:` secret may hold: Secrets Manager's largest SecretString (64 KiB); a
/// client secret or a parameter value is at most 512 characters.
pub(crate) const SECRET_FILE_BYTES: usize = 64 * 1024;

/// The most a `verify --body` event file may hold: a platform event message is at most 1 MB
/// (Platform Events Developer Guide, allocations).
pub(crate) const EVENT_BODY_BYTES: usize = 1024 * 1024;

/// A byte count for messages: `64 KiB`, `1 MiB`.
pub(crate) fn bytes(count: usize) -> String {
    if count >= 1024 * 1024 && count.is_multiple_of(1024 * 1024) {
        format!("{} MiB", count / (1024 * 1024))
    } else if count >= 1024 && count.is_multiple_of(1024) {
        format!("{} KiB", count / 1024)
    } else {
        format!("{count} bytes")
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The answer holds more than `limit` bytes (said by its `Content-Length`, or found while
    /// reading): reading stopped there.
    TooLarge { limit: usize },
    /// The transport failed while reading (a time-out, a reset).
    Transport(reqwest::Error),
}

impl BodyError {
    /// What the bound says, for messages.
    pub(crate) fn too_large(limit: usize) -> String {
        format!(
            "the answer is larger than {}, the most provision reads of it",
            bytes(limit)
        )
    }
}

/// The whole body of `response`, or [`BodyError::TooLarge`] as soon as it passes `limit`
/// bytes. Shared by the token endpoint and the Connect API clients.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What is left of a budget that started at `started`: a call made of several requests (the
/// pages of a listing) gets the rest of its limit for each one. `None` once it is spent.
pub(crate) fn left(started: std::time::Instant, limit: Duration) -> Option<Duration> {
    limit
        .checked_sub(started.elapsed())
        .filter(|left| !left.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_named_in_readable_units() {
        assert_eq!(bytes(TOKEN_BODY_BYTES), "64 KiB");
        assert_eq!(bytes(CONNECT_BODY_BYTES), "1 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
        assert_eq!(
            BodyError::too_large(TOKEN_BODY_BYTES),
            "the answer is larger than 64 KiB, the most provision reads of it"
        );
    }

    #[test]
    fn a_spent_budget_leaves_nothing() {
        let started = std::time::Instant::now();
        assert!(left(started, Duration::from_secs(60)).is_some());
        assert_eq!(left(started, Duration::ZERO), None);
    }
}
