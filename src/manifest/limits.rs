//! AWS's limits on connection fields, checked before any network call.
//!
//! Each check is a pure function returning a [`Violation`] (what is wrong and how to fix it);
//! the caller attaches the file position. Limits follow the EventBridge API model as listed in
//! `docs/aws-behaviour.md`, so AWS never has to reject what `validate` accepted.
//!
//! Each limit is one named constant, read by its check here and by the JSON Schema
//! ([`schema`](super::schema)). The secret sources keep their own services' limits
//! (Secrets Manager's `SecretId`, Parameter Store's `Name`): 2048 as well, but other APIs'.

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

/// `Name` of a connection or an API destination: 1-64 characters.
pub const NAME_MAX: usize = 64;
/// The characters of a name, AWS's `[\.\-_A-Za-z0-9]+`, as the JSON Schema writes it.
pub const NAME_PATTERN: &str = "^[-._A-Za-z0-9]+$";
/// `Description`, the ownership marker included.
pub const DESCRIPTION_MAX: usize = 512;
/// `AuthorizationEndpoint` and `InvocationEndpoint`.
pub const ENDPOINT_MAX: usize = 2048;
/// `ClientID` and `ClientSecret`.
pub const CLIENT_CREDENTIAL_MAX: usize = 512;
/// A parameter's key, and a header or query parameter's value.
pub const PARAMETER_MAX: usize = 512;
/// Items of one parameter list (`headers`, `query`, `body`).
pub const PARAMETERS_PER_LIST_MAX: usize = 100;
/// `KmsKeyIdentifier`.
pub const KMS_KEY_MAX: usize = 2048;
/// `ResourceConfigurationArn` of private connectivity.
pub const RESOURCE_CONFIGURATION_ARN_MAX: usize = 2048;

/// What a name may be, as help texts say it: `1-64 of A-Z a-z 0-9 . - _`.
pub fn name_rule() -> String {
    format!("1-{NAME_MAX} of A-Z a-z 0-9 . - _")
}

/// The characters left for a description once `marker` and the space before it are appended.
pub fn description_room(marker: &str) -> usize {
    DESCRIPTION_MAX.saturating_sub(marker.chars().count() + 1)
}

pub fn check_name(name: &str) -> Result<(), Violation> {
    if name.is_empty() {
        return Err(violation(
            "the name is empty",
            format!("give the connection a name of 1-{NAME_MAX} characters from A-Z a-z 0-9 . - _"),
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
    let room = description_room(marker);
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

/// `kmsKey`: a key id, key ARN, alias or alias ARN, as AWS takes it (which one is AWS's to say).
pub fn check_kms_key(key: &str) -> Result<(), Violation> {
    let length = key.chars().count();
    let message = if key.trim().is_empty() {
        "the KMS key is empty".to_string()
    } else if length > KMS_KEY_MAX {
        format!("the KMS key is {length} characters long; AWS allows at most {KMS_KEY_MAX}")
    } else {
        return Ok(());
    };
    Err(violation(
        message,
        "give a key id, key ARN, alias (alias/name) or alias ARN, or remove `kmsKey` to use an AWS owned key",
    ))
}

/// `privateLink.resourceConfigurationArn`: an ARN AWS can take.
pub fn check_resource_configuration_arn(arn: &str) -> Result<(), Violation> {
    if arn.starts_with("arn:") && arn.len() <= RESOURCE_CONFIGURATION_ARN_MAX {
        return Ok(());
    }
    Err(violation(
        format!("`{arn}` is not a VPC Lattice resource configuration ARN"),
        "use the ARN of the resource configuration, arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...",
    ))
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
            format!("remove parameters until at most {PARAMETERS_PER_LIST_MAX} remain"),
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
