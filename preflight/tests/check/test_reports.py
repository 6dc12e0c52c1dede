"""Report formats. SARIF is validated against the official 2.1.0 schema (a copy is in
fixtures/check) with jsonschema: from the venv when present, else the system python3
with Debian's python3-jsonschema (scripts/system-packages.txt), so it never skips."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from preflight.findings import Finding
from preflight.report import Format, render

from .conftest import APPS, FIXTURES, Check

SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"


def _validate(document: dict[str, object], tmp_path: Path) -> None:
    try:
        import jsonschema
    except ImportError:
        python = shutil.which("python3", path="/usr/bin:/bin")
        assert python, "no python3 with jsonschema: install python3-jsonschema"
        doc = tmp_path / "doc.json"
        doc.write_text(json.dumps(document))
        script = (
            "import json, sys, jsonschema\n"
            "schema = json.load(open(sys.argv[1]))\n"
            "jsonschema.Draft4Validator.check_schema(schema)\n"
            "jsonschema.Draft4Validator(schema).validate(json.load(open(sys.argv[2])))\n"
        )
        done = subprocess.run(
            [python, "-c", script, str(SCHEMA), str(doc)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return
    schema = json.loads(SCHEMA.read_text())
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize(
    "app", ["f7_module_state", "f1_vendored_darwin_so", "f4_handler_equals_app", "clean_flask"]
)
def test_sarif_validates_against_the_official_schema(
    app: str, check: Check, tmp_path: Path
) -> None:
    result = check(APPS / app)
    document = json.loads(render(result, Format.SARIF))
    _validate(document, tmp_path)
    run = document["runs"][0]
    assert len(run["results"]) == len(result.findings)
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")


def test_schema_rejects_a_broken_document(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        _validate({"version": "2.1.0", "runs": [{"tool": {}}]}, tmp_path)


def test_sarif_region_is_precise(check: Check) -> None:
    document = json.loads(render(check(APPS / "f5_users_json_next_to_code"), Format.SARIF))
    region = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 14
    assert region["startColumn"] == 10  # open(...) in `with open(USERS_FILE, "w") as f:`


def test_json_lists_skipped_checks(check: Check, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import requests\napp = 1\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    result = check(tmp_path, cache_dir=tmp_path / "empty-cache")
    data = json.loads(render(result, Format.JSON))
    assert data["skipped"], "an unavailable index must be reported, not hidden"
    assert data["findings"] == []
    text = render(result, Format.TEXT)
    assert "some checks were skipped" in text
    assert "No problems found.\n" not in text


def test_text_report_has_code_frame_and_fix(check: Check) -> None:
    text = render(check(APPS / "f8_sqlite_in_bundle"), Format.TEXT)
    assert "app.py:9:12: error PF801 [F8]" in text
    assert '  >  9 |     return sqlite3.connect("todos.db")' in text
    assert "       |            " + "^" * len('sqlite3.connect("todos.db")') + "\n" in text
    assert "fix: use a hosted database" in text
    assert "What Vercel will see:" in text


def test_summary_says_what_gets_installed(check: Check) -> None:
    result = check(APPS / "clean_starlette")
    assert result.install is not None
    count, size, source = result.install
    assert (source, count > 2, 100_000 < size < 50_000_000) == ("uv.lock", True, True)
    assert "installs:   " in render(result, Format.TEXT)
    assert json.loads(render(result, Format.JSON))["install"]["source"] == "uv.lock"


def test_sarif_for_a_project_level_finding_validates(check: Check, tmp_path: Path) -> None:
    project = tmp_path / "empty"
    project.mkdir()
    document = json.loads(render(check(project), Format.SARIF))
    _validate(document, tmp_path)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in location


def test_observer_hears_each_phase(check: Check) -> None:
    phases: list[str] = []
    check(APPS / "f2_missing_flask_cors", observer=phases.append)
    assert {"parse", "code rules", "project rules", "dependency rules"} <= set(phases)


def test_sarif_says_an_internal_error_made_the_run_incomplete(
    check: Check, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.rules.state import GlobalStateInHandler

    def broken(self: object, module: object) -> Iterator[Finding]:
        raise RuntimeError("bug")
        yield

    monkeypatch.setattr(GlobalStateInHandler, "check", broken)
    result = check(APPS / "f7_module_state")
    document = json.loads(render(result, Format.SARIF))
    _validate(document, tmp_path)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert "internal error in PF702: RuntimeError: bug" in notes
    assert [f.rule_id for f in result.findings] == ["PF701"]  # the other rule still reported
