"""preflight's own bundler, used when Node or Vercel's CLI cannot be had: same shape of
function, same runtime, same diagnoses, and the report says which builder ran."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from preflight.cli import main

from .conftest import FixtureRun, RunCli

pytestmark = pytest.mark.slow


def test_fallback_builds_and_runs_the_good_app(fixture_run: FixtureRun) -> None:
    run = fixture_run("good", "--builder", "preflight", "--probe", "GET /health 200")
    assert run.code == 0, run.report
    assert run.report["builder"] == "preflight bundler (fallback)"
    assert run.report["function"]["vercel_runtime"] == "0.23.2"
    assert run.outcomes("cold")[0]["status"] == 200


def test_fallback_sees_the_same_undeclared_import(fixture_run: FixtureRun) -> None:
    run = fixture_run("undeclared_import", "--builder", "preflight", "--probe", "GET /health")
    assert run.code == 1
    assert run.outcomes("cold")[0]["diagnosis"]["id"] == "F2"


def test_auto_falls_back_when_node_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "run"
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no npm; uv comes with preflight
    code = main(["run", str(fixtures / "handler_alias"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["builder"] == "preflight bundler (fallback)"
    assert any("Vercel's builder unavailable" in note for note in report["notes"])
    assert report["build_error"]["diagnosis"]["id"] == "F4"


REPO = Path(__file__).resolve().parents[3]


def test_fallback_builds_this_repo_from_source(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """todo_api is a local project (pyproject [project], hatchling): the fallback builds
    its wheel from source as Vercel's builder does, and the function starts. Without
    DATABASE_URL the app's own answer is 503 naming what is missing, never a crash.
    Run from another folder: uv must not pick (or download) an interpreter by the cwd."""
    monkeypatch.chdir(tmp_path)
    run = run_cli(str(REPO), "--builder", "preflight", "--probe", "GET /health 503")
    assert run.code == 0, run.report
    assert run.report["builder"] == "preflight bundler (fallback)"
    assert "build_error" not in run.report or run.report["build_error"] is None
    cold = run.outcomes("cold")[0]
    assert cold["status"] == 503
    assert "DATABASE_URL" in cold["body_excerpt"]
    # stderr is no terminal here (captured), as in CI: still one line per phase
    phases = [line for line in run.stderr.splitlines() if line.startswith("preflight: ")]
    assert phases[:2] == [
        "preflight: building with preflight's bundler",
        "preflight: starting the function: 1 probe cold, warm and 4 at once",
    ]


def test_fallback_says_what_it_cannot_build(tmp_path: Path) -> None:
    """A dependency published only as a C sdist (ujson 1.35) is the fallback's limit, not
    a verdict on the app: the text says so instead of "the deployment fails"."""
    (tmp_path / "requirements.txt").write_text("ujson==1.35\n")
    (tmp_path / "app.py").write_text("def app(environ, start_response):\n    return [b'']\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(tmp_path), "--builder", "preflight"])
    text = out.getvalue()
    assert code == 1, text + err.getvalue()
    assert "preflight's fallback bundler cannot build ujson" in text
    assert "Build failed on this machine" in text
    assert "on Vercel the deployment fails" not in text
