//! The Salesforce REST reads that tell whether an API destination can deliver, made with the
//! connection's own token (so they answer as the app's Run As user, the user EventBridge
//! publishes as), and the one write `verify --publish-test` makes.
//!
//! `GET /services/data/` (the API versions served), `GET .../sobjects/<Name>/describe` (does
//! the target exist, may the user create it, which fields must an event carry) and `GET
//! .../limits` (the org's allocations). The publish is a POST to the destination's own
//! endpoint with the body and headers EventBridge would send. Every call goes to the My Domain
//! host of the destination. The token is a [`Secret`]; answers are read as data, and messages
//! carry Salesforce's `errorCode` and `message`, never a request.

use crate::outside::Outside;
use crate::salesforce::token::TokenLimits;
use crate::secret::Secret;
use serde_json::Value;

/// The `User-Agent` EventBridge API destinations are reported to send. Unverified in this
/// project's sources: nothing depends on it beyond making the test event look like one.
pub(crate) const EVENTBRIDGE_USER_AGENT: &str = "Amazon/EventBridge/ApiDestinations";

/// Why a REST call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RestError {
    /// No answer within the limit.
    TimedOut { url: String, limit: String },
    /// The connection failed (refused, unreachable, TLS).
    Unreachable { url: String, detail: String },
    /// Salesforce answered with an error status: its first `errorCode` and `message`.
    Status {
        status: u16,
        code: Option<Outside>,
        message: Option<Outside>,
    },
    /// A success whose body is not what the resource documents.
    Shape { url: String, detail: String },
}

impl RestError {
    /// One line for the user.
    pub(crate) fn describe(&self) -> String {
        match self {
            RestError::TimedOut { url, limit } => format!("{url} did not answer within {limit}"),
            RestError::Unreachable { url, detail } => format!("cannot reach {url}: {detail}"),
            RestError::Status {
                status,
                code,
                message,
            } => match (code, message) {
                (Some(code), Some(message)) => format!("HTTP {status} {code}: {message}"),
                (Some(code), None) => format!("HTTP {status} {code}"),
                (None, Some(message)) => format!("HTTP {status}: {message}"),
                (None, None) => format!("HTTP {status}"),
            },
            RestError::Shape { url, detail } => format!("{url} answered {detail}"),
        }
    }

    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            RestError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One field of a described object, as far as creating a record needs: the SOAP API's "Field"
/// of DescribeSObjectResult, which the REST describe serves per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// The field's API name.
    pub(crate) name: String,
    /// `type`: the FieldType ("Field Types" in the Object Reference: string, double, ...).
    pub(crate) kind: String,
    /// `soapType`: the XML schema type of its value ("SOAPTypes": xsd:double, tns:ID, ...);
    /// `None` when the answer leaves it out.
    pub(crate) soap_type: Option<String>,
    pub(crate) nillable: bool,
    pub(crate) createable: bool,
    pub(crate) defaulted_on_create: bool,
}

impl Field {
    /// A value must be given on create: createable, not nillable, not defaulted.
    pub(crate) fn is_required(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }
}

/// What `describe` says of an object, for the calling user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Described {
    pub(crate) createable: bool,
    pub(crate) fields: Vec<Field>,
}

/// One allocation of `/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Allocation {
    pub(crate) max: u64,
    pub(crate) remaining: Option<u64>,
}

/// The allocations `verify` compares the declared rates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct OrgLimits {
    pub(crate) hourly_published_platform_events: Option<Allocation>,
    pub(crate) daily_api_requests: Option<Allocation>,
}

/// The REST API of one org, as one user (the token's).
pub(crate) struct Rest {
    client: reqwest::Client,
    /// `scheme://host[:port]`, no trailing slash.
    origin: String,
    token: Secret,
    limits: TokenLimits,
}

