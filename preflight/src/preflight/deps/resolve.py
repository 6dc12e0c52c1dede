"""What the target platform would install: each runtime distribution, its version and
the wheel chosen for manylinux x86_64 at the target CPython.

From a uv.lock this is exact (the builder installs the lock as is). Without one it is a
good estimate: each requirement's newest matching release from the index (or the pinned
one), followed through `Requires-Dist` with the target's markers — not a full resolver,
but what a fresh install would pick in the common case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from preflight.deps.declared import RUNTIME, Declared
from preflight.deps.index import FileInfo, Index, Release
from preflight.deps.index_http import IndexUnavailable, NotOnIndex
from preflight.deps.lock import UvLock
from preflight.deps.platform import is_binary_wheel, marker_environment, wheel_fits
from preflight.findings import first_few

MAX_PACKAGES = 400


@dataclass
class Resolved:
    """One distribution as the target installs it."""

    name: str
    version: str | None
    files: list[FileInfo]
    wheel: FileInfo | None  # the file the target installs, None if no wheel fits
    via: Declared | None  # the declaration that pulls it in (None: transitive)
    requires: list[str] = field(default_factory=list)
    # its Requires-Dist for the target, as written (from the index; a lock is solved)
    constraints: list[Requirement] = field(default_factory=list)

    @property
    def has_sdist(self) -> bool:
        return any(f.filename.endswith((".tar.gz", ".zip")) for f in self.files)

    @property
    def binary_only_elsewhere(self) -> list[str]:
        """Wheels built for other platforms / Pythons: proof the package is compiled."""
        return [f.filename for f in self.files if is_binary_wheel(f.filename)]


@dataclass
class Resolution:
    packages: dict[str, Resolved] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)  # index problems, one line each
    # Distributions whose own dependencies are unknown (no metadata, or not resolved):
    # an import nothing else explains may come from one of them.
    incomplete: list[str] = field(default_factory=list)
    source: str = "index"  # "uv.lock" | "index"
    # Declarations the index answered it cannot serve: (declaration, why), e.g. "PyPI
    # has no project named 'python'". PyPI alone, the install fails on them (PF1904).
    absent: list[tuple[Declared, str]] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return set(self.packages)


def choose_wheel(files: list[FileInfo], python: str) -> FileInfo | None:
    fitting = [f for f in files if f.filename.endswith(".whl") and wheel_fits(f.filename, python)]
    if not fitting:
        return None
    # Prefer binary wheels over pure ones when both fit (pip does the same: most specific).
    return max(fitting, key=lambda f: (is_binary_wheel(f.filename), f.size))


def from_lock(lock: UvLock, python: str, declared: list[Declared]) -> Resolution:
    by_name = {d.name: d for d in declared if d.scope == RUNTIME}
    resolution = Resolution(source="uv.lock")
    for package in lock.runtime_closure(marker_environment(python)):
        files = [FileInfo(w.filename, w.size) for w in package.wheels]
        if package.sdist is not None:
            files.append(FileInfo(package.sdist.filename, package.sdist.size))
        resolution.packages[package.name] = Resolved(
            package.name,
            package.version,
            files,
            choose_wheel(files, python),
            by_name.get(package.name),
            [dep.name for dep in package.dependencies],
        )
    return resolution


def from_index(index: Index, python: str, declared: list[Declared]) -> Resolution:
    env = marker_environment(python)
    resolution = Resolution()
    no_metadata: list[str] = []
    todo: list[tuple[Requirement, Declared | None]] = [
        (d.requirement, d)
        for d in declared
        if d.scope == RUNTIME and d.requirement is not None and d.url is None
    ]
    while todo and len(resolution.packages) < MAX_PACKAGES:
        requirement, via = todo.pop(0)
        name = canonicalize_name(requirement.name)
        # A dependency's marker was judged with its parent's extras (_wanted_requirements);
        # judged again here without them, `bcrypt; extra == "bcrypt"` from passlib[bcrypt]
        # was dropped and no extra was ever installed (uvicorn[standard],
        # bultakov/Deploying-FastAPI-Vercel's passlib[bcrypt] and python-jose[cryptography]).
        if name in resolution.packages or (
            via is not None and not _applies(requirement.marker, env)
        ):
            continue
        release = _release(index, requirement, python, resolution, via)
        if release is None:
            continue
        files = [f for f in release.files if not f.yanked]
        resolved = Resolved(name, release.version, files, choose_wheel(files, python), via)
        resolution.packages[name] = resolved
        requires: tuple[str, ...] | None = release.requires_dist
        if not release.metadata_known:
            requires = index.sdist_requires(name, release.version)
        if requires is None:
            no_metadata.append(f"{name} {release.version}")
            resolution.incomplete.append(name)
        for dep in _wanted_requirements(requires or (), requirement, env):
            resolved.requires.append(canonicalize_name(dep.name))
            resolved.constraints.append(dep)
            todo.append((dep, None))
    if no_metadata:
        shown = first_few(no_metadata, 4)
        resolution.unavailable.append(
            f"the index has no Requires-Dist for {len(no_metadata)} release(s) ({shown}): "
            "their own dependencies are not counted"
        )
    return resolution


def _applies(marker: Marker | None, env: dict[str, str]) -> bool:
    try:
        return marker is None or marker.evaluate(env)
    except InvalidMarker:
        return True


def _release(
    index: Index,
    requirement: Requirement,
    python: str,
    resolution: Resolution,
    via: Declared | None,
) -> Release | None:
    """The release a fresh install picks for `requirement`; None (and said why) if none."""
    name = canonicalize_name(requirement.name)
    try:
        version = _pick_version(index, name, requirement.specifier, python)
        release = index.release(name, version) if version else None
    except IndexUnavailable as exc:
        resolution.unavailable.append(str(exc))
        resolution.incomplete.append(name)
        if via is not None:  # a transitive miss: a resolver backtracks to another parent
            why = _absent(index, name, requirement.specifier)
            if why is not None:
                resolution.absent.append((via, why))
        return None
    if release is None:
        resolution.unavailable.append(f"{name}: no release matches {requirement.specifier}")
        resolution.incomplete.append(name)
    return release


def _wanted_requirements(
    requires_dist: tuple[str, ...], requirement: Requirement, env: dict[str, str]
) -> list[Requirement]:
    """A release's Requires-Dist the target installs: markers true for the target
    with no extra or with one of the extras `requirement` asks for."""
    wanted: list[Requirement] = []
    for raw in requires_dist:
        try:
            dep = Requirement(raw)
        except InvalidRequirement:
            continue
        extras = ("", *sorted(requirement.extras))
        if dep.marker is None or any(_applies(dep.marker, dict(env, extra=e)) for e in extras):
            wanted.append(dep)
    return wanted


def _absent(index: Index, name: str, spec: SpecifierSet) -> str | None:
    """Why PyPI cannot serve a declaration at all, when it said so: no such project, or
    no such release of an exact pin. Only a transitive miss is left alone: a resolver
    backtracks to another version of its parent. Offline, a pin newer than the cached
    page may be a release the cache has not seen, so only an older one is claimed."""
    try:
        page = index.project(name)
    except NotOnIndex:
        return f"PyPI has no project named {name!r}"
    except IndexUnavailable:
        return None
    pinned = exact_pin(spec)
    if pinned is None:
        return None
    known: list[Version] = []
    for raw in page.versions:
        try:
            known.append(Version(raw))
        except InvalidVersion:
            continue
    try:
        wanted = Version(pinned)
    except InvalidVersion:
        return None
    if any(spec.contains(version, prereleases=True) for version in known):
        return None
    if not known or (index.offline and wanted > max(known)):
        return None
    return f"PyPI has no release {pinned} of {name} (the newest is {page.latest})"


def exact_pin(spec: SpecifierSet) -> str | None:
    """The version an exact pin names (`==1.2`, `===1.2`), None for a range or wildcard."""
    pins = [s.version for s in spec if s.operator in {"==", "==="} and "*" not in s.version]
    return pins[0] if pins else None


def _pick_version(index: Index, name: str, spec: SpecifierSet, python: str) -> str | None:
    pinned = exact_pin(spec)
    if pinned:
        return pinned
    page = index.project(name)
    if _allowed(page.latest, spec):
        return page.latest
    versions: list[Version] = []
    for raw in page.versions:
        try:
            version = Version(raw)
        except InvalidVersion:
            continue
        if not version.is_prerelease and _allowed(raw, spec):
            versions.append(version)
    return str(max(versions)) if versions else None


def _allowed(version: str, spec: SpecifierSet) -> bool:
    try:
        return spec.contains(version, prereleases=False) or not str(spec)
    except InvalidVersion:
        return False
