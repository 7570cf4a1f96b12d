//! `apply` against responses shaped after real AWS: an OAuth connection is created (or updated
//! into) `AUTHORIZING` and only later settles, which moto never shows.

use super::support::*;
use crate::engine::apply::ApplyOptions;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, Outcome};
use aws_sdk_eventbridge::types::ConnectionState;
use std::time::Duration;

const NO_RUN_AS_USER: &str = "invalid_grant: no client credentials user enabled";

fn waiting(timeout: Duration) -> ApplyOptions {
    ApplyOptions {
        wait: Some(quick_wait(timeout)),
        verify_credentials: None,
        force: false,
    }
}

const NO_WAIT: ApplyOptions = ApplyOptions {
    wait: None,
    verify_credentials: None,
    force: false,
};

/// `CreateConnection` of `name` that also checks the request carries the complete desired
/// connection, credentials included.
fn create_rule_checking_request(name: &str) -> aws_smithy_mocks::Rule {
    let matched = name.to_string();
    let secret = client_secret(name);
    let description = desired_description(name);
    let checked = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::create_connection)
        .match_requests(move |request| {
            let oauth = request
                .auth_parameters()
                .and_then(|auth| auth.o_auth_parameters())
                .expect("OAuth parameters are sent");
            let client = oauth.client_parameters().expect("client parameters");
            let body = oauth
                .o_auth_http_parameters()
                .map(|p| p.body_parameters())
                .unwrap_or_default();
            assert_eq!(request.name(), Some(matched.as_str()));
            assert_eq!(request.description(), Some(description.as_str()));
            assert_eq!(
                request.authorization_type().map(|t| t.as_str()),
                Some("OAUTH_CLIENT_CREDENTIALS")
            );
            assert_eq!(oauth.authorization_endpoint(), TOKEN_URL);
            assert_eq!(oauth.http_method().as_str(), "POST");
            assert_eq!(client.client_id(), CLIENT_ID);
            assert_eq!(
                client.client_secret(),
                secret,
                "the declared secret is sent"
            );
            assert!(
                body.iter().any(|p| p.key() == Some("grant_type")
                    && p.value() == Some("client_credentials")
                    && !p.is_value_secret()),
                "grant_type=client_credentials is sent: {body:?}"
            );
            true
        });
    let name = name.to_string();
    checked.then_output(move || {
        aws_sdk_eventbridge::operation::create_connection::CreateConnectionOutput::builder()
            .connection_arn(connection_arn(&name))
            .connection_state(ConnectionState::Authorizing)
            .build()
    })
}

#[tokio::test]
async fn created_connection_waits_from_authorizing_to_authorized() {
    let name = "sf-apply-create";
    let declared = declare(&[name]);
    let list = list_rule(vec![]);
    let create = create_rule_checking_request(name);
    let describe = describe_sequence(vec![
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Authorized),
    ]);
    let context = context(
        eventbridge(&[&list, &create, &describe]).await,
        secrets_manager(&[]).await,
    );
    let (plan_model, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(entry(&plan_model, name).action, Action::Create);
    assert_eq!(
        describe.num_calls(),
        0,
        "a missing connection is not described"
    );

    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Created, "{result:#?}");
    assert_eq!(
        result.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZED")
    );
    assert_eq!(result.error, None);
    assert_eq!(result.not_taken, vec![]);
    assert_eq!(create.num_calls(), 1);
    assert_eq!(
        describe.num_calls(),
        3,
        "polled through AUTHORIZING until AUTHORIZED, and no further"
    );
}

#[tokio::test]
async fn updated_connection_waits_from_authorizing_to_authorized() {
    let name = "sf-apply-update";
    let declared = declare(&[name]);
    let list = list_rule(vec![summary(name, ConnectionState::Authorized)]);
    let describe = describe_sequence(vec![
        // What the plan reads: an old description.
        Live::matching(name, ConnectionState::Authorized).description("old [managed by provision]"),
        // After the write: re-authorizing, then settled with the new description.
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Authorized),
    ]);
    let update = update_rule(name);
    let secret = managed_secret_rule(name, client_secret(name));
    let context = context(
        eventbridge(&[&list, &describe, &update]).await,
        secrets_manager(&[&secret]).await,
    );
    let (plan_model, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(entry(&plan_model, name).action, Action::Update);

    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Updated, "{result:#?}");
    assert_eq!(
        result.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZED")
    );
    assert_eq!(result.not_taken, vec![]);
    assert_eq!(update.num_calls(), 1);
    assert_eq!(describe.num_calls(), 3);
}

