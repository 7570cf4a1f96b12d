//! Turns one parsed YAML document into a [`ConnectionSpec`], reporting every problem in it.
//!
//! This is a hand-written walk rather than a serde derive so that one document can report all
//! of its mistakes at once, each with the exact position of the key or value at fault and a
//! "did you mean" for misspelt keys.
//!
//! Every string field, and every key, receives exactly the text the user wrote: where YAML
//! reads a plain scalar as a number or a boolean (`description: 3.10`, `X-V: 0x1F`, a header
//! named `123`), the source text recorded by the event pass is used, never serde_yaml's
//! canonical form (`3.1`, `31`). Messages quote that same text. Nulls (`~`, `null`, nothing)
//! mean no value: an error where a value is required, absent where it is optional. See the
//! [`yaml`](super::yaml) module for how the text is recorded.

use super::app::{self, AppSpec, PermittedUsers};
use super::destination_rules;
use super::keys::{self, Keys};
use super::limits::{self, Violation};
use super::regions;
use super::token_url;
use super::yaml::{Document, Position, Segment, display_path};
use super::{
    ConnectionSpec, DEFAULT_API_VERSION, DestinationSpec, DestinationTarget, HttpParameters,
    Origin, Parameter, PrivateLink, Rules, SecretRef, ValueSource,
};
use crate::error::{Location, Problem};
use crate::sources::{self, SOURCES, Source, Written};
use serde_yaml::Value;
use std::path::Path;

/// Which part of a mapping entry a message points at.
#[derive(Clone, Copy)]
enum At {
    Key,
    Value,
}

/// Where to point for a value: an empty value has no position of its own (the parser marks
/// whatever follows it), so its key is shown instead.
fn at_value(value: &Value) -> At {
    if value.is_null() { At::Key } else { At::Value }
}

type Path_ = Vec<Segment>;

fn child(path: &[Segment], key: &str) -> Path_ {
    let mut path = path.to_vec();
    path.push(Segment::Key(key.to_string()));
    path
}

struct Walker<'a> {
    file: &'a Path,
    document: &'a Document,
    problems: &'a mut Vec<Problem>,
    rules: &'a Rules,
    /// Allowed keys that an unknown key was taken for (`clientSecrt` -> `clientSecret`): the
    /// "did you mean" already says what to do, so the key is not reported missing as well.
    misspelt: Vec<(Path_, &'static str)>,
}

/// Converts a document under the run's [`Rules`] (its set's marker, `namePrefix`,
/// `extraRegions`). Returns `None` when it has problems (all of them pushed to `problems`).
pub fn convert_with(
    file: &Path,
    document: &Document,
    problems: &mut Vec<Problem>,
    rules: &Rules,
) -> Option<ConnectionSpec> {
    let before = problems.len();
    let mut walker = Walker {
        file,
        document,
        problems,
        rules,
        misspelt: Vec::new(),
    };
    let spec = walker.connection();
    if problems.len() > before { None } else { spec }
}

