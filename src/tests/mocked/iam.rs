//! verify's reads of a rule's role when IAM refuses them: the role is then not checked, and
//! the note names every IAM action the caller needs, with IAM's own message.

use super::support;
use crate::engine::rule_role::{self, RoleRead, Route};
use crate::plan::verify_report::VerifiedRule;
use aws_smithy_mocks::mock;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;

const ROLE: &str = "arn:aws:iam::123456789012:role/eventbridge-invoke-orders";
const MESSAGE: &str = "User: arn:aws:sts::123456789012:assumed-role/ci-verify/provision is not authorized to perform: iam:GetRole on resource: role eventbridge-invoke-orders because no identity-based policy allows the iam:GetRole action";

/// A Query-protocol error answer, as IAM sends one: `<ErrorResponse><Error>` with `Type`,
/// `Code` and `Message` (IAM API Reference, "Common Errors", and "Query API" error
/// responses).
fn iam_error(status: u16, code: &str) -> HttpResponse {
    HttpResponse::new(
        status.try_into().unwrap(),
        SdkBody::from(format!(
            r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{MESSAGE}</Message></Error><RequestId>4a1b2c3d-0000-4000-8000-000000000000</RequestId></ErrorResponse>"#
        )),
    )
}

fn rule() -> VerifiedRule {
    VerifiedRule {
        name: "orders-to-salesforce".into(),
        bus: "default".into(),
        ok: true,
        errors: Vec::new(),
        warnings: Vec::new(),
        not_checked: Vec::new(),
        checked: Vec::new(),
    }
}

#[tokio::test]
async fn access_denied_on_get_role_leaves_the_role_not_checked_and_names_the_reads() {
    // IAM answers `AccessDenied` (HTTP 403) to a caller without iam:GetRole; the Common Errors
    // list names `AccessDeniedException` (HTTP 400): both mean the same here.
    for (status, code) in [(403, "AccessDenied"), (400, "AccessDeniedException")] {
        let denied = mock!(aws_sdk_iam::Client::get_role)
            .then_http_response(move || iam_error(status, code));
        let iam = support::iam(&[&denied]).await;
        let read = RoleRead::from(crate::aws::iam::read_role(&iam, ROLE).await);
        let mut verified = rule();
        let refused = rule_role::judge(
            &mut verified,
            ROLE,
            &read,
            &Route {
                account: "123456789012",
                rule: "arn:aws:events:us-east-1:123456789012:rule/orders-to-salesforce".into(),
                destination: "arn:aws:events:us-east-1:123456789012:api-destination/orders/",
            },
        );
        assert!(!refused, "{code}: a read refused is no refusal of the rule");
        assert!(
            verified.ok && verified.errors.is_empty(),
            "{code}: {verified:?}"
        );
        assert_eq!(
            verified
                .not_checked
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [format!(
                "role: whether {ROLE} may invoke this destination, and lets events.amazonaws.com assume it, was not checked: the caller may not read the role's policy: it needs iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion ({code}: {MESSAGE})"
            )],
            "{code}"
        );
    }
}

#[tokio::test]
async fn no_such_entity_on_get_role_is_a_role_that_does_not_exist() {
    // IAM API Reference, GetRole, Errors: NoSuchEntity, HTTP 404.
    let missing =
        mock!(aws_sdk_iam::Client::get_role).then_http_response(|| iam_error(404, "NoSuchEntity"));
    let iam = support::iam(&[&missing]).await;
    assert_eq!(
        RoleRead::from(crate::aws::iam::read_role(&iam, ROLE).await),
        RoleRead::NoSuchRole
    );
}

#[tokio::test]
async fn a_role_of_another_account_is_not_read_and_says_why() {
    // GetRole names a role by name, in the caller's account: a role of another account
    // cannot be read that way, so no IAM call is made (an unexpected call fails the test).
    let specs = crate::tests::specs(
        "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ndestinations:\n  - name: orders\n    event: Order__e\n    rules:\n      - name: to-sf\n        pattern: { source: [com.acme] }\n        body: { Id__c: $.detail.id }\n        role: arn:aws:iam::210987654321:role/invoke\n",
    );
    let context = support::context(
        support::eventbridge(&[]).await,
        support::secrets_manager(&[]).await,
    );
    let reads = rule_role::RoleReads::new(support::iam(&[]).await);
    let roles = rule_role::read_roles(&context, &reads, &specs[0].destinations[0]).await;
    assert_eq!(
        roles["arn:aws:iam::210987654321:role/invoke"],
        RoleRead::NotRead(
            "the role is in account 210987654321, and verify reads the roles of the run's account 123456789012 only".into()
        )
    );
}

#[tokio::test]
async fn a_role_several_destinations_share_is_read_from_iam_once_a_run() {
    // IAM is global and its request quotas are per account: the second destination naming the
    // same role (in another Region of the run too) takes what the first read found.
    let specs = crate::tests::specs(&format!(
        "name: a\nsalesforce: {{ myDomain: acme }}\nclientId: x\nclientSecret: {{ env: S }}\ndestinations:\n  - name: orders\n    event: Order__e\n    rules:\n      - name: orders-to-sf\n        pattern: {{ source: [com.acme] }}\n        body: {{ Id__c: $.detail.id }}\n        role: {ROLE}\n  - name: refunds\n    event: Refund__e\n    rules:\n      - name: refunds-to-sf\n        pattern: {{ source: [com.acme] }}\n        body: {{ Id__c: $.detail.id }}\n        role: {ROLE}\n"
    ));
    let missing =
        mock!(aws_sdk_iam::Client::get_role).then_http_response(|| iam_error(404, "NoSuchEntity"));
    let context = support::context(
        support::eventbridge(&[]).await,
        support::secrets_manager(&[]).await,
    );
    let reads = rule_role::RoleReads::new(support::iam(&[&missing]).await);
    for destination in &specs[0].destinations {
        let roles = rule_role::read_roles(&context, &reads, destination).await;
        assert_eq!(roles[ROLE], RoleRead::NoSuchRole, "{}", destination.name);
    }
    assert_eq!(missing.num_calls(), 1, "one GetRole for both destinations");
}
