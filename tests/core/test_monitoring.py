"""SENTRY_DSN: unhandled errors and 5xx answers reach Sentry with the request id and
without what the client sent. The "Sentry" here is a local HTTP server that speaks the
ingestion side of Sentry's envelope protocol (POST /api/<project>/envelope/, gzip or
plain, items framed by header lines), and the app sends to it with the real SDK.

Each app runs in a process of its own: the SDK's client is process-global."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services.app_process import start, stop

# What the client sends and no report may contain.
SECRETS = ("Bearer-secret-token-4711", "cookie-secret-0815", "body-secret-password-42")


@dataclass
class Envelope:
    raw: bytes
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]]

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(payload) for head, payload in self.items if head["type"] == "event"]


def parse_envelope(raw: bytes) -> Envelope:
    """Envelope = header line, then per item a header line and a payload (`length`
    bytes when the header says, else up to the next newline)."""
    header_line, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_line)
        if "length" in item_header:
            payload, rest = rest[: item_header["length"]], rest[item_header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item_header, payload))
    return Envelope(raw, json.loads(header_line), items)


@dataclass
class CaptureServer:
    port: int
    envelopes: list[Envelope] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return f"http://publickey0123456789@127.0.0.1:{self.port}/42"

    def events(self, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [event for envelope in self.envelopes for event in envelope.events()]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        pytest.fail(f"expected {count} event(s), got envelopes to {self.paths}")


@pytest.fixture
def sentry() -> Iterator[CaptureServer]:
    capture = CaptureServer(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            assert encoding in ("", "gzip", "deflate"), encoding
            capture.paths.append(self.path)
            if self.path == "/api/42/envelope/":
                capture.envelopes.append(parse_envelope(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    capture.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield capture
    server.shutdown()
    server.server_close()


# An app with one route that fails as a bug would, after reading a body with a password
# in it (so the frame's locals hold it). Secrets arrive through argv, never as literals
# near the failing line (the report carries a few lines of source around it).
APP_SCRIPT = """
import json, os, sys
if os.environ.get("WITHOUT_SENTRY_SDK"):
    sys.modules["sentry_sdk"] = None  # as if the `sentry` extra were not installed
from starlette.routing import Route
from starlette.testclient import TestClient
from todo_api.main import create_app
from todo_api.settings import Settings

async def boom(request):
    payload = await request.json()
    password = payload["password"]
    raise RuntimeError("the handler failed")

env = json.loads(sys.argv[1])
app = create_app(Settings.from_env(env))
app.router.routes.insert(0, Route("/boom", boom, methods=["POST"]))
token, cookie, password = sys.argv[2:5]
client = TestClient(app, raise_server_exceptions=False)
headers = {"Authorization": "Bearer " + token, "Cookie": "session=" + cookie}
answers = [
    client.post("/boom?password=" + password, json={"password": password},
                headers={**headers, "X-Request-ID": "req-boom-1"}).status_code,
    client.get("/health", headers={**headers, "X-Request-ID": "req-health-2"}).status_code,
]
loaded = sys.modules.get("sentry_sdk") is not None
if os.environ.get("EXIT_AT_ONCE"):
    print(json.dumps({"answers": answers, "sentry_loaded": loaded}), flush=True)
    os._exit(0)  # a frozen serverless instance: nothing after the answer runs
if loaded:
    import sentry_sdk
    sentry_sdk.flush(timeout=5)