impl Walker<'_> {
    fn location(&self, path: &[Segment], at: At) -> Location {
        let Position { line, column } = match at {
            At::Key => self.document.key_position(path),
            At::Value => self.document.value_position(path),
        };
        Location::at(self.file, line, column)
    }

    fn origin(&self, path: &[Segment]) -> Origin {
        Origin {
            location: self.location(path, At::Value),
            field: display_path(path),
        }
    }

    fn report(
        &mut self,
        path: &[Segment],
        at: At,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let problem = Problem::new(message)
            .at(self.location(path, at))
            .field(display_path(path))
            .help(help);
        self.problems.push(problem);
    }

    /// True when an unknown key in the mapping at `path` was taken for `key`.
    fn misspelt(&self, path: &[Segment], key: &str) -> bool {
        self.misspelt
            .iter()
            .any(|(at, candidate)| at.as_slice() == path && *candidate == key)
    }

    /// `namePrefix` of the project file: every name of the set starts with it.
    fn prefixed(&self, name: &str, what: &str) -> Result<(), Violation> {
        match &self.rules.name_prefix {
            Some(prefix) if !name.starts_with(prefix.as_str()) => Err(Violation {
                message: format!(
                    "{what} name `{name}` does not start with `{prefix}`, the namePrefix of the project file"
                ),
                help: format!(
                    "rename it to start with `{prefix}` (e.g. `{prefix}{name}`), or change namePrefix in provision.yaml"
                ),
            }),
            _ => Ok(()),
        }
    }

    fn check(&mut self, path: &[Segment], result: Result<(), Violation>) -> bool {
        match result {
            Ok(()) => true,
            Err(Violation { message, help }) => {
                self.report(path, At::Value, message, help);
                false
            }
        }
    }

    /// The entries of a mapping, with unknown keys reported. `None` if it is not a mapping.
    fn mapping<'v>(
        &mut self,
        value: &'v Value,
        path: &[Segment],
        allowed: Keys,
    ) -> Option<Vec<(String, &'v Value)>> {
        let Value::Mapping(mapping) = value else {
            let what = if path.is_empty() {
                "the document".to_string()
            } else {
                "this".to_string()
            };
            self.report(
                path,
                at_value(value),
                format!(
                    "{what} must be a mapping of keys to values, found {}",
                    kind(value)
                ),
                expected_help(path),
            );
            return None;
        };
        let written_keys = self
            .document
            .raw_keys(path)
            .filter(|keys| keys.len() == mapping.len());
        let mut entries = Vec::new();
        for (index, (key, item)) in mapping.iter().enumerate() {
            let written = written_keys
                .and_then(|keys| keys.get(index))
                .map(String::as_str);
            let Some(key) = as_written(key, written) else {
                self.report(
                    path,
                    At::Value,
                    format!("a key must be a plain string, found {}", kind(key)),
                    "write the key as plain text",
                );
                continue;
            };
            if !allowed.is_empty() && !keys::names(allowed).any(|name| name == key) {
                let at = child(path, &key);
                let help = match suggest(&key, allowed) {
                    Some(candidate) => {
                        self.misspelt.push((path.to_vec(), candidate));
                        format!("did you mean `{candidate}`?")
                    }
                    None => format!(
                        "allowed keys here: {}",
                        keys::names(allowed).collect::<Vec<_>>().join(", ")
                    ),
                };
                self.report(&at, At::Key, format!("unknown key `{key}`"), help);
                continue;
            }
            entries.push((key, item));
        }
        Some(entries)
    }

    fn required<'v>(
        &mut self,
        entries: &[(String, &'v Value)],
        path: &[Segment],
        key: &str,
        help: &str,
    ) -> Option<&'v Value> {
        let found = lookup(entries, key);
        if found.is_none() && !self.misspelt(path, key) {
            let problem = Problem::new(format!("missing required key `{key}`"))
                .at(self.location(path, At::Key))
                .field(display_path(&child(path, key)))
                .help(help);
            self.problems.push(problem);
        }
        found
    }

    /// A string (numbers and booleans are taken as written). `None` after reporting otherwise.
    fn string(&mut self, value: &Value, path: &[Segment]) -> Option<String> {
        let written = self.document.raw_scalar(path);
        match as_written(value, written) {
            Some(text) => Some(text),
            None if matches!(value, Value::Number(_) | Value::Bool(_)) => {
                // The event pass did not see this value (the parsers disagree): refuse rather
                // than send serde_yaml's rewriting of it.
                self.report(
                    path,
                    At::Value,
                    "this value is read as a number or true/false, and its text as written is not known",
                    "put the value in quotes so that it is sent exactly as written",
                );
                None
            }
            None if matches!(value, Value::Tagged(_)) => {
                let Value::Tagged(tagged) = value else {
                    return None;
                };
                self.report(
                    path,
                    At::Value,
                    format!("YAML tags such as `{}` are not supported", tagged.tag),
                    format!("remove `{}` and write the plain value", tagged.tag),
                );
                None
            }
            None if value.is_null() => match written.filter(|text| !text.is_empty()) {
                Some(text) => {
                    let text = text.to_string();
                    self.report(
                        path,
                        At::Value,
                        format!("the value is missing: `{text}` means no value in YAML"),
                        format!(
                            "{}; to send the text {text}, quote it: `\"{text}\"`",
                            expected_help(path)
                        ),
                    );
                    None
                }
                None => {
                    self.report(path, At::Key, "the value is missing", expected_help(path));
                    None
                }
            },
            None => {
                self.report(
                    path,
                    At::Value,
                    format!("expected a string, found {}", kind(value)),
                    expected_help(path),
                );
                None
            }
        }
    }

    fn connection(&mut self) -> Option<ConnectionSpec> {
        let root: Path_ = Vec::new();
        let entries = self.mapping(&self.document.value, &root, keys::TOP)?;

        let name = self
            .required(
                &entries,
                &root,
                "name",
                "add `name: <connection-name>` (1-64 of A-Z a-z 0-9 . - _)",
            )
            .and_then(|value| {
                let path = child(&root, "name");
                let name = self.string(value, &path)?;
                (self.check(&path, limits::check_name(&name))
                    && self.check(&path, self.prefixed(&name, "connection")))
                .then_some(name)
            });

        let description = lookup(&entries, "description").and_then(|value| {
            let path = child(&root, "description");
            if value.is_null() {
                return None;
            }
            let text = self.string(value, &path)?;
            let rules = self.rules;
            self.check(&path, limits::check_description_with(&text, &rules.marker))
                .then_some(text)
        });

        let token_url = self
            .required(
                &entries,
                &root,
                "salesforce",
                "add `salesforce: { myDomain: <name> }`",
            )
            .and_then(|value| self.salesforce(value, &child(&root, "salesforce"), name.as_deref()));

        let client_id = self
            .required(
                &entries,
                &root,
                "clientId",
                "add `clientId: <consumer key>` (it starts with 3MVG)",
            )
            .and_then(|value| {
                let path = child(&root, "clientId");
                let source = self.value_source(value, &path)?;
                if let ValueSource::Literal(text) = &source
                    && !self.check(&path, limits::check_client_credential("client id", text))
                {
                    return None;
                }
                Some(source)
            });

        let client_secret = self
            .required(&entries, &root, "clientSecret", &format!("add `clientSecret:` as a reference: {}", sources::help()))
            .and_then(|value| {
                let path = child(&root, "clientSecret");
                if !matches!(value, Value::Mapping(_)) && !value.is_null() {
                    self.report(
                        &path,
                        At::Value,
                        "a literal client secret is not allowed: secrets must not be written in YAML files",
                        format!("reference it instead: {}; if a real secret was committed, rotate it in Salesforce", sources::help()),
                    );
                    return None;
                }
                self.secret_ref(value, &path)
            });

        let oauth = match lookup(&entries, "oauth") {
            Some(value) => self.parameters(value, &child(&root, "oauth"), true),
            None => Some(HttpParameters::default()),
        };
        let invocation = match lookup(&entries, "invocation") {
            Some(value) => self.parameters(value, &child(&root, "invocation"), false),
            None => Some(HttpParameters::default()),
        };

        let kms_key = lookup(&entries, "kmsKey").and_then(|value| {
            let path = child(&root, "kmsKey");
            if value.is_null() {
                return None;
            }
            let key = self.string(value, &path)?;
            let length = key.chars().count();
            let problem = if key.trim().is_empty() {
                Some("the KMS key is empty".to_string())
            } else if length > 2048 {
                Some(format!(
                    "the KMS key is {length} characters long; AWS allows at most 2048"
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                self.report(
                    &path,
                    At::Value,
                    message,
                    "give a key id, key ARN, alias (alias/name) or alias ARN, or remove `kmsKey` to use an AWS owned key",
                );
                return None;
            }
            Some(key)
        });

        let private_link = lookup(&entries, "privateLink").and_then(|value| {
            let path = child(&root, "privateLink");
            if value.is_null() {
                return None;
            }
            let entries = self.mapping(value, &path, keys::PRIVATE_LINK)?;
            let arn = self.required(&entries, &path, "resourceConfigurationArn", "add `resourceConfigurationArn: arn:aws:vpc-lattice:...`")?;
            let arn_path = child(&path, "resourceConfigurationArn");
            let arn = self.string(arn, &arn_path)?;
            if !arn.starts_with("arn:") || arn.len() > 2048 {
                self.report(
                    &arn_path,
                    At::Value,
                    format!("`{arn}` is not a VPC Lattice resource configuration ARN"),
                    "use the ARN of the resource configuration, arn:aws:vpc-lattice:<region>:<account>:resourceconfiguration/rcfg-...",
                );
                return None;
            }
            let private_token_endpoint = match lookup(&entries, "tokenEndpoint") {
                None => true,
                Some(value) => {
                    let token_path = child(&path, "tokenEndpoint");
                    match self.string(value, &token_path)?.as_str() {
                        "private" => true,
                        "public" => false,
                        other => {
                            self.report(
                                &token_path,
                                At::Value,
                                format!("`{other}` is not a token endpoint setting"),
                                "write `tokenEndpoint: public` to keep the token request on the internet, or leave it out (the token request goes through the resource configuration too)",
                            );
                            return None;
                        }
                    }
                }
            };
            Some(PrivateLink {
                resource_configuration_arn: arn,
                private_token_endpoint,
            })
        });

        let regions = lookup(&entries, "regions")
            .and_then(|value| self.regions(value, &child(&root, "regions")));

        let destinations = match lookup(&entries, "destinations") {
            None => Some(Vec::new()),
            Some(value) if value.is_null() => Some(Vec::new()),
            Some(value) => self.destinations(value, &child(&root, "destinations")),
        };

        let origin = self.location(&child(&root, "name"), At::Key);
        let (token_url, app) = token_url?;
        Some(ConnectionSpec {
            name: name?,
            description,
            token_url,
            client_id: client_id?,
            client_secret: client_secret?,
            oauth: oauth?,
            invocation: invocation?,
            kms_key,
            private_link,
            regions,
            destinations: destinations?,
            app,
            origin,
        })
    }

    /// `destinations:`, a list of API destinations on this org.
    fn destinations(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<DestinationSpec>> {
        let Value::Sequence(items) = value else {
            self.report(
                path,
                at_value(value),
                format!("expected a list of API destinations, found {}", kind(value)),
                "write `destinations:` with one `- name: ...` item per API destination",
            );
            return None;
        };
        let mut ok = true;
        let mut destinations = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let mut item_path = path.to_vec();
            item_path.push(Segment::Index(index));
            match self.destination(item, &item_path) {
                Some(destination) => destinations.push(destination),
                None => ok = false,
            }
        }
        ok.then_some(destinations)
    }

    fn destination(&mut self, value: &Value, path: &[Segment]) -> Option<DestinationSpec> {
        let entries = self.mapping(value, path, keys::DESTINATION)?;
        let name = self
            .required(
                &entries,
                path,
                "name",
                "add `name: <api-destination-name>` (1-64 of A-Z a-z 0-9 . - _)",
            )
            .and_then(|value| {
                let name_path = child(path, "name");
                let name = self.string(value, &name_path)?;
                (self.check(&name_path, limits::check_name(&name))
                    && self.check(&name_path, self.prefixed(&name, "API destination")))
                .then_some(name)
            });
        let description = match lookup(&entries, "description") {
            Some(value) if !value.is_null() => {
                let description_path = child(path, "description");
                let text = self.string(value, &description_path);
                let rules = self.rules;
                text.filter(|text| {
                    self.check(
                        &description_path,
                        limits::check_description_with(text, &rules.marker),
                    )
                })
                .map(Some)
            }
            _ => Some(None),
        };
        let targets: Vec<&str> = ["event", "sobject", "path"]
            .into_iter()
            .filter(|key| lookup(&entries, key).is_some())
            .collect();
        let target = match targets.as_slice() {
            [] if ["event", "sobject", "path"]
                .iter()
                .any(|key| self.misspelt(path, key)) =>
            {
                None
            }
            [] => {
                self.report(
                    path,
                    At::Key,
                    "an API destination needs one of `event`, `sobject` or `path`",
                    "write `event: Order_Placed__e` (a Platform Event), `sobject: Case`, or `path: /services/apexrest/...`",
                );
                None
            }
            [key] => {
                let key_path = child(path, key);
                let raw = lookup(&entries, key)?;
                let text = self.string(raw, &key_path)?;
                let checked = match *key {
                    "event" => destination_rules::check_event(&text)
                        .map(|()| DestinationTarget::Event(text)),
                    "sobject" => destination_rules::check_sobject(&text)
                        .map(|()| DestinationTarget::SObject(text)),
                    _ => {
                        destination_rules::check_path(&text).map(|()| DestinationTarget::Path(text))
                    }
                };
                match checked {
                    Ok(target) => Some(target),
                    Err(Violation { message, help }) => {
                        self.report(&key_path, At::Value, message, help);
                        None
                    }
                }
            }
            several => {
                self.report(
                    &child(path, several[1]),
                    At::Key,
                    format!(
                        "an API destination takes exactly one of `event`, `sobject` or `path`; found {}",
                        several.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ")
                    ),
                    "keep the one the destination posts to",
                );
                None
            }
        };
        let api_version = match lookup(&entries, "apiVersion") {
            None => Some(DEFAULT_API_VERSION.to_string()),
            Some(value) => {
                let version_path = child(path, "apiVersion");
                let version = self.string(value, &version_path)?;
                self.check(
                    &version_path,
                    destination_rules::check_api_version(&version),
                )
                .then_some(version)
            }
        };
        let rate_limit = match lookup(&entries, "rateLimitPerSecond") {
            None => Some(destination_rules::DEFAULT_RATE_LIMIT),
            Some(value) => {
                let rate_path = child(path, "rateLimitPerSecond");
                let written = self.document.raw_scalar(&rate_path).map(str::to_string);
                // Decimal digits exactly as written: YAML would also read `0x10`, `0o20`,
                // `+16` or `1_6` as numbers, and a reader of the file would not expect 16.
                let decimal = written
                    .as_deref()
                    .is_some_and(destination_rules::is_plain_decimal);
                let rate = match value {
                    Value::Number(number) if decimal => {
                        number.as_u64().filter(|n| (1..=300).contains(n))
                    }
                    _ => None,
                };
                match rate {
                    Some(rate) => Some(u32::try_from(rate).unwrap_or(300)),
                    None => {
                        let shown = written.unwrap_or_else(|| kind(value).to_string());
                        self.report(
                            &rate_path,
                            at_value(value),
                            format!("`{shown}` is not a rate limit: EventBridge takes a whole number of invocations per second from 1 to 300, written in decimal digits"),
                            "write e.g. `rateLimitPerSecond: 100`, or leave it out for AWS's default and maximum, 300",
                        );
                        None
                    }
                }
            }
        };
        Some(DestinationSpec {
            name: name?,
            description: description?,
            target: target?,
            api_version: api_version?,
            rate_limit_per_second: rate_limit?,
            origin: self.location(&child(path, "name"), At::Key),
        })
    }

    /// `salesforce:`: the token URL, and the External Client App when `app` is declared. Both
    /// are checked whatever the other's problems, so every problem is reported at once.
    fn salesforce(
        &mut self,
        value: &Value,
        path: &[Segment],
        connection: Option<&str>,
    ) -> Option<(String, Option<AppSpec>)> {
        let entries = self.mapping(value, path, keys::SALESFORCE)?;
        let app = match lookup(&entries, "app") {
            None => Some(None),
            Some(value) => self.app(value, &child(path, "app"), connection).map(Some),
        };
        let token_url = self.token_url(&entries, path);
        Some((token_url?, app?))
    }

    fn token_url(&mut self, entries: &[(String, &Value)], path: &[Segment]) -> Option<String> {
        let allow_any_host = match lookup(entries, "allowAnyHost") {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                self.report(
                    &child(path, "allowAnyHost"),
                    At::Value,
                    format!("expected true or false, found {}", kind(other)),
                    "write `allowAnyHost: true` or remove it",
                );
                return None;
            }
        };
        let my_domain = lookup(entries, "myDomain");
        let token_url = lookup(entries, "tokenUrl");
        let sandbox = lookup(entries, "sandbox");
        match (my_domain, token_url) {
            (Some(_), Some(_)) => {
                self.report(
                    &child(path, "tokenUrl"),
                    At::Key,
                    "both `myDomain` and `tokenUrl` are set",
                    "keep one: `myDomain` (with optional `sandbox`) builds the URL, `tokenUrl` gives it whole",
                );
                None
            }
            (None, None) if self.misspelt(path, "myDomain") || self.misspelt(path, "tokenUrl") => {
                None
            }
            (None, None) => {
                self.report(
                    path,
                    At::Key,
                    "missing `myDomain` (or `tokenUrl`)",
                    "add `myDomain: <name>` (from Setup > My Domain), or `tokenUrl: https://<name>.my.salesforce.com/services/oauth2/token`",
                );
                None
            }
            (Some(my_domain), None) => {
                let domain_path = child(path, "myDomain");
                let name = self.string(my_domain, &domain_path)?;
                let name_ok = self.check(&domain_path, token_url::check_my_domain(&name));
                let sandbox = match sandbox {
                    Some(value) => {
                        let sandbox_path = child(path, "sandbox");
                        let sandbox = self.string(value, &sandbox_path)?;
                        self.check(&sandbox_path, token_url::check_sandbox(&sandbox))
                            .then_some(Some(sandbox))?
                    }
                    None => None,
                };
                name_ok.then(|| token_url::from_my_domain(&name, sandbox.as_deref()))
            }
            (None, Some(url)) => {
                if sandbox.is_some() {
                    self.report(
                        &child(path, "sandbox"),
                        At::Key,
                        "`sandbox` only works with `myDomain`",
                        "remove `sandbox` and put the sandbox host in `tokenUrl`, or use `myDomain` with `sandbox`",
                    );
                    return None;
                }
                let url_path = child(path, "tokenUrl");
                let url = self.string(url, &url_path)?;
                let ok = self.check(&url_path, limits::check_endpoint_length(&url))
                    && self.check(&url_path, token_url::check_token_url(&url, allow_any_host));
                ok.then_some(url)
            }
        }
    }

    /// `salesforce.app:`: the External Client App as code, with its defaults applied.
    fn app(
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
        let (
            Some(name),
            Some(label),
            Some(contact_email),
            Some(run_as_user),
            Some(scopes),
            Some(permitted_users),
        ) = (
            name,
            label,
            contact_email,
            run_as_user,
            scopes,
            permitted_users,
        )
        else {
            return None;
        };
        Some(AppSpec {
            name,
            label,
            contact_email,
            run_as_user,
            scopes,
            permitted_users,
        })
    }

    /// `scopes:`: a list of Salesforce's Metadata API scope names.
    fn scopes(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<String>> {
        let Value::Sequence(items) = value else {
            self.report(
                path,
                at_value(value),
                format!(
                    "expected a list of OAuth scope names, found {}",
                    kind(value)
                ),
                "write e.g. `scopes: [Api]`",
            );
            return None;
        };
        let mut ok = true;
        let mut scopes: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let mut item_path = path.to_vec();
            item_path.push(Segment::Index(index));
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

    /// A literal value or a secret reference.
    fn value_source(&mut self, value: &Value, path: &[Segment]) -> Option<ValueSource> {
        match value {
            Value::Mapping(_) => self.secret_ref(value, path).map(ValueSource::Reference),
            _ => self.string(value, path).map(ValueSource::Literal),
        }
    }

    fn secret_ref(&mut self, value: &Value, path: &[Segment]) -> Option<SecretRef> {
        if value.is_null() {
            self.report(
                path,
                At::Key,
                "the secret reference is empty",
                sources::help(),
            );
            return None;
        }
        let entries = self.mapping(value, path, keys::SECRET_REFERENCE)?;
        let given: Vec<&'static Source> = SOURCES
            .iter()
            .copied()
            .filter(|source| lookup(&entries, source.key.name).is_some())
            .collect();
        let source = match given.as_slice() {
            [] if SOURCES
                .iter()
                .any(|source| self.misspelt(path, source.key.name)) =>
            {
                return None;
            }
            [] => {
                self.report(
                    path,
                    At::Key,
                    format!("a secret reference needs one of {}", sources::one_of()),
                    sources::help(),
                );
                return None;
            }
            [source] => *source,
            several => {
                self.report(
                    path,
                    At::Key,
                    format!(
                        "a secret reference takes exactly one of {}; found {}",
                        sources::one_of(),
                        several
                            .iter()
                            .map(|s| format!("`{}`", s.key.name))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    "keep only the one the value should come from",
                );
                return None;
            }
        };
        for (name, _) in &entries {
            if let Some((owner, _)) = sources::option(name)
                && owner.key.name != source.key.name
            {
                self.report(
                    &child(path, name),
                    At::Key,
                    format!("`{name}` only works with `{}`", owner.key.name),
                    format!("remove `{name}`"),
                );
                return None;
            }
        }
        let source_key = source.key.name;
        let source_path = child(path, source_key);
        let raw = lookup(&entries, source_key)?;
        let text = self.string(raw, &source_path)?;
        if text.trim().is_empty() {
            self.report(
                &source_path,
                At::Value,
                format!("`{source_key}` is empty"),
                sources::help(),
            );
            return None;
        }
        let mut options = Vec::new();
        for option in source.options {
            if let Some(value) = lookup(&entries, option.name) {
                options.push((option.name, self.string(value, &child(path, option.name))?));
            }
        }
        let written = Written {
            text,
            options: &options,
            folder: self.file.parent().unwrap_or(Path::new(".")),
        };
        let source = match (source.parse)(written) {
            Ok(source) => source,
            Err(refused) => {
                self.report(&source_path, At::Value, refused.message, refused.help);
                return None;
            }
        };
        Some(SecretRef {
            source,
            origin: self.origin(path),
        })
    }

    /// `oauth:` or `invocation:` with their `headers`, `query` and `body` maps.
    fn parameters(
        &mut self,
        value: &Value,
        path: &[Segment],
        is_oauth: bool,
    ) -> Option<HttpParameters> {
        if value.is_null() {
            return Some(HttpParameters::default());
        }
        let entries = self.mapping(value, path, keys::PARAMETER_BLOCK)?;
        let mut ok = true;
        let mut parameters = HttpParameters::default();
        for (block, item) in entries {
            let block_path = child(path, &block);
            let list = match self.parameter_list(item, &block_path, &block, is_oauth) {
                Some(list) => list,
                None => {
                    ok = false;
                    continue;
                }
            };
            match block.as_str() {
                "headers" => parameters.headers = list,
                "query" => parameters.query = list,
                _ => parameters.body = list,
            }
        }
        ok.then_some(parameters)
    }

    fn parameter_list(
        &mut self,
        value: &Value,
        path: &[Segment],
        block: &str,
        is_oauth: bool,
    ) -> Option<Vec<Parameter>> {
        if value.is_null() {
            return Some(Vec::new());
        }
        let entries = self.mapping(value, path, &[])?;
        let what = match block {
            "headers" => "header",
            "query" => "query",
            _ => "body",
        };
        let mut ok = true;
        if let Err(Violation { message, help }) = limits::check_list_size(what, entries.len()) {
            self.report(path, At::Key, message, help);
            ok = false;
        }
        let mut parameters = Vec::new();
        for (key, item) in entries {
            let item_path = child(path, &key);
            let key_check = match block {
                "headers" => limits::check_header_key(&key),
                "query" => limits::check_query_part("query parameter name", &key),
                _ => limits::check_body_key(&key),
            };
            if let Err(Violation { message, help }) = key_check {
                self.report(&item_path, At::Key, message, help);
                ok = false;
                continue;
            }
            if is_oauth && block == "body" && key == "grant_type" {
                self.report(
                    &item_path,
                    At::Key,
                    "`grant_type` cannot be set: provision always sends `grant_type=client_credentials`",
                    "remove `grant_type`; the client credentials flow is the only one EventBridge connections use here",
                );
                ok = false;
                continue;
            }
            if is_oauth && block == "body" && (key == "client_id" || key == "client_secret") {
                self.report(
                    &item_path,
                    At::Key,
                    format!("`{key}` cannot be set as a body parameter"),
                    "EventBridge sends the client id and secret itself; set them with `clientId` and `clientSecret`",
                );
                ok = false;
                continue;
            }
            let Some(source) = self.value_source(item, &item_path) else {
                ok = false;
                continue;
            };
            if let ValueSource::Literal(text) = &source {
                let value_check = match block {
                    "headers" => limits::check_header_value(text),
                    "query" => limits::check_query_part("query parameter value", text),
                    _ => Ok(()),
                };
                if !self.check(&item_path, value_check) {
                    ok = false;
                    continue;
                }
            }
            parameters.push(Parameter { key, value: source });
        }
        if block == "headers" {
            ok &= self.duplicate_header_names(&parameters, path);
        }
        ok.then_some(parameters)
    }

    /// HTTP header names are case-insensitive: `X-Token` and `x-token` are the same header.
    fn duplicate_header_names(&mut self, parameters: &[Parameter], path: &[Segment]) -> bool {
        let mut ok = true;
        for (index, parameter) in parameters.iter().enumerate() {
            if let Some(first) = parameters[..index]
                .iter()
                .find(|p| p.key.eq_ignore_ascii_case(&parameter.key))
            {
                let at = child(path, &parameter.key);
                self.report(
                    &at,
                    At::Key,
                    format!("header `{}` is declared twice (as `{}` and `{}`; header names ignore case)", parameter.key, first.key, parameter.key),
                    "keep one of them",
                );
                ok = false;
            }
        }
        ok
    }

    fn regions(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<String>> {
        let Value::Sequence(items) = value else {
            self.report(
                path,
                at_value(value),
                format!("expected a list of Region names, found {}", kind(value)),
                "write e.g. `regions: [us-east-1, eu-west-1]`",
            );
            return None;
        };
        let mut listed: Vec<(usize, String)> = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let mut item_path = path.to_vec();
            item_path.push(Segment::Index(index));
            let Some(region) = self.string(item, &item_path) else {
                ok = false;
                continue;
            };
            let rules = self.rules;
            if !self.check(
                &item_path,
                regions::check_region_with(&region, &rules.extra_regions),
            ) {
                ok = false;
                continue;
            }
            if let Some((first, _)) = listed.iter().find(|(_, r)| *r == region) {
                self.report(
                    &item_path,
                    At::Value,
                    format!("`{region}` is listed twice (also as regions[{first}])"),
                    "remove one of them",
                );
                ok = false;
                continue;
            }
            listed.push((index, region));
        }
        if !ok {
            return None;
        }
        let regions: Vec<String> = listed.into_iter().map(|(_, region)| region).collect();
        if regions.is_empty() {
            self.report(
                path,
                At::Value,
                "the list of Regions is empty",
                "list at least one Region, or remove `regions` to use the Region of the run",
            );
            return None;
        }
        Some(regions)
    }
}

fn lookup<'v>(entries: &[(String, &'v Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// Scalars as text: strings as they are, numbers and booleans as `written` in the source
/// (never serde_yaml's canonical form: `0x1F` stays `0x1F`). `None` for anything else, and for
/// a number or boolean whose source text is not known.
fn as_written(value: &Value, written: Option<&str>) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(_) | Value::Bool(_) => written.map(str::to_string),
        _ => None,
    }
}

/// What a YAML value is, as messages name it ("expected a string, found a list").
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (an empty value)",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value (YAML tags are not supported)",
    }
}

