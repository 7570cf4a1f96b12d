//! Resolves secret references into a [`DesiredConnection`], each through its source
//! ([`crate::sources`]).
//!
//! Runs only in `diff` and `apply`, never in `validate`. A remote value (a Secrets Manager
//! secret) used by many connections is read once. Errors name the YAML file, line and field,
//! and what to do, and never the value.

use crate::aws::secretsmanager::SecretsManagerClients;
use crate::desired::{
    DesiredConnection, DesiredParameter, DesiredParameters, GRANT_TYPE, ParameterValue,
};
use crate::error::Problem;
use crate::manifest::limits::{self, Violation};
use crate::manifest::{ConnectionSpec, HttpParameters, SecretRef, ValueSource};
use crate::ownership::OwnershipSet;
use crate::place::Place;
use crate::secret::Secret;
use crate::sources::{Address, Reading, Stores};
use std::sync::{Arc, Mutex};

/// One secret a run read: where from, and what tells a later run whether it still holds the
/// same value (a saved plan records it; see [`crate::plan::saved`]).
#[derive(Debug, Clone)]
pub(crate) struct SecretRead {
    pub(crate) source: Address,
    pub(crate) evidence: Evidence,
}

/// What tells whether a secret changed.
#[derive(Debug, Clone)]
pub(crate) enum Evidence {
    /// A version id the store gives (Secrets Manager's `VersionId`): not secret.
    Version(String),
    /// Only the value itself (`env`, `file`, and a store that gave no version): a saved plan
    /// keeps a slow salted hash of it.
    Value(Secret),
}

/// Reads secret references for the connections of one place, sharing every source's clients
/// and the cache of remote reads with the whole run (a secret used by many connections, in
/// any Region, is read once).
#[derive(Clone)]
pub(crate) struct SecretResolver {
    shared: Arc<Stores>,
    /// Every secret the run read, for a saved plan.
    read: Arc<Mutex<Vec<SecretRead>>>,
    /// Where a secret given by name is looked for: the connection's place.
    place: Place,
}

impl SecretResolver {
    /// A resolver reading Secrets Manager through the given clients (tests bring mocked ones).
    #[cfg(test)]
    pub(crate) fn new(clients: SecretsManagerClients, place: Place) -> Self {
        SecretResolver {
            shared: Arc::new(Stores::new(clients)),
            read: Arc::default(),
            place,
        }
    }

    /// The resolver of a run: every source's clients made from `config` as needed.
    pub(crate) fn from_config(
        config: impl Into<crate::aws::regional::Configs>,
        place: Place,
    ) -> Self {
        SecretResolver {
            shared: Arc::new(Stores::from_config(config)),
            read: Arc::default(),
            place,
        }
    }

    /// The resolver for another place of the same run: same clients, same cache.
    pub(crate) fn for_place(&self, place: &Place) -> Self {
        SecretResolver {
            shared: self.shared.clone(),
            read: self.read.clone(),
            place: place.clone(),
        }
    }

    /// A resolver for `place` on the same clients that reads afresh: its own cache and its
    /// own list of what it read (what a reference holds after the run wrote it).
    pub(crate) fn uncached(&self, place: &Place) -> Self {
        SecretResolver {
            shared: Arc::new(self.shared.sharing_clients()),
            read: Arc::default(),
            place: place.clone(),
        }
    }

    /// The Secrets Manager clients every place's resolver reads through, by place.
    pub(crate) fn secrets_managers(&self) -> &SecretsManagerClients {
        &self.shared.secrets_manager
    }

