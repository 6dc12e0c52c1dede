"""Read a CPython traceback printed inside the sandbox: whose code each frame is.

A frame under /var/task is the user's code, under /var/task/_vendor/<name> (or a build
venv's site-packages/<name>) an installed package's, and vercel_runtime's own frames are
the platform's. Telling these apart is what separates "your import is wrong" from "an
installed release breaks another": the same `ModuleNotFoundError` or `KeyError` means a
different fix depending on who raised it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.emulate.sandbox import TASK_ROOT

_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')
# where installed packages live: the function's _vendor, or the build's venv
_INSTALLED = re.compile(r"^(?:/var/task/_vendor|.*/site-packages)/([^/]+)")
RUNTIME_PACKAGE = "vercel_runtime"
HANDLER_FILE = "vc__handler__python.py"  # the builder's shim, not the user's code


@dataclass(frozen=True)
class Frame:
    """One `File "...", line N` of a traceback, classified by where the file lives."""

    path: str
    line: int

    @property
    def package(self) -> str | None:
        """The installed top-level package that owns the file (None: not vendored)."""
        match = _INSTALLED.match(self.path)
        return match.group(1).removesuffix(".py") if match else None

    @property
    def is_user(self) -> bool:
        rel = self.path.removeprefix(TASK_ROOT + "/")
        return (
            self.path.startswith(TASK_ROOT + "/") and self.package is None and rel != HANDLER_FILE
        )

    @property
    def rel(self) -> str:
        return self.path.removeprefix(TASK_ROOT + "/")


def frames(text: str) -> list[Frame]:
    """Every frame in `text`, outermost first (the order CPython prints them)."""
    return [Frame(m.group("path"), int(m.group("line"))) for m in _FRAME.finditer(text)]


def user_location(text: str) -> str | None:
    """The innermost traceback frame in the user's code (under /var/task, not _vendor)."""
    found = [f for f in frames(text) if f.is_user]
    return f"{found[-1].rel}:{found[-1].line}" if found else None


def user_packages(text: str) -> set[str]:
    """Top-level names of the user's own modules the traceback passes through
    (`/var/task/api/main.py` -> "api"): proof that the name is the project's, not PyPI's."""
    names = set()
    for frame in frames(text):
        if frame.is_user:
            names.add(frame.rel.split("/", 1)[0].removesuffix(".py"))
    return names


def library_chain(text: str) -> tuple[str, str] | None:
    """(caller, raiser) when the exception was raised inside one installed package called
    from another, after the user's last frame: `Quart(__name__)` -> quart -> flask raises."""
    found = frames(text)
    last_user = max((i for i, f in enumerate(found) if f.is_user), default=-1)
    tail = found[last_user + 1 :]
    if not tail or tail[-1].package is None:
        return None
    names: list[str] = []
    for frame in tail:
        package = frame.package
        if package is None or package == RUNTIME_PACKAGE:
            return None  # the user's code or the platform in between: not a library pair
        if not names or names[-1] != package:
            names.append(package)
    return (names[0], names[-1]) if len(names) >= 2 and names[0] != names[-1] else None


def importer(text: str) -> str:
    """Who ran the failing import, in words: an installed package or the user's file."""
    found = frames(text)
    if not found:
        return "the app"
    last = found[-1]
    if last.package is not None:
        return f"the installed package {last.package!r}"
    return last.rel if last.is_user else "the app"
