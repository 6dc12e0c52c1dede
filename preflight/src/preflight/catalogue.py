"""The failure catalogue: F-id -> title, what users see, the real cause and the fix.

One module for every place an F-id appears: each rule's `fid`, run's diagnosis
(emulate/diagnose.py) and the SARIF rule help read it, and preflight/FAILURES.md is
generated from it (`python -m preflight.catalogue > preflight/FAILURES.md`), so an F-id in
any output leads to its explanation. Source: the project's failure-mode table
(shared/failure-modes.md), facts checked against Vercel's builder and runtime source.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

DOCS = "FAILURES.md"  # beside the package's README: preflight/FAILURES.md


@dataclass(frozen=True)
class Failure:
    """One failure mode."""

    fid: str
    title: str
    symptom: str  # what users see (markdown)
    cause: str  # why it happens (markdown)
    fix: str  # what to change (markdown)

    @property
    def anchor(self) -> str:
        """Where it is explained: FAILURES.md#f5."""
        return f"{DOCS}#{self.fid.lower()}"


CATALOGUE: dict[str, Failure] = {
    f.fid: f
    for f in (
        Failure(
            "F1",
            "compiled module built for another platform",
            "`No module named 'pydantic_core._pydantic_core'` (any compiled `.so`)",
            (
                "wheels built for another OS, CPU or CPython version than the runtime"
                " (host wheels from a local `vercel build`/vendored folder, custom "
                "installCommand without platform, Python 3.11 lock vs 3.12 runtime); no "
                "wheel for the target, so the sdist is built on the build image, which has "
                "gcc but no cargo, pg_config or MySQL/OpenLDAP headers (`Error: pg_config "
                "executable not found.`); a library the runtime lacks (psycopg 3 without "
                "psycopg-binary: `no pq wrapper available`)"
            ),
            "resolve for manylinux x86_64 and the runtime's cpXY; commit no venv; pin "
            "releases with wheels for the target (psycopg2-binary, `psycopg[binary]`)",
        ),
        Failure(
            "F2",
            "undeclared import",
            "`ModuleNotFoundError: No module named 'flask_cors'` at import",
            (
                "import not declared; dependency only in a dev group or an extra; "
                "stale `uv.lock` installed with `--frozen`"
            ),
            "declare in `[project.dependencies]`, re-lock",
        ),
        Failure(
            "F3",
            "manifest installs nothing",
            'build "succeeds" with nothing installed; `No project table found`',
            (
                "per directory `pyproject.toml` wins over everything, even with no "
                "`[project]` table; otherwise Pipfile.lock > Pipfile > "
                "requirements.frozen.txt > requirements-frozen.txt > requirements.txt"
                " > requirements.in > requirements/prod.txt; nearest to the "
                "entrypoint wins; uv.lock only counts beside pyproject"
            ),
            "one manifest with a `[project]` table",
        ),
        Failure(
            "F4",
            "entrypoint not detected",
            (
                "`No Python entrypoint could be detected`; `Found main.py but it does"
                ' not define a top-level "app"`; runtime `missing variable "app"`'
            ),
            (
                "entrypoint files are `{app,index,server,main,wsgi,asgi}.py` in `''`,"
                " `src`, `app`, `api`, or `[tool.vercel] entrypoint`, or "
                "`[project.scripts] app`; exported name must be a top-level `app` / "
                "`application` (assignment, def or import) or `handler` as a "
                "`BaseHTTPRequestHandler` subclass. `handler = app` alone is not "
                "detected: the file is served as a static file or the build fails"
            ),
            "top-level `app = ...`",
        ),
        Failure(
            "F5",
            "write outside /tmp",
            (
                "`OSError: [Errno 30] Read-only file system: '/var/task/...'` then "
                '`could not import "..."`'
            ),
            (
                "any write outside /tmp: open(w/a/x), mkdir, FileHandler, caches in "
                "HOME, SQLite files, `__pycache__`"
            ),
            "tempfile / /tmp for scratch, object storage or DB for data",
        ),
        Failure(
            "F6",
            "/tmp is full or forgets",  # noqa: S108 -- text about /tmp, not a path in use
            "ENOSPC; data gone on the next request",
            "/tmp is 512 MB per instance and ephemeral; big bundles also unpack deps there",  # noqa: S108
            "external storage",
        ),
        Failure(
            "F7",
            "state shared across requests",
            "leaked or stale connections; state bleeding between requests",
            (
                "module-level connections and mutable globals; instances are reused "
                "and requests may run on threads"
            ),
            "lazy pooled connections with pre-ping; external state",
        ),
        Failure(
            "F8",
            "SQLite in the read-only bundle",
            "`attempt to write a readonly database`",
            "SQLite file in the read-only bundle; a /tmp copy is per-instance",
            "hosted database",
        ),
        Failure(
            "F9",
            "request ran past maxDuration, or the start-up never ended",
            "504 `FUNCTION_INVOCATION_TIMEOUT`; the function did not start within the time limit",
            "work past maxDuration (300 s default); a server started at import (`app.run()`)",
            'maxDuration, queues; `if __name__ == "__main__":` around app.run()',
        ),
        Failure(
            "F10",
            "bundle too large",
            "`exceeds the maximum function size`",
            "bundle over 250 MB unzipped (225 MiB threshold in the builder)",
            "trim deps, excludeFiles",
        ),
        Failure(
            "F11",
            "exception at import",
            '`could not import "<entrypoint>"` + traceback; process exits 1',
            (
                "any exception at import: missing env var (`os.environ['X']`), DB "
                "connect, config parsing"
            ),
            "lazy config; degrade with a clear error",
        ),
        Failure(
            "F12",
            "ASGI lifespan startup raised",
            "`Application startup failed. Exiting.`",
            "ASGI lifespan startup raises",
            "fail with a clear message",
        ),
        Failure(
            "F13",
            "body over 4.5 MB",
            "413 `FUNCTION_PAYLOAD_TOO_LARGE`, `FUNCTION_RESPONSE_PAYLOAD_TOO_LARGE`",
            "request or response body over 4.5 MB",
            "direct-to-storage uploads (presigned URLs), streaming",
        ),
        Failure(
            "F14",
            "public/ read at run time",
            "`Directory 'public' does not exist`",
            "`public/**` is served by the CDN and excluded from the function",
            "never read public/ at run time",
        ),
        Failure(
            "F15",
            "environment variable missing at import",
            "`KeyError` at import in production only",
            "`.env` is never loaded by the builder; it ships only on CLI deploys",
            "project env vars; defaults or a clear error",
        ),
        Failure(
            "F16",
            "Python version not offered",
            '`Python version "X" ... not installed and will be ignored`',
            (
                "version from nearest `.python-version` > `requires-python` > default"
                " 3.12 (3.12-3.14 offered)"
            ),
            "explicit `.python-version`",
        ),
        Failure(
            "F17",
            "Django settings, database or media on disk",
            "`Failed to read Django application settings`",
            "Django settings imported at build time; SQLite and media on disk",
            "hosted DB and storage",
        ),
        Failure(
            "F18",
            "files published at public URLs",
            (
                "source code and config files (`/src/app/main.py`, `/pyproject.toml`)"
                " readable at public URLs; or every API route 404"
            ),
            (
                "with no `public/` folder, every file outside the function is "
                "published as a static file (`/src/app/main.py`); a file the builder "
                "found no entrypoint in (e.g. `handler = app` only) builds *without "
                "error* and is served as a static file"
            ),
            (
                "put static files in `public/`, list the rest in `.vercelignore`, "
                "export a top-level `app`"
            ),
        ),
        Failure(
            "F19",
            "incompatible dependency versions",
            "`cannot import name 'url_quote' from 'werkzeug.urls'` and similar at import",
            (
                "an unpinned dependency resolved to a release that breaks another "
                "(Flask 2.2 with Werkzeug 3)"
            ),
            "pin compatible versions, commit a lock",
        ),
        Failure(
            "F20",
            "dependencies installed at every cold start",
            "slow cold starts, then `ENOSPC` or a timeout at start",
            (
                "a bundle over the 225 MB threshold is not shipped whole: the runtime"
                " installs dependencies into `/tmp` at every cold start, over the "
                "network"
            ),
            "trim dependencies",
        ),
        Failure(
            "F21",
            "routing depends on the framework preset",
            'every route but `/api/index` answers 404, or every route 404s after a "fix"',
            (
                "routing depends on the project's framework preset: a new project "
                "gets `fastapi`/`flask`/`fasthtml`/`django` when a manifest names "
                "them, else `python` for any requirements.txt/pyproject.toml/Pipfile,"
                " and those presets end the routes with a catch-all whose "
                "`request.path` transform hands the app the path *after* rewrites "
                "(vercel/vercel PR #17212), so the old `/(.*)` -> `/api/index` "
                "rewrite makes the app see `/api/index` for everything; a project on "
                '"Other" (older projects, or set by hand) gets no catch-all, so an '
                "app in api/index.py answers only at `/api/index`"
            ),
            (
                'no rewrite to the function; pin `"framework"` in vercel.json so the '
                "dashboard cannot change routing"
            ),
        ),
    )
}


def title_of(fid: str) -> str:
    """The catalogue's title for `fid`; KeyError for an id it does not hold."""
    return CATALOGUE[fid].title


def to_markdown() -> str:
    """FAILURES.md: one section per failure mode, anchored by its lower-case id."""
    lines = [
        "# Failure modes preflight knows",
        "",
        "Generated from `preflight/src/preflight/catalogue.py` "
        "(`python -m preflight.catalogue > preflight/FAILURES.md`). Every finding and every "
        "diagnosis of `preflight check` and `preflight run` names one of these ids.",
    ]
    for f in CATALOGUE.values():
        lines += [
            "",
            f'<a id="{f.fid.lower()}"></a>',
            f"## {f.fid}: {f.title}",
            "",
            f"- **What you see:** {f.symptom}",
            f"- **Why:** {f.cause}",
            f"- **Fix:** {f.fix}",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(to_markdown())