    /// The desired state of a connection, or every problem resolving it.
    pub(crate) async fn desired(
        &self,
        spec: &ConnectionSpec,
        set: &OwnershipSet,
    ) -> Result<DesiredConnection, Vec<Problem>> {
        let mut problems = Vec::new();
        let client_id = match &spec.client_id {
            ValueSource::Literal(text) => Some(ParameterValue::Plain(text.clone())),
            ValueSource::Reference(reference) => {
                match self
                    .resolve(reference)
                    .await
                    .and_then(|s| checked(reference, "client id", s))
                {
                    // Read from a secret store: never shown, even if it is only a key.
                    Ok(secret) => Some(ParameterValue::Secret(secret)),
                    Err(problem) => {
                        problems.push(problem);
                        None
                    }
                }
            }
        };
        let client_secret = match self
            .resolve(&spec.client_secret)
            .await
            .and_then(|s| checked(&spec.client_secret, "client secret", s))
        {
            Ok(secret) => Some(secret),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let mut oauth = self.parameters(&spec.oauth, &mut problems).await;
        oauth.body.insert(
            0,
            DesiredParameter {
                key: GRANT_TYPE.0.to_string(),
                value: ParameterValue::Plain(GRANT_TYPE.1.to_string()),
            },
        );
        let invocation = self.parameters(&spec.invocation, &mut problems).await;
        match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) if problems.is_empty() => {
                Ok(DesiredConnection {
                    name: spec.name.clone(),
                    place: self.place.clone(),
                    description: set.describe(spec.description.as_deref()),
                    authorization_endpoint: spec.token_url.clone(),
                    client_id,
                    client_secret,
                    oauth,
                    invocation,
                    kms_key: spec.kms_key.clone(),
                    resource_configuration_arn: spec
                        .private_link
                        .as_ref()
                        .map(|p| p.resource_configuration_arn.clone()),
                    token_resource_configuration_arn: spec
                        .private_link
                        .as_ref()
                        .filter(|p| p.private_token_endpoint)
                        .map(|p| p.resource_configuration_arn.clone()),
                    origin: spec.origin.clone(),
                })
            }
            _ => Err(problems),
        }
    }

    async fn parameters(
        &self,
        declared: &HttpParameters,
        problems: &mut Vec<Problem>,
    ) -> DesiredParameters {
        let mut resolved = DesiredParameters::default();
        for (list, target, check) in [
            (
                &declared.headers,
                &mut resolved.headers,
                limits::check_header_value as fn(&str) -> Result<(), Violation>,
            ),
            (&declared.query, &mut resolved.query, |v: &str| {
                limits::check_query_part("query parameter value", v)
            }),
            (&declared.body, &mut resolved.body, |_: &str| Ok(())),
        ] {
            for parameter in list {
                let value = match &parameter.value {
                    ValueSource::Literal(text) => ParameterValue::Plain(text.clone()),
                    ValueSource::Reference(reference) => match self.resolve(reference).await {
                        Ok(secret) => match check(secret.expose()) {
                            Ok(()) => ParameterValue::Secret(secret),
                            Err(_) => {
                                // The violation text may quote a character of the value: say less.
                                problems.push(problem(
                                    reference,
                                    format!("the value from {} cannot be sent here: it must be at most 512 characters of printable text", reference.source.describe()),
                                    "check the stored value (a trailing newline is a common cause)",
                                ));
                                continue;
                            }
                        },
                        Err(problem) => {
                            problems.push(problem);
                            continue;
                        }
                    },
                };
                target.push(DesiredParameter {
                    key: parameter.key.clone(),
                    value,
                });
            }
        }
        resolved
    }

    /// Every secret read so far, each source once, in a stable order.
    pub(crate) fn read(&self) -> Vec<SecretRead> {
        let mut read = self
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        read.sort_by(|a, b| a.source.cmp(&b.source));
        read.dedup_by(|a, b| a.source == b.source);
        read
    }

    /// The value behind one reference.
    pub(crate) async fn resolve(&self, reference: &SecretRef) -> Result<Secret, Problem> {
        let reading = Reading {
            stores: &self.shared,
            place: &self.place,
        };
        let fetched = (reference.source.kind().read)(reading, &reference.source)
            .await
            .map_err(|unread| problem(reference, unread.what, unread.help))?;
        let evidence = match fetched.version {
            Some(version) => Evidence::Version(version),
            None => Evidence::Value(fetched.value.clone()),
        };
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(SecretRead {
                source: reference.source.address(&self.place),
                evidence,
            });
        let secret = fetched.value;
        if secret.is_empty() {
            return Err(problem(
                reference,
                format!("the secret from {} is empty", reference.source.describe()),
                "store the value in it",
            ));
        }
        Ok(secret)
    }
}

