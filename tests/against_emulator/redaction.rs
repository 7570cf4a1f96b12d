//! No secret reaches any output, in any form it comes back in: a property test over the whole
//! alphabet AWS allows in a client secret and a secret parameter value (printable, no `:`),
//! echoed by a fake token endpoint raw, JSON-escaped, form- and percent-encoded, as an HTTP
//! Basic header and cut across the shown length; and an AWS validation error quoting the
//! request. Every format is searched (text, JSON parsed into its decoded strings, Markdown,
//! `-vv`), for the secret in each of those forms and for any piece of it.

use crate::support::World;
use base64::Engine;
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// How the fake endpoint echoes what it was sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Echo {
    Raw,
    JsonEscaped,
    FormAsReceived,
    PercentLowercase,
    PercentWithSpaces,
    BasicHeader,
    CutAcrossTheShownLength,
}

const ECHOES: [Echo; 7] = [
    Echo::Raw,
    Echo::JsonEscaped,
    Echo::FormAsReceived,
    Echo::PercentLowercase,
    Echo::PercentWithSpaces,
    Echo::BasicHeader,
    Echo::CutAcrossTheShownLength,
];

/// `text` percent-encoded byte by byte (all but ASCII letters and digits), hex in `lower` case
/// or not, a space as `%20`.
fn percent(text: &str, lower: bool) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else if lower {
                format!("%{b:02x}")
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(super) fn form(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

fn basic(id: &str, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

/// A token endpoint that refuses every request, echoing the client id, the client secret and
/// the extra secret parameter in the way the test sets.
struct EchoingEndpoint(Arc<Mutex<Echo>>);

impl Respond for EchoingEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let field = |name: &str| {
            url::form_urlencoded::parse(body.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        let (id, secret, extra) = (field("client_id"), field("client_secret"), field("x_extra"));
        let description = match *self.0.lock().unwrap() {
            Echo::Raw => format!("bad secret {secret} and {extra}"),
            Echo::JsonEscaped => {
                format!(
                    "request {{\"client_secret\":\"{}\",\"x\":\"{}\"}}",
                    json_escaped(&secret),
                    json_escaped(&extra)
                )
            }
            Echo::FormAsReceived => format!("could not authenticate request {body}"),
            Echo::PercentLowercase => {
                format!("s={}&x={}", percent(&secret, true), percent(&extra, true))
            }
            Echo::PercentWithSpaces => {
                format!("s={} x={}", percent(&secret, false), percent(&extra, false))
            }
            Echo::BasicHeader => format!("Authorization: Basic {}", basic(&id, &secret)),
            // The shown description is cut at 300 characters: put the secret across the cut.
            Echo::CutAcrossTheShownLength => {
                let half = secret.chars().count() / 2;
                format!("{}{secret}{extra}", "-".repeat(300 - half))
            }
        };
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": description,
        }))
    }
}

/// Every form of `secret` that must not be printed, with its name.
fn forms_of(id: &str, secret: &str) -> Vec<(&'static str, String)> {
    let mut forms = vec![
        ("raw", secret.to_string()),
        ("JSON-escaped", json_escaped(secret)),
        ("form-encoded", form(secret)),
        ("percent-encoded", percent(secret, false)),
        ("percent-encoded (lower case)", percent(secret, true)),
        ("HTTP Basic", basic(id, secret)),
    ];
    // Any piece of 16 characters or more (the tool redacts pieces from 16 bytes).
    let chars: Vec<char> = secret.chars().collect();
    for start in 0..chars.len().saturating_sub(15) {
        forms.push(("a piece", chars[start..start + 16].iter().collect()));
    }
    forms.retain(|(_, form)| form.len() >= 8);
    forms
}

#[track_caller]
pub(super) fn assert_no_form(output: &str, what: &str, id: &str, secrets: &[&str]) {
    for secret in secrets {
        for (form, value) in forms_of(id, secret) {
            assert!(
                !output.contains(&value),
                "the secret {secret:?} was printed ({form}: {value:?}) in {what}:\n{output}"
            );
        }
    }
}

pub(super) fn json_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(fields) => {
            for (key, v) in fields {
                out.push(key.clone());
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

/// A client secret: 16 to 48 characters AWS allows (printable, no `:`, no control
/// characters, no leading or trailing space), from the ASCII range and beyond.
fn aws_secret() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => (0x21u8..=0x7e).prop_filter("no colon", |b| *b != b':').prop_map(|b| b as char),
            1 => Just(' '),
            1 => prop::sample::select(vec!['é', '€', 'ß', '中', '\u{1F511}']),
        ],
        16..48,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>().trim().to_string())
    .prop_filter("at least 16 characters", |s| s.chars().count() >= 16)
}

