"""Which framework preset Vercel gives a project: the one answer check and run share.

The preset decides which file is the app, whether api/*.py files are functions of their
own and whether every path reaches the app, so `check` (PF401, PF403, the preset-routing
warning) and `run` (the `.vercel/project.json` it builds with) must read it alike.

Source: vercel/vercel packages/frameworks/src/frameworks.ts (vercel 64.0.2). When a project
is created the first framework in that list whose detectors match is stored; among the
Python ones the order is fastapi, flask, fasthtml, django, then `python`, whose detectors
match any requirements.txt, pyproject.toml or Pipfile. `matchContent` is a regular
expression searched in the file (packages/fs-detectors detect-framework.ts). `"framework"`
in vercel.json overrides the stored setting, and a linked project's
`.vercel/project.json` `settings.framework` is that stored setting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from preflight.preset_frameworks import EARLIER
from preflight.vercel_config import read_vercel_config

MANIFESTS = ("requirements.txt", "pyproject.toml", "Pipfile")
# (slug, detectors, every): detectors are (file, content regex); `every` is frameworks.ts
# `detectors.every` (all must match) as opposed to `some`.
_DETECTORS: tuple[tuple[str, tuple[tuple[str, str], ...], bool], ...] = (
    ("fastapi", tuple((m, "fastapi") for m in MANIFESTS), False),
    ("flask", tuple((m, "[Ff]lask") for m in MANIFESTS), False),
    ("fasthtml", (("requirements.txt", "python-fasthtml"),), True),
    (
        "django",
        (*((m, "[Dd]jango") for m in MANIFESTS), ("manage.py", "DJANGO_SETTINGS_MODULE")),
        False,
    ),
)
# Presets with `ignoreRuntimes: ['@vercel/python']`: api/*.py stop being functions of
# their own and one app receives every path (`defaultRoutes` `/(.*)` catch-all). fasthtml
# keeps the runtime (its `useRuntime` src is main.py); "Other" (None) has neither.
PYTHON_PRESETS = frozenset({"fastapi", "flask", "django", "python"})
# Where a preset's catch-all sends requests (frameworks.ts `defaultRoutes`).
CATCH_ALL = {"fasthtml": "/main"}


@dataclass(frozen=True)
class Preset:
    """The preset a build uses. `slug` None is "Other"; `source` says who decided it:
    "vercel.json", "project.json" (the linked project's stored setting) or "detected"
    (what a new project gets, and what an older project may not have)."""

    slug: str | None
    source: str

    @property
    def pinned(self) -> bool:
        """Whether the project states the preset rather than relying on the dashboard."""
        return self.source == "vercel.json"

    @property
    def routes_everything_to_app(self) -> bool:
        """Whether a request's path reaches one app through the preset's catch-all."""
        return self.slug in PYTHON_PRESETS or self.slug in CATCH_ALL


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _matches(root: Path, detectors: tuple[tuple[str, str | None], ...], every: bool) -> bool:
    hits = []
    for name, pattern in detectors:
        text = _read(root / name)
        found = text is not None and (
            pattern is None or re.search(pattern, text, re.MULTILINE) is not None
        )
        hits.append(found)
    return all(hits) if every else any(hits)


def detect(root: Path) -> str | None:
    """The preset a new project gets: a framework whose detector matches (the ones listed
    before the Python frameworks first, preset_frameworks), else `python` for any Python
    manifest, else None ("Other")."""
    for slug, every_of, some_of in EARLIER:
        if _matches(root, every_of, every=True) and (
            not some_of or _matches(root, some_of, every=False)
        ):
            return slug
    for slug, detectors, every in _DETECTORS:
        if _matches(root, detectors, every):
            return slug
    if any((root / name).is_file() for name in MANIFESTS):
        return "python"
    return None


def read_json_object(path: Path) -> dict[str, object] | None:
    """A JSON file's top-level object, or None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _setting(data: dict[str, object] | None) -> tuple[bool, str | None]:
    if data is None or "framework" not in data:
        return False, None
    slug = data["framework"]
    return True, slug if isinstance(slug, str) else None


def preset_of(root: Path) -> Preset:
    """vercel.json's `"framework"`, else the linked project's setting, else detection."""
    found, slug = _setting(read_vercel_config(root))
    if found:
        return Preset(slug, "vercel.json")
    project = read_json_object(root / ".vercel" / "project.json") or {}
    settings = project.get("settings")
    found, slug = _setting(settings if isinstance(settings, dict) else None)
    if found:
        return Preset(slug, "project.json")
    return Preset(detect(root), "detected")
