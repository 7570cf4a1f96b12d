//! A named AWS profile must exist before the SDK is given it.
//!
//! The SDK takes an unknown profile silently: the run then says "no AWS Region", or, worse,
//! goes on with whatever keys the environment holds. The AWS CLI refuses it by name instead,
//! and so does this: the profile is looked for where the AWS CLI and the SDK look
//! (`AWS_CONFIG_FILE` or `~/.aws/config`, where it is `[profile NAME]` or `[default]`;
//! `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, where it is `[NAME]`), and a missing
//! one is reported with both places and the profiles they do declare.

use crate::error::{Error, Problem};
use std::path::{Path, PathBuf};

/// Where a profile may be declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileFiles {
    pub(crate) config: PathBuf,
    pub(crate) credentials: PathBuf,
}

impl ProfileFiles {
    /// The files the SDK reads, from the environment.
    pub(crate) fn from_environment() -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        let file = |variable: &str, default: &str| match std::env::var(variable) {
            Ok(path) if !path.trim().is_empty() => expand_home(&path, home.as_deref()),
            _ => match &home {
                Some(home) => home.join(".aws").join(default),
                None => PathBuf::from("~/.aws").join(default),
            },
        };
        ProfileFiles {
            config: file("AWS_CONFIG_FILE", "config"),
            credentials: file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        }
    }
}

fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The profile names a config file declares: `[profile NAME]`, and `[default]`. Pure.
pub(crate) fn config_profiles(text: &str) -> Vec<String> {
    sections(text)
        .filter_map(|section| {
            if section == "default" {
                return Some(section.to_string());
            }
            let rest = section.strip_prefix("profile")?;
            (rest.starts_with(char::is_whitespace) && !rest.trim().is_empty())
                .then(|| rest.trim().to_string())
        })
        .collect()
}

/// The profile names a credentials file declares: `[NAME]`. Pure.
pub(crate) fn credentials_profiles(text: &str) -> Vec<String> {
    sections(text)
        .filter(|section| !section.is_empty())
        .map(str::to_string)
        .collect()
}

fn sections(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        let inside = line.strip_prefix('[')?;
        let end = inside.find(']')?;
        Some(inside[..end].trim())
    })
}

/// Refuses `name` (given by `source`: `--profile` or `AWS_PROFILE`) unless `files` declare
/// it. `default` may be missing, as with the AWS CLI: it then means "no profile".
pub(crate) fn check(name: &str, source: &str, files: &ProfileFiles) -> Result<(), Error> {
    if name == "default" {
        return Ok(());
    }
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let config = read(&files.config);
    let credentials = read(&files.credentials);
    let mut declared: Vec<String> = config.as_deref().map(config_profiles).unwrap_or_default();
    declared.extend(
        credentials
            .as_deref()
            .map(credentials_profiles)
            .unwrap_or_default(),
    );
    if declared.iter().any(|profile| profile == name) {
        return Ok(());
    }
    declared.sort();
    declared.dedup();
    let shown = name
        .chars()
        .take(100)
        .collect::<String>()
        .escape_debug()
        .to_string();
    let state = |text: &Option<String>| {
        if text.is_some() {
            ""
        } else {
            ", which does not exist"
        }
    };
    let message = format!(
        "the AWS profile `{shown}` ({source}) does not exist: it is neither `[profile {shown}]` in {}{} nor `[{shown}]` in {}{}",
        files.config.display(),
        state(&config),
        files.credentials.display(),
        state(&credentials),
    );
    let suggestion = declared
        .iter()
        .map(|profile| (strsim::jaro_winkler(profile, name), profile))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, profile)| format!("did you mean `{profile}`? "))
        .unwrap_or_default();
    let known = if declared.is_empty() {
        "the files declare no profile".to_string()
    } else {
        format!("the files declare {}", declared.join(", "))
    };
    Err(Error::input(Problem::new(message).help(format!(
        "{suggestion}{known}; create it with `aws configure --profile {shown}` (or `aws configure sso`), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files that declare it"
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_files_declare_profiles_with_the_profile_prefix() {
        let text = "[default]\nregion = eu-west-1\n[profile platform-prod]\n[ profile  spaced ]\n# [profile commented]\n[sso-session corp]\n[bare]\n";
        assert_eq!(
            config_profiles(text),
            ["default", "platform-prod", "spaced"]
        );
    }

    #[test]
    fn credentials_files_declare_profiles_by_name() {
        assert_eq!(
            credentials_profiles("[default]\naws_access_key_id = x\n[ci]\n"),
            ["default", "ci"]
        );
    }

    #[test]
    fn a_missing_profile_is_named_with_both_files_and_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let files = ProfileFiles {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
        };
        std::fs::write(&files.config, "[profile platform-prod]\n").unwrap();
        assert!(check("platform-prod", "--profile", &files).is_ok());
        assert!(check("default", "--profile", &files).is_ok());
        let error = check("platform-prd", "--profile", &files)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("the AWS profile `platform-prd` (--profile) does not exist"),
            "{error}"
        );
        assert!(
            error.contains(&files.config.display().to_string()),
            "{error}"
        );
        assert!(
            error.contains(&format!(
                "{}, which does not exist",
                files.credentials.display()
            )),
            "{error}"
        );
        assert!(error.contains("did you mean `platform-prod`?"), "{error}");
    }
}
