"""Self-test for scripts/fake_salesforce.py, the local Salesforce org `provision` tests run against.

Why this file exists: the Rust tests of `verify` and `salesforce-credentials` trust the fake org
to answer as Salesforce does; if one behaviour silently changed (an edit, a default), those tests
would pass against the wrong org. This starts the org on port 0 as a subprocess per org file,
checks each documented behaviour over HTTP, and stops it.

Plain Python, no pytest:  python3 scripts/test_fake_salesforce.py
Prints `N passed, M failed` and exits non-zero on any failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from typing import Any, Callable, Iterator

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_salesforce.py")
TESTS: list[Callable[[], None]] = []
KEY = "3MVG9fakeOrdersKey"
SECRET = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2"
SIGNED_IN = "00D5g00000FAKE!signed-in-user-token"

ORDERS = {
    "createable": True,
    "fields": {
        "Order_Id__c": {"type": "string", "nillable": False, "createable": True, "defaultedOnCreate": False},
        "Note__c": {"type": "string", "nillable": True, "createable": True, "defaultedOnCreate": False},
    },
}


def org(**extra: Any) -> dict[str, Any]:
    return {
        "apps": [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET,
                  "runAsUser": "eventbridge@acme.example"}],
        "signedInToken": SIGNED_IN,
        "objects": {"Order_Placed__e": ORDERS, "Audit__e": {"createable": False, "fields": {}}},
        **extra,
    }


class Org:
    def __init__(self, declared: dict[str, Any]):
        self.file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(declared, self.file)
        self.file.close()
        self.proc = subprocess.Popen([sys.executable, SERVER, "--org", self.file.name, "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert line.startswith("ready http://127.0.0.1:"), f"bad ready line {line!r}"
        self.url = line.split(" ", 1)[1]
        assert not self.url.endswith(":0"), "port 0 must print the real port"

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def token(self, key: str = KEY, secret: str = SECRET, grant: str = "client_credentials") -> tuple[int, Any]:
        form = urllib.parse.urlencode({"grant_type": grant, "client_id": key, "client_secret": secret})
        return self.call("POST", "/services/oauth2/token", form.encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def bearer(self) -> dict[str, str]:
        status, answer = self.token()
        assert status == 200, answer
        return {"Authorization": f"Bearer {answer['access_token']}"}

    def state(self) -> dict[str, Any]:
        return self.call("GET", "/_provision/state")[1]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=10) == 0, "SIGTERM ends the org cleanly"
        os.unlink(self.file.name)


@contextmanager
def running(declared: dict[str, Any] | None = None) -> Iterator[Org]:
    started = Org(declared or org())
    try:
        yield started
    finally:
        started.stop()


def test(func: Callable[[], None]) -> Callable[[], None]:
    TESTS.append(func)
    return func


# ------------------------------------------------------------------------------- token endpoint


@test
def a_granted_token_has_the_documented_fields_and_no_expiry() -> None:
    with running() as sf:
        status, answer = sf.token()
        assert status == 200, answer
        assert set(answer) == {"access_token", "instance_url", "id", "token_type", "issued_at", "signature"}, answer
        assert answer["instance_url"] == sf.url


@test
def each_documented_token_error() -> None:
    declared = org()
    declared["apps"] += [
        {"name": "No_Run_As", "consumerKey": "3MVG9norunas", "consumerSecret": "s1", "runAsUser": None},
        {"name": "Flow_Off", "consumerKey": "3MVG9flowoff", "consumerSecret": "s2", "runAsUser": "u",
         "clientCredentialsFlow": False},
    ]
    with running(declared) as sf:
        cases = [
            (sf.token(key="3MVG9unknown"), "invalid_client_id", "client identifier invalid"),
            (sf.token(secret="wrong"), "invalid_client", "invalid client credentials"),
            (sf.token(key="3MVG9norunas", secret="s1"), "invalid_grant", "no client credentials user enabled"),
            (sf.token(key="3MVG9flowoff", secret="s2"), "unsupported_grant_type", "grant type not supported"),
            (sf.token(grant="password"), "unsupported_grant_type", "grant type not supported"),
        ]
        for (status, answer), error, description in cases:
            assert status == 400, answer
            assert answer == {"error": error, "error_description": description}, answer
    with running(org(switches={"loginDomain": True})) as sf:
        assert sf.token() == (400, {"error": "invalid_grant", "error_description": "request not supported on this domain"})


# ------------------------------------------------------------------------------- REST reads


@test
def versions_need_no_session_and_default_to_31_through_65() -> None:
    with running() as sf:
        status, versions = sf.call("GET", "/services/data/")
        assert status == 200
        served = [v["version"] for v in versions]
        assert served[0] == "31.0" and served[-1] == "65.0", served
        assert versions[0] == {"label": "v31.0", "url": "/services/data/v31.0", "version": "31.0"}
    with running(org(versions=["62.0"])) as sf:
        assert sf.call("GET", "/services/data/")[1] == [{"label": "v62.0", "url": "/services/data/v62.0", "version": "62.0"}]
        status, answer = sf.call("GET", "/services/data/v61.0/sobjects/Order_Placed__e/describe", headers=sf.bearer())
        assert (status, answer[0]["errorCode"]) == (404, "NOT_FOUND"), answer


@test
def describe_answers_createable_and_each_fields_flags() -> None:
    with running() as sf:
        status, answer = sf.call("GET", "/services/data/v62.0/sobjects/Order_Placed__e/describe", headers=sf.bearer())
        assert status == 200, answer
        assert answer["createable"] is True and answer["name"] == "Order_Placed__e"
        fields = {f["name"]: f for f in answer["fields"]}
        assert fields["Order_Id__c"] == {"name": "Order_Id__c", "type": "string", "nillable": False,
                                         "createable": True, "defaultedOnCreate": False}
        assert fields["ReplayId"]["createable"] is False, "standard event fields are not createable"
        assert sf.call("GET", "/services/data/v62.0/sobjects/Audit__e/describe", headers=sf.bearer())[1]["createable"] is False
        status, answer = sf.call("GET", "/services/data/v62.0/sobjects/Ghost__e/describe", headers=sf.bearer())
        assert (status, answer) == (404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])


@test
def rest_calls_need_a_granted_token() -> None:
    with running() as sf:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            status, answer = sf.call("GET", "/services/data/v62.0/limits", headers=headers)
            assert (status, answer[0]["errorCode"]) == (401, "INVALID_SESSION_ID"), answer


@test
def limits_answer_max_and_remaining_or_403_without_view_setup() -> None:
    with running(org(limits={"HourlyPublishedPlatformEvents": {"Max": 1000, "Remaining": 900}})) as sf:
        status, limits = sf.call("GET", "/services/data/v62.0/limits", headers=sf.bearer())
        assert status == 200
        assert limits["HourlyPublishedPlatformEvents"] == {"Max": 1000, "Remaining": 900}
        assert limits["DailyApiRequests"] == {"Max": 1_000_000, "Remaining": 1_000_000}
    with running(org(switches={"limitsForbidden": True})) as sf:
        status, answer = sf.call("GET", "/services/data/v62.0/limits", headers=sf.bearer())
        assert (status, answer[0]["errorCode"]) == (403, "INSUFFICIENT_ACCESS"), answer


# ------------------------------------------------------------------------------- publishing


@test
def publishing_an_event_answers_201_enqueued_and_is_recorded() -> None:
    with running() as sf:
        headers = {**sf.bearer(), "Content-Type": "application/json", "X-Trace": "t"}
        status, answer = sf.call("POST", "/services/data/v62.0/sobjects/Order_Placed__e?source=eb",
                                 json.dumps({"Order_Id__c": "42"}).encode(), headers)
        assert status == 201, answer
        assert answer["success"] is True and answer["errors"][0]["statusCode"] == "OPERATION_ENQUEUED", answer
        published = sf.state()["published"]
        assert len(published) == 1
        event = published[0]
        assert (event["id"], event["object"], event["version"], event["body"], event["query"], event["user"]) == (
            answer["id"], "Order_Placed__e", "62.0", {"Order_Id__c": "42"}, "source=eb", "eventbridge@acme.example")
        assert event["headers"]["x-trace"] == "t", "header names are recorded in lower case"
        assert "authorization" not in event["headers"], "the token is not recorded"


@test
def publishing_without_a_required_field_or_to_a_read_only_event_is_refused() -> None:
    with running() as sf:
        headers = {**sf.bearer(), "Content-Type": "application/json"}
        status, answer = sf.call("POST", "/services/data/v62.0/sobjects/Order_Placed__e", b"{}", headers)
        assert (status, answer[0]["errorCode"], answer[0]["fields"]) == (400, "REQUIRED_FIELD_MISSING", ["Order_Id__c"])
        status, answer = sf.call("POST", "/services/data/v62.0/sobjects/Audit__e", b"{}", headers)
        assert (status, answer[0]["errorCode"]) == (400, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"), answer
        assert sf.state()["published"] == []


# ------------------------------------------------------------------------------- Connect API and state


@test
def connect_api_reads_the_key_and_secret_as_the_signed_in_user() -> None:
    with running() as sf:
        signed_in = {"Authorization": f"Bearer {SIGNED_IN}"}
        base = "/services/data/v64.0/apps/oauth"
        status, usage = sf.call("GET", f"{base}/usage?page=0&pageSize=100", headers=signed_in)
        assert status == 200 and usage["apps"][0]["developerName"] == "Orders_EventBridge", usage
        app_id = usage["apps"][0]["identifier"]
        consumers = sf.call("GET", f"{base}/credentials/{app_id}", headers=signed_in)[1]["consumers"]
        consumer = consumers[0]["id"]
        status, answer = sf.call("GET", f"{base}/credentials/{app_id}/{consumer}?part=keyandsecret", headers=signed_in)
        assert (status, answer["key"], answer["secret"]) == (200, KEY, SECRET), answer
        # The app's own token is not a signed-in developer.
        assert sf.call("GET", f"{base}/usage", headers=sf.bearer())[0] == 403


@test
def connect_api_refusals_follow_the_switches() -> None:
    base = "/services/data/v64.0/apps/oauth"
    signed_in = {"Authorization": f"Bearer {SIGNED_IN}"}
    with running(org(switches={"developerPermission": False})) as sf:
        assert sf.call("GET", f"{base}/usage", headers=signed_in)[0] == 403
    with running(org(switches={"secretInRestApi": False})) as sf:
        app_id = sf.call("GET", f"{base}/usage", headers=signed_in)[1]["apps"][0]["identifier"]
        consumer = sf.call("GET", f"{base}/credentials/{app_id}", headers=signed_in)[1]["consumers"][0]["id"]
        status, answer = sf.call("GET", f"{base}/credentials/{app_id}/{consumer}?part=keyandsecret", headers=signed_in)
        assert status == 200 and "secret" not in answer and answer["key"] == KEY, answer
    with running(org(switches={"viewClientSecret": False})) as sf:
        app_id = sf.call("GET", f"{base}/usage", headers=signed_in)[1]["apps"][0]["identifier"]
        consumer = sf.call("GET", f"{base}/credentials/{app_id}", headers=signed_in)[1]["consumers"][0]["id"]
        assert sf.call("GET", f"{base}/credentials/{app_id}/{consumer}?part=keyandsecret", headers=signed_in)[0] == 403
    with running(org(signedInToken=None)) as sf:
        assert sf.call("GET", f"{base}/usage", headers=signed_in)[0] == 401


def staged_base(sf: Org) -> str:
    """`.../credentials/{appId}/{consumerId}/staged` of the org's first app."""
    base = "/services/data/v65.0/apps/oauth"
    signed_in = {"Authorization": f"Bearer {SIGNED_IN}"}
    app_id = sf.call("GET", f"{base}/usage", headers=signed_in)[1]["apps"][0]["identifier"]
    consumer = sf.call("GET", f"{base}/credentials/{app_id}", headers=signed_in)[1]["consumers"][0]["id"]
    return f"{base}/credentials/{app_id}/{consumer}/staged"


