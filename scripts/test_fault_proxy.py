"""Self-test for scripts/fault_proxy.py, the latency and fault-injecting proxy that benchmarks
and retry tests put in front of the local emulator.

Why this file exists: a proxy that silently stopped injecting a fault (or forwarded a request it
claims to have refused) would make a retry test pass for the wrong reason. This starts the
emulator (`scripts/moto_server.py --port 0`) and the proxy in front of it as subprocesses, and
checks every behaviour with raw HTTP requests (http.client, no SDK).

Standard library only:  .venv/bin/python scripts/test_fault_proxy.py   (non-zero exit on failure)
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN = {"latency_ms": 0, "throttle": 0, "error500": 0, "error503": 0, "reset": 0,
         "reset_after_forward": 0, "hang": 0, "seed": None, "only_target": None}


def start(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    line = proc.stdout.readline().strip()  # type: ignore[union-attr]
    if not line.startswith("ready http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"{args[0]} did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


def aws_headers(target: str) -> dict[str, str]:
    service = "secretsmanager" if target.startswith("secretsmanager.") else "events"
    return {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                             f"{service}/aws4_request, SignedHeaders=host, Signature=0"}


def connect(url: str, timeout: float = 10) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def call(url: str, op: str, body: dict | None = None, timeout: float = 10,
         conn: http.client.HTTPConnection | None = None) -> tuple[int, dict, dict]:
    """One AWS JSON 1.1 EventBridge call: (status, lower-cased headers, parsed body)."""
    own = conn is None
    conn = conn or connect(url, timeout)
    try:
        conn.request("POST", "/", json.dumps(body or {}), aws_headers(f"AWSEvents.{op}"))
        response = conn.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, json.loads(data or b"{}")
    finally:
        if own:
            conn.close()


def control(url: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    conn = connect(url)
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def raw_call(url: str, op: str, body: dict) -> bytes:
    """Sends one request on a plain socket and reads until the server closes: b"" on a clean
    close (FIN), ConnectionResetError on a reset (RST). http.client cannot tell them apart."""
    parts = urllib.parse.urlsplit(url)
    data = json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in aws_headers(f"AWSEvents.{op}").items())
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def create_body(name: str) -> dict:
    return {"Name": name, "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}}


class FaultProxyTest(unittest.TestCase):
    moto: subprocess.Popen
    proxy: subprocess.Popen

    @classmethod
    def setUpClass(cls) -> None:
        cls.moto, cls.moto_url = start([os.path.join(HERE, "moto_server.py"), "--port", "0"])
        try:
            cls.proxy, cls.url = start([os.path.join(HERE, "fault_proxy.py"),
                                        "--upstream", cls.moto_url, "--port", "0"])
        except Exception:
            stop(cls.moto)
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        stop(cls.proxy)
        stop(cls.moto)

    def setUp(self) -> None:
        status, _ = control(self.url, "POST", "/_proxy/config", CLEAN)
        self.assertEqual(status, 200)
        control(self.url, "GET", "/_proxy/stats?reset=1")

    def configure(self, **settings: object) -> dict:
        status, config = control(self.url, "POST", "/_proxy/config", settings)
        self.assertEqual(status, 200, config)
        return config

    def names(self) -> set[str]:
        status, _, body = call(self.moto_url, "ListConnections", {"Limit": 100})
        self.assertEqual(status, 200)
        return {c["Name"] for c in body["Connections"]}

    def test_forwards_over_one_kept_alive_connection(self) -> None:
        conn = connect(self.url)
        try:
            status, _, _ = call(self.url, "CreateConnection", create_body("fwd-1"), conn=conn)
            self.assertEqual(status, 200)
            status, headers, body = call(self.url, "ListConnections", {"Limit": 100}, conn=conn)
            self.assertEqual(status, 200)
            self.assertIn("fwd-1", {c["Name"] for c in body["Connections"]})
            status, _, body = call(self.url, "DescribeConnection", {"Name": "fwd-1"}, conn=conn)
            self.assertEqual((status, body["Name"]), (200, "fwd-1"))
            self.assertEqual(headers.get("server"), "amazon.com")  # moto's headers come through
        finally:
            conn.close()
        self.assertIn("fwd-1", self.names())

    def timed(self, count: int) -> float:
        conn = connect(self.url)
        started = time.monotonic()
        for _ in range(count):
            self.assertEqual(call(self.url, "ListConnections", conn=conn)[0], 200)
        conn.close()
        return time.monotonic() - started

    def test_latency_is_added(self) -> None:
        self.timed(2)  # warm-up
        fast = self.timed(5)
        self.configure(latency_ms=150)
        slow = self.timed(5)
        self.assertGreater(slow / fast, 2.0, f"5 calls: {fast:.3f}s without, {slow:.3f}s with")

    def test_throttling_answer_has_the_eventbridge_shape(self) -> None:
        self.configure(throttle=1)
        status, headers, body = call(self.url, "CreateConnection", create_body("thr-1"))
        self.assertEqual(status, 400)
        self.assertEqual(headers["x-amzn-errortype"], "ThrottlingException")
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.1")
        self.assertEqual(body, {"__type": "ThrottlingException", "message": "Rate exceeded"})
        self.assertNotIn("thr-1", self.names())  # not forwarded

    def query_call(self) -> tuple[int, dict, str]:
        """One Query-protocol STS GetCallerIdentity: (status, lower-cased headers, body)."""
        conn = connect(self.url)
        try:
            conn.request("POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", {
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                                 "sts/aws4_request, SignedHeaders=host, Signature=0"})
            response = conn.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, response.read().decode()
        finally:
            conn.close()

    def test_a_query_call_is_faulted_in_the_query_shape(self) -> None:
        self.configure(throttle=1)
        status, headers, body = self.query_call()
        self.assertEqual(status, 400)
        self.assertEqual(headers["content-type"], "text/xml")
        self.assertIn("<Type>Sender</Type>", body)
        self.assertIn("<Code>Throttling</Code>", body)
        self.assertIn("<Message>Rate exceeded</Message>", body)
        self.configure(throttle=0, error503=1)
        status, _, body = self.query_call()
        self.assertEqual(status, 503)
        self.assertIn("<Code>ServiceUnavailable</Code>", body)
        self.configure(error503=0)
        status, _, body = self.query_call()
        self.assertEqual(status, 200, body)
        self.assertIn("<Account>123456789012</Account>", body)

    def test_500_and_503(self) -> None:
        self.configure(error500=1)
        status, headers, body = call(self.url, "ListConnections")
        self.assertEqual((status, body["__type"]), (500, "InternalException"))
        self.assertEqual(headers["x-amzn-errortype"], "InternalException")
        self.configure(error500=0, error503=1)
        status, _, body = call(self.url, "CreateConnection", create_body("unavail-1"))
        self.assertEqual((status, body["__type"]), (503, "ServiceUnavailableException"))
        self.assertNotIn("unavail-1", self.names())

    def test_connection_close_is_a_clean_close_not_a_reset(self) -> None:
        self.assertTrue(raw_call(self.url, "ListConnections", {}).startswith(b"HTTP/1.1 200"))

    def test_reset_before_forwarding(self) -> None:
        self.configure(reset=1)
        with self.assertRaises(ConnectionResetError):
            raw_call(self.url, "CreateConnection", create_body("reset-1"))
        self.assertNotIn("reset-1", self.names())

    def test_reset_after_forwarding_loses_only_the_answer(self) -> None:
        self.configure(reset_after_forward=1)
        with self.assertRaises(ConnectionResetError):
            raw_call(self.url, "CreateConnection", create_body("reset-after-1"))
        self.assertIn("reset-after-1", self.names())  # the write happened
        counts = control(self.url, "GET", "/_proxy/stats")[1]["targets"]["AWSEvents.CreateConnection"]
        self.assertEqual((counts["forwarded"], counts["reset_after_forward"]), (1, 1))

    def test_hang_until_the_client_times_out(self) -> None:
        self.configure(hang=1)
        started = time.monotonic()
        with self.assertRaises(TimeoutError):
            call(self.url, "ListConnections", timeout=1.0)
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.configure(hang=0)
        self.assertEqual(call(self.url, "ListConnections")[0], 200)  # the proxy still serves

    def pattern(self, seed: int) -> list[int]:
        self.configure(throttle=0.5, seed=seed)
        return [call(self.url, "ListConnections")[0] for _ in range(30)]

    def test_seed_makes_faults_reproducible(self) -> None:
        first, again, other = self.pattern(42), self.pattern(42), self.pattern(43)
        self.assertEqual(first, again)
        self.assertEqual(set(first), {200, 400})
        self.assertNotEqual(first, other)

    def test_only_target_limits_faults(self) -> None:
        self.configure(throttle=1, only_target="CreateConnection")
        self.assertEqual(call(self.url, "ListConnections")[0], 200)
        self.assertEqual(call(self.url, "CreateConnection", create_body("only-1"))[0], 400)
        self.assertNotIn("only-1", self.names())

    def test_runtime_config(self) -> None:
        self.assertEqual(self.configure(throttle=1)["throttle"], 1.0)
        self.assertEqual(call(self.url, "ListConnections")[0], 400)
        self.configure(throttle=0)
        self.assertEqual(call(self.url, "ListConnections")[0], 200)
        for bad in ({"throttle": 2}, {"throttle": 0.7, "hang": 0.7}, {"nonsense": 1}):
            status, _ = control(self.url, "POST", "/_proxy/config", bad)
            self.assertEqual(status, 400, bad)
        self.assertEqual(control(self.url, "POST", "/_proxy/config", {})[1]["throttle"], 0.0)

    def test_stats_counts(self) -> None:
        for _ in range(3):
            call(self.url, "ListConnections")
        self.configure(error500=1, only_target="DescribeConnection")
        for _ in range(2):
            call(self.url, "DescribeConnection", {"Name": "nope"})
        stats = control(self.url, "GET", "/_proxy/stats")[1]
        listed = stats["targets"]["AWSEvents.ListConnections"]
        described = stats["targets"]["AWSEvents.DescribeConnection"]
        self.assertEqual((listed["seen"], listed["forwarded"], listed["error500"]), (3, 3, 0))
        self.assertEqual((described["seen"], described["forwarded"], described["error500"]), (2, 0, 2))
        self.assertEqual(stats["totals"]["seen"], 5)
        self.assertEqual(control(self.url, "GET", "/_proxy/stats?reset=1")[1]["totals"]["seen"], 5)
        self.assertEqual(control(self.url, "GET", "/_proxy/stats")[1]["totals"]["seen"], 0)

    def test_environment_settings_and_stats_file_on_sigterm(self) -> None:
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "stats.json")
            proxy, url = start([os.path.join(HERE, "fault_proxy.py")],
                               {"FAULT_PROXY_UPSTREAM": self.moto_url, "FAULT_PROXY_THROTTLE": "1",
                                "FAULT_PROXY_ONLY_TARGET": "Describe",
                                "FAULT_PROXY_STATS_FILE": path})
            try:
                self.assertEqual(call(url, "ListConnections")[0], 200)
                self.assertEqual(call(url, "DescribeConnection", {"Name": "x"})[0], 400)
            finally:
                stop(proxy)
            with open(path) as stats_file:
                stats = json.load(stats_file)
        self.assertEqual(stats["targets"]["AWSEvents.DescribeConnection"]["throttle"], 1)
        self.assertEqual(stats["targets"]["AWSEvents.ListConnections"]["forwarded"], 1)

    def test_record_writes_each_call_with_secret_values_redacted(self) -> None:
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "calls.jsonl")
            proxy, url = start([os.path.join(HERE, "fault_proxy.py"), "--upstream",
                                self.moto_url, "--record", path])
            try:
                body = create_body("recorded")
                body["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyValue"] = "s3cr3t-value"
                self.assertEqual(call(url, "CreateConnection", body)[0], 200)
                self.assertEqual(call(url, "DescribeConnection", {"Name": "recorded"})[0], 200)
                control(url, "POST", "/_proxy/config", {"error500": 1})
                self.assertEqual(call(url, "DeleteConnection", {"Name": "recorded"})[0], 500)
                control(url, "GET", "/_proxy/stats")
            finally:
                stop(proxy)
            with open(path) as recording:
                text = recording.read()
        calls = [json.loads(line) for line in text.splitlines()]
        self.assertEqual([(c["service"], c["region"], c["operation"], c["status"]) for c in calls],
                         [("events", "us-east-1", "CreateConnection", 200),
                          ("events", "us-east-1", "DescribeConnection", 200),
                          ("events", "us-east-1", "DeleteConnection", 500)])
        self.assertEqual(calls[1]["params"], {"Name": "recorded"})
        self.assertTrue(calls[1]["response"]["ConnectionArn"].endswith(":connection/recorded/"
                        + calls[1]["response"]["ConnectionArn"].rsplit("/", 1)[1]))
        self.assertNotIn("s3cr3t-value", text)
        self.assertEqual(calls[0]["params"]["AuthParameters"]["ApiKeyAuthParameters"],
                         {"ApiKeyName": "k", "ApiKeyValue": "(redacted)"})
        call(self.moto_url, "DeleteConnection", {"Name": "recorded"})


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    unittest.main(verbosity=2)
