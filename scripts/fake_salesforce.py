"""A local Salesforce org for `provision`'s tests and demo: the token endpoint, the REST reads
`verify` makes, Platform Event publishing, and the Connect API `salesforce-credentials` and
`rotate-credentials` call (reading the primary credential; staging, rotating and deleting).

Why this file exists: `provision verify` asks Salesforce, with the token an API destination's
connection gets, whether each destination can deliver; `salesforce-credentials` reads an
External Client App's consumer key and secret; `rotate-credentials` stages a new credential,
makes it primary and deletes what occupies the staged slot. None of these can be tested against
a real org here (loopback only), and a mock per test re-states Salesforce's behaviour every
time. This is one org, declared in a JSON file, that answers as the Salesforce documents and the
public callers named beside each behaviour say (never as `provision` happens to expect), so the
Rust tests and the demo share one stand-in whose own behaviour is pinned by
scripts/test_fake_salesforce.py. Where the sources are silent or disagree, the behaviour is a
switch, and the tests run the tool under each answer. Standard library only.

Usage:
    python3 scripts/fake_salesforce.py --org FILE --port PORT [--host 127.0.0.1] [--verbose]

Prints exactly one line, `ready http://HOST:PORT`, to stdout once the socket accepts
connections (`--port 0` binds a free port and prints it), then serves until SIGTERM / SIGINT.
Request logging goes to stderr only with `--verbose`.

The org file (JSON); every key but `apps` is optional, with what a real org would have:
    {
      "apps": [{"name": "Orders_EventBridge",          # the External Client App's API name
                "consumerKey": "3MVG9...", "consumerSecret": "...",   # the primary credential
                "runAsUser": "eventbridge@acme.example", # null: no client credentials user
                "clientCredentialsFlow": true,           # false: the flow is not enabled
                "staged": {"consumerKey": "3MVG9...", "consumerSecret": "...",
                           "state": "Active"}}],         # what occupies the staged slot at the
                                                         # start (Active | Expired | Rotated);
                                                         # none: the slot is empty
      "stagedCredentials": [{"consumerKey": "3MVG9...", "consumerSecret": "..."}],
                                       # what the next POST .../staged calls create, in order
                                       # (then generated: a 3MVG9 key and 64 hex characters)
      "signedInToken": "00D...!...",   # a signed-in user's access token (Connect API); none: 401
      "versions": ["61.0", "62.0"],    # API versions served (default 31.0 to 65.0); a version
                                       # below the lowest is retired: 410 GONE
      "objects": {"Order_Placed__e": {"createable": true,
                                      "fields": {"Order_Id__c": {"type": "string",
                                                 "nillable": false, "createable": true,
                                                 "defaultedOnCreate": false}}}},
      "limits": {"HourlyPublishedPlatformEvents": {"Max": 250000, "Remaining": 250000}},
      "switches": {...},               # see "Switches" below
      "faults": [...]                  # see "Faults" below
    }

Staged credentials (Connect REST API 65.0+, local External Client Apps; the sources are
Salesforce's Connect REST reference pages "OAuth Staged Credentials", "OAuth Staged Credentials
ID", "App Oauth Staged Credentials", "App Oauth Credentials", the help article "Stage, Rotate,
and Delete OAuth Credentials for an External Client App", and two public callers of the real
API: sfdx-hardis `hardis:org:ext-client-app:rotate-credentials`
(src/common/utils/refresh/externalClientAppUtils.ts) and Infisical's Salesforce OAuth
rotation (backend/src/ee/services/secret-rotation-v2/salesforce-oauth-credentials/)):
  - `.../apps/oauth/credentials/{appId}/{consumerId}/staged`: GET lists, POST creates. Both
    answer the collection `{"stagedCredentials": [item...], "url": ".../staged"}`, never a
    bare credential ("OAuth Staged Credentials": "Response body for GET and POST: App Oauth
    Staged Credentials Collection"; Infisical reads `stagedCredentials[0]` of the POST answer).
    POST answers 201 ("Status Codes and Error Responses": 201 "Success with POST request").
    POST takes no body ("POST doesn't take a request body"); sfdx-hardis sends `{}` because
    "without a body Salesforce hangs and the socket resets": switch `postWithoutBody`.
  - One item ("App Oauth Staged Credentials"): createdBy, createdDate, expirationDate, id, key,
    secret, stagedCredentialsUrl, state (Active | Expired | Rotated), url. Valid 30 days
    ("Staged credentials are valid for 30 days unless they're deleted before then"), so
    expirationDate is 30 days after it entered the slot.
  - One staged slot per consumer: POST while the slot holds an entry in ANY state is refused
    (409, CONFLICT: sfdx-hardis "Salesforce allows only one staged credential at a time" and
    "It must be deleted before new credentials can be staged", whatever its state; the status
    and errorCode are unknown: 409 is "Status Codes and Error Responses"' conflict). The
    sources disagree here: Infisical stages its next rotation without deleting the Rotated
    entry first (its interval defaults to 30 days, the grace period, so the entry may be gone
    by then); sfdx-hardis's explicit statement is followed.
  - No `part` parameter is documented for the staged resources: a `part` query is ignored.
  - `.../staged/{id}`: GET, PATCH, DELETE ("OAuth Staged Credentials ID"). PATCH takes
    "Staged Credentials Input"; both callers promote with `{"command": "rotate"}`. Any other
    body (none, `{}`, another command) is refused 400 INVALID_API_INPUT (errorCode unknown).
    Rotating an entry that is not Active (Rotated, Expired) is refused 409 (status unknown).
    Success answers 200 with an item ("Response body for GET and PATCH: App Oauth Staged
    Credentials"; which item is unknown, neither caller reads it): switch `patchAnswer`.
    DELETE answers 204 ("Response for DELETE: 204").
  - Promotion: the Active entry's credential becomes the primary; the FORMER primary occupies
    the slot with state Rotated and still gets tokens (sfdx-hardis: "the former credentials
    occupy the staged slot in `rotated` state", "the previous credentials stay valid for 30
    days"; Infisical: "Salesforce keeps the previously-active credential valid for a grace
    period after PATCH rotate"). The Rotated entry's id: switch `rotatedEntryId`.
  - DELETE of the Rotated entry revokes the previous credential at once (sfdx-hardis
    `--revoke-previous`: "delete the previous credentials right after rotation ... any
    integration still using the old credentials will break immediately"); DELETE of an Active
    entry cancels the staging; DELETE of an Expired one empties the slot. Unknown ids: 404
    (Infisical reads a 404 from DELETE as "already gone").
  - Before promotion an Active entry gets tokens like the primary (switch
    `stagedTokensBeforePromotion`, not stated by the reference pages). An Expired entry gets
    none and cannot be promoted. A credential that no longer gets tokens (revoked, Expired,
    Active with the switch off) is answered by switch `unhonouredKeyError`.
  - Nothing staged: sfdx-hardis "the endpoint may answer with a 404 when nothing is staged";
    the reference documents only the collection: switch `emptyStagedGet`.
  - Expiry is driven by the control route `POST /_provision/expire` (no clock runs here).

Switches (`switches` in the org file, or `POST /_provision/switches` while running):
    limitsForbidden: false         /limits answers 403 (no View Setup)
    loginDomain: false             the token endpoint is login.salesforce.com (refuses the flow)
    secretInRestApi: true          the org setting for consumer secrets; off: no secret in the
                                   primary read, and 403 from every staged resource (help article:
                                   the setting "must be turned on")
    developerPermission: true      the signed-in user's External Client App Developer permission
    viewClientSecret: true         the signed-in user's View Client Secret permission
    stagedTokensBeforePromotion: true   an Active staged credential gets a token
    emptyStagedGet: "notFound"     GET .../staged with an empty slot: "notFound" (404, as
                                   sfdx-hardis reports) | "emptyCollection" (200, no items)
    postWithoutBody: "reset"       POST .../staged with an empty body: "reset" (the socket is
                                   reset, as sfdx-hardis saw) | "accept" (as the reference says;
                                   Infisical sends no body)
    stagedSecret: "always"         which staged answers carry `secret`: "always" (every item: the
                                   reference lists `secret` and documents no `part` parameter
                                   for staged resources) | "postOnly" (only the POST answer)
    itemUrl: "documented"          an item's `url`: "documented" (the primary's URL, as "App
                                   Oauth Staged Credentials" describes it) | "item" (the item's
                                   own `.../staged/{id}`: Infisical PATCHes and DELETEs
                                   `staged.url`). `stagedCredentialsUrl` is `.../staged` in both
    patchAnswer: "rotated"         PATCH rotate answers 200 with: "rotated" (the entry now in
                                   the slot: the former primary, Rotated) | "promoted" (the
                                   promoted credential, as staged, state Active) | "noContent"
                                   (204, no body)
    rotatedEntryId: "credential"   the Rotated entry's id: "credential" (the id the former
                                   primary had when it was staged, a new one if it never was:
                                   what Infisical's DELETE of an old credential's staged URL
                                   implies) | "same" (the id of the entry just promoted)
    rotatedExpiry: "expired"       what expiry does to a Rotated entry: "expired" (it stays as
                                   Expired) | "removed" (the slot empties: sfdx-hardis "before
                                   Salesforce removes them automatically")
    unhonouredKeyError: "invalid_client"   the token endpoint's error for a key Salesforce issued
                                   that no longer (or not yet) gets tokens: "invalid_client" |
                                   "invalid_client_id" (unknown which)

Faults (`faults` in the org file, or `POST /_provision/faults` to replace the list): make
chosen calls fail, to interrupt a run at any step. Each is
    {"method": "PATCH",            # optional: any method
     "path": "/staged/",           # a substring of the request path ("" matches all)
     "fault": "error500",          # error500 (500 UNKNOWN_EXCEPTION) | error503 | reset (RST,
                                   # no answer) | hang (no answer until the client gives up)
     "when": "before",             # "before": the call has no effect | "after": it takes
                                   # effect, then the fault replaces the answer
     "times": 1}                   # how many matching calls fail (default 1; -1: every one)
The first fault that matches a call is used. Control routes are never faulted.

Test-control routes (not Salesforce APIs; never recorded in `requests`):
    GET  /_provision/state     -> {"apps": [{"name", "consumerKey", "consumerSecret" (the
                                             primary),
                                   "staged": [] or [{"id", "consumerKey", "consumerSecret",
                                              "state", "createdDate", "expirationDate"}]
                                             (the slot),
                                   "tokenCredentials": [{"consumerKey", "consumerSecret"}]
                                             (every credential that gets a token now),
                                   "revoked": [{"consumerKey", "consumerSecret", "how":
                                              "deleted" | "expired"}],
                                   "transitions": [{"event": "staged" | "promoted" |
                                              "deleted" | "expired", "id", "consumerKey",
                                              "state" (after the event; null once gone),
                                              "previous": {"id", "consumerKey"} on
                                              "promoted"}]}],
                                  "published": [{"id", "object", "version", "body",
                                              "headers" (names in lower case), "query",
                                              "user"}],
                                  "requests": [{"method", "path"} (+ "fault" when injected)],
                                  "switches": {...}, "faults": [...remaining]}
    POST /_provision/expire    {"app": NAME} (optional: every app) -> the slot's entry expires
                               (Active -> Expired; Rotated -> per `rotatedExpiry`); answers
                               the state
    POST /_provision/switches  {...} merged into the switches; answers them
    POST /_provision/faults    {"faults": [...]} replaces the faults; answers them
"""

