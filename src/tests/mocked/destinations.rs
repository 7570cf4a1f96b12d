//! API destinations are read and deleted with the same bounded concurrency as connections:
//! with `--concurrency n`, up to n calls of one kind are in flight at once and never more;
//! one destination's failure leaves the others read; plan and results keep their order.
//!
//! Concurrency is pinned without timing: a [`Gate`] in front of the mocked HTTP client holds
//! every request of the watched operation until as many are in flight as the context's lanes
//! (or a second passes, when the code under test never gets there), and counts the most ever
//! in flight at once.

use super::support::*;
use crate::desired::{DesiredDestination, HTTP_METHOD};
use crate::engine::Context;
use crate::engine::apply::ApplyOptions;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, ApplyResult, Outcome, Plan};
use aws_sdk_eventbridge::operation::create_api_destination::CreateApiDestinationOutput;
use aws_sdk_eventbridge::operation::delete_api_destination::DeleteApiDestinationOutput;
use aws_sdk_eventbridge::operation::delete_connection::DeleteConnectionOutput;
use aws_sdk_eventbridge::operation::describe_api_destination::DescribeApiDestinationOutput;
use aws_sdk_eventbridge::operation::list_api_destinations::ListApiDestinationsOutput;
use aws_sdk_eventbridge::types::{
    ApiDestination, ApiDestinationHttpMethod, ApiDestinationState, ConnectionState,
};
use aws_smithy_mocks::{Rule, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
    http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Watches the requests of one operation (`target`, as in `X-Amz-Target`) on their way to the
/// mocked HTTP client, and notes every request's operation in the order they are sent.
#[derive(Debug)]
struct Gate {
    target: &'static str,
    lanes: usize,
    in_flight: AtomicUsize,
    most: AtomicUsize,
    opened: AtomicBool,
    full: tokio::sync::Notify,
    sent: Mutex<Vec<String>>,
}

impl Gate {
    fn new(target: &'static str, lanes: usize) -> Arc<Gate> {
        Arc::new(Gate {
            target,
            lanes,
            in_flight: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            opened: AtomicBool::new(false),
            full: tokio::sync::Notify::new(),
            sent: Mutex::new(Vec::new()),
        })
    }

    /// The most requests of the watched operation that were ever in flight at once.
    fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    /// The operations sent, in order (`DescribeApiDestination`, ...).
    fn sent(&self) -> Vec<String> {
        self.sent.lock().unwrap().clone()
    }

    /// The HTTP client an EventBridge client sends through: this gate, then the mocks.
    fn client(self: &Arc<Self>) -> SharedHttpClient {
        let gate = self.clone();
        let mocked = create_mock_http_client();
        http_client_fn(move |settings, components| {
            SharedHttpConnector::new(Gated {
                gate: gate.clone(),
                inner: mocked.http_connector(settings, components),
            })
        })
    }
}

#[derive(Debug)]
struct Gated {
    gate: Arc<Gate>,
    inner: SharedHttpConnector,
}

impl HttpConnector for Gated {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or_default()
            .trim_start_matches("AWSEvents.")
            .to_string();
        self.gate.sent.lock().unwrap().push(target.clone());
        if target != self.gate.target {
            return self.inner.call(request);
        }
        let (gate, inner) = (self.gate.clone(), self.inner.clone());
        HttpConnectorFuture::new(async move {
            let full = gate.full.notified();
            let now = gate.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            gate.most.fetch_max(now, Ordering::SeqCst);
            if now >= gate.lanes {
                gate.opened.store(true, Ordering::SeqCst);
                gate.full.notify_waiters();
            } else if !gate.opened.load(Ordering::SeqCst) {
                let _ = tokio::time::timeout(Duration::from_secs(1), full).await;
            }
            // Held a moment more, so that a run sending more than its lanes would be seen.
            tokio::time::sleep(Duration::from_millis(10)).await;
            let answer = inner.call(request).await;
            gate.in_flight.fetch_sub(1, Ordering::SeqCst);
            answer
        })
    }
}

/// Each connection declares two API destinations, `<name>-1` and `<name>-2`.
const TWO_DESTINATIONS: &str = "destinations:\n  \
     - name: \"{name}-1\"\n    event: Order_Placed__e\n  \
     - name: \"{name}-2\"\n    event: Order_Placed__e\n";

