"""What Vercel will see when it builds a directory: manifest, Python version, entrypoint.

Both `preflight check` (which reports on it) and `preflight run`'s fallback bundler (which
builds from it) call `load_project`, so the rules in this package must match Vercel's
builder. Each fact has its own module, citing the vercel/vercel source it mirrors:
`entrypoint` (entrypoint.ts / entrypoint.rs), `manifest` (package.ts
`loadPythonManifest`) and `python_version` (package.ts `computeRequiresPython`,
version.ts).

Nothing here raises on a broken project: a broken project is what the rules report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.files import is_uploaded
from preflight.project.entrypoint import (
    ENTRYPOINT_DIRS,
    ENTRYPOINT_NAMES,
    EXPORTED_NAMES,
    Entrypoint,
    find_entrypoint,
    find_exported_name,
    parse_file,
)
from preflight.project.manifest import (
    MANIFEST_ORDER,
    REQUIREMENTS_FILES,
    Manifest,
    find_manifest,
    manifest_encoding,
    read_manifest_text,
    read_toml,
)
from preflight.project.python_version import (
    AVAILABLE_PYTHONS,
    DEFAULT_PYTHON,
    PythonVersion,
    python_version,
)

__all__ = [
    "AVAILABLE_PYTHONS",
    "DEFAULT_PYTHON",
    "ENTRYPOINT_DIRS",
    "ENTRYPOINT_NAMES",
    "EXPORTED_NAMES",
    "MANIFEST_ORDER",
    "REQUIREMENTS_FILES",
    "Entrypoint",
    "Manifest",
    "Project",
    "PythonVersion",
    "find_exported_name",
    "load_project",
    "manifest_encoding",
    "parse_file",
    "read_manifest_text",
    "read_toml",
]


@dataclass(frozen=True)
class Project:
    """Everything Vercel decides about a directory before it installs anything."""

    root: Path
    manifest: Manifest | None
    python: PythonVersion
    entrypoint: Entrypoint | None
    # Candidate files that exist but export nothing Vercel detects (F4 diagnostics).
    candidates_without_export: tuple[Path, ...] = ()
    # `[tool.vercel] entrypoint` / `[project.scripts] app` values that resolve to no file.
    unresolved_entrypoint: str | None = None
    pyproject: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def load_project(root: Path) -> Project:
    """Model what Vercel will see when it builds `root` (never raises on bad content)."""
    root = root.resolve()
    # a pyproject.toml left out by .vercelignore configures nothing: the build never sees it
    uploaded = is_uploaded(root / "pyproject.toml", root)
    pyproject = (read_toml(root / "pyproject.toml") if uploaded else None) or {}
    entrypoint, without, unresolved = find_entrypoint(root, pyproject)
    start = entrypoint.path.parent if entrypoint else root
    manifest, manifest_data = find_manifest(root, start)
    python = python_version(root, start, manifest, manifest_data)
    return Project(
        root=root,
        manifest=manifest,
        python=python,
        entrypoint=entrypoint,
        candidates_without_export=without,
        unresolved_entrypoint=unresolved,
        pyproject=pyproject,
    )
