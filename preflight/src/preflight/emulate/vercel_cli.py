"""Install Vercel's CLI (the real builder) from npm once, into preflight's cache.

Why a cache outside the project: `vercel build` walks the tree it builds, so a
node_modules inside it would be bundled (and is 386 MB). Installed once per version,
the CLI then runs offline. Pins follow the versions verified on this machine kind: the
CLI asks for `sandbox@4.4.0`, which npm no longer serves, so an override picks 4.5.0.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from preflight.emulate.errors import EmulatorError
from preflight.emulate.tools import which

VERCEL_VERSION = "64.0.2"
VERCEL_PYTHON_VERSION = "25.0.0"  # @vercel/python, the builder the CLI uses for .py
NPM_OVERRIDES = {"sandbox": "4.5.0"}
INSTALL_TIMEOUT_S = 900


@dataclass(frozen=True)
class VercelCli:
    """An installed CLI: the script to run and the Node that runs it."""

    node: Path
    script: Path
    version: str

    @property
    def label(self) -> str:
        return f"vercel {self.version} (@vercel/python {VERCEL_PYTHON_VERSION})"


def cache_root() -> Path:
    """$PREFLIGHT_CACHE_DIR, else $XDG_CACHE_HOME/preflight, else ~/.cache/preflight."""
    explicit = os.environ.get("PREFLIGHT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "preflight"


def install_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "vercel-cli" / f"{VERCEL_VERSION}-py{VERCEL_PYTHON_VERSION}"


def _package_json() -> str:
    return json.dumps(
        {
            "name": "preflight-vercel-cli",
            "private": True,
            "dependencies": {"vercel": VERCEL_VERSION, "@vercel/python": VERCEL_PYTHON_VERSION},
            "overrides": NPM_OVERRIDES,
        },
        indent=2,
    )


def _cli_in(directory: Path, node: Path) -> VercelCli | None:
    script = directory / "node_modules" / "vercel" / "dist" / "index.js"
    if (directory / ".complete").is_file() and script.is_file():
        return VercelCli(node=node, script=script, version=VERCEL_VERSION)
    return None


def ensure_vercel_cli(
    root: Path | None = None, progress: Callable[[str], None] | None = None
) -> VercelCli:
    """The cached CLI, installing it with npm on first use (needs the network once).

    `progress` hears one line only when npm actually runs: that is the slow first run a
    CI log should explain, and a cached CLI says nothing.

    Concurrent callers (parallel test workers, two terminals) serialise on a file lock;
    the install lands in a staging directory and is renamed into place, so a killed
    install never leaves a half-populated cache that looks complete.
    """
    node = which("node")
    npm = which("npm")
    if node is None or npm is None:
        raise EmulatorError("Node.js and npm are needed for Vercel's builder (not found on PATH)")
    target = install_dir(root)
    found = _cli_in(target, node)
    if found is not None:
        return found
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _cli_in(target, node)
        if found is not None:
            return found
        if progress is not None:
            progress(f"installing Vercel's CLI {VERCEL_VERSION} with npm (first run only)")
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
        try:
            (staging / "package.json").write_text(_package_json())
            proc = subprocess.run(
                [str(npm), "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=staging,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
            if proc.returncode != 0:
                last = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["?"]
                raise EmulatorError(f"npm could not install vercel@{VERCEL_VERSION}: {last[0]}")
            (staging / ".complete").write_text(VERCEL_VERSION + "\n")
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        except subprocess.TimeoutExpired as exc:
            raise EmulatorError(f"npm install of vercel@{VERCEL_VERSION} timed out") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    found = _cli_in(target, node)
    if found is None:
        raise EmulatorError(f"vercel CLI missing from {target} after install")
    return found
