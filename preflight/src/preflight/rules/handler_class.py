"""F4: a `class handler` Vercel will call that cannot serve requests.

Vercel's runtime serves a `handler` class as an http.server request handler, so it
must subclass BaseHTTPRequestHandler; split from entrypoint.py, which asks whether an
entrypoint is found at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.project import parse_file
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule


class HandlerNotRequestHandler(ProjectRule):
    """The exported `handler` class is not a BaseHTTPRequestHandler subclass."""

    id = "PF402"
    fid = "F4"
    name = "handler-class-not-request-handler"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "`class handler` must subclass http.server.BaseHTTPRequestHandler"
    fix = "subclass BaseHTTPRequestHandler, or export an ASGI/WSGI `app` instead"

    VALID = (
        ProjectExample(
            {
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n"
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"api/index.py": "class Handler:\n    def do_GET(self):\n        pass\n"},
            expect=(
                Expect(
                    "api/index.py",
                    1,
                    1,
                    (
                        "`class Handler` is what Vercel will call, but it does not "
                        "subclass BaseHTTPRequestHandler: every request fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        if entry is None or entry.name.lower() != "handler":
            return
        tree = parse_file(entry.path)
        for stmt in tree.body if tree is not None else []:
            if isinstance(stmt, ast.ClassDef) and stmt.name == entry.name:
                # only a class with no base at all is surely wrong: an imported base may
                # itself derive from BaseHTTPRequestHandler
                bases = {ast.unparse(b) for b in stmt.bases}
                if bases <= {"object"}:
                    yield self.at(
                        Location(entry.path, stmt.lineno),
                        f"`class {stmt.name}` is what Vercel will call, but it does not "
                        "subclass BaseHTTPRequestHandler: every request fails",
                    )
