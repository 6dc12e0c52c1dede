"""`preflight run` says what it is doing on stderr when stderr is no terminal (a CI log):
one line per phase, the npm install only on a run that actually installs."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from preflight.cli import main
from preflight.emulate.tools import which
from preflight.emulate.vercel_cli import VERCEL_VERSION, ensure_vercel_cli, install_dir

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "run"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_first_run_says_it_installs_vercels_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty cache and a registry that refuses (real npm, closed loopback port): the
    install line comes first, then the failure as one line, exit 2."""
    if which("npm") is None or which("node") is None:
        pytest.skip("Node.js/npm not installed")
    monkeypatch.setenv("PREFLIGHT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("NPM_CONFIG_FETCH_RETRIES", "0")
    monkeypatch.setenv("NPM_CONFIG_CACHE", str(tmp_path / "npm-cache"))
    code = main(["run", str(FIXTURES / "good"), "--builder", "vercel"])
    err = capsys.readouterr().err.splitlines()
    assert code == 2, err
    assert (
        err[0] == f"preflight: installing Vercel's CLI {VERCEL_VERSION} with npm (first run only)"
    )
    assert err[1].startswith(f"preflight run: npm could not install vercel@{VERCEL_VERSION}")
    assert len(err) == 2, err


def test_a_cached_cli_says_nothing() -> None:
    if not (install_dir() / ".complete").is_file() or which("node") is None:
        pytest.skip("Vercel's CLI is not cached here yet")
    heard: list[str] = []
    ensure_vercel_cli(progress=heard.append)
    assert heard == []
