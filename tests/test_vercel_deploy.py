"""todo_api deploys to Vercel: `preflight run .` builds this repository with Vercel's own
builder and serves it under Vercel's own runtime (vercel-runtime) in a Lambda-like
sandbox, then walks the whole user journey against a real Postgres forwarded into the
sandbox. Without DATABASE_URL and BETTER_AUTH_SECRET the function must still start and
say what is missing (503), never crash at import.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.services.postgres import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parent.parent
SECRET = "vercel-deploy-test-secret-0123456789abcdef"
# {unique} is fresh on every send: the sign-up can be replayed cold, warm and 4 at once.
SIGNUP = {"email": "p-{unique}@example.com", "password": "correct horse battery staple"}


def _readme_journey() -> str:
    found = re.search(r"```toml\n(\[\[step\]\].*?)```", (REPO / "README.md").read_text(), re.S)
    assert found, "README.md has no ```toml [[step]] ...``` journey"
    return found[1]


# Each step's answer feeds the next: the login's token, the created task's id. The file
# is README's example, so the README's journey is the one that is proven to pass.
JOURNEY = _readme_journey()


def preflight_run(*args: str) -> tuple[int, dict[str, Any]]:
    """`preflight run --json ...` in-process; returns the exit code and the report."""
    from preflight.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", *args, "--json"])
    return code, json.loads(out.getvalue())


@pytest.fixture(scope="module", autouse=True)
def _needs_the_real_tools() -> None:
    from preflight.emulate import sandbox

    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    caps = sandbox.detect()
    if not (caps.sandboxed and caps.isolated_network):
        pytest.skip(caps.reason or "the sandbox cannot isolate the network here (not root)")


def test_full_journey_through_vercels_runtime(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    journey = tmp_path / "journey.toml"
    journey.write_text(JOURNEY)
    database = postgres_server.url(postgres_server.create_database())
    code, report = preflight_run(
        str(REPO),
        "--probe", "GET /health 200",
        "--probe", "POST /api/auth/register 201 " + json.dumps(SIGNUP),
        "--journey", str(journey),
        "--env", f"DATABASE_URL={database}",
        "--env", f"BETTER_AUTH_SECRET={SECRET}",
        "--forward-port", str(postgres_server.port),
    )  # fmt: skip
    failed = [p for p in report["probes"] if not p["ok"]]
    assert code == 0, json.dumps(failed, indent=2)
    assert report["builder"].startswith("vercel ")
    assert report["function"]["entrypoint"] == "api/index.py"
    assert report["function"]["max_duration_s"] == 30  # vercel.json reached the function
    assert "loopback only" in report["sandbox"]["enforced"]
    assert report["sandbox"]["not_checked"] == []
    steps = [p for p in report["probes"] if p["mode"] == "journey"]
    assert [p["status"] for p in steps] == [200, 201, 200, 201, 200, 200, 204, 404]
    assert '"completed":true' in steps[5]["body_excerpt"]
    health = report["probes"][0]
    assert health["mode"] == "cold"
    assert '"dialect":"postgres"' in health["body_excerpt"]
    signups = [
        p
        for p in report["probes"]
        if p["probe"].startswith("POST /api/auth/register") and p["mode"] != "journey"
    ]
    assert [(p["mode"], p["status"]) for p in signups] == [
        ("cold", 201),
        ("warm", 201),
        ("concurrent", 201),
    ]
    assert report["cold_start"]["samples"] == 3  # printed by `preflight run`, not asserted


def test_docs_page_loads_its_swagger_ui_from_the_trimmed_bundle() -> None:
    """The build command deletes Swagger UI's other files: the two /docs loads must remain."""
    code, report = preflight_run(
        str(REPO),
        "--probe", "GET /docs 200",
        "--probe", "GET /docs/assets/swagger-ui-bundle.js 200",
        "--probe", "GET /docs/assets/swagger-ui.css 200",
        "--probe", "GET /docs/assets/docs.js 200",
    )  # fmt: skip
    failed = [p for p in report["probes"] if not p["ok"]]
    assert code == 0, json.dumps(failed, indent=2)
    excerpts = {p["probe"]: p["body_excerpt"] for p in report["probes"] if p["mode"] == "cold"}
    assert "<title>todo_api — API docs</title>" in excerpts["GET /docs 200"]
    assert (
        "webpackUniversalModuleDefinition" in excerpts["GET /docs/assets/swagger-ui-bundle.js 200"]
    )
    assert excerpts["GET /docs/assets/swagger-ui.css 200"].startswith(".swagger-ui{")


def test_without_configuration_health_says_503_and_nothing_crashes() -> None:
    code, report = preflight_run(
        str(REPO),
        "--probe", "GET /health 503",
        "--probe", 'POST /api/auth/register 503 {"email": "a@b.co", "password": "x"}',
    )  # fmt: skip
    failed = [p for p in report["probes"] if not p["ok"]]
    assert code == 0, json.dumps(failed, indent=2)
    assert all(p["error_code"] is None for p in report["probes"])  # no FUNCTION_INVOCATION_FAILED
    health = report["probes"][0]["body_excerpt"]
    assert "DATABASE_URL is not set" in health
