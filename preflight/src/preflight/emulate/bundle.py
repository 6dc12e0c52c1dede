"""preflight's own bundler: the fallback when Vercel's CLI cannot be had (no Node/npm).

It follows the builder's rules through the shared project model (`preflight.project`:
which manifest wins, which file and name are the entrypoint, which Python) and installs
with uv for the *target* platform, never the host's: manylinux_2_28 x86_64 wheels for
the function's CPython, into `_vendor/` beside the code, the project itself non-editable
and `vercel-runtime` at the version Vercel's builder pins. The trampoline it writes does
what the builder's does: point vercel-runtime at the entrypoint, put `_vendor` first.

A local project (pyproject.toml with [project], as todo_api is) is built into a wheel
first, from source, as Vercel's builder does; only its dependencies must be wheels. A
dependency published only as an sdist is what this bundler cannot do (building it here
would compile for this machine, not the target), so it says so instead of claiming the
deployment fails: Vercel's builder would try to build it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from preflight.emulate.build import host_env
from preflight.emulate.errors import EmulatorError
from preflight.emulate.function import BuildFailed, BuiltFunction, runtime_version_in
from preflight.emulate.tools import find_python, find_uv
from preflight.project import Project, load_project

LABEL = "preflight bundler (fallback)"
RUNTIME_PIN = "vercel-runtime==0.23.2"  # what @vercel/python 25.0.0 installs
PLATFORM = "x86_64-manylinux_2_28"
HANDLER_MODULE = "vc__handler__python"
INSTALL_TIMEOUT_S = 900
SKIP_TOP = {".vercel", "_vendor"}
# Said when the limit is this bundler's, not the app's (diagnose.py reads it as such).
CANNOT = "preflight's fallback bundler cannot"
# uv's refusals under --only-binary :all: name the package it would have had to build
# (resolving: "Wheels are required for `x`"; installing: "attempted to build `x`").
_SDIST_ONLY = re.compile(
    r"Wheels are required for `([^`]+)` because building from source is disabled|"
    r"Building source distributions is disabled, but attempted to build `([^`]+)`"
)

TRAMPOLINE = '''\
"""Written by preflight's fallback bundler: start vercel-runtime on the user's app."""
import os
import site
import sys

_here = os.path.dirname(os.path.abspath(__file__))
os.environ.update({{
    "__VC_HANDLER_MODULE_NAME": {module!r},
    "__VC_HANDLER_ENTRYPOINT": {entry!r},
    "__VC_HANDLER_ENTRYPOINT_ABS": os.path.join(_here, {entry!r}),
    "__VC_HANDLER_VENDOR_DIR": "_vendor",
    "__VC_HANDLER_VARIABLE_NAME": {name!r},
}})
_vendor = os.path.join(_here, "_vendor")
if os.path.isdir(_vendor):
    site.addsitedir(_vendor)
    while _vendor in sys.path:
        sys.path.remove(_vendor)
    sys.path.insert(1 if sys.path and sys.path[0] in ("", _here) else 0, _vendor)

from vercel_runtime.vc_init import vc_handler  # noqa: E402,F401
'''


def _pipfile_requirements(project: Project) -> list[str]:
    """Pipfile(.lock) -> requirement lines (default packages only, as the builder does)."""
    assert project.manifest is not None
    path = project.manifest.path
    if project.manifest.kind == "Pipfile.lock":
        data = json.loads(path.read_text())
        return [
            name + str(spec.get("version", ""))
            for name, spec in (data.get("default") or {}).items()
            if isinstance(spec, dict)
        ]
    data = tomllib.loads(path.read_text())
    lines = []
    for name, spec in (data.get("packages") or {}).items():
        version = spec if isinstance(spec, str) else (spec or {}).get("version", "*")
        lines.append(name if version in ("*", "") else f"{name}{version}")
    return lines


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            env={**host_env(), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EmulatorError(f"{what} timed out") from exc


def _last_lines(log: str) -> str:
    return " / ".join([line for line in log.splitlines() if line.strip()][-3:])


def _project_wheel(project_dir: Path, work: Path, version: str) -> Path:
    """The local project as a wheel built from source (what the builder installs), by
    the target's CPython: left to choose, uv would try to download one."""
    out = work / "wheels"
    python = str(find_python(version))
    proc = _run(
        [str(find_uv()), "build", "--wheel", "--quiet", "--no-python-downloads",
         "--python", python, "--out-dir", str(out), str(project_dir)],
        "uv build",
    )  # fmt: skip
    wheels = sorted(out.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        log = proc.stdout + proc.stderr
        raise BuildFailed(f"the project does not build: {_last_lines(log)}", log, LABEL)
    return wheels[0]


def _install_args(project: Project, work: Path, version: str) -> list[str]:
    manifest = project.manifest
    if manifest is None:
        return []
    if manifest.kind == "pyproject":
        if not manifest.has_project_table:
            raise BuildFailed(
                f"{manifest.path.name} has no [project] table: nothing would be installed "
                "(No project table found)",
                "",
                LABEL,
            )
        return [str(_project_wheel(manifest.path.parent, work, version))]
    if manifest.kind in ("Pipfile", "Pipfile.lock"):
        reqs = work / "pipfile-requirements.txt"
        reqs.write_text("\n".join(_pipfile_requirements(project)) + "\n")
        return ["-r", str(reqs)]
    return ["-r", str(manifest.path)]


def _copy_code(source: Path, task_dir: Path) -> None:
    for item in sorted(source.iterdir()):
        if item.name in SKIP_TOP:
            continue
        if item.is_dir():
            shutil.copytree(item, task_dir / item.name, symlinks=False, dirs_exist_ok=True)
        else:
            shutil.copy2(item, task_dir / item.name)


def bundle(project_dir: Path, work: Path, python_version: str | None = None) -> BuiltFunction:
    """Build `project_dir` (already an upload copy) into work/task; BuildFailed on F3/F4."""
    project = load_project(project_dir)
    if project.entrypoint is None:
        names = ", ".join(
            p.relative_to(project.root).as_posix() for p in project.candidates_without_export
        )
        detail = (
            f'Found {names} but none exports a top-level "app"'
            if names
            else ("No Python entrypoint could be detected")
        )
        raise BuildFailed(f"[PYTHON_ENTRYPOINT_NOT_FOUND] {detail}", "", LABEL)
    version = python_version or project.python.version
    task_dir = work / "task"
    vendor = task_dir / "_vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    _copy_code(project.root, task_dir)
    command = [
        str(find_uv()), "pip", "install", "--quiet",
        "--target", str(vendor),
        "--python-platform", PLATFORM,
        "--python-version", version,
        "--only-binary", ":all:",
        RUNTIME_PIN, *_install_args(project, work, version),
    ]  # fmt: skip
    proc = _run(command, "uv pip install")
    if proc.returncode != 0:
        log = proc.stdout + proc.stderr
        if sdist := _SDIST_ONLY.search(log):
            name = sdist.group(1) or sdist.group(2)
            raise BuildFailed(
                f"{CANNOT} build {name} from source for {PLATFORM} (it has no wheel "
                f"for CPython {version}); Vercel's builder would try: install Node.js and npm "
                "to check with it",
                log,
                LABEL,
            )
        raise BuildFailed(f"dependency installation failed: {_last_lines(log)}", log, LABEL)
    entry = project.entrypoint.path.relative_to(project.root).as_posix()
    module = entry.removesuffix(".py").replace("/", ".")
    (task_dir / f"{HANDLER_MODULE}.py").write_text(
        TRAMPOLINE.format(module=module, entry=entry, name=project.entrypoint.name)
    )
    return BuiltFunction(
        task_dir=task_dir,
        handler=f"{HANDLER_MODULE}.vc_handler",
        python=version,
        environment={"PYTHONPATH": "_vendor", "PYTHONDONTWRITEBYTECODE": "1"},
        builder=LABEL,
        entrypoint=entry,
        runtime_version=runtime_version_in(task_dir),
        notes=(f"manifest {project.manifest.kind if project.manifest else 'none'}",),
    )
