//! One connection's failure never stops the others, in `diff` and in `apply`.

use super::support::*;
use crate::engine::apply::ApplyOptions;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, Outcome};
use aws_sdk_eventbridge::types::ConnectionState;
use std::time::Duration;

fn options() -> ApplyOptions {
    ApplyOptions {
        wait: Some(quick_wait(Duration::from_secs(10))),
        verify_credentials: None,
        force: false,
    }
}

const DENIED_DESCRIBE: &str = "User: arn:aws:sts::111111111111:assumed-role/ci-deploy/provision is not authorized to perform: events:DescribeConnection on resource: arn:aws:events:us-east-1:111111111111:connection/sf-iso-b because no identity-based policy allows the events:DescribeConnection action";

/// Three existing connections; the middle one cannot be described because of `failure`.
async fn plan_with_failing_describe(
    names: [&'static str; 3],
    failure: impl Fn() -> aws_smithy_runtime_api::client::orchestrator::HttpResponse
    + Send
    + Sync
    + 'static,
) -> (crate::plan::Plan, aws_smithy_mocks::Rule) {
    let [a, b, c] = names;
    let declared = declare(&names);
    let list = list_rule(
        names
            .iter()
            .map(|name| summary(name, ConnectionState::Authorized))
            .collect(),
    );
    let describe_a = describe_rule(Live::matching(a, ConnectionState::Authorized));
    let describe_b = describe_error_rule(b, failure);
    let describe_c = describe_rule(
        Live::matching(c, ConnectionState::Authorized).description("old [managed by provision]"),
    );
    let secret_a = managed_secret_rule(a, client_secret(a));
    let secret_c = managed_secret_rule(c, client_secret(c));
    let context = context(
        eventbridge(&[&list, &describe_a, &describe_b, &describe_c]).await,
        secrets_manager(&[&secret_a, &secret_c]).await,
    );
    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("one connection's failure does not fail the plan");
    (plan, describe_b)
}

#[tokio::test]
async fn access_denied_on_one_describe_leaves_the_others_planned() {
    let names = ["sf-iso-a", "sf-iso-b", "sf-iso-c"];
    let (plan, describe_b) = plan_with_failing_describe(names, || {
        aws_error(400, "AccessDeniedException", DENIED_DESCRIBE)
    })
    .await;
    assert_eq!(describe_b.num_calls(), 1, "access denied is not retried");
    assert_eq!(entry(&plan, "sf-iso-a").action, Action::InSync);
    let failed = entry(&plan, "sf-iso-b");
    assert_eq!(failed.action, Action::Error, "{failed:#?}");
    let error = failed
        .error
        .as_ref()
        .map(crate::outside::Outside::as_str)
        .expect("an error");
    assert!(error.contains("cannot describe the connection"), "{error}");
    assert!(error.contains("AccessDeniedException"), "{error}");
    assert!(error.contains("events:DescribeConnection"), "{error}");
    let updated = entry(&plan, "sf-iso-c");
    assert_eq!(updated.action, Action::Update);
    assert_eq!(updated.changes[0].field, "description");
    assert!(plan.has_errors());
    let summary = plan.summary();
    assert_eq!(
        (summary.in_sync, summary.update, summary.error),
        (1, 1, 1),
        "{summary:?}"
    );
    let text = plan_text(&plan);
    assert!(text.contains("1 failed"), "{text}");
}

#[tokio::test]
async fn an_internal_error_on_one_describe_is_retried_then_reported_for_it_alone() {
    let names = ["sf-iso-int-a", "sf-iso-int-b", "sf-iso-int-c"];
    let (plan, describe_b) = plan_with_failing_describe(names, || {
        aws_error(500, "InternalException", "An internal error occurred.")
    })
    .await;
    assert_eq!(
        describe_b.num_calls(),
        crate::aws::MAX_ATTEMPTS as usize,
        "a 500 is retried up to the attempt limit"
    );
    let failed = entry(&plan, "sf-iso-int-b");
    assert_eq!(failed.action, Action::Error, "{failed:#?}");
    assert!(
        failed
            .error
            .as_ref()
            .map(crate::outside::Outside::as_str)
            .is_some_and(|e| e.contains("InternalException")),
        "{failed:#?}"
    );
    assert_eq!(entry(&plan, "sf-iso-int-a").action, Action::InSync);
    assert_eq!(entry(&plan, "sf-iso-int-c").action, Action::Update);
}

/// Applies two new connections where `CreateConnection` of `refused` answers `failure`.
async fn apply_two_creates(
    refused: &'static str,
    created: &'static str,
    failure: impl Fn() -> aws_smithy_runtime_api::client::orchestrator::HttpResponse
    + Send
    + Sync
    + 'static,
) -> (Vec<crate::plan::ApplyResult>, aws_smithy_mocks::Rule) {
    let declared = declare(&[refused, created]);
    let list = list_rule(vec![]);
    let create_refused = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::create_connection)
        .match_requests(move |request| request.name() == Some(refused))
        .then_http_response(failure);
    let create_ok = create_rule(created);
    let describe_ok = describe_sequence(vec![
        Live::matching(created, ConnectionState::Authorizing),
        Live::matching(created, ConnectionState::Authorized),
    ]);
    let context = context(
        eventbridge(&[&list, &create_refused, &create_ok, &describe_ok]).await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, options()).await;
    assert_eq!(create_ok.num_calls(), 1);
    let ok = result(&results, created);
    assert_eq!(ok.outcome, Outcome::Created, "{ok:#?}");
    assert_eq!(ok.state.as_ref().map(|s| s.as_str()), Some("AUTHORIZED"));
    let summary = crate::plan::apply_summary(&results);
    assert_eq!((summary.created, summary.failed), (1, 1), "{summary:?}");
    (results, create_refused)
}

