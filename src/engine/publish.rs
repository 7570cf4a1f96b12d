//! `verify --publish-test`: one event through one API destination, as EventBridge would send
//! it, in two steps so the command can ask in between. [`prepare`] requests the token, checks
//! the version and the target like `verify`, and builds the body (the `--body` file; else the
//! first declared rule's `sample:` rendered through its input transformer, exactly the bytes
//! EventBridge would send; else the required fields with test values); [`Prepared::publish`] POSTs it to the destination's own
//! endpoint with the connection's invocation headers and query parameters, and keeps the id
//! Salesforce returns. Nothing is sent before the token request; nothing is published unless
//! every check passed.

use super::Context;
use super::readiness;
use super::verify::{origin_of, verify_connection};
use crate::manifest::{ConnectionSpec, DestinationSpec, DestinationTarget};
use crate::plan::verify_report::Verified;
use crate::salesforce::rest::{Field, Rest, RestError};
use crate::salesforce::token::TokenLimits;
use serde_json::{Map, Value};

/// What every test string value says, so a subscriber can tell a test event from a real one.
pub(crate) const TEST_MARK: &str = "TEST from provision verify --publish-test";

/// Ready to publish: what will be sent, and the results so far.
pub(crate) struct Prepared {
    rest: Rest,
    pub(crate) endpoint: String,
    /// What will be sent, as JSON (to show before asking).
    pub(crate) body: Value,
    /// Exactly the bytes sent.
    bytes: Vec<u8>,
    /// The rule whose rendered `sample:` the body is, if any.
    from: Option<String>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    connection: Verified,
    destination: Verified,
}

/// Either ready, or stopped by a failed check (the results say why).
pub(crate) enum Prepare {
    Ready(Box<Prepared>),
    Stopped(Vec<Verified>),
}

fn stop(
    mut checked: Verified,
    refusal: readiness::Refusal,
    status: Option<u16>,
    connection: Verified,
) -> Prepare {
    checked.fail(refusal, status);
    Prepare::Stopped(vec![connection, checked])
}

