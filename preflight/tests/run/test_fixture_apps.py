"""`preflight run` on small apps: the good one goes green, each broken one goes red with
the failure mode a Vercel user would hit, reported the way they would see it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from preflight.cli import main
from preflight.emulate.journey import load_journey, run_journey
from preflight.emulate.probes import parse_probe, run_all
from preflight.emulate.session import Emulation

from .conftest import CliRun, FixtureRun

pytestmark = pytest.mark.slow

JOURNEY = Path(__file__).resolve().parent.parent / "fixtures" / "run" / "journeys" / "echo.toml"
# One run of the good app serves every test of it: probes, a journey and an env var.
GOOD = (
    "--probe",
    "GET /health 200",
    "--probe",
    'POST /echo 201 {"n": 1}',
    "--journey",
    str(JOURNEY),
    "--env",
    "GREETING=hi",
)


def test_good_app_is_green_cold_warm_and_concurrent(fixture_run: FixtureRun) -> None:
    run = fixture_run("good", *GOOD)
    assert run.code == 0, run.report
    assert run.report["ok"] is True
    assert run.report["builder"].startswith("vercel 64.0.2")
    assert run.report["function"]["entrypoint"] == "app.py"
    assert run.report["function"]["vercel_runtime"] == "0.23.2"
    modes = [p["mode"] for p in run.report["probes"]]
    assert modes == ["cold"] * 2 + ["warm"] * 2 + ["concurrent"] * 2 + ["journey"] * 2
    health = run.outcomes("cold")[0]
    assert health["status"] == 200
    assert '"greeting":"hi"' in health["body_excerpt"]
    assert health["cold_start_ms"] > 0
    assert health["user_init_ms"] is not None
    # the runtime's own log messages, attributed to the request that printed them
    assert {"stream": "stdout", "message": "health probe served\n"} in health["logs"]
    assert {"stream": "warn", "message": "health checked"} in health["logs"]
    assert run.outcomes("concurrent")[0]["requests"] == 4
    assert run.report["cold_start"]["samples"] == 3  # two cold probes + the journey's start


def test_journey_carries_values_between_steps(fixture_run: FixtureRun) -> None:
    first, second = fixture_run("good", *GOOD).outcomes("journey")
    assert first["cold_start_ms"] is not None
    echoed = first["body_excerpt"].split('"who":"')[1].split('"')[0]
    assert second["body_excerpt"] == f'{{"echo":{{"again":"7-{echoed}"}}}}'


def _crash(run: CliRun) -> dict[str, Any]:
    assert run.code == 1
    assert run.report["ok"] is False
    cold = run.outcomes("cold")[0]
    assert cold["status"] == 500
    assert cold["error_code"] == "FUNCTION_INVOCATION_FAILED"
    assert run.outcomes("warm") == []  # never started: nothing to keep warm
    return cold


def test_write_into_code_dir_is_f5(fixture_run: FixtureRun) -> None:
    cold = _crash(fixture_run("readonly_write", "--probe", "GET /health 200"))
    assert cold["diagnosis"]["id"] == "F5"
    assert cold["diagnosis"]["location"] == "app.py:11"
    assert "Read-only file system: '/var/task/cache.json'" in cold["traceback"]


def test_undeclared_import_is_f2(fixture_run: FixtureRun) -> None:
    # PyYAML is installed on this machine: only a bundle-only sys.path makes this fail
    cold = _crash(fixture_run("undeclared_import", "--probe", "GET /health 200"))
    assert cold["diagnosis"]["id"] == "F2"
    assert "'yaml'" in cold["diagnosis"]["cause"]
    assert "No module named 'yaml'" in cold["traceback"]


def test_handler_alias_fails_the_build_with_f4(fixture_run: FixtureRun) -> None:
    run = fixture_run("handler_alias", "--probe", "GET /health 200")
    assert run.code == 1
    assert run.report["probes"] == []
    assert "PYTHON_ENTRYPOINT_NOT_FOUND" in run.report["build_error"]["message"]
    assert run.report["build_error"]["diagnosis"]["id"] == "F4"
    assert "top-level `app" in run.report["build_error"]["diagnosis"]["fix"]
    # the builder's own words are shown, not only preflight's reading of them
    assert "PYTHON_ENTRYPOINT_NOT_FOUND" in run.report["build_error"]["builder_output"]
    assert run.report["build_error"]["this_machine"] is None


def test_missing_env_var_at_import_is_f15_and_dotenv_is_not_shipped(
    fixture_run: FixtureRun,
) -> None:
    cold = _crash(fixture_run("env_keyerror", "--probe", "GET /health 200"))
    assert cold["diagnosis"]["id"] == "F15"
    assert "API_SECRET" in cold["diagnosis"]["cause"]
    assert "KeyError: 'API_SECRET'" in cold["traceback"]
    notes = fixture_run("env_keyerror", "--probe", "GET /health 200").report["notes"]
    assert any(".env" in note for note in notes)


def test_env_file_passed_explicitly_fixes_it(
    fixture_run: FixtureRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env_file = tmp_path_factory.mktemp("env") / "production.env"
    env_file.write_text("# project env vars\nexport API_SECRET='s3cret'\n")
    run = fixture_run("env_keyerror", "--probe", "GET /health 200", "--env-file", str(env_file))
    assert run.code == 0, run.report
    assert '"secret_set":true' in run.outcomes("cold")[0]["body_excerpt"]


def test_lifespan_that_raises_is_f12(fixture_run: FixtureRun) -> None:
    cold = _crash(fixture_run("lifespan_raises", "--probe", "GET /health 200"))
    assert cold["diagnosis"]["id"] == "F12"
    messages = " ".join(line["message"] for line in cold["logs"])
    assert "Application startup failed" in messages
    assert "ConnectionRefusedError" in messages


def test_unexpected_status_fails_the_run(good_app: Emulation) -> None:
    run = run_all(good_app.launch, [parse_probe("GET /health 201")])
    assert not run.ok
    assert [(o.mode, o.status, o.ok) for o in run.outcomes] == [
        ("cold", 200, False),
        ("warm", 200, False),
        ("concurrent", 200, False),
    ]


def test_missing_capture_fails_the_journey_step(good_app: Emulation) -> None:
    steps = load_journey(JOURNEY.with_name("echo_capture_missing.toml"))
    outcomes = run_journey(good_app.launch, steps)
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[-1].status == 201
    assert outcomes[-1].note == "answer has no echo.missing to capture"


def test_zero_config_django_builds_under_the_django_preset(
    fixture_run: FixtureRun,
) -> None:
    # no vercel.json: a new project's preset is `django` (manage.py sets
    # DJANGO_SETTINGS_MODULE); under `python` the build fails with PYTHON_ENTRYPOINT_NOT_FOUND
    run = fixture_run("django_zero_config", "--probe", "GET /health 200")
    assert run.code == 0, run.report
    cold = run.outcomes("cold")[0]
    assert cold["status"] == 200
    assert '"path": "/health"' in cold["body_excerpt"]


def test_a_rewrite_to_the_function_fails_the_probe_as_on_vercel(
    fixture_run: FixtureRun,
) -> None:
    # the probe goes through the build's routes: the app sees /api/index, not /health
    run = fixture_run("rewrite_to_function", "--probe", "GET /health 200")
    assert run.code == 1, run.report
    assert [p["status"] for p in run.outcomes("cold")] == [404]
    # ... and says why: the 404 is the app's answer to the rewritten path (F21)
    note = run.outcomes("cold")[0]["note"]
    assert "the app saw /api/index, not /health" in note
    assert "FAILURES.md#f21" in note


def test_format_and_output_file_as_check_has_them(needs_vercel: None, tmp_path: Path) -> None:
    # --json stays an alias (every test above uses it); -f json -o FILE writes the same report
    target = tmp_path / "run.json"
    app = Path(__file__).resolve().parent.parent / "fixtures" / "run" / "handler_alias"
    code = main(["run", str(app), "-f", "json", "-o", str(target)])
    assert code == 1
    report = json.loads(target.read_text())
    assert report["build_error"]["diagnosis"]["id"] == "F4"
    assert report["build_error"]["diagnosis"]["docs"] == "FAILURES.md#f4"