#[tokio::test]
async fn a_failed_create_leaves_the_other_connection_created() {
    let refused = "sf-iso-create-refused";
    let (results, create_refused) = apply_two_creates(refused, "sf-iso-create-ok", || {
        aws_error(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'authParameters.oAuthParameters.clientParameters.clientSecret' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$",
        )
    })
    .await;
    let failed = result(&results, refused);
    assert_eq!(failed.outcome, Outcome::Failed, "{failed:#?}");
    let error = failed
        .error
        .as_ref()
        .map(crate::outside::Outside::as_str)
        .expect("an error");
    assert!(error.contains("cannot create the connection"), "{error}");
    assert!(error.contains("ValidationException"), "{error}");
    assert!(failed.hint.is_some(), "{failed:#?}");
    assert_eq!(
        create_refused.num_calls(),
        1,
        "a validation error is not retried"
    );
}

#[tokio::test]
async fn a_quota_error_fails_that_connection_with_the_quota_hint() {
    let refused = "sf-iso-quota";
    let (results, create_refused) = apply_two_creates(refused, "sf-iso-quota-ok", || {
        aws_error(
            400,
            "LimitExceededException",
            "The requested resource exceeds the maximum number allowed.",
        )
    })
    .await;
    let failed = result(&results, refused);
    assert_eq!(failed.outcome, Outcome::Failed, "{failed:#?}");
    assert!(
        failed
            .error
            .as_ref()
            .map(crate::outside::Outside::as_str)
            .is_some_and(|e| e.contains("LimitExceededException")),
        "{failed:#?}"
    );
    assert!(
        failed.hint.as_deref().is_some_and(|h| h.contains("quota")),
        "{failed:#?}"
    );
    // The SDK would take LimitExceededException for throttling; no retry can free quota.
    assert_eq!(
        create_refused.num_calls(),
        1,
        "a quota error is not retried"
    );
}