impl Rest {
    pub(crate) fn new(origin: &str, token: Secret, limits: TokenLimits) -> Result<Self, RestError> {
        let client = super::http::client_builder()
            .connect_timeout(limits.connect)
            .timeout(limits.total)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| RestError::Unreachable {
                url: origin.to_string(),
                detail: format!("cannot build an HTTP client: {}", error.without_url()),
            })?;
        Ok(Rest {
            client,
            origin: origin.trim_end_matches('/').to_string(),
            token,
            limits,
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    async fn send(&self, url: &str, request: reqwest::RequestBuilder) -> Result<Value, RestError> {
        let response = request
            .bearer_auth(self.token.expose())
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|error| self.transport(url, &error))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|error| self.transport(url, &error))?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(status_error(status, &body))
    }

    async fn get(&self, path: &str) -> Result<Value, RestError> {
        let url = self.url(path);
        self.send(&url, self.client.get(&url)).await
    }

    /// `GET /services/data/`: the API versions the org serves, as `vNN.N`.
    pub(crate) async fn versions(&self) -> Result<Vec<String>, RestError> {
        let body = self.get("/services/data/").await?;
        read_versions(&body).ok_or_else(|| RestError::Shape {
            url: self.url("/services/data/"),
            detail: "no list of versions".to_string(),
        })
    }

    /// `GET /services/data/<version>/sobjects/<name>/describe`.
    pub(crate) async fn describe(&self, version: &str, name: &str) -> Result<Described, RestError> {
        let path = format!("/services/data/{version}/sobjects/{name}/describe");
        let body = self.get(&path).await?;
        read_described(&body).ok_or_else(|| RestError::Shape {
            url: self.url(&path),
            detail: "no `createable` and `fields`".to_string(),
        })
    }

    /// `GET /services/data/<version>/limits`.
    pub(crate) async fn limits(&self, version: &str) -> Result<OrgLimits, RestError> {
        let body = self
            .get(&format!("/services/data/{version}/limits"))
            .await?;
        Ok(read_limits(&body))
    }

