//! Every connection state in `docs/aws-behaviour.md` as `diff` sees it. Moto is always `AUTHORIZED`, so these
//! states can only be shown with mocked responses.

use super::support::*;
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, SecretStatus};
use aws_sdk_eventbridge::types::ConnectionState;

const DEAUTHORIZED_REASON: &str =
    "Unable to authorize connection: invalid_client: invalid client credentials";
const FAILED_CONNECTIVITY_REASON: &str =
    "Unable to connect to the authorization endpoint: connection timed out";

/// Plans one declared connection per `(name, live)`, every one of them existing, with the
/// managed secret holding the declared client secret.
async fn plan_states(lives: Vec<Live>) -> crate::plan::Plan {
    let names: Vec<&str> = lives.iter().map(|l| l.name.as_str()).collect();
    let declared = declare(&names);
    let list = list_rule(lives.iter().map(Live::summary).collect());
    let describes: Vec<_> = lives.iter().cloned().map(describe_rule).collect();
    let secrets: Vec<_> = names
        .iter()
        .map(|name| managed_secret_rule(name, client_secret(name)))
        .collect();
    let mut eventbridge_rules = vec![&list];
    eventbridge_rules.extend(describes.iter());
    let secret_rules: Vec<_> = secrets.iter().collect();
    let context = context(
        eventbridge(&eventbridge_rules).await,
        secrets_manager(&secret_rules).await,
    );
    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("the connections can be listed");
    for rule in &describes {
        assert_eq!(
            rule.num_calls(),
            1,
            "each existing connection is described once"
        );
    }
    plan
}

#[tokio::test]
async fn healthy_states_with_matching_fields_are_in_sync() {
    let plan = plan_states(vec![
        Live::matching("sf-authorized", ConnectionState::Authorized),
        Live::matching("sf-active", ConnectionState::Active),
    ])
    .await;
    for (name, state) in [("sf-authorized", "AUTHORIZED"), ("sf-active", "ACTIVE")] {
        let entry = entry(&plan, name);
        assert_eq!(entry.action, Action::InSync, "{name}: {entry:#?}");
        assert_eq!(entry.changes, vec![], "{name}");
        assert_eq!(entry.secret, SecretStatus::InSync, "{name}");
        let health = entry
            .health
            .as_ref()
            .expect("an existing connection has a state");
        assert_eq!(health.state.as_str(), state);
        assert!(!health.broken, "{name} is healthy");
    }
    assert!(!plan.has_differences());
    assert!(!plan.has_errors());
}

#[tokio::test]
async fn deauthorized_is_an_update_with_its_state_reason() {
    let plan = plan_states(vec![
        Live::matching("sf-deauthorized", ConnectionState::Deauthorized)
            .reason(DEAUTHORIZED_REASON),
    ])
    .await;
    let entry = entry(&plan, "sf-deauthorized");
    assert_eq!(entry.action, Action::Update, "{entry:#?}");
    // Nothing but the health differs: the update re-sends the credentials to heal it.
    assert_eq!(entry.changes, vec![]);
    assert_eq!(entry.secret, SecretStatus::InSync);
    let health = entry.health.as_ref().expect("health");
    assert_eq!(health.state.as_str(), "DEAUTHORIZED");
    assert!(health.broken);
    assert_eq!(
        health.reason.as_ref().map(crate::outside::Outside::as_str),
        Some(DEAUTHORIZED_REASON)
    );
    assert!(
        plan.has_differences(),
        "a dead connection is a difference (exit 2)"
    );

    let text = plan_text(&plan);
    assert!(
        text.contains(&format!("! state: DEAUTHORIZED: {DEAUTHORIZED_REASON}")),
        "the reason is printed:\n{text}"
    );
    let json = plan_json(&plan);
    assert_eq!(json["differences"], true);
    assert_eq!(json["connections"][0]["health"]["state"], "DEAUTHORIZED");
    assert_eq!(json["connections"][0]["health"]["broken"], true);
    assert_eq!(
        json["connections"][0]["health"]["reason"],
        DEAUTHORIZED_REASON
    );
}

