"""Python files Vercel deploys as functions of their own, with no app entrypoint: the
older model PF401 must not call "no entrypoint" when it is the one in use.

- `api/**/*.py` files that export an app or handler (fs-detectors detect-builders.ts
  `maybeGetApiBuilder`: not under a `_` or `.` segment, and `isPythonEntrypoint`) are
  each a function, unless the framework preset ignores @vercel/python's api runtime. In
  vercel 64.0.2's frameworks list the presets that do are fastapi, flask, django and
  python (`ignoreRuntimes: ['@vercel/python']`); "Other" (`"framework": null`) does not
  (preflight/preset.py holds the preset answer check and run share).
- legacy vercel.json `builds` with @vercel/python and a glob `src` build each match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from preflight.files import is_uploaded
from preflight.findings import Fix
from preflight.preset import PYTHON_PRESETS, preset_of
from preflight.project import Project, api_function_files
from preflight.vercel_config import read_vercel_config


@dataclass(frozen=True)
class Framework:
    """vercel.json's `framework`: `pinned` False when the key is absent (the dashboard's
    preset decides), `slug` None for "Other"."""

    pinned: bool
    slug: str | None


def read_vercel_json(root: Path) -> dict[str, object] | None:
    return read_vercel_config(root)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of a config file's text where `needle` first appears (1 if absent):
    where a finding about a JSON value points."""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def framework_setting(root: Path) -> Framework:
    found = preset_of(root)
    return Framework(True, found.slug) if found.pinned else Framework(False, None)


def legacy_built(root: Path, uses: tuple[str, ...] | None = None) -> list[tuple[str, Path]]:
    """(src, file) for each Python file a legacy `builds` entry builds: a src naming a .py
    file, or each .py file a glob src matches (cli build/index.ts `expandBuild`). Only
    builders named in `uses` when given, else any @vercel/python-like `use`."""
    builds = (read_vercel_json(root) or {}).get("builds")
    found: list[tuple[str, Path]] = []
    for build in builds if isinstance(builds, list) else []:
        if not isinstance(build, dict) or not isinstance(build.get("src"), str):
            continue
        use = str(build.get("use", ""))
        if ("python" not in use) if uses is None else (use not in uses):
            continue
        src = build["src"]
        matches = sorted(root.glob(src.lstrip("/"))) if "*" in src else [root / src.lstrip("/")]
        found += [(src, p) for p in matches if p.suffix == ".py" and is_uploaded(p, root)]
    return found


def glob_built(root: Path) -> list[Path]:
    """Files a legacy `builds` entry with @vercel/python and a glob `src` builds."""
    return sorted({path for src, path in legacy_built(root) if "*" in src})


def functions_beside(project: Project) -> list[Path]:
    """The other Python functions the deploy of `project` builds beside its entrypoint.

    Legacy `builds`: every other @vercel/python src that names a file, and glob matches
    (zero-config is off, so nothing else). Otherwise, under a preset that keeps the api
    runtime ("Other", Next.js...: see the module docstring), each api/*.py that exports
    an app or handler (123abang/stock-price-predictor: api/app.py and api/bot.py, each
    a function importing Flask). Under a Python preset only the entrypoint is a function.
    """
    entry = project.entrypoint
    if entry is None:
        return []
    builds = (read_vercel_json(project.root) or {}).get("builds")
    if isinstance(builds, list) and builds:
        found = [path for _, path in legacy_built(project.root)]
    elif preset_of(project.root).slug in PYTHON_PRESETS:
        return []
    else:
        found = api_function_files(project.root)
    return sorted({p for p in found if p != entry.path})


def pin_other_preset(root: Path) -> Fix | None:
    """vercel.json with `"framework": null`: the api/ functions no longer depend on the
    preset the dashboard holds. None when vercel.json exists but is not a JSON object."""
    path = root / "vercel.json"
    data = read_vercel_json(root)
    if data is None and path.exists():
        return None
    text = json.dumps({**(data or {}), "framework": None}, indent=2)
    return Fix.replace_file(path, text, 'pin "framework": null in vercel.json')
