"""Inline suppression: `# preflight: ignore` or `# preflight: ignore[F5, PF702]` on the
line a finding points at. One grammar for every rule kind: code rules read it from the
parsed module, project rules from the file their finding is in (Python, requirements
files, TOML and dotenv files, the formats where `#` starts a comment).
"""

from __future__ import annotations

import re
from pathlib import Path

_SUPPRESS = re.compile(r"#\s*preflight:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
# Files where `#` starts a comment, so the marker cannot change what the file means.
_COMMENTED_SUFFIXES = frozenset({".py", ".txt", ".in", ".toml", ".cfg"})
_COMMENTED_NAMES = frozenset({"Pipfile"})


def suppresses(line: str, rule_id: str, fid: str) -> bool:
    """Whether this source line carries a marker naming the rule, its F-id, or nothing."""
    match = _SUPPRESS.search(line)
    if match is None:
        return False
    if match.group(1) is None:
        return True
    wanted = {part.strip().upper() for part in match.group(1).split(",")}
    return rule_id.upper() in wanted or fid.upper() in wanted


class FileLines:
    """Lines of the files project findings point at, each read once per check."""

    def __init__(self) -> None:
        self._cache: dict[Path, list[str]] = {}

    def suppressed(self, path: Path, line: int, rule_id: str, fid: str) -> bool:
        if not _takes_comments(path):
            return False
        lines = self._cache.get(path)
        if lines is None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            self._cache[path] = lines
        return 0 < line <= len(lines) and suppresses(lines[line - 1], rule_id, fid)


def _takes_comments(path: Path) -> bool:
    dotenv = path.name == ".env" or path.name.startswith(".env.")
    return dotenv or path.suffix in _COMMENTED_SUFFIXES or path.name in _COMMENTED_NAMES
