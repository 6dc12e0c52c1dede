"""F4: routing that hides the app's routes.

Split from entrypoint.py: the entrypoint rules ask whether Vercel finds the app; this
one asks whether requests reach it with their own path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import VERCEL_ONLY, ProjectExample, ProjectRule


class RewriteToEntrypoint(ProjectRule):
    """A vercel.json rewrite whose destination is the app's own function path.

    @vercel/python 25 ends its routes with a catch-all that sets the request path to the
    path *after* rewrites (`transforms: request.path set /$1`, in its dist/index.js:
    "application routing observes the rewrite"). So `/(.*)` -> `/api/index`, the classic
    recipe from older guides, makes the ASGI/WSGI app see `/api/index` for every request:
    every route but that one answers 404. Without the rewrite the builder already sends
    every path that is not a static file to the app, unchanged.
    """

    id = "PF403"
    fid = "F4"
    name = "rewrite-to-entrypoint"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "this rewrite makes the app see its own function path for every request"
    fix = "remove the rewrite: Vercel's builder routes every non-static path to the app as is"

    _APP = "app = object()\n"
    VALID = (
        ProjectExample({"api/index.py": _APP}),
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{"rewrites": [{"source": "/old", "destination": "/new"}]}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n",
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{\n  "rewrites": [\n    {"source": "/(.*)", '
                '"destination": "/api/index"}\n  ]\n}\n',
            },
            expect=(("vercel.json", 3),),
        ),
        ProjectExample(
            {
                "app/main.py": _APP,
                "vercel.json": '{"rewrites": [{"source": "/api/(.*)", '
                '"destination": "/app/main.py"}]}',
            },
            expect=(("vercel.json", 1),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        config = ctx.project.root / "vercel.json"
        if entry is None or entry.name.lower() == "handler" or not config.is_file():
            return
        try:
            text = config.read_text(encoding="utf-8")
            rewrites = json.loads(text).get("rewrites", [])
        except (OSError, ValueError, AttributeError):
            return  # an unreadable vercel.json is another rule's business
        function = "/" + entry.path.relative_to(ctx.project.root).with_suffix("").as_posix()
        targets = {function, function + ".py"}
        if function.endswith("/index"):
            targets |= {function.removesuffix("/index"), function.removesuffix("index")}
        for rewrite in rewrites if isinstance(rewrites, list) else []:
            destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
            if isinstance(destination, str) and destination.split("?")[0] in targets:
                line = _line_of(text, f'"{destination}"')
                yield self.at(
                    Location(config, line),
                    f"rewriting {rewrite.get('source')!r} to {destination!r} makes the app "
                    f"see {destination!r} as the path of every request: its routes answer 404",
                )


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1
