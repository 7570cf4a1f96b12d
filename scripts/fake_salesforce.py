"""A local Salesforce org for `provision`'s tests and demo: the token endpoint, the REST reads
`verify` makes, Platform Event publishing, and the Connect API `salesforce-credentials` reads.

Why this file exists: `provision verify` asks Salesforce, with the token an API destination's
connection gets, whether each destination can deliver; `salesforce-credentials` reads an
External Client App's consumer key and secret; `rotate-credentials` stages a new credential,
makes it primary and deletes staged ones. Neither can be tested against a real org here
(loopback only), and a mock per test re-states Salesforce's behaviour every time. This is one
org, declared in a JSON file, that answers as the Salesforce documents and recorded answers
named beside each behaviour say, so the Rust tests and the demo share one stand-in whose own
behaviour is pinned by scripts/test_fake_salesforce.py. Standard library only.

Usage:
    python3 scripts/fake_salesforce.py --org FILE --port PORT [--host 127.0.0.1] [--verbose]

Prints exactly one line, `ready http://HOST:PORT`, to stdout once the socket accepts
connections (`--port 0` binds a free port and prints it), then serves until SIGTERM / SIGINT.
Request logging goes to stderr only with `--verbose`.

The org file (JSON); every key but `apps` is optional, with what a real org would have:
    {
      "apps": [{"name": "Orders_EventBridge",          # the External Client App's API name
                "consumerKey": "3MVG9...", "consumerSecret": "...",
                "runAsUser": "eventbridge@acme.example", # null: no client credentials user
                "clientCredentialsFlow": true}],          # false: the flow is not enabled
      "stagedCredentials": [{"consumerKey": "3MVG9...", "consumerSecret": "..."}],
                                       # what the next stage calls create, in order (then
                                       # generated: a 3MVG9 key and 64 hex characters)
      "signedInToken": "00D...!...",   # a signed-in user's access token (Connect API); none: 401
      "versions": ["61.0", "62.0"],    # API versions served (default 31.0 to 65.0)
      "objects": {"Order_Placed__e": {"createable": true,
                                      "fields": {"Order_Id__c": {"type": "string",
                                                 "nillable": false, "createable": true,
                                                 "defaultedOnCreate": false}}}},
      "limits": {"HourlyPublishedPlatformEvents": {"Max": 250000, "Remaining": 250000}},
      "switches": {"limitsForbidden": false,        # /limits answers 403 (no View Setup)
                   "loginDomain": false,            # the token endpoint is login.salesforce.com
                   "secretInRestApi": true,         # the org setting for consumer secrets
                   "developerPermission": true,     # the signed-in user's Connect permissions
                   "viewClientSecret": true,
                   "stagedTokensBeforePromotion": true}  # a staged credential gets a token
    }

Test-control route (not a Salesforce API):
    GET /_provision/state -> {"apps": [{"name", "consumerKey", "consumerSecret",
                                        "staged": [{"id", "consumerKey", "consumerSecret"}]}],
                              "published": [{"id", "object", "version", "body",
                                             "headers" (names in lower case), "query", "user"}],
                              "requests": [{"method", "path"}]}
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import re
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STATE_PATH = "/_provision/state"
TOKEN_PATH = "/services/oauth2/token"

# REST API Developer Guide, "Versions": every org serves each version from 31.0 on (older ones
# were retired in Summer '25); 65.0 is Winter '26.
DEFAULT_VERSIONS = [f"{major}.0" for major in range(31, 66)]

# REST API Developer Guide, "Limits": Max and Remaining per allocation. The figures are an
# Enterprise Edition org's defaults: 250,000 high-volume platform events published an hour
# ("Platform Event Allocations"), and a daily API allocation of 100,000 plus 1,000 per
# Salesforce license (here 900 licenses).
DEFAULT_LIMITS: dict[str, dict[str, int]] = {
    "DailyApiRequests": {"Max": 1_000_000, "Remaining": 1_000_000},
    "HourlyPublishedPlatformEvents": {"Max": 250_000, "Remaining": 250_000},
    "HourlyPublishedStandardVolumePlatformEvents": {"Max": 50_000, "Remaining": 50_000},
    "DailyStandardVolumePlatformEvents": {"Max": 50_000, "Remaining": 50_000},
}

# Platform Events Developer Guide, "Platform Event Fields": every event has these standard
# fields, none of which a publisher sets.
EVENT_STANDARD_FIELDS = {
    "ReplayId": {"type": "string", "nillable": True, "createable": False, "defaultedOnCreate": False},
    "CreatedDate": {"type": "datetime", "nillable": False, "createable": False, "defaultedOnCreate": True},
    "CreatedById": {"type": "reference", "nillable": False, "createable": False, "defaultedOnCreate": True},
    "EventUuid": {"type": "string", "nillable": True, "createable": False, "defaultedOnCreate": False},
}
# Object Reference, "Case": a Case needs no field on create (Status and Origin are defaulted).
DEFAULT_OBJECTS: dict[str, Any] = {
    "Case": {
        "createable": True,
        "fields": {
            "Id": {"type": "id", "nillable": False, "createable": False, "defaultedOnCreate": True},
            "Subject": {"type": "string", "nillable": True, "createable": True, "defaultedOnCreate": False},
            "Status": {"type": "picklist", "nillable": True, "createable": True, "defaultedOnCreate": True},
        },
    }
}

DEFAULT_SWITCHES = {
    "limitsForbidden": False,
    "loginDomain": False,
    "secretInRestApi": True,
    "developerPermission": True,
    "viewClientSecret": True,
    # Unverified (FACTS.md): whether a staged credential gets a token before it is primary.
    "stagedTokensBeforePromotion": True,
}

# REST API Developer Guide, "Status Codes and Error Responses": error bodies are a list of
# {"message", "errorCode"}; 401 for a missing or expired session, 404 for an unknown resource.
INVALID_SESSION = (401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
NOT_FOUND = (404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])


class App:
    """An External Client App: its primary credential and the staged ones (credential rotation
    stages a new key and secret beside the primary before promoting it)."""

    counter = itertools.count(1)

    def __init__(self, declared: dict[str, Any]):
        number = next(App.counter)
        self.name: str = declared["name"]
        self.app_id: str = declared.get("id", f"0xI5g00000{number:08d}AAA")
        self.consumer_id: str = declared.get("consumerId", f"0Ci5g00000{number:08d}AAA")
        self.primary = {"consumerKey": declared["consumerKey"], "consumerSecret": declared["consumerSecret"]}
        self.staged: list[dict[str, str]] = []  # {"id", "consumerKey", "consumerSecret"}
        self.run_as_user: str | None = declared.get("runAsUser")
        self.flow_enabled: bool = declared.get("clientCredentialsFlow", True)

    def credentials(self) -> list[dict[str, str]]:
        """Every credential that can ask for a token: the primary first, then the staged ones
        when the org honours them before promotion (switch `stagedTokensBeforePromotion`)."""
        if ORG.switches["stagedTokensBeforePromotion"]:
            return [self.primary, *self.staged]
        return [self.primary]

    def state(self) -> dict[str, Any]:
        return {"name": self.name, **self.primary, "staged": copy.deepcopy(self.staged)}


class Org:
    def __init__(self, declared: dict[str, Any]):
        if not isinstance(declared.get("apps"), list):
            raise ValueError("the org file needs `apps`: a list of External Client Apps")
        self.apps = [App(app) for app in declared["apps"]]
        self.signed_in_token: str | None = declared.get("signedInToken")
        self.next_staged: list[dict[str, str]] = list(declared.get("stagedCredentials", []))
        self.versions: list[str] = declared.get("versions", DEFAULT_VERSIONS)
        self.objects: dict[str, Any] = declared.get("objects", DEFAULT_OBJECTS)
        self.limits = {**DEFAULT_LIMITS, **declared.get("limits", {})}
        self.switches = {**DEFAULT_SWITCHES, **declared.get("switches", {})}
        # access token -> the user it acts as
        self.tokens: dict[str, str] = {}
        if self.signed_in_token:
            self.tokens[self.signed_in_token] = "signed-in user"
        self.published: list[dict[str, Any]] = []
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)

    def state(self) -> dict[str, Any]:
        return {
            "apps": [app.state() for app in self.apps],
            "published": copy.deepcopy(self.published),
            "requests": copy.deepcopy(self.requests),
        }


ORG: Org


# ------------------------------------------------------------------------------- token endpoint


def _token(form: dict[str, str], host: str) -> tuple[int, Any]:
    """OAuth 2.0 Client Credentials Flow (Salesforce Help, "OAuth 2.0 Client Credentials Flow
    for Server-to-Server Integration") and the errors of docs/aws-behaviour.md / FACTS.md."""
    oauth_error = lambda error, description: (400, {"error": error, "error_description": description})  # noqa: E731
    if ORG.switches["loginDomain"]:
        # login.salesforce.com / test.salesforce.com refuse client credentials.
        return oauth_error("invalid_grant", "request not supported on this domain")
    if form.get("grant_type") != "client_credentials":
        return oauth_error("unsupported_grant_type", "grant type not supported")
    key, secret = form.get("client_id", ""), form.get("client_secret", "")
    for app in ORG.apps:
        keys = [c for c in app.credentials() if c["consumerKey"] == key]
        if not keys:
            continue
        if not any(c["consumerSecret"] == secret for c in keys):
            return oauth_error("invalid_client", "invalid client credentials")
        if not app.flow_enabled:
            return oauth_error("unsupported_grant_type", "grant type not supported")
        if not app.run_as_user:
            return oauth_error("invalid_grant", "no client credentials user enabled")
        token = f"00D5g00000FAKE!{uuid.uuid4().hex}"
        with ORG.lock:
            ORG.tokens[token] = app.run_as_user
        # Success: access_token, instance_url, id, token_type, issued_at, signature; no
        # expires_in, no refresh token.
        return 200, {
            "access_token": token,
            "instance_url": f"http://{host}",
            "id": f"http://{host}/id/00D5g00000FAKE/0055g00000FAKE",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": "ZmFrZS1zaWduYXR1cmU=",
        }
    return oauth_error("invalid_client_id", "client identifier invalid")


# ------------------------------------------------------------------------------- REST API


def _versions(host: str) -> tuple[int, Any]:
    """REST API Developer Guide, "Versions": `GET /services/data/` lists each version served
    (label, url, version); it needs no authentication."""
    return 200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in ORG.versions]


