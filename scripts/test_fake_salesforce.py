"""Self-test for scripts/fake_salesforce.py, the local Salesforce org `provision` tests run against.

Why this file exists: the Rust tests of `verify` and `salesforce-credentials` trust the fake org
to answer as Salesforce does; if one behaviour silently changed (an edit, a default), those tests
would pass against the wrong org. This starts the org on port 0 as a subprocess per org file,
checks each documented behaviour over HTTP, and stops it.

Plain Python, no pytest:  python3 scripts/test_fake_salesforce.py
Prints `N passed, M failed` and exits non-zero on any failure.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
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
             headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
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


@test
def a_retired_version_answers_410_gone_on_every_route_and_a_newer_unserved_one_404() -> None:
    # Help 000354473: retired REST API versions answer "410: GONE", not 404.
    with running(org(versions=["62.0", "65.0"])) as sf:
        bearer = sf.bearer()
        for path, headers in (("/services/data/v61.0/sobjects/Order_Placed__e/describe", bearer),
                              ("/services/data/v30.0/limits", bearer),
                              ("/services/data/v61.0/apps/oauth/usage", SIGNED_IN_HEADERS),
                              ("/services/data/v61.0/limits", {})):
            status, answer = sf.call("GET", path, headers=headers)
            assert (status, answer[0]["errorCode"]) == (410, "GONE"), (path, answer)
        status, answer = sf.call("POST", "/services/data/v40.0/sobjects/Order_Placed__e", b"{}", bearer)
        assert status == 410, answer
        assert sf.call("GET", "/services/data/v66.0/limits", headers=bearer)[0] == 404, "not released here yet"
        assert sf.call("GET", "/services/data/v62.0/limits", headers=bearer)[0] == 200


@test
def describe_answers_createable_and_each_fields_flags() -> None:
    with running() as sf:
        status, answer = sf.call("GET", "/services/data/v62.0/sobjects/Order_Placed__e/describe", headers=sf.bearer())
        assert status == 200, answer
        assert answer["createable"] is True and answer["name"] == "Order_Placed__e"
        fields = {f["name"]: f for f in answer["fields"]}
        assert fields["Order_Id__c"] == {"name": "Order_Id__c", "type": "string", "soapType": "xsd:string",
                                         "nillable": False, "createable": True, "defaultedOnCreate": False}
        assert fields["CreatedDate"]["soapType"] == "xsd:dateTime", fields["CreatedDate"]
        assert fields["CreatedById"]["soapType"] == "tns:ID", fields["CreatedById"]
        assert fields["ReplayId"]["createable"] is False, "standard event fields are not createable"
        assert sf.call("GET", "/services/data/v62.0/sobjects/Audit__e/describe", headers=sf.bearer())[1]["createable"] is False
        status, answer = sf.call("GET", "/services/data/v62.0/sobjects/Ghost__e/describe", headers=sf.bearer())
        assert (status, answer) == (404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])


@test
def describe_pairs_each_field_type_with_its_soap_type() -> None:
    typed = {"createable": True, "fields": {
        "Amount__c": {"type": "double"}, "Paid__c": {"type": "boolean"}, "Due__c": {"type": "date"},
        "Fee__c": {"type": "currency"}, "Raw__c": {"type": "string", "soapType": "xsd:anyType"}}}
    with running(org(objects={"Typed__e": typed})) as sf:
        answer = sf.call("GET", "/services/data/v62.0/sobjects/Typed__e/describe", headers=sf.bearer())[1]
        soap = {f["name"]: f["soapType"] for f in answer["fields"]}
        assert soap["Amount__c"] == "xsd:double" and soap["Fee__c"] == "xsd:double", soap
        assert (soap["Paid__c"], soap["Due__c"], soap["Raw__c"]) == ("xsd:boolean", "xsd:date", "xsd:anyType"), soap


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


SIGNED_IN_HEADERS = {"Authorization": f"Bearer {SIGNED_IN}"}
JSON = {**SIGNED_IN_HEADERS, "Content-Type": "application/json"}
NEW_KEY = "3MVG9fakeStagedKey"
NEW_SECRET = "B" * 64
NEXT_KEY = "3MVG9fakeNextStagedKey"
NEXT_SECRET = "C" * 64
ITEM_FIELDS = {"createdBy", "createdDate", "expirationDate", "id", "key", "secret", "stagedCredentialsUrl", "state", "url"}


def staged_org(**extra: Any) -> dict[str, Any]:
    """The org with two known credentials to stage, in order."""
    return org(stagedCredentials=[{"consumerKey": NEW_KEY, "consumerSecret": NEW_SECRET},
                                  {"consumerKey": NEXT_KEY, "consumerSecret": NEXT_SECRET}], **extra)


def consumer_base(sf: Org, version: str = "65.0") -> str:
    """`.../credentials/{appId}/{consumerId}` of the org's first app."""
    base = f"/services/data/v{version}/apps/oauth"
    app_id = sf.call("GET", f"{base}/usage", headers=SIGNED_IN_HEADERS)[1]["apps"][0]["identifier"]
    consumer = sf.call("GET", f"{base}/credentials/{app_id}", headers=SIGNED_IN_HEADERS)[1]["consumers"][0]["id"]
    return f"{base}/credentials/{app_id}/{consumer}"