/// Requests the token, checks the destination and builds the body; sends no event.
pub(crate) async fn prepare(
    context: &Context,
    spec: &ConnectionSpec,
    destination: &DestinationSpec,
    body: Option<Value>,
    limits: TokenLimits,
) -> Prepare {
    let region = context.place.region.as_str();
    let (connection, connected) = verify_connection(context, spec, limits).await;
    let Some(connected) = connected else {
        return Prepare::Stopped(vec![connection]);
    };
    let mut checked = Verified::destination(spec, destination, region);
    let rest = match Rest::new(
        origin_of(spec),
        connected.granted.access_token.clone(),
        limits,
    ) {
        Ok(rest) => rest,
        Err(error) => {
            return stop(
                checked,
                readiness::rest_refusal("the REST client", &error),
                None,
                connection,
            );
        }
    };
    let version = readiness::version_of(destination);
    if let Some(version) = &version {
        let served = match rest.versions().await {
            Ok(served) => served,
            Err(error) => {
                let status = error.status();
                return stop(
                    checked,
                    readiness::rest_refusal("listing the org's API versions", &error),
                    status,
                    connection,
                );
            }
        };
        if let Err(refusal) = readiness::check_version(&served, version) {
            return stop(checked, refusal, None, connection);
        }
    }
    let required = match (&destination.target, &version) {
        (DestinationTarget::Event(name) | DestinationTarget::SObject(name), Some(version)) => {
            let answer = rest.describe(version, name).await;
            let status = answer.as_ref().err().and_then(RestError::status);
            let fields: Vec<Field> = answer
                .as_ref()
                .map(|d| {
                    d.fields
                        .iter()
                        .filter(|f| f.is_required())
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if let Err(refusal) = readiness::check_described(name, version, answer) {
                return stop(checked, refusal, status, connection);
            }
            checked.required_fields = Some(fields.iter().map(|f| f.name.as_str().into()).collect());
            Some(fields)
        }
        _ => None,
    };
    // A rule's `sample:`, rendered through its input transformer: the bytes EventBridge would
    // send for that event, sent as they are.
    let sampled = destination
        .rules
        .iter()
        .find_map(|rule| rule.sample.as_ref().map(|sample| (rule, sample)));
    let (body, bytes, from) = match (body, sampled, required) {
        (Some(body), _, _) => {
            let bytes = body.to_string().into_bytes();
            (body, bytes, None)
        }
        (None, Some((rule, sample)), _) => {
            let bytes = crate::route::render::render(&rule.transformer(), sample);
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(body) => (body, bytes, Some(rule.name.clone())),
                Err(_) => {
                    return stop(
                        checked,
                        readiness::Refusal {
                            kind: readiness::RefusalKind::Rule,
                            error: format!(
                                "the sample of rule {} renders to text that is not JSON: nothing was published",
                                rule.name
                            ),
                            hint: "check the rule's `body:` paths against its `sample:` (run verify without --publish-test to see each finding)".to_string(),
                        },
                        None,
                        connection,
                    );
                }
            }
        }
        (None, None, Some(required)) => {
            let body = test_body(&required);
            let bytes = body.to_string().into_bytes();
            (body, bytes, None)
        }
        (None, None, None) => {
            return stop(
                checked,
                readiness::Refusal {
                    kind: readiness::RefusalKind::Rejected,
                    error:
                        "a `path:` destination's body cannot be described: nothing was published"
                            .to_string(),
                    hint: "give the body to send with --body FILE (JSON)".to_string(),
                },
                None,
                connection,
            );
        }
    };
    let pairs = |list: &[crate::desired::DesiredParameter]| -> Vec<(String, String)> {
        list.iter()
            .map(|p| (p.key.clone(), p.value.expose().to_string()))
            .collect()
    };
    Prepare::Ready(Box::new(Prepared {
        rest,
        endpoint: destination.endpoint(&spec.token_url),
        body,
        bytes,
        from,
        headers: pairs(&connected.desired.invocation.headers),
        query: pairs(&connected.desired.invocation.query),
        connection,
        destination: checked,
    }))
}

impl Prepared {
    /// Publishes the event; the results end with the destination's, its id on success.
    pub(crate) async fn publish(self, context: &Context) -> Vec<Verified> {
        let Prepared {
            rest,
            endpoint,
            body: _,
            bytes,
            from,
            headers,
            query,
            connection,
            mut destination,
        } = self;
        context
            .log
            .verbose(format!("{}: POST {endpoint}", destination.name));
        match rest.publish(&endpoint, bytes, &headers, &query).await {
            Ok(id) => {
                destination.checked = Some(match from {
                    Some(rule) => format!(
                        "published one test event: rule {rule}'s sample, rendered as EventBridge would"
                    ),
                    None => "published one test event".to_string(),
                });
                destination.enqueued_id = Some(id);
            }
            Err(error) => {
                let status = error.status();
                destination.fail(
                    readiness::rest_refusal("publishing the test event", &error),
                    status,
                );
            }
        }
        vec![connection, destination]
    }
}

/// The required fields with clearly marked test values, by field type. Pure.
pub(crate) fn test_body(required: &[Field]) -> Value {
    let mut body = Map::new();
    for field in required {
        let value = match field.kind.as_str() {
            "double" | "int" | "long" | "currency" | "percent" => Value::from(0),
            "boolean" => Value::Bool(false),
            "date" => Value::from("1970-01-01"),
            "datetime" => Value::from("1970-01-01T00:00:00.000Z"),
            "time" => Value::from("00:00:00.000Z"),
            "email" => Value::from("publish-test@example.invalid"),
            "url" => Value::from("https://example.invalid/provision-publish-test"),
            _ => Value::from(TEST_MARK),
        };
        body.insert(field.name.clone(), value);
    }
    Value::Object(body)
}

/// A destination's host is a sandbox or scratch org (`--publish-test` may publish there
/// without `--allow-production`). Pure.
pub(crate) fn is_sandbox_host(endpoint: &str) -> bool {
    url::Url::parse(endpoint)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| {
            host.ends_with(".sandbox.my.salesforce.com")
                || host.ends_with(".scratch.my.salesforce.com")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, kind: &str) -> Field {
        Field {
            name: name.into(),
            kind: kind.into(),
            soap_type: None,
            nillable: false,
            createable: true,
            defaulted_on_create: false,
        }
    }

    #[test]
    fn test_values_are_marked_and_typed() {
        let body = test_body(&[
            field("Order_Id__c", "string"),
            field("Amount__c", "double"),
            field("Rush__c", "boolean"),
            field("Placed__c", "datetime"),
        ]);
        assert_eq!(
            body,
            serde_json::json!({
                "Order_Id__c": TEST_MARK,
                "Amount__c": 0,
                "Rush__c": false,
                "Placed__c": "1970-01-01T00:00:00.000Z"
            })
        );
    }

    #[test]
    fn only_sandbox_and_scratch_hosts_are_not_production() {
        assert!(is_sandbox_host(
            "https://acme--uat.sandbox.my.salesforce.com/services/data/v62.0/sobjects/A__e"
        ));
        assert!(is_sandbox_host(
            "https://x.scratch.my.salesforce.com/services/data/v62.0/sobjects/A__e"
        ));
        assert!(!is_sandbox_host(
            "https://acme.my.salesforce.com/services/data/v62.0/sobjects/A__e"
        ));
        assert!(!is_sandbox_host(
            "https://acme.develop.my.salesforce.com/services/data/v62.0/sobjects/A__e"
        ));
        assert!(!is_sandbox_host(
            "http://127.0.0.1:8080/services/data/v62.0/sobjects/A__e"
        ));
        assert!(!is_sandbox_host("not a url"));
    }
}
