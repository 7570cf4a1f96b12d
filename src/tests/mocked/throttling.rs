//! `ThrottlingException`: EventBridge's control-plane limits are unpublished and moto never
//! throttles. The retry configuration `provision` ships must absorb a burst of throttling.

use super::support::*;
use crate::plan::Action;
use crate::plan::connection::PlanOptions;
use aws_sdk_eventbridge::operation::list_connections::ListConnectionsOutput;
use aws_sdk_eventbridge::types::ConnectionState;
use aws_smithy_mocks::mock;
use aws_smithy_types::retry::RetryMode;

#[tokio::test]
async fn the_shipped_retry_configuration_is_standard_with_max_attempts() {
    let client = eventbridge_as_shipped(&[]).await;
    let retry = client
        .config()
        .retry_config()
        .expect("a retry configuration");
    assert_eq!(retry.mode(), RetryMode::Standard);
    assert_eq!(retry.max_attempts(), crate::aws::MAX_ATTEMPTS);
}

/// Throttled `ListConnections` and `DescribeConnection` calls are retried by the SDK in the
/// retry mode and with the attempts `provision` configures (millisecond backoff, see
/// [`fast_retries`]), and the run succeeds.
#[tokio::test]
async fn throttled_list_and_describe_are_retried_and_succeed() {
    let name = "sf-throttled";
    let declared = declare(&[name]);
    let list = mock!(aws_sdk_eventbridge::Client::list_connections)
        .sequence()
        .http_response(throttled)
        .times(2)
        .output(move || {
            ListConnectionsOutput::builder()
                .connections(summary(name, ConnectionState::Authorized))
                .build()
        })
        .build();
    let live = Live::matching(name, ConnectionState::Authorized);
    let describe = mock!(aws_sdk_eventbridge::Client::describe_connection)
        .match_requests(move |request| request.name() == Some(name))
        .sequence()
        .http_response(throttled)
        .times(2)
        .output(move || live.describe())
        .build();
    let managed = managed_secret_rule(name, client_secret(name));
    let context = context(
        eventbridge(&[&list, &describe]).await,
        secrets_manager(&[&managed]).await,
    );

    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("throttled listing is retried, not fatal");

    assert_eq!(
        list.num_calls(),
        3,
        "two throttled attempts, then the answer"
    );
    assert_eq!(
        describe.num_calls(),
        3,
        "two throttled attempts, then the answer"
    );
    let entry = entry(&plan, name);
    assert_eq!(entry.action, Action::InSync, "{entry:#?}");
    assert_eq!(entry.error, None);
}

/// Throttling that outlasts every attempt fails only that connection, after exactly
/// `MAX_ATTEMPTS` attempts, and names the throttling.
#[tokio::test]
async fn throttling_beyond_the_attempts_fails_only_that_connection() {
    let throttled_name = "sf-always-throttled";
    let fine = "sf-not-throttled";
    let declared = declare(&[throttled_name, fine]);
    let list = list_rule(vec![
        summary(throttled_name, ConnectionState::Authorized),
        summary(fine, ConnectionState::Authorized),
    ]);
    let always_throttled = describe_error_rule(throttled_name, throttled);
    let describe_fine = describe_rule(Live::matching(fine, ConnectionState::Authorized));
    let managed = managed_secret_rule(fine, client_secret(fine));
    // The shipped retry mode and attempts with millisecond backoff (see `fast_retries`).
    let context = context(
        eventbridge(&[&list, &always_throttled, &describe_fine]).await,
        secrets_manager(&[&managed]).await,
    );
    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(
        always_throttled.num_calls(),
        crate::aws::MAX_ATTEMPTS as usize
    );
    let failed = entry(&plan, throttled_name);
    assert_eq!(failed.action, Action::Error, "{failed:#?}");
    let error = failed
        .error
        .as_ref()
        .map(crate::outside::Outside::as_str)
        .expect("an error");
    assert!(error.contains("ThrottlingException"), "{error}");
    assert_eq!(entry(&plan, fine).action, Action::InSync);
}
