"""Self-test for scripts/moto_server.py, the patched moto launcher `provision` tests run against.

Why this file exists: the launcher's patches are what make the local emulator behave like the
recorded real-AWS EventBridge responses; if one silently stops working (a moto upgrade, an edit)
the Rust tests would pass against the wrong behaviour. This starts the launcher on port 0 as a
subprocess, checks every patch through boto3, and stops it.

Plain Python, no pytest:  .venv/bin/python scripts/test_moto_server.py
Prints `N passed, M failed` and exits non-zero on any failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import boto3
from botocore.exceptions import ClientError

LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto_server.py")
DENY_PREFIX = "bad-"
DEAUTH_REASON = "Unable to authorize connection: invalid_client: invalid client credentials"
TESTS: list[Callable[[], None]] = []


# ------------------------------------------------------------------------------- harness


class Emulator:
    def __init__(self, env: dict[str, str]):
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, LAUNCHER, "--port", "0"],
            stdout=subprocess.PIPE,
            env={**os.environ, **env},
            text=True,
        )
        line = self.proc.stdout.readline().strip()  # type: ignore[union-attr]
        self.startup_seconds = time.monotonic() - started
        assert line.startswith("ready http://127.0.0.1:"), f"bad ready line {line!r}"
        self.url = line.split(" ", 1)[1]
        assert not self.url.endswith(":0"), "port 0 must print the real port"

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def control(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.url + "/_provision/connection-state",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def raw_events(self, target: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """An unsigned-by-boto call, for inputs botocore refuses to send (e.g. Limit 0)."""
        request = urllib.request.Request(
            self.url + "/",
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSEvents.{target}",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/"
                "events/aws4_request, SignedHeaders=host, Signature=x",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


@contextmanager
def emulator(**env: str) -> Iterator[Emulator]:
    emu = Emulator(env)
    try:
        yield emu
    finally:
        if emu.proc.poll() is None:
            emu.stop()


EMU: Emulator  # the shared emulator (default env plus the deauthorize prefix)


def events() -> Any:
    return EMU.client("events")


def secrets() -> Any:
    return EMU.client("secretsmanager")


def test(func: Callable[[], None]) -> Callable[[], None]:
    TESTS.append(func)
    return func


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    try:
        call()
    except ClientError as err:
        return {**err.response["Error"], "Status": err.response["ResponseMetadata"]["HTTPStatusCode"]}
    raise AssertionError("expected an error")


def oauth(secret: str = "s3cr3t", **extra: Any) -> dict[str, Any]:
    params = {
        "AuthorizationEndpoint": "https://example.my.salesforce.com/services/oauth2/token",
        "HttpMethod": "POST",
        "ClientParameters": {"ClientID": "3MVGid", "ClientSecret": secret},
    }
    params.update(extra)
    return {"OAuthParameters": params}


def create_oauth(name: str, secret: str = "s3cr3t", **kwargs: Any) -> dict[str, Any]:
    return events().create_connection(
        Name=name,
        AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters=kwargs.pop("auth", None) or oauth(secret),
        **kwargs,
    )


def settle(name: str) -> dict[str, Any]:
    """Describe until the connection leaves AUTHORIZING (bounded)."""
    for _ in range(10):
        found = events().describe_connection(Name=name)
        if found["ConnectionState"] != "AUTHORIZING":
            return found
    raise AssertionError(f"{name} never left AUTHORIZING")


def secret_of(name: str) -> dict[str, Any]:
    arn = events().describe_connection(Name=name)["SecretArn"]
    value = secrets().get_secret_value(SecretId=arn)
    value["Parsed"] = json.loads(value["SecretString"])
    return value


# ------------------------------------------------------------------------------- server


@test
def ready_line_and_startup() -> None:
    assert EMU.startup_seconds < 5, f"startup took {EMU.startup_seconds:.1f}s"


@test
def sigterm_exits_cleanly() -> None:
    with emulator() as emu:
        emu.client("events").list_connections()
        assert emu.stop() == 0


# ------------------------------------------------------------------------------- patch 1


@test
def oauth_secret_has_aws_layout() -> None:
    create_oauth(
        "p1-oauth",
        auth={
            **oauth(
                OAuthHttpParameters={
                    "BodyParameters": [{"Key": "scope", "Value": "api"}],
                    "HeaderParameters": [{"Key": "X-H", "Value": "h", "IsValueSecret": True}],
                    "QueryStringParameters": [{"Key": "q", "Value": "1"}],
                }
            ),
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "X-Inv", "Value": "v", "IsValueSecret": True}]
            },
        },
    )
    value = secret_of("p1-oauth")
    assert value["Parsed"] == {
        "client_id": "3MVGid",
        "client_secret": "s3cr3t",
        "authorization_endpoint": "https://example.my.salesforce.com/services/oauth2/token",
        "http_method": "POST",
        "oauth_http_parameters": {
            "body_parameters": [{"key": "scope", "value": "api", "is_value_secret": False}],
            "header_parameters": [{"key": "X-H", "value": "h", "is_value_secret": True}],
            "query_string_parameters": [{"key": "q", "value": "1", "is_value_secret": False}],
        },
        "invocation_http_parameters": {
            "header_parameters": [{"key": "X-Inv", "value": "v", "is_value_secret": True}]
        },
    }, value["Parsed"]
    assert value["Name"].startswith("events!connection/p1-oauth/"), value["Name"]
    assert not value["Name"].endswith("/auth"), value["Name"]
    assert len(value["Name"].split("/")) == 3, value["Name"]


@test
def oauth_secret_without_http_parameters() -> None:
    create_oauth("p1-plain")
    assert set(secret_of("p1-plain")["Parsed"]) == {
        "client_id",
        "client_secret",
        "authorization_endpoint",
        "http_method",
    }


@test
def basic_and_api_key_secret_layouts() -> None:
    events().create_connection(
        Name="p1-basic",
        AuthorizationType="BASIC",
        AuthParameters={
            "BasicAuthParameters": {"Username": "user", "Password": "pass"},
            "InvocationHttpParameters": {},
        },
    )
    assert secret_of("p1-basic")["Parsed"] == {
        "username": "user",
        "password": "pass",
        "invocation_http_parameters": {},
    }
    events().create_connection(
        Name="p1-key",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "ApiKey", "ApiKeyValue": "secret"}},
    )
    assert secret_of("p1-key")["Parsed"] == {"api_key_name": "ApiKey", "api_key_value": "secret"}


# ------------------------------------------------------------------------------- patch 2 and 9


@test
def update_rewrites_secret_in_place() -> None:
    create_oauth("p2-rewrite", secret="old-secret")
    before = secret_of("p2-rewrite")
    events().update_connection(Name="p2-rewrite", AuthParameters=oauth("new-secret"))
    after = secret_of("p2-rewrite")
    assert after["ARN"] == before["ARN"]
    assert after["VersionId"] != before["VersionId"]
    assert after["Parsed"]["client_secret"] == "new-secret"
    assert "AWSCURRENT" in after["VersionStages"]


@test
def moving_awscurrent_back_makes_get_secret_value_return_that_version() -> None:
    sm = secrets()
    first = sm.create_secret(Name="rollback-me", SecretString="old")["VersionId"]
    second = sm.put_secret_value(SecretId="rollback-me", SecretString="new")["VersionId"]
    sm.update_secret_version_stage(SecretId="rollback-me", VersionStage="AWSCURRENT",
                                   MoveToVersionId=first, RemoveFromVersionId=second)
    answer = sm.get_secret_value(SecretId="rollback-me")
    assert (answer["SecretString"], answer["VersionId"]) == ("old", first), answer
    assert sm.get_secret_value(SecretId="rollback-me", VersionStage="AWSPREVIOUS")["SecretString"] == "new"


@test
def update_without_auth_parameters_keeps_them() -> None:
    create_oauth("p2-keep", secret="kept")
    events().update_connection(Name="p2-keep", Description="only the description")
    found = events().describe_connection(Name="p2-keep")
    assert found["Description"] == "only the description"
    assert found["AuthParameters"]["OAuthParameters"]["ClientParameters"] == {"ClientID": "3MVGid"}
    assert secret_of("p2-keep")["Parsed"]["client_secret"] == "kept"


@test
def update_without_client_secret_keeps_it() -> None:
    create_oauth("p2-nosecret", secret="kept")
    events().update_connection(
        Name="p2-nosecret",
        AuthParameters={
            "OAuthParameters": {
                "AuthorizationEndpoint": "https://other.my.salesforce.com/services/oauth2/token",
                "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "3MVGnew"},
            }
        },
    )
    parsed = secret_of("p2-nosecret")["Parsed"]
    assert parsed["client_id"] == "3MVGnew"
    assert parsed["client_secret"] == "kept"
    assert parsed["authorization_endpoint"].startswith("https://other.")


@test
def update_replaces_given_parameter_block() -> None:
    create_oauth(
        "p2-block",
        auth={**oauth(), "InvocationHttpParameters": {"HeaderParameters": [{"Key": "a", "Value": "1"}]}},
    )
    events().update_connection(
        Name="p2-block", AuthParameters={**oauth(), "InvocationHttpParameters": {}}
    )
    assert secret_of("p2-block")["Parsed"]["invocation_http_parameters"] == {}


# ------------------------------------------------------------------------------- patch 3


@test
def describe_hides_secrets_and_secret_values() -> None:
    create_oauth(
        "p3-redact",
        auth={
            **oauth(
                OAuthHttpParameters={
                    "BodyParameters": [
                        {"Key": "hidden", "Value": "x", "IsValueSecret": True},
                        {"Key": "shown", "Value": "y"},
                    ]
                }
            ),
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "X-Secret", "Value": "z", "IsValueSecret": True}],
                "QueryStringParameters": [{"Key": "q", "Value": "visible", "IsValueSecret": False}],
            },
        },
    )
    auth = events().describe_connection(Name="p3-redact")["AuthParameters"]
    assert auth["OAuthParameters"]["ClientParameters"] == {"ClientID": "3MVGid"}
    body = auth["OAuthParameters"]["OAuthHttpParameters"]["BodyParameters"]
    assert body == [{"Key": "hidden", "IsValueSecret": True}, {"Key": "shown", "Value": "y"}], body
    inv = auth["InvocationHttpParameters"]
    assert inv["HeaderParameters"] == [{"Key": "X-Secret", "IsValueSecret": True}]
    assert inv["QueryStringParameters"][0]["Value"] == "visible"
    events().create_connection(
        Name="p3-basic",
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )
    assert events().describe_connection(Name="p3-basic")["AuthParameters"] == {
        "BasicAuthParameters": {"Username": "u"}
    }
    events().create_connection(
        Name="p3-key",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
    )
    assert events().describe_connection(Name="p3-key")["AuthParameters"] == {
        "ApiKeyAuthParameters": {"ApiKeyName": "k"}
    }


@test
def describe_has_times_and_no_reason_when_healthy() -> None:
    create_oauth("p3-times")
    found = settle("p3-times")
    for key in ("CreationTime", "LastModifiedTime", "LastAuthorizedTime", "SecretArn"):
        assert key in found, key
    assert "StateReason" not in found
    first = found["LastModifiedTime"]
    time.sleep(0.01)
    events().update_connection(Name="p3-times", Description="later")
    assert events().describe_connection(Name="p3-times")["LastModifiedTime"] > first


# ------------------------------------------------------------------------------- patch 4


@test
def kms_and_private_connectivity_round_trip() -> None:
    rc_arn = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-1"
    create_oauth(
        "p4-private",
        KmsKeyIdentifier="alias/eventbridge",
        InvocationConnectivityParameters={"ResourceParameters": {"ResourceConfigurationArn": rc_arn}},
    )
    found = settle("p4-private")
    assert found["KmsKeyIdentifier"] == "alias/eventbridge"
    assert found["InvocationConnectivityParameters"] == {
        "ResourceParameters": {"ResourceConfigurationArn": rc_arn}
    }
    assert found["ConnectionState"] == "ACTIVE"

    events().update_connection(Name="p4-private", Description="fields omitted: kept")
    found = settle("p4-private")
    assert found["KmsKeyIdentifier"] == "alias/eventbridge"
    assert "InvocationConnectivityParameters" in found

    events().update_connection(
        Name="p4-private",
        KmsKeyIdentifier="",
        InvocationConnectivityParameters={"ResourceParameters": {"ResourceConfigurationArn": ""}},
    )
    found = settle("p4-private")
    assert "KmsKeyIdentifier" not in found
    assert "InvocationConnectivityParameters" not in found
    assert found["ConnectionState"] == "AUTHORIZED"


# ------------------------------------------------------------------------------- patch 5


@test
def duplicate_create_is_refused() -> None:
    create_oauth("p5-dup", secret="first")
    err = error_of(lambda: create_oauth("p5-dup", secret="second"))
    assert err["Code"] == "ResourceAlreadyExistsException", err
    assert err["Message"] == "Connection p5-dup already exists.", err
    assert err["Status"] == 400
    assert secret_of("p5-dup")["Parsed"]["client_secret"] == "first"


@test
def bad_names_and_auth_types_are_validation_errors() -> None:
    err = error_of(lambda: create_oauth("Invalid Name With Spaces!"))
    assert err["Code"] == "ValidationException", err
    assert err["Message"] == (
        "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
    ), err["Message"]
    err = error_of(lambda: create_oauth("a" * 65))
    assert err["Code"] == "ValidationException" and "less than or equal to 64" in err["Message"]
    create_oauth("b" * 64)
    err = error_of(
        lambda: events().create_connection(
            Name="p5-type", AuthorizationType="INVALID_AUTH_TYPE", AuthParameters={}
        )
    )
    assert err["Message"] == (
        "1 validation error detected: Value 'INVALID_AUTH_TYPE' at 'authorizationType' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]"
    ), err["Message"]
    status, body = EMU.raw_events(
        "CreateConnection",
        {"Name": "p5-desc", "AuthorizationType": "BASIC", "Description": "d" * 513},
    )
    assert status == 400 and "less than or equal to 512" in body["message"], (status, body)


# ------------------------------------------------------------------------------- patch 6


@test
def list_filters_sorts_and_pages() -> None:
    for name in ("p6-c", "p6-a", "p6-e", "p6-b", "p6-d"):
        events().create_connection(
            Name=name,
            AuthorizationType="BASIC",
            AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
        )
    events().create_connection(
        Name="p6x-other",
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )
    everything = events().list_connections(NamePrefix="p6-")
    assert [c["Name"] for c in everything["Connections"]] == ["p6-a", "p6-b", "p6-c", "p6-d", "p6-e"]
    assert "NextToken" not in everything

    names, token, pages = [], None, 0
    while True:
        kwargs = {"NamePrefix": "p6-", "Limit": 2, **({"NextToken": token} if token else {})}
        page = events().list_connections(**kwargs)
        pages += 1
        assert len(page["Connections"]) <= 2
        names += [c["Name"] for c in page["Connections"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == ["p6-a", "p6-b", "p6-c", "p6-d", "p6-e"] and pages == 3, (names, pages)

    exact = events().list_connections(NamePrefix="p6-", Limit=5)
    assert len(exact["Connections"]) == 5 and "NextToken" not in exact

    EMU.control({"name": "p6-c", "state": "DEAUTHORIZED", "reason": "token refresh failed"})
    deauth = events().list_connections(NamePrefix="p6", ConnectionState="DEAUTHORIZED")
    assert [(c["Name"], c["StateReason"]) for c in deauth["Connections"]] == [
        ("p6-c", "token refresh failed")
    ]
    healthy = events().list_connections(NamePrefix="p6-", ConnectionState="AUTHORIZED")
    assert [c["Name"] for c in healthy["Connections"]] == ["p6-a", "p6-b", "p6-d", "p6-e"]
    item = healthy["Connections"][0]
    for key in ("AuthorizationType", "ConnectionArn", "CreationTime", "LastModifiedTime", "LastAuthorizedTime"):
        assert key in item, key


@test
def list_default_limit_is_100() -> None:
    for i in range(101):
        events().create_connection(
            Name=f"p6-many-{i:03}",
            AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
        )
    first = events().list_connections(NamePrefix="p6-many-")
    assert len(first["Connections"]) == 100 and first.get("NextToken")
    rest = events().list_connections(NamePrefix="p6-many-", NextToken=first["NextToken"])
    assert [c["Name"] for c in rest["Connections"]] == ["p6-many-100"]
    assert "NextToken" not in rest


@test
def list_validates_limit_and_state() -> None:
    for limit in (0, 101):
        status, body = EMU.raw_events("ListConnections", {"Limit": limit})
        assert status == 400 and body["__type"] == "ValidationException", (status, body)
    status, body = EMU.raw_events("ListConnections", {"ConnectionState": "HAPPY"})
    assert status == 400 and body["__type"] == "ValidationException", (status, body)
    status, body = EMU.raw_events("ListConnections", {"NextToken": "garbage!"})
    assert status == 400 and body["__type"] == "ValidationException", (status, body)


# ------------------------------------------------------------------------------- patch 7


@test
def oauth_goes_through_authorizing_once_by_default() -> None:
    created = create_oauth("p7-oauth")
    assert created["ConnectionState"] == "AUTHORIZING"
    assert "LastModifiedTime" in created
    assert events().describe_connection(Name="p7-oauth")["ConnectionState"] == "AUTHORIZING"
    assert events().describe_connection(Name="p7-oauth")["ConnectionState"] == "AUTHORIZED"
    assert events().describe_connection(Name="p7-oauth")["ConnectionState"] == "AUTHORIZED"

    updated = events().update_connection(Name="p7-oauth", AuthParameters=oauth("rotated"))
    assert updated["ConnectionState"] == "AUTHORIZING"
    for key in ("LastAuthorizedTime", "LastModifiedTime", "CreationTime"):
        assert key in updated, key
    listed = events().list_connections(NamePrefix="p7-oauth")["Connections"]
    assert listed[0]["ConnectionState"] == "AUTHORIZING"  # a list read counts too
    assert events().describe_connection(Name="p7-oauth")["ConnectionState"] == "AUTHORIZED"


@test
def basic_and_api_key_are_authorized_at_once() -> None:
    created = events().create_connection(
        Name="p7-basic",
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )
    assert created["ConnectionState"] == "AUTHORIZED"
    assert events().describe_connection(Name="p7-basic")["ConnectionState"] == "AUTHORIZED"


@test
def delete_answers_deleting_then_not_found() -> None:
    create_oauth("p7-delete")
    arn = events().describe_connection(Name="p7-delete")["SecretArn"]
    deleted = events().delete_connection(Name="p7-delete")
    assert deleted["ConnectionState"] == "DELETING"
    for key in ("ConnectionArn", "CreationTime", "LastAuthorizedTime", "LastModifiedTime"):
        assert key in deleted, key
    err = error_of(lambda: events().describe_connection(Name="p7-delete"))
    assert err["Code"] == "ResourceNotFoundException" and err["Status"] == 400, err
    assert err["Message"] == (
        "Failed to describe the connection(s). Connection 'p7-delete' does not exist."
    ), err["Message"]
    assert error_of(lambda: secrets().get_secret_value(SecretId=arn))["Code"] == (
        "ResourceNotFoundException"
    )
    assert not events().list_connections(NamePrefix="p7-delete")["Connections"]


@test
def authorizing_reads_env_var() -> None:
    with emulator(MOTO_AUTHORIZING_READS="0") as emu:
        client = emu.client("events")
        client.create_connection(
            Name="r0", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=oauth()
        )
        assert client.describe_connection(Name="r0")["ConnectionState"] == "AUTHORIZED"
    with emulator(MOTO_AUTHORIZING_READS="3") as emu:
        client = emu.client("events")
        created = client.create_connection(
            Name="r3", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=oauth()
        )
        assert created["ConnectionState"] == "AUTHORIZING"
        states = [client.describe_connection(Name="r3")["ConnectionState"] for _ in range(4)]
        assert states == ["AUTHORIZING"] * 3 + ["AUTHORIZED"], states


@test
def authorizing_seconds_env_var() -> None:
    with emulator(MOTO_AUTHORIZING_SECONDS="1.0") as emu:
        client = emu.client("events")
        client.create_connection(
            Name="t1", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=oauth()
        )
        reads = [client.describe_connection(Name="t1")["ConnectionState"] for _ in range(5)]
        assert reads == ["AUTHORIZING"] * 5, reads
        time.sleep(1.2)
        assert client.describe_connection(Name="t1")["ConnectionState"] == "AUTHORIZED"


# ------------------------------------------------------------------------------- patch 8


@test
def control_route_sets_state_and_update_heals() -> None:
    create_oauth("p8-heal")
    settle("p8-heal")
    status, body = EMU.control(
        {"name": "p8-heal", "state": "DEAUTHORIZED", "reason": "Secret was deleted"}
    )
    assert status == 200 and body["ConnectionState"] == "DEAUTHORIZED", (status, body)
    found = events().describe_connection(Name="p8-heal")
    assert found["ConnectionState"] == "DEAUTHORIZED"
    assert found["StateReason"] == "Secret was deleted"

    updated = events().update_connection(Name="p8-heal", AuthParameters=oauth("fresh"))
    assert updated["ConnectionState"] == "AUTHORIZING"
    found = settle("p8-heal")
    assert found["ConnectionState"] == "AUTHORIZED" and "StateReason" not in found, found

    status, _ = EMU.control({"name": "p8-heal", "state": "FAILED_CONNECTIVITY", "reason": "timeout"})
    assert status == 200
    assert events().describe_connection(Name="p8-heal")["ConnectionState"] == "FAILED_CONNECTIVITY"


@test
def control_route_rejects_bad_requests() -> None:
    assert EMU.control({"name": "missing", "state": "DEAUTHORIZED"})[0] == 404
    assert EMU.control({"name": "missing", "state": "BROKEN"})[0] == 400
    assert EMU.control({"name": "p8-heal", "state": "DEAUTHORIZED", "region": "eu-west-1"})[0] == 404


@test
def bad_client_secret_settles_deauthorized() -> None:
    create_oauth("p8-bad", secret=DENY_PREFIX + "secret")
    found = settle("p8-bad")
    assert found["ConnectionState"] == "DEAUTHORIZED"
    assert found["StateReason"] == DEAUTH_REASON
    listed = events().list_connections(NamePrefix="p8-bad")["Connections"][0]
    assert listed["StateReason"] == DEAUTH_REASON

    # Re-sending good credentials heals it.
    events().update_connection(Name="p8-bad", AuthParameters=oauth("good-secret"))
    found = settle("p8-bad")
    assert found["ConnectionState"] == "AUTHORIZED" and "StateReason" not in found

    # An update that keeps a bad secret (ClientSecret omitted) stays refused.
    create_oauth("p8-bad2", secret=DENY_PREFIX + "x")
    events().update_connection(Name="p8-bad2", Description="still bad")
    assert settle("p8-bad2")["ConnectionState"] == "DEAUTHORIZED"


# ------------------------------------------------------------------------------- rules


@test
def put_rule_tags_only_a_rule_it_creates() -> None:
    """PutRule ignores Tags on a rule that exists (EventBridge API reference, PutRule)."""
    pattern = json.dumps({"source": ["com.acme.orders"]})
    arn = events().put_rule(
        Name="tagged-once", EventPattern=pattern, Tags=[{"Key": "provision:set", "Value": "a"}]
    )["RuleArn"]
    events().put_rule(
        Name="tagged-once", EventPattern=pattern, Tags=[{"Key": "provision:set", "Value": "b"}]
    )
    tags = events().list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert tags == [{"Key": "provision:set", "Value": "a"}], tags
    events().put_rule(Name="untagged", EventPattern=pattern)
    arn = events().put_rule(
        Name="untagged", EventPattern=pattern, Tags=[{"Key": "provision:set", "Value": "a"}]
    )["RuleArn"]
    assert events().list_tags_for_resource(ResourceARN=arn)["Tags"] == []
    events().tag_resource(ResourceARN=arn, Tags=[{"Key": "provision:set", "Value": "a"}])
    tags = events().list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert tags == [{"Key": "provision:set", "Value": "a"}], tags


# ------------------------------------------------------------------------------- several accounts

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
REGIONS = ["eu-west-1", "us-east-1"]
REFUSED_ROLE = "arn:aws:iam::444444444444:role/provision"
EXTERNAL_ID_ROLE = "arn:aws:iam::222222222222:role/provision"
EXTERNAL_ID = "payments-ci-7f3a"
SHORT_ROLE = "arn:aws:iam::555555555555:role/provision"
ENDED_ROLE = "arn:aws:iam::666666666666:role/provision"
DEFAULT_CALLER = "arn:aws:sts::123456789012:user/moto"  # moto's identity for unknown keys
EXPIRED = "The security token included in the request is expired"


def role_of(account: str) -> str:
    return f"arn:aws:iam::{account}:role/provision"


def accounts_emulator() -> Any:
    return emulator(
        MOTO_DENY_ASSUME_ROLE=REFUSED_ROLE,
        MOTO_ASSUME_ROLE_EXTERNAL_IDS=json.dumps({EXTERNAL_ID_ROLE: EXTERNAL_ID}),
        MOTO_SESSION_SECONDS=json.dumps({SHORT_ROLE: 1, ENDED_ROLE: 0}),
    )


def as_session(emu: Emulator, service: str, credentials: dict[str, Any], region: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=emu.url,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def assume(emu: Emulator, role_arn: str, **kwargs: Any) -> dict[str, Any]:
    answer = emu.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="payments-run-1", **kwargs)
    return answer["Credentials"]


def assume_for(emu: Emulator, account: str) -> dict[str, Any]:
    extra = {"ExternalId": EXTERNAL_ID} if role_of(account) == EXTERNAL_ID_ROLE else {}
    return assume(emu, role_of(account), **extra)


@test
def three_accounts_two_regions_each_stay_apart() -> None:
    with accounts_emulator() as emu:
        sessions = {account: assume_for(emu, account) for account in ACCOUNTS}
        for account, credentials in sessions.items():
            identity = as_session(emu, "sts", credentials, "us-east-1").get_caller_identity()
            assert identity["Account"] == account, identity
            assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/provision/payments-run-1"
            for region in REGIONS:
                as_session(emu, "events", credentials, region).create_connection(
                    Name=f"orders-{region}",
                    AuthorizationType="API_KEY",
                    AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": account}},
                )
        for account, credentials in sessions.items():
            for region in REGIONS:
                client = as_session(emu, "events", credentials, region)
                listed = client.list_connections()["Connections"]
                assert [c["Name"] for c in listed] == [f"orders-{region}"], (account, region, listed)
                arn = listed[0]["ConnectionArn"]
                assert arn.startswith(f"arn:aws:events:{region}:{account}:connection/orders-{region}/"), arn
                secret_arn = client.describe_connection(Name=f"orders-{region}")["SecretArn"]
                value = as_session(emu, "secretsmanager", credentials, region).get_secret_value(
                    SecretId=secret_arn
                )
                assert json.loads(value["SecretString"])["api_key_value"] == account
        # The emulator's own (unassumed) credentials are a fourth account, with nothing in it.
        assert emu.client("events").list_connections()["Connections"] == []


@test
def refused_role_answers_access_denied_and_the_others_still_work() -> None:
    with accounts_emulator() as emu:
        err = error_of(lambda: assume(emu, REFUSED_ROLE))
        assert (err["Code"], err["Status"], err["Type"]) == ("AccessDenied", 403, "Sender"), err
        assert err["Message"] == (
            f"User: {DEFAULT_CALLER} is not authorized to perform: sts:AssumeRole on resource: "
            f"{REFUSED_ROLE}"
        ), err["Message"]
        for account in ACCOUNTS:
            credentials = assume_for(emu, account)
            client = as_session(emu, "events", credentials, "eu-west-1")
            assert client.list_connections()["Connections"] == []


@test
def refusal_names_an_assumed_role_caller() -> None:
    with accounts_emulator() as emu:
        hop = as_session(emu, "sts", assume_for(emu, "111111111111"), "us-east-1")
        err = error_of(lambda: hop.assume_role(RoleArn=REFUSED_ROLE, RoleSessionName="hop"))
        assert err["Message"] == (
            "User: arn:aws:sts::111111111111:assumed-role/provision/payments-run-1 is not "
            f"authorized to perform: sts:AssumeRole on resource: {REFUSED_ROLE}"
        ), err["Message"]


@test
def external_id_must_match_the_roles() -> None:
    with accounts_emulator() as emu:
        for extra in ({}, {"ExternalId": "someone-else"}):
            err = error_of(lambda: assume(emu, EXTERNAL_ID_ROLE, **extra))
            assert (err["Code"], err["Status"]) == ("AccessDenied", 403), (extra, err)
            assert err["Message"].endswith(f"sts:AssumeRole on resource: {EXTERNAL_ID_ROLE}")
        credentials = assume(emu, EXTERNAL_ID_ROLE, ExternalId=EXTERNAL_ID)
        identity = as_session(emu, "sts", credentials, "us-east-1").get_caller_identity()
        assert identity["Account"] == "222222222222"
        # A role without a registered external id takes any, or none (moto does not check).
        assume(emu, role_of("111111111111"), ExternalId="anything")


@test
def session_ends_with_expired_token() -> None:
    with accounts_emulator() as emu:
        started = time.time()
        credentials = assume(emu, SHORT_ROLE)
        lasts = credentials["Expiration"].timestamp() - started
        assert 0 < lasts < 2, lasts
        events_client = as_session(emu, "events", credentials, "eu-west-1")
        assert events_client.list_connections()["Connections"] == []
        time.sleep(1.2)
        err = error_of(events_client.list_connections)
        assert (err["Code"], err["Message"], err["Status"]) == (
            "ExpiredTokenException",
            EXPIRED,
            403,
        ), err
        err = error_of(as_session(emu, "secretsmanager", credentials, "eu-west-1").list_secrets)
        assert err["Code"] == "ExpiredTokenException" and err["Status"] == 403, err
        err = error_of(as_session(emu, "sts", credentials, "us-east-1").get_caller_identity)
        assert (err["Code"], err["Message"], err["Status"]) == ("ExpiredToken", EXPIRED, 403), err
        # A new session (what a refreshing credentials provider does) works again.
        fresh = as_session(emu, "events", assume(emu, SHORT_ROLE), "eu-west-1")
        assert fresh.list_connections()["Connections"] == []
        # Other roles' sessions last DurationSeconds (AWS's default 3600).
        other = assume_for(emu, "111111111111")
        assert 3500 < other["Expiration"].timestamp() - time.time() <= 3600


@test
def zero_second_session_fails_every_call_after_assume_role() -> None:
    with accounts_emulator() as emu:
        credentials = assume(emu, ENDED_ROLE)
        err = error_of(as_session(emu, "events", credentials, "us-east-1").list_connections)
        assert err["Code"] == "ExpiredTokenException", err
        # The assuming credentials are not a session: they keep working.
        assert emu.client("events").list_connections()["Connections"] == []


@test
def another_accounts_secret_arn_is_not_found() -> None:
    """Moto reads a secret only in the caller's account: a full ARN naming another account is not
    found, whatever that account's resource policy says (moto/secretsmanager/models.py
    `SecretsStore.__getitem__`)."""
    with accounts_emulator() as emu:
        owner = as_session(emu, "secretsmanager", assume_for(emu, "111111111111"), "us-east-1")
        arn = owner.create_secret(Name="shared-client", SecretString="v")["ARN"]
        reader = as_session(emu, "secretsmanager", assume_for(emu, "333333333333"), "us-east-1")
        err = error_of(lambda: reader.get_secret_value(SecretId=arn))
        assert err["Code"] == "ResourceNotFoundException", err


@test
def bad_account_switches_stop_the_launcher() -> None:
    for name, value in (
        ("MOTO_DENY_ASSUME_ROLE", "provision"),
        ("MOTO_ASSUME_ROLE_EXTERNAL_IDS", "[1]"),
        ("MOTO_SESSION_SECONDS", json.dumps({SHORT_ROLE: "1"})),
    ):
        done = subprocess.run(
            [sys.executable, LAUNCHER, "--port", "0"],
            env={**os.environ, name: value},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2 and name in done.stderr, (name, done.returncode, done.stderr)
        assert done.stdout == "", done.stdout


# ------------------------------------------------------------------------------- run


def main() -> int:
    global EMU
    passed = failed = 0
    with emulator(MOTO_DEAUTHORIZE_SECRET_PREFIX=DENY_PREFIX) as EMU:
        for func in TESTS:
            try:
                func()
            except Exception:
                failed += 1
                print(f"FAIL {func.__name__}", file=sys.stderr)
                traceback.print_exc()
            else:
                passed += 1
                print(f"ok   {func.__name__}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