struct Setup {
    world: World,
    echo: Arc<Mutex<Echo>>,
    _server: MockServer,
}

fn setup(secret: &str, extra: &str) -> Setup {
    let mut world = World::new();
    let echo = Arc::new(Mutex::new(Echo::Raw));
    let server = world.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(EchoingEndpoint(echo.clone()))
            .mount(&server)
            .await;
        server
    });
    world.env("ECHO_SECRET", secret);
    world.env("ECHO_EXTRA", extra);
    world.write(
        "connections/echo.yaml",
        &format!(
            "name: sf-echo\nsalesforce:\n  tokenUrl: {}/services/oauth2/token\n  allowAnyHost: true\nclientId: {ID}\nclientSecret: {{ env: ECHO_SECRET }}\noauth:\n  body:\n    x_extra: {{ env: ECHO_EXTRA }}\n",
            server.uri()
        ),
    );
    Setup {
        world,
        echo,
        _server: server,
    }
}

const ID: &str = "3MVG9echoClientId";

fn check_every_output(setup: &Setup, secrets: &[&str]) {
    for echo in ECHOES {
        *setup.echo.lock().unwrap() = echo;
        for args in [
            &["verify", "connections/"][..],
            &["verify", "connections/", "-vv"],
            &["verify", "connections/", "--output", "markdown"],
            &["verify", "connections/", "--output", "json"],
        ] {
            let run = setup.world.provision(args);
            assert_eq!(run.code, 1, "{echo:?} {args:?}: {run:?}");
            let what = format!("{args:?} with the endpoint echoing {echo:?}");
            assert_no_form(&run.stdout, &format!("stdout of {what}"), ID, secrets);
            assert_no_form(&run.stderr, &format!("stderr of {what}"), ID, secrets);
            if args.contains(&"json") {
                let mut strings = Vec::new();
                json_strings(&run.json(), &mut strings);
                for text in strings {
                    assert_no_form(&text, &format!("a JSON string of {what}"), ID, secrets);
                }
            }
            assert!(
                run.stdout.contains("(secret)") || run.stderr.contains("(secret)"),
                "{what}: the echo is shown with the secret replaced:\n{}{}",
                run.stdout,
                run.stderr
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_form_of_an_echoed_secret_is_ever_printed(secret in aws_secret(), extra in aws_secret()) {
        prop_assume!(secret != extra);
        let setup = setup(&secret, &extra);
        check_every_output(&setup, &[&secret, &extra]);
    }
}

/// The characters that defeated redaction before: quotes, backslashes and everything a
/// form encoder rewrites.
#[test]
fn secrets_with_quotes_backslashes_and_encoded_characters_are_never_printed() {
    let secret = r#"Qu"ote\back/sl+ash=per%cent &amp; é€ end"#;
    let extra = r#"x"\\"tra-secret-value+/=%41"#;
    let setup = setup(secret, extra);
    check_every_output(&setup, &[secret, extra]);
}

/// Characters the output shows escaped (text from outside is data): a bidi override, a
/// zero-width space, a line separator, a bidi isolate. AWS allows them in a client secret (its
/// pattern refuses only control characters and `:`).
#[test]
fn a_secret_holding_characters_shown_escaped_is_redacted_before_it_is_escaped() {
    let secret = "bidi-\u{202e}-zero-\u{200b}-line-\u{2028}-secret-0123";
    let extra = "extra-\u{2066}isolate\u{2069}-secret-4567";
    let setup = setup(secret, extra);
    check_every_output(&setup, &[secret, extra]);
    // Nor the form the output would show it in, had it not been redacted first.
    let escaped = |text: &str| {
        text.chars()
            .map(|c| match c {
                '\u{202e}' | '\u{200b}' | '\u{2028}' | '\u{2066}' | '\u{2069}' => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            })
            .collect::<String>()
    };
    check_every_output(&setup, &[&escaped(secret), &escaped(extra)]);
}

/// A fake AWS whose EventBridge `CreateConnection` fails validation quoting the request, as
/// AWS validation errors may, whole or cut short right after `cut_after` (AWS cuts what it
/// quotes); its Secrets Manager answers `GetSecretValue` with `secret_string`, if given.
#[derive(Default)]
struct QuotingEventBridge {
    cut_after: Option<&'static str>,
    secret_string: Option<String>,
}

impl Respond for QuotingEventBridge {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let target = request
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let json = |status: u16, body: serde_json::Value| {
            ResponseTemplate::new(status)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_json(body)
        };
        match target.rsplit('.').next().unwrap_or_default() {
            "GetSecretValue" => json(
                200,
                serde_json::json!({
                    "ARN": format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{SECRET_DOCUMENT_ID}-AbCdEf"),
                    "Name": SECRET_DOCUMENT_ID,
                    "VersionId": "v1",
                    "SecretString": self.secret_string,
                }),
            ),
            "ListConnections" => json(200, serde_json::json!({"Connections": []})),
            "ListApiDestinations" => json(200, serde_json::json!({"ApiDestinations": []})),
            "DescribeConnection" => json(
                400,
                serde_json::json!({"__type": "ResourceNotFoundException", "message": "Connection does not exist."}),
            ),
            _ => {
                let request = String::from_utf8_lossy(&request.body);
                let cut = self
                    .cut_after
                    .and_then(|text| request.find(text).map(|at| at + text.len()))
                    .unwrap_or(request.len());
                json(
                    400,
                    serde_json::json!({
                        "__type": "ValidationException",
                        "message": format!("1 validation error detected: Value '{}' failed to satisfy constraint", &request[..cut]),
                    }),
                )
            }
        }
    }
}

/// Applies `yaml` against `aws`: every format fails with AWS's quote of the request, and none
/// holds any form of `secrets`.
fn check_the_quote_prints_none_of(
    mut world: World,
    aws: QuotingEventBridge,
    yaml: &str,
    secrets: &[&str],
) {
    let server = world.block_on(async {
        let server = MockServer::start().await;
        crate::support::sts::answer_caller_identity(&server).await;
        Mock::given(method("POST"))
            .and(header_exists("x-amz-target"))
            .respond_with(aws)
            .mount(&server)
            .await;
        server
    });
    world.env("AWS_ENDPOINT_URL", &server.uri());
    world.write("connections/quoted.yaml", yaml);
    for args in [
        &["apply", "connections/"][..],
        &["apply", "connections/", "-vv"],
        &["apply", "connections/", "--output", "markdown"],
        &["apply", "connections/", "--output", "json"],
    ] {
        let run = world.provision(args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("ValidationException"), "{args:?}:\n{all}");
        assert_no_form(&all, &format!("{args:?}"), ID, secrets);
        if args.contains(&"json") {
            let mut strings = Vec::new();
            json_strings(&run.json(), &mut strings);
            for text in strings {
                assert_no_form(&text, &format!("a JSON string of {args:?}"), ID, secrets);
            }
        }
    }
}

#[test]
fn an_aws_validation_error_quoting_the_request_prints_no_secret() {
    let secret = r#"Qu"ote\back/sl+ash=per%cent é end"#;
    let mut world = World::new();
    world.env("QUOTED_SECRET", secret);
    check_the_quote_prints_none_of(
        world,
        QuotingEventBridge::default(),
        &format!(
            "name: sf-quoted\nsalesforce:\n  myDomain: acme\nclientId: {ID}\nclientSecret: {{ env: QUOTED_SECRET }}\n"
        ),
        &[secret],
    );
}

const SECRET_DOCUMENT_ID: &str = "team/salesforce";
const SELECTED: &str = "selected-consumer-secret-4f5e6d7c8b";
const OTHER_PASSWORD: &str = "unrelated-other-password-9a8b7c6d5e";

/// A JSON secret of two fields, read by key for the client secret and whole for a header: AWS
/// quotes the request cut short right after the second field, so the whole document is no
/// longer there to match and only remembering each field keeps `other_password` out.
#[test]
fn the_other_fields_of_a_json_secret_read_by_key_are_never_printed() {
    let aws = QuotingEventBridge {
        cut_after: Some(OTHER_PASSWORD),
        secret_string: Some(format!(
            r#"{{"consumer_secret": "{SELECTED}", "other_password": "{OTHER_PASSWORD}"}}"#
        )),
    };
    check_the_quote_prints_none_of(
        World::new(),
        aws,
        &format!(
            "name: sf-team\nsalesforce:\n  myDomain: acme\nclientId: {ID}\nclientSecret: {{ secretsManager: {SECRET_DOCUMENT_ID}, key: consumer_secret }}\ninvocation:\n  headers:\n    X-Team-Config: {{ secretsManager: {SECRET_DOCUMENT_ID} }}\n"
        ),
        &[SELECTED, OTHER_PASSWORD],
    );
}
