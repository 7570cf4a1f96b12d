//! Shared fixtures: declared connections in a temporary folder, mocked SDK clients, and AWS
//! responses shaped after the real-AWS recordings.

use crate::aws::connections::Events;
use crate::aws::secretsmanager::{SecretsManager, SecretsManagerClients};
use crate::engine::Context;
use crate::engine::wait::WaitPolicy;
use crate::log::Log;
use crate::manifest::ConnectionSpec;
use crate::plan::{ApplyResult, ConnectionChange, Plan, PlanStep};
use crate::resolve::SecretResolver;
use crate::view::{Format, Style};
use aws_sdk_eventbridge::config::Credentials;
use aws_sdk_eventbridge::operation::create_connection::CreateConnectionOutput;
use aws_sdk_eventbridge::operation::describe_connection::DescribeConnectionOutput;
use aws_sdk_eventbridge::operation::list_connections::ListConnectionsOutput;
use aws_sdk_eventbridge::operation::update_connection::UpdateConnectionOutput;
use aws_sdk_eventbridge::types::{
    Connection, ConnectionAuthResponseParameters, ConnectionAuthorizationType,
    ConnectionBodyParameter, ConnectionHttpParameters, ConnectionOAuthClientResponseParameters,
    ConnectionOAuthHttpMethod, ConnectionOAuthResponseParameters, ConnectionState,
};
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueOutput;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "111111111111";
pub const CLIENT_ID: &str = "3MVG9mockedConsumerKeyForProvisionTests";
pub const TOKEN_URL: &str = "https://acme.my.salesforce.com/services/oauth2/token";
pub const MARKER: &str = crate::manifest::OWNERSHIP_MARKER;

/// A time shaped like the recordings' `"datetime"` fields.
fn at() -> DateTime {
    DateTime::from_secs(1_733_739_371)
}

/// The declared client secret of a connection: distinctive, so a leak is easy to spot.
pub fn client_secret(name: &str) -> String {
    format!("declared-secret-{name}-7f3a9c1e5b2d4f6a8c0e")
}

/// A value that only AWS holds (a secret rotated behind the tool's back).
pub fn rotated_secret(name: &str) -> String {
    format!("rotated-secret-{name}-0d9b8a7c6e5f4a3b2c1d")
}

/// The description `provision` writes for a connection declared by [`declare`].
pub fn desired_description(name: &str) -> String {
    format!("{name} org {MARKER}")
}

pub fn connection_arn(name: &str) -> String {
    format!(
        "arn:aws:events:{REGION}:{ACCOUNT}:connection/{name}/4c2b1e3f-0a9d-4e8b-9c7a-6f5e4d3c2b1a"
    )
}

pub fn secret_arn(name: &str) -> String {
    format!(
        "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/{name}/8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7-AbCdEf"
    )
}

/// Connections declared in YAML files in a temporary folder, loaded as `provision` loads them.
/// The client secret of each is a `file:` reference next to its YAML file, so tests need not
/// touch the process environment.
pub struct Declared {
    pub dir: TempDir,
    pub specs: Vec<ConnectionSpec>,
}

/// One YAML document per name, with `extra` YAML appended to each (`{name}` in it replaced by
/// the document's name).
pub fn declare_with(names: &[&str], extra: &str) -> Declared {
    let dir = tempfile::tempdir().expect("temporary folder");
    for name in names {
        std::fs::write(
            dir.path().join(format!("{name}.secret")),
            format!("{}\n", client_secret(name)),
        )
        .expect("write the secret file");
        let yaml = format!(
            "name: {name}\n\
             description: {name} org\n\
             salesforce:\n  myDomain: acme\n\
             clientId: {CLIENT_ID}\n\
             clientSecret:\n  file: {name}.secret\n\
             {}",
            extra.replace("{name}", name)
        );
        std::fs::write(dir.path().join(format!("{name}.yaml")), yaml).expect("write the YAML");
    }
    let specs = crate::manifest::load::load(&[PathBuf::from(dir.path())])
        .unwrap_or_else(|error| panic!("the test YAML must load: {error:?}"));
    assert_eq!(specs.len(), names.len());
    Declared { dir, specs }
}

pub fn declare(names: &[&str]) -> Declared {
    declare_with(names, "")
}