fn expected_help(path: &[Segment]) -> String {
    let field = display_path(path);
    match field.as_str() {
        "" => "a connection document is a mapping with `name`, `salesforce`, `clientId` and `clientSecret`".to_string(),
        "salesforce" => "write `salesforce: { myDomain: <name> }`".to_string(),
        "salesforce.app" => "write `app: { contactEmail: <address>, runAsUser: <username> }`".to_string(),
        "oauth" | "invocation" => format!("write `{field}:` with `headers:`, `query:` or `body:` maps below it"),
        "privateLink" => "write `privateLink: { resourceConfigurationArn: arn:aws:vpc-lattice:... }`".to_string(),
        "name" => "write `name: <connection-name>` (1-64 of A-Z a-z 0-9 . - _)".to_string(),
        "clientId" => format!("write the connected app's consumer key (it starts with 3MVG), or a reference: {}", sources::help()),
        "salesforce.myDomain" => "write the My Domain name from Setup > My Domain, e.g. `myDomain: acme`".to_string(),
        "salesforce.tokenUrl" => "write `tokenUrl: https://<name>.my.salesforce.com/services/oauth2/token`".to_string(),
        _ if field.ends_with(".headers") || field.ends_with(".query") || field.ends_with(".body") => {
            "write the parameters as `Name: value` pairs".to_string()
        }
        _ if path.len() == 3
            && matches!(path.first(), Some(Segment::Key(block)) if block == "oauth" || block == "invocation") =>
        {
            format!("write a plain value, or a reference: {}", sources::help())
        }
        _ => format!("give `{field}` a plain value"),
    }
}