#[tokio::test]
async fn failed_connectivity_is_an_update_with_its_state_reason() {
    let plan = plan_states(vec![
        Live::matching(
            "sf-failed-connectivity",
            ConnectionState::FailedConnectivity,
        )
        .reason(FAILED_CONNECTIVITY_REASON),
    ])
    .await;
    let entry = entry(&plan, "sf-failed-connectivity");
    assert_eq!(entry.action, Action::Update, "{entry:#?}");
    let health = entry.health.as_ref().expect("health");
    assert_eq!(health.state.as_str(), "FAILED_CONNECTIVITY");
    assert!(health.broken);
    assert_eq!(
        health.reason.as_ref().map(crate::outside::Outside::as_str),
        Some(FAILED_CONNECTIVITY_REASON)
    );
    let text = plan_text(&plan);
    assert!(
        text.contains(&format!(
            "! state: FAILED_CONNECTIVITY: {FAILED_CONNECTIVITY_REASON}"
        )),
        "{text}"
    );
}

/// Transitional states on their way to a working connection are shown, not broken, and not a
/// difference by themselves (the next run sees where they settled).
#[tokio::test]
async fn transitional_states_are_shown_but_not_differences() {
    let states = [
        ("sf-creating", ConnectionState::Creating, "CREATING"),
        ("sf-updating", ConnectionState::Updating, "UPDATING"),
        (
            "sf-authorizing",
            ConnectionState::Authorizing,
            "AUTHORIZING",
        ),
    ];
    let plan = plan_states(
        states
            .iter()
            .map(|(name, state, _)| Live::matching(name, state.clone()))
            .collect(),
    )
    .await;
    let text = plan_text(&plan);
    for (name, _, label) in states {
        let entry = entry(&plan, name);
        let health = entry.health.as_ref().expect("health");
        assert_eq!(health.state.as_str(), label, "{name}");
        assert!(!health.broken, "{name} is not broken");
        assert_eq!(entry.action, Action::InSync, "{name}: {entry:#?}");
        assert!(
            text.lines().any(|line| line.contains(name)
                && line.ends_with(&format!("{REGION}  ({label}, client secret in sync)"))),
            "{name}'s state is shown:\n{text}"
        );
    }
}

/// DEAUTHORIZING is on its way to DEAUTHORIZED: a difference that re-sending the credentials
/// heals. A declared connection in DELETING is a difference too: `apply` waits until it is
/// gone, then creates it.
#[tokio::test]
async fn deauthorizing_and_deleting_are_differences() {
    let plan = plan_states(vec![
        Live::matching("sf-deauthorizing", ConnectionState::Deauthorizing),
        Live::matching("sf-deleting", ConnectionState::Deleting),
    ])
    .await;
    let deauthorizing = entry(&plan, "sf-deauthorizing");
    assert_eq!(deauthorizing.action, Action::Update, "{deauthorizing:#?}");
    let deleting = entry(&plan, "sf-deleting");
    assert_eq!(deleting.action, Action::Create, "{deleting:#?}");
    assert!(
        deleting
            .note
            .as_deref()
            .is_some_and(|n| n.contains("waits until it is gone, then creates it")),
        "{deleting:#?}"
    );
    assert!(plan.has_differences());
    let text = plan_text(&plan);
    assert!(text.contains("note: it is being deleted"), "{text}");
}

/// A connection that is both broken and out of date gets one update carrying both.
#[tokio::test]
async fn deauthorized_with_a_changed_field_lists_the_field_too() {
    let plan = plan_states(vec![
        Live::matching("sf-dead-and-old", ConnectionState::Deauthorized)
            .reason("invalid_grant: no client credentials user enabled")
            .description("an old description [managed by provision]"),
    ])
    .await;
    let entry = entry(&plan, "sf-dead-and-old");
    assert_eq!(entry.action, Action::Update);
    assert_eq!(entry.changes.len(), 1, "{entry:#?}");
    assert_eq!(entry.changes[0].field, "description");
    assert_eq!(
        entry.changes[0]
            .before
            .as_ref()
            .map(crate::outside::Outside::as_str),
        Some("an old description [managed by provision]")
    );
    assert!(entry.health.as_ref().expect("health").broken);
}