/// Someone created the connection between the plan and the write (another `apply` of the same
/// folder, or an earlier attempt whose answer was lost): AWS refuses the duplicate (moto
/// silently overwrites it), and `apply` takes it over like any existing connection.
#[tokio::test]
async fn a_connection_created_meanwhile_is_read_and_updated_and_the_others_go_on() {
    let raced = "sf-iso-raced";
    let other = "sf-iso-not-raced";
    let declared = declare(&[raced, other]);
    let list = list_rule(vec![]);
    let create_raced = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::create_connection)
        .match_requests(move |request| request.name() == Some(raced))
        .then_http_response(move || {
            aws_error(
                400,
                "ResourceAlreadyExistsException",
                &format!("Connection {raced} already exists."),
            )
        });
    // Another run of the same set created it first.
    let describe_raced = describe_sequence(vec![
        Live::matching(raced, ConnectionState::Authorizing)
            .description(&desired_description(raced)),
        Live::matching(raced, ConnectionState::Authorizing),
        Live::matching(raced, ConnectionState::Authorized),
    ]);
    let update_raced = update_rule(raced);
    let create_other = create_rule(other);
    let describe_other = describe_sequence(vec![
        Live::matching(other, ConnectionState::Authorizing),
        Live::matching(other, ConnectionState::Authorized),
    ]);
    let context = context(
        eventbridge(&[
            &list,
            &create_raced,
            &describe_raced,
            &update_raced,
            &create_other,
            &describe_other,
        ])
        .await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, options()).await;

    let taken_over = result(&results, raced);
    assert_eq!(taken_over.outcome, Outcome::Updated, "{taken_over:#?}");
    assert_eq!(
        taken_over.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZED")
    );
    assert_eq!(create_raced.num_calls(), 1, "a duplicate is not retried");
    assert_eq!(
        update_raced.num_calls(),
        1,
        "it is updated to what is declared"
    );

    let ok = result(&results, other);
    assert_eq!(ok.outcome, Outcome::Created, "{ok:#?}");
    assert_eq!(ok.state.as_ref().map(|s| s.as_str()), Some("AUTHORIZED"));
}

/// A connection that cannot be planned is reported as failed by `apply`, which still applies
/// the others.
#[tokio::test]
async fn apply_reports_unplannable_connections_and_applies_the_rest() {
    let broken = "sf-iso-unplannable";
    let fine = "sf-iso-plannable";
    let declared = declare(&[broken, fine]);
    let list = list_rule(vec![
        summary(broken, ConnectionState::Authorized),
        summary(fine, ConnectionState::Authorized),
    ]);
    let describe_broken = describe_error_rule(broken, || {
        aws_error(400, "AccessDeniedException", DENIED_DESCRIBE)
    });
    let describe_fine = describe_sequence(vec![
        Live::matching(fine, ConnectionState::Authorized).description("old [managed by provision]"),
        Live::matching(fine, ConnectionState::Authorized),
    ]);
    let update_fine = update_rule(fine);
    let managed = managed_secret_rule(fine, client_secret(fine));
    let context = context(
        eventbridge(&[&list, &describe_broken, &describe_fine, &update_fine]).await,
        secrets_manager(&[&managed]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, options()).await;
    let failed = result(&results, broken);
    assert_eq!(failed.outcome, Outcome::Failed);
    assert!(
        failed
            .error
            .as_ref()
            .map(crate::outside::Outside::as_str)
            .is_some_and(|e| e.contains("AccessDeniedException")),
        "{failed:#?}"
    );
    assert_eq!(result(&results, fine).outcome, Outcome::Updated);
    assert_eq!(update_fine.num_calls(), 1);
}

/// Only a failure to list fails the run as a whole: nothing can be planned without it.
#[tokio::test]
async fn a_listing_that_is_refused_fails_the_plan_with_help() {
    let declared = declare(&["sf-iso-unlisted"]);
    let list = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::list_connections)
        .then_http_response(|| {
            aws_error(
                400,
                "AccessDeniedException",
                "User: arn:aws:sts::111111111111:assumed-role/ci-deploy/provision is not authorized to perform: events:ListConnections",
            )
        });
    let context = context(eventbridge(&[&list]).await, secrets_manager(&[]).await);
    let error = match plan(&context, &declared.specs, PlanOptions::default()).await {
        Ok(_) => panic!("a refused listing cannot be planned"),
        Err(error) => error,
    };
    let shown = format!("{error:?}");
    assert!(shown.contains("events:ListConnections"), "{shown}");
    assert!(shown.contains("AccessDeniedException"), "{shown}");
    assert_eq!(list.num_calls(), 1);
}

