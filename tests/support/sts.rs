//! What a fake AWS endpoint on 127.0.0.1 answers to `sts:GetCallerIdentity`, the first call of
//! every run (the session asks the caller's account once, before any other call), so a test
//! that fakes one EventBridge answer reaches the call it is about.

use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The account the answer names: moto's, so a test may use either.
pub const ACCOUNT: &str = "123456789012";

/// Answers every `GetCallerIdentity` on `server` as AWS does: the Query protocol's form body
/// (`Action=GetCallerIdentity`) answered with the XML of the STS API reference's example
/// (GetCallerIdentity, "Example 1"), in `ACCOUNT`.
pub async fn answer_caller_identity(server: &MockServer) {
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/xml")
                .set_body_string(format!(
                    r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{ACCOUNT}:user/Alice</Arn>
    <UserId>AKIAI44QH8DHBEXAMPLE</UserId>
    <Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>"#
                )),
        )
        .mount(server)
        .await;
}