/// `ListApiDestinations` answering one page with `names`, all on `connection`'s ARN.
fn destinations_listed(names: Vec<(String, String)>) -> Rule {
    mock!(aws_sdk_eventbridge::Client::list_api_destinations).then_output(move || {
        let listed = names.iter().map(|(name, connection)| {
            ApiDestination::builder()
                .name(name)
                .connection_arn(connection_arn(connection))
                .api_destination_state(ApiDestinationState::Active)
                .build()
        });
        ListApiDestinationsOutput::builder()
            .set_api_destinations(Some(listed.collect()))
            .build()
    })
}

/// `DescribeApiDestination` of `desired.name` answering it exactly as declared, on its
/// connection's ARN: the fields the EventBridge API reference lists for the answer
/// (`ApiDestinationArn`, `Name`, `Description`, `ApiDestinationState`, `ConnectionArn`,
/// `InvocationEndpoint`, `HttpMethod`, `InvocationRateLimitPerSecond`).
fn destination_described(desired: &DesiredDestination) -> Rule {
    let desired = desired.clone();
    let name = desired.name.clone();
    mock!(aws_sdk_eventbridge::Client::describe_api_destination)
        .match_requests(move |request| request.name() == Some(name.as_str()))
        .then_output(move || {
            DescribeApiDestinationOutput::builder()
                .name(&desired.name)
                .api_destination_arn(format!(
                    "arn:aws:events:{REGION}:{ACCOUNT}:api-destination/{}/0f1e2d3c",
                    desired.name
                ))
                .description(&desired.description)
                .connection_arn(connection_arn(&desired.connection))
                .invocation_endpoint(&desired.endpoint)
                .http_method(ApiDestinationHttpMethod::from(HTTP_METHOD))
                .invocation_rate_limit_per_second(desired.rate_limit_per_second as i32)
                .api_destination_state(ApiDestinationState::Active)
                .build()
        })
}