NEW_KEY = "3MVG9fakeStagedKey"
NEW_SECRET = "B" * 64


@test
def a_staged_credential_is_staged_read_promoted_and_the_old_one_stops_working() -> None:
    signed_in = {"Authorization": f"Bearer {SIGNED_IN}"}
    with running(org(stagedCredentials=[{"consumerKey": NEW_KEY, "consumerSecret": NEW_SECRET}])) as sf:
        staged = staged_base(sf)
        assert sf.call("GET", f"{staged}?part=keyandsecret", headers=signed_in) == (200, {"stagedCredentials": []})
        status, created = sf.call("POST", staged, b"{}", {**signed_in, "Content-Type": "application/json"})
        assert status == 201 and (created["key"], created["secret"]) == (NEW_KEY, NEW_SECRET), created
        # Only one staged credential at a time.
        assert sf.call("POST", staged, b"{}", signed_in)[0] == 400
        status, listed = sf.call("GET", f"{staged}?part=keyandsecret", headers=signed_in)
        assert listed["stagedCredentials"] == [created], listed
        assert "secret" not in sf.call("GET", staged, headers=signed_in)[1]["stagedCredentials"][0]
        # Before promotion both the primary and (by default) the staged credential get a token.
        assert sf.token()[0] == 200 and sf.token(NEW_KEY, NEW_SECRET)[0] == 200
        app = sf.state()["apps"][0]
        assert app["consumerKey"] == KEY and app["staged"] == [{"id": created["id"], "consumerKey": NEW_KEY, "consumerSecret": NEW_SECRET}], app
        status, promoted = sf.call("PATCH", f"{staged}/{created['id']}", b"{}", signed_in)
        assert status == 200 and promoted["key"] == NEW_KEY, promoted
        app = sf.state()["apps"][0]
        assert (app["consumerKey"], app["consumerSecret"], app["staged"]) == (NEW_KEY, NEW_SECRET, []), app
        assert sf.token()[1]["error"] == "invalid_client_id", "the old key is gone"
        assert sf.token(NEW_KEY, NEW_SECRET)[0] == 200
        assert sf.call("PATCH", f"{staged}/{created['id']}", b"{}", signed_in)[0] == 404