def _describe(name: str) -> tuple[int, Any]:
    """REST API Developer Guide, "sObject Describe": the object and, per field, `nillable`,
    `createable`, `defaultedOnCreate`; `createable` is for the calling user."""
    declared = ORG.objects.get(name)
    if declared is None:
        return NOT_FOUND
    fields = dict(declared.get("fields", {}))
    if name.endswith("__e"):
        fields = {**EVENT_STANDARD_FIELDS, **fields}
    return 200, {
        "name": name,
        "label": name.removesuffix("__e").removesuffix("__c").replace("_", " "),
        "custom": name.endswith(("__c", "__e")),
        "createable": declared.get("createable", True),
        "fields": [
            {
                "name": field,
                "type": spec.get("type", "string"),
                "nillable": spec.get("nillable", True),
                "createable": spec.get("createable", True),
                "defaultedOnCreate": spec.get("defaultedOnCreate", False),
            }
            for field, spec in fields.items()
        ],
    }


def _limits() -> tuple[int, Any]:
    """REST API Developer Guide, "Limits": needs "View Setup and Configuration"; without it the
    answer is a 403 ("Status Codes and Error Responses": "the request has been refused"). The
    errorCode and message here are unverified; `verify` reads any 403 as "not checked"."""
    if ORG.switches["limitsForbidden"]:
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "insufficient access rights on object id"}]
    return 200, ORG.limits


