"""The `preflight` command line: parses arguments, hands off to one subcommand module,
and is the one error boundary (exit codes in preflight.errors).

Nothing below this function prints a traceback: bad input is a one-line usage error
(exit 2), a bug in preflight is an internal error with a "please report" line (exit 3).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from preflight import __version__, one_pass
from preflight.errors import (
    ExitCode,
    UsageError,
    debug_enabled,
    format_traceback,
    one_line,
    please_report,
)

# Subcommand modules under preflight.commands; each defines
# `register(subparsers) -> None`, which adds its parser and sets `handler` (args -> int).
SUBCOMMANDS = ("check", "run")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (`preflight check: error: ...`), exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(ExitCode.USAGE)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with only the chosen subcommand's module imported when `argv` names
    one: `check` then skips `run`'s build and emulation code (~0.1 s of every check).
    Help, `--version` and usage errors get every subcommand, so they list them all."""
    parser = OneLineParser(
        prog="preflight",
        description="Prove a Python web app will not crash on Vercel / AWS Lambda.",
    )
    parser.add_argument("--version", action="version", version=f"preflight {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )
    for name in _chosen(sys.argv[1:] if argv is None else argv):
        module = importlib.import_module(f"preflight.commands.{name}")
        module.register(subparsers)
    return parser


def _chosen(argv: Sequence[str]) -> tuple[str, ...]:
    """The subcommand to register: the one `argv` starts with, else all of them (an
    option before the command, such as `-h`, is for the top-level parser)."""
    if argv and argv[0] in SUBCOMMANDS:
        return (argv[0],)
    return SUBCOMMANDS


@contextmanager
def _collector_off() -> Iterator[None]:
    """Importing a subcommand's modules makes objects that live until the process ends
    (functions, classes, compiled patterns): the collector's passes over them while they
    load find nothing to free and were a seventh of the imports' time (0.12 -> 0.10 s
    CPU for `check`). run_check keeps it off during the check for the same reason."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    args: argparse.Namespace | None = None
    try:
        with _collector_off():
            parser = build_parser(argv)
        args = parser.parse_args(argv)
        return int(args.handler(args))
    except UsageError as exc:
        command = getattr(args, "command", None)
        print(f"preflight{f' {command}' if command else ''}: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `preflight check | head`: the reader left, which is no bug. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    except Exception as exc:  # the boundary: a bug anywhere below is reported, not dumped
        verbose = debug_enabled() or bool(getattr(args, "verbose", False))
        trace = format_traceback(exc) if verbose else None
        print(please_report("preflight: internal error", one_line(exc), trace), file=sys.stderr)
        return ExitCode.INTERNAL


def run() -> NoReturn:
    """The `preflight` command (tests call `main`). A check ends with os._exit once its
    report is written and flushed: what it built (Django's million parsed nodes, ~0.13 s
    to free one by one, see one_pass) goes with the process instead. The collector stays
    off to the end, or its next full pass would walk all those nodes again. Only `check`:
    it leaves nothing to clean up at exit, where `run` has its builder's folders."""
    if sys.argv[1:2] != ["check"]:
        sys.exit(main())
    gc.disable()
    one_pass.leave_for_exit()
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left before the last of the report
        code = ExitCode.BROKEN_PIPE
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
