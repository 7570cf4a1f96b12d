//! No secret value ever appears in the plan, the apply results, or anything rendered from them:
//! not the declared client secret, not a secret parameter value, not the value AWS holds.

use super::support::*;
use crate::engine::apply::ApplyOptions;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, ConnectionChange, Outcome, PlanStep, SecretStatus};
use aws_sdk_eventbridge::types::{
    ConnectionHeaderParameter, ConnectionHttpParameters, ConnectionState,
};
use std::time::Duration;

const TOKEN: &str = "header-token-value-5a4b3c2d1e0f9e8d";

const NEW: &str = "sf-leak-new";
const ROTATED: &str = "sf-leak-rotated";
const DENIED: &str = "sf-leak-denied";
const DEAD: &str = "sf-leak-dead";
const NAMES: [&str; 4] = [NEW, ROTATED, DENIED, DEAD];

/// Every secret value in play: what the files declare and what AWS holds.
fn secret_values() -> Vec<String> {
    let mut values = vec![TOKEN.to_string()];
    for name in NAMES {
        values.push(client_secret(name));
        values.push(rotated_secret(name));
    }
    values
}

/// The managed secret in AWS's layout, with the secret header value as well.
fn managed(name: &str, client_secret: String) -> aws_smithy_mocks::Rule {
    managed_secret_string_rule(
        name,
        serde_json::json!({
            "client_id": CLIENT_ID,
            "client_secret": client_secret,
            "authorization_endpoint": TOKEN_URL,
            "http_method": "POST",
            "invocation_http_parameters": {
                "header_parameters": [
                    { "key": "X-Shared-Token", "value": TOKEN, "is_value_secret": true }
                ]
            }
        })
        .to_string(),
    )
}

/// As AWS describes the secret header: the key, marked secret. Like moto, this backend echoes
/// the value too; the tool must drop it.
fn echoed_token() -> ConnectionHttpParameters {
    ConnectionHttpParameters::builder()
        .header_parameters(
            ConnectionHeaderParameter::builder()
                .key("X-Shared-Token")
                .value(TOKEN)
                .is_value_secret(true)
                .build(),
        )
        .build()
}

fn live(name: &str, state: ConnectionState) -> Live {
    Live::matching(name, state).invocation(echoed_token())
}

fn assert_no_secret(what: &str, text: &str) {
    for value in secret_values() {
        assert!(
            !text.contains(&value),
            "{what} contains a secret value:\n{text}"
        );
    }
}

