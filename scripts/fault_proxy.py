"""Fault-injecting HTTP/1.1 reverse proxy for the local AWS emulator: latency, throttling,
5xx answers, connection resets and hangs, in front of `scripts/moto_server.py`.

Why this file exists: moto answers in microseconds and never fails on its own, so neither the
benefit of `--concurrency` nor the retry behaviour of `provision` can be seen against it. Put
this proxy between the tool and moto to give every request a realistic round-trip time and to
inject the failures real AWS produces, then read per-operation counts of what happened.
Standard library only (Python 3.11).

Usage:
    python3 scripts/fault_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--port 0]
        [--latency-ms 50] [--throttle 0.1] [--error500 P] [--error503 P] [--reset P]
        [--reset-after-forward P] [--hang P] [--seed N] [--only-target CreateConnection]
        [--stats-file PATH] [--record PATH] [--verbose]

Prints exactly one line, `ready http://127.0.0.1:PORT`, once listening (`--port 0` picks a free
port), then serves until SIGTERM / SIGINT. Every flag can also come from the environment
variable FAULT_PROXY_<FLAG> (e.g. FAULT_PROXY_UPSTREAM, FAULT_PROXY_LATENCY_MS,
FAULT_PROXY_ONLY_TARGET); a flag on the command line wins.

Per request (control routes excepted): the latency is slept first, then, if the request's
X-Amz-Target contains `--only-target` (or no filter is set), one random draw picks at most one
fault, with the probabilities stacked in the order throttle, error500, error503, reset,
reset_after_forward, hang (their sum must be <= 1). Faults:
    throttle             400 ThrottlingException (as EventBridge throttles), not forwarded
    error500 / error503  500 InternalException / 503 ServiceUnavailableException, not forwarded
                         (a Query-protocol call, as STS, gets the same in its XML shape:
                         Throttling, InternalFailure, ServiceUnavailable)
    reset                the request is read, not forwarded, and the socket is reset (RST)
    reset_after_forward  forwarded (the write happens), then the client socket is reset
    hang                 read and never answered; the socket stays open until the client goes
With `--seed` the draws are reproducible for requests that arrive in the same order.

Control routes (not proxied, not counted):
    GET  /_proxy/stats[?reset=1]  counts as JSON (also written to --stats-file); reset=1 zeroes
    POST /_proxy/config           JSON object with any of latency_ms, throttle, error500,
                                  error503, reset, reset_after_forward, hang, seed, only_target
                                  (null clears it); answers the whole new configuration
Recording (`--record PATH`): every request (control routes excepted) is appended to PATH as
one JSON line, in the order answered: `{"service": "events", "region": "us-east-1",
"operation": "DescribeConnection", "params": {...}, "status": 200, "response": {...}}`. The
service and Region come from the SigV4 credential scope of the Authorization header, the
operation from X-Amz-Target (JSON protocols) or the `Action` of the form body (query
protocols, as STS), the params from the JSON or form body; `response` is the JSON answer
(null otherwise; `status` 0 for a fault that gave no answer). Values under keys that carry
secrets (ClientSecret, SecretString, SecretBinary, Value, ApiKeyValue, Password) are written
as "(redacted)": the file is for judging which resources a run touched, never for what it
sent. `tests/against_emulator/iam_oracle.rs` checks every recorded call against the printed
IAM policy.

Stats JSON: {"targets": {"AWSEvents.ListConnections": {"seen": 3, "forwarded": 2,
"throttle": 1, ...}, ...}, "totals": {...same keys...}, "config": {...}}; requests without an
X-Amz-Target are counted under "-". The stats file is also written on SIGTERM / SIGINT.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ["throttle", "error500", "error503", "reset", "reset_after_forward", "hang"]
COUNTERS = ["seen", "forwarded", *FAULTS, "upstream_error"]
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
              "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}
ERRORS = {  # fault -> (status, __type, message)
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "error500": (500, "InternalException", "An internal error occurred (injected by fault_proxy)"),
    "error503": (503, "ServiceUnavailableException", "Service unavailable (injected by fault_proxy)"),
}
# The same faults of a Query-protocol call (no X-Amz-Target, a form body with `Action=`: STS,
# which every run asks for the caller's account): fault -> (status, Type, Code, message).
# STS throttles with HTTP 400 and `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling
# </Code><Message>Rate exceeded</Message></Error><RequestId>..</RequestId></ErrorResponse>`
# (an AssumeRole answer quoted in jlevers/selling-partner-api#278; GetCallerIdentity's
# "api error Throttling: Rate exceeded", StatusCode 400, in aws/aws-sdk-go-v2#2481); the 5xx
# codes are the Common Errors of the STS API reference (InternalFailure 500,
# ServiceUnavailable 503).
QUERY_ERRORS = {
    "throttle": (400, "Sender", "Throttling", "Rate exceeded"),
    "error500": (500, "Receiver", "InternalFailure",
                 "An internal error occurred (injected by fault_proxy)"),
    "error503": (503, "Receiver", "ServiceUnavailable",
                 "Service unavailable (injected by fault_proxy)"),
}
HANG_LIMIT_SECONDS = 600
SECRET_KEYS = {"ApiKeyValue", "ClientSecret", "Password", "SecretBinary", "SecretString", "Value"}


def query_error(side: str, code: str, message: str) -> bytes:
    """The Query protocol's error document (as STS answers it, see QUERY_ERRORS)."""
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
        f"  <Error>\n    <Type>{side}</Type>\n    <Code>{code}</Code>\n"
        f"    <Message>{message}</Message>\n  </Error>\n"
        "  <RequestId>fault-proxy</RequestId>\n</ErrorResponse>\n"
    ).encode()


