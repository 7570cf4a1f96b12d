//! AWS's limits on connection fields, checked before any network call.
//!
//! Each check is a pure function returning a [`Violation`] (what is wrong and how to fix it);
//! the caller attaches the file position. Limits follow the EventBridge API model as listed in
//! `docs/aws-behaviour.md`, so AWS never has to reject what `validate` accepted.

/// What is wrong with a value and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub message: String,
    pub help: String,
}

fn violation(message: impl Into<String>, help: impl Into<String>) -> Violation {
    Violation {
        message: message.into(),
        help: help.into(),
    }
}

pub const NAME_MAX: usize = 64;
pub const DESCRIPTION_MAX: usize = 512;
pub const ENDPOINT_MAX: usize = 2048;
pub const CLIENT_CREDENTIAL_MAX: usize = 512;
pub const PARAMETER_MAX: usize = 512;
pub const PARAMETERS_PER_LIST_MAX: usize = 100;

pub fn check_name(name: &str) -> Result<(), Violation> {
    if name.is_empty() {
        return Err(violation(
            "the name is empty",
            "give the connection a name of 1-64 characters from A-Z a-z 0-9 . - _",
        ));
    }
    let length = name.chars().count();
    if length > NAME_MAX {
        return Err(violation(
            format!("the name is {length} characters long; AWS allows at most {NAME_MAX}"),
            "shorten the name",
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(violation(
            format!(
                "the name contains {}, which AWS does not allow",
                describe_char(bad)
            ),
            "use only letters, digits, `.`, `-` and `_`",
        ));
    }
    Ok(())
}

/// The description is stored with the ownership marker appended, so both must fit together.
#[cfg(test)]
pub fn check_description(description: &str) -> Result<(), Violation> {
    check_description_with(description, super::OWNERSHIP_MARKER)
}

/// [`check_description`] with the marker of the run's set (`[managed by provision set=NAME]`
/// is up to 37 characters longer than the default set's).
pub fn check_description_with(description: &str, marker: &str) -> Result<(), Violation> {
    let room = DESCRIPTION_MAX.saturating_sub(marker.chars().count() + 1);
    let length = description.chars().count();
    if length > room {
        return Err(violation(
            format!(
                "the description is {length} characters long; with the ownership marker `{marker}` that provision appends, at most {room} fit in AWS's {DESCRIPTION_MAX}"
            ),
            match length - room {
                1 => "shorten the description by 1 character".to_string(),
                over => format!("shorten the description by {over} characters"),
            },
        ));
    }
    if let Some(bad) = description
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(violation(
            format!("the description contains {}", describe_char(bad)),
            "remove the control character",
        ));
    }
    Ok(())
}

pub fn check_endpoint_length(url: &str) -> Result<(), Violation> {
    let length = url.chars().count();
    if length > ENDPOINT_MAX {
        return Err(violation(
            format!("the token URL is {length} characters long; AWS allows at most {ENDPOINT_MAX}"),
            "shorten the URL",
        ));
    }
    Ok(())
}

/// Client id and client secret: 1-512 characters, no `:` and no control characters, and no
/// leading or trailing spaces around nothing (AWS's pattern).
pub fn check_client_credential(what: &str, value: &str) -> Result<(), Violation> {
    let length = value.chars().count();
    if length == 0 || value.trim().is_empty() {
        return Err(violation(
            format!("the {what} is empty"),
            format!("set the {what}"),
        ));
    }
    if length > CLIENT_CREDENTIAL_MAX {
        return Err(violation(
            format!(
                "the {what} is {length} characters long; AWS allows at most {CLIENT_CREDENTIAL_MAX}"
            ),
            format!("check that this is the {what} of the connected app"),
        ));
    }
    if value.contains(':') {
        return Err(violation(
            format!("the {what} contains `:`, which AWS does not allow"),
            format!("check that this is the {what} and nothing else"),
        ));
    }
    if let Some(bad) = value.chars().find(|c| c.is_control()) {
        return Err(violation(
            format!(
                "the {what} contains {}, which AWS does not allow",
                describe_control(bad)
            ),
            "remove the control character (a trailing newline in a secret file or variable is a common cause)",
        ));
    }
    Ok(())
}

/// A header name as HTTP defines a token.
pub fn check_header_key(key: &str) -> Result<(), Violation> {
    check_length("header name", key)?;
    if let Some(bad) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c)))
    {
        return Err(violation(
            format!(
                "the header name contains {}, which is not allowed in an HTTP header name",
                describe_char(bad)
            ),
            "use letters, digits and ! # $ % & ' * + - . ^ _ ` | ~",
        ));
    }
    Ok(())
}

