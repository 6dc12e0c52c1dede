"""The box matches Lambda: checked from inside a real function, through the real runtime."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from preflight.emulate import sandbox
from preflight.emulate.probes import outcome_of, parse_probe
from preflight.emulate.render import sandbox_lines
from preflight.emulate.session import Emulation

from .conftest import BannerServer

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "run" / "sandbox_probe"


@pytest.fixture(scope="module")
def inside(sandbox_app: Emulation, banner_server: BannerServer) -> dict[str, Any]:
    with sandbox_app.launch() as instance:
        assert instance.start().crash is None
        response = instance.request("GET", f"/inspect?port={banner_server.port}&source={FIXTURE}")
    assert response.status == 200, response.body
    report: dict[str, Any] = json.loads(response.body)
    return report


def test_filesystem_is_read_only_except_tmp(inside: dict[str, Any]) -> None:
    writes = inside["writes"]
    assert writes["task"] == "OSError: Read-only file system"
    assert writes["root"] == "OSError: Read-only file system"
    assert writes["home"].startswith(("OSError: Read-only", "FileNotFoundError"))
    assert writes["tmp"] == "ok"
    assert inside["cwd"] == "/var/task"


def test_tmp_is_private_and_512_mb(inside: dict[str, Any]) -> None:
    assert inside["tmp_bytes"] == 512 * 1024 * 1024


def test_only_given_env_vars_and_no_dotenv(inside: dict[str, Any]) -> None:
    env = set(inside["env"])
    assert "ONLY_THIS" in env
    assert "LEAKED" not in env
    assert not inside["dotenv_shipped"]
    assert not {"SSL_CERT_FILE", "VIRTUAL_ENV", "PYENV_ROOT", "PWD_HOST"} & env
    assert {"VERCEL", "LAMBDA_TASK_ROOT", "PYTHONPATH", "VERCEL_IPC_PATH"} <= env


def test_source_folder_is_not_visible(inside: dict[str, Any]) -> None:
    assert inside["source_listing"] == []


def test_network_is_loopback_plus_forwarded_ports(inside: dict[str, Any]) -> None:
    assert inside["outbound"].startswith("OSError: Network is unreachable")
    assert inside["forwarded"] == "ok: hello-from-host"


def test_memory_is_capped(sandbox_app: Emulation) -> None:
    with sandbox_app.launch() as instance:
        instance.start()
        small = instance.request("GET", "/alloc?mb=64")
        huge = instance.request("GET", f"/alloc?mb={sandbox_app.policy.memory_mb + 512}")
    assert small.status == 200
    assert huge.status == 507


def test_tmp_lives_as_long_as_the_instance(sandbox_app: Emulation) -> None:
    """Warm requests share /tmp; a new instance starts empty: nothing persists (F6)."""
    with sandbox_app.launch() as first:
        first.start()
        first.request("GET", "/inspect")
        again = json.loads(first.request("GET", "/inspect").body)
    with sandbox_app.launch() as second:
        second.start()
        fresh = json.loads(second.request("GET", "/inspect").body)
    assert "probe.txt" in again["tmp_before"]
    assert "probe.txt" not in fresh["tmp_before"]


def test_without_bwrap_the_report_says_what_is_not_checked(
    sandbox_app: Emulation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for tool in ("prlimit",):  # keep the memory cap, hide bwrap
        (tmp_path / tool).symlink_to(f"/usr/bin/{tool}")
    monkeypatch.setenv("PATH", str(tmp_path))
    caps = sandbox.detect()
    assert not caps.sandboxed
    assert caps.memory_limit
    enforced, missing = sandbox_lines(caps, sandbox_app.policy)
    assert enforced.startswith("sandbox unavailable: bwrap not found")
    assert any(item.startswith("read-only filesystem") for item in missing)
    assert any(item.startswith("network isolation") for item in missing)
    unboxed = dataclasses.replace(sandbox_app, caps=caps)
    with unboxed.launch() as instance:
        assert instance.start().crash is None
        answer = json.loads(instance.request("GET", "/inspect").body)
    assert answer["cwd"] != "/var/task"  # the function runs from its folder on the host


def test_past_max_duration_is_a_504_timeout(sandbox_app: Emulation) -> None:
    assert sandbox_app.function.max_duration_s == 300  # Vercel's default: no vercel.json here
    with sandbox_app.launch() as instance:
        instance.start()
        cut = instance.request("GET", "/sleep?s=5", timeout=0.5)
        ok = instance.request("GET", "/sleep?s=0")
    assert (cut.status, cut.error_code) == (504, "FUNCTION_INVOCATION_TIMEOUT")
    outcome = outcome_of(parse_probe("GET /sleep 200"), "warm", cut)
    assert outcome.diagnosis is not None
    assert outcome.diagnosis.fid == "F9"
    assert ok.status == 200  # the instance itself survives
