"""AWS Lambda without Vercel: the SAM template lints clean, the `sam build` step
(Makefile target) produces a bundle for Lambda's platform, and the handler in that
bundle answers API Gateway v2 (HTTP API) events through the whole journey."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]

# Runs inside the built bundle, as Lambda's bootstrap would: import the handler module,
# call handler(event, context) for each event read from stdin.
INVOKER = """
import base64, importlib, json, sys
module_name, _, attr = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module_name), attr)
class Context:
    function_name = "todo-api"; aws_request_id = "req-1"; memory_limit_in_mb = 512
    def get_remaining_time_in_millis(self): return 30000
results = []
for event in json.load(sys.stdin):
    event = json.loads(json.dumps(event).replace("$TOKEN", results[-1].get("token", "")
                                                  if results else ""))
    response = handler(event, Context())
    raw = response.get("body") or ""
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    body = json.loads(raw) if raw else None
    token = (body or {}).get("access_token", results[-1].get("token", "") if results else "")
    results.append({"status": response["statusCode"], "body": body, "token": token,
                    "headers": response.get("headers", {}),
                    "base64": response.get("isBase64Encoded")})
json.dump(results, sys.stdout)
"""


def http_api_event(method: str, path: str, body: Any = None, token: bool = False) -> dict[str, Any]:
    headers = {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "test"}
    if body is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = "Bearer $TOKEN"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": "test"},
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:19:00:00 +0000",
            "timeEpoch": 1795374000000,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }  # fmt: skip


@pytest.fixture(scope="module")
def lambda_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make build-TodoApiFunction`, what `sam build` runs for this template."""
    artifacts = tmp_path_factory.mktemp("lambda-artifacts")
    result = subprocess.run(
        ["make", "-s", "build-TodoApiFunction", f"ARTIFACTS_DIR={artifacts}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return artifacts


def invoke(bundle: Path, events: list[dict[str, Any]], env: dict[str, str]) -> list[dict[str, Any]]:
    lambda_env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(bundle),
        "AWS_LAMBDA_FUNCTION_NAME": "todo-api",
        "LAMBDA_TASK_ROOT": str(bundle),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(bundle)!r}); "
         + INVOKER, "todo_api.lambda_handler.handler"],
        input=json.dumps(events), env=lambda_env, cwd=bundle,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    results: list[dict[str, Any]] = json.loads(result.stdout)
    return results


def test_sam_template_passes_cfn_lint() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), "template.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundle_is_built_for_lambda(lambda_bundle: Path) -> None:
    shared_objects = [p.name for p in lambda_bundle.rglob("*.so")]
    assert shared_objects, "msgspec/argon2 ship compiled code"
    assert all("x86_64" in name or "abi3" in name for name in shared_objects), shared_objects
    assert (lambda_bundle / "mangum").is_dir()
    assert (lambda_bundle / "todo_api" / "lambda_handler.py").is_file()


def test_journey_through_api_gateway_v2_events(lambda_bundle: Path, postgres_url: str) -> None:
    events = [
        http_api_event("GET", "/health"),
        http_api_event("POST", "/api/auth/register",
                       {"email": "lambda@example.com", "password": "secret123"}),
        http_api_event("POST", "/api/tasks", {"title": "from Lambda"}, token=True),
        http_api_event("GET", "/api/tasks", token=True),
        http_api_event("GET", "/api/tasks"),
    ]  # fmt: skip
    env = {"DATABASE_URL": postgres_url, "BETTER_AUTH_SECRET": TEST_SECRET}
    health, register, create, listing, anonymous = invoke(lambda_bundle, events, env)
    assert health["status"] == 200
    assert health["body"]["platform"] == "lambda"
    assert register["status"] == 201
    assert create["status"] == 201
    assert [t["title"] for t in listing["body"]["items"]] == ["from Lambda"]
    assert anonymous["status"] == 401
    assert anonymous["headers"]["content-type"] == "application/problem+json"
    assert anonymous["base64"] is False  # text, readable in API Gateway's logs


def test_unconfigured_lambda_answers_503(lambda_bundle: Path) -> None:
    (health,) = invoke(lambda_bundle, [http_api_event("GET", "/health")], {})
    assert health["status"] == 503
    assert "DATABASE_URL is not set" in health["body"]["detail"]
