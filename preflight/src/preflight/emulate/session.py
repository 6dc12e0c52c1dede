"""The emulator's Python API: prepare (copy + build) once, then launch instances at will.

`preflight run` and tests both go through here, so a test that drives a multi-step
journey (register, log in, use the token) runs exactly what the command runs:

    with prepare(Path("."), env={...}, forward_ports=(5432,)) as emulation:
        with emulation.launch() as instance:
            instance.start()
            instance.request("GET", "/health")
"""

from __future__ import annotations

import enum
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from preflight import files
from preflight.emulate import build, bundle, sandbox
from preflight.emulate.errors import EmulatorError
from preflight.emulate.function import BuildFailed, BuiltFunction
from preflight.emulate.routes import Router, router_for
from preflight.emulate.runtime import FunctionInstance
from preflight.emulate.tools import find_python
from preflight.emulate.vercel_cli import ensure_vercel_cli
from preflight.project import load_project


class Builder(enum.StrEnum):
    """Which builder produces the function (`--builder`)."""

    AUTO = "auto"  # Vercel's when Node/npm and the CLI can be had, else preflight's
    VERCEL = "vercel"
    PREFLIGHT = "preflight"


Progress = Callable[[str], None]
UPLOAD_DIR = "src"  # under the work folder: the copy of the project an upload would hold


def _quiet(_: str) -> None:
    return None


@dataclass
class Emulation:
    """A built function plus everything needed to start instances of it."""

    function: BuiltFunction
    python: Path
    caps: sandbox.Capabilities
    policy: sandbox.Policy
    env: dict[str, str]
    workdir: Path
    notes: list[str] = field(default_factory=list)

    router: Router | None = field(default=None, repr=False)

    def launch(self) -> FunctionInstance:
        """A new, not yet started instance (call `.start()`; use it as a context manager).

        It carries the build's routing so probes meet the app the way `--serve` and
        Vercel's edge do: through vercel.json's rewrites and the preset's catch-all."""
        instance = FunctionInstance(self.function, self.python, self.env, self.policy, self.caps)
        instance.router = self.routing()
        instance.project = self.workdir / UPLOAD_DIR
        return instance

    def routing(self) -> Router:
        """The build's routing, made once: probes and `--serve` share it."""
        if self.router is None:
            self.router = router_for(self.workdir)
        return self.router

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Emulation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_function(
    source: Path,
    work: Path,
    builder: Builder,
    python_version: str,
    build_env: dict[str, str],
    progress: Progress,
) -> tuple[BuiltFunction, list[str]]:
    """Copy `source` as an upload would and build it; BuildFailed if the app is rejected."""
    notes: list[str] = []
    project_copy = work / UPLOAD_DIR
    skipped = files.copy_for_upload(source, project_copy)
    env_files = [s for s in skipped if Path(s).name.startswith(".env")]
    if env_files:
        notes.append(f"not uploaded (pass with --env-file): {', '.join(env_files)}")
    python = find_python(python_version)
    if builder is not Builder.PREFLIGHT:
        try:
            cli = ensure_vercel_cli(progress=progress)
        except EmulatorError as exc:
            if builder is Builder.VERCEL:
                raise
            notes.append(f"Vercel's builder unavailable ({exc}): used preflight's bundler")
        else:
            progress(f"building with {cli.label}")
            try:
                return build.vercel_build(project_copy, work, cli, python, build_env), notes
            except BuildFailed as failed:
                failed.notes[:0] = notes
                raise
    progress("building with preflight's bundler")
    try:
        return bundle.bundle(project_copy, work, python_version), notes
    except BuildFailed as failed:
        failed.notes[:0] = notes
        raise


def prepare(
    source: Path,
    *,
    env: dict[str, str] | None = None,
    forward_ports: tuple[int, ...] = (),
    python_version: str | None = None,
    builder: Builder = Builder.AUTO,
    memory_mb: int = 2048,
    progress: Progress = _quiet,
) -> Emulation:
    """Build `source` and describe how to run it; the caller closes the Emulation."""
    source = source.resolve()
    if not source.is_dir():
        raise EmulatorError(f"{source} is not a directory")
    version = python_version or load_project(source).python.version
    work = Path(tempfile.mkdtemp(prefix="preflight-run-"))
    try:
        function, notes = build_function(source, work, builder, version, dict(env or {}), progress)
        runtime_python = find_python(function.python)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    caps = sandbox.detect()
    policy = sandbox.Policy(memory_mb=memory_mb, forward_ports=forward_ports, hide=(source,))
    return Emulation(function, runtime_python, caps, policy, dict(env or {}), work, notes)
