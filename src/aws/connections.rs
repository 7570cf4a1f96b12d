//! EventBridge connection calls: list, describe, create, update and delete, and the mapping
//! between [`DesiredConnection`] / [`LiveConnection`] and the SDK's types.
//!
//! Creates and updates always send the complete desired parameters, so a parameter removed
//! from the YAML is removed in AWS too; clearing private connectivity sends the empty ARN
//! AWS requires.

// Every call here fails with the AWS edge's one error type.
pub(crate) use super::CallError;
use super::Reach;
use crate::desired::{AUTHORIZATION_TYPE, DesiredConnection, DesiredParameters, HTTP_METHOD};
use crate::live::{
    ConnectionState, ConnectionSummary, LiveConnection, LiveParameter, LiveParameters,
};
use crate::outside::Outside;
use crate::parameters::ListKind;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::{
    ConnectionAuthorizationType, ConnectionBodyParameter, ConnectionHeaderParameter,
    ConnectionHttpParameters, ConnectionOAuthHttpMethod, ConnectionQueryStringParameter,
    ConnectivityResourceConfigurationArn, ConnectivityResourceParameters,
    CreateConnectionAuthRequestParameters, CreateConnectionOAuthClientRequestParameters,
    CreateConnectionOAuthRequestParameters, UpdateConnectionAuthRequestParameters,
    UpdateConnectionOAuthClientRequestParameters, UpdateConnectionOAuthRequestParameters,
};

/// An EventBridge client and where it goes (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Events {
    pub(crate) client: Client,
    pub(crate) reach: Reach,
}

/// The EventBridge client of one Region, configured as shipped.
pub(crate) fn eventbridge_client(config: &aws_config::SdkConfig) -> Events {
    Events {
        client: aws_sdk_eventbridge::Client::from_conf(super::eventbridge_config(config).build()),
        reach: Reach::from_config(config, "events"),
    }
}

/// Turns an SDK error into a [`CallError`] naming where the call went.
pub(crate) fn call_error<E>(
    events: &Events,
) -> impl FnOnce(
    aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |error| CallError::from_sdk(error, &events.reach)
}

/// A listing that passed one of the [`bounds`](crate::bounds) (`what`: `connections`, `API
/// destinations`) after `pages` pages holding `listed` items, `more` of them to come; `None`
/// while it is within them. Pure.
pub(crate) fn listing_bound(
    what: &str,
    pages: usize,
    listed: usize,
    more: bool,
) -> Option<CallError> {
    use crate::bounds::{AWS_LISTED, AWS_PAGES};
    let message = if listed > AWS_LISTED {
        format!("the listing holds more than {AWS_LISTED} {what}, the most provision reads")
    } else if more && pages >= AWS_PAGES {
        format!(
            "the listing goes on past {AWS_PAGES} pages, the most provision reads (the endpoint keeps answering a NextToken)"
        )
    } else {
        return None;
    };
    Some(CallError::local(format!(
        "{message}; check --endpoint-url / AWS_ENDPOINT_URL*: EventBridge lists far fewer"
    )))
}

