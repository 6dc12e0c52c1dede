"""`--fix`: apply the fixes findings carry, after re-checking them on a copy of the
project and showing them as a unified diff.

Fixes are line edits, so several findings can fix one file in the same run (two missing
dependencies into one pyproject.toml). Two edits of the same lines conflict: the first
wins and the other finding stays for the next run.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight.findings import Edit, Finding, Severity


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


# --- re-check before writing -------------------------------------------------------

# Folders copied for a re-check only by name: big, and never read by `check`.
_NOT_COPIED = shutil.ignore_patterns(".git", ".hg", "node_modules")

Recheck = Callable[[Path], list[Finding]]


@dataclass(frozen=True)
class Refusal:
    description: str
    reason: str


def verified(
    findings: Sequence[Finding], root: Path, recheck: Recheck
) -> tuple[list[FileChange], list[Refusal]]:
    """The changes of the fixes that survive a re-check, and why the others are refused.

    Each candidate is applied to a copy of the project and `recheck` runs there: a fix is
    kept only if its own finding is gone and no error appears that was not there before
    (a pyproject.toml without [project] that hides requirements.txt, a dependency name
    the index does not know). All fixes together are tried first; when they fail
    together, each is added in turn and kept only if the set still passes.
    """
    fixable = [f for f in findings if f.autofix is not None]
    if not fixable:
        return [], []
    before = _keys(findings, root, errors_only=True)
    if _passes(fixable, findings, before, root, recheck) is None:
        return plan(fixable), []
    kept: list[Finding] = []
    refused: list[Refusal] = []
    for finding in fixable:
        reason = _passes([*kept, finding], findings, before, root, recheck)
        if reason is None:
            kept.append(finding)
        else:
            assert finding.autofix is not None
            refused.append(Refusal(finding.autofix.description, reason))
    return plan(kept), refused


def _passes(
    chosen: list[Finding],
    findings: Sequence[Finding],
    before: Counter[tuple[str, str]],
    root: Path,
    recheck: Recheck,
) -> str | None:
    """None when applying `chosen` removes their findings and adds no error, else why."""
    changes = plan(chosen)
    with tempfile.TemporaryDirectory(prefix="preflight-fix-") as scratch:
        copy = Path(scratch) / root.name
        try:
            shutil.copytree(
                root, copy, symlinks=True, ignore=_NOT_COPIED, copy_function=_link_or_copy
            )
        except (OSError, shutil.Error) as exc:  # shutil.Error: a list of per-file failures
            return f"the project could not be copied to re-check it ({str(exc)[:200]})"
        for change in changes:
            try:
                target = copy / change.path.relative_to(root)
            except ValueError:
                return f"it would change {change.path}, outside the project"
            target.unlink(missing_ok=True)  # a hard link: never write through to the original
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.new, encoding="utf-8")
        after = recheck(copy)
        new_errors = _keys(after, copy, errors_only=True) - before
        if new_errors:
            rule, path = sorted(new_errors)[0]
            return f"the re-check then fails with {rule} in {path}"
        remaining = _keys(after, copy, errors_only=False)
        expected = _keys(findings, root, errors_only=False) - _keys(chosen, root, False)
        for key in _keys(chosen, root, errors_only=False):
            if remaining[key] > expected[key]:
                return f"the re-check still reports {key[0]} in {key[1]}"
    return None


def _keys(findings: Iterable[Finding], root: Path, errors_only: bool) -> Counter[tuple[str, str]]:
    """(rule id, file relative to the project) per finding: stable when a fix shifts lines."""
    keys: Counter[tuple[str, str]] = Counter()
    for finding in findings:
        if errors_only and finding.severity is not Severity.ERROR:
            continue
        try:
            rel = finding.location.path.relative_to(root).as_posix()
        except ValueError:
            rel = str(finding.location.path)
        keys[(finding.rule_id, rel)] += 1
    return keys


def _link_or_copy(src: str, dst: str) -> None:
    """Hard links make the copy cheap on a large tree; copy across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
