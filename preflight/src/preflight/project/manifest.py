"""Which dependency manifest Vercel installs from, and why it won.

Mirrors packages/python-analysis/src/manifest/package.ts (`loadPythonManifest`: per
directory, pyproject.toml beats everything; nearest directory to the entrypoint wins;
uv.lock only counts beside a pyproject.toml), paths as of the 2026-08 monorepo.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def read_toml(path: Path) -> dict[str, Any] | None:
    """Parse a TOML file; None when it is missing or unreadable (reported elsewhere)."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
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
    for directory in walk_up(root, start):
        present = [directory / name for name in MANIFEST_ORDER if (directory / name).is_file()]
        if not present:
            continue
        winner, shadowed = present[0], tuple(present[1:])
        rel = winner.relative_to(root)
        if winner.name == "pyproject.toml":
            data = read_toml(winner) or {}
            has_project = isinstance(data.get("project"), dict)
            lock = next(
                (directory / n for n in ("uv.lock", "pylock.toml") if (directory / n).is_file()),
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