/// Every destination declared, as `provision` wants it.
fn desired_destinations(declared: &Declared) -> Vec<DesiredDestination> {
    let set = PlanOptions::default().set;
    declared
        .specs
        .iter()
        .flat_map(|spec| {
            spec.destinations
                .iter()
                .map(|d| DesiredDestination::new(d, spec, &crate::tests::place(REGION), &set))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Connections all in sync, each with its rules: listing, description, managed secret.
fn connections_in_sync(names: &[&str]) -> Vec<Rule> {
    let listed = list_rule(
        names
            .iter()
            .map(|name| summary(name, ConnectionState::Authorized))
            .collect(),
    );
    names
        .iter()
        .map(|name| describe_rule(Live::matching(name, ConnectionState::Authorized)))
        .chain([listed])
        .collect()
}

fn secrets_in_sync(names: &[&str]) -> Vec<Rule> {
    names
        .iter()
        .map(|name| managed_secret_rule(name, client_secret(name)))
        .collect()
}

/// A context of `gate.lanes` lanes whose EventBridge client sends through `gate`.
async fn gated_context(gate: &Arc<Gate>, rules: &[Rule], secrets: &[Rule]) -> Context {
    let rules: Vec<&Rule> = rules.iter().collect();
    let secrets: Vec<&Rule> = secrets.iter().collect();
    let mut context = context(
        eventbridge_through(&rules, gate.client()).await,
        secrets_manager(&secrets).await,
    );
    context.concurrency = gate.lanes;
    context
}

/// `ListApiDestinations` answering every destination of `desired`, on its connection.
fn listed_as_declared(desired: &[DesiredDestination]) -> Rule {
    destinations_listed(
        desired
            .iter()
            .map(|d| (d.name.clone(), d.connection.clone()))
            .collect(),
    )
}

fn destination_names(plan: &Plan) -> Vec<(String, Action)> {
    plan.entries_of(crate::plan::ResourceKind::ApiDestination)
        .map(|entry| (entry.address.name.clone(), entry.action))
        .collect()
}

/// Twelve declared destinations on six connections, context of 4 lanes: the describes go 4 at
/// a time, never more, and the plan lists them under their connections in declared order.
#[tokio::test]
async fn destination_describes_run_as_many_at_once_as_the_concurrency_and_never_more() {
    let names = [
        "sf-dst-a", "sf-dst-b", "sf-dst-c", "sf-dst-d", "sf-dst-e", "sf-dst-f",
    ];
    let declared = declare_with(&names, TWO_DESTINATIONS);
    let desired = desired_destinations(&declared);
    assert_eq!(desired.len(), 12);
    let mut rules = connections_in_sync(&names);
    rules.extend(desired.iter().map(destination_described));
    rules.push(listed_as_declared(&desired));
    let secrets = secrets_in_sync(&names);
    let lanes = 4;
    let gate = Gate::new("DescribeApiDestination", lanes);
    let context = gated_context(&gate, &rules, &secrets).await;

    let (plan_model, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("planned");

    assert_eq!(
        gate.most(),
        lanes,
        "destination describes in flight at once"
    );
    let described = gate
        .sent()
        .iter()
        .filter(|sent| *sent == "DescribeApiDestination")
        .count();
    assert_eq!(described, 12);
    let expected: Vec<(String, Action)> = desired
        .iter()
        .map(|d| (d.name.clone(), Action::InSync))
        .collect();
    assert_eq!(destination_names(&plan_model), expected);
}

/// One destination whose describe is refused is an error of its own; the others are read and
/// planned as they are, in their places.
#[tokio::test]
async fn a_refused_destination_describe_leaves_the_others_read() {
    let names = ["sf-dst-g", "sf-dst-h"];
    let declared = declare_with(&names, TWO_DESTINATIONS);
    let desired = desired_destinations(&declared);
    let refused = "sf-dst-g-2";
    let mut rules = connections_in_sync(&names);
    rules.extend(
        desired
            .iter()
            .filter(|d| d.name != refused)
            .map(destination_described),
    );
    rules.push(
        mock!(aws_sdk_eventbridge::Client::describe_api_destination)
            .match_requests(move |request| request.name() == Some(refused))
            .then_http_response(|| {
                aws_error(
                    400,
                    "AccessDeniedException",
                    "User: arn:aws:sts::111111111111:assumed-role/ci-deploy/provision is not authorized to perform: events:DescribeApiDestination",
                )
            }),
    );
    rules.push(listed_as_declared(&desired));
    let secrets = secrets_in_sync(&names);
    let gate = Gate::new("DescribeApiDestination", 4);
    let context = gated_context(&gate, &rules, &secrets).await;

    let (plan_model, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("planned");

    assert_eq!(
        destination_names(&plan_model),
        vec![
            ("sf-dst-g-1".to_string(), Action::InSync),
            ("sf-dst-g-2".to_string(), Action::Error),
            ("sf-dst-h-1".to_string(), Action::InSync),
            ("sf-dst-h-2".to_string(), Action::InSync),
        ]
    );
    let error = plan_model
        .entries_of(crate::plan::ResourceKind::ApiDestination)
        .find(|entry| entry.address.name == refused)
        .and_then(|entry| entry.error.as_ref().map(|error| error.as_str().to_string()))
        .expect("the refused destination's error");
    assert!(
        error.contains("cannot describe the API destination") && error.contains("AccessDenied"),
        "{error}"
    );
    assert_eq!(entry(&plan_model, "sf-dst-g").action, Action::InSync);
}

/// With `--prune`, this set's eight undeclared destinations are deleted 4 at a time, never
/// more, all of them before their connection (pruned too) is deleted; the results come in
/// plan order.
#[tokio::test]
async fn pruned_destinations_are_deleted_as_many_at_once_as_the_concurrency_before_their_connection()
 {
    let kept = "sf-dst-kept";
    let gone = "sf-dst-gone";
    let declared = declare(&[kept]);
    let set = PlanOptions::default().set;
    let orphans: Vec<String> = (1..=8).map(|i| format!("{gone}-{i}")).collect();
    let mut rules = connections_in_sync(&[kept, gone]);
    // Only this set's marker in the description tells whose a destination is.
    rules.extend(orphans.iter().map(|name| {
        destination_described(&DesiredDestination {
            name: name.clone(),
            place: crate::tests::place(REGION),
            connection: gone.to_string(),
            description: set.describe(None),
            endpoint: "https://acme.my.salesforce.com/services/data/v62.0/sobjects/Order_Placed__e"
                .to_string(),
            rate_limit_per_second: 300,
            origin: declared.specs[0].origin.clone(),
        })
    }));
    rules.push(destinations_listed(
        orphans
            .iter()
            .map(|n| (n.clone(), gone.to_string()))
            .collect(),
    ));
    // The EventBridge API reference: `DeleteApiDestination` answers with no fields,
    // `DeleteConnection` with the connection's ARN and state (`DELETING`).
    rules.push(
        mock!(aws_sdk_eventbridge::Client::delete_api_destination)
            .then_output(|| DeleteApiDestinationOutput::builder().build()),
    );
    rules.push(
        mock!(aws_sdk_eventbridge::Client::delete_connection)
            .match_requests(move |request| request.name() == Some(gone))
            .then_output(|| {
                DeleteConnectionOutput::builder()
                    .connection_arn(connection_arn(gone))
                    .connection_state(ConnectionState::Deleting)
                    .build()
            }),
    );
    let secrets = secrets_in_sync(&[kept, gone]);
    let lanes = 4;
    let gate = Gate::new("DeleteApiDestination", lanes);
    let context = gated_context(&gate, &rules, &secrets).await;
    let pruning = PlanOptions {
        prune: true,
        // The listing answers the destinations even after their deletion: the check of the
        // connection's users is not what this test is about.
        force: true,
        ..Default::default()
    };
    let (plan_model, _) = plan(&context, &declared.specs, pruning)
        .await
        .expect("planned");
    let options = ApplyOptions {
        wait: None,
        verify_credentials: None,
        force: true,
    };
    let reported = Mutex::new(Vec::new());
    let report = |result: &ApplyResult| reported.lock().unwrap().push(result.address.name.clone());
    let results = crate::engine::apply::apply(&context, &plan_model.steps, options, &report).await;

    assert_eq!(gate.most(), lanes, "destination deletes in flight at once");
    let sent = gate.sent();
    let last_destination = sent
        .iter()
        .rposition(|op| op == "DeleteApiDestination")
        .expect("destinations deleted");
    let connection = sent
        .iter()
        .position(|op| op == "DeleteConnection")
        .expect("connection deleted");
    assert!(last_destination < connection, "{sent:?}");
    let outcomes: Vec<(String, Outcome)> = results
        .iter()
        .map(|result| (result.address.name.clone(), result.outcome))
        .collect();
    let mut expected: Vec<(String, Outcome)> = vec![
        (kept.to_string(), Outcome::Unchanged),
        (gone.to_string(), Outcome::Deleted),
    ];
    expected.extend(orphans.iter().map(|name| (name.clone(), Outcome::Deleted)));
    assert_eq!(outcomes, expected);
    let reported = reported.into_inner().unwrap();
    assert_eq!(
        reported[..orphans.len()],
        orphans[..],
        "reported in plan order"
    );
}

/// `apply` reads the order from each step's parent, not from where the step sits in the list:
/// with the steps listed children first, each connection still runs before the API
/// destinations declared on it, which are created on its ARN and reported under it.
#[tokio::test]
async fn apply_runs_each_parent_before_its_children_whatever_the_order_of_the_list() {
    let names = ["sf-dst-a", "sf-dst-b"];
    let declared = declare_with(&names, TWO_DESTINATIONS);
    let mut rules = connections_in_sync(&names);
    // None listed yet: every declared destination is to be created.
    rules.push(destinations_listed(Vec::new()));
    // The EventBridge API reference: `CreateApiDestination` answers with the destination's
    // ARN, its state and its times; a request on another connection's ARN matches no rule.
    for name in names {
        let arn = connection_arn(name);
        rules.push(
            mock!(aws_sdk_eventbridge::Client::create_api_destination)
                .match_requests(move |request| request.connection_arn() == Some(arn.as_str()))
                .then_output(|| {
                    CreateApiDestinationOutput::builder()
                        .api_destination_state(ApiDestinationState::Active)
                        .build()
                }),
        );
    }
    let secrets = secrets_in_sync(&names);
    let gate = Gate::new("CreateApiDestination", 1);
    let context = gated_context(&gate, &rules, &secrets).await;
    let (mut plan_model, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("planned");
    plan_model.steps.reverse();
    assert!(
        plan_model.steps[0].parent.is_some(),
        "the list starts with a child"
    );
    let options = ApplyOptions {
        wait: None,
        verify_credentials: None,
        force: false,
    };
    let results = crate::engine::apply::apply(&context, &plan_model.steps, options, &|_| {}).await;

    let outcomes: Vec<(String, Outcome)> = results
        .iter()
        .map(|result| (result.address.name.clone(), result.outcome))
        .collect();
    let expected: Vec<(String, Outcome)> = [
        ("sf-dst-b", Outcome::Unchanged),
        ("sf-dst-b-2", Outcome::Created),
        ("sf-dst-b-1", Outcome::Created),
        ("sf-dst-a", Outcome::Unchanged),
        ("sf-dst-a-2", Outcome::Created),
        ("sf-dst-a-1", Outcome::Created),
    ]
    .map(|(name, outcome)| (name.to_string(), outcome))
    .into();
    assert_eq!(outcomes, expected, "{results:#?}");
}