    /// POSTs `body` (exactly these bytes) to `endpoint` as EventBridge would (JSON, its User-Agent, the connection's
    /// invocation headers and query parameters), and returns the id Salesforce gives.
    pub(crate) async fn publish(
        &self,
        endpoint: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Outside, RestError> {
        let mut request = self
            .client
            .post(endpoint)
            .query(query)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", EVENTBRIDGE_USER_AGENT)
            .body(body);
        for (key, value) in headers {
            request = request.header(key.as_str(), value.as_str());
        }
        let answer = self.send(endpoint, request).await?;
        answer
            .get("id")
            .and_then(Value::as_str)
            .map(Outside::from)
            .ok_or_else(|| RestError::Shape {
                url: endpoint.to_string(),
                detail: "no `id`".to_string(),
            })
    }

    fn transport(&self, url: &str, error: &reqwest::Error) -> RestError {
        if error.is_timeout() {
            let total = humantime::format_duration(self.limits.total);
            let limit = if self.limits.flag.is_empty() {
                total.to_string()
            } else {
                format!("{total} ({})", self.limits.flag)
            };
            return RestError::TimedOut {
                url: url.to_string(),
                limit,
            };
        }
        let mut detail = Vec::new();
        let mut source = std::error::Error::source(error);
        while let Some(next) = source {
            let text = next.to_string();
            if !text.is_empty() && !detail.iter().any(|d: &String| d.contains(&text)) {
                detail.push(text);
            }
            source = next.source();
        }
        RestError::Unreachable {
            url: url.to_string(),
            detail: if detail.is_empty() {
                "the request failed".to_string()
            } else {
                crate::outside::escape(&detail.join(": ")).into_owned()
            },
        }
    }
}

/// Salesforce's error body is a list of `{"errorCode", "message"}`; the first one counts.
fn status_error(status: u16, body: &Value) -> RestError {
    crate::secret::remember_answer(body);
    let first = body
        .as_array()
        .and_then(|errors| errors.first())
        .unwrap_or(body);
    let field = |key: &str| {
        first
            .get(key)
            .and_then(Value::as_str)
            .map(|text| Outside::read(text, 300))
    };
    RestError::Status {
        status,
        code: field("errorCode"),
        message: field("message"),
    }
}

fn read_versions(body: &Value) -> Option<Vec<String>> {
    body.as_array().map(|versions| {
        versions
            .iter()
            .filter_map(|v| v.get("version").and_then(Value::as_str))
            .map(|v| format!("v{v}"))
            .collect()
    })
}

fn read_described(body: &Value) -> Option<Described> {
    let createable = body.get("createable")?.as_bool()?;
    let fields = body
        .get("fields")?
        .as_array()?
        .iter()
        .filter_map(|field| {
            let flag = |key: &str| field.get(key).and_then(Value::as_bool);
            Some(Field {
                name: field.get("name")?.as_str()?.to_string(),
                kind: field
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("string")
                    .to_string(),
                soap_type: field
                    .get("soapType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                nillable: flag("nillable").unwrap_or(true),
                createable: flag("createable").unwrap_or(false),
                defaulted_on_create: flag("defaultedOnCreate").unwrap_or(false),
            })
        })
        .collect();
    Some(Described { createable, fields })
}

fn read_limits(body: &Value) -> OrgLimits {
    let allocation = |name: &str| {
        let entry = body.get(name)?;
        Some(Allocation {
            max: entry.get("Max")?.as_u64()?,
            remaining: entry.get("Remaining").and_then(Value::as_u64),
        })
    };
    OrgLimits {
        hourly_published_platform_events: allocation("HourlyPublishedPlatformEvents"),
        daily_api_requests: allocation("DailyApiRequests"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_are_read_as_v_prefixed() {
        let body =
            json!([{"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"}]);
        assert_eq!(read_versions(&body), Some(vec!["v62.0".to_string()]));
        assert_eq!(read_versions(&json!({"no": "list"})), None);
    }

    #[test]
    fn a_required_field_is_createable_not_nillable_and_not_defaulted() {
        let described = read_described(&json!({"createable": true, "fields": [
            {"name": "Order_Id__c", "type": "string", "nillable": false, "createable": true, "defaultedOnCreate": false},
            {"name": "Note__c", "nillable": true, "createable": true, "defaultedOnCreate": false},
            {"name": "CreatedDate", "nillable": false, "createable": false, "defaultedOnCreate": true},
            {"name": "Status__c", "nillable": false, "createable": true, "defaultedOnCreate": true}
        ]}))
        .unwrap();
        let required: Vec<&str> = described
            .fields
            .iter()
            .filter(|f| f.is_required())
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(required, ["Order_Id__c"]);
    }

    #[test]
    fn each_field_keeps_its_type_and_soap_type() {
        let described = read_described(&json!({"createable": true, "fields": [
            {"name": "Amount__c", "type": "currency", "soapType": "xsd:double", "nillable": true, "createable": true, "defaultedOnCreate": false},
            {"name": "Note__c", "type": "textarea"}
        ]}))
        .unwrap();
        let typed: Vec<(&str, &str, Option<&str>)> = described
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.kind.as_str(), f.soap_type.as_deref()))
            .collect();
        assert_eq!(
            typed,
            [
                ("Amount__c", "currency", Some("xsd:double")),
                ("Note__c", "textarea", None)
            ]
        );
    }

    #[test]
    fn limits_keep_max_and_remaining_of_the_two_allocations() {
        let limits = read_limits(&json!({
            "DailyApiRequests": {"Max": 15000, "Remaining": 14000},
            "HourlyPublishedPlatformEvents": {"Max": 250000, "Remaining": 250000},
            "SingleEmail": {"Max": 15, "Remaining": 15}
        }));
        assert_eq!(
            limits.daily_api_requests,
            Some(Allocation {
                max: 15000,
                remaining: Some(14000)
            })
        );
        assert_eq!(limits.hourly_published_platform_events.unwrap().max, 250000);
        assert_eq!(read_limits(&json!({})), OrgLimits::default());
    }

    #[test]
    fn an_error_answer_keeps_the_first_code_and_message() {
        let error = status_error(
            404,
            &json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]),
        );
        assert_eq!(
            error.describe(),
            "HTTP 404 NOT_FOUND: The requested resource does not exist"
        );
        assert_eq!(status_error(500, &Value::Null).describe(), "HTTP 500");
    }
}