def stage(sf: Org) -> tuple[str, dict[str, Any]]:
    """POST `{}` to `.../staged`: the staged resource and the one item created."""
    staged = consumer_base(sf) + "/staged"
    status, created = sf.call("POST", staged, b"{}", JSON)
    assert status == 201, created
    assert len(created["stagedCredentials"]) == 1, created
    return staged, created["stagedCredentials"][0]


def rotate(sf: Org, staged: str, staged_id: str) -> tuple[int, Any]:
    return sf.call("PATCH", f"{staged}/{staged_id}", json.dumps({"command": "rotate"}).encode(), JSON)


def app_state(sf: Org) -> dict[str, Any]:
    return sf.state()["apps"][0]


def gets_token(sf: Org, key: str, secret: str) -> bool:
    return sf.token(key, secret)[0] == 200


@test
def consumers_name_their_key_and_staged_credentials_url() -> None:
    # "App Oauth Credentials": id, key, name, url; stagedCredentialsUrl since 65.0 (Infisical
    # POSTs to it).
    with running() as sf:
        base = consumer_base(sf)
        app_id = base.split("/")[-2]
        consumers = sf.call("GET", f"/services/data/v65.0/apps/oauth/credentials/{app_id}", headers=SIGNED_IN_HEADERS)[1]["consumers"]
        assert consumers == [{"id": base.split("/")[-1], "key": KEY, "name": "Orders_EventBridge", "url": base,
                              "stagedCredentialsUrl": base + "/staged"}], consumers
        old = sf.call("GET", f"/services/data/v64.0/apps/oauth/credentials/{app_id}", headers=SIGNED_IN_HEADERS)[1]["consumers"]
        assert "stagedCredentialsUrl" not in old[0], old