/// A header value: 1-512 characters of printable ASCII (and tab). Spaces alone are printable
/// ASCII, so AWS takes them; an empty value it refuses.
pub fn check_header_value(value: &str) -> Result<(), Violation> {
    check_length("header value", value)?;
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_graphic() || *c == ' ' || *c == '\t'))
    {
        return Err(violation(
            format!(
                "the header value contains {}; AWS allows printable ASCII only",
                describe_char(bad)
            ),
            "remove or encode the character",
        ));
    }
    Ok(())
}

/// Query string keys and values: 1-512 characters, no control characters.
pub fn check_query_part(what: &str, value: &str) -> Result<(), Violation> {
    check_length(what, value)?;
    if let Some(bad) = value.chars().find(|c| c.is_control()) {
        return Err(violation(
            format!(
                "the {what} contains {}, which AWS does not allow",
                describe_control(bad)
            ),
            "remove the control character",
        ));
    }
    Ok(())
}

pub fn check_body_key(key: &str) -> Result<(), Violation> {
    if key.is_empty() {
        return Err(violation(
            "the body parameter name is empty",
            "name the parameter",
        ));
    }
    Ok(())
}

pub fn check_list_size(what: &str, count: usize) -> Result<(), Violation> {
    if count > PARAMETERS_PER_LIST_MAX {
        return Err(violation(
            format!("{count} {what} parameters; AWS allows at most {PARAMETERS_PER_LIST_MAX}"),
            "remove parameters until at most 100 remain",
        ));
    }
    Ok(())
}

fn check_length(what: &str, value: &str) -> Result<(), Violation> {
    let length = value.chars().count();
    if length > PARAMETER_MAX {
        return Err(violation(
            format!("the {what} is {length} characters long; AWS allows at most {PARAMETER_MAX}"),
            format!("shorten the {what}"),
        ));
    }
    if length == 0 {
        let help = if what.ends_with("name") {
            format!("give the {what}")
        } else {
            // AWS's patterns need at least one character; a quoted "" is not "no value".
            "write a value of at least one character, or remove the parameter".to_string()
        };
        return Err(violation(format!("the {what} is empty"), help));
    }
    Ok(())
}

fn describe_char(c: char) -> String {
    if c.is_control() {
        describe_control(c)
    } else {
        format!("`{c}`")
    }
}

fn describe_control(c: char) -> String {
    match c {
        '\n' => "a newline".to_string(),
        '\r' => "a carriage return".to_string(),
        '\t' => "a tab".to_string(),
        other => format!("the control character U+{:04X}", other as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::OWNERSHIP_MARKER;

    #[test]
    fn names_follow_the_aws_pattern() {
        assert!(check_name("sf-acme_prod.v2").is_ok());
        assert!(check_name(&"a".repeat(64)).is_ok());
        assert!(
            check_name(&"a".repeat(65))
                .unwrap_err()
                .message
                .contains("65 characters")
        );
        assert!(check_name("has space").unwrap_err().message.contains("` `"));
        assert!(check_name("").is_err());
    }

    #[test]
    fn description_leaves_room_for_the_marker() {
        let room = DESCRIPTION_MAX - OWNERSHIP_MARKER.len() - 1;
        assert!(check_description(&"d".repeat(room)).is_ok());
        let error = check_description(&"d".repeat(room + 1)).unwrap_err();
        assert_eq!(error.help, "shorten the description by 1 character");
    }

    #[test]
    fn client_credentials_refuse_colons_and_control_characters() {
        assert!(check_client_credential("client id", "3MVG9abc").is_ok());
        assert!(
            check_client_credential("client id", "a:b")
                .unwrap_err()
                .message
                .contains("`:`")
        );
        assert!(
            check_client_credential("client secret", "abc\n")
                .unwrap_err()
                .message
                .contains("newline")
        );
        assert!(check_client_credential("client secret", &"x".repeat(513)).is_err());
        assert!(check_client_credential("client secret", " ").is_err());
    }

    #[test]
    fn header_rules() {
        assert!(check_header_key("Sforce-Call-Options").is_ok());
        assert!(check_header_key("Bad Header").is_err());
        assert!(check_header_key("").is_err());
        assert!(check_header_value("client=orders").is_ok());
        assert!(check_header_value("caf\u{e9}").is_err());
        assert!(check_header_value(&"v".repeat(513)).is_err());
        assert!(check_header_value(" ").is_ok());
        assert_eq!(
            check_header_value("").unwrap_err().message,
            "the header value is empty"
        );
    }

    #[test]
    fn query_rules() {
        assert!(check_query_part("query parameter value", "json").is_ok());
        assert!(check_query_part("query parameter value", " ").is_ok());
        assert_eq!(
            check_query_part("query parameter value", "")
                .unwrap_err()
                .message,
            "the query parameter value is empty"
        );
        assert!(check_query_part("query parameter name", "").is_err());
    }

    #[test]
    fn list_sizes() {
        assert!(check_list_size("header", 100).is_ok());
        assert!(check_list_size("header", 101).is_err());
    }
}