/// A connection as `DescribeConnection` answers for it. By default it matches what
/// [`declare`] declares, so only the field under test differs.
#[derive(Debug, Clone)]
pub struct Live {
    pub name: String,
    pub state: ConnectionState,
    pub reason: Option<String>,
    pub description: String,
    pub invocation: ConnectionHttpParameters,
}

impl Live {
    pub fn matching(name: &str, state: ConnectionState) -> Self {
        Live {
            name: name.to_string(),
            state,
            reason: None,
            description: desired_description(name),
            invocation: ConnectionHttpParameters::builder().build(),
        }
    }

    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }

    pub fn description(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    pub fn invocation(mut self, invocation: ConnectionHttpParameters) -> Self {
        self.invocation = invocation;
        self
    }

    /// Shaped after the recorded `describe-connection-auth` for OAuth: no client secret,
    /// `LastModifiedTime` and `LastAuthorizedTime` present.
    pub fn describe(&self) -> DescribeConnectionOutput {
        let oauth = ConnectionOAuthResponseParameters::builder()
            .client_parameters(
                ConnectionOAuthClientResponseParameters::builder()
                    .client_id(CLIENT_ID)
                    .build(),
            )
            .authorization_endpoint(TOKEN_URL)
            .http_method(ConnectionOAuthHttpMethod::Post)
            .o_auth_http_parameters(
                ConnectionHttpParameters::builder()
                    .body_parameters(
                        ConnectionBodyParameter::builder()
                            .key("grant_type")
                            .value("client_credentials")
                            .build(),
                    )
                    .build(),
            )
            .build();
        DescribeConnectionOutput::builder()
            .connection_arn(connection_arn(&self.name))
            .name(&self.name)
            .description(&self.description)
            .connection_state(self.state.clone())
            .set_state_reason(self.reason.clone())
            .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
            .auth_parameters(
                ConnectionAuthResponseParameters::builder()
                    .o_auth_parameters(oauth)
                    .invocation_http_parameters(self.invocation.clone())
                    .build(),
            )
            .secret_arn(secret_arn(&self.name))
            .creation_time(at())
            .last_modified_time(at())
            .last_authorized_time(at())
            .build()
    }

    /// The connection as `ListConnections` shows it.
    pub fn summary(&self) -> Connection {
        summary(&self.name, self.state.clone())
    }
}

pub fn summary(name: &str, state: ConnectionState) -> Connection {
    Connection::builder()
        .connection_arn(connection_arn(name))
        .name(name)
        .connection_state(state)
        .authorization_type(ConnectionAuthorizationType::OauthClientCredentials)
        .creation_time(at())
        .last_modified_time(at())
        .last_authorized_time(at())
        .build()
}

/// The HTTP error AWS sends (awsJson1_1): the SDK reads the code from `__type`, as on the wire.
pub fn aws_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    response
        .headers_mut()
        .insert("x-amzn-requestid", "5e8f6a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b");
    response
}

/// The recorded `describe-deleted-connection` error.
pub fn not_found(name: &str) -> HttpResponse {
    aws_error(
        400,
        "ResourceNotFoundException",
        &format!("Failed to describe the connection(s). Connection '{name}' does not exist."),
    )
}

pub fn throttled() -> HttpResponse {
    aws_error(400, "ThrottlingException", "Rate exceeded")
}

/// `ListConnections` answering one page with every given connection.
pub fn list_rule(connections: Vec<Connection>) -> Rule {
    mock!(aws_sdk_eventbridge::Client::list_connections).then_output(move || {
        ListConnectionsOutput::builder()
            .set_connections(Some(connections.clone()))
            .build()
    })
}

/// `DescribeConnection` of `name` always answering `live`.
pub fn describe_rule(live: Live) -> Rule {
    let name = live.name.clone();
    mock!(aws_sdk_eventbridge::Client::describe_connection)
        .match_requests(move |request| request.name() == Some(name.as_str()))
        .then_output(move || live.describe())
}

