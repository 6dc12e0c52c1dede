"""uv.lock: the exact packages Vercel installs when the project commits one.

The builder runs `uv sync --frozen --no-dev` on a user's lock (packages/python/src/
index.ts, uv.ts): the lock is installed as is, never re-resolved, so a dependency added
to pyproject.toml but not locked is simply missing (F2, stale lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name

from preflight.deps.versions import normal_version
from preflight.project import read_toml


@dataclass(frozen=True)
class LockedFile:
    filename: str
    size: int


class LockedDependency(NamedTuple):
    name: str
    marker: str | None
    extras: tuple[str, ...] = ()  # `{ name = "pyjwt", extra = ["crypto"] }`


@dataclass
class LockedPackage:
    name: str
    version: str
    is_root: bool
    dependencies: list[LockedDependency] = field(default_factory=list)
    # [package.optional-dependencies]: what each extra adds when a dependent asks for it.
    optional: dict[str, list[LockedDependency]] = field(default_factory=dict)
    wheels: list[LockedFile] = field(default_factory=list)
    sdist: LockedFile | None = None
    requires_dist: dict[str, str] = field(default_factory=dict)  # name -> specifier


@dataclass
class UvLock:
    path: Path
    packages: dict[str, LockedPackage]

    @property
    def roots(self) -> list[LockedPackage]:
        return [p for p in self.packages.values() if p.is_root]

    def runtime_closure(self, env: Mapping[str, str]) -> list[LockedPackage]:
        """Packages `uv sync --no-dev` installs for the target environment: the roots'
        dependencies, theirs, and what each extra a dependency asks for adds (pyjwt[crypto]
        brings cryptography). The root's own extras are not installed without --extra."""
        todo = [dep for root in self.roots for dep in root.dependencies if _ok(dep.marker, env)]
        seen: dict[str, LockedPackage] = {}
        expanded: set[tuple[str, str]] = set()  # (package, extra) already followed
        while todo:
            dep = todo.pop()
            package = self.packages.get(dep.name)
            if package is None:
                continue
            if dep.name not in seen:
                seen[dep.name] = package
                todo.extend(d for d in package.dependencies if _ok(d.marker, env))
            for extra in dep.extras:
                if (dep.name, extra) not in expanded:
                    expanded.add((dep.name, extra))
                    added = package.optional.get(extra, [])
                    todo.extend(d for d in added if _ok(d.marker, env))
        return list(seen.values())


def _ok(marker: str | None, env: Mapping[str, str]) -> bool:
    if not marker:
        return True
    try:
        return Marker(marker).evaluate(dict(env))
    except InvalidMarker:
        return True


def _file(entry: Any) -> LockedFile | None:
    if not isinstance(entry, dict):
        return None
    url = str(entry.get("url") or entry.get("path") or entry.get("filename") or "")
    return LockedFile(url.rsplit("/", 1)[-1], int(entry.get("size") or 0))


def read_uv_lock(path: Path) -> UvLock | None:
    data = read_toml(path)
    if data is None:
        return None
    entries = [e for e in data.get("package") or [] if isinstance(e, dict) and "name" in e]
    packages = {package.name: package for package in map(_package, entries)}
    return UvLock(path, packages)


def _package(entry: dict[str, Any]) -> LockedPackage:
    """One `[[package]]` table: its dependencies, files and (for the root) requires-dist."""
    source = entry.get("source") or {}
    is_root = isinstance(source, dict) and "." in (source.get("editable"), source.get("virtual"))
    package = LockedPackage(
        canonicalize_name(str(entry["name"])),
        normal_version(str(entry.get("version", ""))),
        is_root,
    )
    package.dependencies = _dependencies(entry.get("dependencies"))
    optional = entry.get("optional-dependencies")
    if isinstance(optional, dict):
        package.optional = {
            canonicalize_name(str(extra)): _dependencies(deps) for extra, deps in optional.items()
        }
    package.wheels = [f for f in map(_file, entry.get("wheels") or []) if f]
    package.sdist = _file(entry.get("sdist"))
    metadata = entry.get("metadata") or {}
    package.requires_dist = {
        canonicalize_name(req["name"]): str(req.get("specifier") or "")
        for req in metadata.get("requires-dist") or []
        if isinstance(req, dict) and "name" in req
    }
    return package


def _dependencies(entries: Any) -> list[LockedDependency]:
    """A lock's dependency list: `{ name, marker?, extra? }` tables."""
    if not isinstance(entries, list):
        return []
    return [
        LockedDependency(
            canonicalize_name(str(dep["name"])),
            dep.get("marker"),
            tuple(canonicalize_name(str(e)) for e in dep.get("extra") or ()),
        )
        for dep in entries
        if isinstance(dep, dict) and "name" in dep
    ]
