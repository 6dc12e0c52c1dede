"""Human output: each finding as file:line, the cause, a code frame and a one-line fix,
then what Vercel will see and a summary that names any skipped checks.
"""

from __future__ import annotations

from preflight.engine import Result
from preflight.files import shown_path
from preflight.findings import Finding, Severity
from preflight.rules.bundle_size import Estimate

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


def _frame(finding: Finding) -> list[str]:
    loc = finding.location
    try:
        lines = loc.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    if not 0 < loc.line <= len(lines):
        return []
    out = []
    width = len(str(min(loc.line + 1, len(lines))))
    for number in range(max(1, loc.line - 1), min(len(lines), loc.line + 1) + 1):
        marker = ">" if number == loc.line else " "
        out.append(f"  {marker} {number:>{width}} | {lines[number - 1]}")
        if number == loc.line and loc.column > 0:
            end = loc.end_column if loc.end_line == loc.line and loc.end_column else loc.column + 1
            span = max(1, end - loc.column)
            out.append(f"    {' ' * width} | {' ' * (loc.column - 1)}{'^' * min(span, 60)}")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result: Result, color: bool = False, with_summary: bool = True) -> str:
    root = result.base
    out: list[str] = []
    for finding in result.findings:
        loc = finding.location
        level = finding.severity.value
        if color:
            level = f"\033[{_COLORS[finding.severity]}m{level}\033[0m"
        out.append(
            f"{shown_path(loc.path, root)}:{loc.line}:{loc.column}: {level} {finding.rule_id} "
            f"[{finding.fid}] {finding.message}"
        )
        out.extend(_frame(finding))
        fixable = "  (preflight check --fix does this)" if finding.autofix else ""
        out.append(f"    fix: {finding.fix}{fixable}")
        out.append("")
    if with_summary:
        out.extend(summary(result))
    return "\n".join(out) + "\n" if out else ""


def summary(result: Result, verbose: bool = False) -> list[str]:
    """What Vercel will see, what was checked and skipped, and the verdict; for each
    project when the folder checked holds several (deploy_roots)."""
    if not result.parts:
        return ["What Vercel will see:", *_project_lines(result), *_totals(result, verbose)]
    lines: list[str] = []
    for part in result.parts:
        folder = shown_path(part.project.root, result.base)
        lines.append(f"What Vercel will see in {folder}/ ({part.checked_as}):")
        lines.extend(_project_lines(part))
    return [*lines, *_totals(result, verbose)]


def _project_lines(result: Result) -> list[str]:
    return [
        _manifest_line(result),
        _python_line(result),
        _entrypoint_line(result),
        f"  checked:    {_plural(result.files, 'file')}, {result.lines} lines, "
        f"target {result.target} / CPython {result.python}",
        *_install_lines(result),
        *(f"  skipped:    {check}: {reason}" for check, reason in result.skipped),
    ]


def _totals(result: Result, verbose: bool) -> list[str]:
    return [*_rule_lines(result, verbose), _verdict(result)]


def _manifest_line(result: Result) -> str:
    manifest = result.project.manifest
    if manifest is None:
        return "  manifest:   none (nothing will be installed)"
    return f"  manifest:   {shown_path(manifest.path, result.project.root)} ({manifest.reason})"


def _python_line(result: Result) -> str:
    python = result.project.python
    if python.path is None:
        origin = "Vercel's default"
    elif python.source == "requires-python":
        origin = f"requires-python in {shown_path(python.path, result.project.root)}"
    else:
        origin = shown_path(python.path, result.project.root)
    ignored = f"; {python.requested!r} requested but not offered" if python.ignored else ""
    return f"  python:     {python.version} (from {origin}{ignored})"


# Why Vercel picks that file, in words a reader can check (project/entrypoint.py sources).
_ENTRYPOINT_SOURCES = {
    "candidate": "found by Vercel's file search: {app,index,server,main,wsgi,asgi}.py "
    "in ., src/, app/, api/",
    "vercel.json": "named by vercel.json",
    "tool.vercel.entrypoint": "named by [tool.vercel] entrypoint in pyproject.toml",
    "project.scripts": "named by [project.scripts] app in pyproject.toml",
    "django": "the WSGI application manage.py's settings name",
}


def _entrypoint_line(result: Result) -> str:
    entry = result.project.entrypoint
    if entry is None:
        return "  entrypoint: none detected"
    return (
        f"  entrypoint: {shown_path(entry.path, result.project.root)}:{entry.line} exports "
        f"`{entry.name}` ({_ENTRYPOINT_SOURCES.get(entry.source, entry.source)})"
    )


def _install_lines(result: Result) -> list[str]:
    if result.install is None or not (result.install[0] or result.project.manifest):
        return []
    count, size, source = result.install
    about = Estimate(size, result.install_not_counted).about(f"{size / 1e6:.0f} MB", source)
    return [f"  installs:   {_plural(count, 'distribution')}, {about}"]


def _rule_lines(result: Result, verbose: bool) -> list[str]:
    by_status: dict[str, int] = {}
    for status in result.statuses:
        by_status[status.status] = by_status.get(status.status, 0) + 1
    counts = ", ".join(f"{n} {name}" for name, n in sorted(by_status.items()))
    lines = [f"  rules:      {counts}{'' if verbose else '  (-v lists them)'}"]
    if verbose:
        names = {rule.id: rule.name for rule in result.rules}
        width = max((len(name) for name in names.values()), default=0)
        for status in result.statuses:
            reason = f": {status.reason}" if status.reason else ""
            name = names.get(status.rule_id, "")
            lines.append(
                f"    {status.rule_id:<7} {status.fid:<4} {name:<{width}}  {status.status}{reason}"
            )
    return lines


def _verdict(result: Result) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    found = ", ".join(_plural(counts[s], s.value) for s in Severity if counts[s])
    files = len({f.location.path for f in result.findings})
    if result.crashes:
        crashed = len({c.rule_id for c in result.crashes})
        so_far = f"; so far {found} in {_plural(files, 'file')}" if found else ""
        return f"Incomplete: {_plural(crashed, 'rule')} crashed (see below){so_far}."
    if result.findings:
        return f"Found {found} in {_plural(files, 'file')}."
    if result.skipped:
        return "No problems found, but some checks were skipped (see above)."
    return "No problems found."