#[tokio::test]
async fn no_secret_value_appears_in_plans_results_or_their_renderings() {
    let declared = declare_with(
        &NAMES,
        "invocation:\n  headers:\n    X-Shared-Token: { file: token.secret }\n",
    );
    std::fs::write(declared.dir.path().join("token.secret"), TOKEN).expect("token file");

    let list = list_rule(
        [ROTATED, DENIED, DEAD]
            .iter()
            .map(|name| summary(name, ConnectionState::Authorized))
            .collect(),
    );
    let create_new = create_rule(NEW);
    let describe_new = describe_sequence(vec![
        live(NEW, ConnectionState::Authorizing),
        live(NEW, ConnectionState::Authorized),
    ]);
    let describe_rotated = describe_sequence(vec![
        live(ROTATED, ConnectionState::Authorized),
        live(ROTATED, ConnectionState::Authorizing),
        // Did not take: still the old description after the write.
        live(ROTATED, ConnectionState::Authorized).description("old [managed by provision]"),
    ]);
    let update_rotated = update_rule(ROTATED);
    let describe_denied = describe_rule(live(DENIED, ConnectionState::Authorized));
    let describe_dead = describe_sequence(vec![
        live(DEAD, ConnectionState::Deauthorized)
            .reason("invalid_client: invalid client credentials"),
        live(DEAD, ConnectionState::Authorizing),
        live(DEAD, ConnectionState::Deauthorized)
            .reason("invalid_client: invalid client credentials"),
    ]);
    let update_dead = update_rule(DEAD);
    // Unverifiable is a difference with --strict: it is updated too.
    let update_denied = update_rule(DENIED);
    let secret_rotated = managed(ROTATED, rotated_secret(ROTATED));
    let secret_denied = managed_secret_error_rule(DENIED, || {
        aws_error(
            400,
            "AccessDeniedException",
            "User: arn:aws:sts::111111111111:assumed-role/ci/provision is not authorized to perform: secretsmanager:GetSecretValue",
        )
    });
    let secret_dead = managed(DEAD, client_secret(DEAD));
    let context = context(
        eventbridge(&[
            &list,
            &create_new,
            &describe_new,
            &describe_rotated,
            &update_rotated,
            &describe_denied,
            &describe_dead,
            &update_dead,
            &update_denied,
        ])
        .await,
        secrets_manager(&[&secret_rotated, &secret_denied, &secret_dead]).await,
    );

    let (plan_model, planned) = plan(
        &context,
        &declared.specs,
        PlanOptions {
            strict: true,
            ..Default::default()
        },
    )
    .await
    .expect("plan");
    // The scenario covers each way a secret could slip out.
    assert_eq!(entry(&plan_model, NEW).action, Action::Create);
    assert_eq!(
        entry(&plan_model, ROTATED).secret,
        SecretStatus::Changed {
            fields: vec!["clientSecret".to_string()]
        }
    );
    assert!(matches!(
        entry(&plan_model, DENIED).secret,
        SecretStatus::Unverifiable { .. }
    ));
    assert_eq!(entry(&plan_model, DEAD).secret, SecretStatus::InSync);
    assert!(
        entry(&plan_model, DEAD)
            .health
            .as_ref()
            .expect("health")
            .broken
    );
    assert!(
        entry(&plan_model, NEW)
            .changes
            .iter()
            .any(|c| c.field == "invocation.headers.X-Shared-Token"
                && c.after.as_ref().map(crate::outside::Outside::as_str) == Some("(secret)")),
        "the secret header is shown as (secret)"
    );

    let results = apply(
        &context,
        &planned,
        ApplyOptions {
            wait: Some(quick_wait(Duration::from_secs(10))),
            verify_credentials: None,
            force: false,
        },
    )
    .await;
    assert_eq!(result(&results, NEW).outcome, Outcome::Created);
    assert_eq!(
        result(&results, ROTATED).outcome,
        Outcome::Failed,
        "not taken"
    );
    assert_eq!(
        result(&results, DEAD).outcome,
        Outcome::Failed,
        "deauthorized"
    );
    assert_eq!(result(&results, DENIED).outcome, Outcome::Updated);

    assert_no_secret("Debug of the plan", &format!("{plan_model:?}"));
    assert_no_secret("pretty Debug of the plan", &format!("{plan_model:#?}"));
    assert_no_secret(
        "JSON of the plan",
        &serde_json::to_string(&plan_model.entries().collect::<Vec<_>>()).expect("json"),
    );
    assert_no_secret("Debug of the results", &format!("{results:#?}"));
    assert_no_secret(
        "JSON of the results",
        &serde_json::to_string(&results).expect("json"),
    );
    for item in &planned {
        assert_no_secret("Debug of the step", &format!("{item:?}"));
        assert_no_secret("Debug of the entry", &format!("{:?}", item.entry()));
    }
    assert_no_secret("diff text", &plan_text(&plan_model));
    assert_no_secret("diff JSON", &plan_json(&plan_model).to_string());
    assert_no_secret("apply text", &results_text(&results));
    assert_no_secret("apply JSON", &applied_json(&plan_model, &results));
    // Sanity: the values really were in play (sent to AWS, held by AWS).
    assert!(
        planned
            .iter()
            .filter_map(PlanStep::of::<ConnectionChange>)
            .filter_map(|p| desired_of(p.change()))
            .any(|d| d.client_secret.expose() == client_secret(NEW))
    );
    // And the echoed secret header value was not kept from DescribeConnection.
    for item in planned
        .iter()
        .filter_map(PlanStep::of::<ConnectionChange>)
        .filter_map(|p| live_of(p.change()))
    {
        assert!(
            item.invocation
                .headers
                .iter()
                .all(|h| h.is_secret && h.value.is_none()),
            "{:?}",
            item.invocation
        );
    }
}
