"""`preflight check` as users run it: exit codes, streams, formats, config, --fix."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from preflight.cli import main
from preflight.findings import Finding
from preflight.rules import all_rules
from preflight.rules.config_env import EnvironAtImport

from preflight import engine

from .conftest import APPS, CACHE, Check, MakeProject


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(["check", *argv, "--offline", "--cache-dir", str(CACHE), "--no-color"])
    except SystemExit as exc:  # argparse-level usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_app_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(APPS / "clean_flask")], capsys)
    assert code == 0
    assert out == ""
    assert "No problems found." in err
    assert "entrypoint: app.py:" in err


def test_error_finding_exits_1_with_frame_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(APPS / "f2_missing_flask_cors")], capsys)
    assert code == 1
    assert "app.py:2:1: error PF201 [F2]" in out
    assert "  > 2 | from flask_cors import CORS" in out
    assert "fix: add flask-cors to requirements.txt" in out
    assert "Found 1 error in 1 file." in err


def test_warnings_only_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(APPS / "f11_environ_at_import")], capsys)
    assert code == 0
    assert "warning PF1101" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["/no/such/dir"], "is not a directory"),
        ([".", "--target", "azure"], "--target: 'azure' is not one of vercel, lambda"),
        ([".", "-f", "xml"], "--format: 'xml' is not one of text, json, sarif"),
        ([".", "--python", "three"], "--python"),
        ([".", "--fix", "--format", "json"], "--fix"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text("app = None\n")
    argv = [str(tmp_path) if a == "." else a for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert needle in err


def test_a_folder_without_python_is_not_a_python_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # jmaczan/gdansk-ai's web-api folder (TypeScript only) was "no entrypoint", exit 1
    (tmp_path / "package.json").write_text('{"name": "web"}\n')
    (tmp_path / "index.ts").write_text("export {}\n")
    code, out, err = run([str(tmp_path)], capsys)
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"preflight check: error: {tmp_path} is not a Python project: no .py file and no"
        " requirements.txt, pyproject.toml or Pipfile that a deploy would upload"
    )
    (tmp_path / "requirements.txt").write_text("flask\n")
    assert run([str(tmp_path), "--offline"], capsys)[0] == 1  # now a project: no entrypoint


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("PREFLIGHT_FORMAT", "xml", "--format: 'xml' (from PREFLIGHT_FORMAT) is not one of"),
        ("PREFLIGHT_TARGET", "azure", "--target: 'azure' (from PREFLIGHT_TARGET) is not one"),
        ("PREFLIGHT_OFFLINE", "maybe", "PREFLIGHT_OFFLINE='maybe': use 1 or 0"),
        ("PREFLIGHT_PYTHON", "three", "--python 'three'"),
    ],
)
def test_environment_defaults_are_validated(
    env: str, value: str, needle: str, tmp_path: Path
) -> None:
    """The installed command, as a shell runs it: one line and exit 2, no traceback."""
    (tmp_path / "app.py").write_text("app = 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "check", str(tmp_path), "--cache-dir", str(CACHE)],
        capture_output=True,
        text=True,
        env={**os.environ, "PREFLIGHT_OFFLINE": "1", env: value},
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert needle in done.stderr


def test_environment_default_is_used_when_valid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PREFLIGHT_FORMAT", "JSON")
    code, out, _ = run([str(APPS / "clean_flask")], capsys)
    assert (code, json.loads(out)["findings"]) == (0, [])


def _broken_check(self: object, module: object) -> Iterator[Finding]:
    raise ZeroDivisionError("division by zero")
    yield  # a generator, like every rule's check


def test_a_crashing_rule_is_an_internal_error_and_the_others_still_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(EnvironAtImport, "check", _broken_check)
    code, out, err = run([str(APPS / "f2_missing_flask_cors")], capsys)
    assert code == 3
    assert "app.py:2:1: error PF201 [F2]" in out  # the other rules ran
    assert (
        "preflight check: internal error in rule PF1101 on app.py: "
        "ZeroDivisionError: division by zero\n"
    ) in err
    assert "please report it" in err
    assert "Traceback" not in err
    assert "Incomplete: 1 rule crashed (see below); so far 1 error in 1 file.\n" in err
    verbose = run([str(APPS / "f2_missing_flask_cors"), "-v"], capsys)[2]
    assert re.search(r"PF1101  F11  environ-at-import +crashed", verbose), verbose


def test_verbose_names_each_rule_and_the_entrypoint_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """-v lists every rule by id, F-id and name; the entrypoint line says in words why
    Vercel picks that file, not an internal tag like "(candidate)"."""
    _, _, err = run([str(APPS / "clean_flask"), "-v"], capsys)
    listed = re.findall(r"^    (PF\d+) +(F\d+) +([a-z0-9-]+) +(\w+)", err, re.MULTILINE)
    assert len(listed) == len(all_rules()), err
    assert ("PF201", "F2", "import-not-installed", "pass") in listed
    assert "exports `app` (found by Vercel's file search: " in err
    assert "(candidate)" not in err


def test_internal_error_traceback_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(EnvironAtImport, "check", _broken_check)
    _, _, err = run([str(APPS / "clean_flask"), "-v"], capsys)
    assert "Traceback (most recent call last)" in err
    assert 'raise ZeroDivisionError("division by zero")' in err
    code, out, _ = run([str(APPS / "clean_flask"), "-f", "json"], capsys)
    data = json.loads(out)
    assert code == 3
    assert data["internal_errors"] == [
        {"rule": "PF1101", "path": "app.py", "error": "ZeroDivisionError: division by zero"}
    ]
    assert {c["rule"]: c["status"] for c in data["checks"]}["PF1101"] == "crashed"


def test_a_bug_outside_the_rules_is_caught_at_the_boundary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(root: Path) -> None:
        raise KeyError("manifest")

    monkeypatch.setattr(engine, "load_project", broken)
    code, out, err = run([str(APPS / "clean_flask")], capsys)
    assert (code, out) == (3, "")
    assert err.startswith("preflight: internal error: KeyError: 'manifest'\n")
    assert "Traceback" not in err
    monkeypatch.setenv("PREFLIGHT_DEBUG", "1")
    assert "Traceback (most recent call last)" in run([str(APPS / "clean_flask")], capsys)[2]


@pytest.mark.parametrize(
    ("files", "rule"),
    [
        (  # a project rule's finding in a Python file
            {
                "app.py": "from flask import Flask\n"
                "from flask_cors import CORS  # preflight: ignore[PF201]\n"
                "app = Flask(__name__)\n",
                "requirements.txt": "flask==3.1.3\n",
            },
            "PF201",
        ),
        (  # ... in a dotenv file
            {
                "app.py": "app = 1\n",
                ".env": "# preflight: ignore[PF1801]\nAPI_KEY=local-only\n",
            },
            "PF1801",
        ),
        (  # ... in requirements.txt
            {
                "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                "requirements.txt": "flask==2.2.2  # preflight: ignore[F19]\n",
            },
            "PF1901",
        ),
    ],
)
def test_inline_ignore_works_for_project_rules(
    files: dict[str, str], rule: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    ignored = make_project(files)
    code, out, _ = run([str(ignored)], capsys)
    assert (code, out) == (0, "")
    kept = make_project(
        {name: re.sub(r" *# preflight: ignore\[\w+\]", "", text) for name, text in files.items()}
    )
    assert f" {rule} [" in run([str(kept)], capsys)[1]


def test_inline_ignore_in_pyproject_toml(check: Check, tmp_path: Path) -> None:
    root = tmp_path / "stale"
    shutil.copytree(APPS / "f2_stale_uv_lock", root)
    assert [f.rule_id for f in check(root).findings] == ["PF202"]
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace(
        '"flask-cors==6.0.1",', '"flask-cors==6.0.1",  # preflight: ignore[PF202]'
    )
    pyproject.write_text(text)
    assert check(root).findings == []


def test_bad_config_is_a_usage_error(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {"app.py": "app = 1\n", "pyproject.toml": '[tool.preflight]\ndisable = ["PF999"]\n'}
    )
    code, _, err = run([str(root)], capsys)
    assert code == 2
    assert "unknown rule or F-id 'PF999'" in err


def test_config_disables_and_changes_severity(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "import os\nA = os.environ['A']\n"
    project = '[project]\nname = "x"\nversion = "0"\ndependencies = []\n'
    strict = make_project(
        {
            "app.py": source + "app = 1\n",
            "pyproject.toml": project + '[tool.preflight]\nseverity = { F11 = "error" }\n',
        }
    )
    code, out, _ = run([str(strict)], capsys)
    assert (code, "error PF1101" in out) == (1, True)
    off = make_project(
        {
            "app.py": source + "app = 1\n",
            "pyproject.toml": project + '[tool.preflight]\ndisable = ["PF1101"]\n',
        }
    )
    code, out, _ = run([str(off)], capsys)
    assert (code, out) == (0, "")


def test_rule_options_reach_the_rule(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    app = "import time\ndef view(request):\n    time.sleep(20)\napp = 1\n"
    project = '[project]\nname = "x"\nversion = "0"\ndependencies = []\n'
    default = make_project({"app.py": app, "pyproject.toml": project})
    assert "PF901" in run([str(default)], capsys)[1]
    relaxed = make_project(
        {
            "app.py": app,
            "pyproject.toml": project + "[tool.preflight.rules.PF901]\nmax-sleep-seconds = 30\n",
        }
    )
    assert "PF901" not in run([str(relaxed)], capsys)[1]
    wrong = make_project(
        {"app.py": app, "pyproject.toml": project + "[tool.preflight.rules.PF901]\nmax = 1\n"}
    )
    code, _, err = run([str(wrong)], capsys)
    assert code == 2
    assert "unknown option(s) max" in err


def test_json_output_is_written_even_when_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(APPS / "clean_starlette"), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["findings"] == []
    assert data["project"]["entrypoint"] == {"path": "api/index.py", "name": "app", "line": 17}
    assert data["project"]["manifest"]["lock"] == "uv.lock"
    assert {c["status"] for c in data["checks"]} <= {"pass", "fail", "skipped", "disabled"}


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = run(
        [str(APPS / "f5_makedirs_shipped_directory"), "-f", "sarif", "-o", str(target)], capsys
    )
    assert (code, out) == (1, "")
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_fix_shows_diff_then_applies(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": "from flask import Flask\nfrom flask_cors import CORS\nimport yaml\n"
            "app = Flask(__name__)\n",
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\n'
            'dependencies = [\n    "flask",\n]\n',
        }
    )
    code, out, err = run([str(root), "--fix"], capsys)
    assert '+    "flask-cors",' in out
    assert '+    "pyyaml",' in out
    assert out.index("--- a/pyproject.toml") < out.index("+++ b/pyproject.toml")
    assert "applied 2 fixes to 1 file" in err
    text = (root / "pyproject.toml").read_text()
    assert '"flask-cors",' in text
    assert '"pyyaml",' in text
    assert code == 0  # re-checked after fixing: nothing left


def test_fix_exports_app_and_pins_python(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "api/index.py": "try:\n    from backend import app\nexcept ImportError:\n"
            "    app = None\nhandler = app\n",
            "backend.py": "app = object()\n",
            ".python-version": "3.10\n",
        }
    )
    code, out, _ = run([str(root), "--fix"], capsys)
    assert "+app = handler" in out
    assert "-3.10" in out
    assert "+3.12" in out
    assert (root / ".python-version").read_text() == "3.12\n"
    assert (root / "api/index.py").read_text().endswith("handler = app\napp = handler\n")
    assert code == 0


def test_fix_with_nothing_to_fix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("app = 1\n")
    code, out, err = run([str(tmp_path), "--fix"], capsys)
    assert (code, out) == (0, "")
    assert "no safe fixes" in err


def test_unknown_config_key_is_a_usage_error(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {"app.py": "app = 1\n", "pyproject.toml": "[tool.preflight]\ndisabel = []\n"}
    )
    code, _, err = run([str(root)], capsys)
    assert code == 2
    assert "unknown key(s) disabel" in err


def test_lambda_target_skips_vercel_builder_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(APPS / "f3_pyproject_hides_requirements"), "--target", "lambda", "-f", "json"], capsys
    )
    data = json.loads(out)
    assert code == 0
    assert data["findings"] == []
    statuses = {c["rule"]: (c["status"], c["reason"]) for c in data["checks"]}
    assert statuses["PF301"] == ("skipped", "Vercel only")
    assert statuses["PF501"] == ("pass", "")


def test_fix_gives_pyproject_the_requirements_it_hides(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "pyproject.toml": "[tool.black]\nline-length = 100\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    code, out, _ = run([str(root), "--fix"], capsys)
    assert '+    "flask==3.1.3",' in out
    assert code == 0
    assert "[project]" in (root / "pyproject.toml").read_text()


def test_fix_exports_an_app_under_another_name(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n",
            "requirements.txt": "fastapi==0.115.0\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert "main.py:3:1: error PF401 [F4] `api = FastAPI()` is the app" in out
    assert "fix: add a plain top-level `app = api` after line 3" in out
    code, out, err = run([str(root), "--fix"], capsys)
    assert "+app = api" in out
    assert (root / "main.py").read_text().endswith("api = FastAPI()\napp = api\n")
    assert code == 0, err


def test_fix_never_creates_a_pyproject_that_hides_requirements(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PF401 hint used to say "add [tool.vercel] to pyproject.toml": a new file
    without [project] that wins over requirements.txt, so nothing gets installed."""
    root = make_project(
        {
            "service/web.py": "from flask import Flask\napp = Flask(__name__)\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    code, out, err = run([str(root), "--fix"], capsys)
    assert "pyproject.toml" not in out + err
    assert (root / "index.py").read_text() == "from service.web import app\n"
    assert not (root / "pyproject.toml").exists()
    assert code == 0, out + err


def test_fix_that_fails_the_recheck_is_refused(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """Creating the entrypoint would route every request through a rewrite to itself
    (PF403): the re-check on a copy says so and nothing is written."""
    files = {
        "shop/__init__.py": "def create_app():\n    return object()\n",
        "requirements.txt": "starlette\n",  # a Python preset: the app sees rewritten paths
        "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/index"}]}\n',
    }
    root = make_project(files)
    code, out, err = run([str(root), "--fix"], capsys)
    assert (
        "preflight check: not applied: create index.py exporting the app: "
        "the re-check then fails with PF403 in vercel.json"
    ) in err
    assert "+++" not in out
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.*")) == sorted(files)
    assert code == 1


