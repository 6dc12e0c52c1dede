"""Turn what a failed build or function printed into a failure mode (F-id) and its fix.

The ids and fixes are those of ../shared/failure-modes.md; the patterns are the words
CPython, vercel-runtime, uvicorn and Vercel's builder actually print. The most specific
pattern wins (a KeyError on os.environ is F15 before it is a generic F11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.emulate.sandbox import TASK_ROOT


@dataclass(frozen=True)
class Diagnosis:
    """One failure mode recognised in the evidence, with where and how to fix it."""

    fid: str
    title: str
    cause: str  # one sentence, with the concrete names found (file, variable, module)
    fix: str  # what to change, paste-ready where possible
    location: str | None = None  # "app.py:11": the user's frame, not the runtime's


_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')


def user_location(text: str) -> str | None:
    """The innermost traceback frame in the user's code (under /var/task, not _vendor)."""
    found = None
    for match in _FRAME.finditer(text):
        path = match.group("path")
        if path.startswith(TASK_ROOT + "/") and "/_vendor/" not in path:
            rel = path.removeprefix(TASK_ROOT + "/")
            if rel != "vc__handler__python.py":
                found = f"{rel}:{match.group('line')}"
    return found


def diagnose(text: str) -> Diagnosis | None:
    """The failure mode `text` (build log, crash message, logs) shows, if any is known."""
    where = user_location(text)
    if m := re.search(
        r"PYTHON_ENTRYPOINT_NOT_FOUND\]?\s*(.*)|No Python entrypoint[^\n]*|"
        r'missing variable "(\w+)"|no Python function',
        text,
    ):
        return Diagnosis(
            "F4",
            "entrypoint not detected",
            (m.group(1) or m.group(0)).strip(),
            "export the ASGI/WSGI app as a top-level `app = ...` (or `application`) in one of "
            "{app,index,server,main,wsgi,asgi}.py at the root or in src/, app/, api/; "
            "`handler = app` alone is not detected (or set [tool.vercel] entrypoint).",
            where,
        )
    if re.search(r"No project table found|has no \[project\] table", text):
        return Diagnosis(
            "F3",
            "manifest installs nothing",
            "the pyproject.toml that wins has no [project] table, so no dependency is installed",
            "declare the app's dependencies in one manifest with a [project] table "
            "(pyproject.toml wins over requirements.txt in the same directory).",
            where,
        )
    if re.search(r"maximum (function|unzipped) size|FUNCTION_SIZE|exceeds the maximum", text):
        return Diagnosis(
            "F10",
            "bundle too large",
            "the function bundle exceeds Vercel's 250 MB unzipped limit",
            "trim dependencies (drop unused heavy packages) or exclude files with "
            "`excludeFiles` in vercel.json.",
            where,
        )
    if m := re.search(r'Python version "?([\d.]+)"? [^\n]*not (installed|available)', text):
        return Diagnosis(
            "F16",
            "Python version not offered",
            f"the project asks for Python {m.group(1)}, which Vercel does not offer",
            "pin a supported version (3.12, 3.13 or 3.14) in .python-version.",
            where,
        )
    if m := re.search(r"Read-only file system: '([^']*)'", text):
        return Diagnosis(
            "F5",
            "write outside /tmp",
            f"the app writes to {m.group(1)}, but a function's filesystem is read-only except /tmp",
            "write scratch files with `tempfile` (under /tmp); keep data in a database or "
            "object storage; point caches (HOME, XDG_CACHE_HOME) at /tmp.",
            where,
        )
    if "attempt to write a readonly database" in text:
        return Diagnosis(
            "F8",
            "SQLite in the read-only bundle",
            "the app writes to an SQLite file shipped inside the bundle",
            "use a hosted database (DATABASE_URL); a copy under /tmp is lost per instance.",
            where,
        )
    if re.search(r"No space left on device|\[Errno 28\]", text):
        return Diagnosis(
            "F6",
            "the temporary directory is full",
            "the app filled its 512 MB /tmp (one per instance)",
            "stream to object storage instead of /tmp; never keep data there.",
            where,
        )
    if "FUNCTION_INVOCATION_TIMEOUT" in text:
        return Diagnosis(
            "F9",
            "request ran past maxDuration",
            "the function did not answer within its maxDuration, so the platform cut it off",
            "make the request finish sooner (bounded waits, indexes), raise maxDuration in "
            "vercel.json, or move long work to a queue or cron.",
            where,
        )
    if "Application startup failed" in text:
        return Diagnosis(
            "F12",
            "ASGI lifespan startup raised",
            "the app's lifespan startup raised, so uvicorn stopped before serving any request",
            "connect lazily on first use instead of in the lifespan, or catch the error and "
            "report it from /health (503) instead of raising.",
            where,
        )
    if m := re.search(
        r"(cannot open shared object file|invalid ELF header|undefined symbol|"
        r"No module named '([\w.]+\._[\w]+)')",
        text,
    ):
        return Diagnosis(
            "F1",
            "compiled module built for another platform",
            f"a compiled extension does not load on Lambda's Linux x86_64 / CPython: {m.group(0)}",
            "let the build resolve wheels for manylinux x86_64 and the runtime's CPython; "
            "commit no virtualenv or vendored site-packages.",
            where,
        )
    if m := re.search(r"ImportError: cannot import name '(\w+)' from '([\w.]+)'", text):
        return Diagnosis(
            "F19",
            "incompatible dependency versions",
            f"{m.group(2)} no longer provides {m.group(1)}: an unpinned dependency resolved to "
            "a release that breaks another",
            "pin compatible versions and commit a lock file.",
            where,
        )
    if m := re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", text):
        top = m.group(1).split(".")[0]
        return Diagnosis(
            "F2",
            "undeclared import",
            f"the app imports {m.group(1)!r} but no declared dependency installs it",
            f"add the distribution that provides {top!r} to [project.dependencies] "
            "(or requirements.txt) and re-lock; dev groups and extras are not installed.",
            where,
        )
    if (m := re.search(r"KeyError: '(\w+)'", text)) and re.search(
        r"os\.environ|<frozen os>|getenv", text
    ):
        name = m.group(1)
        return Diagnosis(
            "F15",
            "environment variable missing at import",
            f"the app reads {name} from the environment at import and it is not set; "
            "Vercel never loads .env files",
            f"add {name} to the project's environment variables (`vercel env add {name}`), "
            f"and read it with a default or report it from /health instead of "
            f"os.environ[{name!r}] at import.",
            where,
        )
    if re.search(r"could not import|Traceback", text):
        last = [line for line in text.strip().splitlines() if line.strip()]
        return Diagnosis(
            "F11",
            "exception at import",
            f"importing the app raised: {last[-1].strip() if last else 'an exception'}",
            "do nothing at import that can fail (config parsing, DB connects): do it lazily on "
            "first use and degrade with a clear error.",
            where,
        )
    return None