#[tokio::test]
async fn authorizing_then_deauthorized_fails_with_the_reason_and_a_run_as_user_hint() {
    let name = "sf-apply-no-run-as";
    let declared = declare(&[name]);
    let list = list_rule(vec![]);
    let create = create_rule(name);
    let describe = describe_sequence(vec![
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Deauthorized).reason(NO_RUN_AS_USER),
    ]);
    let context = context(
        eventbridge(&[&list, &create, &describe]).await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Failed, "{result:#?}");
    assert_eq!(
        result.state.as_ref().map(|s| s.as_str()),
        Some("DEAUTHORIZED")
    );
    assert_eq!(
        result
            .state_reason
            .as_ref()
            .map(crate::outside::Outside::as_str),
        Some(NO_RUN_AS_USER)
    );
    let error = result
        .error
        .as_ref()
        .map(crate::outside::Outside::as_str)
        .expect("an error");
    assert!(error.contains("DEAUTHORIZED"), "{error}");
    let hint = result.hint.as_deref().expect("a hint");
    assert!(hint.contains("Run As user"), "{hint}");
    assert_eq!(describe.num_calls(), 2, "no polling after a final state");

    let text = results_text(&results);
    assert!(
        text.contains(&format!("DEAUTHORIZED: {NO_RUN_AS_USER}")),
        "the reason is printed:\n{text}"
    );
    assert!(text.contains("hint: "), "{text}");
    assert!(text.contains("1 failed"), "{text}");
}

#[tokio::test]
async fn a_deauthorized_connection_is_healed_by_re_sending_its_credentials() {
    let name = "sf-apply-heal";
    let declared = declare(&[name]);
    let list = list_rule(vec![summary(name, ConnectionState::Deauthorized)]);
    let describe = describe_sequence(vec![
        Live::matching(name, ConnectionState::Deauthorized)
            .reason("invalid_client: invalid client credentials"),
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Authorized),
    ]);
    let secret = client_secret(name);
    let update = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::update_connection)
        .match_requests(move |request| {
            let client = request
                .auth_parameters()
                .and_then(|a| a.o_auth_parameters())
                .and_then(|o| o.client_parameters())
                .expect("the credentials are re-sent");
            client.client_secret() == Some(secret.as_str()) && client.client_id() == Some(CLIENT_ID)
        })
        .then_output(|| {
            aws_sdk_eventbridge::operation::update_connection::UpdateConnectionOutput::builder()
                .connection_state(ConnectionState::Authorizing)
                .build()
        });
    let managed = managed_secret_rule(name, client_secret(name));
    let context = context(
        eventbridge(&[&list, &describe, &update]).await,
        secrets_manager(&[&managed]).await,
    );
    let (plan_model, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(entry(&plan_model, name).action, Action::Update);
    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Updated, "{result:#?}");
    assert_eq!(
        result.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZED")
    );
    assert_eq!(
        update.num_calls(),
        1,
        "UpdateConnection re-sent the credentials"
    );
}

#[tokio::test]
async fn a_wait_timeout_fails_with_the_last_state() {
    let name = "sf-apply-timeout";
    let declared = declare(&[name]);
    let list = list_rule(vec![]);
    let create = create_rule(name);
    let describe = describe_rule(Live::matching(name, ConnectionState::Authorizing));
    let context = context(
        eventbridge(&[&list, &create, &describe]).await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let started = std::time::Instant::now();
    let results = apply(&context, &planned, waiting(Duration::from_millis(200))).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the timeout is honoured"
    );
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Failed, "{result:#?}");
    assert_eq!(
        result.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZING")
    );
    let error = result
        .error
        .as_ref()
        .map(crate::outside::Outside::as_str)
        .expect("an error");
    assert!(error.contains("still AUTHORIZING"), "{error}");
    assert!(result.hint.is_some(), "{result:#?}");
    assert!(
        describe.num_calls() >= 2,
        "polled more than once: {}",
        describe.num_calls()
    );
}