def test_a_reader_that_goes_away_is_no_internal_error() -> None:
    """`preflight check --list-rules | head -1`: the pipe closes under the writer."""
    with subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", "--list-rules"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        assert (process.wait(), err) == (141, "")


@pytest.mark.parametrize("to_file", [False, True])
def test_the_command_writes_its_whole_report_before_it_exits(to_file: bool, tmp_path: Path) -> None:
    """The `preflight check` process ends with os._exit (cli.run): what it printed to a
    pipe or wrote to -o is all there, and the exit code is the check's."""
    target = tmp_path / "report.json"
    argv = [sys.executable, "-m", "preflight", "check", str(APPS / "f2_missing_flask_cors")]
    argv += ["--offline", "--cache-dir", str(CACHE), "--format", "json"]
    argv += ["-o", str(target)] if to_file else []
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    report = json.loads(target.read_text() if to_file else done.stdout)
    assert (done.returncode, done.stdout if to_file else "") == (1, "")
    assert [f["rule"] for f in report["findings"]] == ["PF201"]
    assert "Found 1 error" in done.stderr


def test_warnings_about_the_users_code_are_not_printed(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"\\d"` in the app is a SyntaxWarning when parsed (3.12+): not preflight's to print."""
    root = make_project(
        {
            "app.py": 'import re\nfrom flask import Flask\nPAT = re.compile("\\d+")\n'
            "app = Flask(__name__)\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code, _, err = run([str(root)], capsys)
    assert (code, [str(w.message) for w in seen]) == (0, [])
    assert "Warning" not in err
