"""Everything a project-level rule may ask, computed once and lazily, and timed.

The expensive parts (the import closure, the index) are built on first use so a run
with those rules disabled does not pay for them; their cost is recorded per phase for
the benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from preflight.config import Config
from preflight.deps.closure import Closure, all_modules, build_closure
from preflight.deps.declared import RUNTIME, Declared, read_declared
from preflight.deps.index import Index
from preflight.deps.lock import UvLock, read_uv_lock
from preflight.deps.platform import BUILDER_INSTALLED
from preflight.deps.resolve import Resolution, from_index, from_lock
from preflight.project import Project
from preflight.rules._functions import functions_beside


@dataclass
class CheckContext:
    project: Project
    config: Config
    target: str  # "vercel" | "lambda"
    python: str  # CPython the function runs, e.g. "3.12"
    python_from_cli: bool
    index: Index
    timings: dict[str, float] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (check, reason)
    # Told the name of each phase as it starts (the CLI's progress line on a terminal).
    observer: Callable[[str], None] | None = None

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if self.observer is not None:
            self.observer(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def skip(self, check: str, reason: str) -> None:
        if (check, reason) not in self.skipped:
            self.skipped.append((check, reason))

    @cached_property
    def closure(self) -> Closure:
        with self.phase("parse"):
            entry = self.project.entrypoint
            if entry is None:
                return all_modules(self.project.root)
            return build_closure(self.project.root, entry.path, functions_beside(self.project))

    @cached_property
    def declared(self) -> list[Declared]:
        with self.phase("manifests"):
            return read_declared(self.project.manifest)

    @cached_property
    def lock(self) -> UvLock | None:
        manifest = self.project.manifest
        if manifest is None or manifest.lock is None or manifest.lock.name != "uv.lock":
            return None
        with self.phase("manifests"):
            return read_uv_lock(manifest.lock)

    @cached_property
    def installed(self) -> frozenset[str]:
        """Every distribution the target installs: the runtime declarations, what they pull
        in, and on Vercel the builder's own (pip). An import or a driver none of these
        provides is missing (PF201, PF207)."""
        names = {d.name for d in self.declared if d.scope == RUNTIME} | self.resolution.names
        return frozenset(names | BUILDER_INSTALLED if self.target == "vercel" else names)

    @cached_property
    def resolution(self) -> Resolution:
        """The target's install set: from uv.lock when committed, else from the index."""
        if self.lock is not None and self.lock.roots:
            with self.phase("resolve"):
                return from_lock(self.lock, self.python, self.declared)
        with self.phase("index"):
            resolution = from_index(self.index, self.python, self.declared)
        for reason in resolution.unavailable:
            self.skip("dependency resolution", reason)
        return resolution