/// `DescribeConnection` of `name` answering each of `states` in turn, then the last one forever.
pub fn describe_sequence(states: Vec<Live>) -> Rule {
    let name = states[0].name.clone();
    let mut builder = mock!(aws_sdk_eventbridge::Client::describe_connection)
        .match_requests(move |request| request.name() == Some(name.as_str()))
        .sequence();
    let last = states.len() - 1;
    for (index, live) in states.into_iter().enumerate() {
        builder = builder.output(move || live.describe());
        if index == last {
            return builder.repeatedly().build();
        }
    }
    unreachable!("at least one state")
}

/// `DescribeConnection` of `name` always answering with an HTTP error.
pub fn describe_error_rule(
    name: &str,
    response: impl Fn() -> HttpResponse + Send + Sync + 'static,
) -> Rule {
    let name = name.to_string();
    mock!(aws_sdk_eventbridge::Client::describe_connection)
        .match_requests(move |request| request.name() == Some(name.as_str()))
        .then_http_response(response)
}

/// `CreateConnection` of `name` answering as recorded for OAuth: `AUTHORIZING`.
pub fn create_rule(name: &str) -> Rule {
    let name = name.to_string();
    let matched = name.clone();
    mock!(aws_sdk_eventbridge::Client::create_connection)
        .match_requests(move |request| request.name() == Some(matched.as_str()))
        .then_output(move || {
            CreateConnectionOutput::builder()
                .connection_arn(connection_arn(&name))
                .connection_state(ConnectionState::Authorizing)
                .creation_time(at())
                .last_modified_time(at())
                .build()
        })
}

/// `UpdateConnection` of `name`: a changed auth parameter makes EventBridge re-authorize.
pub fn update_rule(name: &str) -> Rule {
    let name = name.to_string();
    let matched = name.clone();
    mock!(aws_sdk_eventbridge::Client::update_connection)
        .match_requests(move |request| request.name() == Some(matched.as_str()))
        .then_output(move || {
            UpdateConnectionOutput::builder()
                .connection_arn(connection_arn(&name))
                .connection_state(ConnectionState::Authorizing)
                .creation_time(at())
                .last_modified_time(at())
                .last_authorized_time(at())
                .build()
        })
}

/// The managed secret in real AWS's OAuth layout (recorded `connection-secret`).
pub fn managed_secret_json(client_secret: &str) -> String {
    serde_json::json!({
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "authorization_endpoint": TOKEN_URL,
        "http_method": "POST",
    })
    .to_string()
}

/// `GetSecretValue` of the managed secret of `name`, holding `client_secret`.
pub fn managed_secret_rule(name: &str, client_secret: String) -> Rule {
    managed_secret_string_rule(name, managed_secret_json(&client_secret))
}