from __future__ import annotations

import argparse
import copy
import datetime
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

from fault_proxy import ProxyHandler  # its reset (RST) and hang, for injected faults

CONTROL_PREFIX = "/_provision/"
TOKEN_PATH = "/services/oauth2/token"

# REST API Developer Guide, "Versions": every org serves each version from 31.0 on (older ones
# were retired in Summer '25); 65.0 is Winter '26.
DEFAULT_VERSIONS = [f"{major}.0" for major in range(31, 66)]
# Connect REST reference, "OAuth Staged Credentials" and "... ID": "Available version 65.0".
STAGED_SINCE = 65.0
# "App Oauth Staged Credentials": "Staged credentials are valid for 30 days unless they're
# deleted before then"; both public callers give the Rotated entry the same 30 days.
STAGED_VALIDITY = datetime.timedelta(days=30)
STATES = ("Active", "Expired", "Rotated")

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
# SOAP API Developer Guide, "describeSObjects()" > "Field": each field carries `type` (the
# FieldType: "Field Types" in the Object Reference) and `soapType` (the XML schema type of its
# value: "SOAPTypes": tns:ID, xsd:base64Binary, xsd:boolean, xsd:date, xsd:dateTime, xsd:double,
# xsd:int, xsd:string, xsd:time, xsd:anyType). The Apex "SOAPType Enum" and "DisplayType Enum"
# pages pair them: currency and percent hold Double values, id and reference an ID, every text
# kind (string, textarea, picklist, multipicklist, combobox, email, phone, url,
# encryptedstring) a String. A field declared with its own `soapType` keeps it.
SOAP_TYPES: dict[str, str] = {
    "id": "tns:ID", "reference": "tns:ID", "base64": "xsd:base64Binary",
    "boolean": "xsd:boolean", "date": "xsd:date", "datetime": "xsd:dateTime",
    "time": "xsd:time", "double": "xsd:double", "currency": "xsd:double",
    "percent": "xsd:double", "int": "xsd:int", "anyType": "xsd:anyType",
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

# Each switch with its allowed values (the first is the default); see the module doc.
SWITCH_VALUES: dict[str, tuple[Any, ...]] = {
    "limitsForbidden": (False, True),
    "loginDomain": (False, True),
    "secretInRestApi": (True, False),
    "developerPermission": (True, False),
    "viewClientSecret": (True, False),
    "stagedTokensBeforePromotion": (True, False),
    "emptyStagedGet": ("notFound", "emptyCollection"),
    "postWithoutBody": ("reset", "accept"),
    "stagedSecret": ("always", "postOnly"),
    "itemUrl": ("documented", "item"),
    "patchAnswer": ("rotated", "promoted", "noContent"),
    "rotatedEntryId": ("credential", "same"),
    "rotatedExpiry": ("expired", "removed"),
    "unhonouredKeyError": ("invalid_client", "invalid_client_id"),
}
DEFAULT_SWITCHES = {name: values[0] for name, values in SWITCH_VALUES.items()}
FAULTS = ("error500", "error503", "reset", "hang")

# REST API Developer Guide, "Status Codes and Error Responses": error bodies are a list of
# {"message", "errorCode"}; 401 for a missing or expired session, 404 for an unknown resource,
# 409 for a conflict, 410 for "retired or removed", 500 for an error within the platform.
INVALID_SESSION = (401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
NOT_FOUND = (404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
# Help 000354473 ("Salesforce Platform API Versions 21.0 through 30.0 Retirement"): a retired
# version's REST calls answer "410: GONE". The body's errorCode and message are unknown.
GONE = (410, [{"errorCode": "GONE", "message": "The requested resource has been retired or removed."}])
INJECTED = {
    "error500": (500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred (injected by fake_salesforce)"}]),
    "error503": (503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "Service unavailable (injected by fake_salesforce)"}]),
}
RESET = (0, None)  # not an answer: the handler resets the socket


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _date(moment: datetime.datetime) -> str:
    """Connect REST API dates: ISO 8601 in UTC with milliseconds ("2026-12-06T23:52:02.000Z")."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _version_number(version: str) -> float:
    return float(version)


class App:
    """An External Client App with one OAuth consumer: its primary credential, the one staged
    slot (empty, or one entry: Active, Expired or Rotated), the credentials revoked, and every
    transition, so a test can assert where a run left Salesforce."""

    counter = itertools.count(1)

    def __init__(self, declared: dict[str, Any], org: Org):
        number = next(App.counter)
        self.org = org
        self.name: str = declared["name"]
        self.app_id: str = declared.get("id", f"0xI5g00000{number:08d}AAA")
        self.consumer_id: str = declared.get("consumerId", f"0Ci5g00000{number:08d}AAA")
        self.primary = {"consumerKey": declared["consumerKey"], "consumerSecret": declared["consumerSecret"]}
        # The staged id the primary carried when it was staged (None: it never was).
        self.primary_staged_id: str | None = None
        self.slot: dict[str, Any] | None = None
        self.revoked: list[dict[str, str]] = []
        self.transitions: list[dict[str, Any]] = []
        self.run_as_user: str | None = declared.get("runAsUser")
        self.flow_enabled: bool = declared.get("clientCredentialsFlow", True)
        staged = declared.get("staged")
        if staged is not None:
            state = staged.get("state", "Active")
            if state not in STATES:
                raise ValueError(f"app {self.name}: staged state {state!r} is not one of {', '.join(STATES)}")
            credential = {"consumerKey": staged["consumerKey"], "consumerSecret": staged["consumerSecret"]}
            self.slot = self._entry(staged.get("id") or org.new_staged_id(), credential, state)

    def _entry(self, staged_id: str, credential: dict[str, str], state: str) -> dict[str, Any]:
        created = _now()
        return {"id": staged_id, **credential, "state": state, "createdBy": self.org.signed_in_user_id,
                "createdDate": _date(created), "expirationDate": _date(created + STAGED_VALIDITY)}

    def _record(self, event: str, entry: dict[str, Any], state: str | None, **extra: Any) -> None:
        self.transitions.append({"event": event, "id": entry["id"], "consumerKey": entry["consumerKey"],
                                 "state": state, **extra})

    def token_credentials(self) -> list[dict[str, str]]:
        """Every credential that gets a token now: the primary, a Rotated entry (the grace
        period), and an Active one when the org honours it before promotion."""
        honoured = [self.primary]
        if self.slot and (self.slot["state"] == "Rotated" or (
                self.slot["state"] == "Active" and self.org.switches["stagedTokensBeforePromotion"])):
            honoured.append(_credential(self.slot))
        return honoured

    def issued_keys(self) -> set[str]:
        """Every key Salesforce issued for this app, honoured now or not."""
        keys = {self.primary["consumerKey"], *(r["consumerKey"] for r in self.revoked)}
        if self.slot:
            keys.add(self.slot["consumerKey"])
        return keys

    def stage(self, credential: dict[str, str]) -> dict[str, Any]:
        self.slot = self._entry(self.org.new_staged_id(), credential, "Active")
        self._record("staged", self.slot, "Active")
        return self.slot

    def promote(self) -> dict[str, Any]:
        """The Active entry becomes the primary; the former primary takes the slot, Rotated."""
        assert self.slot is not None and self.slot["state"] == "Active"
        promoted = self.slot
        former, former_id = self.primary, self.primary_staged_id
        self.primary, self.primary_staged_id = _credential(promoted), promoted["id"]
        if self.org.switches["rotatedEntryId"] == "same":
            rotated_id = promoted["id"]
        else:
            rotated_id = former_id or self.org.new_staged_id()
        self.slot = self._entry(rotated_id, former, "Rotated")
        self._record("promoted", promoted, None, previous={"id": rotated_id, "consumerKey": former["consumerKey"]})
        return promoted

    def delete(self) -> None:
        assert self.slot is not None
        entry, self.slot = self.slot, None
        if entry["state"] == "Rotated":
            self.revoked.append({**_credential(entry), "how": "deleted"})
        self._record("deleted", entry, None)

    def expire(self) -> None:
        if self.slot is None or self.slot["state"] == "Expired":
            return
        entry = self.slot
        if entry["state"] == "Rotated":
            self.revoked.append({**_credential(entry), "how": "expired"})
            if self.org.switches["rotatedExpiry"] == "removed":
                self.slot = None
                self._record("expired", entry, None)
                return
        entry["state"] = "Expired"
        self._record("expired", entry, "Expired")

    def state(self) -> dict[str, Any]:
        staged = []
        if self.slot:
            staged.append({k: self.slot[k] for k in ("id", "consumerKey", "consumerSecret", "state",
                                                    "createdDate", "expirationDate")})
        return {"name": self.name, **self.primary, "staged": staged,
                "tokenCredentials": copy.deepcopy(self.token_credentials()),
                "revoked": copy.deepcopy(self.revoked), "transitions": copy.deepcopy(self.transitions)}


def _credential(entry: dict[str, Any]) -> dict[str, str]:
    return {"consumerKey": entry["consumerKey"], "consumerSecret": entry["consumerSecret"]}


class Org:
    def __init__(self, declared: dict[str, Any]):
        if not isinstance(declared.get("apps"), list):
            raise ValueError("the org file needs `apps`: a list of External Client Apps")
        self.lock = threading.RLock()
        self.ids = itertools.count(1)
        self.switches = dict(DEFAULT_SWITCHES)
        self.set_switches(declared.get("switches", {}))
        self.signed_in_token: str | None = declared.get("signedInToken")
        self.signed_in_user_id = "0055g00000SIGNINAAA"
        self.apps = [App(app, self) for app in declared["apps"]]
        self.next_staged: list[dict[str, str]] = list(declared.get("stagedCredentials", []))
        self.versions: list[str] = declared.get("versions", DEFAULT_VERSIONS)
        self.objects: dict[str, Any] = declared.get("objects", DEFAULT_OBJECTS)
        self.limits = {**DEFAULT_LIMITS, **declared.get("limits", {})}
        self.faults: list[dict[str, Any]] = []
        self.set_faults(declared.get("faults", []))
        # access token -> the user it acts as
        self.tokens: dict[str, str] = {}
        if self.signed_in_token:
            self.tokens[self.signed_in_token] = "signed-in user"
        self.published: list[dict[str, Any]] = []
        self.requests: list[dict[str, str]] = []

    def new_staged_id(self) -> str:
        return f"0Sc5g00000{next(self.ids):08d}AAA"

    def next_credential(self) -> dict[str, str]:
        """What Salesforce makes for a new staged credential: declared ones first, in order."""
        if self.next_staged:
            declared = self.next_staged.pop(0)
            return {"consumerKey": declared["consumerKey"], "consumerSecret": declared["consumerSecret"]}
        return {"consumerKey": f"3MVG9{uuid.uuid4().hex}", "consumerSecret": uuid.uuid4().hex + uuid.uuid4().hex}

    def set_switches(self, changes: Any) -> dict[str, Any]:
        if not isinstance(changes, dict):
            raise ValueError("switches: a JSON object")
        for name, value in changes.items():
            if name not in SWITCH_VALUES:
                raise ValueError(f"unknown switch {name!r}; known: {', '.join(SWITCH_VALUES)}")
            if value not in SWITCH_VALUES[name] or type(value) is not type(SWITCH_VALUES[name][0]):
                raise ValueError(f"switch {name}: {value!r} is not one of {list(SWITCH_VALUES[name])}")
        self.switches.update(changes)
        return dict(self.switches)

    def set_faults(self, faults: Any) -> list[dict[str, Any]]:
        if not isinstance(faults, list):
            raise ValueError("faults: a JSON list")
        checked = []
        for fault in faults:
            if not isinstance(fault, dict) or fault.get("fault") not in FAULTS:
                raise ValueError(f"fault {fault!r}: needs \"fault\": one of {', '.join(FAULTS)}")
            if fault.get("when", "before") not in ("before", "after"):
                raise ValueError(f"fault {fault!r}: \"when\" is \"before\" or \"after\"")
            checked.append({"method": fault.get("method"), "path": fault.get("path", ""),
                            "fault": fault["fault"], "when": fault.get("when", "before"),
                            "times": int(fault.get("times", 1))})
        self.faults = checked
        return copy.deepcopy(self.faults)

    def take_fault(self, method: str, path: str, when: str) -> str | None:
        """The fault for this call at this moment, if one matches (and counts it)."""
        with self.lock:
            for fault in self.faults:
                if (fault["when"] == when and fault["times"] != 0 and fault["path"] in path
                        and fault["method"] in (None, method)):
                    if fault["times"] > 0:
                        fault["times"] -= 1
                    return fault["fault"]
        return None

    def app_named(self, name: str | None) -> list[App]:
        return [a for a in self.apps if name is None or a.name == name]

    def state(self) -> dict[str, Any]:
        return {
            "apps": [app.state() for app in self.apps],
            "published": copy.deepcopy(self.published),
            "requests": copy.deepcopy(self.requests),
            "switches": dict(self.switches),
            "faults": copy.deepcopy(self.faults),
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
        with ORG.lock:
            keys = [c for c in app.token_credentials() if c["consumerKey"] == key]
            issued = key in app.issued_keys()
        if not keys:
            if issued:
                # A key Salesforce issued that gets no token now (revoked, Expired, or Active
                # when the org honours staged credentials only once primary): which error
                # answers it is unknown (switch `unhonouredKeyError`).
                if ORG.switches["unhonouredKeyError"] == "invalid_client":
                    return oauth_error("invalid_client", "invalid client credentials")
                return oauth_error("invalid_client_id", "client identifier invalid")
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
    """REST API Developer Guide, "sObject Describe": the object and, per field (the SOAP API's
    "Field" of DescribeSObjectResult), `name`, `type`, `soapType` (SOAP_TYPES), `nillable`,
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
                "soapType": spec.get("soapType", SOAP_TYPES.get(spec.get("type", "string"), "xsd:string")),
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

# Refusals of the staged resources whose status or errorCode no source gives (module doc).
SLOT_OCCUPIED = "A staged credential already exists for this consumer. Delete it before staging new credentials."
NOT_A_ROTATE_COMMAND = "The request body must be a Staged Credentials Input with command rotate."


def _not_allowed(method: str, allowed: str) -> tuple[int, Any]:
    return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{method}' not allowed. Allowed are {allowed}"}]


def _staged_item(app: App, entry: dict[str, Any], base: str, with_secret: bool) -> dict[str, Any]:
    """One entry as "App Oauth Staged Credentials" lists it: createdBy, createdDate,
    expirationDate, id, key, secret, stagedCredentialsUrl, state, url. `url` follows switch
    `itemUrl`; `stagedCredentialsUrl` is the consumer's `.../staged`, as "App Oauth Credentials"
    describes the same field of a consumer ("The URL for the staged credentials")."""
    item = {
        "createdBy": entry["createdBy"],
        "createdDate": entry["createdDate"],
        "expirationDate": entry["expirationDate"],
        "id": entry["id"],
        "key": entry["consumerKey"],
        "stagedCredentialsUrl": f"{base}/staged",
        "state": entry["state"],
        "url": base if ORG.switches["itemUrl"] == "documented" else f"{base}/staged/{entry['id']}",
    }
    if with_secret:
        item["secret"] = entry["consumerSecret"]
    return item


def _staged_collection(app: App, base: str, entries: list[dict[str, Any]], with_secret: bool) -> dict[str, Any]:
    """"App Oauth Staged Credentials Collection", the answer to GET and POST .../staged: the
    items under `stagedCredentials` and the collection's `url` (Infisical's types:
    `{stagedCredentials: [...], url}`)."""
    return {"stagedCredentials": [_staged_item(app, e, base, with_secret) for e in entries], "url": f"{base}/staged"}


def _staged(app: App, method: str, rest: list[str], base: str, raw_body: bytes, body: Any) -> tuple[int, Any]:
    """Connect REST API "OAuth Staged Credentials" (`.../staged`: GET, POST) and "OAuth Staged
    Credentials ID" (`.../staged/{id}`: GET, PATCH, DELETE), 65.0+, local apps only. The help
    article "Stage, Rotate, and Delete OAuth Credentials for an External Client App": the same
    permissions (External Client App Developer, View Client Secret) and the org setting "Allow
    access to External Client App consumer secrets via REST API" must be on. The lifecycle and
    each switch are in the module doc."""
    if not ORG.switches["viewClientSecret"]:
        return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You need the View Client Secret permission"}]
    if not ORG.switches["secretInRestApi"]:
        # sfdx-hardis recognises this refusal by "not currently enabled" in the message.
        return 403, [{"errorCode": "FUNCTIONALITY_NOT_ENABLED", "message": "Access to External Client App consumer secrets via REST API is not currently enabled for this org."}]
    listed_secret = ORG.switches["stagedSecret"] == "always"
    if not rest:
        if method == "GET":
            if app.slot is None and ORG.switches["emptyStagedGet"] == "notFound":
                return NOT_FOUND  # sfdx-hardis: "may answer with a 404 when nothing is staged"
            return 200, _staged_collection(app, base, [app.slot] if app.slot else [], listed_secret)
        if method == "POST":
            if not raw_body and ORG.switches["postWithoutBody"] == "reset":
                return RESET  # sfdx-hardis: "without a body Salesforce hangs and the socket resets"
            if app.slot is not None:
                # sfdx-hardis: one staged credential at a time, deleted first whatever its state.
                return 409, [{"errorCode": "CONFLICT", "message": SLOT_OCCUPIED}]
            # Salesforce makes the key and secret ("POST doesn't take a request body"); the
            # answer carries the secret (Infisical reads `stagedCredentials[0].secret`).
            entry = app.stage(ORG.next_credential())
            return 201, _staged_collection(app, base, [entry], True)
        return _not_allowed(method, "GET,POST")
    if len(rest) != 1:
        return NOT_FOUND
    entry = app.slot if app.slot is not None and app.slot["id"] == rest[0] else None
    if entry is None:
        return NOT_FOUND  # Infisical: a 404 from DELETE means "already gone"
    if method == "GET":
        return 200, _staged_item(app, entry, base, listed_secret)
    if method == "PATCH":
        # "Staged Credentials Input"; both public callers promote with {"command": "rotate"}.
        if not isinstance(body, dict) or body.get("command") != "rotate":
            return 400, [{"errorCode": "INVALID_API_INPUT", "message": NOT_A_ROTATE_COMMAND}]
        if entry["state"] != "Active":
            return 409, [{"errorCode": "CONFLICT", "message": f"Staged credentials in state {entry['state']} can't be rotated."}]
        promoted = app.promote()
        answer = ORG.switches["patchAnswer"]
        if answer == "noContent":
            return 204, None
        if answer == "promoted":
            return 200, _staged_item(app, promoted, base, listed_secret)
        return 200, _staged_item(app, app.slot, base, listed_secret)  # type: ignore[arg-type]
    if method == "DELETE":
        app.delete()  # "Response for DELETE: 204"
        return 204, None
    return _not_allowed(method, "GET,PATCH,DELETE")


def _connect(rest: str, query: dict[str, list[str]], user: str, version: str, method: str = "GET",
             raw_body: bytes = b"", body: Any = None) -> tuple[int, Any]:
    """Connect REST API, "OAuth Credentials by App ID" and "OAuth Usage" (60.0+): the apps,
    an app's consumers ("App Oauth Credentials": id, key, name, url, and since 65.0
    stagedCredentialsUrl), and a consumer's key and secret (`part=keyandsecret`). Needs a
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
    base = f"/services/data/v{version}/apps/oauth/credentials/{app.app_id}/{app.consumer_id}"
    staged_resources = _version_number(version) >= STAGED_SINCE
    if len(parts) == 2 and method == "GET":
        consumer = {"id": app.consumer_id, "key": app.primary["consumerKey"], "name": app.name, "url": base}
        if staged_resources:
            consumer["stagedCredentialsUrl"] = f"{base}/staged"
        return 200, {"consumers": [consumer]}
    if len(parts) >= 4 and parts[2] == app.consumer_id and parts[3] == "staged":
        if not staged_resources:
            return NOT_FOUND  # "Available version 65.0"
        with ORG.lock:
            return _staged(app, method, parts[4:], base, raw_body, body)
    if method != "GET":
        return _not_allowed(method, "GET")
    if len(parts) == 3 and parts[2] == app.consumer_id:
        if not ORG.switches["viewClientSecret"]:
            return 403, [{"errorCode": "INSUFFICIENT_ACCESS", "message": "You need the View Client Secret permission"}]
        answer = {"id": app.consumer_id, "key": app.primary["consumerKey"]}
        if ORG.switches["secretInRestApi"] and query.get("part", [""])[0] == "keyandsecret":
            answer["secret"] = app.primary["consumerSecret"]
        return 200, answer
    return NOT_FOUND


# ------------------------------------------------------------------------------- test control


def _control(method: str, path: str, body: bytes) -> tuple[int, Any]:
    """The test-control routes of the module doc."""
    try:
        payload = json.loads(body) if body else {}
        with ORG.lock:
            if path == CONTROL_PREFIX + "state" and method == "GET":
                return 200, ORG.state()
            if path == CONTROL_PREFIX + "expire" and method == "POST":
                apps = ORG.app_named(payload.get("app"))
                if not apps:
                    return 404, {"message": f"no app named {payload.get('app')!r}"}
                for app in apps:
                    app.expire()
                return 200, ORG.state()
            if path == CONTROL_PREFIX + "switches" and method == "POST":
                return 200, ORG.set_switches(payload)
            if path == CONTROL_PREFIX + "faults" and method == "POST":
                return 200, ORG.set_faults(payload.get("faults"))
    except (ValueError, TypeError, AttributeError) as error:
        return 400, {"message": str(error)}
    return 404, {"message": "GET /_provision/state, POST /_provision/expire, /_provision/switches or /_provision/faults"}


# ------------------------------------------------------------------------------- HTTP


VERSIONED = re.compile(r"^/services/data/v(?P<version>\d+\.\d)/(?P<rest>.*)$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    verbose = False
    reset = ProxyHandler.reset
    hang = ProxyHandler.hang

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

    def _route(self, url: urllib.parse.SplitResult, body: bytes) -> tuple[int, Any]:
        path, query = url.path, urllib.parse.parse_qs(url.query)
        host = self.headers.get("Host", "127.0.0.1")
        if path == TOKEN_PATH:
            if self.command != "POST":
                return _not_allowed(self.command, "POST")
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
            return _token(form, host)
        if path.rstrip("/") == "/services/data" and self.command == "GET":
            return _versions(host)
        matched = VERSIONED.match(path)
        if not matched:
            return NOT_FOUND
        version, rest = matched["version"], matched["rest"].rstrip("/")
        if version not in ORG.versions:
            # Help 000354473: a retired version answers 410 GONE, for every resource and before
            # the session is looked at (the order is unknown); a version the org does not serve
            # yet is an unknown resource.
            if _version_number(version) < min(_version_number(v) for v in ORG.versions):
                return GONE
            return NOT_FOUND
        user = self._user()
        if user is None:
            return INVALID_SESSION
        if rest.startswith("apps/oauth/"):
            payload = None
            if body:
                try:
                    payload = json.loads(body)
                except ValueError:
                    return 400, [{"message": "The request body is not valid JSON", "errorCode": "JSON_PARSER_ERROR"}]
            return _connect(rest[len("apps/oauth/"):], query, user, version, self.command, body, payload)
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

    def _fault(self, fault: str) -> None:
        if fault == "reset":
            self.reset()
        elif fault == "hang":
            self.hang()
        else:
            self._answer(*INJECTED[fault])

    def _handle(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        body = self._body()
        if url.path.startswith(CONTROL_PREFIX):
            self._answer(*_control(self.command, url.path, body))
            return
        record = {"method": self.command, "path": url.path}
        with ORG.lock:
            ORG.requests.append(record)
        fault = ORG.take_fault(self.command, url.path, "before")
        if fault is None:
            status, payload = self._route(url, body)
            fault = ORG.take_fault(self.command, url.path, "after")
            if fault is None and (status, payload) == RESET:
                fault = "reset"
                record["fault"] = "reset (no body)"
        if fault is None:
            self._answer(status, payload)
            return
        record.setdefault("fault", fault)
        self._fault(fault)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the socket was reset on purpose

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_PATCH = _handle
    do_DELETE = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if Handler.verbose:
            super().handle_error(request, client_address)


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
    server = Server((args.host, args.port), Handler)
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