/// The allowed key closest to a misspelt one, if any is close enough.
pub(crate) fn suggest(key: &str, allowed: Keys) -> Option<&'static str> {
    suggest_among(key, keys::names(allowed))
}

/// The candidate closest to a misspelt word, if any is close enough.
fn suggest_among(
    key: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml::parse_documents;

    const REQUIRED: &str = "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: S }\n";

    fn convert_text(text: &str) -> Result<ConnectionSpec, Vec<String>> {
        let file = Path::new("c.yaml");
        let documents = parse_documents(file, text).map_err(|p| vec![p.to_string()])?;
        let mut problems = Vec::new();
        let spec = convert_with(file, &documents[0], &mut problems, &Rules::default());
        spec.ok_or_else(|| problems.iter().map(ToString::to_string).collect())
    }

    fn literals(parameters: &[Parameter]) -> Vec<(&str, &str)> {
        parameters
            .iter()
            .map(|p| match &p.value {
                ValueSource::Literal(text) => (p.key.as_str(), text.as_str()),
                ValueSource::Reference(_) => (p.key.as_str(), "(reference)"),
            })
            .collect()
    }

    #[test]
    fn numbers_and_booleans_are_taken_exactly_as_written() {
        let text = format!(
            "{REQUIRED}description: 3.10\ninvocation:\n  headers:\n    X-V: 0x1F\n    X-E: 1e3\n    X-H: .5\n    X-P: +1\n    X-T: true\n    X-C: True\n    X-O: 0o17\n    X-I: .inf\n    123: 007\n  query:\n    1.0: -0\n    false: 1_000\n  body:\n    TRUE: 12345678901234567890123\n"
        );
        let spec = convert_text(&text).unwrap();
        assert_eq!(spec.description.as_deref(), Some("3.10"));
        assert_eq!(
            literals(&spec.invocation.headers),
            [
                ("X-V", "0x1F"),
                ("X-E", "1e3"),
                ("X-H", ".5"),
                ("X-P", "+1"),
                ("X-T", "true"),
                ("X-C", "True"),
                ("X-O", "0o17"),
                ("X-I", ".inf"),
                ("123", "007"),
            ]
        );
        assert_eq!(
            literals(&spec.invocation.query),
            [("1.0", "-0"), ("false", "1_000")]
        );
        assert_eq!(
            literals(&spec.invocation.body),
            [("TRUE", "12345678901234567890123")]
        );
    }

    #[test]
    fn every_string_field_is_taken_as_written() {
        let text = "name: 1.10\nsalesforce:\n  myDomain: acme\nclientId: 0x3MVG\nclientSecret: { secretsManager: 1e3, key: 0x1F, versionStage: 1.0 }\nkmsKey: 1.50\noauth:\n  body:\n    scope: 1e-3\n";
        let spec = convert_text(text).unwrap();
        assert_eq!(spec.name, "1.10");
        assert_eq!(spec.client_id, ValueSource::Literal("0x3MVG".into()));
        assert_eq!(
            spec.client_secret.source,
            crate::sources::SecretSource::SecretsManager {
                id: "1e3".into(),
                key: Some("0x1F".into()),
                version_stage: Some("1.0".into()),
            }
        );
        assert_eq!(spec.kms_key.as_deref(), Some("1.50"));
        assert_eq!(literals(&spec.oauth.body), [("scope", "1e-3")]);
    }

    #[test]
    fn aliases_repeat_the_text_of_their_anchor() {
        let text = format!(
            "{REQUIRED}invocation:\n  headers:\n    X-A: &v 0x1F\n    X-B: *v\n  query: &q\n    1.0: 2.50\noauth:\n  query: *q\n"
        );
        let spec = convert_text(&text).unwrap();
        assert_eq!(
            literals(&spec.invocation.headers),
            [("X-A", "0x1F"), ("X-B", "0x1F")]
        );
        assert_eq!(literals(&spec.oauth.query), [("1.0", "2.50")]);
    }

    #[test]
    fn a_written_null_says_how_to_send_the_text() {
        let text = format!("{REQUIRED}invocation:\n  headers:\n    X-Header: null\n");
        let problems = convert_text(&text).unwrap_err();
        assert_eq!(
            problems,
            [
                "c.yaml:8:15: invocation.headers.X-Header: the value is missing: `null` means no value in YAML\n  help: write a plain value, or a reference: write one of `{ env: NAME }`, `{ file: path/to/file }`, `{ secretsManager: name-or-arn, key: field }` or `{ ssm: /path/name }`; to send the text null, quote it: `\"null\"`"
            ]
        );
        // Optional fields written as null are absent, as before.
        let spec = convert_text(&format!("{REQUIRED}description: ~\nkmsKey: null\n")).unwrap();
        assert_eq!((spec.description, spec.kms_key), (None, None));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_key() {
        let spec = convert_text(&format!("\u{feff}{REQUIRED}")).unwrap();
        assert_eq!(spec.name, "sf-acme-prod");
        let problems = convert_text("\u{feff}name: a b\n").unwrap_err();
        assert!(
            problems[0].starts_with("c.yaml:1:7: name: the name contains ` `"),
            "{problems:?}"
        );
    }

    /// The keys the parser reports missing are exactly those its table marks required.
    #[test]
    fn the_parser_requires_exactly_the_keys_the_table_marks_required() {
        fn missing(problems: &[String]) -> Vec<&str> {
            problems
                .iter()
                .filter_map(|p| p.split("missing required key `").nth(1))
                .filter_map(|rest| rest.split('`').next())
                .collect()
        }
        let required = |table: Keys| -> Vec<&str> {
            table
                .iter()
                .filter(|key| key.required)
                .map(|key| key.name)
                .collect()
        };
        let problems = convert_text("description: only this\n").unwrap_err();
        assert_eq!(missing(&problems), required(keys::TOP));
        let problems = convert_text(&format!("{REQUIRED}privateLink: {{}}\n")).unwrap_err();
        assert_eq!(missing(&problems), required(keys::PRIVATE_LINK));
    }

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

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(suggest("clientSecrt", keys::TOP), Some("clientSecret"));
        assert_eq!(suggest("clientid", keys::TOP), Some("clientId"));
        assert_eq!(suggest("mydomain", keys::SALESFORCE), Some("myDomain"));
        assert_eq!(suggest("completely-else", keys::TOP), None);
    }
}