@test
def a_staged_credential_can_be_deleted_and_may_only_work_once_primary() -> None:
    signed_in = {"Authorization": f"Bearer {SIGNED_IN}"}
    with running(org(switches={"stagedTokensBeforePromotion": False})) as sf:
        staged = staged_base(sf)
        status, created = sf.call("POST", staged, None, signed_in)
        assert status == 201 and created["key"].startswith("3MVG9") and len(created["secret"]) == 64, created
        assert sf.token(created["key"], created["secret"])[1]["error"] == "invalid_client_id"
        assert sf.call("DELETE", f"{staged}/{created['id']}", headers=signed_in) == (204, None)
        assert sf.state()["apps"][0]["staged"] == []
        assert sf.token()[0] == 200, "the primary is untouched"
    with running(org(switches={"viewClientSecret": False})) as sf:
        assert sf.call("POST", staged_base(sf), None, signed_in)[0] == 403


@test
def state_shows_apps_with_staged_credentials_and_every_request() -> None:
    with running() as sf:
        sf.token()
        sf.call("GET", "/services/data/")
        state = sf.state()
        assert state["apps"] == [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET, "staged": []}]
        assert state["published"] == []
        assert state["requests"] == [{"method": "POST", "path": "/services/oauth2/token"},
                                     {"method": "GET", "path": "/services/data/"}], state["requests"]


@test
def an_org_file_without_apps_is_refused() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump({"versions": ["62.0"]}, file)
    try:
        done = subprocess.run([sys.executable, SERVER, "--org", file.name, "--port", "0"],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and "needs `apps`" in done.stderr, done.stderr
    finally:
        os.unlink(file.name)


def main() -> None:
    passed = failed = 0
    for func in TESTS:
        try:
            func()
            passed += 1
            print(f"ok      {func.__name__}")
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAILED  {func.__name__}")
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
