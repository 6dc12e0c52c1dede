"""`--fix`: apply the safe fixes findings carry, after showing them as a unified diff.

Fixes are line edits, so several findings can fix one file in the same run (two missing
dependencies into one pyproject.toml). Two edits of the same lines conflict: the first
wins and the other finding stays for the next run.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from preflight.findings import Edit, Finding


@dataclass(frozen=True)
class FileChange:
    path: Path
    old: str | None  # None: the file is created
    new: str
    descriptions: tuple[str, ...]


def plan(findings: Iterable[Finding]) -> list[FileChange]:
    """The file changes the findings' autofixes make, without writing anything."""
    by_path: dict[Path, list[tuple[Edit, str]]] = defaultdict(list)
    for finding in findings:
        if finding.autofix is not None:
            for edit in finding.autofix.edits:
                by_path[finding.autofix.path].append((edit, finding.autofix.description))
    changes = []
    for path, edits in sorted(by_path.items()):
        try:
            # not strict: a UTF-16 manifest is what one fix re-encodes (PF303)
            old: str | None = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            old = None
        lines = (old or "").splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        new_lines, used = _apply(lines, edits)
        new = "".join(new_lines)
        if new != (old or ""):
            changes.append(FileChange(path, old, new, tuple(dict.fromkeys(used))))
    return changes


def _apply(lines: list[str], edits: list[tuple[Edit, str]]) -> tuple[list[str], list[str]]:
    size = len(lines)
    resolved = []
    for edit, description in edits:
        start = size if edit.start < 0 else min(edit.start, size)
        end = size if edit.end < 0 else min(edit.end, size)
        resolved.append((start, end, edit.text, description))
    accepted: list[tuple[int, int, str, str]] = []
    for item in resolved:
        start, end = item[0], item[1]
        clash = any(s < end and start < e for s, e, _, _ in accepted if s != e or start != end)
        duplicate = any(a[:3] == item[:3] for a in accepted)
        if not clash and not duplicate:
            accepted.append(item)
    result = list(lines)
    # apply bottom-up so earlier indices stay valid; inserts at one point keep their order
    ordered = sorted(enumerate(accepted), key=lambda p: (p[1][0], p[1][1], p[0]), reverse=True)
    for _, (start, end, text, _description) in ordered:
        result[start:end] = [text]
    return result, [a[3] for a in sorted(accepted, key=lambda a: a[0])]


def diff(changes: Iterable[FileChange], root: Path) -> str:
    out: list[str] = []
    for change in changes:
        try:
            rel = change.path.relative_to(root).as_posix()
        except ValueError:
            rel = str(change.path)
        out.extend(
            difflib.unified_diff(
                (change.old or "").splitlines(keepends=True),
                change.new.splitlines(keepends=True),
                fromfile="/dev/null" if change.old is None else f"a/{rel}",
                tofile=f"b/{rel}",
            )
        )
    return "".join(out)


def apply(changes: Iterable[FileChange]) -> None:
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        change.path.write_text(change.new, encoding="utf-8")