def redacted(value: object) -> object:
    """`value` with every value under a key in SECRET_KEYS replaced by "(redacted)"."""
    if isinstance(value, dict):
        return {key: "(redacted)" if key in SECRET_KEYS else redacted(inner)
                for key, inner in value.items()}
    if isinstance(value, list):
        return [redacted(inner) for inner in value]
    return value


def decoded(body: bytes, content_type: str) -> dict | None:
    """A JSON or form-encoded body as a dict (None when it is neither)."""
    if not body:
        return {}
    if "x-www-form-urlencoded" in content_type:
        return {key: values[0] if len(values) == 1 else values
                for key, values in urllib.parse.parse_qs(body.decode(errors="replace")).items()}
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def call_of(headers: object, body: bytes) -> dict:
    """Service, Region, operation and parameters of one AWS request."""
    scope = ["", "", "", "", ""]
    authorization = headers.get("Authorization") or ""
    if "Credential=" in authorization:
        # Credential=AKID/DATE/REGION/SERVICE/aws4_request
        scope = (authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/") + scope)[:5]
    params = decoded(body, headers.get("Content-Type") or "") or {}
    target = headers.get("X-Amz-Target") or ""
    operation = target.rsplit(".", 1)[-1] if target else str(params.pop("Action", ""))
    if not target:
        params.pop("Version", None)
    return {"service": scope[3], "region": scope[2], "operation": operation,
            "params": redacted(params)}


class State:
    """Fault configuration, seeded random source and counters, shared by all threads."""

    def __init__(self, config: dict, stats_file: str | None, record_file: str | None = None):
        self.lock = threading.Lock()
        self.record_file = record_file
        self.config = {"latency_ms": 0.0, "seed": None, "only_target": None,
                       **{fault: 0.0 for fault in FAULTS}}
        self.rng = random.Random()
        self.stats_file = stats_file
        self.counts: dict[str, dict[str, int]] = {}
        self.update(config)

    def update(self, changes: dict) -> dict:
        """Validates and applies a partial configuration; raises ValueError on bad input."""
        unknown = set(changes) - set(self.config)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        with self.lock:
            new = {**self.config, **changes}
            for fault in FAULTS:
                new[fault] = float(new[fault] or 0)
                if not 0 <= new[fault] <= 1:
                    raise ValueError(f"{fault} must be a probability between 0 and 1")
            if sum(new[fault] for fault in FAULTS) > 1 + 1e-9:
                raise ValueError("the fault probabilities add up to more than 1")
            new["latency_ms"] = float(new["latency_ms"] or 0)
            if new["latency_ms"] < 0:
                raise ValueError("latency_ms must not be negative")
            new["seed"] = None if new["seed"] is None else int(new["seed"])
            new["only_target"] = new["only_target"] or None
            if "seed" in changes:
                self.rng.seed(new["seed"])
            self.config = new
            return dict(new)

    def count(self, target: str, counter: str) -> None:
        with self.lock:
            row = self.counts.setdefault(target, dict.fromkeys(COUNTERS, 0))
            row[counter] += 1

    def pick_fault(self, target: str) -> tuple[float, str | None]:
        with self.lock:
            config = self.config
            if config["only_target"] and config["only_target"] not in target:
                return config["latency_ms"], None
            draw = self.rng.random()
        edge = 0.0
        for fault in FAULTS:
            edge += config[fault]
            if draw < edge:
                return config["latency_ms"], fault
        return config["latency_ms"], None

    def snapshot(self, reset: bool = False) -> dict:
        with self.lock:
            targets = {target: dict(row) for target, row in sorted(self.counts.items())}
            if reset:
                self.counts = {}
            config = dict(self.config)
        totals = {counter: sum(row[counter] for row in targets.values()) for counter in COUNTERS}
        return {"targets": targets, "totals": totals, "config": config}

    def record(self, call: dict, status: int, response: bytes, content_type: str) -> None:
        """Appends one call, with its answer, to the recording (when there is one)."""
        if not self.record_file:
            return
        answer = decoded(response, content_type) if status else None
        line = json.dumps({**call, "status": status, "response": redacted(answer)},
                          sort_keys=True)
        with self.lock, open(self.record_file, "a") as out:
            out.write(line + "\n")

    def write_stats(self, stats: dict | None = None) -> None:
        if self.stats_file:
            temporary = f"{self.stats_file}.tmp"
            with open(temporary, "w") as out:
                json.dump(stats or self.snapshot(), out, indent=1, sort_keys=True)
            os.replace(temporary, self.stats_file)


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "ProxyServer"
    upstream: http.client.HTTPConnection | None = None

    def __getattr__(self, name: str):  # do_GET, do_POST, ...: every method is proxied
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            sys.stderr.write(f"fault_proxy: {format % args}\n")

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def handle_any(self) -> None:
        body = self.read_body()
        path = urllib.parse.urlsplit(self.path)
        if path.path.startswith("/_proxy/"):
            return self.control(path, body)
        state = self.server.state
        target = self.headers.get("X-Amz-Target") or "-"
        state.count(target, "seen")
        latency_ms, fault = state.pick_fault(target)
        if latency_ms:
            time.sleep(latency_ms / 1000)
        if fault:
            state.count(target, fault)
        call = call_of(self.headers, body)
        if fault in QUERY_ERRORS and target == "-":
            status, side, code, message = QUERY_ERRORS[fault]
            xml = query_error(side, code, message)
            state.record(call, status, xml, "text/xml")
            return self.answer_raw(status, xml, {"Content-Type": "text/xml"})
        if fault in ERRORS:
            status, kind, message = ERRORS[fault]
            payload = {"__type": kind, "message": message}
            state.record(call, status, json.dumps(payload).encode(), "application/json")
            return self.answer(status, payload,
                               {"Content-Type": "application/x-amz-json-1.1",
                                "x-amzn-ErrorType": kind, "x-amzn-RequestId": "fault-proxy"})
        if fault in ("reset", "hang"):
            state.record(call, 0, b"", "")
            return self.reset() if fault == "reset" else self.hang()
        try:
            response = self.forward(body)
        except (OSError, http.client.HTTPException) as error:
            state.count(target, "upstream_error")
            state.record(call, 502, b"", "")
            return self.answer(502, {"message": f"fault_proxy: upstream failed: {error}"}, {})
        state.count(target, "forwarded")
        status, headers, payload = response
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        state.record(call, 0 if fault == "reset_after_forward" else status, payload, content_type)
        if fault == "reset_after_forward":
            return self.reset()
        self.log_request(status)
        self.send_response_only(status)  # upstream's own Server and Date headers are kept
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = {name: value for name, value in self.headers.items()
                   if name.lower() not in HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            reused = self.upstream is not None
            if self.upstream is None:
                host, port = self.server.upstream
                self.upstream = http.client.HTTPConnection(host, port, timeout=120)
            try:
                self.upstream.request(self.command, self.path, body=body, headers=headers)
                response = self.upstream.getresponse()
                return response.status, response.getheaders(), response.read()
            except (OSError, http.client.HTTPException):
                self.upstream.close()
                self.upstream = None
                if not reused or attempt == 2:  # retry only a kept-alive connection gone stale
                    raise
        raise AssertionError("unreachable")

    def answer(self, status: int, payload: dict, headers: dict[str, str]) -> None:
        self.answer_raw(status, json.dumps(payload).encode(),
                        {"Content-Type": "application/json", **headers})

    def answer_raw(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reset(self) -> None:
        """Closes the client socket with SO_LINGER 0, so the client sees a reset (RST)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(self.connection.detach())  # later shutdown/close calls fail harmlessly

    def hang(self) -> None:
        """Never answers; returns once the client closes the socket (or after a long limit)."""
        self.close_connection = True
        deadline = time.monotonic() + HANG_LIMIT_SECONDS
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 1.0)
            if readable:
                try:
                    if not self.connection.recv(65536):
                        return  # the client gave up
                except OSError:
                    return

    def control(self, path: urllib.parse.SplitResult, body: bytes) -> None:
        state = self.server.state
        if path.path == "/_proxy/stats" and self.command == "GET":
            stats = state.snapshot(reset="reset=1" in path.query)
            state.write_stats(stats)
            return self.answer(200, stats, {})
        if path.path == "/_proxy/config" and self.command == "POST":
            try:
                changes = json.loads(body or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("the body must be a JSON object")
                return self.answer(200, state.update(changes), {})
            except (ValueError, TypeError) as error:
                return self.answer(400, {"message": str(error)}, {})
        return self.answer(404, {"message": "GET /_proxy/stats or POST /_proxy/config"}, {})

    def finish(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        try:
            super().finish()
        except OSError:
            pass


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, upstream: tuple[str, int], state: State, verbose: bool):
        super().__init__(("127.0.0.1", port), ProxyHandler)
        self.upstream, self.state, self.verbose = upstream, state, verbose

    def handle_error(self, request: object, client_address: object) -> None:
        if self.verbose:
            super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env = lambda name, default=None: os.environ.get(f"FAULT_PROXY_{name}", default)  # noqa: E731
    parser.add_argument("--upstream", default=env("UPSTREAM"), help="http://127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=int(env("PORT", "0")))
    parser.add_argument("--latency-ms", type=float, default=float(env("LATENCY_MS", "0")))
    for fault in FAULTS:
        flag = fault.replace("_", "-")
        parser.add_argument(f"--{flag}", type=float, default=float(env(fault.upper(), "0")),
                            metavar="P", help=f"probability of {fault}")
    parser.add_argument("--seed", type=int, default=env("SEED"))
    parser.add_argument("--only-target", default=env("ONLY_TARGET"), metavar="SUBSTRING")
    parser.add_argument("--stats-file", default=env("STATS_FILE"), metavar="PATH")
    parser.add_argument("--record", default=env("RECORD"), metavar="PATH",
                        help="append every request as a JSON line to PATH")
    parser.add_argument("--verbose", action="store_true", default=env("VERBOSE") == "1")
    args = parser.parse_args(argv)
    upstream = urllib.parse.urlsplit(args.upstream or "")
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost"):
        parser.error("--upstream must be http://127.0.0.1:PORT (loopback only)")
    config = {"latency_ms": args.latency_ms, "only_target": args.only_target,
              **{fault: getattr(args, fault) for fault in FAULTS}}
    if args.seed is not None:
        config["seed"] = args.seed
    try:
        state = State(config, args.stats_file, args.record)
    except ValueError as error:
        parser.error(str(error))
    server = ProxyServer(args.port, (upstream.hostname, upstream.port or 80), state, args.verbose)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"ready http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        state.write_stats()


if __name__ == "__main__":
    main()
