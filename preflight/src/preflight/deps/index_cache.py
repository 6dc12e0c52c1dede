"""The index's on-disk cache: where an entry is read and written, and the trimmed shape
of project pages and releases in it.

Why apart from the client (index.py): the cache format is what the committed test
fixture (tests/fixtures/check/pypi-cache) holds, so it changes on its own terms, while the
client decides when an entry is fresh and what to fetch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def store(path: Path, data: dict[str, Any]) -> None:
    """Write an entry atomically (a reader never sees half of one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, indent=0), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache (CI fixture) is fine: we just do not remember


def load(path: Path) -> dict[str, Any] | None:
    """A cached entry, or None when missing or unreadable (then it is fetched again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def trim_project(data: dict[str, Any]) -> dict[str, Any]:
    """A project page as cached: the latest version and the versions with files."""
    info = data.get("info") or {}
    releases = data.get("releases") or {}
    versions = [v for v, files in releases.items() if files]
    return {"latest": info.get("version", ""), "versions": versions}


def release_entry(
    files: list[dict[str, Any]], requires_dist: list[str] | None, requires_python: str | None
) -> dict[str, Any]:
    """A release as cached: per file only what the checks read."""
    return {
        "files": [
            {
                "filename": f["filename"],
                "size": int(f.get("size") or 0),
                "yanked": bool(f.get("yanked")),
                "requires_python": f.get("requires_python"),
                "url": f.get("url"),
            }
            for f in files
        ],
        "requires_dist": requires_dist,
        "requires_python": requires_python,
    }