/// The AWS rules for a client id or secret read from a reference. The violation's wording
/// ("the client secret contains a newline") never quotes the value.
fn checked(reference: &SecretRef, what: &str, secret: Secret) -> Result<Secret, Problem> {
    match limits::check_client_credential(what, secret.expose()) {
        Ok(()) => Ok(secret),
        Err(violation) => {
            let prefix = format!("the {what} ");
            let detail = violation
                .message
                .strip_prefix(&prefix)
                .unwrap_or(&violation.message);
            Err(problem(
                reference,
                format!("the {what} from {} {detail}", reference.source.describe()),
                violation.help,
            ))
        }
    }
}

fn problem(
    reference: &SecretRef,
    message: impl Into<crate::outside::Outside>,
    help: impl Into<crate::outside::Outside>,
) -> Problem {
    Problem::new(message)
        .at(reference.origin.location.clone())
        .field(reference.origin.field.clone())
        .help(help)
}

#[cfg(test)]
mod tests {
    //! Every failure to read a secret names the YAML file, line and field, says what to do, and
    //! never prints the value. Secrets Manager answers come from `aws-smithy-mocks`; `env` and
    //! `file` references run against a client with no rules, which fails any request it gets.

    use super::*;
    use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueOutput;
    use aws_sdk_secretsmanager::primitives::Blob;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::retry::RetryConfig;
    use std::path::{Path, PathBuf};

    const SECRET_ID: &str = "salesforce/acme-prod";

    fn resolver(rules: &[&Rule]) -> SecretResolver {
        let interceptor = rules.iter().fold(
            MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
            |interceptor, rule| interceptor.with_rule(rule),
        );
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "test", None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        let client = crate::aws::secretsmanager::SecretsManager {
            client: aws_sdk_secretsmanager::Client::from_conf(config),
            reach: crate::aws::Reach::for_tests(),
        };
        SecretResolver::new(
            SecretsManagerClients::only(crate::tests::place("us-east-1"), client),
            crate::tests::place("us-east-1"),
        )
    }

    /// A connection file in its own folder, loaded the way `diff` loads it.
    struct Declared {
        folder: tempfile::TempDir,
        file: PathBuf,
        spec: ConnectionSpec,
    }

    fn declare(yaml: &str) -> Declared {
        let folder = tempfile::tempdir().expect("temporary folder");
        let file = folder.path().join("connection.yaml");
        std::fs::write(&file, yaml).expect("write YAML");
        let mut specs =
            crate::manifest::load::load(std::slice::from_ref(&file)).expect("valid YAML");
        Declared {
            folder,
            file,
            spec: specs.remove(0),
        }
    }

    /// A connection whose client secret is the given reference (a flow mapping on line 5).
    fn with_secret(reference: &str) -> String {
        format!(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: {reference}\n"
        )
    }

    /// The one problem resolving `declared` reports, rendered as the user sees it.
    async fn only_problem(resolver: &SecretResolver, declared: &Declared) -> String {
        let problems = resolver
            .desired(&declared.spec, &OwnershipSet::default())
            .await
            .expect_err("resolution fails");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems[0].to_string()
    }

    fn in_file(file: &Path, rest: &str) -> String {
        format!("{}:{rest}", file.display())
    }

    /// Sets a variable no other test reads.
    fn set_env(name: &str, value: impl AsRef<std::ffi::OsStr>) {
        // SAFETY: each test uses its own variable name, and std serialises its own
        // environment accesses; nothing here reads the environment through libc directly.
        unsafe { std::env::set_var(name, value) };
    }

    fn secret_string(value: &'static str) -> Rule {
        mock!(aws_sdk_secretsmanager::Client::get_secret_value)
            .match_requests(|request| request.secret_id() == Some(SECRET_ID))
            .then_output(move || GetSecretValueOutput::builder().secret_string(value).build())
    }

    fn aws_error(status: u16, code: &str, message: &str) -> HttpResponse {
        let body = serde_json::json!({ "__type": code, "Message": message }).to_string();
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::from(body),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        response
    }

    // --- env ---------------------------------------------------------------------------

