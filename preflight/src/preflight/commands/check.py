"""`preflight check`: static and dependency checks for what would crash on Vercel/Lambda.

Exit codes: 0 no error-level finding, 1 at least one, 2 usage error (one line on
stderr). Results go to stdout (or --output); the summary of what Vercel will see and
of skipped checks goes to stderr, so machine formats stay clean on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import types
from pathlib import Path
from typing import Any, NoReturn

from preflight import fix as fixing
from preflight.config import ConfigError
from preflight.engine import TARGETS, Result, run_check
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
        choices=TARGETS,
        default=os.environ.get("PREFLIGHT_TARGET"),
        help="platform to check for (default: vercel, or [tool.preflight] target)",
    )
    parser.add_argument(
        "--python",
        metavar="X.Y",
        default=os.environ.get("PREFLIGHT_PYTHON"),
        help="CPython version to resolve wheels for (default: what Vercel picks)",
    )
    parser.add_argument(
        "-f",
        "--format",
        choices=[f.value for f in Format],
        default=os.environ.get("PREFLIGHT_FORMAT", Format.TEXT.value),
        help="output format (default: text)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write results to FILE")
    parser.add_argument(
        "--fix", action="store_true", help="apply the safe fixes, showing a diff first"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=os.environ.get("PREFLIGHT_OFFLINE", "") not in {"", "0"},
        help="never query the package index; use the cache only",
    )
    parser.add_argument("--cache-dir", metavar="DIR", help="index cache (default: user cache)")
    parser.add_argument("--no-color", action="store_true", help="plain text output")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list every rule with its status"
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="print the rule reference (Markdown) and exit"
    )
    parser.error = types.MethodType(_one_line_error, parser)  # type: ignore[method-assign]
    parser.set_defaults(handler=handle)


def _one_line_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    print(f"preflight check: error: {message}", file=sys.stderr)
    sys.exit(2)


def handle(args: argparse.Namespace) -> int:
    if args.list_rules:
        from preflight.rules._docs import rules_markdown

        sys.stdout.write(rules_markdown())
        return 0
    root = Path(args.path)
    if not root.is_dir():
        print(f"preflight check: error: {args.path} is not a directory", file=sys.stderr)
        return 2
    if args.fix and args.format != Format.TEXT.value:
        print("preflight check: error: --fix works with --format text only", file=sys.stderr)
        return 2
    try:
        result = _run(args, root)
        if args.fix:
            result = _fix(args, root, result)
    except ConfigError as exc:
        print(f"preflight check: error: {exc}", file=sys.stderr)
        return 2
    fmt = Format(args.format)
    color = fmt is Format.TEXT and not args.no_color and not args.output and sys.stdout.isatty()
    if fmt is Format.TEXT:
        output = text.render(result, color=color, with_summary=False)
    else:
        output = render(result, fmt)
    if args.output:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"preflight check: error: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
    elif output:
        sys.stdout.write(output)
    print("\n".join(summary(result, verbose=args.verbose)), file=sys.stderr)
    return result.exit_code


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
    changes = fixing.plan(result.findings)
    if not changes:
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