#[tokio::test]
async fn without_wait_nothing_is_described_after_the_write() {
    let created = "sf-apply-nowait-new";
    let updated = "sf-apply-nowait-old";
    let declared = declare(&[created, updated]);
    let list = list_rule(vec![summary(updated, ConnectionState::Authorized)]);
    let create = create_rule(created);
    let update = update_rule(updated);
    let describe_created = describe_rule(Live::matching(created, ConnectionState::Authorized));
    let describe_updated = describe_rule(
        Live::matching(updated, ConnectionState::Authorized)
            .description("old [managed by provision]"),
    );
    let managed = managed_secret_rule(updated, client_secret(updated));
    let context = context(
        eventbridge(&[
            &list,
            &create,
            &update,
            &describe_created,
            &describe_updated,
        ])
        .await,
        secrets_manager(&[&managed]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(describe_updated.num_calls(), 1, "the plan read it");
    let results = apply(&context, &planned, NO_WAIT).await;

    let new = result(&results, created);
    assert_eq!(new.outcome, Outcome::Created, "{new:#?}");
    assert_eq!(
        new.state.as_ref().map(|s| s.as_str()),
        Some("AUTHORIZING"),
        "the state CreateConnection answered"
    );
    let old = result(&results, updated);
    assert_eq!(old.outcome, Outcome::Updated, "{old:#?}");
    assert_eq!(old.state.as_ref().map(|s| s.as_str()), Some("AUTHORIZING"));
    assert_eq!(create.num_calls(), 1);
    assert_eq!(update.num_calls(), 1);
    assert_eq!(
        describe_created.num_calls(),
        0,
        "no describe after the write"
    );
    assert_eq!(
        describe_updated.num_calls(),
        1,
        "no describe after the write"
    );
}

#[tokio::test]
async fn a_field_that_did_not_take_is_reported() {
    let name = "sf-apply-not-taken";
    let declared = declare(&[name]);
    let list = list_rule(vec![summary(name, ConnectionState::Authorized)]);
    // AWS answers the update but keeps the old description.
    let describe = describe_rule(
        Live::matching(name, ConnectionState::Authorized).description("old [managed by provision]"),
    );
    let update = update_rule(name);
    let managed = managed_secret_rule(name, client_secret(name));
    let context = context(
        eventbridge(&[&list, &describe, &update]).await,
        secrets_manager(&[&managed]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Failed, "{result:#?}");
    assert_eq!(update.num_calls(), 1);
    let fields: Vec<&str> = result.not_taken.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["description"], "{result:#?}");
    assert_eq!(
        result.not_taken[0]
            .before
            .as_ref()
            .map(crate::outside::Outside::as_str),
        Some("old [managed by provision]")
    );
    assert_eq!(
        result.not_taken[0]
            .after
            .as_ref()
            .map(crate::outside::Outside::as_str),
        Some(desired_description(name).as_str())
    );
    assert!(
        result
            .error
            .as_ref()
            .map(crate::outside::Outside::as_str)
            .is_some_and(|e| e.contains("did not take")),
        "{result:#?}"
    );
    let text = results_text(&results);
    assert!(
        text.lines()
            .any(|line| line.contains("did not take") && line.contains("description")),
        "{text}"
    );
}

#[tokio::test]
async fn a_connection_deleted_while_waiting_fails() {
    let name = "sf-apply-gone";
    let declared = declare(&[name]);
    let list = list_rule(vec![]);
    let create = create_rule(name);
    let describe = describe_error_rule(name, move || not_found(name));
    let context = context(
        eventbridge(&[&list, &create, &describe]).await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Failed, "{result:#?}");
    assert!(
        result
            .error
            .as_ref()
            .map(crate::outside::Outside::as_str)
            .is_some_and(|e| e.contains("disappeared")),
        "ResourceNotFoundException is read as gone, not as an AWS failure: {result:#?}"
    );
    assert_eq!(describe.num_calls(), 1, "not found is not retried");
}

#[tokio::test]
async fn a_private_connection_settles_active() {
    let name = "sf-apply-private";
    let arn =
        "arn:aws:vpc-lattice:us-east-1:111111111111:resourceconfiguration/rcfg-0123456789abcdef0";
    let declared = declare_with(
        &[name],
        &format!("privateLink:\n  resourceConfigurationArn: {arn}\n"),
    );
    let list = list_rule(vec![]);
    let create = create_rule(name);
    let private = |state| {
        let live = Live::matching(name, state);
        let arn = arn.to_string();
        move || {
            let mut output = live.describe();
            let connectivity =
                aws_sdk_eventbridge::types::DescribeConnectionConnectivityParameters::builder()
                    .resource_parameters(
                        aws_sdk_eventbridge::types::DescribeConnectionResourceParameters::builder()
                            .resource_configuration_arn(&arn)
                            .resource_association_arn("arn:aws:vpc-lattice:us-east-1:111111111111:servicenetworkresourceassociation/snra-0123456789abcdef0")
                            .build()
                            .expect("resource parameters"),
                    )
                    .build();
            // The My Domain host serves the API calls and the token request: both private.
            output.invocation_connectivity_parameters = Some(connectivity.clone());
            if let Some(auth) = output.auth_parameters.as_mut() {
                auth.connectivity_parameters = Some(connectivity);
            }
            output
        }
    };
    let describe = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::describe_connection)
        .sequence()
        .output(private(ConnectionState::Creating))
        .output(private(ConnectionState::Authorizing))
        .output(private(ConnectionState::Active))
        .repeatedly()
        .build();
    let context = context(
        eventbridge(&[&list, &create, &describe]).await,
        secrets_manager(&[]).await,
    );
    let (_, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    let results = apply(&context, &planned, waiting(Duration::from_secs(10))).await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Created, "{result:#?}");
    assert_eq!(result.state.as_ref().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(result.not_taken, vec![]);
    assert_eq!(describe.num_calls(), 3);
}
