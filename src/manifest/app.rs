//! The External Client App a document may declare under `salesforce.app`, and Salesforce's rules
//! for its fields, checked offline.
//!
//! Each check is a pure function returning a [`Violation`]; the YAML walk in
//! [`convert`](super::convert) attaches the file position. The rules and their sources are listed
//! in `docs/aws-behaviour.md` ("Salesforce External Client Apps").

use super::limits::Violation;

/// One External Client App, as declared (defaults applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    /// The app's API name: the `fullName` of each of its metadata components.
    pub name: String,
    pub label: String,
    pub contact_email: String,
    /// The client credentials flow's Run As user (a Salesforce username).
    pub run_as_user: String,
    /// Metadata API scope names (`Api`, `RefreshToken`, ...), in the order declared.
    pub scopes: Vec<String>,
    pub permitted_users: PermittedUsers,
}

/// `permittedUsersPolicyType` of `ExtlClntAppOauthConfigurablePolicies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PermittedUsers {
    AdminApprovedPreAuthorized,
    AllSelfAuthorized,
}

impl PermittedUsers {
    pub const ALL: &'static [&'static str] = &["AdminApprovedPreAuthorized", "AllSelfAuthorized"];

    pub fn as_str(self) -> &'static str {
        match self {
            PermittedUsers::AdminApprovedPreAuthorized => "AdminApprovedPreAuthorized",
            PermittedUsers::AllSelfAuthorized => "AllSelfAuthorized",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "AdminApprovedPreAuthorized" => Some(PermittedUsers::AdminApprovedPreAuthorized),
            "AllSelfAuthorized" => Some(PermittedUsers::AllSelfAuthorized),
            _ => None,
        }
    }
}

/// The OAuth scope names the Metadata API takes in `commaSeparatedOauthScopes`, as Salesforce's
/// Metadata API Developer Guide lists them (ExtlClntAppOauthSettings).
pub const SCOPES: &[&str] = &[
    "Basic",
    "Api",
    "Web",
    "Full",
    "Chatter",
    "CustomApplications",
    "RefreshToken",
    "OpenID",
    "Profile",
    "Email",
    "Address",
    "Phone",
    "OfflineAccess",
    "CustomPermissions",
    "Wave",
    "Eclair",
    "Pardot",
    "Lightning",
    "Content",
    "CDPIngest",
    "CDPProfile",
    "CDPQuery",
    "Chatbot",
    "CDPSegment",
    "CDPIdentityResolution",
    "CDPCalculatedInsight",
    "SFApiPlatform",
    "Interaction",
    "EinsteinGPT",
    "PwdlessLogin",
    "ForgotPassword",
    "UserRegistration",
    "MCP",
    "SCRT",
];

/// The default scope: "Manage user data via APIs", all a Platform Event publisher needs.
pub const DEFAULT_SCOPE: &str = "Api";

/// Salesforce API names are at most 40 characters.
pub const API_NAME_MAX: usize = 40;

/// What the Run As user needs; said wherever `runAsUser` is explained.
pub const RUN_AS_USER_NOTE: &str =
    "the Run As user must have the API Only permission (Salesforce returns tokens on its behalf)";

fn violation(message: impl Into<String>, help: impl Into<String>) -> Violation {
    Violation {
        message: message.into(),
        help: help.into(),
    }
}

/// An API name: letters, digits and underscores, starting with a letter, without a double or
/// trailing underscore, at most 40 characters.
pub fn check_api_name(name: &str) -> Result<(), Violation> {
    let help = format!(
        "use letters, digits and single underscores, starting with a letter and not ending with an underscore, at most {API_NAME_MAX} characters, e.g. `sf_acme_prod`"
    );
    let problem = if name.is_empty() {
        Some("the app name is empty".to_string())
    } else if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(format!(
            "`{name}` cannot be an API name: it contains `{}`",
            bad.escape_default()
        ))
    } else if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some(format!(
            "`{name}` cannot be an API name: it must start with a letter"
        ))
    } else if name.contains("__") {
        Some(format!(
            "`{name}` cannot be an API name: it contains a double underscore (Salesforce keeps `__` for namespaces and suffixes)"
        ))
    } else if name.ends_with('_') {
        Some(format!(
            "`{name}` cannot be an API name: it ends with an underscore"
        ))
    } else if name.len() > API_NAME_MAX {
        Some(format!(
            "`{name}` is {} characters long; an API name has at most {API_NAME_MAX}",
            name.len()
        ))
    } else {
        None
    };
    match problem {
        Some(message) => Err(violation(message, help)),
        None => Ok(()),
    }
}