def _publish(version: str, name: str, body: Any, headers: dict[str, str], query: str, user: str) -> tuple[int, Any]:
    """Platform Events Developer Guide, "Publish Event Messages Using Salesforce APIs": a POST to
    the event's sObject resource answers 201 with an id, `success` and `OPERATION_ENQUEUED`
    (publishing is asynchronous). An sObject POST creates a record (201, id, success). The
    refusals (REQUIRED_FIELD_MISSING, INVALID_FIELD, CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY) follow
    "Status Codes and Error Responses"; their exact messages are unverified."""
    declared = ORG.objects.get(name)
    if declared is None:
        return NOT_FOUND
    if not declared.get("createable", True):
        return 400, [{"message": f"entity type cannot be inserted: {name}", "errorCode": "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "fields": []}]
    if not isinstance(body, dict):
        return 400, [{"message": "The request body is not a JSON object", "errorCode": "JSON_PARSER_ERROR"}]
    fields = declared.get("fields", {})
    unknown = [f for f in body if f not in fields and f not in EVENT_STANDARD_FIELDS]
    if unknown:
        return 400, [{"message": f"No such column '{unknown[0]}' on sobject of type {name}", "errorCode": "INVALID_FIELD"}]
    missing = [
        f for f, spec in fields.items()
        if spec.get("createable", True) and not spec.get("nillable", True)
        and not spec.get("defaultedOnCreate", False) and body.get(f) in (None, "")
    ]
    if missing:
        return 400, [{"message": f"Required fields are missing: [{', '.join(missing)}]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": missing}]
    prefix = "e00" if name.endswith("__e") else "a00"
    record_id = f"{prefix}5g00000{next(ORG.ids):08d}AAA"
    with ORG.lock:
        ORG.published.append({"id": record_id, "object": name, "version": version, "body": body,
                              "headers": headers, "query": query, "user": user})
    errors = [{"statusCode": "OPERATION_ENQUEUED", "message": str(uuid.uuid4()), "fields": []}] if name.endswith("__e") else []
    return 201, {"id": record_id, "success": True, "errors": errors}


# ------------------------------------------------------------------------------- Connect API


def _staged_answer(app: App, staged: dict[str, str], with_secret: bool) -> dict[str, Any]:
    """One staged credential as the resources below answer it (the shape is an assumption,
    docs/aws-behaviour.md "Staged credentials": the same `key` / `secret` as the primary's
    read, with the staged credential's `id`)."""
    answer = {"id": staged["id"], "key": staged["consumerKey"]}
    if with_secret and ORG.switches["secretInRestApi"]:
        answer["secret"] = staged["consumerSecret"]
    return answer


def _staged(app: App, method: str, rest: list[str], query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    """Connect REST API, "OAuth Staged Credentials" (65.0), and the help article "Stage, Rotate,
    and Delete OAuth Credentials for an External Client App": `.../staged` gets (GET) or creates
    (POST) a staged credential; `.../staged/{stagedCredentialId}` replaces the primary with it
    (PATCH) or deletes it (DELETE). Local apps only; the same permissions and org setting as
    reading the primary. Request and response bodies are not shown in the stored documents:
    the shapes here are the assumptions written down in docs/aws-behaviour.md."""
    if not ORG.switches["viewClientSecret"]:
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You need the View Client Secret permission"}]
    if not ORG.switches["secretInRestApi"]:
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "Allow access to External Client App consumer secrets via REST API is off"}]
    with_secret = query.get("part", [""])[0] == "keyandsecret"
    if not rest:
        if method == "GET":
            return 200, {"stagedCredentials": [_staged_answer(app, s, with_secret) for s in app.staged]}
        if method == "POST":
            with ORG.lock:
                if app.staged:
                    # One staged credential at a time (assumption: stage, promote or delete first).
                    return 400, [{"errorCode": "INVALID_STATE", "message": "A staged credential already exists for this consumer"}]
                if ORG.next_staged:
                    declared = ORG.next_staged.pop(0)
                else:
                    declared = {"consumerKey": f"3MVG9{uuid.uuid4().hex}", "consumerSecret": uuid.uuid4().hex + uuid.uuid4().hex}
                staged = {"id": f"0Sc5g00000{next(ORG.ids):08d}AAA", **declared}
                app.staged.append(staged)
            return 201, _staged_answer(app, staged, True)
        return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{method}' not allowed. Allowed are GET,POST"}]
    if len(rest) != 1:
        return NOT_FOUND
    staged = next((s for s in app.staged if s["id"] == rest[0]), None)
    if staged is None:
        return NOT_FOUND
    if method == "PATCH":
        # The staged credential replaces the primary: the old key and secret stop working.
        with ORG.lock:
            app.primary = {"consumerKey": staged["consumerKey"], "consumerSecret": staged["consumerSecret"]}
            app.staged.remove(staged)
        return 200, {"id": app.consumer_id, "key": app.primary["consumerKey"]}
    if method == "DELETE":
        with ORG.lock:
            app.staged.remove(staged)
        return 204, None
    return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{method}' not allowed. Allowed are PATCH,DELETE"}]


def _connect(rest: str, query: dict[str, list[str]], user: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """Connect REST API, "OAuth Credentials by App ID" and "OAuth Usage" (60.0+): the apps,
    an app's consumers, and a consumer's key and secret (`part=keyandsecret`). Needs a
    signed-in user with "External Client App Developer" (and "View Client Secret" for the
    secret); the secret is left out unless the org allows it through the REST API."""
    if user != "signed-in user":
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You don't have access to this resource"}]
    if not ORG.switches["developerPermission"]:
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You need the External Client App Developer permission"}]
    parts = rest.split("/")
    if parts == ["usage"]:
        page = int(query.get("page", ["0"])[0])
        size = int(query.get("pageSize", ["100"])[0])
        listed = ORG.apps[page * size:(page + 1) * size]
        return 200, {"apps": [{"identifier": a.app_id, "developerName": a.name, "name": a.name} for a in listed]}
    app = next((a for a in ORG.apps if len(parts) >= 2 and parts[0] == "credentials" and a.app_id == parts[1]), None)
    if app is None:
        return NOT_FOUND
    if len(parts) == 2:
        return 200, {"consumers": [{"id": app.consumer_id, "url": f"credentials/{app.app_id}/{app.consumer_id}"}]}
    if len(parts) >= 4 and parts[2] == app.consumer_id and parts[3] == "staged":
        return _staged(app, method, parts[4:], query, body)
    if method != "GET":
        return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{method}' not allowed. Allowed are GET"}]
    if len(parts) == 3 and parts[2] == app.consumer_id:
        if not ORG.switches["viewClientSecret"]:
            return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You need the View Client Secret permission"}]
        answer = {"id": app.consumer_id, "key": app.primary["consumerKey"]}
        if ORG.switches["secretInRestApi"] and query.get("part", [""])[0] == "keyandsecret":
            answer["secret"] = app.primary["consumerSecret"]
        return 200, answer
    return NOT_FOUND


# ------------------------------------------------------------------------------- HTTP


VERSIONED = re.compile(r"^/services/data/v(?P<version>\d+\.\d)/(?P<rest>.*)$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    verbose = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if Handler.verbose:
            sys.stderr.write("fake_salesforce: " + format % args + "\n")

    def _answer(self, status: int, payload: Any) -> None:
        body = b"" if status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _user(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        return ORG.tokens.get(auth[len("Bearer "):])

    def _route(self) -> tuple[int, Any]:
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        body = self._body()
        host = self.headers.get("Host", "127.0.0.1")
        if path == STATE_PATH and self.command == "GET":
            return 200, ORG.state()
        with ORG.lock:
            ORG.requests.append({"method": self.command, "path": path})
        if path == TOKEN_PATH:
            if self.command != "POST":
                return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method 'GET' not allowed. Allowed are POST"}]
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
            return _token(form, host)
        if path.rstrip("/") == "/services/data" and self.command == "GET":
            return _versions(host)
        matched = VERSIONED.match(path)
        if not matched:
            return NOT_FOUND
        user = self._user()
        if user is None:
            return INVALID_SESSION
        version, rest = matched["version"], matched["rest"].rstrip("/")
        if version not in ORG.versions:
            # An unserved version is an unknown resource.
            return NOT_FOUND
        if rest.startswith("apps/oauth/"):
            payload = None
            if body:
                try:
                    payload = json.loads(body)
                except ValueError:
                    return 400, [{"message": "The request body is not valid JSON", "errorCode": "JSON_PARSER_ERROR"}]
            return _connect(rest[len("apps/oauth/"):], query, user, self.command, payload)
        if rest == "limits" and self.command == "GET":
            return _limits()
        parts = rest.split("/")
        if len(parts) == 3 and parts[0] == "sobjects" and parts[2] == "describe" and self.command == "GET":
            return _describe(parts[1])
        if len(parts) == 2 and parts[0] == "sobjects" and self.command == "POST":
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                return 400, [{"message": "The request body is not valid JSON", "errorCode": "JSON_PARSER_ERROR"}]
            # Header names are case-insensitive: recorded in lower case; never the token.
            headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
            return _publish(version, parts[1], payload, headers, url.query, user)
        return NOT_FOUND

    def _handle(self) -> None:
        status, payload = self._route()
        self._answer(status, payload)

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_PATCH = _handle
    do_DELETE = _handle


def _exit(signum: int, frame: Any) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    global ORG
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--org", required=True, help="the org file (JSON)")
    parser.add_argument("--port", type=int, required=True, help="0 for a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    with open(args.org, encoding="utf-8") as file:
        ORG = Org(json.load(file))
    Handler.verbose = args.verbose
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    host, port = server.server_address[:2]
    print(f"ready http://{host}:{port}", flush=True)  # the socket is already listening
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