/// A policy without `events:ListApiDestinations` (written before destinations existed) does not
/// break a run that declares none and does not prune; it does break one that needs them.
#[tokio::test]
async fn a_refused_destination_listing_matters_only_when_destinations_do() {
    let name = "sf-iso-no-destinations";
    let declared = declare(&[name]);
    let list = list_rule(vec![]);
    let refused = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::list_api_destinations)
        .then_http_response(|| {
            aws_error(
                400,
                "AccessDeniedException",
                "User: arn:aws:sts::111111111111:assumed-role/ci-deploy/provision is not authorized to perform: events:ListApiDestinations",
            )
        });
    let context = context(
        eventbridge(&[&list, &refused]).await,
        secrets_manager(&[]).await,
    );
    let (plan_model, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("planned without the destination listing");
    assert_eq!(entry(&plan_model, name).action, Action::Create);
    assert_eq!(refused.num_calls(), 1);

    let pruning = PlanOptions {
        prune: true,
        ..Default::default()
    };
    let error = match plan(&context, &declared.specs, pruning).await {
        Ok(_) => panic!("pruning needs the destination listing"),
        Err(error) => error,
    };
    assert!(
        format!("{error:?}").contains("events:ListApiDestinations"),
        "{error:?}"
    );
}

const DENIED_LIST: &str = "User: arn:aws:sts::123456789012:assumed-role/ci-deploy/provision is not authorized to perform: events:ListConnections on resource: arn:aws:events:eu-west-1:123456789012:connection/* because no identity-based policy allows the events:ListConnections action";

/// Two places; the listing of the second is denied. The first is planned all the same, the
/// second is named (account, Region, what was refused, the fix), each connection declared there
/// is an error, and the plan has errors (exit 1).
#[tokio::test]
async fn a_place_that_cannot_be_read_leaves_the_other_places_planned() {
    let names = ["sf-place-a", "sf-place-b"];
    let declared = declare_with(&names, "regions: [us-east-1, eu-west-1]\n");
    let list = list_rule(
        names
            .iter()
            .map(|name| summary(name, ConnectionState::Authorized))
            .collect(),
    );
    let describe_a = describe_rule(Live::matching(names[0], ConnectionState::Authorized));
    let describe_b = describe_rule(Live::matching(names[1], ConnectionState::Authorized));
    let secret_a = managed_secret_rule(names[0], client_secret(names[0]));
    let secret_b = managed_secret_rule(names[1], client_secret(names[1]));
    let readable = context(
        eventbridge(&[&list, &describe_a, &describe_b]).await,
        secrets_manager(&[&secret_a, &secret_b]).await,
    );
    let denied = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::list_connections)
        .then_http_response(|| aws_error(400, "AccessDeniedException", DENIED_LIST));
    let mut unreadable = context(eventbridge(&[&denied]).await, secrets_manager(&[]).await);
    unreadable.place = crate::tests::place("eu-west-1");
    let coverage =
        crate::coverage::Coverage::of(&declared.specs, &crate::coverage::Sources::default())
            .expect("every document names its Regions");

    let plan = crate::commands::context::read_plan(
        Vec::new(),
        &[],
        &coverage,
        &[readable, unreadable],
        &declared.specs,
        &PlanOptions::default(),
        &Default::default(),
    )
    .await
    .expect("one place's failure does not fail the plan");

    assert_eq!(denied.num_calls(), 1, "access denied is not retried");
    let actions: Vec<(&str, &str, Action)> = plan
        .entries()
        .map(|e| {
            (
                e.address.name.as_str(),
                e.address.place.region.as_str(),
                e.action,
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("sf-place-a", REGION, Action::InSync),
            ("sf-place-b", REGION, Action::InSync),
            ("sf-place-a", "eu-west-1", Action::Error),
            ("sf-place-b", "eu-west-1", Action::Error),
        ]
    );
    assert_eq!(plan.unread.len(), 1);
    assert_eq!(plan.unread[0].place, crate::tests::place("eu-west-1"));
    assert!(plan.has_errors(), "an unread place fails the run");
    assert_eq!(
        plan.failures().as_deref(),
        Some("2 of 4 connections and 1 of 2 places")
    );
    let text = plan_text(&plan);
    let tail = &text[text.find("\nNot read").expect(&text)..];
    insta::assert_snapshot!(tail);
}
