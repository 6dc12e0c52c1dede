"""Which CPython minor version the function will run, and where that came from.

Mirrors packages/python-analysis/src/manifest/package.ts (`computeRequiresPython`:
`.python-version` beats `requires-python`) and packages/python/src/version.ts (default
3.12, installed versions tried default-first, then newest first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from preflight.project.manifest import Manifest, walk_up

# packages/python/src/version.ts: DEFAULT_PYTHON_VERSION is 3.12; the build image offers
# 3.12-3.14 (failure-modes.md F16), tried default first, then newest first.
DEFAULT_PYTHON = "3.12"
AVAILABLE_PYTHONS = ("3.12", "3.14", "3.13")


@dataclass(frozen=True)
class PythonVersion:
    """The CPython minor version the function will run, and where it came from."""

    version: str  # "3.12"
    source: str  # ".python-version" | "requires-python" | "default"
    path: Path | None
    # What the project asked for when Vercel cannot honour it ("3.10" -> ignored).
    requested: str | None = None
    ignored: bool = False


def _read_python_version_file(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def major_minor(request: str) -> str | None:
    """The minor version a request names: "cpython@3.12.1" -> "3.12" (None: not 3.x)."""
    match = re.match(r"^(?:cpython@|python|cp)?(3)\.?(\d+)", request.strip().lower())
    return f"{match.group(1)}.{match.group(2)}" if match else None


def python_version(
    root: Path, start: Path, manifest: Manifest | None, data: Mapping[str, Any]
) -> PythonVersion:
    # package.ts `computeRequiresPython`: the nearest `.python-version` (at or below the
    # manifest's directory) wins over the manifest's requires-python.
    top = manifest.path.parent if manifest else root
    for directory in walk_up(root, start):
        if directory != top and top not in directory.parents:
            break  # above the manifest's directory: Vercel filters these out
        version_file = directory / ".python-version"
        if version_file.is_file():
            raw = _read_python_version_file(version_file)
            if raw is None:
                continue
            wanted = major_minor(raw)
            if wanted in AVAILABLE_PYTHONS:
                return PythonVersion(wanted, ".python-version", version_file, raw)
            return PythonVersion(DEFAULT_PYTHON, ".python-version", version_file, raw, True)

    project = data.get("project")
    requires = project.get("requires-python") if isinstance(project, dict) else None
    if isinstance(requires, str) and manifest is not None:
        try:
            spec = SpecifierSet(requires)
        except InvalidSpecifier:
            return PythonVersion(DEFAULT_PYTHON, "requires-python", manifest.path, requires, True)
        minor_spec = minor_level(spec)
        for version in AVAILABLE_PYTHONS:
            if minor_spec.contains(version, prereleases=True):
                return PythonVersion(version, "requires-python", manifest.path, requires)
        return PythonVersion(DEFAULT_PYTHON, "requires-python", manifest.path, requires, True)
    return PythonVersion(DEFAULT_PYTHON, "default", None)


def minor_level(spec: SpecifierSet) -> SpecifierSet:
    """`spec` as Vercel matches it against the minor versions it offers ("3.12"), not
    against x.y.0: packages/python-analysis/src/manifest/python-selector.ts
    (`selectPythonVersion` with majorMinorOnly and legacyTildeEquals, as version.ts
    calls it). A patch is dropped (`>=3.12.4` -> `>=3.12`, so 3.12 is chosen, where
    3.12.0 would fail it and 3.14 be picked), `!=X.Y.Z` goes, `==`/`~=X.Y.Z` pin the
    minor, `>X.Y.Z` / `<X.Y.Z` with Z > 0 admit X.Y itself, and `~=X.Y` pins X.Y (the
    builder's historical reading, not PEP 440's `>=X.Y,<4`)."""
    kept: list[str] = []
    for specifier in spec:
        operator, version = specifier.operator, specifier.version
        parts = version.removesuffix(".*").split(".")
        if operator == "~=" and len(parts) == 2:
            kept.append(f"=={version}.*")
        elif operator == "===" or len(parts) < 3 or version.endswith(".*"):
            kept.append(str(specifier))
        elif operator in ("==", "~="):
            kept.append(f"=={'.'.join(parts[:2])}.*")
        elif operator != "!=":  # >=, <=, >, <
            minor = ".".join(parts[:2])
            above_zero = int(re.sub(r"\D.*", "", parts[2]) or 0) > 0  # "0rc1": 0
            widened = operator in (">", "<") and above_zero
            kept.append(f"{operator}={minor}" if widened else f"{operator}{minor}")
    return SpecifierSet(",".join(kept))