@test
def nothing_staged_answers_404_by_default_or_an_empty_collection() -> None:
    with running() as sf:
        status, answer = sf.call("GET", consumer_base(sf) + "/staged", headers=SIGNED_IN_HEADERS)
        assert (status, answer) == (404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    with running(org(switches={"emptyStagedGet": "emptyCollection"})) as sf:
        staged = consumer_base(sf) + "/staged"
        assert sf.call("GET", staged, headers=SIGNED_IN_HEADERS) == (200, {"stagedCredentials": [], "url": staged})


@test
def post_and_get_answer_a_collection_of_items_with_every_documented_field() -> None:
    with running(staged_org()) as sf:
        base = consumer_base(sf)
        staged = base + "/staged"
        status, created = sf.call("POST", staged, b"{}", JSON)
        assert status == 201, created
        assert set(created) == {"stagedCredentials", "url"} and created["url"] == staged, created
        [item] = created["stagedCredentials"]
        assert set(item) == ITEM_FIELDS, item
        assert (item["key"], item["secret"], item["state"]) == (NEW_KEY, NEW_SECRET, "Active"), item
        assert (item["url"], item["stagedCredentialsUrl"]) == (base, staged), "url: the primary's, as documented"
        created_at = datetime.datetime.strptime(item["createdDate"], "%Y-%m-%dT%H:%M:%S.000Z")
        expires_at = datetime.datetime.strptime(item["expirationDate"], "%Y-%m-%dT%H:%M:%S.000Z")
        assert expires_at - created_at == datetime.timedelta(days=30), "valid for 30 days"
        assert sf.call("GET", staged, headers=SIGNED_IN_HEADERS) == (200, created), "GET: the same collection"
        assert sf.call("GET", f"{staged}/{item['id']}", headers=SIGNED_IN_HEADERS) == (200, item), "one item by id"
        assert sf.call("GET", f"{staged}/0Sc5g00000NOSUCHAAA", headers=SIGNED_IN_HEADERS)[0] == 404
    with running(staged_org(switches={"itemUrl": "item", "stagedSecret": "postOnly"})) as sf:
        staged, item = stage(sf)
        assert item["url"] == f"{staged}/{item['id']}" and item["secret"] == NEW_SECRET, item
        listed = sf.call("GET", staged, headers=SIGNED_IN_HEADERS)[1]["stagedCredentials"][0]
        assert set(listed) == ITEM_FIELDS - {"secret"}, "postOnly: no secret after the POST answer"
        with_part = sf.call("GET", f"{staged}?part=keyandsecret", headers=SIGNED_IN_HEADERS)[1]["stagedCredentials"][0]
        assert with_part == listed, "no `part` parameter is documented for staged resources"


@test
def post_without_a_body_resets_the_socket_by_default_or_is_accepted() -> None:
    with running(staged_org()) as sf:
        staged = consumer_base(sf) + "/staged"
        for body in (None, b""):
            try:
                answer = sf.call("POST", staged, body, SIGNED_IN_HEADERS)
                raise AssertionError(f"answered {answer}")
            except (ConnectionResetError, http.client.RemoteDisconnected, urllib.error.URLError):
                pass
        assert app_state(sf)["staged"] == [], "nothing staged"
        assert sf.state()["requests"][-1]["fault"] == "reset (no body)"
    with running(staged_org(switches={"postWithoutBody": "accept"})) as sf:
        status, created = sf.call("POST", consumer_base(sf) + "/staged", None, SIGNED_IN_HEADERS)
        assert status == 201 and created["stagedCredentials"][0]["key"] == NEW_KEY, created


@test
def one_slot_a_post_is_refused_while_an_entry_in_any_state_occupies_it() -> None:
    with running(staged_org()) as sf:
        staged, item = stage(sf)
        refused = sf.call("POST", staged, b"{}", JSON)
        assert refused[0] == 409 and [set(e) for e in refused[1]] == [{"errorCode", "message"}], refused
        assert rotate(sf, staged, item["id"])[0] == 200
        assert sf.call("POST", staged, b"{}", JSON)[0] == 409, "a Rotated entry occupies the slot"
        sf.call("POST", "/_provision/expire", b"{}")
        assert app_state(sf)["staged"][0]["state"] == "Expired"
        assert sf.call("POST", staged, b"{}", JSON)[0] == 409, "an Expired entry occupies the slot"
        assert len(app_state(sf)["staged"]) == 1
        assert sf.call("DELETE", f"{staged}/{app_state(sf)['staged'][0]['id']}", headers=SIGNED_IN_HEADERS) == (204, None)
        assert stage(sf)[1]["key"] == NEXT_KEY, "an empty slot takes a new one"


@test
def a_patch_without_the_rotate_command_is_refused_and_changes_nothing() -> None:
    with running(staged_org()) as sf:
        staged, item = stage(sf)
        before = app_state(sf)
        for body in (b"{}", b'{"command": "promote"}', b'{"command": "Rotate"}', b"[]"):
            status, answer = sf.call("PATCH", f"{staged}/{item['id']}", body, JSON)
            assert (status, answer[0]["errorCode"]) == (400, "INVALID_API_INPUT"), (body, answer)
        assert sf.call("PATCH", f"{staged}/{item['id']}", None, SIGNED_IN_HEADERS)[0] == 400, "no body"
        assert app_state(sf) == before


@test
def an_active_staged_credential_gets_tokens_before_promotion_unless_switched_off() -> None:
    with running(staged_org()) as sf:
        stage(sf)
        assert gets_token(sf, KEY, SECRET) and gets_token(sf, NEW_KEY, NEW_SECRET)
        assert app_state(sf)["tokenCredentials"] == [{"consumerKey": KEY, "consumerSecret": SECRET},
                                                     {"consumerKey": NEW_KEY, "consumerSecret": NEW_SECRET}]
    with running(staged_org(switches={"stagedTokensBeforePromotion": False})) as sf:
        stage(sf)
        assert sf.token(NEW_KEY, NEW_SECRET) == (400, {"error": "invalid_client", "error_description": "invalid client credentials"})
        sf.call("POST", "/_provision/switches", json.dumps({"unhonouredKeyError": "invalid_client_id"}).encode())
        assert sf.token(NEW_KEY, NEW_SECRET)[1]["error"] == "invalid_client_id"
        assert app_state(sf)["tokenCredentials"] == [{"consumerKey": KEY, "consumerSecret": SECRET}]


@test
def rotation_makes_the_staged_credential_primary_and_leaves_the_former_one_rotated_and_valid() -> None:
    with running(staged_org()) as sf:
        base = consumer_base(sf)
        staged, item = stage(sf)
        status, answer = rotate(sf, staged, item["id"])
        # Default `patchAnswer`: the entry now in the slot, the former primary.
        assert status == 200 and set(answer) == ITEM_FIELDS, answer
        assert (answer["key"], answer["secret"], answer["state"]) == (KEY, SECRET, "Rotated"), answer
        app = app_state(sf)
        assert (app["consumerKey"], app["consumerSecret"]) == (NEW_KEY, NEW_SECRET), "the new primary"
        assert [(s["consumerKey"], s["state"]) for s in app["staged"]] == [(KEY, "Rotated")], app["staged"]
        read = sf.call("GET", f"{base}?part=keyandsecret", headers=SIGNED_IN_HEADERS)[1]
        assert (read["key"], read["secret"]) == (NEW_KEY, NEW_SECRET), "the primary read follows"
        listed = sf.call("GET", staged, headers=SIGNED_IN_HEADERS)[1]["stagedCredentials"]
        assert [(s["key"], s["state"]) for s in listed] == [(KEY, "Rotated")], listed
        # The grace period: both credentials get tokens until the Rotated entry goes.
        assert gets_token(sf, NEW_KEY, NEW_SECRET) and gets_token(sf, KEY, SECRET)
        assert rotate(sf, staged, answer["id"])[0] == 409, "a Rotated entry is never promoted"
        assert app["transitions"] == [
            {"event": "staged", "id": item["id"], "consumerKey": NEW_KEY, "state": "Active"},
            {"event": "promoted", "id": item["id"], "consumerKey": NEW_KEY, "state": None,
             "previous": {"id": answer["id"], "consumerKey": KEY}},
        ], app["transitions"]
        assert sf.call("GET", f"{staged}/{item['id']}", headers=SIGNED_IN_HEADERS)[0] == 404, "the promoted entry left the slot"


@test
def deleting_the_rotated_entry_revokes_the_previous_credential_at_once() -> None:
    with running(staged_org()) as sf:
        staged, item = stage(sf)
        rotated = rotate(sf, staged, item["id"])[1]
        assert gets_token(sf, KEY, SECRET)
        assert sf.call("DELETE", f"{staged}/{rotated['id']}", headers=SIGNED_IN_HEADERS) == (204, None)
        assert sf.token(KEY, SECRET) == (400, {"error": "invalid_client", "error_description": "invalid client credentials"})
        assert gets_token(sf, NEW_KEY, NEW_SECRET)
        app = app_state(sf)
        assert app["staged"] == [] and app["revoked"] == [{"consumerKey": KEY, "consumerSecret": SECRET, "how": "deleted"}], app
        assert app["tokenCredentials"] == [{"consumerKey": NEW_KEY, "consumerSecret": NEW_SECRET}]
        assert app["transitions"][-1] == {"event": "deleted", "id": rotated["id"], "consumerKey": KEY, "state": None}
        assert sf.call("GET", staged, headers=SIGNED_IN_HEADERS)[0] == 404, "the slot is empty again"
        assert sf.call("DELETE", f"{staged}/{rotated['id']}", headers=SIGNED_IN_HEADERS)[0] == 404, "already gone"


@test
def deleting_an_active_entry_cancels_the_staging() -> None:
    with running(staged_org()) as sf:
        staged, item = stage(sf)
        assert sf.call("DELETE", f"{staged}/{item['id']}", headers=SIGNED_IN_HEADERS) == (204, None)
        app = app_state(sf)
        assert (app["consumerKey"], app["staged"], app["revoked"]) == (KEY, [], []), app
        assert not gets_token(sf, NEW_KEY, NEW_SECRET) and gets_token(sf, KEY, SECRET)


@test
def an_expired_entry_gets_no_token_and_cannot_be_promoted() -> None:
    with running(staged_org()) as sf:
        staged, item = stage(sf)
        expired = sf.call("POST", "/_provision/expire", json.dumps({"app": "Orders_EventBridge"}).encode())[1]
        assert expired["apps"][0]["staged"][0]["state"] == "Expired"
        assert sf.call("GET", f"{staged}/{item['id']}", headers=SIGNED_IN_HEADERS)[1]["state"] == "Expired"
        assert sf.token(NEW_KEY, NEW_SECRET)[1]["error"] == "invalid_client"
        status, answer = rotate(sf, staged, item["id"])
        assert (status, answer[0]["errorCode"]) == (409, "CONFLICT"), answer
        assert app_state(sf)["consumerKey"] == KEY, "the primary is untouched"
        assert sf.call("DELETE", f"{staged}/{item['id']}", headers=SIGNED_IN_HEADERS) == (204, None)
        assert app_state(sf)["revoked"] == [], "an Expired staging was never a working credential to revoke"


@test
def a_rotated_entry_that_expires_is_revoked_and_stays_expired_or_is_removed() -> None:
    for rotated_expiry, left in (("expired", ["Expired"]), ("removed", [])):
        with running(staged_org(switches={"rotatedExpiry": rotated_expiry})) as sf:
            staged, item = stage(sf)
            rotate(sf, staged, item["id"])
            sf.call("POST", "/_provision/expire", b"{}")
            app = app_state(sf)
            assert [s["state"] for s in app["staged"]] == left, app["staged"]
            assert app["revoked"] == [{"consumerKey": KEY, "consumerSecret": SECRET, "how": "expired"}]
            assert not gets_token(sf, KEY, SECRET) and gets_token(sf, NEW_KEY, NEW_SECRET)


@test
def the_patch_answer_and_the_rotated_entry_id_follow_their_switches() -> None:
    with running(staged_org(switches={"patchAnswer": "promoted"})) as sf:
        staged, item = stage(sf)
        status, answer = rotate(sf, staged, item["id"])
        assert status == 200 and (answer["id"], answer["key"]) == (item["id"], NEW_KEY), answer
    with running(staged_org(switches={"patchAnswer": "noContent"})) as sf:
        staged, item = stage(sf)
        assert rotate(sf, staged, item["id"]) == (204, None)
    # "credential": the Rotated entry carries the id its credential had when it was staged.
    with running(staged_org()) as sf:
        staged, first = stage(sf)
        rotated = rotate(sf, staged, first["id"])[1]
        assert rotated["id"] != first["id"], "the first primary was never staged: a new id"
        sf.call("DELETE", f"{staged}/{rotated['id']}", headers=SIGNED_IN_HEADERS)
        _, second = stage(sf)
        assert rotate(sf, staged, second["id"])[1]["id"] == first["id"]
    with running(staged_org(switches={"rotatedEntryId": "same"})) as sf:
        staged, item = stage(sf)
        assert rotate(sf, staged, item["id"])[1]["id"] == item["id"]


@test
def a_declared_staged_slot_starts_in_its_state() -> None:
    declared = org()
    declared["apps"][0]["staged"] = {"consumerKey": "3MVG9previous", "consumerSecret": "p" * 64, "state": "Rotated"}
    with running(declared) as sf:
        staged = consumer_base(sf) + "/staged"
        [item] = sf.call("GET", staged, headers=SIGNED_IN_HEADERS)[1]["stagedCredentials"]
        assert (item["key"], item["state"]) == ("3MVG9previous", "Rotated"), item
        assert gets_token(sf, "3MVG9previous", "p" * 64) and gets_token(sf, KEY, SECRET)
        assert rotate(sf, staged, item["id"])[0] == 409
    declared["apps"][0]["staged"]["state"] = "Stale"
    refused = refused_org(declared)
    assert "staged state 'Stale' is not one of Active, Expired, Rotated" in refused, refused


@test
def staged_resources_need_65_0_the_org_setting_and_view_client_secret() -> None:
    with running(staged_org()) as sf:
        staged = consumer_base(sf) + "/staged"
        assert sf.call("POST", staged.replace("v65.0", "v64.0"), b"{}", JSON)[0] == 404, "Available version 65.0"
    for switch in ("secretInRestApi", "viewClientSecret"):
        with running(staged_org(switches={switch: False})) as sf:
            status, answer = sf.call("POST", consumer_base(sf) + "/staged", b"{}", JSON)
            assert status == 403 and app_state(sf)["staged"] == [], answer
    with running(staged_org(switches={"secretInRestApi": False})) as sf:
        message = sf.call("GET", consumer_base(sf) + "/staged", headers=SIGNED_IN_HEADERS)[1][0]["message"]
        assert "not currently enabled" in message, "what sfdx-hardis recognises"


@test
def faults_fail_a_chosen_call_before_or_after_it_takes_effect() -> None:
    faults = [{"method": "PATCH", "path": "/staged/", "fault": "error500"},
              {"method": "POST", "path": "/staged", "fault": "error503", "when": "after"}]
    with running(staged_org(faults=faults)) as sf:
        staged = consumer_base(sf) + "/staged"
        status, answer = sf.call("POST", staged, b"{}", JSON)
        assert (status, answer[0]["errorCode"]) == (503, "SERVER_UNAVAILABLE"), answer
        [entry] = app_state(sf)["staged"]
        assert entry["state"] == "Active", "`after`: the POST took effect"
        status, answer = rotate(sf, staged, entry["id"])
        assert (status, answer[0]["errorCode"]) == (500, "UNKNOWN_EXCEPTION"), answer
        assert app_state(sf)["consumerKey"] == KEY, "`before`: the PATCH had no effect"
        assert rotate(sf, staged, entry["id"])[0] == 200, "each fault fails one call by default"
        assert [r.get("fault") for r in sf.state()["requests"] if "/staged" in r["path"]] == ["error503", "error500", None]
        assert sf.state()["faults"][0]["times"] == 0
        sf.call("POST", "/_provision/faults", json.dumps({"faults": [
            {"path": "/services/oauth2/token", "fault": "reset", "times": -1}]}).encode())
        for _ in range(2):
            try:
                sf.token(NEW_KEY, NEW_SECRET)
                raise AssertionError("the token endpoint answered")
            except (ConnectionResetError, http.client.RemoteDisconnected, urllib.error.URLError):
                pass
        sf.call("POST", "/_provision/faults", json.dumps({"faults": [{"path": "/limits", "fault": "hang"}]}).encode())
        started = time.monotonic()
        try:
            sf.call("GET", "/services/data/v65.0/limits", headers=sf.bearer(), timeout=1.0)
            raise AssertionError("a hung call answered")
        except (TimeoutError, socket.timeout, urllib.error.URLError):
            assert time.monotonic() - started < 5
        assert sf.call("GET", "/services/data/v65.0/limits", headers=sf.bearer())[0] == 200, "once only"


@test
def control_routes_refuse_unknown_switches_and_faults() -> None:
    with running() as sf:
        assert sf.call("POST", "/_provision/switches", b'{"noSuchSwitch": true}')[0] == 400
        assert sf.call("POST", "/_provision/switches", b'{"emptyStagedGet": "maybe"}')[0] == 400
        assert sf.call("POST", "/_provision/faults", b'{"faults": [{"fault": "explode"}]}')[0] == 400
        assert sf.call("POST", "/_provision/switches", b'{"emptyStagedGet": "emptyCollection"}')[1]["emptyStagedGet"] == "emptyCollection"
        assert sf.state()["switches"]["emptyStagedGet"] == "emptyCollection"


@test
def state_shows_apps_with_their_slot_tokens_and_transitions_and_every_request() -> None:
    with running() as sf:
        sf.token()
        sf.call("GET", "/services/data/")
        state = sf.state()
        assert state["apps"] == [{"name": "Orders_EventBridge", "consumerKey": KEY, "consumerSecret": SECRET, "staged": [],
                                  "tokenCredentials": [{"consumerKey": KEY, "consumerSecret": SECRET}],
                                  "revoked": [], "transitions": []}]
        assert state["published"] == [] and state["faults"] == []
        assert state["requests"] == [{"method": "POST", "path": "/services/oauth2/token"},
                                     {"method": "GET", "path": "/services/data/"}], state["requests"]


def refused_org(declared: dict[str, Any]) -> str:
    """Starts the org with `declared`, which it must refuse: its stderr."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(declared, file)
    try:
        done = subprocess.run([sys.executable, SERVER, "--org", file.name, "--port", "0"],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and not done.stdout, done.stdout
        return done.stderr
    finally:
        os.unlink(file.name)


@test
def an_org_file_without_apps_is_refused() -> None:
    assert "needs `apps`" in refused_org({"versions": ["62.0"]})


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
