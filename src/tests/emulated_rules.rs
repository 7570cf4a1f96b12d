//! The rule edge and its engine ([`crate::aws::rules`], [`crate::engine::rules`]) against the
//! local emulator (scripts/moto_server.py: moto's events backend, PutRule patched to ignore tags
//! on a rule that exists, as AWS does), over the wire the SDK speaks: a rule with its target
//! created and read back in sync, drifted behind the tool's back and reverted, a target added by
//! hand removed, the set's undeclared rule pruned while an untagged one survives, and a rule
//! made by hand adopted.

use crate::aws::connections::Events;
use crate::desired::rule::DesiredRule;
use crate::engine::rules::{apply_rule, plan_rules};
use crate::plan::connection::PlanOptions;
use crate::plan::{Action, Outcome, ResourceChange};
use crate::tests::mocked::support::{context, declare_with, secrets_manager};
use aws_sdk_eventbridge::types::{
    ConnectionAuthorizationType, CreateConnectionApiKeyAuthRequestParameters,
    CreateConnectionAuthRequestParameters, Target,
};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// The emulator on a free loopback port; killed when dropped.
struct Emulator {
    child: Child,
    endpoint: String,
}

impl Emulator {
    fn start() -> Self {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new(root.join(".venv/bin/python"))
            .arg(root.join("scripts/moto_server.py"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts (bash scripts/setup-emulator.sh makes .venv)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let endpoint = line.trim().strip_prefix("ready ").unwrap().to_string();
        Emulator { child, endpoint }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The issue's rule under `acme-order-events`, and a second destination with none.
const DECLARED: &str = "destinations:\n  \
     - name: acme-order-events\n    event: Order_Placed__e\n    rules:\n      \
       - name: orders-to-salesforce\n        \
         pattern: {source: [com.acme.orders], detail-type: [OrderPlaced]}\n        \
         body: {Order_Id__c: $.detail.id, Amount__c: $.detail.total}\n        \
         retry: {attempts: 10, maxEventAge: 1h}\n        \
         deadLetterQueue: arn:aws:sqs:us-east-1:123456789012:orders-dlq\n        \
         role: arn:aws:iam::123456789012:role/invoke\n  \
     - name: acme-quiet\n    event: Order_Placed__e\n";

/// The shipped EventBridge client, sent to the emulator.
async fn client(emulator: &Emulator) -> aws_sdk_eventbridge::Client {
    let config = crate::aws::sdk_config(&crate::aws::AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emulator.endpoint.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let built = crate::aws::eventbridge_config(&config)
        .credentials_provider(aws_sdk_eventbridge::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    aws_sdk_eventbridge::Client::from_conf(built)
}

/// The two declared API destinations, on one connection, as AWS would have them.
async fn destinations(client: &aws_sdk_eventbridge::Client) {
    let connection = client
        .create_connection()
        .name("sf-acme")
        .authorization_type(ConnectionAuthorizationType::ApiKey)
        .auth_parameters(
            CreateConnectionAuthRequestParameters::builder()
                .api_key_auth_parameters(
                    CreateConnectionApiKeyAuthRequestParameters::builder()
                        .api_key_name("x-api-key")
                        .api_key_value("not-a-secret-here")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    for name in ["acme-order-events", "acme-quiet"] {
        client
            .create_api_destination()
            .name(name)
            .connection_arn(connection.connection_arn().unwrap())
            .invocation_endpoint(format!(
                "https://acme.my.salesforce.com/services/data/v62.0/sobjects/{name}"
            ))
            .http_method(aws_sdk_eventbridge::types::ApiDestinationHttpMethod::Post)
            .send()
            .await
            .unwrap();
    }
}

/// The ARN of each API destination, by name.
async fn destination_arns(
    client: &aws_sdk_eventbridge::Client,
) -> std::collections::BTreeMap<String, String> {
    client
        .list_api_destinations()
        .send()
        .await
        .unwrap()
        .api_destinations()
        .iter()
        .map(|d| {
            (
                d.name().unwrap().to_string(),
                d.api_destination_arn().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn rules_are_created_read_back_in_sync_reverted_after_drift_pruned_by_tag_and_adopted() {
    let emulator = Emulator::start();
    let client = client(&emulator).await;
    destinations(&client).await;
    let arns = destination_arns(&client).await;
    let declared = declare_with(&["sf-acme"], DECLARED);
    let context = context(client.clone(), secrets_manager(&[]).await);
    let options = PlanOptions::default();
    let plan_now = || plan_rules(&context, &declared.specs, &arns, &options);

    // Created, then read back with nothing to do; the quiet destination is named.
    let first = plan_now().await.unwrap();
    assert_eq!(first.declared[0].change.action(), Action::Create);
    assert_eq!(first.unrouted, ["acme-quiet"]);
    assert_eq!(
        apply_rule(&context, &first.declared[0].change, &options).await,
        Ok(Outcome::Created)
    );
    let second = plan_now().await.unwrap();
    assert_eq!(
        second.declared[0].change.action(),
        Action::InSync,
        "{:?}",
        second.declared[0].changes
    );

    // Behind the tool's back: the pattern (PutRule replaces, so the description goes too) and
    // a target added by hand.
    client
        .put_rule()
        .name("orders-to-salesforce")
        .event_pattern(r#"{"source":["someone.else"]}"#)
        .send()
        .await
        .unwrap();
    client
        .put_targets()
        .rule("orders-to-salesforce")
        .targets(
            Target::builder()
                .id("added-by-hand")
                .arn(&arns["acme-quiet"])
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let drifted = plan_now().await.unwrap();
    let fields: Vec<&str> = drifted.declared[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(
        fields,
        ["pattern", "description", "targets.added-by-hand"],
        "{:?}",
        drifted.declared[0].changes
    );
    assert_eq!(
        apply_rule(&context, &drifted.declared[0].change, &options).await,
        Ok(Outcome::Updated)
    );
    assert_eq!(
        plan_now().await.unwrap().declared[0].change.action(),
        Action::InSync
    );
    // The hand-made target is gone, so the quiet destination is unrouted again.
    assert_eq!(plan_now().await.unwrap().unrouted, ["acme-quiet"]);

    // The set's rule no file declares any more is pruned; an untagged one is left alone.
    let ours = DesiredRule {
        name: "stale-of-the-set".into(),
        ..DesiredRule::all(&declared.specs, &context.place, &options.set).remove(0)
    };
    crate::aws::rules::put_rule(&events(&client), &ours, Some(options.set.tag()))
        .await
        .unwrap();
    client
        .put_rule()
        .name("made-by-hand")
        .event_pattern(r#"{"source":["x"]}"#)
        .send()
        .await
        .unwrap();
    let prune = PlanOptions {
        prune: true,
        ..Default::default()
    };
    let pruning = plan_rules(&context, &declared.specs, &arns, &prune)
        .await
        .unwrap();
    assert_eq!(pruning.pruned.len(), 1);
    assert_eq!(
        apply_rule(&context, &pruning.pruned[0].change, &prune).await,
        Ok(Outcome::Deleted)
    );
    let left = crate::aws::rules::list_rules(&events(&client), "default", "")
        .await
        .unwrap();
    assert_eq!(left, ["orders-to-salesforce", "made-by-hand"]);

    // A rule made by hand under a declared name is not ours until adopted, then tagged.
    let hand_made = declare_with(
        &["sf-acme"],
        &DECLARED.replace("orders-to-salesforce", "made-by-hand"),
    );
    let plan = plan_rules(&context, &hand_made.specs, &arns, &options)
        .await
        .unwrap();
    assert_eq!(plan.declared[0].change.action(), Action::NotManaged);
    let adopt = PlanOptions {
        adopt: true,
        ..Default::default()
    };
    let plan = plan_rules(&context, &hand_made.specs, &arns, &adopt)
        .await
        .unwrap();
    assert_eq!(plan.declared[0].change.action(), Action::Adopt);
    assert_eq!(
        apply_rule(&context, &plan.declared[0].change, &adopt).await,
        Ok(Outcome::Updated)
    );
    let after = plan_rules(&context, &hand_made.specs, &arns, &options)
        .await
        .unwrap();
    assert_eq!(after.declared[0].change.action(), Action::InSync);
}

fn events(client: &aws_sdk_eventbridge::Client) -> Events {
    Events {
        client: client.clone(),
        reach: crate::aws::Reach::for_tests(),
    }
}
