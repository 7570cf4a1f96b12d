//! `ListConnections` pages: moto ignores `NextToken` and `Limit`, real AWS pages at most 100.

use super::support::*;
use crate::plan::Action;
use crate::plan::connection::PlanOptions;
use aws_sdk_eventbridge::operation::list_connections::ListConnectionsOutput;
use aws_sdk_eventbridge::types::ConnectionState;
use aws_smithy_mocks::{Rule, mock};

/// One page, answered only to the request carrying `token` (`None`: the first request).
fn page(token: Option<&'static str>, names: &[&str], next: Option<&'static str>) -> Rule {
    let connections: Vec<_> = names
        .iter()
        .map(|name| summary(name, ConnectionState::Authorized))
        .collect();
    mock!(aws_sdk_eventbridge::Client::list_connections)
        .match_requests(move |request| {
            request.next_token() == token
                && request
                    .limit()
                    .is_some_and(|limit| (1..=100).contains(&limit))
        })
        .then_output(move || {
            ListConnectionsOutput::builder()
                .set_connections(Some(connections.clone()))
                .set_next_token(next.map(str::to_string))
                .build()
        })
}

#[tokio::test]
async fn connections_on_later_pages_are_described_not_created() {
    let on_first = "sf-page-1";
    let on_second = "sf-page-2";
    let on_third = "sf-page-3";
    let missing = "sf-page-missing";
    let declared = declare(&[on_first, on_second, on_third, missing]);
    let first = page(
        None,
        &["someone-else-a", on_first, "someone-else-b"],
        Some("t1"),
    );
    let second = page(Some("t1"), &["someone-else-c", on_second], Some("t2"));
    let third = page(Some("t2"), &[on_third, "someone-else-d"], None);
    let mut describes: Vec<Rule> = [on_first, on_second, on_third]
        .iter()
        .map(|name| describe_rule(Live::matching(name, ConnectionState::Authorized)))
        .collect();
    // Undeclared connections are described to see whose they are: these are not this set's.
    describes.extend(
        [
            "someone-else-a",
            "someone-else-b",
            "someone-else-c",
            "someone-else-d",
        ]
        .iter()
        .map(|name| {
            describe_rule(
                Live::matching(name, ConnectionState::Authorized).description("made by hand"),
            )
        }),
    );
    let secrets: Vec<Rule> = [on_first, on_second, on_third]
        .iter()
        .map(|name| managed_secret_rule(name, client_secret(name)))
        .collect();
    let mut rules = vec![&first, &second, &third];
    rules.extend(describes.iter());
    let context = context(
        eventbridge(&rules).await,
        secrets_manager(&secrets.iter().collect::<Vec<_>>()).await,
    );

    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert!(plan.orphans.is_empty(), "none of them is this set's");

    for rule in [&first, &second, &third] {
        assert_eq!(
            rule.num_calls(),
            1,
            "each page is read once, in token order"
        );
    }
    for (name, rule) in [on_first, on_second, on_third].iter().zip(&describes) {
        assert_eq!(entry(&plan, name).action, Action::InSync, "{name}");
        assert_eq!(rule.num_calls(), 1, "{name} is described");
    }
    assert_eq!(
        entry(&plan, missing).action,
        Action::Create,
        "only the connection on no page is created"
    );
    assert_eq!(plan.summary().create, 1);
    assert_eq!(plan.summary().in_sync, 3);
}

#[tokio::test]
async fn an_empty_next_token_ends_the_walk() {
    let name = "sf-page-empty-token";
    let declared = declare(&[name]);
    let only = mock!(aws_sdk_eventbridge::Client::list_connections).then_output(move || {
        ListConnectionsOutput::builder()
            .connections(summary(name, ConnectionState::Authorized))
            .next_token("")
            .build()
    });
    let describe = describe_rule(Live::matching(name, ConnectionState::Authorized));
    let managed = managed_secret_rule(name, client_secret(name));
    let context = context(
        eventbridge(&[&only, &describe]).await,
        secrets_manager(&[&managed]).await,
    );
    let (plan, _) = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect("plan");
    assert_eq!(only.num_calls(), 1, "an empty token is the last page");
    assert_eq!(entry(&plan, name).action, Action::InSync);
}

#[tokio::test]
async fn a_listing_that_never_ends_stops_at_the_page_bound_and_says_so() {
    let declared = declare(&["sf-endless"]);
    let endless = mock!(aws_sdk_eventbridge::Client::list_connections).then_output(|| {
        ListConnectionsOutput::builder()
            .connections(summary("someone-else", ConnectionState::Authorized))
            .next_token("again")
            .build()
    });
    let context = context(eventbridge(&[&endless]).await, secrets_manager(&[]).await);
    let error = plan(&context, &declared.specs, PlanOptions::default())
        .await
        .expect_err("an endless listing is an error, not a plan");
    assert_eq!(endless.num_calls(), crate::bounds::AWS_PAGES);
    let text = error.to_string();
    assert!(
        text.contains("the listing goes on past 1000 pages, the most provision reads"),
        "{text}"
    );
}

#[test]
fn a_listing_of_more_items_than_the_bound_is_refused_even_on_one_page() {
    let bound = crate::aws::connections::listing_bound;
    assert_eq!(bound("connections", 1, 3_000, false), None);
    assert_eq!(bound("connections", 999, 99_900, true), None);
    let error = bound("connections", 1, crate::bounds::AWS_LISTED + 1, false).unwrap();
    assert!(
        error
            .message
            .starts_with("the listing holds more than 100000 connections"),
        "{}",
        error.message
    );
    assert!(bound("API destinations", 1000, 5, true).is_some());
    assert_eq!(bound("API destinations", 1000, 5, false), None);
}
