"""Local AWS emulator for `provision`: moto's server with EventBridge connections patched to
behave like recorded real AWS.

Why this file exists: moto 5.2.5 is the local emulator the project tests against, but its
EventBridge connections differ from AWS in ways that matter to `provision` (see "The local
emulator differs from AWS" in docs/aws-behaviour.md): the managed secret has moto's own layout
and is never rewritten on update, describe echoes secrets, states are always AUTHORIZED, list
ignores its filters, duplicates are silently overwritten, and KMS / private-connectivity fields
are dropped; moving a secret's AWSCURRENT label does not change what GetSecretValue returns;
and PutRule tags a rule that already exists, which AWS ignores. Tuning `provision` to moto's quirks would be a defect, so this launcher patches
moto's events backend (in this process only; the installed moto is never edited) to do what the
recorded AWS responses in tests/fixtures/aws-recorded/eventbridge-connections.snapshot.json do.
Every patch names the line of docs/aws-behaviour.md or the recorded response it follows.
For runs over several accounts it adds what moto's STS lacks (see "Several accounts" below): a
refused AssumeRole, an external id the role requires, and sessions that end.

Usage:
    .venv/bin/python scripts/moto_server.py --port PORT [--host 127.0.0.1] [--verbose]

Prints exactly one line, `ready http://HOST:PORT`, to stdout once the socket accepts
connections (`--port 0` binds a free port and prints it), then serves until SIGTERM / SIGINT.
Request logging goes to stderr only with `--verbose`.

Environment:
    MOTO_AUTHORIZING_READS          DescribeConnection / ListConnections reads that still report
                                    AUTHORIZING after an OAuth create or update (default 1).
    MOTO_AUTHORIZING_SECONDS        if set, connections stay AUTHORIZING for this many seconds
                                    after an OAuth create or update, however often they are
                                    read (real AWS is time-based; this replaces the read count).
    MOTO_DEAUTHORIZE_SECRET_PREFIX  if set, an OAuth create / update whose ClientSecret starts
                                    with it settles in DEAUTHORIZED (bad Salesforce credentials).
    MOTO_DENY_MANAGED_SECRET_READS  if set to 1, GetSecretValue on an EventBridge-managed secret
                                    (`events!connection/...`) answers AccessDeniedException, as
                                    AWS does for a caller whose IAM policy does not allow it.
    MOTO_DENY_PARAMETER_PREFIX      if set, ssm GetParameter on a parameter whose name starts with
                                    it answers AccessDeniedException (a caller whose IAM policy
                                    does not allow ssm:GetParameter on it).
    MOTO_KMS_KEY_STAYS              if set to 1, an update with an empty KmsKeyIdentifier keeps
                                    the customer managed key (a backend that does not take the
                                    documented way back to an AWS owned key).
    MOTO_DENY_ASSUME_ROLE           role ARNs, separated by spaces (IAM role names may hold
                                    commas): sts:AssumeRole of one answers AccessDenied, HTTP 403,
                                    "User: <caller> is not authorized to perform: sts:AssumeRole on
                                    resource: <role>", as AWS does when the role's trust policy does
                                    not allow the caller.
    MOTO_ASSUME_ROLE_EXTERNAL_IDS   JSON object, role ARN -> external id the role's trust policy
                                    requires (`sts:ExternalId`): AssumeRole of that role without it,
                                    or with another, answers the AccessDenied above.
    MOTO_SESSION_SECONDS            JSON object, role ARN -> seconds a session of that role lasts
                                    (instead of DurationSeconds; Expiration says so). Every session
                                    ends: a call signed with an ended one answers ExpiredToken
                                    (STS, XML) / ExpiredTokenException (JSON services), HTTP 403.

Test-control route (not an AWS API):
    POST /_provision/connection-state
    {"name": ..., "state": "DEAUTHORIZED", "reason": "...", "region": "us-east-1",
     "account": "123456789012"}
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import datetime
import io
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable
from xml.sax.saxutils import escape as xml_escape

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import unix_time, utcnow
from moto.events.exceptions import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from moto.events.models import EventsBackend, events_backends
from moto.events.responses import EventsHandler
from moto.core.serialize import url_encode
from moto.iam.models import get_account_id_from
from moto.iam.responses import IamResponse
from moto.moto_api._internal import mock_random as random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.secretsmanager import secretsmanager_backends
from moto.secretsmanager.models import SecretsManagerBackend
from moto.sts.models import STSBackend, sts_backends
from moto.utilities.utils import get_partition
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CONTROL_PATH = "/_provision/connection-state"

OAUTH = "OAUTH_CLIENT_CREDENTIALS"
AUTHORIZATION_TYPES = ["BASIC", OAUTH, "API_KEY"]  # order as in the recorded error message
CONNECTION_STATES = [  # aws-behaviour.md "States: CREATING, UPDATING, ..."
    "CREATING",
    "UPDATING",
    "DELETING",
    "AUTHORIZING",
    "AUTHORIZED",
    "DEAUTHORIZING",
    "DEAUTHORIZED",
    "ACTIVE",
    "FAILED_CONNECTIVITY",
]
NAME_PATTERN = r"[\.\-_A-Za-z0-9]+"  # aws-behaviour.md "Name 1-64, `[\.\-_A-Za-z0-9]+`"
NAME_MAX = 64
DESCRIPTION_MAX = 512
LIST_LIMIT_MAX = 100  # aws-behaviour.md "ListConnections: ... `Limit` 1-100"
BAD_CREDENTIALS_REASON = (
    "Unable to authorize connection: invalid_client: invalid client credentials"
)

# Set from the environment in main(); module-level so the patched methods can read them.
AUTHORIZING_READS = 1
AUTHORIZING_SECONDS: float | None = None
DEAUTHORIZE_SECRET_PREFIX: str | None = None
DENY_MANAGED_SECRET_READS = False
DENY_PARAMETER_PREFIX: str | None = None
KMS_KEY_STAYS = False

# moto's server is threaded; connection state changes on reads, so serialise connection calls.
_LOCK = threading.RLock()


# ---------------------------------------------------------------------------------------------
# Validation (recorded `create-connection-invalid-name-error`, `create-connection-invalid-auth-error`)
# ---------------------------------------------------------------------------------------------


def _validation_error(errors: list[str]) -> ValidationException:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return ValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


def _name_errors(name: Any) -> list[str]:
    if not isinstance(name, str):
        return ["Value null at 'name' failed to satisfy constraint: Member must not be null"]
    errors = []
    if not re.fullmatch(NAME_PATTERN, name):
        errors.append(
            f"Value '{name}' at 'name' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )
    if len(name) > NAME_MAX:
        errors.append(
            f"Value '{name}' at 'name' failed to satisfy constraint: "
            f"Member must have length less than or equal to {NAME_MAX}"
        )
    return errors


def _description_errors(description: Any) -> list[str]:
    # aws-behaviour.md "Description <= 512".
    if isinstance(description, str) and len(description) > DESCRIPTION_MAX:
        return [
            f"Value '{description}' at 'description' failed to satisfy constraint: "
            f"Member must have length less than or equal to {DESCRIPTION_MAX}"
        ]
    return []


def _enum_errors(value: Any, field: str, allowed: list[str]) -> list[str]:
    if value is None or value in allowed:
        return []
    return [
        f"Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    ]


def _check(errors: list[str]) -> None:
    if errors:
        raise _validation_error(errors)


# ---------------------------------------------------------------------------------------------
# Managed secret layout (aws-behaviour.md "Managed secret: ... Real AWS OAuth layout"; recorded
# `connection-secret` for basic / api-key / oauth and `connection-secret-before-update`)
# ---------------------------------------------------------------------------------------------

_HTTP_LISTS = [
    ("BodyParameters", "body_parameters"),
    ("HeaderParameters", "header_parameters"),
    ("QueryStringParameters", "query_string_parameters"),
]


def _secret_http_parameters(block: dict[str, Any]) -> dict[str, Any]:
    # Only lists present in the request appear: the recorded secret holds
    # `"invocation_http_parameters": {}` for an empty InvocationHttpParameters block.
    out: dict[str, Any] = {}
    for api_key, secret_key in _HTTP_LISTS:
        if api_key in block:
            out[secret_key] = [
                {
                    "key": item.get("Key"),
                    "value": item.get("Value"),
                    "is_value_secret": bool(item.get("IsValueSecret", False)),
                }
                for item in block[api_key] or []
            ]
    return out


def _secret_layout(authorization_type: str, auth: dict[str, Any]) -> dict[str, Any]:
    secret: dict[str, Any] = {}
    if authorization_type == "BASIC":
        basic = auth.get("BasicAuthParameters") or {}
        secret["username"] = basic.get("Username")
        secret["password"] = basic.get("Password")
    elif authorization_type == "API_KEY":
        api_key = auth.get("ApiKeyAuthParameters") or {}
        secret["api_key_name"] = api_key.get("ApiKeyName")
        secret["api_key_value"] = api_key.get("ApiKeyValue")
    elif authorization_type == OAUTH:
        oauth = auth.get("OAuthParameters") or {}
        client = oauth.get("ClientParameters") or {}
        secret["client_id"] = client.get("ClientID")
        secret["client_secret"] = client.get("ClientSecret")
        secret["authorization_endpoint"] = oauth.get("AuthorizationEndpoint")
        secret["http_method"] = oauth.get("HttpMethod")
        if "OAuthHttpParameters" in oauth:
            secret["oauth_http_parameters"] = _secret_http_parameters(
                oauth["OAuthHttpParameters"] or {}
            )
    if "InvocationHttpParameters" in auth:
        secret["invocation_http_parameters"] = _secret_http_parameters(
            auth["InvocationHttpParameters"] or {}
        )
    return secret


# ---------------------------------------------------------------------------------------------
# Redaction for DescribeConnection (aws-behaviour.md "`DescribeConnection` never returns `ClientSecret`;
# parameter values marked secret are not returned either"; recorded `describe-connection-auth`
# shows only Username / ApiKeyName / ClientID)
# ---------------------------------------------------------------------------------------------


def _redact_http_parameters(block: dict[str, Any]) -> None:
    for api_key, _ in _HTTP_LISTS:
        for item in block.get(api_key) or []:
            if item.get("IsValueSecret"):
                item.pop("Value", None)


def _redacted(auth: dict[str, Any]) -> dict[str, Any]:
    auth = copy.deepcopy(auth or {})
    (auth.get("BasicAuthParameters") or {}).pop("Password", None)
    (auth.get("ApiKeyAuthParameters") or {}).pop("ApiKeyValue", None)
    oauth = auth.get("OAuthParameters") or {}
    (oauth.get("ClientParameters") or {}).pop("ClientSecret", None)
    _redact_http_parameters(oauth.get("OAuthHttpParameters") or {})
    _redact_http_parameters(auth.get("InvocationHttpParameters") or {})
    return auth


# ---------------------------------------------------------------------------------------------
# UpdateConnection merge (aws-behaviour.md "`UpdateConnection`: every field but `Name` is optional and
# an omitted one is left as it was")
# ---------------------------------------------------------------------------------------------

_TYPE_BLOCKS = {
    "BASIC": "BasicAuthParameters",
    "API_KEY": "ApiKeyAuthParameters",
    OAUTH: "OAuthParameters",
}
# Scalar fields kept from the old block when an update leaves them out.
_TYPE_SCALARS = {
    "BasicAuthParameters": ["Username", "Password"],
    "ApiKeyAuthParameters": ["ApiKeyName", "ApiKeyValue"],
    "OAuthParameters": ["AuthorizationEndpoint", "HttpMethod"],
}


def _merge_auth(
    old_type: str, new_type: str, old: dict[str, Any], update: dict[str, Any]
) -> dict[str, Any]:
    """Apply an UpdateConnection AuthParameters block to the stored one.

    Omitted blocks and omitted scalar fields (ClientID, ClientSecret, Password, ...) keep their
    old value; a given parameter-list block (OAuthHttpParameters, InvocationHttpParameters)
    replaces the old one whole, so `{}` clears it. When the authorization type changes, the old
    type's block is dropped.
    """
    merged = copy.deepcopy(update)
    for key, value in old.items():
        if key in _TYPE_BLOCKS.values() and key != _TYPE_BLOCKS.get(new_type):
            continue  # the old type's block does not survive a type change
        if key not in merged:
            merged[key] = copy.deepcopy(value)
    block_name = _TYPE_BLOCKS.get(new_type)
    if old_type != new_type or block_name not in old or block_name not in update:
        return merged
    old_block, new_block = old[block_name] or {}, merged[block_name]
    for field in _TYPE_SCALARS[block_name]:
        if field not in new_block and field in old_block:
            new_block[field] = old_block[field]
    if block_name == "OAuthParameters":
        for key in ("OAuthHttpParameters", "ConnectivityParameters"):
            if key not in new_block and key in old_block:
                new_block[key] = copy.deepcopy(old_block[key])
        old_client = old_block.get("ClientParameters") or {}
        new_client = new_block.setdefault("ClientParameters", {})
        for field in ("ClientID", "ClientSecret"):
            if field not in new_client and field in old_client:
                new_client[field] = old_client[field]
    return merged


# ---------------------------------------------------------------------------------------------
# The connection model
# ---------------------------------------------------------------------------------------------


class AwsLikeConnection:
    """Stands in for moto's events Connection: AWS's secret layout, states, times, KMS key and
    private connectivity.

    Not a subclass: moto's Connection.__init__ writes the managed secret in moto's layout under
    `events!connection/<name>/<uuid>/auth`, and moto's model metaclass rejects classes defined
    outside the moto package. Nothing in moto type-checks connections.
    """

    def __init__(
        self,
        name: str,
        account_id: str,
        region_name: str,
        description: str | None,
        authorization_type: str,
        auth_parameters: dict[str, Any],
        kms_key_identifier: str | None,
        resource_configuration_arn: str | None,
    ):
        now = unix_time()
        self.uuid = str(random.uuid4())
        self.name = name
        self.account_id = account_id
        self.region = region_name
        self.description = description
        self.authorization_type = authorization_type
        self.auth_parameters = auth_parameters or {}
        self.kms_key_identifier = kms_key_identifier
        self.resource_configuration_arn = resource_configuration_arn
        self.creation_time = now
        self.last_modified_time = now
        # Recorded `describe-connection-auth` (oauth) has LastAuthorizedTime while still AUTHORIZING.
        self.last_authorized_time = now
        self.state = "CREATING"
        self.state_reason: str | None = None
        self.settled: tuple[str, str | None] = ("CREATING", None)
        self.authorizing_reads = 0
        self.arn = (
            f"arn:{get_partition(region_name)}:events:{region_name}:{account_id}"
            f":connection/{name}/{self.uuid}"
        )
        # Recorded `connection-secret`: Name `events!connection/<connection-name>/<secret-uuid>`
        # (moto appends `/auth`).
        secret = self._secrets().create_managed_secret(
            service_name="events",
            secret_id=f"events!connection/{name}/{random.uuid4()}",
            secret_string=json.dumps(_secret_layout(authorization_type, self.auth_parameters)),
            description=f"Auth parameters for Eventbridge connection {name}/{self.uuid}",
        )
        self.secret_arn = secret.arn
        self.begin_authorization()

    def _secrets(self) -> Any:
        return secretsmanager_backends[self.account_id][self.region]

    def rewrite_secret(self) -> None:
        # aws-behaviour.md "real AWS rewrites it in place: a new `VersionId`, same ARN"; recorded
        # `connection-secret-before-update` / `connection-secret-after-update` (<uuid:1> -> <uuid:2>).
        self._secrets().put_secret_value(
            secret_id=self.secret_arn,
            secret_string=json.dumps(
                _secret_layout(self.authorization_type, self.auth_parameters)
            ),
            secret_binary=None,
            client_request_token=None,
            version_stages=["AWSCURRENT"],
        )

    def begin_authorization(self) -> None:
        """Start (re-)authorizing after a create or update.

        Recorded `create-connection-auth`: OAuth answers AUTHORIZING, BASIC / API_KEY answer
        AUTHORIZED. aws-behaviour.md: "public endpoints settle in `AUTHORIZED`, private ones in `ACTIVE`";
        "re-sending credentials with `UpdateConnection` is how a DEAUTHORIZED connection is healed".
        """
        healthy = "ACTIVE" if self.resource_configuration_arn else "AUTHORIZED"
        self.state_reason = None
        if self.authorization_type != OAUTH:
            self.state, self.settled, self.authorizing_reads = healthy, (healthy, None), 0
            return
        client = (self.auth_parameters.get("OAuthParameters") or {}).get(
            "ClientParameters"
        ) or {}
        secret = client.get("ClientSecret") or ""
        if DEAUTHORIZE_SECRET_PREFIX and secret.startswith(DEAUTHORIZE_SECRET_PREFIX):
            # aws-behaviour.md Salesforce errors: `invalid_client: invalid client credentials`.
            self.settled = ("DEAUTHORIZED", BAD_CREDENTIALS_REASON)
        else:
            self.settled = (healthy, None)
        self.state = "AUTHORIZING"
        self.authorizing_reads = AUTHORIZING_READS
        self.authorizing_until = (
            time.monotonic() + AUTHORIZING_SECONDS if AUTHORIZING_SECONDS is not None else None
        )

    def observe(self) -> tuple[str, str | None]:
        """One DescribeConnection / ListConnections read: report the state, let time pass."""
        if self.state == "AUTHORIZING":
            until = getattr(self, "authorizing_until", None)
            if until is not None:
                if time.monotonic() < until:
                    return self.state, self.state_reason
            elif self.authorizing_reads > 0:
                self.authorizing_reads -= 1
                return self.state, self.state_reason
            self.state, self.state_reason = self.settled
            if self.state in ("AUTHORIZED", "ACTIVE"):
                self.last_authorized_time = unix_time()
        return self.state, self.state_reason

    def force_state(self, state: str, reason: str | None) -> None:
        self.state, self.state_reason = state, reason
        self.settled, self.authorizing_reads = (state, reason), 0

    def describe_short(self) -> dict[str, Any]:
        # Recorded `update-connection` / `delete-connection` carry LastAuthorizedTime and
        # LastModifiedTime (moto's omits both).
        return {
            "ConnectionArn": self.arn,
            "ConnectionState": self.state,
            "CreationTime": self.creation_time,
            "LastAuthorizedTime": self.last_authorized_time,
            "LastModifiedTime": self.last_modified_time,
        }

    def list_item(self, state: str, reason: str | None) -> dict[str, Any]:
        # Recorded `list-connections` item; StateReason when set (moto always says AUTHORIZED).
        item = {
            "AuthorizationType": self.authorization_type,
            "ConnectionArn": self.arn,
            "ConnectionState": state,
            "CreationTime": self.creation_time,
            "LastAuthorizedTime": self.last_authorized_time,
            "LastModifiedTime": self.last_modified_time,
            "Name": self.name,
        }
        if reason:
            item["StateReason"] = reason
        return item

    def describe(self) -> dict[str, Any]:
        # Recorded `describe-connection` / `describe-connection-auth`.
        state, reason = self.observe()
        out = self.list_item(state, reason)
        out["AuthParameters"] = _redacted(self.auth_parameters)
        out["SecretArn"] = self.secret_arn
        if self.description:
            out["Description"] = self.description
        # aws-behaviour.md: `KmsKeyIdentifier`, `InvocationConnectivityParameters` (moto drops both).
        if self.kms_key_identifier:
            out["KmsKeyIdentifier"] = self.kms_key_identifier
        if self.resource_configuration_arn:
            out["InvocationConnectivityParameters"] = {
                "ResourceParameters": {
                    "ResourceConfigurationArn": self.resource_configuration_arn
                }
            }
        return out


# ---------------------------------------------------------------------------------------------
# Backend patches
# ---------------------------------------------------------------------------------------------


def _patch(cls: type, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Replace `cls.name` with the decorated function (this process only)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        setattr(cls, name, func)
        return func

    return decorate


def _get(backend: EventsBackend, name: str, message: str) -> AwsLikeConnection:
    connection = backend.connections.get(name)
    if connection is None:
        raise ResourceNotFoundException(message)
    return connection


def _resource_configuration_arn(params: dict[str, Any] | None) -> str | None:
    return ((params or {}).get("ResourceParameters") or {}).get("ResourceConfigurationArn")


@_patch(EventsBackend, "create_connection")
def backend_create_connection(
    self: EventsBackend,
    name: str,
    description: str | None,
    authorization_type: str,
    auth_parameters: dict[str, Any],
    kms_key_identifier: str | None = None,
    invocation_connectivity_parameters: dict[str, Any] | None = None,
) -> AwsLikeConnection:
    with _LOCK:
        if name in self.connections:
            # moto silently overwrites; AWS refuses a duplicate name.
            raise ResourceAlreadyExistsException(f"Connection {name} already exists.")
        connection = AwsLikeConnection(
            name,
            self.account_id,
            self.region_name,
            description,
            authorization_type,
            auth_parameters,
            kms_key_identifier or None,
            _resource_configuration_arn(invocation_connectivity_parameters) or None,
        )
        self.connections[name] = connection
        return connection


@_patch(EventsBackend, "update_connection")
def backend_update_connection(self: EventsBackend, name: str, **fields: Any) -> dict[str, Any]:
    """`fields` holds only what the request carried (omitted = left as it was)."""
    with _LOCK:
        connection = _get(self, name, f"Connection '{name}' does not exist.")
        if "description" in fields:
            connection.description = fields["description"]
        old_type = connection.authorization_type
        new_type = fields.get("authorization_type") or old_type
        if "auth_parameters" in fields:
            connection.auth_parameters = _merge_auth(
                old_type, new_type, connection.auth_parameters, fields["auth_parameters"] or {}
            )
        connection.authorization_type = new_type
        if "kms_key_identifier" in fields:
            # aws-behaviour.md: the user guide lists "customer managed key -> AWS owned key" as
            # a supported update; an empty string is the inferred form. MOTO_KMS_KEY_STAYS=1
            # plays a backend that keeps the key (what the tool must then report).
            wanted = fields["kms_key_identifier"] or None
            if wanted is not None or not KMS_KEY_STAYS:
                connection.kms_key_identifier = wanted
        if "invocation_connectivity_parameters" in fields:
            # aws-behaviour.md: "an empty string clears it on update, leaving it out does nothing".
            arn = _resource_configuration_arn(fields["invocation_connectivity_parameters"])
            if arn is not None:
                connection.resource_configuration_arn = arn or None
        connection.last_modified_time = unix_time()
        connection.last_authorized_time = connection.last_modified_time
        connection.rewrite_secret()
        connection.begin_authorization()
        return connection.describe_short()


@_patch(EventsBackend, "list_connections")
def backend_list_connections(
    self: EventsBackend,
    name_prefix: str | None = None,
    connection_state: str | None = None,
    limit: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    # aws-behaviour.md "`ListConnections`: `NamePrefix`, `ConnectionState`, `Limit` 1-100, `NextToken`";
    # moto ignores all four.
    limit = limit or LIST_LIMIT_MAX
    after = _decode_token(next_token) if next_token else None
    with _LOCK:
        matched = []
        for name in sorted(self.connections):
            if name_prefix and not name.startswith(name_prefix):
                continue
            connection = self.connections[name]
            # Every connection the call looks at counts as a read (simulated time passes), so a
            # caller filtering on the settled state still sees AUTHORIZING end.
            state, reason = connection.observe()
            if connection_state and state != connection_state:
                continue
            if after is not None and name <= after:
                continue
            matched.append(connection.list_item(state, reason))
    page = matched[:limit]
    token = _encode_token(page[-1]["Name"]) if len(matched) > limit else None
    return page, token


def _encode_token(after: str) -> str:
    raw = json.dumps({"v": 1, "after": after}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["after"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValidationException("Invalid NextToken.") from None


@_patch(EventsBackend, "describe_connection")
def backend_describe_connection(self: EventsBackend, name: str) -> dict[str, Any]:
    with _LOCK:
        # Recorded `describe-deleted-connection` message.
        message = f"Failed to describe the connection(s). Connection '{name}' does not exist."
        return _get(self, name, message).describe()


@_patch(EventsBackend, "delete_connection")
def backend_delete_connection(self: EventsBackend, name: str) -> dict[str, Any]:
    with _LOCK:
        connection = _get(self, name, f"Connection '{name}' does not exist.")
        del self.connections[name]
        connection._secrets().delete_secret(
            secret_id=connection.secret_arn,
            recovery_window_in_days=None,
            force_delete_without_recovery=True,
        )
        # Recorded `delete-connection`: ConnectionState DELETING; gone afterwards.
        connection.state = "DELETING"
        return connection.describe_short()


_UPDATE_VERSION_STAGE = SecretsManagerBackend.update_secret_version_stage


@_patch(SecretsManagerBackend, "update_secret_version_stage")
def backend_update_secret_version_stage(
    self: SecretsManagerBackend,
    secret_id: str,
    version_stage: str,
    remove_from_version_id: str,
    move_to_version_id: str,
) -> tuple[str, str]:
    """Secrets Manager API reference, UpdateSecretVersionStage: moving AWSCURRENT makes that
    version the one GetSecretValue returns without a stage. Moto moves the label but keeps
    answering the old version, so `rotate-credentials`' rollback would look undone."""
    answer = _UPDATE_VERSION_STAGE(
        self, secret_id, version_stage, remove_from_version_id, move_to_version_id
    )
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].set_default_version_id(move_to_version_id)
    return answer


