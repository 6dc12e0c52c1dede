"""Which dependency manifest Vercel installs from, and why it won.

Mirrors packages/python-analysis/src/manifest/package.ts (`loadPythonManifest`: per
directory, pyproject.toml beats everything; nearest directory to the entrypoint wins;
uv.lock only counts beside a pyproject.toml), paths as of the 2026-08 monorepo.
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.files import is_uploaded, relative_posix

# packages/python-analysis/src/manifest/package.ts (`loadPythonManifest`): tried in this
# order in one directory, after pyproject.toml, Pipfile.lock and Pipfile.
REQUIREMENTS_FILES = (
    "requirements.frozen.txt",
    "requirements-frozen.txt",
    "requirements.txt",
    "requirements.in",
    "requirements/prod.txt",
)
MANIFEST_ORDER = ("pyproject.toml", "Pipfile.lock", "Pipfile", *REQUIREMENTS_FILES)


@dataclass(frozen=True)
class Manifest:
    """The dependency manifest Vercel installs from, and why it won."""

    path: Path
    kind: str  # "pyproject" | "Pipfile.lock" | "Pipfile" | "requirements.txt" | ...
    reason: str
    # Other manifests in the same directory that Vercel ignores because this one won.
    shadowed: tuple[Path, ...] = ()
    # uv.lock (or pylock.toml) beside a pyproject.toml; Vercel installs it --frozen.
    lock: Path | None = None
    has_project_table: bool = True

    @property
    def installs_nothing(self) -> bool:
        """A pyproject.toml with no [project] table: Vercel uses it anyway and installs
        nothing (F3, PF301), so per-import questions have one answer already."""
        return self.kind == "pyproject" and not self.has_project_table

    def shown(self, root: Path) -> str:
        """The manifest as a finding elsewhere names it: its path from the project root,
        so a nested one (backend/requirements.txt) is not mistaken for a top-level one."""
        try:
            return relative_posix(self.path, root)
        except ValueError:
            return self.path.name


# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def manifest_encoding(path: Path) -> str | None:
    """How a manifest is encoded when it is not plain UTF-8 ("UTF-16", ...), else None.

    Vercel's builder reads requirements files as plain UTF-8 (python-analysis
    src/util/fs.ts `readFileTextIfExists` -> Buffer.toString('utf8')), so a mark or
    UTF-16 text reaches its parser as garbage: PYTHON_REQUIREMENTS_PARSE_ERROR."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError:
        return None
    return next((label for bom, _, label in _BOMS if head.startswith(bom)), None)


def read_manifest_text(path: Path) -> str | None:
    """A manifest's text as its author wrote it (a byte-order mark says how), so the
    rules judge its content apart from its encoding; None when unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    codec = next((codec for bom, codec, _ in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def read_toml(path: Path) -> dict[str, Any] | None:
    """Parse a TOML file; None when it is missing or unreadable (reported elsewhere). A
    byte-order mark is looked past: PF303 reports it, the content is judged as meant."""
    text = read_manifest_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def walk_up(root: Path, start: Path) -> Iterator[Path]:
    # package.ts `discoverPythonPackage`: from the entrypoint's directory up to the root.
    current = start
    while True:
        yield current
        if current == root or root not in current.parents:
            return
        current = current.parent


def find_manifest(root: Path, start: Path) -> tuple[Manifest | None, dict[str, Any]]:
    """The manifest the builder installs from. Only uploaded files count: one listed in
    .vercelignore is not in the build (amnaMahmoodObs/robotics-book's backend ignores its
    pytest-only pyproject.toml, so requirements.txt is what Vercel installs)."""
    for directory in walk_up(root, start):
        present = [directory / n for n in MANIFEST_ORDER if is_uploaded(directory / n, root)]
        if not present:
            continue
        winner, shadowed = present[0], tuple(present[1:])
        rel = winner.relative_to(root)
        if winner.name == "pyproject.toml":
            data = read_toml(winner) or {}
            has_project = isinstance(data.get("project"), dict)
            lock = next(
                (
                    directory / n
                    for n in ("uv.lock", "pylock.toml")
                    if is_uploaded(directory / n, root)
                ),
                None,
            )
            reason = f"{rel} is the nearest manifest to the entrypoint"
            if shadowed:
                reason += " and a pyproject.toml beats every other manifest in its directory"
            return (
                Manifest(winner, "pyproject", reason, shadowed, lock, has_project),
                data,
            )
        # "Pipfile.lock", "Pipfile", "requirements.txt", "requirements.in", "requirements/prod.txt"
        kind = winner.relative_to(directory).as_posix()
        reason = f"{rel} is the nearest manifest to the entrypoint"
        if shadowed:
            reason += f" and comes first in Vercel's order ({', '.join(MANIFEST_ORDER[1:])})"
        return Manifest(winner, kind, reason, shadowed), {}
    return None, {}
