"""AWS Lambda without Vercel: the SAM template lints clean and gives the function a
bucket and only the S3 permissions it needs, the `sam build` step (Makefile target)
produces a bundle for Lambda's platform, and the handler in that bundle answers API
Gateway v2 (HTTP API) events through the whole journey, attachments in S3 included.

`sam` itself is not installed here: the template is read with cfn-lint's decoder and
its intrinsic functions evaluated by `resolve` below for the parameters a user gives."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.services.rgw import RGW
from todo_api.storage.blobs import BlobStore

ROOT = Path(__file__).resolve().parents[2]

# Runs inside the built bundle, as Lambda's bootstrap would: import the handler module,
# call handler(event, context) for each event read from stdin.
INVOKER = r"""
import base64, importlib, json, re, sys
module_name, _, attr = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module_name), attr)
class Context:
    function_name = "todo-api"; aws_request_id = "req-1"; memory_limit_in_mb = 512
    def get_remaining_time_in_millis(self): return 30000
results = []
def ids(match):  # "$ID<n>": the "id" in the body of the n-th response
    return str((results[int(match[1])]["body"] or {}).get("id", ""))
for event in json.load(sys.stdin):
    text = json.dumps(event).replace("$TOKEN", results[-1].get("token", "") if results else "")
    event = json.loads(re.sub(r"\$ID(\d+)", ids, text))
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


