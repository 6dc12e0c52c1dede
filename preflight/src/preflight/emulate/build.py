"""Build with Vercel's own builder (`vercel build`), in a copy, into a /var/task folder.

Why the real builder: it decides which manifest wins, which file is the entrypoint,
what gets installed and what ends up in the bundle; any reimplementation drifts. The
builder needs `python3.X` and `uv` on PATH (its own Python download does not work
offline) and `.vercel/project.json`; without a framework setting it treats a root
`app.py` as a static file, so preflight sets the framework the way Vercel's project
creation detects it (preflight/preset.py, shared with check), unless the project is
linked and carries its own settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from preflight import preset
from preflight.emulate.errors import EmulatorError
from preflight.emulate.function import (
    BuildFailed,
    BuiltFunction,
    entrypoint_of,
    materialise,
    runtime_version_in,
)
from preflight.emulate.tools import find_uv
from preflight.emulate.vercel_cli import VercelCli
from preflight.preset_frameworks import SLUGS

BUILD_TIMEOUT_S = 900
# Host variables a build may need to reach PyPI through this machine's proxy, CA and
# index. Deliberately not UV_PYTHON, VIRTUAL_ENV, UV_PROJECT_ENVIRONMENT, PIP_TARGET and
# friends: they redirect the builder's `uv pip install` away from the function's venv
# (into the host interpreter), and the bundle silently loses its dependencies.
PASS_THROUGH = re.compile(
    r"^(HOME|LANG|LC_ALL|TMPDIR|XDG_CACHE_HOME|SSL_CERT_FILE|SSL_CERT_DIR|"
    r"NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|"
    r"UV_(CACHE_DIR|INDEX|INDEX_URL|DEFAULT_INDEX|EXTRA_INDEX_URL|OFFLINE|NATIVE_TLS|"
    r"HTTP_TIMEOUT|INSECURE_HOST|KEYRING_PROVIDER)|"
    r"PIP_(INDEX_URL|EXTRA_INDEX_URL|CERT|TRUSTED_HOST|DEFAULT_TIMEOUT)|NPM_CONFIG_.*|"
    r"(HTTP|HTTPS|NO|ALL)_PROXY|(http|https|no|all)_proxy)$"
)


def write_project_settings(project: Path) -> dict[str, object]:
    """Ensure `.vercel/project.json` holds settings only (no ids: a build must not call home)."""
    path = project / ".vercel" / "project.json"
    settings: dict[str, object] = {}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text())
        except ValueError:
            loaded = {}
        if isinstance(loaded, dict) and isinstance(loaded.get("settings"), dict):
            settings = dict(loaded["settings"])
    if "framework" not in settings:
        detected = preset.detect(project)
        # A JavaScript framework's build (next build...) is not what `run` checks: build
        # the Python functions as Vercel does beside it, under "Other" (api/*.py each a
        # function of its own, preset_frameworks).
        settings["framework"] = None if detected in SLUGS else detected
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"settings": settings}))
    return settings


def host_env() -> dict[str, str]:
    """The part of this machine's environment a build may see (see PASS_THROUGH)."""
    return {k: v for k, v in os.environ.items() if PASS_THROUGH.match(k)}


def _build_env(bin_dir: Path, cli: VercelCli, extra: dict[str, str]) -> dict[str, str]:
    env = host_env()
    env.update(extra)
    env["PATH"] = os.pathsep.join([str(bin_dir), str(cli.node.parent), "/usr/bin", "/bin"])
    env["VERCEL_TELEMETRY_DISABLED"] = "1"
    env["NO_UPDATE_NOTIFIER"] = "1"
    env["CI"] = "1"
    return env


def _error_line(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("Error:"):
            return line.removeprefix("Error:").strip()
    tail = [line for line in log.splitlines() if line.strip()]
    return tail[-1] if tail else "vercel build failed"


def _max_duration(config: dict[str, object]) -> int:
    value = config.get("maxDuration")
    return value if isinstance(value, int) and value > 0 else 300


def pick_function(output: Path) -> Path | None:
    """The Python function in the build output (the first in path order when several)."""
    functions = sorted((output / "functions").rglob("*.func"))
    for func in functions:
        try:
            config = json.loads((func / ".vc-config.json").read_text())
        except (OSError, ValueError):
            continue
        if str(config.get("runtime", "")).startswith("python"):
            return func
    return None


def unmatched_python_builds(project: Path) -> list[str]:
    """vercel.json `builds` srcs for @vercel/python that match no file. The CLI expands
    each src against the uploaded files and silently drops one that matches none
    (commands/build expandBuild), so a src off by a folder (`site/wsgi.py` for
    `site/site/wsgi.py`) leaves a deployment with no function and no error."""
    try:
        config = json.loads((project / "vercel.json").read_text())
    except (OSError, ValueError):
        return []
    builds = config.get("builds") if isinstance(config, dict) else None
    missing = []
    for entry in builds if isinstance(builds, list) else []:
        if not isinstance(entry, dict) or "python" not in str(entry.get("use", "")):
            continue
        src = str(entry.get("src") or "**").lstrip("/")
        try:
            matched = any(path.is_file() for path in project.glob(src))
        except ValueError:  # not a pattern Path.glob reads: leave it to the builder
            matched = True
        if not matched:
            missing.append(src)
    return missing


def vercel_build(
    project: Path,
    work: Path,
    cli: VercelCli,
    python: Path,
    build_env: dict[str, str] | None = None,
) -> BuiltFunction:
    """Run `vercel build --yes` in `project` (already a copy) and materialise the function.

    `python` is the interpreter offered to the builder as `python3.X`; `work` receives
    the tool shims and the task dir. Raises BuildFailed when the builder rejects the app.
    """
    bin_dir = work / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    version = python.name.removeprefix("python")
    for name, target in ((f"python{version}", python), ("uv", find_uv())):
        link = bin_dir / name
        if not link.exists():
            link.symlink_to(target)
    write_project_settings(project)
    try:
        proc = subprocess.run(
            [str(cli.node), str(cli.script), "build", "--yes"],
            cwd=project,
            env=_build_env(bin_dir, cli, build_env or {}),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EmulatorError(f"vercel build timed out after {BUILD_TIMEOUT_S} s") from exc
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildFailed(_error_line(log), log, cli.label)
    func = pick_function(project / ".vercel" / "output")
    if func is None:
        missing = unmatched_python_builds(project)
        why = (
            f"vercel.json's builds src {missing[0]!r} (@vercel/python) matches no uploaded file"
            if missing
            else "every file is served as a static file"
        )
        raise BuildFailed(f"the build produced no Python function: {why}", log, cli.label)
    task_dir = work / "task"
    config = materialise(func, project, task_dir)
    handler = str(config.get("handler", "vc__handler__python.vc_handler"))
    environment = config.get("environment")
    if not isinstance(environment, dict):
        environment = {}
    runtime = str(config.get("runtime", "python3.12"))
    return BuiltFunction(
        task_dir=task_dir,
        handler=handler,
        python=runtime.removeprefix("python"),
        environment={str(k): str(v) for k, v in environment.items()},
        builder=cli.label,
        entrypoint=entrypoint_of(task_dir, handler.rsplit(".", 1)[0]),
        runtime_version=runtime_version_in(task_dir),
        max_duration_s=_max_duration(config),
        notes=(f"function {func.relative_to(project / '.vercel' / 'output').as_posix()}",),
    )
