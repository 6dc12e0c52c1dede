"""The project's own files in a Vercel Python function, and how much they weigh.

@vercel/python puts every uploaded file of the project into the function except its
`predefinedExcludes` and a function's `excludeFiles` (packages/python/src/index.ts lines
1372-1421 at 17d9ebaf: `glob('**', {cwd: workPath, ignore})`), and the size limits count
them with the dependencies (dependency-externalizer.ts `analyze`: `calculateBundleSize`
over both). Only dependencies can move to /tmp at cold start; the project's own files
cannot, so a committed virtualenv not named venv/ or .venv/ (2100090151/nirvaanaa's
397 MB `env/`) or a folder of model weights fails the build however small the
requirements are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from preflight.files import relative_posix, uploaded_files
from preflight.one_pass import remembered
from preflight.vercel_config import read_vercel_config

# index.ts `predefinedExcludes`, by the shape of each glob: `.git/**`, `.vercel/**` and
# `.pnpm-store/**` at the root; `**/node_modules/**` and the like at any depth; the lock
# files and the root .gitignore by name. A set lookup per path segment: pathspec's 16
# regexes per file were 0.1 s of a check on Django's 885 files.
_ROOT_FOLDERS = frozenset({".git", ".vercel", ".pnpm-store"})
_ANY_FOLDERS = frozenset(
    {"node_modules", ".next", ".nuxt", ".venv", "venv", "__pycache__", ".mypy_cache"}
    | {".ruff_cache", "public"}
)
_ANY_FILES = frozenset({"pnpm-lock.yaml", "yarn.lock", "package-lock.json"})


def predefined_exclude(rel: str) -> bool:
    """Whether @vercel/python's predefinedExcludes leave this project path out."""
    parts = rel.split("/")
    if (parts[0] in _ROOT_FOLDERS and len(parts) > 1) or rel == ".gitignore":
        return True
    return parts[-1] in _ANY_FILES or not _ANY_FOLDERS.isdisjoint(parts[:-1])


@dataclass(frozen=True)
class OwnFiles:
    """The project's files in the function: their total size and the heaviest top-level
    entries (folder or file, with their bytes), heaviest first."""

    size: int
    heaviest: tuple[tuple[str, int], ...]


def own_files(root: Path) -> OwnFiles | None:
    """What the project itself adds to the function; None when a function's
    `excludeFiles` leaves an unknown part of it out."""
    if _has_exclude_files(root):
        return None
    return remembered(("own files", root), lambda: _measure(root))


def _measure(root: Path) -> OwnFiles:
    by_top: dict[str, int] = {}
    for path in uploaded_files(root):
        rel = relative_posix(path, root)
        if predefined_exclude(rel):
            continue
        try:
            size = os.stat(path).st_size
        except OSError:
            continue
        top = rel.split("/", 1)[0] + ("/" if "/" in rel else "")
        by_top[top] = by_top.get(top, 0) + size
    # the three heaviest that weigh a megabyte at least (uv.lock ~0 MB says nothing)
    heaviest = [item for item in sorted(by_top.items(), key=lambda i: -i[1]) if item[1] >= 2**20]
    heaviest = heaviest[:3]
    return OwnFiles(sum(by_top.values()), tuple(heaviest))


def _has_exclude_files(root: Path) -> bool:
    functions = (read_vercel_config(root) or {}).get("functions")
    if not isinstance(functions, dict):
        return False
    return any(isinstance(f, dict) and f.get("excludeFiles") for f in functions.values())
