"""preflight installs as its README says: the wheel into a fresh venv of every CPython
its Requires-Python allows that this machine has (pip, as a user would), where `check`
and `run` both work; and the README's lines from a checkout, `pipx install ./preflight`
and `uvx --from ./preflight preflight`.

A version this machine lacks is skipped with its reason: uv can fetch CPythons only
from the internet, and an offline CI has what pyenv or Debian installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from preflight.emulate.errors import EmulatorError
from preflight.emulate.tools import find_python, find_uv

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "preflight"
GOOD = PACKAGE / "tests" / "fixtures" / "run" / "good"
REQUIRES = SpecifierSet(
    tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]["requires-python"]
)
# CPython minors that exist or are in beta; REQUIRES picks those the package allows.
MINORS = [f"3.{minor}" for minor in range(8, 16) if f"3.{minor}" in REQUIRES]


def _run(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = _run(
        [str(find_uv()), "build", "--wheel", "--no-python-downloads", "--python",
         sys.executable, "--out-dir", str(out), str(PACKAGE)]
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("serverless_preflight-*.whl")
    return built


def test_requires_python_is_what_is_tested() -> None:
    assert MINORS[0] == "3.11", f"Requires-Python {REQUIRES} changed: update the docs"


@pytest.mark.parametrize("version", MINORS)
def test_wheel_installs_and_works(version: str, wheel: Path, tmp_path: Path) -> None:
    try:
        python = find_python(version)
    except EmulatorError:
        pytest.skip(f"CPython {version} is not installed here (uv fetches it only online)")
    venv = tmp_path / "venv"
    assert _run([str(python), "-m", "venv", str(venv)]).returncode == 0
    pip = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)])
    assert pip.returncode == 0, pip.stderr
    preflight = str(venv / "bin" / "preflight")
    check = _run([preflight, "check", str(GOOD), "--offline"], cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "entrypoint: app.py:" in check.stderr
    run = _run([preflight, "run", str(GOOD), "--probe", "GET /health 200", "--json"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert [p["status"] for p in report["probes"] if p["mode"] == "cold"] == [200]


def test_pipx_install_from_the_checkout(tmp_path: Path) -> None:
    pipx = Path(sys.executable).with_name("pipx")
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "home"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    proc = _run([str(pipx), "install", "./preflight"], cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = _run([str(tmp_path / "bin" / "preflight"), "--version"])
    assert version.stdout.startswith("preflight "), version.stderr


def test_uvx_from_the_checkout(tmp_path: Path) -> None:
    uv = str(find_uv())
    env = {**os.environ, "UV_TOOL_DIR": str(tmp_path / "tools")}
    proc = _run(
        [uv, "tool", "run", "--from", "./preflight", "preflight", "--version"], cwd=REPO, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("preflight "), proc.stdout
