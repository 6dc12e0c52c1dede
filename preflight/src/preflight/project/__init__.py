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

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.files import file_exists, is_uploaded
from preflight.preset import PYTHON_PRESETS, preset_of
from preflight.project.entrypoint import (
    ENTRYPOINT_DIRS,
    ENTRYPOINT_NAMES,
    EXPORTED_NAMES,
    Entrypoint,
    api_function_files,
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
from preflight.vercel_config import read_vercel_config

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
    "api_function_files",
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
    # The folder the builder discovers the package (manifest, .python-version) from.
    package_from: Path | None = None


def load_project(root: Path) -> Project:
    """Model what Vercel will see when it builds `root` (never raises on bad content)."""
    root = root.resolve()
    # a pyproject.toml left out by .vercelignore configures nothing: the build never sees it
    uploaded = is_uploaded(root / "pyproject.toml", root)
    pyproject = (read_toml(root / "pyproject.toml") if uploaded else None) or {}
    entrypoint, without, unresolved = find_entrypoint(root, pyproject)
    start = _package_search_start(root, entrypoint)
    manifest, manifest_data = find_manifest(root, start)
    if manifest is not None and entrypoint is not None and start != entrypoint.path.parent:
        why = "is at the root, where a Python preset's build looks (not beside the entrypoint)"
        reason = manifest.reason.replace("is the nearest manifest to the entrypoint", why)
        manifest = dataclasses.replace(manifest, reason=reason)
    python = python_version(root, start, manifest, manifest_data)
    return Project(
        root=root,
        manifest=manifest,
        python=python,
        entrypoint=entrypoint,
        candidates_without_export=without,
        unresolved_entrypoint=unresolved,
        pyproject=pyproject,
        package_from=start,
    )


# Entrypoints a Python preset's build finds itself (its `useRuntime` src is '<detect>').
_DETECTED = frozenset({"candidate", "tool.vercel.entrypoint", "project.scripts"})


def _package_search_start(root: Path, entrypoint: Entrypoint | None) -> Path:
    """Where the builder starts looking for the manifest (and .python-version).

    A Python preset builds '<detect>': the builder has no entrypoint yet when it discovers
    the package, so the search starts at the root, not beside the app it then detects
    (packages/python/src/index.ts `entryDirectory = detected?.baseDir ?? (entrypoint ?
    dirname(entrypoint) : '.')`, at 17d9ebaf8e). Ub207/phase-4-todo's backend has
    src/main.py with src/requirements.txt and a comments-only requirements.txt at its
    root: the build installs nothing, as `preflight run` shows. A legacy `builds` src, a
    service's file entrypoint or an api/ function under "Other" starts at its folder.
    """
    if entrypoint is None:
        # a legacy build whose file exports nothing Vercel detects (PF401) is still the
        # build's entrypoint: its folder is where the manifest is looked for
        # (badboygamingph/flask-vercel-deployment: backend/vercel_wrapper.py beside
        # backend/requirements.txt, which check called "no manifest")
        return _legacy_build_folder(root) or root
    if entrypoint.source in _DETECTED and preset_of(root).slug in PYTHON_PRESETS:
        return root
    return entrypoint.path.parent


def _legacy_build_folder(root: Path) -> Path | None:
    """The folder of the first @vercel/python `builds` src that names an existing file."""
    builds = (read_vercel_config(root) or {}).get("builds")
    for build in builds if isinstance(builds, list) else []:
        src = build.get("src") if isinstance(build, dict) else None
        if isinstance(src, str) and "python" in str(build.get("use", "")) and "*" not in src:
            path = root / src.lstrip("/")
            if file_exists(path):
                return path.parent
    return None
