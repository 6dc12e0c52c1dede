"""Which files a deploy uploads: everything except tool folders, virtualenvs and what
`.vercelignore` excludes (gitignore-style patterns: `/anchored`, `dir/`, `*.glob`, `!keep`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".vercel",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
    }
)


def _ignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / ".vercelignore").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        anchored = pattern.startswith("/")
        pattern = pattern.strip("/")
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if anchored or "/" in pattern:
            hit = any(fnmatch.fnmatch(p, pattern) for p in prefixes)
        else:
            hit = fnmatch.fnmatch(name, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts)
        if hit:
            ignored = not negate
    return ignored


def uploaded_files(root: Path) -> Iterator[Path]:
    """Files a deploy of `root` uploads: not in tool/venv folders or .vercelignore."""
    patterns = _ignore_patterns(root)
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(directory.iterdir())
        except OSError:
            continue
        for entry in entries:
            rel = entry.relative_to(root).as_posix()
            if _ignored(rel, patterns):
                continue
            if entry.is_dir():
                if entry.name not in SKIP_DIRS and not (entry / "pyvenv.cfg").exists():
                    stack.append(entry)
            elif entry.is_file():
                yield entry