/// `GetSecretValue` of the managed secret of `name`, holding `secret_string` as it is.
pub fn managed_secret_string_rule(name: &str, secret_string: String) -> Rule {
    let arn = secret_arn(name);
    let matched = arn.clone();
    let secret_name = format!("events!connection/{name}/8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
    mock!(aws_sdk_secretsmanager::Client::get_secret_value)
        .match_requests(move |request| request.secret_id() == Some(matched.as_str()))
        .then_output(move || {
            GetSecretValueOutput::builder()
                .arn(&arn)
                .name(&secret_name)
                .secret_string(&secret_string)
                .version_id("0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
                .version_stages("AWSCURRENT")
                .created_date(at())
                .build()
        })
}

/// `GetSecretValue` of the managed secret of `name` answering with an HTTP error.
pub fn managed_secret_error_rule(
    name: &str,
    response: impl Fn() -> HttpResponse + Send + Sync + 'static,
) -> Rule {
    let matched = secret_arn(name);
    mock!(aws_sdk_secretsmanager::Client::get_secret_value)
        .match_requests(move |request| request.secret_id() == Some(matched.as_str()))
        .then_http_response(response)
}

/// The shipped retry policy ([`crate::aws::retry_config`]: mode and attempts) with
/// millisecond backoff, so a test that exhausts it stays fast.
pub fn fast_retries() -> RetryConfig {
    crate::aws::retry_config()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

fn interceptor(rules: &[&Rule]) -> MockResponseInterceptor {
    // MatchAny: rules are told apart by their request matchers, since connections are read
    // concurrently. A request no rule matches panics, so an unexpected call fails the test.
    rules.iter().fold(
        MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
        |interceptor, rule| interceptor.with_rule(rule),
    )
}

/// `ListApiDestinations` answering that there are none (every plan lists them once).
fn no_api_destinations() -> Rule {
    mock!(aws_sdk_eventbridge::Client::list_api_destinations).then_output(|| {
        aws_sdk_eventbridge::operation::list_api_destinations::ListApiDestinationsOutput::builder()
            .build()
    })
}

fn test_credentials() -> Credentials {
    Credentials::new("AKIDMOCKED", "mocked", None, None, "mocked")
}

/// The SDK configuration the binary builds ([`crate::aws::sdk_config`]) for the test Region.
async fn shipped_sdk_config() -> aws_config::SdkConfig {
    crate::aws::sdk_config(&crate::aws::AwsOptions {
        region: Some(REGION.to_string()),
        ..Default::default()
    })
    .await
    .expect("the shipped configuration builds")
}

/// An EventBridge client built by the shipped configuration function
/// ([`crate::aws::eventbridge_config`]: its retry classification included), with fast backoff,
/// answering from `rules`.
pub async fn eventbridge(rules: &[&Rule]) -> aws_sdk_eventbridge::Client {
    eventbridge_through(rules, create_mock_http_client()).await
}

/// The same, its requests sent through `http_client` (which ends in
/// [`create_mock_http_client`]), to watch them on their way.
pub async fn eventbridge_through(
    rules: &[&Rule],
    http_client: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> aws_sdk_eventbridge::Client {
    let destinations = no_api_destinations();
    let mut rules = rules.to_vec();
    rules.push(&destinations);
    let config = crate::aws::eventbridge_config(&shipped_sdk_config().await)
        .credentials_provider(test_credentials())
        .retry_config(fast_retries())
        .http_client(http_client)
        .interceptor(interceptor(&rules))
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

/// The same, with the shipped backoff too.
pub async fn eventbridge_as_shipped(rules: &[&Rule]) -> aws_sdk_eventbridge::Client {
    let destinations = no_api_destinations();
    let mut rules = rules.to_vec();
    rules.push(&destinations);
    let config = crate::aws::eventbridge_config(&shipped_sdk_config().await)
        .credentials_provider(test_credentials())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(&rules))
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

/// An IAM client built by the shipped configuration function ([`crate::aws::iam::config`]),
/// with fast backoff, answering from `rules`.
pub async fn iam(rules: &[&Rule]) -> crate::aws::iam::Iam {
    let config = crate::aws::iam::config(&shipped_sdk_config().await)
        .credentials_provider(test_credentials())
        .retry_config(fast_retries())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(rules))
        .build();
    crate::aws::iam::Iam {
        client: aws_sdk_iam::Client::from_conf(config),
        reach: crate::aws::Reach::for_tests(),
    }
}

/// A Secrets Manager client built by the shipped configuration function, answering from
/// `rules`.
pub async fn secrets_manager(rules: &[&Rule]) -> aws_sdk_secretsmanager::Client {
    let config = crate::aws::secrets_manager_config(&shipped_sdk_config().await)
        .credentials_provider(test_credentials())
        .retry_config(fast_retries())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(rules))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

pub fn context(
    eventbridge: aws_sdk_eventbridge::Client,
    secrets_manager: aws_sdk_secretsmanager::Client,
) -> Context {
    let secrets_manager = SecretsManager {
        client: secrets_manager,
        reach: crate::aws::Reach::for_tests(),
    };
    Context {
        resolver: SecretResolver::new(
            SecretsManagerClients::only(crate::tests::place(REGION), secrets_manager.clone()),
            crate::tests::place(REGION),
        ),
        eventbridge: Events {
            client: eventbridge,
            reach: crate::aws::Reach::for_tests(),
        },
        secrets_manager,
        place: crate::tests::place(REGION),
        concurrency: 4,
        log: Log {
            verbosity: 0,
            progress: false,
            bars: false,
        },
        interrupt: Default::default(),
        listed: Default::default(),
    }
}

/// Applies the plan's steps as `apply` does, collecting the results it reports as it goes:
/// they must be exactly the results it returns.
pub async fn apply(
    context: &Context,
    steps: &[PlanStep],
    options: crate::engine::apply::ApplyOptions,
) -> Vec<ApplyResult> {
    let reported = std::sync::Mutex::new(Vec::new());
    let report = |result: &ApplyResult| reported.lock().unwrap().push(result.clone());
    let results = crate::engine::apply::apply(context, steps, options, &report).await;
    let mut reported = reported.into_inner().unwrap();
    let mut returned = results.clone();
    reported.sort_by(|a, b| a.address.name.cmp(&b.address.name));
    returned.sort_by(|a, b| a.address.name.cmp(&b.address.name));
    assert_eq!(
        reported, returned,
        "every result is reported once, as returned"
    );
    results
}

/// Polls every millisecond or so, and gives up after `timeout`.
pub fn quick_wait(timeout: Duration) -> WaitPolicy {
    WaitPolicy {
        timeout,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

/// Reads live state and plans the declared connections, as `diff` and `apply` do: the plan,
/// and its steps for `apply`: the declared connections, each followed by its API destinations
/// (the detached steps, undeclared resources to prune, left out).
pub async fn plan(
    context: &Context,
    specs: &[ConnectionSpec],
    options: crate::plan::connection::PlanOptions,
) -> Result<(Plan, Vec<PlanStep>), crate::error::Error> {
    let region = crate::engine::read::plan(context, specs, &options).await?;
    let plan = Plan {
        places: vec![context.place.clone()],
        left_out: Vec::new(),
        orphans: region.orphans,
        steps: region.steps,
        unrouted: region.unrouted,
        unread: Vec::new(),
        project_file: None,
        ..Plan::default()
    };
    let steps = plan
        .steps
        .iter()
        .filter(|step| !step.is_detached())
        .cloned()
        .collect();
    Ok((plan, steps))
}

fn view(format: Format) -> Box<dyn crate::view::View + Send> {
    crate::view::view(format, Style { colour: false }, false)
}

/// The plan as `diff` prints it, without colour.
pub fn plan_text(plan: &Plan) -> String {
    view(Format::Text).plan(plan)
}

/// The plan as `diff --output json` prints it, checked against its published schema.
#[track_caller]
pub fn plan_json(plan: &Plan) -> serde_json::Value {
    let shown = view(Format::Json).plan(plan);
    crate::view::output_schema::assert_matches("plan", &shown);
    serde_json::from_str(&shown).expect("the plan JSON parses")
}

/// The results as `apply` prints them (each as it comes, then the summary), without colour.
pub fn results_text(results: &[ApplyResult]) -> String {
    let view = view(Format::Text);
    let plan = Plan::default();
    let mut text: String = results.iter().map(|r| view.result(&plan, r)).collect();
    text.push_str(&view.applied(&plan, results));
    text
}

/// The document `apply --output json` prints, checked against its published schema.
#[track_caller]
pub fn applied_json(plan: &Plan, results: &[ApplyResult]) -> String {
    let shown = view(Format::Json).applied(plan, results);
    crate::view::output_schema::assert_matches("apply", &shown);
    shown
}

/// The desired state a change sends, if it sends one.
pub fn desired_of(change: &ConnectionChange) -> Option<&crate::desired::DesiredConnection> {
    match change {
        ConnectionChange::Create { desired }
        | ConnectionChange::Update { desired, .. }
        | ConnectionChange::Replace { desired, .. }
        | ConnectionChange::AwaitDeletion { desired } => Some(desired),
        ConnectionChange::NoOp { .. }
        | ConnectionChange::NotOurs { .. }
        | ConnectionChange::Refused { .. }
        | ConnectionChange::Delete { .. }
        | ConnectionChange::Failed { .. } => None,
    }
}

/// The live state a change was planned against, if the connection exists.
pub fn live_of(change: &ConnectionChange) -> Option<&crate::live::LiveConnection> {
    change.live()
}

/// The plan entry for `name`.
pub fn entry<'a>(plan: &'a Plan, name: &str) -> &'a crate::plan::Entry {
    plan.entries()
        .find(|entry| entry.address.name == name)
        .unwrap_or_else(|| panic!("no plan entry for {name}: {plan:#?}"))
}

/// The apply result for `name`.
pub fn result<'a>(results: &'a [ApplyResult], name: &str) -> &'a ApplyResult {
    results
        .iter()
        .find(|result| result.address.name == name)
        .unwrap_or_else(|| panic!("no apply result for {name}: {results:#?}"))
}
