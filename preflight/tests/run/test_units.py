"""Fast tests of the pieces that need no build: probe syntax, env files, the upload copy,
the diagnosis patterns, and the command's usage errors (exit 2, one line)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from preflight.cli import main
from preflight.commands.run import parse_env_file
from preflight.emulate.build import host_env
from preflight.emulate.build_diagnosis import diagnose_build
from preflight.emulate.diagnose import diagnose, user_location
from preflight.emulate.probes import ProbeSyntaxError, parse_probe
from preflight.emulate.tools import find_python, find_uv
from preflight.files import copy_for_upload


def test_probe_syntax() -> None:
    probe = parse_probe("get /health 200")
    assert (probe.method, probe.path, probe.expect, probe.body) == ("GET", "/health", 200, None)
    post = parse_probe('POST /items 201 {"title": "a b"}')
    assert post.body == b'{"title": "a b"}'
    assert post.headers["content-type"] == "application/json"
    anything = parse_probe("GET /")
    assert anything.expect is None
    assert anything.met_by(404)
    assert not anything.met_by(500)
    bare_json = parse_probe('POST /items {"title": "x"}')
    assert (bare_json.expect, bare_json.body) == (None, b'{"title": "x"}')
    for bad in (
        "/health",
        "FETCH /x 200",
        "GET health",
        "GET /health OK",
        "GET /x 2OO",
        "GET /x 99",
    ):
        with pytest.raises(ProbeSyntaxError):
            parse_probe(bad)


def test_probe_with_a_word_for_a_status_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """One line, exit 2, before any build: not sent with 'OK' as its body."""
    with pytest.raises(SystemExit) as exited:
        main(["run", ".", "--probe", "GET /health OK"])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "preflight run: error: probe 'GET /health OK': 'OK' is not an HTTP status (100-599); "
        "expected 'METHOD /path [STATUS] [BODY]'"
    )


def test_env_file(tmp_path: Path) -> None:
    path = tmp_path / "prod.env"
    path.write_text("# c\n\nexport A=1\nB=\"two words\"\nC='x=y'\n")
    assert parse_env_file(path) == {"A": "1", "B": "two words", "C": "x=y"}
    path.write_text("not a pair\n")
    with pytest.raises(ValueError, match=r"prod\.env:1"):
        parse_env_file(path)


def test_upload_copy_drops_env_vercelignore_and_caches(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel in (
        "app.py",
        ".env",
        ".env.local",
        ".env.example",
        "secrets/key.pem",
        "docs/a.md",
        "keep/docs/b.md",
        ".venv/bin/python",
        "pkg/__pycache__/m.pyc",
        "node_modules/x/index.js",
        ".vercel/project.json",
        ".vercel/output/config.json",
    ):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("x")
    (src / ".vercelignore").write_text("# comment\nsecrets/\n/docs\n*.pem\n")
    dest = tmp_path / "dest"
    skipped = copy_for_upload(src, dest)
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == [
        ".env.example",
        ".vercel/project.json",
        ".vercelignore",
        "app.py",
        "keep/docs/b.md",
    ]
    assert ".env" in skipped
    assert "secrets/" in skipped


@pytest.mark.parametrize(
    ("evidence", "fid"),
    [
        ("OSError: [Errno 30] Read-only file system: '/var/task/x.db'", "F5"),
        ("sqlite3.OperationalError: attempt to write a readonly database", "F8"),
        ("OSError: [Errno 28] No space left on device", "F6"),
        ("ERROR: Application startup failed. Exiting.", "F12"),
        ("ModuleNotFoundError: No module named 'pydantic_core._pydantic_core'", "F1"),
        ("ImportError: cannot import name 'url_quote' from 'werkzeug.urls'", "F19"),
        ("ModuleNotFoundError: No module named 'flask_cors'", "F2"),
        ("File \"<frozen os>\", line 685, in __getitem__\nKeyError: 'DATABASE_URL'", "F15"),
        ('could not import "app.py":\nTraceback...\nValueError: bad config', "F11"),
        ("Error: [PYTHON_ENTRYPOINT_NOT_FOUND] Found main.py but ...", "F4"),
        ("error: No project table found in: /vercel/path0/pyproject.toml", "F3"),
        ("Error: The Serverless Function exceeds the maximum size limit", "F10"),
        ('Python version "3.10" detected in .python-version is not installed', "F16"),
    ],
)
def test_diagnosis_patterns(evidence: str, fid: str) -> None:
    found = diagnose(evidence)
    assert found is not None
    assert found.fid == fid
    assert found.fix


def test_nothing_to_diagnose() -> None:
    assert diagnose("GET /health 200") is None


def test_user_location_skips_runtime_frames() -> None:
    text = (
        'File "/var/task/_vendor/vercel_runtime/vc_init.py", line 622, in <module>\n'
        'File "/var/task/src/todo_api/main.py", line 8, in <module>\n'
        'File "/var/task/_vendor/starlette/routing.py", line 661, in lifespan\n'
    )
    assert user_location(text) == "src/todo_api/main.py:8"


@pytest.mark.parametrize(
    "args",
    [
        ["run", ".", "--probe", "FETCH /"],
        ["run", ".", "--env", "no-equals"],
        ["run", ".", "--forward-port", "70000"],
        ["run", ".", "--builder", "docker"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert "preflight run: error:" in capsys.readouterr().err


def test_missing_path_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "absent")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("preflight run: ")
    assert err.count("\n") == 1


def test_vercel_builder_without_node_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text("app = None\n")
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no npm
    assert main(["run", str(app), "--builder", "vercel"]) == 2
    err = capsys.readouterr().err
    assert "Node.js and npm are needed" in err
    assert err.count("\n") == 1


def _monorepo(root: Path, *backends: str) -> Path:
    """A frontend beside Python projects that each have their own vercel.json (the Vercel
    project's Root Directory), as ArielMAJ/fullstack-vue-fastapi-template and
    Ub207/phase-4-todo lay them out: the repository root deploys no Python."""
    (root / "frontend").mkdir(parents=True)
    (root / "frontend" / "package.json").write_text('{"name": "web"}\n')
    for backend in backends:
        (root / backend).mkdir()
        (root / backend / "vercel.json").write_text("{}\n")
        (root / backend / "app.py").write_text("app = None\n")
        (root / backend / "requirements.txt").write_text("\n")
    return root


def test_run_on_a_monorepo_root_builds_its_python_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _monorepo(tmp_path / "repo", "backend")
    monkeypatch.setenv("PATH", str(tmp_path))  # no node: stops right after choosing
    assert main(["run", str(root), "--builder", "vercel"]) == 2
    first, *_ = capsys.readouterr().err.splitlines()
    assert first == (
        f"preflight: {root} deploys no Python itself: running backend "
        "(backend/vercel.json: a Vercel project of its own)"
    )


def test_run_on_a_root_with_several_python_projects_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _monorepo(tmp_path / "repo", "api-a", "api-b")
    assert main(["run", str(root)]) == 2
    assert capsys.readouterr().err == (
        f"preflight run: error: {root} deploys no Python itself and holds 2 Python "
        "projects: run it on one of api-a, api-b\n"
    )


def test_build_sees_no_interpreter_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """scripts/test exports UV_PYTHON: passed on, it made the builder install the bundle's
    dependencies into the host interpreter instead of the function's venv."""
    monkeypatch.setenv("UV_PYTHON", "/usr/bin/python3.12")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.venv")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", "/somewhere/.venv")
    monkeypatch.setenv("PIP_TARGET", "/somewhere")
    monkeypatch.setenv("UV_CACHE_DIR", "/cache/uv")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    env = host_env()
    assert env["UV_CACHE_DIR"] == "/cache/uv"
    assert env["HTTPS_PROXY"] == "http://proxy:3128"
    assert not {"UV_PYTHON", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PIP_TARGET"} & set(env)


def test_uv_is_found_even_without_preflights_own_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `uv sync` in a shared venv removes the `uv` package preflight depends on."""
    monkeypatch.setitem(sys.modules, "uv", None)  # import uv -> ImportError
    found = find_uv()
    assert found.is_file()
    assert "/.pyenv/shims/" not in str(found)


def test_a_virtualenv_python_resolves_to_its_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An activated venv inside the project would be hidden in the box: use its base."""
    base = find_python("3.12")
    venv_bin = tmp_path / "project" / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python3.12").symlink_to(base)
    monkeypatch.setenv("PATH", f"{venv_bin}:{os.environ.get('PATH', '')}")
    assert find_python("3.12") == base
    assert not find_python("3.12").is_relative_to(tmp_path)


def test_a_failed_build_script_is_not_read_as_the_functions_crash() -> None:
    # the realprojects report: a ./build.sh step failed, and run blamed "undeclared import:
    # django" although django is declared (the script ran a Python without the deps)
    log = (
        'Running "./build.sh"\n'
        "ModuleNotFoundError: No module named 'django'\n"
        'Error: Command "./build.sh" exited with 1\n'
    )
    verdict = diagnose_build('Command "./build.sh" exited with 1', log)
    assert verdict.diagnosis is None
    assert verdict.command == "./build.sh (exit 1)"


def test_a_build_script_refused_by_this_machines_system_python_is_this_machines_failure() -> None:
    # 0-BSCode/django-htmx build.sh runs `pip install`: Debian's python3 refuses (PEP 668)
    log = (
        "error: externally-managed-environment\n"
        "ModuleNotFoundError: No module named 'django'\n"
        'Error: [BUILD_UTILS_SPAWN_1] Command "./build.sh" exited with 1\n'
    )
    verdict = diagnose_build('Command "./build.sh" exited with 1', log)
    assert verdict.machine == "error: externally-managed-environment"
    assert verdict.diagnosis is None


def test_a_build_that_cannot_reach_a_vcs_host_is_this_machines_failure() -> None:
    log = (
        "Installing required dependencies from requirements.txt...\n"
        "  x Failed to download and build `mylib @ git+https://github.com/o/mylib`\n"
        "  fatal: unable to access 'https://github.com/o/mylib/': Could not resolve host: "
        "github.com\n"
    )
    verdict = diagnose_build("pip install failed", log)
    assert verdict.machine is not None
    assert "github.com" in verdict.machine
    assert verdict.diagnosis is None


def test_a_builder_error_is_still_diagnosed() -> None:
    verdict = diagnose_build("[PYTHON_ENTRYPOINT_NOT_FOUND] No Python entrypoint found", "")
    assert verdict.diagnosis is not None
    assert verdict.diagnosis.fid == "F4"
    # a runtime pattern in a build log is no diagnosis of the function
    assert diagnose_build("build failed", "KeyError: 'X' in os.environ").diagnosis is None
