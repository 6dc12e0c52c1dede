"""The command line's error contract, shared by every subcommand.

Exit codes: 0 clean, 1 findings / failed probes, 2 usage or environment error (one line
on stderr), 3 a bug in preflight itself (a "please report" line; the traceback only with
-v or PREFLIGHT_DEBUG=1), 130 interrupted, 141 the reader of stdout went away. Keeping 3
apart from 1 and 2 means a crash in preflight is never read as a verdict about the
user's project, nor as their mistake.
"""

from __future__ import annotations

import enum
import os
import traceback as tb

from preflight import __version__


class ExitCode(enum.IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `preflight ... | head`


class UsageError(Exception):
    """Bad input from the user (arguments, environment, configuration): one line, exit 2."""


def debug_enabled() -> bool:
    """PREFLIGHT_DEBUG=1 asks for tracebacks of internal errors (as -v does)."""
    return os.environ.get("PREFLIGHT_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def one_line(exc: BaseException) -> str:
    """`ValueError: bad thing` on one line, however long the message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def please_report(what: str, error: str, traceback: str | None = None) -> str:
    """The lines printed for a bug in preflight: where, the exception in one line, how to
    report it, and the traceback when asked for (-v or PREFLIGHT_DEBUG=1)."""
    hint = "." if traceback else " (PREFLIGHT_DEBUG=1 or -v shows the traceback)."
    lines = [
        f"{what}: {error}",
        f"  This is a bug in preflight {__version__}, not a verdict on your project: "
        f"please report it with this message{hint}",
    ]
    if traceback:
        lines.append(traceback.rstrip("\n"))
    return "\n".join(lines)


def format_traceback(exc: BaseException) -> str:
    return "".join(tb.format_exception(exc))
