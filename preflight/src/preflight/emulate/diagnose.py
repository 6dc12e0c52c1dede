"""Turn what a failed build or function printed into a failure mode (F-id) and its fix.

The ids and titles are the failure catalogue's (preflight/catalogue.py); the patterns are
the words CPython, vercel-runtime, uvicorn and Vercel's builder actually print, one row of
a table each. The most specific row wins (a KeyError on os.environ is F15 before it is a generic
F11). A failed build is classified by build_diagnosis.py, which reads the rows marked `build`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from preflight.catalogue import CATALOGUE
from preflight.emulate.frames import importer, library_chain, user_location, user_packages
from preflight.emulate.own_module import own_module


@dataclass(frozen=True)
class Diagnosis:
    """One failure mode recognised in the evidence, with where and how to fix it."""

    fid: str
    title: str
    cause: str  # one sentence, with the concrete names found (file, variable, module)
    fix: str  # what to change, paste-ready where possible
    location: str | None = None  # "app.py:11": the user's frame, not the runtime's


Cause = Callable[[re.Match[str], str], str]


@dataclass(frozen=True)
class Pattern:
    """One row of the table: the words a failure mode prints, and how to word it.

    `cause` turns the match (and the whole evidence) into the sentence the user reads;
    `when` is a second pattern the evidence must also contain, `applies` a test on the
    match and the evidence (which frames the traceback shows); `build` marks the rows a
    builder failure may show (the others are what a running function prints)."""

    fid: str
    regex: str
    cause: Cause
    fix: str
    when: str | None = None
    build: bool = False
    applies: Callable[[re.Match[str], str], bool] | None = None  # a test beyond the regex


_MISSING = r"ModuleNotFoundError: No module named '([\w.]+)'"


def _const(text: str) -> Cause:
    return lambda _m, _t: text


def _last_line(_m: re.Match[str], text: str) -> str:
    last = [line for line in text.strip().splitlines() if line.strip()]
    return f"importing the app raised: {last[-1].strip() if last else 'an exception'}"


def _f2_fix(m: re.Match[str]) -> str:
    return (
        f"add the distribution that provides {m.group(1).split('.')[0]!r} to "
        "[project.dependencies] (or requirements.txt) and re-lock; dev groups and extras are "
        "not installed."
    )


def _f15_fix(m: re.Match[str]) -> str:
    name = m.group(1)
    return (
        f"add {name} to the project's environment variables (`vercel env add {name}`), "
        f"and read it with a default or report it from /health instead of "
        f"os.environ[{name!r}] at import."
    )


# Standard-library modules CPython removed (PEP 632, PEP 594, imp), with the release that
# dropped them: Vercel runs 3.12 at least, so an old release importing one cannot start.
REMOVED_STDLIB = {
    **dict.fromkeys(("distutils", "imp", "asynchat", "asyncore", "smtpd"), "3.12"),
    **dict.fromkeys(
        [
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
            "lib2to3",
        ],
        "3.13",
    ),
}
_REMOVED = "|".join(sorted(REMOVED_STDLIB))


def _removed_stdlib(m: re.Match[str], text: str) -> str:
    name = m.group(1)
    return (
        f"{importer(text)} imports {name}, which CPython {REMOVED_STDLIB[name]} removed from "
        "the standard library: the release installed predates the Python Vercel runs"
    )


def _local_module(m: re.Match[str], text: str) -> bool:
    """The missing module lives in the user's own package (the traceback passes through
    /var/task/<top>/), or CPython says a module of it is no package: no PyPI install helps."""
    return bool(m.group(2)) or m.group(1).split(".")[0] in user_packages(text)


def _local_cause(m: re.Match[str], _t: str) -> str:
    why = f": {m.group(2)!r} is a module, not a package" if m.group(2) else ""
    return (
        f"the app imports {m.group(1)!r}, a module of its own code that is not in the "
        f"deployment{why}"
    )


def _library_pair(_m: re.Match[str], text: str) -> str:
    chain = library_chain(text)
    assert chain is not None  # the row applies only when there is one
    caller, raiser = chain
    return (
        f"{caller} called into {raiser}, which raised {_m.group(0).strip()}: the {raiser} "
        f"installed is not a release this {caller} works with"
    )


# Most specific first: a KeyError on os.environ is F15 before it is a generic F11.
PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "F4",
        r"builds src '([^']+)' \(@vercel/python\) matches no uploaded file",
        lambda m, _t: (
            f"vercel.json's builds names {m.group(1)!r}, which matches no uploaded file, so "
            "the builder builds no function and the deployment serves none"
        ),
        "point that `src` at the app's file as a path from the project root (or drop "
        "`builds`: zero-config finds the entrypoint).",
        build=True,
    ),
    Pattern(
        "F4",
        r"PYTHON_ENTRYPOINT_NOT_FOUND\]?\s*(.*)|No Python entrypoint[^\n]*|"
        r'missing variable "(\w+)"|no Python function',
        lambda m, _t: (m.group(1) or m.group(0)).strip(),
        "export the ASGI/WSGI app as a top-level `app = ...` (or `application`) in one of "
        "{app,index,server,main,wsgi,asgi}.py at the root or in src/, app/, api/; "
        "`handler = app` alone is not detected (or set [tool.vercel] entrypoint).",
        build=True,
    ),
    Pattern(
        "F3",
        r"No project table found|has no \[project\] table",
        _const(
            "the pyproject.toml that wins has no [project] table, so no dependency is installed"
        ),
        "declare the app's dependencies in one manifest with a [project] table "
        "(pyproject.toml wins over requirements.txt in the same directory).",
        build=True,
    ),
    Pattern(
        "F3",
        r"could not parse (requirements[\w.-]*\.txt): Unexpected '\ufffd'",
        lambda m, _t: (
            f"{m.group(1)} is not UTF-8 (UTF-16, as PowerShell's `pip freeze >` writes it), "
            "so the builder cannot read it and installs nothing"
        ),
        "save it as UTF-8 (`preflight check --fix` re-encodes it).",
        build=True,
    ),
    Pattern(
        "F10",
        r"maximum (function|unzipped) size|FUNCTION_SIZE|exceeds the maximum",
        _const("the function bundle exceeds Vercel's 250 MB unzipped limit"),
        "trim dependencies (drop unused heavy packages) or exclude files with "
        "`excludeFiles` in vercel.json.",
        build=True,
    ),
    Pattern(
        "F16",
        r'Python version "?([\d.]+)"? [^\n]*not (installed|available)',
        lambda m, _t: f"the project asks for Python {m.group(1)}, which Vercel does not offer",
        "pin a supported version (3.12, 3.13 or 3.14) in .python-version.",
        build=True,
    ),
    Pattern(
        "F16",
        r"current Python version \(([\d.]+)\) does not satisfy Python>=([\d.]+) and "
        r"vercel-runtime",
        lambda m, _t: (
            f"the build's environment got Python {m.group(1)} (the project pins it, and uv "
            f"obtains it), but Vercel's runtime package needs Python >= {m.group(2)}"
        ),
        "pin a supported version (3.12, 3.13 or 3.14) in .python-version and "
        "requires-python, or drop the pin.",
        build=True,
    ),
    Pattern(
        "F5",
        r"Read-only file system: '([^']*)'",
        lambda m, _t: (
            f"the app writes to {m.group(1)}, but a function's filesystem is read-only except /tmp"
        ),
        "write scratch files with `tempfile` (under /tmp); keep data in a database or "
        "object storage; point caches (HOME, XDG_CACHE_HOME) at /tmp.",
    ),
    Pattern(
        "F8",
        r"attempt to write a readonly database|unable to open database file",
        _const(
            "the app opens an SQLite file inside the read-only bundle (shipped, or to be "
            "created there)"
        ),
        "use a hosted database (DATABASE_URL); a copy under /tmp is lost per instance.",
    ),
    Pattern(
        "F6",
        r"No space left on device|\[Errno 28\]",
        _const("the app filled its 512 MB /tmp (one per instance)"),
        "stream to object storage instead of /tmp; never keep data there.",
    ),
    Pattern(
        "F9",
        r"FUNCTION_INVOCATION_TIMEOUT",
        _const("the function did not answer within its maxDuration, so the platform cut it off"),
        "make the request finish sooner (bounded waits, indexes), raise maxDuration in "
        "vercel.json, or move long work to a queue or cron.",
    ),
    Pattern(
        "F12",
        r"Application startup failed",
        _const("the app's lifespan startup raised, so uvicorn stopped before serving any request"),
        "connect lazily on first use instead of in the lifespan, or catch the error and "
        "report it from /health (503) instead of raising.",
    ),
    Pattern(
        "F1",
        r"(cannot open shared object file|invalid ELF header|undefined symbol|"
        r"No module named '([\w.]+\._[\w]+)')",
        lambda m, _t: (
            "a compiled extension does not load on Lambda's Linux x86_64 / CPython: " + m.group(0)
        ),
        "let the build resolve wheels for manylinux x86_64 and the runtime's CPython; "
        "commit no virtualenv or vendored site-packages.",
    ),
    Pattern(
        "F19",
        rf"No module named '({_REMOVED})(?:\.[\w.]+)?'",
        _removed_stdlib,
        "upgrade that package to a release made for Python 3.12+ (or replace it), and "
        "pin it in the manifest Vercel installs from.",
        build=True,
    ),
    Pattern(
        "F19",
        r"Failed to build `([\w.-]+)==([\w.!+-]+)`",
        lambda m, _t: (
            f"{m.group(1)} {m.group(2)} ships no wheel for the Python and Linux Vercel builds "
            "for, so uv built it from source, and that build failed"
        ),
        "pin a release that publishes manylinux x86_64 wheels for the Python Vercel runs "
        "(3.12+; see its files on PyPI), or drop the exact pin.",
        build=True,
    ),
    Pattern(
        "F19",
        r"ImportError: cannot import name '(\w+)' from '([\w.]+)'",
        lambda m, _t: (
            f"{m.group(2)} no longer provides {m.group(1)}: an unpinned dependency resolved "
            "to a release that breaks another"
        ),
        "pin compatible versions and commit a lock file.",
    ),
    Pattern(
        "F11",
        r"No module named '([\w.]+)'(?:; '([\w.]+)' is not a package)?",
        _local_cause,
        "fix the import to where the module really is, or make sure its file is uploaded "
        "(committed, not in .vercelignore or excludeFiles); a package needs its folder, "
        "not a same-named .py file.",
        applies=_local_module,
    ),
    Pattern(
        "F2",
        _MISSING,
        lambda m, _t: f"the app imports {m.group(1)!r} but no declared dependency installs it",
        "",  # worded per module: _f2_fix
    ),
    Pattern(
        "F15",
        r"KeyError: '(\w+)'",
        lambda m, _t: (
            f"the app reads {m.group(1)} from the environment at import and it is not set; "
            "Vercel never loads .env files"
        ),
        "",  # worded per variable: _f15_fix
        when=r"os\.environ|<frozen os>|getenv",
    ),
    Pattern(
        "F19",
        r"(?m)^(KeyError|AttributeError|TypeError|NameError|ImportError): .*$",
        _library_pair,
        "pin the two packages to releases made for each other (the older one usually caps "
        "its dependency too loosely) and commit a lock file.",
        applies=lambda _m, text: library_chain(text) is not None,
    ),
    # only the runtime's own words for a failed import: a traceback a request printed is
    # the app's error at run time, not an exception at import
    Pattern(
        "F11",
        r"could not import",
        _last_line,
        "do nothing at import that can fail (config parsing, DB connects): do it lazily on "
        "first use and degrade with a clear error.",
    ),
)
_FIXES: dict[str, Callable[[re.Match[str]], str]] = {"F2": _f2_fix, "F15": _f15_fix}
__all__ = ["PATTERNS", "Diagnosis", "diagnose", "first_match", "user_location"]


def first_match(text: str, patterns: tuple[Pattern, ...]) -> Diagnosis | None:
    """The diagnosis of the first row of `patterns` the evidence shows (most specific first)."""
    for row in patterns:
        match = re.search(row.regex, text)
        if match is None or (row.when is not None and re.search(row.when, text) is None):
            continue
        if row.applies is not None and not row.applies(match, text):
            continue
        fix = _FIXES[row.fid](match) if row.fid in _FIXES else row.fix
        title = CATALOGUE[row.fid].title
        return Diagnosis(row.fid, title, row.cause(match, text), fix, user_location(text))
    return None


# The words a client library prints when the sandbox (no network but forwarded loopback
# ports) stops a connection out: a name that does not resolve, a route that does not exist.
# Vercel's functions reach the internet, so such a failure says nothing about Vercel.
_SANDBOX_NETWORK = re.compile(
    r"could not translate host name \"[^\"]+\" to address[^\n]*|"
    r"[^\n]*(Temporary failure in name resolution|Name or service not known|"
    r"No address associated with hostname|getaddrinfo failed|Network is unreachable)[^\n]*"
)


def sandbox_network(text: str) -> str | None:
    """The line showing the app was denied the network, if the evidence has one."""
    match = _SANDBOX_NETWORK.search(text)
    return match.group(0).strip() if match else None


def diagnose(text: str, project: Path | None = None) -> Diagnosis | None:
    """The failure mode `text` (a crash message, logs) shows, if any is known.

    `project`, the upload the function was built from, turns an "undeclared dependency"
    into the project's own module the function cannot import (own_module.py)."""
    found = first_match(text, PATTERNS)
    missing = re.search(_MISSING, text) if found is not None and found.fid == "F2" else None
    own = own_module(missing.group(1), text, project) if missing and project else None
    if found is None or own is None:
        return found
    return Diagnosis(own.fid, CATALOGUE[own.fid].title, own.cause, own.fix, found.location)
