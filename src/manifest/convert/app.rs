//! `salesforce.app:`: the External Client App as code, its defaults applied (API name and
//! label from the connection, `[Api]` scopes, admin-approved users).

use super::walker::{At, Walker, child, lookup, nth, suggest_among};
use crate::manifest::app::{self, AppSpec, PermittedUsers};
use crate::manifest::keys;
use crate::manifest::yaml::Segment;
use serde_yaml::Value;

impl Walker<'_> {
    /// `salesforce.app:`: the External Client App as code, with its defaults applied.
    pub(super) fn app(
        &mut self,
        value: &Value,
        path: &[Segment],
        connection: Option<&str>,
    ) -> Option<AppSpec> {
        if value.is_null() {
            self.report(
                path,
                At::Key,
                "`app` is empty",
                "write `app: { contactEmail: <address>, runAsUser: <username> }`, or remove `app`",
            );
            return None;
        }
        let entries = self.mapping(value, path, keys::APP)?;

        let name = match lookup(&entries, "name").filter(|v| !v.is_null()) {
            Some(value) => {
                let name_path = child(path, "name");
                self.string(value, &name_path)
                    .filter(|name| self.check(&name_path, app::check_api_name(name)))
            }
            None => Some(app::derive_api_name(connection.unwrap_or_default())),
        };
        let label = match lookup(&entries, "label").filter(|v| !v.is_null()) {
            Some(value) => {
                let label_path = child(path, "label");
                self.string(value, &label_path)
                    .filter(|label| self.check(&label_path, app::check_label(label)))
            }
            None => Some(connection.unwrap_or_default().to_string()),
        };
        let contact_email = self
            .required(
                &entries,
                path,
                "contactEmail",
                "add `contactEmail: <address>`: the address Salesforce uses to contact the app's admin",
            )
            .and_then(|value| {
                let email_path = child(path, "contactEmail");
                self.string(value, &email_path)
                    .filter(|email| self.check(&email_path, app::check_contact_email(email)))
            });
        let run_as_user = self
            .required(
                &entries,
                path,
                "runAsUser",
                &format!(
                    "add `runAsUser: <username>`: the user the client credentials flow runs as; {}",
                    app::RUN_AS_USER_NOTE
                ),
            )
            .and_then(|value| {
                let user_path = child(path, "runAsUser");
                self.string(value, &user_path)
                    .filter(|user| self.check(&user_path, app::check_run_as_user(user)))
            });
        let scopes = match lookup(&entries, "scopes").filter(|v| !v.is_null()) {
            Some(value) => self.scopes(value, &child(path, "scopes")),
            None => Some(vec![app::DEFAULT_SCOPE.to_string()]),
        };
        let permitted_users = match lookup(&entries, "permittedUsers").filter(|v| !v.is_null()) {
            Some(value) => {
                let users_path = child(path, "permittedUsers");
                let text = self.string(value, &users_path)?;
                match PermittedUsers::parse(&text) {
                    Some(users) => Some(users),
                    None => {
                        let help = match suggest_among(&text, PermittedUsers::ALL.iter().copied()) {
                            Some(candidate) => format!("did you mean `{candidate}`?"),
                            None => format!("use one of: {}", PermittedUsers::ALL.join(", ")),
                        };
                        self.report(
                            &users_path,
                            At::Value,
                            format!("`{text}` is not a permitted-users policy"),
                            help,
                        );
                        None
                    }
                }
            }
            None => Some(PermittedUsers::AdminApprovedPreAuthorized),
        };
        Some(AppSpec {
            name: name?,
            label: label?,
            contact_email: contact_email?,
            run_as_user: run_as_user?,
            scopes: scopes?,
            permitted_users: permitted_users?,
        })
    }

    /// `scopes:`: a list of Salesforce's Metadata API scope names.
    pub(super) fn scopes(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<String>> {
        let items = self.sequence(
            value,
            path,
            "OAuth scope names",
            "write e.g. `scopes: [Api]`",
        )?;
        let mut ok = true;
        let mut scopes: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = nth(path, index);
            let Some(scope) = self.string(item, &item_path) else {
                ok = false;
                continue;
            };
            if !app::SCOPES.contains(&scope.as_str()) {
                let help = match suggest_among(&scope, app::SCOPES.iter().copied()) {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!(
                        "use Salesforce's Metadata API scope names: {}",
                        app::SCOPES.join(", ")
                    ),
                };
                self.report(
                    &item_path,
                    At::Value,
                    format!("`{scope}` is not a Salesforce OAuth scope name"),
                    help,
                );
                ok = false;
                continue;
            }
            if scopes.contains(&scope) {
                self.report(
                    &item_path,
                    At::Value,
                    format!("`{scope}` is listed twice"),
                    "remove one of them",
                );
                ok = false;
                continue;
            }
            scopes.push(scope);
        }
        if ok && scopes.is_empty() {
            self.report(
                path,
                At::Value,
                "the list of scopes is empty",
                "list at least one scope, e.g. `scopes: [Api]`, or remove `scopes` for the default `[Api]`",
            );
            return None;
        }
        ok.then_some(scopes)
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::app::{AppSpec, PermittedUsers};
    use crate::manifest::convert::{REQUIRED, convert_text};

    #[test]
    fn an_app_with_only_the_required_fields_gets_the_defaults() {
        let text = "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\n  app:\n    contactEmail: ops@acme.example\n    runAsUser: eventbridge@acme.example\nclientId: 3MVG9abc\nclientSecret: { env: S }\n";
        let app = convert_text(text).unwrap().app.unwrap();
        assert_eq!(
            app,
            AppSpec {
                name: "sf_acme_prod".into(),
                label: "sf-acme-prod".into(),
                contact_email: "ops@acme.example".into(),
                run_as_user: "eventbridge@acme.example".into(),
                scopes: vec!["Api".into()],
                permitted_users: PermittedUsers::AdminApprovedPreAuthorized,
            }
        );
        assert_eq!(convert_text(REQUIRED).unwrap().app, None);
    }
}
