"""What a build produces and the runtime consumes: one materialised function.

Vercel's Build Output API describes a function as a `.func` directory plus a
`filePathMap` of project files to add; Lambda unpacks both into one directory,
`/var/task`. Both builders (Vercel's and preflight's fallback) end in this shape, so
the sandbox and the runtime never care which one ran.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from preflight.emulate.errors import EmulatorError


@dataclass(frozen=True)
class BuiltFunction:
    """A function ready to run: its /var/task contents and how Lambda would start it."""

    task_dir: Path
    handler: str  # "vc__handler__python.vc_handler": module.attribute Lambda imports
    python: str  # "3.12", from the function's runtime ("python3.12")
    environment: dict[str, str]  # the function's own env (PYTHONPATH=_vendor, ...)
    builder: str  # which builder produced it, for the report
    entrypoint: str | None = None  # the user's file the handler imports ("api/index.py")
    runtime_version: str | None = None  # vercel-runtime found in the bundle
    max_duration_s: int = 300  # Vercel's default maxDuration; vercel.json may lower it
    notes: tuple[str, ...] = field(default=())

    @property
    def handler_module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


class BuildFailed(Exception):
    """The builder rejected the app: a finding about the app, not about this machine."""

    def __init__(self, message: str, log: str, builder: str) -> None:
        super().__init__(message)
        self.message = message
        self.log = log
        self.builder = builder
        self.notes: list[str] = []  # how the build went (e.g. which builder and why)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def materialise(func_dir: Path, project_dir: Path, task_dir: Path) -> dict[str, object]:
    """Lay out `/var/task`: the .func dir's files plus its filePathMap; returns the config."""
    config_path = func_dir / ".vc-config.json"
    try:
        config: dict[str, object] = json.loads(config_path.read_text())
    except (OSError, ValueError) as exc:
        raise EmulatorError(f"unreadable function config {config_path}: {exc}") from exc
    task_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(func_dir.rglob("*")):
        rel = path.relative_to(func_dir)
        if rel.as_posix() == ".vc-config.json" or path.is_dir():
            continue
        _link_or_copy(path, task_dir / rel)
    file_map = config.get("filePathMap") or {}
    if not isinstance(file_map, dict):
        raise EmulatorError(f"filePathMap in {config_path} is not an object")
    for dest_rel, src_rel in file_map.items():
        src = project_dir / str(src_rel)
        if src.is_file():
            _link_or_copy(src, task_dir / str(dest_rel))
    return config


def runtime_version_in(task_dir: Path) -> str | None:
    """Version of vercel-runtime the bundle carries (the builder pins and vendors it)."""
    for info in (task_dir / "_vendor").glob("vercel_runtime-*.dist-info"):
        return info.name.removeprefix("vercel_runtime-").removesuffix(".dist-info")
    return None


def entrypoint_of(task_dir: Path, handler_module: str) -> str | None:
    """The user entrypoint the generated trampoline imports (`__VC_HANDLER_ENTRYPOINT`)."""
    trampoline = task_dir / (handler_module.replace(".", "/") + ".py")
    try:
        text = trampoline.read_text()
    except OSError:
        return None
    marker = '"__VC_HANDLER_ENTRYPOINT": "'
    start = text.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return text[start : text.find('"', start)]