print(json.dumps({"answers": answers, "sentry_loaded": loaded}))
"""


def unreachable_database() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://todo@127.0.0.1:{port}/todo"


def run_app(tmp_path: Path, extra_env: dict[str, str], **process_env: str) -> dict[str, Any]:
    """The script above; its database is unreachable, so /health answers 503."""
    env = {
        "DATABASE_URL": unreachable_database(),
        "TODO_DATA_DIR": str(tmp_path / "data"),
        "BETTER_AUTH_SECRET": "monitoring-secret-0123456789abcdefghij",
        "LOG_LEVEL": "ERROR",
        **extra_env,
    }
    result = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT, json.dumps(env), *SECRETS],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **process_env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    outcome["stderr"] = result.stderr
    assert outcome["answers"] == [500, 503], result.stderr
    return outcome


def assert_nothing_the_client_sent(capture: CaptureServer) -> None:
    raw = b"".join(envelope.raw for envelope in capture.envelopes)
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    lowered = raw.lower()
    assert b"authorization" not in lowered
    assert b"cookie" not in lowered
    assert b"password=" not in lowered  # no query string either


def by_request_id(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {event["tags"]["request_id"]: event for event in events}


def test_unhandled_errors_and_5xx_reach_sentry_without_secrets(
    tmp_path: Path, sentry: CaptureServer
) -> None:
    outcome = run_app(tmp_path, {"SENTRY_DSN": sentry.dsn})
    assert outcome["sentry_loaded"] is True
    events = by_request_id(sentry.events(2))
    crash = events["req-boom-1"]
    (exception,) = crash["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "the handler failed"
    assert crash["contexts"]["http"] == {"method": "POST", "path": "/boom", "status": 500}
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    unavailable = events["req-health-2"]
    assert unavailable["message"] == "503 Service Unavailable: GET /health"
    assert unavailable["tags"]["http.status_code"] == "503"
    for event in events.values():
        assert "request" not in event or set(event["request"]) <= {"method", "url"}
        assert "breadcrumbs" not in event or not event["breadcrumbs"].get("values")
        assert "user" not in event
    assert_nothing_the_client_sent(sentry)


def test_without_a_dsn_the_sdk_is_never_imported(tmp_path: Path, sentry: CaptureServer) -> None:
    # Cold start unchanged: a crash and a 503 without SENTRY_DSN load nothing of Sentry.
    outcome = run_app(tmp_path, {})
    assert outcome["sentry_loaded"] is False
    assert sentry.envelopes == []


def test_on_lambda_the_report_is_sent_before_the_answer(
    tmp_path: Path, sentry: CaptureServer
) -> None:
    # The script exits the moment it has its answers, as a frozen instance would.
    env = {"SENTRY_DSN": sentry.dsn, "AWS_LAMBDA_FUNCTION_NAME": "todo-api"}
    run_app(tmp_path, env, EXIT_AT_ONCE="1")
    events = by_request_id(sentry.events(2, timeout=1))
    assert events["req-boom-1"]["tags"]["platform"] == "lambda"


def test_a_bad_dsn_or_a_missing_sdk_leaves_the_app_serving(tmp_path: Path) -> None:
    outcome = run_app(tmp_path, {"SENTRY_DSN": "not a dsn"})
    assert "SENTRY_DSN is not usable (BadDsn): error monitoring is off" in outcome["stderr"]
    assert "not a dsn" not in outcome["stderr"]
    outcome = run_app(tmp_path, {"SENTRY_DSN": "http://key@127.0.0.1:9/1"}, WITHOUT_SENTRY_SDK="1")
    assert "SENTRY_DSN is set but sentry-sdk is not installed" in outcome["stderr"]


def test_serve_reports_a_5xx_to_sentry(tmp_path: Path, sentry: CaptureServer) -> None:
    # `todo-api serve`, as operators run it, its database unreachable: /health is a 503.
    app = start({"SENTRY_DSN": sentry.dsn, "DATABASE_URL": unreachable_database()}, tmp_path)
    try:
        answer = httpx.get(app.url + "/health", headers={"Authorization": "Bearer " + SECRETS[0]})
        assert answer.status_code == 503
        (event,) = sentry.events(1)
    finally:
        stop(app)
    assert event["tags"]["request_id"] == answer.headers["X-Request-ID"]
    assert_nothing_the_client_sent(sentry)


def test_reports_group_by_route_and_never_carry_a_signed_link() -> None:
    from todo_api.ids_and_clock import new_id
    from todo_api.monitoring import route_shape, scrubbed_path

    task, attachment = new_id(), new_id()
    path = f"/api/tasks/{task}/attachments/{attachment}/url"
    assert route_shape(path) == "/api/tasks/{id}/attachments/{id}/url"
    assert route_shape("/api/tasks/uploads/complete") == "/api/tasks/uploads/complete"
    assert scrubbed_path("/api/blobs/eyJrZXkiOiJ1L3QvYSJ9.c2lnbmF0dXJl") == "/api/blobs/[Filtered]"
