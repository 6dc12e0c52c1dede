"""`preflight run` on fixture apps modelled on public Vercel projects it judged wrongly or
worded confusingly (/work/realprojects-run/RUN_LABELS.md): each test names the project,
and fails on the verdict or message preflight gave before the fix."""

from __future__ import annotations

import contextlib
import io

import pytest
from preflight.cli import main

from .conftest import FIXTURES, FixtureRun, RunCli

pytestmark = pytest.mark.slow


def _crash_diagnosis(fixture_run: FixtureRun, name: str) -> dict[str, str]:
    run = fixture_run(name, "--probe", "GET /health 200")
    assert run.code == 1, run.report
    cold = run.outcomes("cold")[0]
    assert cold["error_code"] == "FUNCTION_INVOCATION_FAILED"
    diagnosis: dict[str, str] = cold["diagnosis"]
    return diagnosis


def test_a_missing_module_of_the_apps_own_package_is_no_missing_distribution(
    fixture_run: FixtureRun,
) -> None:
    # tankpkg/tank: 'api.analyze.scan' is not a package -> was F2 "add the distribution
    # that provides 'api'", which no manifest edit fixes
    diagnosis = _crash_diagnosis(fixture_run, "local_module_missing")
    assert diagnosis["id"] == "F11"
    assert "'service.reports.models'" in diagnosis["cause"]
    assert "'service.reports' is a module, not a package" in diagnosis["cause"]
    assert diagnosis["location"] == "service/main.py:3"
    assert "distribution" not in diagnosis["fix"]


def test_an_old_pin_broken_by_its_unpinned_dependency_is_f19(fixture_run: FixtureRun) -> None:
    # 000px/QQMusicApi: quart==0.19.6 with the newest Flask -> KeyError inside Flask,
    # called from Quart's constructor; was a generic F11 "do nothing at import that can fail"
    diagnosis = _crash_diagnosis(fixture_run, "library_mismatch")
    assert diagnosis["id"] == "F19"
    assert "quart called into flask" in diagnosis["cause"]
    assert "PROVIDE_AUTOMATIC_OPTIONS" in diagnosis["cause"]
    assert diagnosis["location"] == "api/index.py:3"


def test_a_404_the_edge_answers_without_the_app_says_so(fixture_run: FixtureRun) -> None:
    # 012e/GameBe: legacy routes to /api/index, the fastapi preset's function is /fastapi;
    # Vercel's edge answers 404 NOT_FOUND itself. The app never answered /health, so the
    # probe fails as `check` does (PF403); AlbertBogdan/telegrambot passed "6 of 6" so.
    run = fixture_run("legacy_route_to_api_index", "--probe", "GET /health")
    assert run.code == 1, run.report
    for outcome in run.outcomes():
        assert outcome["status"] == 404
        assert not outcome["ok"]
        assert "edge answered itself" in outcome["note"]
        assert "/health" in outcome["note"]
        assert "FAILURES.md#f21" in outcome["note"]
    # the NOT_FOUND is what the probe asked for: it passes
    assert fixture_run("legacy_route_to_api_index", "--probe", "GET /health 404").code == 0


def test_a_connection_the_sandbox_withholds_is_no_verdict_on_the_app(
    fixture_run: FixtureRun,
) -> None:
    # 0rakib0/Portfolio-Django: a Postgres on a public host; was "F11 exception at import"
    # with a log line as its cause
    run = fixture_run("network_at_request", "--probe", "GET /health 200")
    assert run.code == 1, run.report  # nothing was proven to work
    cold = run.outcomes("cold")[0]
    assert cold["status"] == 500
    assert cold["diagnosis"] is None
    assert "name resolution" in cold["sandbox_blocked"] or "unreachable" in cold["sandbox_blocked"]


def test_the_text_report_says_the_sandbox_not_the_app_failed(run_cli: RunCli) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(FIXTURES / "network_at_request"), "--probe", "GET /health 200"])
    assert code == 1
    text = out.getvalue()
    assert "not a verdict on the app: it was denied the network" in text
    assert "--forward-port PORT" in text
    assert "failed only because the sandbox withheld the network" in text
    assert "F11" not in text


def test_a_builds_src_that_matches_no_file_is_named(fixture_run: FixtureRun) -> None:
    # A1bhishekk/Django-Tutorial: builds src one folder off; was "every file is served as a
    # static file" and "export a top-level app", which the app does
    run = fixture_run("builds_src_missing", "--probe", "GET /health 200")
    assert run.code == 1
    error = run.report["build_error"]
    assert "builds src 'app.py' (@vercel/python) matches no uploaded file" in error["message"]
    assert error["diagnosis"]["id"] == "F4"
    assert "'app.py'" in error["diagnosis"]["cause"]
    assert "top-level `app" not in error["diagnosis"]["fix"]


def test_a_utf16_requirements_file_is_f3(fixture_run: FixtureRun) -> None:
    # mabdullahadeel/vercel-fastapi-deployment, putuwaw/flask-app-vercel: the builder's
    # parse error was shown with no diagnosis
    run = fixture_run("utf16_requirements", "--probe", "GET /health 200")
    assert run.code == 1
    error = run.report["build_error"]
    assert "PYTHON_REQUIREMENTS_PARSE_ERROR" in error["message"]
    assert error["this_machine"] is None
    assert error["diagnosis"]["id"] == "F3"
    assert "requirements.txt is not UTF-8" in error["diagnosis"]["cause"]


def test_an_index_function_answers_at_its_folder_as_on_vercel(fixture_run: FixtureRun) -> None:
    # vercel/examples python/hello-world: GET /api was the edge's 404 NOT_FOUND
    run = fixture_run("index_function_folder", "--probe", "GET /api 200", "--probe", "GET / 308")
    assert run.code == 0, run.report
    api, redirect = run.outcomes("cold")
    assert api["body_excerpt"] == "hello from /api"
    assert api["cold_start_ms"] > 0
    # the edge answers the redirect: no cold start of the function to report for it
    assert (redirect["status"], redirect["cold_start_ms"]) == (308, None)
    assert run.report["cold_start"]["samples"] == 1


def test_an_sqlite_file_in_the_bundle_is_f8_at_request_time(fixture_run: FixtureRun) -> None:
    # vercel/examples python/django-notes without DATABASE_URL: was "F11 exception at
    # import" whose cause was the request's access-log line
    run = fixture_run("sqlite_in_bundle", "--probe", "GET /notes 200")
    assert run.code == 1
    cold = run.outcomes("cold")[0]
    assert cold["status"] == 500
    assert cold["error_code"] is None  # the app answered; it did not crash at import
    assert cold["diagnosis"]["id"] == "F8"