    #[tokio::test]
    async fn an_unset_variable_is_named_with_the_file_and_field() {
        let declared = declare(&with_secret("{ env: PROVISION_TEST_UNSET_7F3A }"));
        assert_eq!(
            only_problem(&resolver(&[]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: environment variable PROVISION_TEST_UNSET_7F3A is not set\n  help: export PROVISION_TEST_UNSET_7F3A before running provision (in CI, map it from the CI secret store)"
            )
        );
    }

    #[tokio::test]
    async fn a_variable_that_is_not_unicode_is_refused() {
        use std::os::unix::ffi::OsStrExt;
        set_env(
            "PROVISION_TEST_NOT_UNICODE",
            std::ffi::OsStr::from_bytes(b"caf\xe9"),
        );
        let declared = declare(&with_secret("{ env: PROVISION_TEST_NOT_UNICODE }"));
        assert_eq!(
            only_problem(&resolver(&[]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: environment variable PROVISION_TEST_NOT_UNICODE is not valid UTF-8\n  help: set it to text"
            )
        );
    }

    #[tokio::test]
    async fn a_client_secret_with_a_colon_is_refused_without_showing_it() {
        let value = "9F8E7D6C:5B4A3928";
        set_env("PROVISION_TEST_COLON_SECRET", value);
        let declared = declare(&with_secret("{ env: PROVISION_TEST_COLON_SECRET }"));
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: the client secret from environment variable PROVISION_TEST_COLON_SECRET contains `:`, which AWS does not allow\n  help: check that this is the client secret and nothing else"
            )
        );
        assert!(!message.contains("9F8E7D6C"), "{message}");
    }

