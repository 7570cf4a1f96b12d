//! Secret drift against the EventBridge-managed secret, in real AWS's layout (moto's layout and
//! IAM differ: it never denies access and never rewrites the secret on update).

use super::support::*;
use crate::engine::apply::ApplyOptions;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, Outcome, SecretStatus};
use aws_sdk_eventbridge::types::ConnectionState;

fn strict() -> PlanOptions {
    PlanOptions {
        strict: true,
        ..Default::default()
    }
}

fn access_denied(name: &str) -> aws_smithy_runtime_api::client::orchestrator::HttpResponse {
    aws_error(
        400,
        "AccessDeniedException",
        &format!(
            "User: arn:aws:sts::{ACCOUNT}:assumed-role/ci-deploy/provision is not authorized to perform: secretsmanager:GetSecretValue on resource: {} because no identity-based policy allows the secretsmanager:GetSecretValue action",
            secret_arn(name)
        ),
    )
}

/// Plans one existing, healthy connection whose managed secret is read through `secret_rule`.
async fn plan_with_secret(
    name: &str,
    secret_rule: &aws_smithy_mocks::Rule,
    strictness: PlanOptions,
) -> crate::plan::Entry {
    let declared = declare(&[name]);
    let list = list_rule(vec![summary(name, ConnectionState::Authorized)]);
    let describe = describe_rule(Live::matching(name, ConnectionState::Authorized));
    let context = context(
        eventbridge(&[&list, &describe]).await,
        secrets_manager(&[secret_rule]).await,
    );
    let (plan, _) = plan(&context, &declared.specs, strictness)
        .await
        .expect("plan");
    assert_eq!(
        secret_rule.num_calls(),
        1,
        "the managed secret is read once"
    );
    entry(&plan, name).clone()
}

#[tokio::test]
async fn access_denied_to_the_managed_secret_is_unverifiable_not_a_difference() {
    let name = "sf-secret-denied";
    let denied = managed_secret_error_rule(name, move || access_denied(name));
    let entry = plan_with_secret(name, &denied, PlanOptions::default()).await;
    let SecretStatus::Unverifiable { reason } = &entry.secret else {
        panic!("expected unverifiable: {entry:#?}");
    };
    assert!(
        reason.as_str().contains("secretsmanager:GetSecretValue"),
        "{reason}"
    );
    assert!(reason.as_str().contains(&secret_arn(name)), "{reason}");
    assert_eq!(
        entry.action,
        Action::InSync,
        "not a difference unless --strict"
    );
    assert_eq!(entry.error, None);
}

#[tokio::test]
async fn access_denied_to_the_managed_secret_is_a_difference_when_strict() {
    let name = "sf-secret-denied-strict";
    let denied = managed_secret_error_rule(name, move || access_denied(name));
    let entry = plan_with_secret(name, &denied, strict()).await;
    assert!(
        matches!(entry.secret, SecretStatus::Unverifiable { .. }),
        "{entry:#?}"
    );
    assert_eq!(entry.action, Action::Update);
}

#[tokio::test]
async fn a_matching_managed_secret_is_in_sync_even_when_strict() {
    let name = "sf-secret-same";
    let same = managed_secret_rule(name, client_secret(name));
    let entry = plan_with_secret(name, &same, strict()).await;
    assert_eq!(entry.secret, SecretStatus::InSync);
    assert_eq!(entry.action, Action::InSync);
}

#[tokio::test]
async fn a_secret_rotated_behind_the_tools_back_is_changed_and_an_update() {
    let name = "sf-secret-rotated";
    let rotated = managed_secret_rule(name, rotated_secret(name));
    let entry = plan_with_secret(name, &rotated, PlanOptions::default()).await;
    assert_eq!(
        entry.secret,
        SecretStatus::Changed {
            fields: vec!["clientSecret".to_string()]
        }
    );
    assert_eq!(entry.action, Action::Update);
    assert_eq!(entry.changes, vec![], "no field differs, only the secret");
}

#[tokio::test]
async fn a_missing_managed_secret_is_unverifiable() {
    let name = "sf-secret-missing";
    let missing = managed_secret_error_rule(name, || {
        aws_error(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        )
    });
    let entry = plan_with_secret(name, &missing, PlanOptions::default()).await;
    let SecretStatus::Unverifiable { reason } = &entry.secret else {
        panic!("expected unverifiable: {entry:#?}");
    };
    assert!(reason.as_str().contains("does not exist"), "{reason}");
    assert_eq!(entry.action, Action::InSync);
}

/// Moto's layout (`client_parameters.client_secret`) is not AWS's: the tool must not read it
/// as "changed" (and must not be tuned to it).
#[tokio::test]
async fn an_unknown_managed_secret_layout_is_unverifiable_not_changed() {
    let name = "sf-secret-moto-layout";
    let moto = managed_secret_string_rule(
        name,
        serde_json::json!({
            "client_parameters": { "client_id": CLIENT_ID, "client_secret": client_secret(name) },
            "authorization_endpoint": TOKEN_URL,
            "http_method": "POST",
        })
        .to_string(),
    );
    let entry = plan_with_secret(name, &moto, PlanOptions::default()).await;
    assert!(
        matches!(entry.secret, SecretStatus::Unverifiable { .. }),
        "{entry:#?}"
    );
    assert_eq!(entry.action, Action::InSync);
}

/// `apply` re-sends the declared secret for a connection whose managed secret changed.
#[tokio::test]
async fn apply_re_sends_the_declared_secret_when_it_changed() {
    let name = "sf-secret-apply";
    let declared = declare(&[name]);
    let list = list_rule(vec![summary(name, ConnectionState::Authorized)]);
    let describe = describe_sequence(vec![
        Live::matching(name, ConnectionState::Authorized),
        Live::matching(name, ConnectionState::Authorizing),
        Live::matching(name, ConnectionState::Authorized),
    ]);
    let declared_secret = client_secret(name);
    let update = aws_smithy_mocks::mock!(aws_sdk_eventbridge::Client::update_connection)
        .match_requests(move |request| {
            request
                .auth_parameters()
                .and_then(|a| a.o_auth_parameters())
                .and_then(|o| o.client_parameters())
                .and_then(|c| c.client_secret())
                == Some(declared_secret.as_str())
        })
        .then_output(|| {
            aws_sdk_eventbridge::operation::update_connection::UpdateConnectionOutput::builder()
                .connection_state(ConnectionState::Authorizing)
                .build()
        });
    let rotated = managed_secret_rule(name, rotated_secret(name));
    let context = context(
        eventbridge(&[&list, &describe, &update]).await,
        secrets_manager(&[&rotated]).await,
    );
    let (plan_model, planned) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(entry(&plan_model, name).action, Action::Update);
    let results = apply(
        &context,
        &planned,
        ApplyOptions {
            wait: Some(quick_wait(std::time::Duration::from_secs(10))),
            verify_credentials: None,
            force: false,
        },
    )
    .await;
    let result = result(&results, name);
    assert_eq!(result.outcome, Outcome::Updated, "{result:#?}");
    assert_eq!(update.num_calls(), 1, "the declared secret was sent");
}