/// Every connection in the account and Region whose name starts with `prefix` (all of them
/// for ""), following `NextToken` to the end: 100 a page, within the listing [`bounds`](crate::bounds).
pub(crate) async fn list_connections(
    events: &Events,
    prefix: &str,
) -> Result<Vec<ConnectionSummary>, CallError> {
    let mut connections = Vec::new();
    let mut next_token: Option<String> = None;
    for pages in 1.. {
        let page = events
            .client
            .list_connections()
            .limit(100)
            .set_name_prefix((!prefix.is_empty()).then(|| prefix.to_string()))
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(call_error(events))?;
        for item in page.connections() {
            let Some(name) = item.name() else { continue };
            crate::secret::public(name);
            connections.push(ConnectionSummary {
                name: name.to_string(),
                state: ConnectionState::parse(
                    item.connection_state()
                        .map(|s| s.as_str())
                        .unwrap_or_default(),
                ),
                state_reason: item.state_reason().map(Outside::from),
            });
        }
        let more = page.next_token().is_some_and(|token| !token.is_empty());
        if let Some(bound) = listing_bound("connections", pages, connections.len(), more) {
            return Err(bound);
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(connections)
}

/// A connection's state and when AWS last authorized and last modified it, as
/// `DescribeConnection` reports them (the times only where AWS gives them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Authorization {
    pub(crate) state: ConnectionState,
    pub(crate) last_authorized: Option<aws_smithy_types::DateTime>,
    pub(crate) last_modified: Option<aws_smithy_types::DateTime>,
}

impl Authorization {
    /// `AUTHORIZED`, and, where AWS reports both times, authorized at or after its last update:
    /// a token was granted with what the update sent, not only before it.
    pub(crate) fn since_update(&self) -> bool {
        let after = match (self.last_authorized, self.last_modified) {
            (Some(authorized), Some(modified)) => authorized.as_nanos() >= modified.as_nanos(),
            _ => true,
        };
        self.state == ConnectionState::Authorized && after
    }
}

/// One connection's [`Authorization`], or `None` if it does not exist.
pub(crate) async fn authorization(
    events: &Events,
    name: &str,
) -> Result<Option<Authorization>, CallError> {
    let output = match events.client.describe_connection().name(name).send().await {
        Ok(output) => output,
        Err(error) if error.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(call_error(events)(error)),
    };
    Ok(Some(Authorization {
        state: ConnectionState::parse(
            output
                .connection_state()
                .map(|s| s.as_str())
                .unwrap_or_default(),
        ),
        last_authorized: output.last_authorized_time().copied(),
        last_modified: output.last_modified_time().copied(),
    }))
}

/// One connection, or `None` if it does not exist.
pub(crate) async fn describe_connection(
    events: &Events,
    name: &str,
) -> Result<Option<LiveConnection>, CallError> {
    let output = match events.client.describe_connection().name(name).send().await {
        Ok(output) => output,
        Err(error) if error.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(call_error(events)(error)),
    };
    let oauth = output
        .auth_parameters()
        .and_then(|auth| auth.o_auth_parameters());
    Ok(Some(LiveConnection {
        name: output.name().unwrap_or(name).to_string(),
        arn: output.connection_arn().map(str::to_string),
        state: ConnectionState::parse(
            output
                .connection_state()
                .map(|s| s.as_str())
                .unwrap_or_default(),
        ),
        state_reason: output
            .state_reason()
            .filter(|r| !r.is_empty())
            .map(Outside::from),
        description: output.description().map(str::to_string),
        authorization_type: output.authorization_type().map(|t| t.as_str().to_string()),
        authorization_endpoint: oauth
            .and_then(|o| o.authorization_endpoint())
            .map(str::to_string),
        http_method: oauth
            .and_then(|o| o.http_method())
            .map(|m| m.as_str().to_string()),
        client_id: oauth
            .and_then(|o| o.client_parameters())
            .and_then(|c| c.client_id())
            .map(str::to_string),
        oauth: live_parameters(oauth.and_then(|o| o.o_auth_http_parameters())),
        invocation: live_parameters(
            output
                .auth_parameters()
                .and_then(|auth| auth.invocation_http_parameters()),
        ),
        kms_key: output
            .kms_key_identifier()
            .filter(|k| !k.is_empty())
            .map(str::to_string),
        resource_configuration_arn: output
            .invocation_connectivity_parameters()
            .and_then(|c| c.resource_parameters())
            .map(|r| r.resource_configuration_arn().to_string())
            .filter(|arn| !arn.is_empty()),
        token_resource_configuration_arn: output
            .auth_parameters()
            .and_then(|auth| auth.connectivity_parameters())
            .and_then(|c| c.resource_parameters())
            .map(|r| r.resource_configuration_arn().to_string())
            .filter(|arn| !arn.is_empty()),
        secret_arn: output.secret_arn().map(str::to_string),
        last_modified: output
            .last_modified_time()
            .and_then(|time| time.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
    }))
}

fn live_parameters(parameters: Option<&ConnectionHttpParameters>) -> LiveParameters {
    let Some(parameters) = parameters else {
        return LiveParameters::default();
    };
    let item = |key: Option<&str>, value: Option<&str>, is_secret: bool| LiveParameter {
        key: key.unwrap_or_default().to_string(),
        // AWS hides secret values; if a backend echoes them anyway, they are not kept.
        value: if is_secret {
            None
        } else {
            Some(value.unwrap_or_default().to_string())
        },
        is_secret,
    };
    LiveParameters {
        headers: parameters
            .header_parameters()
            .iter()
            .map(|p| item(p.key(), p.value(), p.is_value_secret()))
            .collect(),
        query: parameters
            .query_string_parameters()
            .iter()
            .map(|p| item(p.key(), p.value(), p.is_value_secret()))
            .collect(),
        body: parameters
            .body_parameters()
            .iter()
            .map(|p| item(p.key(), p.value(), p.is_value_secret()))
            .collect(),
    }
}

/// The SDK's parameter lists; an empty list is sent as an empty list so that it clears.
fn http_parameters(parameters: &DesiredParameters) -> ConnectionHttpParameters {
    let mut built = ConnectionHttpParameters::builder();
    for (kind, list) in parameters.lists() {
        built = match kind {
            ListKind::Headers => built.set_header_parameters(Some(
                list.iter()
                    .map(|p| {
                        ConnectionHeaderParameter::builder()
                            .key(&p.key)
                            .value(p.value.expose())
                            .is_value_secret(p.value.is_secret())
                            .build()
                    })
                    .collect(),
            )),
            ListKind::Query => built.set_query_string_parameters(Some(
                list.iter()
                    .map(|p| {
                        ConnectionQueryStringParameter::builder()
                            .key(&p.key)
                            .value(p.value.expose())
                            .is_value_secret(p.value.is_secret())
                            .build()
                    })
                    .collect(),
            )),
            ListKind::Body => built.set_body_parameters(Some(
                list.iter()
                    .map(|p| {
                        ConnectionBodyParameter::builder()
                            .key(&p.key)
                            .value(p.value.expose())
                            .is_value_secret(p.value.is_secret())
                            .build()
                    })
                    .collect(),
            )),
        };
    }
    built.build()
}

fn connectivity(arn: Option<&str>) -> Result<ConnectivityResourceParameters, CallError> {
    let arn = ConnectivityResourceConfigurationArn::builder()
        .resource_configuration_arn(arn.unwrap_or_default())
        .build()
        .map_err(|error| CallError::built(error.to_string(), error))?;
    Ok(ConnectivityResourceParameters::builder()
        .resource_parameters(arn)
        .build())
}

fn build_error(error: aws_sdk_eventbridge::error::BuildError) -> CallError {
    CallError::built(format!("the request could not be built: {error}"), error)
}

/// What AWS answered to a create or update: the state, and the connection's ARN.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Wrote {
    pub(crate) state: ConnectionState,
    pub(crate) arn: Option<String>,
}

/// Creates the connection; returns the state AWS answered with.
pub(crate) async fn create_connection(
    events: &Events,
    desired: &DesiredConnection,
) -> Result<Wrote, CallError> {
    let oauth = CreateConnectionOAuthRequestParameters::builder()
        .client_parameters(
            CreateConnectionOAuthClientRequestParameters::builder()
                .client_id(desired.client_id.expose())
                .client_secret(desired.client_secret.expose())
                .build()
                .map_err(build_error)?,
        )
        .authorization_endpoint(&desired.authorization_endpoint)
        .http_method(ConnectionOAuthHttpMethod::from(HTTP_METHOD))
        .o_auth_http_parameters(http_parameters(&desired.oauth))
        .build()
        .map_err(build_error)?;
    let mut auth = CreateConnectionAuthRequestParameters::builder().o_auth_parameters(oauth);
    if !desired.invocation.is_empty() {
        auth = auth.invocation_http_parameters(http_parameters(&desired.invocation));
    }
    if let Some(arn) = &desired.token_resource_configuration_arn {
        auth = auth.connectivity_parameters(connectivity(Some(arn))?);
    }
    let mut request = events
        .client
        .create_connection()
        .name(&desired.name)
        .description(&desired.description)
        .authorization_type(ConnectionAuthorizationType::from(AUTHORIZATION_TYPE))
        .auth_parameters(auth.build())
        .set_kms_key_identifier(desired.kms_key.clone());
    if let Some(arn) = &desired.resource_configuration_arn {
        request = request.invocation_connectivity_parameters(connectivity(Some(arn))?);
    }
    let output = request.send().await.map_err(call_error(events))?;
    Ok(Wrote {
        state: ConnectionState::parse(
            output
                .connection_state()
                .map(|s| s.as_str())
                .unwrap_or_default(),
        ),
        arn: output.connection_arn().map(str::to_string),
    })
}

/// Updates the connection with the complete desired parameters, credentials included (which
/// also makes EventBridge re-authorize it). `live` says which optional settings (a KMS key,
/// private connectivity) must be cleared. Returns the state AWS answered with.
pub(crate) async fn update_connection(
    events: &Events,
    desired: &DesiredConnection,
    live: &LiveConnection,
) -> Result<Wrote, CallError> {
    let oauth = UpdateConnectionOAuthRequestParameters::builder()
        .client_parameters(
            UpdateConnectionOAuthClientRequestParameters::builder()
                .client_id(desired.client_id.expose())
                .client_secret(desired.client_secret.expose())
                .build(),
        )
        .authorization_endpoint(&desired.authorization_endpoint)
        .http_method(ConnectionOAuthHttpMethod::from(HTTP_METHOD))
        .o_auth_http_parameters(http_parameters(&desired.oauth))
        .build();
    let mut auth = UpdateConnectionAuthRequestParameters::builder()
        .o_auth_parameters(oauth)
        .invocation_http_parameters(http_parameters(&desired.invocation));
    // The token request's private connectivity: set it, or clear it with the empty ARN.
    match (
        &desired.token_resource_configuration_arn,
        &live.token_resource_configuration_arn,
    ) {
        (Some(arn), _) => auth = auth.connectivity_parameters(connectivity(Some(arn))?),
        (None, Some(_)) => auth = auth.connectivity_parameters(connectivity(None)?),
        (None, None) => {}
    }
    let auth = auth.build();
    let mut request = events
        .client
        .update_connection()
        .name(&desired.name)
        .description(&desired.description)
        .authorization_type(ConnectionAuthorizationType::from(AUTHORIZATION_TYPE))
        .auth_parameters(auth);
    match (&desired.kms_key, &live.kms_key) {
        (Some(key), _) => request = request.kms_key_identifier(key),
        // Back to the AWS owned key: an empty identifier, as for private connectivity.
        (None, Some(_)) => request = request.kms_key_identifier(""),
        (None, None) => {}
    }
    match (
        &desired.resource_configuration_arn,
        &live.resource_configuration_arn,
    ) {
        (Some(arn), _) => {
            request = request.invocation_connectivity_parameters(connectivity(Some(arn))?)
        }
        (None, Some(_)) => {
            request = request.invocation_connectivity_parameters(connectivity(None)?)
        }
        (None, None) => {}
    }
    let output = request.send().await.map_err(call_error(events))?;
    Ok(Wrote {
        state: ConnectionState::parse(
            output
                .connection_state()
                .map(|s| s.as_str())
                .unwrap_or_default(),
        ),
        arn: output.connection_arn().map(str::to_string),
    })
}

/// Deletes the connection; returns the state AWS answered with (`DELETING`).
pub(crate) async fn delete_connection(
    events: &Events,
    name: &str,
) -> Result<ConnectionState, CallError> {
    let output = events
        .client
        .delete_connection()
        .name(name)
        .send()
        .await
        .map_err(call_error(events))?;
    Ok(ConnectionState::parse(
        output
            .connection_state()
            .map(|s| s.as_str())
            .unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    #[test]
    fn authorized_since_its_update_needs_the_state_and_the_times_in_order() {
        let at = |secs| Some(DateTime::from_secs(secs));
        let authorization = |state, last_authorized, last_modified| Authorization {
            state,
            last_authorized,
            last_modified,
        };
        assert!(authorization(ConnectionState::Authorized, at(20), at(10)).since_update());
        assert!(authorization(ConnectionState::Authorized, at(10), at(10)).since_update());
        assert!(authorization(ConnectionState::Authorized, None, None).since_update());
        assert!(!authorization(ConnectionState::Authorized, at(5), at(10)).since_update());
        assert!(!authorization(ConnectionState::Authorizing, at(20), at(10)).since_update());
        assert!(!authorization(ConnectionState::Deauthorized, None, None).since_update());
    }
}
