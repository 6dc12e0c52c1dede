"""`preflight check`: static and dependency checks for what would crash on Vercel/Lambda.

Exit codes: 0 no error-level finding, 1 at least one, 2 usage error (one line on
stderr), 3 a rule crashed (a bug in preflight; the other rules' findings are still
shown). Results go to stdout (or --output); the summary of what Vercel will see and
of skipped checks goes to stderr, so machine formats stay clean on stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, assert_never

from preflight import fix as fixing
from preflight.commands.options import enum_type, env_flag, metavar
from preflight.config import Target
from preflight.deploy_roots import DeployRoot, deploy_roots
from preflight.engine import Result, combine, run_check
from preflight.errors import ExitCode, UsageError, debug_enabled, please_report
from preflight.files import holds_python, shown_path
from preflight.report import Format, render, text
from preflight.report.text import summary


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="find what would crash on Vercel / Lambda, with file:line and the fix",
        description="Static and dependency checks for Python web apps on Vercel / Lambda.",
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument(
        "--target",
        type=enum_type(Target, "PREFLIGHT_TARGET"),
        metavar=metavar(Target),
        default=os.environ.get("PREFLIGHT_TARGET"),
        help="platform to check for (default: vercel, or [tool.preflight] target; "
        "env PREFLIGHT_TARGET)",
    )
    parser.add_argument(
        "--python",
        metavar="X.Y",
        default=os.environ.get("PREFLIGHT_PYTHON"),
        help="CPython version to resolve wheels for (default: what Vercel picks; "
        "env PREFLIGHT_PYTHON)",
    )
    parser.add_argument(
        "-f",
        "--format",
        type=enum_type(Format, "PREFLIGHT_FORMAT"),
        metavar=metavar(Format),
        default=os.environ.get("PREFLIGHT_FORMAT", Format.TEXT.value),
        help="output format (default: text; env PREFLIGHT_FORMAT)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write results to FILE")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the fixes that pass a re-check, showing a diff first",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never query the package index; use the cache only (env PREFLIGHT_OFFLINE=1)",
    )
    parser.add_argument("--cache-dir", metavar="DIR", help="index cache (default: user cache)")
    parser.add_argument("--no-color", action="store_true", help="plain text output")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every rule with its status (and tracebacks of internal errors)",
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="print the rule reference (Markdown) and exit"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.list_rules:
        from preflight.rules._docs import rules_markdown

        sys.stdout.write(rules_markdown())
        return ExitCode.OK
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{args.path} is not a directory")
    if not holds_python(root):
        raise UsageError(
            f"{args.path} is not a Python project: no .py file and no requirements.txt,"
            " pyproject.toml or Pipfile that a deploy would upload"
        )
    if args.fix and args.format is not Format.TEXT:
        raise UsageError("--fix works with --format text only")
    args.offline = args.offline or env_flag("PREFLIGHT_OFFLINE")
    nested = deploy_roots(root)
    if nested and args.fix:
        folders = " or ".join(shown_path(r.path, root.resolve()) for r in nested)
        raise UsageError(
            f"--fix changes one project: {args.path} deploys no Python itself, run it on {folders}"
        )
    result = _run_nested(args, root, nested) if nested else _run(args, root)
    if args.fix:
        result = _fix(args, root, result)
    _emit(_render(result, args), args.output)
    print("\n".join(summary(result, verbose=args.verbose)), file=sys.stderr)
    verbose = args.verbose or debug_enabled()
    for crash in result.crashes:
        where = f" on {shown_path(crash.path, root)}" if crash.path is not None else ""
        what = f"preflight check: internal error in rule {crash.rule_id}{where}"
        trace = crash.traceback if verbose else None
        print(please_report(what, crash.error, trace), file=sys.stderr)
    return result.exit_code


def _render(result: Result, args: argparse.Namespace) -> str:
    fmt: Format = args.format
    match fmt:
        case Format.TEXT:
            color = not args.no_color and not args.output and sys.stdout.isatty()
            return text.render(result, color=color, with_summary=False)
        case Format.JSON | Format.SARIF:
            return render(result, fmt)
        case _:
            assert_never(fmt)


def _emit(output: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(output)
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _run_nested(args: argparse.Namespace, root: Path, nested: tuple[DeployRoot, ...]) -> Result:
    """Each Python project in a folder that deploys none itself (a monorepo's backend/),
    reported from that folder."""
    parts = [dataclasses.replace(_run(args, r.path), checked_as=r.reason) for r in nested]
    return combine(parts, root)


def _run(args: argparse.Namespace, root: Path) -> Result:
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        return run_check(
            root,
            target=args.target,
            python=args.python,
            offline=args.offline,
            cache_dir=Path(args.cache_dir) if args.cache_dir else None,
            observer=progress,
        )
    finally:
        if progress is not None:
            progress.clear()


class _Progress:
    """One self-overwriting status line on stderr, only when it is a terminal."""

    def __call__(self, phase: str) -> None:
        sys.stderr.write(f"\rpreflight check: {phase}...\033[K")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _fix(args: argparse.Namespace, root: Path, result: Result) -> Result:
    """Re-check every fix on a copy of the project, show the ones that pass as a diff,
    write them, and check again; a refused fix is named with the reason."""
    changes, refused = fixing.verified(
        result.findings, result.project.root, lambda copy: _run(args, copy).findings
    )
    for refusal in refused:
        print(
            f"preflight check: not applied: {refusal.description}: {refusal.reason}",
            file=sys.stderr,
        )
    if not changes:
        if not refused:
            print("preflight check: no safe fixes to apply", file=sys.stderr)
        return result
    sys.stdout.write(fixing.diff(changes, result.project.root))
    fixing.apply(changes)
    described = [d for c in changes for d in c.descriptions]
    print(
        f"preflight check: applied {len(described)} fix{'es' if len(described) != 1 else ''} "
        f"to {len(changes)} file{'s' if len(changes) != 1 else ''}: {'; '.join(described)}",
        file=sys.stderr,
    )
    return _run(args, root)