def http_api_event(
    method: str,
    path: str,
    body: Any = None,
    token: bool = False,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event; `raw` is a binary body, base64 as API Gateway sends it."""
    headers = {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "test"}
    if body is not None or raw is not None:
        headers["content-type"] = content_type
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
        "body": base64.b64encode(raw).decode() if raw is not None
                else json.dumps(body) if body is not None else None,
        "isBase64Encoded": raw is not None,
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
    # The web UI and the docs' Swagger UI travel with the package (issue 16).
    assert (lambda_bundle / "todo_api" / "web" / "index.html").is_file()
    assert list(lambda_bundle.glob("swagger_ui_bundle/vendor/*/swagger-ui-bundle.js"))


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


# --- the template, evaluated for the parameters a user gives -------------------------

CREATED_BUCKET = "todo-stack-attachmentsbucket-1a2b3c"  # what CloudFormation would name it
# The parameters without a default, which `sam deploy --guided` asks for.
REQUIRED = {"DatabaseUrl": "postgres://u:p@db.example/todo", "BetterAuthSecret": TEST_SECRET}


def template() -> dict[str, Any]:
    from cfnlint.decode import decode_str

    decoded, errors = decode_str((ROOT / "template.yaml").read_text())
    assert not errors, errors
    assert decoded is not None
    return dict(decoded)


def resolve(node: Any, params: dict[str, str], tpl: dict[str, Any]) -> Any:
    """Evaluate Ref, Fn::If, Fn::Sub, Fn::Split and Fn::Equals as CloudFormation would."""
    if isinstance(node, list):
        return [resolve(item, params, tpl) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1 or not next(iter(node)).startswith(("Ref", "Fn::")):
        return {key: resolve(value, params, tpl) for key, value in node.items()}
    ((function, argument),) = node.items()
    if function == "Ref":
        defaults = {name: p.get("Default") for name, p in tpl["Parameters"].items()}
        known = {**defaults, **params, "AWS::Partition": "aws", "AttachmentsBucket": CREATED_BUCKET}
        assert known.get(argument) is not None, f"unresolved Ref {argument}"
        return known[argument]
    if function == "Fn::If":
        name, then, otherwise = argument
        condition = resolve(tpl["Conditions"][name], params, tpl)
        return resolve(then if condition else otherwise, params, tpl)
    if function == "Fn::Equals":
        left, right = resolve(argument, params, tpl)
        return left == right
    if function == "Fn::Split":
        separator, value = argument
        return resolve(value, params, tpl).split(separator)
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {k: resolve(v, params, tpl) for k, v in variables.items()}

        def value(match: re.Match[str]) -> str:
            return str(values.get(match[1]) or resolve({"Ref": match[1]}, params, tpl))

        return re.sub(r"\$\{([^}]+)\}", value, text)
    raise AssertionError(f"the test cannot evaluate {function}")


def function_of(params: dict[str, str]) -> dict[str, Any]:
    tpl = template()
    function = tpl["Resources"]["TodoApiFunction"]["Properties"]
    wanted = {key: function[key] for key in ("Environment", "Policies")}
    props: dict[str, Any] = resolve(wanted, {**REQUIRED, **params}, tpl)
    return props


def created_resources(params: dict[str, str]) -> set[str]:
    tpl = template()
    return {
        name
        for name, resource in tpl["Resources"].items()
        if "Condition" not in resource
        or resolve(tpl["Conditions"][resource["Condition"]], params, tpl)
    }


def test_template_gives_the_function_a_bucket_of_its_own_by_default() -> None:
    env = function_of({})["Environment"]["Variables"]
    assert env["STORAGE_URL"] == f"s3://{CREATED_BUCKET}/attachments"
    assert "AttachmentsBucket" in created_resources({})
    tpl = template()
    origins = {"CorsOrigins": "https://app.example.com,http://localhost:3000"}
    bucket = resolve(tpl["Resources"]["AttachmentsBucket"]["Properties"], origins, tpl)
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == ["https://app.example.com", "http://localhost:3000"]
    assert {"GET", "PUT", "POST"} <= set(rule["AllowedMethods"])  # presigned POST and PUT


def test_template_uses_a_named_bucket_and_prefix_instead() -> None:
    params = {"StorageBucket": "my-team-files", "StoragePrefix": "todo/prod"}
    env = function_of(params)["Environment"]["Variables"]
    assert env["STORAGE_URL"] == "s3://my-team-files/todo/prod"
    assert "AttachmentsBucket" not in created_resources(params)


def test_s3_permissions_are_scoped_to_the_bucket_and_prefix() -> None:
    params = {"StorageBucket": "my-team-files", "StoragePrefix": "todo"}
    (policy,) = function_of(params)["Policies"]
    grants: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            assert "*" not in action, action
            resources = statement["Resource"]
            grants.setdefault(action, set()).update(
                [resources] if isinstance(resources, str) else resources
            )
    objects = {"arn:aws:s3:::my-team-files/todo/*"}
    assert grants == {
        # What S3BlobStore does: put/presigned upload, download, delete, list a task's files.
        "s3:PutObject": objects,
        "s3:GetObject": objects,
        "s3:DeleteObject": objects,
        "s3:ListBucket": {"arn:aws:s3:::my-team-files"},
    }


def test_attachments_work_on_lambda_with_the_templates_storage_url(
    lambda_bundle: Path, postgres_url: str, rgw: RGW, s3_bucket: str
) -> None:
    storage_url = function_of({"StorageBucket": s3_bucket})["Environment"]["Variables"]
    # Lambda sets the execution role's keys and region; here they are the RGW's.
    env = {**rgw.env(s3_bucket), "STORAGE_URL": storage_url["STORAGE_URL"],
           "DATABASE_URL": postgres_url, "BETTER_AUTH_SECRET": TEST_SECRET}  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    boundary = "lambda-boundary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="shot.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + png
        + f"\r\n--{boundary}--\r\n".encode()
    )
    events = [
        http_api_event("GET", "/health"),
        http_api_event("POST", "/api/auth/register",
                       {"email": "files@example.com", "password": "secret123"}),
        http_api_event("POST", "/api/tasks", {"title": "with a file"}, token=True),
        http_api_event("POST", "/api/tasks/$ID2/attachments", token=True, raw=multipart,
                       content_type=f"multipart/form-data; boundary={boundary}"),
        http_api_event("GET", "/api/tasks/$ID2/attachments/$ID3/url", token=True),
    ]  # fmt: skip
    health, _, _, upload, link = invoke(lambda_bundle, events, env)
    assert health["body"]["storage"] == {"status": "ok", "backend": "s3"}, health["body"]
    assert upload["status"] == 201, upload["body"]
    assert upload["body"]["size"] == len(png)
    assert link["status"] == 200, link["body"]
    downloaded = httpx.get(link["body"]["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == png
    # The file sits under the template's default prefix, the only place the role may write.
    (key,) = [info.key for info in _store(rgw, s3_bucket).list("")]
    assert key.startswith("attachments/"), key


def _store(rgw: RGW, bucket: str) -> BlobStore:
    from todo_api.storage.blobs.s3 import S3BlobStore

    return S3BlobStore.from_url(f"s3://{bucket}/", rgw.env(bucket))