    #[tokio::test]
    async fn a_client_secret_with_a_trailing_newline_from_env_is_refused() {
        let value = "9F8E7D6C5B4A3928\n";
        set_env("PROVISION_TEST_NEWLINE_SECRET", value);
        let declared = declare(&with_secret("{ env: PROVISION_TEST_NEWLINE_SECRET }"));
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: the client secret from environment variable PROVISION_TEST_NEWLINE_SECRET contains a newline, which AWS does not allow\n  help: remove the control character (a trailing newline in a secret file or variable is a common cause)"
            )
        );
        assert!(!message.contains("9F8E7D6C"), "{message}");
    }

    #[tokio::test]
    async fn a_client_secret_longer_than_aws_allows_is_refused() {
        set_env("PROVISION_TEST_LONG_SECRET", "f".repeat(513));
        let declared = declare(&with_secret("{ env: PROVISION_TEST_LONG_SECRET }"));
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: the client secret from environment variable PROVISION_TEST_LONG_SECRET is 513 characters long; AWS allows at most 512\n  help: check that this is the client secret of the connected app"
            )
        );
        assert!(!message.contains("ffff"), "{message}");
    }

    #[tokio::test]
    async fn an_empty_variable_is_refused() {
        set_env("PROVISION_TEST_EMPTY_SECRET", "");
        let declared = declare(&with_secret("{ env: PROVISION_TEST_EMPTY_SECRET }"));
        assert_eq!(
            only_problem(&resolver(&[]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: the secret from environment variable PROVISION_TEST_EMPTY_SECRET is empty\n  help: store the value in it"
            )
        );
    }

    #[tokio::test]
    async fn a_client_id_reference_is_checked_like_a_literal() {
        let value = "3MVG9abc\u{7}";
        set_env("PROVISION_TEST_CLIENT_ID_BELL", value);
        let declared = declare(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId:\n  env: PROVISION_TEST_CLIENT_ID_BELL\nclientSecret: { env: PROVISION_TEST_CLIENT_ID_BELL }\n",
        );
        let problems = resolver(&[])
            .desired(&declared.spec, &OwnershipSet::default())
            .await
            .expect_err("resolution fails");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages[0],
            in_file(
                &declared.file,
                "5:3: clientId: the client id from environment variable PROVISION_TEST_CLIENT_ID_BELL contains the control character U+0007, which AWS does not allow\n  help: remove the control character (a trailing newline in a secret file or variable is a common cause)"
            )
        );
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(messages[1].contains("6:15: clientSecret: the client secret from environment variable PROVISION_TEST_CLIENT_ID_BELL contains the control character U+0007"), "{}", messages[1]);
        assert!(messages.iter().all(|m| !m.contains("3MVG9abc")));
    }

    #[tokio::test]
    async fn a_header_value_from_a_reference_that_aws_would_refuse_is_named() {
        let value = "token-1234\r\n";
        set_env("PROVISION_TEST_HEADER_CRLF", value);
        set_env("PROVISION_TEST_HEADER_SECRET", "9F8E7D6C5B4A3928");
        let declared = declare(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: PROVISION_TEST_HEADER_SECRET }\ninvocation:\n  headers:\n    X-Shared-Token: { env: PROVISION_TEST_HEADER_CRLF }\n",
        );
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "8:21: invocation.headers.X-Shared-Token: the value from environment variable PROVISION_TEST_HEADER_CRLF cannot be sent here: it must be at most 512 characters of printable text\n  help: check the stored value (a trailing newline is a common cause)"
            )
        );
        assert!(!message.contains("token-1234"), "{message}");
    }

    #[tokio::test]
    async fn an_empty_header_or_query_value_from_a_reference_is_refused() {
        set_env("PROVISION_TEST_PARAMETER_SECRET", "9F8E7D6C5B4A3928");
        set_env("PROVISION_TEST_EMPTY_HEADER", "");
        let declared = declare(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9abc\nclientSecret: { env: PROVISION_TEST_PARAMETER_SECRET }\ninvocation:\n  headers:\n    X-Shared-Token: { env: PROVISION_TEST_EMPTY_HEADER }\noauth:\n  query:\n    audience: { file: audience.txt }\n",
        );
        std::fs::write(declared.folder.path().join("audience.txt"), "\n").expect("write file");
        let problems = resolver(&[])
            .desired(&declared.spec, &OwnershipSet::default())
            .await
            .expect_err("resolution fails");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                in_file(
                    &declared.file,
                    "11:15: oauth.query.audience: the secret from file audience.txt is empty\n  help: store the value in it"
                ),
                in_file(
                    &declared.file,
                    "8:21: invocation.headers.X-Shared-Token: the secret from environment variable PROVISION_TEST_EMPTY_HEADER is empty\n  help: store the value in it"
                ),
            ]
        );
    }

    // --- file --------------------------------------------------------------------------

    #[tokio::test]
    async fn a_missing_file_is_named_as_written_and_as_looked_for() {
        let declared = declare(&with_secret("{ file: ../secrets/acme-prod }"));
        let looked_for = declared.folder.path().join("../secrets/acme-prod");
        assert_eq!(
            only_problem(&resolver(&[]), &declared).await,
            in_file(
                &declared.file,
                &format!(
                    "5:15: clientSecret: file ../secrets/acme-prod does not exist (looked for {})\n  help: create it, or fix the path (it is relative to this YAML file's folder)",
                    looked_for.display()
                )
            )
        );
    }

    #[tokio::test]
    async fn a_file_that_is_not_utf8_is_refused() {
        let declared = declare(&with_secret("{ file: acme-prod.secret }"));
        std::fs::write(
            declared.folder.path().join("acme-prod.secret"),
            b"9F8E\xff7D6C",
        )
        .expect("write secret");
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: file acme-prod.secret is not UTF-8 text\n  help: store the secret as text"
            )
        );
        assert!(!message.contains("9F8E"), "{message}");
    }

    #[tokio::test]
    async fn a_file_holding_only_a_newline_is_empty() {
        let declared = declare(&with_secret("{ file: acme-prod.secret }"));
        std::fs::write(declared.folder.path().join("acme-prod.secret"), "\n").expect("write");
        assert_eq!(
            only_problem(&resolver(&[]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: the secret from file acme-prod.secret is empty\n  help: store the value in it"
            )
        );
    }

    #[tokio::test]
    async fn a_file_with_a_colon_is_refused_without_showing_it() {
        let declared = declare(&with_secret("{ file: acme-prod.secret }"));
        std::fs::write(
            declared.folder.path().join("acme-prod.secret"),
            "client:9F8E7D6C\n",
        )
        .expect("write");
        let message = only_problem(&resolver(&[]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: the client secret from file acme-prod.secret contains `:`, which AWS does not allow\n  help: check that this is the client secret and nothing else"
            )
        );
        assert!(!message.contains("9F8E7D6C"), "{message}");
    }

    #[tokio::test]
    async fn a_folder_given_as_the_file_is_refused() {
        let declared = declare(&with_secret("{ file: secrets }"));
        std::fs::create_dir(declared.folder.path().join("secrets")).expect("mkdir");
        let message = only_problem(&resolver(&[]), &declared).await;
        assert!(
            message.starts_with(&in_file(
                &declared.file,
                "5:15: clientSecret: file secrets cannot be read: "
            )),
            "{message}"
        );
        assert!(
            message.ends_with(
                "\n  help: point `file` at a readable regular file holding only the secret"
            ),
            "{message}"
        );
    }

    /// Root reads any file whatever its mode (the CI container runs as root), so the
    /// permission error is built directly here; the binary-level corpus covers unreadable YAML.
    #[test]
    fn an_unreadable_file_says_permission_denied() {
        let declared = declare(&with_secret("{ file: acme-prod.secret }"));
        let error = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let unread = crate::sources::file::unreadable(
            "acme-prod.secret",
            &declared.folder.path().join("acme-prod.secret"),
            &error,
        );
        let problem = problem(&declared.spec.client_secret, unread.what, unread.help);
        assert_eq!(
            problem.to_string(),
            in_file(
                &declared.file,
                "5:15: clientSecret: file acme-prod.secret is not readable (permission denied)\n  help: make it readable by the user running provision"
            )
        );
    }

    // --- Secrets Manager ---------------------------------------------------------------

    fn with_secrets_manager(key: Option<&str>) -> String {
        match key {
            Some(key) => with_secret(&format!("{{ secretsManager: {SECRET_ID}, key: {key} }}")),
            None => with_secret(&format!("{{ secretsManager: {SECRET_ID} }}")),
        }
    }

    #[tokio::test]
    async fn a_secret_that_does_not_exist_names_the_region() {
        // As AWS sends it, so the SDK's own deserializer sets the error code.
        let rule =
            mock!(aws_sdk_secretsmanager::Client::get_secret_value).then_http_response(|| {
                aws_error(
                    400,
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret.",
                )
            });
        let declared = declare(&with_secrets_manager(None));
        assert_eq!(
            only_problem(&resolver(&[&rule]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: Secrets Manager secret salesforce/acme-prod was not found in us-east-1\n  help: create the secret, or fix the name or ARN (the account and Region are those of the run)"
            )
        );
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn access_denied_says_which_permission_is_missing() {
        let rule = mock!(aws_sdk_secretsmanager::Client::get_secret_value).then_http_response(|| {
            aws_error(
                400,
                "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/ci-deploy/provision is not authorized to perform: secretsmanager:GetSecretValue on resource: salesforce/acme-prod because no identity-based policy allows the secretsmanager:GetSecretValue action",
            )
        });
        let declared = declare(&with_secrets_manager(None));
        assert_eq!(
            only_problem(&resolver(&[&rule]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: access denied reading Secrets Manager secret salesforce/acme-prod: User: arn:aws:sts::123456789012:assumed-role/ci-deploy/provision is not authorized to perform: secretsmanager:GetSecretValue on resource: salesforce/acme-prod because no identity-based policy allows the secretsmanager:GetSecretValue action\n  help: allow secretsmanager:GetSecretValue on this secret (and kms:Decrypt on its key) for the identity running provision"
            )
        );
    }

    #[tokio::test]
    async fn a_missing_json_key_lists_the_keys_but_no_value() {
        let rule = secret_string(r#"{"consumer_key":"3MVG9abc","consumer_secret_old":"9F8E7D6C"}"#);
        let declared = declare(&with_secrets_manager(Some("consumer_secret")));
        let message = only_problem(&resolver(&[&rule]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: Secrets Manager secret salesforce/acme-prod has no key `consumer_secret` (its keys: consumer_key, consumer_secret_old)\n  help: fix `key`, or add the key to the secret"
            )
        );
        assert!(
            !message.contains("9F8E7D6C") && !message.contains("3MVG9abc"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_key_on_a_secret_that_is_not_json_is_refused_without_showing_it() {
        let rule = secret_string("9F8E7D6C5B4A3928");
        let declared = declare(&with_secrets_manager(Some("consumer_secret")));
        let message = only_problem(&resolver(&[&rule]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: Secrets Manager secret salesforce/acme-prod is not a JSON object, so it has no key `consumer_secret`\n  help: remove `key` to use the whole secret string, or store the secret as JSON key/value pairs"
            )
        );
        assert!(!message.contains("9F8E7D6C"), "{message}");
    }

    #[tokio::test]
    async fn an_empty_secret_is_refused() {
        let rule = secret_string("");
        let declared = declare(&with_secrets_manager(None));
        assert_eq!(
            only_problem(&resolver(&[&rule]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: the secret from Secrets Manager secret salesforce/acme-prod is empty\n  help: store the value in it"
            )
        );
    }

    #[tokio::test]
    async fn an_empty_json_field_is_refused() {
        let rule = secret_string(r#"{"consumer_secret":""}"#);
        let declared = declare(&with_secrets_manager(Some("consumer_secret")));
        assert_eq!(
            only_problem(&resolver(&[&rule]), &declared).await,
            in_file(
                &declared.file,
                "5:15: clientSecret: the secret from Secrets Manager secret salesforce/acme-prod (key consumer_secret) is empty\n  help: store the value in it"
            )
        );
    }

    #[tokio::test]
    async fn a_binary_secret_is_refused() {
        let rule = mock!(aws_sdk_secretsmanager::Client::get_secret_value).then_output(|| {
            GetSecretValueOutput::builder()
                .secret_binary(Blob::new(b"9F8E7D6C".to_vec()))
                .build()
        });
        let declared = declare(&with_secrets_manager(None));
        let message = only_problem(&resolver(&[&rule]), &declared).await;
        assert_eq!(
            message,
            in_file(
                &declared.file,
                "5:15: clientSecret: cannot read Secrets Manager secret salesforce/acme-prod: the secret is stored as binary; provision reads SecretString values\n  help: check the secret in the Secrets Manager console"
            )
        );
        assert!(!message.contains("9F8E7D6C"), "{message}");
    }

    #[tokio::test]
    async fn every_field_of_a_json_secret_is_redacted_though_one_key_is_read() {
        let rule = secret_string(
            r#"{"consumer_secret":"selected-by-key-5c6d7e8f9a","other_password":"never-selected-1a2b3c4d5e"}"#,
        );
        let declared = declare(&with_secrets_manager(Some("consumer_secret")));
        resolver(&[&rule])
            .desired(&declared.spec, &OwnershipSet::default())
            .await
            .expect("resolves");
        set_env(
            "PROVISION_TEST_JSON_IN_ENV",
            r#"{"client_secret":"env-selected-6f7a8b9c0d","backup":"env-backup-value-2e3f4a5b"}"#,
        );
        let declared = declare(&with_secret("{ env: PROVISION_TEST_JSON_IN_ENV }"));
        let _ = resolver(&[])
            .desired(&declared.spec, &OwnershipSet::default())
            .await;
        // Echoes cut short, so the whole documents are no longer there to match.
        assert_eq!(
            crate::secret::redact(r#"Value '{"other_password":"never-selected-1a2b3c4d5e","#),
            r#"Value '{"other_password":"(secret)","#
        );
        assert_eq!(
            crate::secret::redact(r#"{"backup":"env-backup-value-2e3f4a5b"#),
            r#"{"backup":"(secret)"#
        );
    }

    #[tokio::test]
    async fn a_secret_used_twice_is_read_once() {
        let rule =
            secret_string(r#"{"consumer_key":"3MVG9abc","consumer_secret":"9F8E7D6C5B4A3928"}"#);
        let declared = declare(&format!(
            "name: sf-acme-prod\nsalesforce:\n  myDomain: acme\nclientId: {{ secretsManager: {SECRET_ID}, key: consumer_key }}\nclientSecret: {{ secretsManager: {SECRET_ID}, key: consumer_secret }}\n"
        ));
        let desired = resolver(&[&rule])
            .desired(&declared.spec, &OwnershipSet::default())
            .await
            .expect("resolves");
        assert_eq!(desired.client_id.expose(), "3MVG9abc");
        assert!(desired.client_secret.matches("9F8E7D6C5B4A3928"));
        assert_eq!(rule.num_calls(), 1);
    }
}