/// The API name derived from a connection name when `salesforce.app.name` is not given: each
/// run of characters other than letters and digits becomes one underscore, underscores at the
/// ends are dropped, `App_` is put in front when the result does not start with a letter (`App`
/// when nothing is left), and the result is cut to 40 characters (then any trailing underscore
/// is dropped). `sf-acme-prod` -> `sf_acme_prod`, `2024.orders` -> `App_2024_orders`.
pub fn derive_api_name(connection_name: &str) -> String {
    let mut name = String::new();
    for c in connection_name.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    while name.ends_with('_') {
        name.pop();
    }
    if name.is_empty() {
        name.push_str("App");
    } else if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "App_");
    }
    name.truncate(API_NAME_MAX);
    while name.ends_with('_') {
        name.pop();
    }
    name
}

/// A label: the name shown in Setup.
pub fn check_label(label: &str) -> Result<(), Violation> {
    if label.trim().is_empty() {
        return Err(violation(
            "the app label is empty",
            "give the label Setup shows, or remove `label` to use the connection name",
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(violation(
            "the app label contains a control character",
            "write the label on one line, without tabs",
        ));
    }
    Ok(())
}

/// Something shaped like an email address: `local@domain.tld`, without spaces or control
/// characters. Deliberately loose: Salesforce does the real check on deploy.
fn email_shape(text: &str) -> Result<(), &'static str> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains a space or a control character");
    }
    let Some((local, domain)) = text.split_once('@') else {
        return Err("it has no `@`");
    };
    if domain.contains('@') {
        return Err("it has more than one `@`");
    }
    if local.is_empty() {
        return Err("nothing comes before the `@`");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|label| label.is_empty()) {
        return Err("the part after the `@` is not a domain such as example.com");
    }
    if text.len() > 254 {
        return Err("it is longer than 254 characters");
    }
    Ok(())
}

pub fn check_contact_email(email: &str) -> Result<(), Violation> {
    email_shape(email).map_err(|why| {
        violation(
            format!("`{email}` is not an email address: {why}"),
            "give the address Salesforce uses to contact the app's admin, e.g. `integration-team@example.com`",
        )
    })
}

/// A Salesforce username has the shape of an email address (it need not be a real mailbox).
pub fn check_run_as_user(username: &str) -> Result<(), Violation> {
    email_shape(username).map_err(|why| {
        violation(
            format!("`{username}` is not a Salesforce username: {why}"),
            format!(
                "give the username of the integration user, shaped like an email address, e.g. `eventbridge@acme.example`; {RUN_AS_USER_NOTE}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_always_valid_api_names() {
        for (connection, expected) in [
            ("sf-acme-prod", "sf_acme_prod"),
            ("sf.acme--prod_", "sf_acme_prod"),
            ("2024.orders", "App_2024_orders"),
            ("___", "App"),
            ("-", "App"),
            ("a", "a"),
            ("Orders_EU", "Orders_EU"),
        ] {
            assert_eq!(derive_api_name(connection), expected, "{connection}");
        }
        let long = "a-".repeat(40);
        let derived = derive_api_name(&long);
        assert!(derived.len() <= API_NAME_MAX, "{derived}");
        for connection in [long.as_str(), "9", "_9_", "x__y", "a-b.c_d", "Z-"] {
            let derived = derive_api_name(connection);
            assert_eq!(
                check_api_name(&derived),
                Ok(()),
                "{connection} -> {derived}"
            );
        }
    }

    #[test]
    fn api_names_follow_salesforce_rules() {
        assert!(check_api_name("sf_acme_prod").is_ok());
        for bad in [
            "",
            "sf-acme",
            "1app",
            "_app",
            "a__b",
            "app_",
            &"a".repeat(41),
        ] {
            assert!(check_api_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_and_emails_must_look_like_addresses() {
        assert!(check_run_as_user("eventbridge@acme.example").is_ok());
        assert!(check_contact_email("ops+sf@example.co.uk").is_ok());
        for bad in [
            "eventbridge",
            "@acme.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
        ] {
            assert!(check_run_as_user(bad).is_err(), "{bad}");
        }
        let help = check_run_as_user("nobody").unwrap_err().help;
        assert!(help.contains("API Only"), "{help}");
    }
}
