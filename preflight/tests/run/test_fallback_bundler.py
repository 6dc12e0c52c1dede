"""preflight's own bundler, used when Node or Vercel's CLI cannot be had: same shape of
function, same runtime, same diagnoses, and the report says which builder ran."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from preflight.cli import main

pytestmark = pytest.mark.slow


def test_fallback_builds_and_runs_the_good_app(fixture_run: Callable[..., Any]) -> None:
    run = fixture_run("good", "--builder", "preflight", "--probe", "GET /health 200")
    assert run.code == 0, run.report
    assert run.report["builder"] == "preflight bundler (fallback)"
    assert run.report["function"]["vercel_runtime"] == "0.23.2"
    assert run.outcomes("cold")[0]["status"] == 200


def test_fallback_sees_the_same_undeclared_import(fixture_run: Callable[..., Any]) -> None:
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