_PUT_RULE = EventsBackend.put_rule


@_patch(EventsBackend, "put_rule")
def backend_put_rule(self: EventsBackend, name: str, **fields: Any) -> Any:
    """EventBridge API reference, PutRule: "If you are updating an existing rule, any tags you
    specify in the PutRule operation are ignored. To update the tags of an existing rule, use
    TagResource and UntagResource." Moto tags the rule on every PutRule, so a rule adopted
    without TagResource would look owned."""
    bus = self._get_event_bus(self._normalize_event_bus_arn(fields.get("event_bus_arn")))
    if name in bus.rules:
        fields["tags"] = None
    return _PUT_RULE(self, name, **fields)


# ---------------------------------------------------------------------------------------------
# Request-handler patches (moto's handlers hard-code AUTHORIZED and drop unknown fields)
# ---------------------------------------------------------------------------------------------


def _body(handler: EventsHandler) -> dict[str, Any]:
    try:
        body = json.loads(handler.body or "{}")
    except ValueError:
        raise ValidationException("Request body is not valid JSON.") from None
    return body if isinstance(body, dict) else {}


@_patch(EventsHandler, "create_connection")
def handler_create_connection(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    body = _body(self)
    name, authorization_type = body.get("Name"), body.get("AuthorizationType")
    _check(
        _name_errors(name)
        + _description_errors(body.get("Description"))
        + _enum_errors(authorization_type, "authorizationType", AUTHORIZATION_TYPES)
    )
    connection = self.events_backend.create_connection(
        name,
        body.get("Description"),
        authorization_type,
        body.get("AuthParameters") or {},
        kms_key_identifier=body.get("KmsKeyIdentifier"),
        invocation_connectivity_parameters=body.get("InvocationConnectivityParameters"),
    )
    # Recorded `create-connection-auth`: no LastAuthorizedTime in the create response.
    result = {
        "ConnectionArn": connection.arn,
        "ConnectionState": connection.state,
        "CreationTime": connection.creation_time,
        "LastModifiedTime": connection.last_modified_time,
    }
    return json.dumps(result), self.response_headers


@_patch(EventsHandler, "update_connection")
def handler_update_connection(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    body = _body(self)
    name, authorization_type = body.get("Name"), body.get("AuthorizationType")
    _check(
        _name_errors(name)
        + _description_errors(body.get("Description"))
        + _enum_errors(authorization_type, "authorizationType", AUTHORIZATION_TYPES)
    )
    request_fields = {
        "Description": "description",
        "AuthorizationType": "authorization_type",
        "AuthParameters": "auth_parameters",
        "KmsKeyIdentifier": "kms_key_identifier",
        "InvocationConnectivityParameters": "invocation_connectivity_parameters",
    }
    fields = {arg: body[key] for key, arg in request_fields.items() if key in body}
    result = self.events_backend.update_connection(name, **fields)
    return json.dumps(result), self.response_headers


@_patch(EventsHandler, "list_connections")
def handler_list_connections(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    body = _body(self)
    limit, state = body.get("Limit"), body.get("ConnectionState")
    errors = _enum_errors(state, "connectionState", CONNECTION_STATES)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        errors.append(
            f"Value '{limit}' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )
    elif limit is not None and limit > LIST_LIMIT_MAX:
        errors.append(
            f"Value '{limit}' at 'limit' failed to satisfy constraint: "
            f"Member must have value less than or equal to {LIST_LIMIT_MAX}"
        )
    _check(errors)
    page, token = self.events_backend.list_connections(
        name_prefix=body.get("NamePrefix"),
        connection_state=state,
        limit=limit,
        next_token=body.get("NextToken"),
    )
    result: dict[str, Any] = {"Connections": page}
    if token:
        result["NextToken"] = token
    return json.dumps(result), self.response_headers


@_patch(EventsHandler, "describe_connection")
def handler_describe_connection(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    name = _body(self).get("Name")
    _check(_name_errors(name))
    return json.dumps(self.events_backend.describe_connection(name)), self.response_headers


@_patch(EventsHandler, "delete_connection")
def handler_delete_connection(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    name = _body(self).get("Name")
    _check(_name_errors(name))
    return json.dumps(self.events_backend.delete_connection(name)), self.response_headers


# ---------------------------------------------------------------------------------------------
# IAM: every policy document answered URL-encoded.
#
# IAM API Reference, "PolicyVersion" (Document), as returned by GetPolicyVersion: "The policy
# document returned in this structure is URL-encoded compliant with RFC 3986". Moto encodes
# GetRole's AssumeRolePolicyDocument and GetRolePolicy's PolicyDocument
# (IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER) but answers GetPolicyVersion's Document as
# plain JSON; this adds it to the same table.
# ---------------------------------------------------------------------------------------------

IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER[
    "GetPolicyVersionResponse.PolicyVersion.Document"
] = url_encode


# ---------------------------------------------------------------------------------------------
# Several accounts: sts:AssumeRole refused, external ids, sessions that end.
#
# Moto already serves one account per assumed role: AssumeRole into
# arn:aws:iam::<other>:role/<name> mints an access key that moto maps to <other>
# (moto/sts/models.py `_create_access_key`, moto/iam/models.py `get_account_id_from`), so
# EventBridge, Secrets Manager and SSM calls signed with it land in <other>'s backends. What moto
# lacks is every way AssumeRole is refused (without INITIAL_NO_AUTH_ACTION_COUNT it checks
# neither the role, nor its trust policy, nor ExternalId) and any end to a session (it reports an
# Expiration but accepts the credentials forever). The switches below add those answers.
# ---------------------------------------------------------------------------------------------

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
# AWS's Common Errors list (every API reference, e.g. the Secrets Manager API Reference, "Common
# Errors"): ExpiredTokenException, "The security token included in the request is expired",
# HTTP 403. Query-protocol services (STS, IAM) name it ExpiredToken in an XML Sender error
# (public callers: cfn-sphere/cfn-sphere#55 shows the IAM body, aws/aws-sdk-java-v2#1649 the
# STS 403).
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")

# Set from the environment in main().
DENY_ASSUME_ROLE: frozenset[str] = frozenset()
ASSUME_ROLE_EXTERNAL_IDS: dict[str, str] = {}
SESSION_SECONDS: dict[str, float] = {}

# Access key id of every assumed-role session -> the end of that session.
_SESSION_ENDS: dict[str, datetime.datetime] = {}

_ASSUME_ROLE = STSBackend.assume_role


@_patch(STSBackend, "assume_role")
def backend_assume_role(self: STSBackend, **kwargs: Any) -> Any:
    """Moto's AssumeRole, remembering when the session ends.

    AWS STS API Reference, AssumeRole, Credentials.Expiration: the date the credentials expire.
    With MOTO_SESSION_SECONDS naming the role, the session lasts that many seconds instead of
    DurationSeconds (AWS's minimum, 900, is too long to wait for in a test), and Expiration says so.
    """
    role = _ASSUME_ROLE(self, **kwargs)
    seconds = SESSION_SECONDS.get(kwargs["role_arn"])
    if seconds is not None:
        role.expiration = utcnow() + datetime.timedelta(seconds=seconds)
    with _LOCK:
        _SESSION_ENDS[role.access_key_id] = role.expiration
    return role


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, left readable for the next handler."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _xml_error(status: int, code: str, message: str) -> Response:
    # The Query-protocol error body (public caller Netflix/security_monkey#77 shows AssumeRole's).
    body = (
        f'<ErrorResponse xmlns="{STS_NAMESPACE}">\n'
        f"  <Error>\n    <Type>Sender</Type>\n    <Code>{code}</Code>\n"
        f"    <Message>{xml_escape(message)}</Message>\n  </Error>\n"
        f"  <RequestId>{random.uuid4()}</RequestId>\n</ErrorResponse>\n"
    )
    return Response(body, status=status, headers={"Content-Type": "text/xml"})


def _caller_arn(access_key: str, region: str, environ_account: str | None) -> str:
    """The ARN GetCallerIdentity would answer for this key (moto/sts/models.py
    `get_caller_identity`), found the way moto finds the request's account
    (moto/core/responses.py `get_current_account`)."""
    account = (
        os.environ.get("MOTO_ACCOUNT_ID")
        or environ_account
        or get_account_id_from(access_key)
    )
    backend = sts_backends[account][get_partition(region)]
    return backend.get_caller_identity(access_key, region)[1]


def _assume_role_refusal(environ: dict[str, Any], access_key: str, region: str) -> Response | None:
    """AccessDenied for an AssumeRole the role's trust policy would not allow.

    AWS's answer (public callers Netflix/security_monkey#77, aws-cloudformation/rain#205,
    amzn/selling-partner-api-models#891): HTTP 403, Sender, AccessDenied, "User: <caller ARN> is
    not authorized to perform: sts:AssumeRole on resource: <role ARN>". The same answer for a
    missing or wrong ExternalId: the IAM User Guide ("Access to AWS accounts owned by third
    parties") puts the external id in the trust policy as a `sts:ExternalId` condition, and a
    request the trust policy does not allow is refused as above.
    """
    if not DENY_ASSUME_ROLE and not ASSUME_ROLE_EXTERNAL_IDS:
        return None
    params = urllib.parse.parse_qs(environ.get("QUERY_STRING") or "")
    params.update(urllib.parse.parse_qs(_read_body(environ).decode("utf-8", "replace")))
    if params.get("Action") != ["AssumeRole"]:
        return None
    role_arn = (params.get("RoleArn") or [""])[0]
    expected = ASSUME_ROLE_EXTERNAL_IDS.get(role_arn)
    given = (params.get("ExternalId") or [None])[0]
    if role_arn not in DENY_ASSUME_ROLE and (expected is None or given == expected):
        return None
    caller = _caller_arn(access_key, region, environ.get("HTTP_X_MOTO_ACCOUNT_ID"))
    message = f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    return _xml_error(403, "AccessDenied", message)


def _expired_session(environ: dict[str, Any], access_key: str) -> Response | None:
    with _LOCK:
        end = _SESSION_ENDS.get(access_key)
    if end is None or utcnow() <= end:
        return None
    if environ.get("HTTP_X_AMZ_TARGET"):  # JSON protocol: EventBridge, Secrets Manager, SSM, KMS
        return Response(
            json.dumps({"__type": "ExpiredTokenException", "message": EXPIRED_TOKEN_MESSAGE}),
            status=403,
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amzn-ErrorType": "ExpiredTokenException",
            },
        )
    return _xml_error(403, "ExpiredToken", EXPIRED_TOKEN_MESSAGE)


def _account_refusal(environ: dict[str, Any]) -> Response | None:
    """The answer AWS gives before any service looks at the request, if any."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION") or "")
    if match is None:
        return None
    access_key, region, service = match.groups()
    expired = _expired_session(environ, access_key)
    if expired is not None:
        return expired
    if service == "sts":
        return _assume_role_refusal(environ, access_key, region)
    return None


# ---------------------------------------------------------------------------------------------
# Test-control route: POST /_provision/connection-state (not an AWS API). Lets tests simulate a
# connection that went DEAUTHORIZED / FAILED_CONNECTIVITY (aws-behaviour.md "DEAUTHORIZED = auth failure
# ...; FAILED_CONNECTIVITY = network failure. `StateReason` explains.").
# ---------------------------------------------------------------------------------------------


def _json_response(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _set_connection_state(request: Request) -> Response:
    if request.method != "POST":
        return _json_response(405, {"message": "use POST"})
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        return _json_response(400, {"message": "body must be a JSON object"})
    name, state = payload.get("name"), payload.get("state")
    if not name or state not in CONNECTION_STATES:
        return _json_response(
            400, {"message": f"need `name` and `state` (one of {', '.join(CONNECTION_STATES)})"}
        )
    account = payload.get("account") or DEFAULT_ACCOUNT_ID
    region = payload.get("region") or "us-east-1"
    with _LOCK:
        try:
            connection = events_backends[account][region].connections.get(name)
        except KeyError:
            connection = None
        if connection is None:
            return _json_response(
                404, {"message": f"no connection {name!r} in {account}/{region}"}
            )
        connection.force_state(state, payload.get("reason") or None)
        return _json_response(
            200,
            {
                "Name": name,
                "ConnectionState": connection.state,
                "StateReason": connection.state_reason,
            },
        )


class ControlRouteApp:
    """WSGI dispatcher: the control route here, everything else to moto's app."""

    def __init__(self, moto_app: Callable[..., Any]):
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return _set_connection_state(Request(environ))(environ, start_response)
        refused = _account_refusal(environ)
        if refused is not None:
            return refused(environ, start_response)
        if DENY_MANAGED_SECRET_READS and environ.get("HTTP_X_AMZ_TARGET") == "secretsmanager.GetSecretValue":
            body = _read_body(environ)
            try:
                secret_id = json.loads(body or b"{}").get("SecretId", "")
            except ValueError:
                secret_id = ""
            if "events!connection/" in secret_id:
                # IAM's answer to a caller without secretsmanager:GetSecretValue on the secret.
                response = Response(
                    json.dumps({
                        "__type": "AccessDeniedException",
                        "message": f"User is not authorized to perform: secretsmanager:GetSecretValue on resource: {secret_id}",
                    }),
                    status=400,
                    headers={"Content-Type": "application/x-amz-json-1.1", "X-Amzn-ErrorType": "AccessDeniedException"},
                )
                return response(environ, start_response)
        if DENY_PARAMETER_PREFIX and environ.get("HTTP_X_AMZ_TARGET") == "AmazonSSM.GetParameter":
            body = _read_body(environ)
            try:
                name = json.loads(body or b"{}").get("Name", "")
            except ValueError:
                name = ""
            if name.startswith(DENY_PARAMETER_PREFIX):
                # IAM's answer to a caller without ssm:GetParameter on the parameter.
                response = Response(
                    json.dumps({
                        "__type": "AccessDeniedException",
                        "message": f"User is not authorized to perform: ssm:GetParameter on resource: {name}",
                    }),
                    status=400,
                    headers={"Content-Type": "application/x-amz-json-1.1", "X-Amzn-ErrorType": "AccessDeniedException"},
                )
                return response(environ, start_response)
        return self.moto_app(environ, start_response)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _role_map(parser: argparse.ArgumentParser, name: str, kind: Any) -> dict[str, Any]:
    """A JSON object from role ARN to value, read from the environment variable `name`."""
    raw = os.environ.get(name)
    if not raw:
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        key.startswith("arn:") and isinstance(value, kind) and not isinstance(value, bool)
        for key, value in mapping.items()
    ):
        parser.error(f"{name} must be a JSON object from role ARN to value, got {raw!r}")
    return mapping


def main(argv: list[str] | None = None) -> None:
    global AUTHORIZING_READS, AUTHORIZING_SECONDS, DEAUTHORIZE_SECRET_PREFIX
    global DENY_MANAGED_SECRET_READS, KMS_KEY_STAYS, DENY_PARAMETER_PREFIX
    global DENY_ASSUME_ROLE, ASSUME_ROLE_EXTERNAL_IDS, SESSION_SECONDS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the emulator binds loopback only (127.0.0.1, localhost or ::1)")

    reads = os.environ.get("MOTO_AUTHORIZING_READS", "1")
    if not reads.isdigit():
        parser.error(f"MOTO_AUTHORIZING_READS must be a non-negative integer, got {reads!r}")
    AUTHORIZING_READS = int(reads)
    seconds = os.environ.get("MOTO_AUTHORIZING_SECONDS")
    if seconds:
        try:
            AUTHORIZING_SECONDS = float(seconds)
        except ValueError:
            parser.error(f"MOTO_AUTHORIZING_SECONDS must be a number, got {seconds!r}")
    DEAUTHORIZE_SECRET_PREFIX = os.environ.get("MOTO_DEAUTHORIZE_SECRET_PREFIX") or None
    DENY_MANAGED_SECRET_READS = os.environ.get("MOTO_DENY_MANAGED_SECRET_READS") == "1"
    KMS_KEY_STAYS = os.environ.get("MOTO_KMS_KEY_STAYS") == "1"
    DENY_PARAMETER_PREFIX = os.environ.get("MOTO_DENY_PARAMETER_PREFIX") or None
    denied = os.environ.get("MOTO_DENY_ASSUME_ROLE", "").split()
    if any(not arn.startswith("arn:") for arn in denied):
        parser.error(f"MOTO_DENY_ASSUME_ROLE must be role ARNs separated by spaces, got {denied!r}")
    DENY_ASSUME_ROLE = frozenset(denied)
    ASSUME_ROLE_EXTERNAL_IDS = _role_map(parser, "MOTO_ASSUME_ROLE_EXTERNAL_IDS", str)
    SESSION_SECONDS = _role_map(parser, "MOTO_SESSION_SECONDS", (int, float))

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)

    app = ControlRouteApp(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port)  # as moto's own launcher does (URLs it generates)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"ready http://{host}:{port}", flush=True)  # the socket is already listening
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
