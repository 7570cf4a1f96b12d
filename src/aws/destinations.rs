//! EventBridge API destination calls: list, describe, create, update, delete, and the mapping
//! between [`DesiredDestination`] / [`LiveDestination`] and the SDK's types. Updates send every
//! field, so what the YAML no longer says is reset too.

use super::connections::{CallError, Events, call_error, listing_bound};
use crate::desired::{DesiredDestination, HTTP_METHOD};
use crate::live::LiveDestination;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::ApiDestinationHttpMethod;

/// Every API destination in the account and Region (only those of `connection_arn` when
/// given): name and connection ARN, within the listing [`bounds`](crate::bounds).
pub(crate) async fn list_destinations(
    events: &Events,
    connection_arn: Option<&str>,
) -> Result<Vec<(String, Option<String>)>, CallError> {
    let mut found = Vec::new();
    let mut next_token: Option<String> = None;
    for pages in 1.. {
        let page = events
            .client
            .list_api_destinations()
            .set_connection_arn(connection_arn.map(str::to_string))
            .limit(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(call_error(events))?;
        // Filtered again here: not every backend honours the filter.
        found.extend(
            page.api_destinations()
                .iter()
                .filter(|d| connection_arn.is_none() || d.connection_arn() == connection_arn)
                .filter_map(|d| {
                    d.name()
                        .map(|name| (name.to_string(), d.connection_arn().map(str::to_string)))
                }),
        );
        let more = page.next_token().is_some_and(|token| !token.is_empty());
        if let Some(bound) = listing_bound("API destinations", pages, found.len(), more) {
            return Err(bound);
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(found)
}

/// One API destination, or `None` if it does not exist.
pub(crate) async fn describe_destination(
    events: &Events,
    name: &str,
) -> Result<Option<LiveDestination>, CallError> {
    let output = match events
        .client
        .describe_api_destination()
        .name(name)
        .send()
        .await
    {
        Ok(output) => output,
        Err(error) if error.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(call_error(events)(error)),
    };
    Ok(Some(LiveDestination {
        name: output.name().unwrap_or(name).to_string(),
        arn: output.api_destination_arn().map(str::to_string),
        description: output.description().map(str::to_string),
        connection_arn: output.connection_arn().map(str::to_string),
        endpoint: output.invocation_endpoint().map(str::to_string),
        http_method: output.http_method().map(|m| m.as_str().to_string()),
        rate_limit_per_second: output
            .invocation_rate_limit_per_second()
            .and_then(|limit| u32::try_from(limit).ok()),
        state: output
            .api_destination_state()
            .map(|s| s.as_str().to_string()),
    }))
}

/// Creates the destination on the connection `connection_arn`.
pub(crate) async fn create_destination(
    events: &Events,
    desired: &DesiredDestination,
    connection_arn: &str,
) -> Result<(), CallError> {
    events
        .client
        .create_api_destination()
        .name(&desired.name)
        .description(&desired.description)
        .connection_arn(connection_arn)
        .invocation_endpoint(&desired.endpoint)
        .http_method(ApiDestinationHttpMethod::from(HTTP_METHOD))
        .invocation_rate_limit_per_second(rate(desired))
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(())
}

/// Updates every field of the destination.
pub(crate) async fn update_destination(
    events: &Events,
    desired: &DesiredDestination,
    connection_arn: &str,
) -> Result<(), CallError> {
    events
        .client
        .update_api_destination()
        .name(&desired.name)
        .description(&desired.description)
        .connection_arn(connection_arn)
        .invocation_endpoint(&desired.endpoint)
        .http_method(ApiDestinationHttpMethod::from(HTTP_METHOD))
        .invocation_rate_limit_per_second(rate(desired))
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(())
}

pub(crate) async fn delete_destination(events: &Events, name: &str) -> Result<(), CallError> {
    events
        .client
        .delete_api_destination()
        .name(name)
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(())
}

fn rate(desired: &DesiredDestination) -> i32 {
    i32::try_from(desired.rate_limit_per_second).unwrap_or(i32::MAX)
}
