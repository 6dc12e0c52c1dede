"""F4: a Python `builds[].src` that matches no file, while other builds do: that function
is silently not built (see DroppedBuild)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.files import file_exists
from preflight.findings import Finding, Location, Severity
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.builders import vercel_json


class DroppedBuild(ProjectRule):
    """A Python `builds[].src` that matches no file, beside builds that do.

    `vercel build` expands each build against the uploaded files (cli build/index.ts
    `expandBuild`: `files.filter(...)` then one build per match), so a src that matches
    nothing yields no build and no error: the other builds deploy, and every request routed
    to the missing one answers 404 NOT_FOUND (Khairul888/telegram-assistant: api/index.py
    and api/drive-webhook.py are gone, api/bot.py is the bot and still builds). When no
    Python build is left, PF401 says so as an error.
    """

    id = "PF409"
    fid = "F4"
    name = "dropped-build"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "a vercel.json build names a file that does not exist: it is dropped"
    fix = "remove the build (and its routes), or point its src at the file that exists"

    _BOT = (
        "from http.server import BaseHTTPRequestHandler\nclass handler(BaseHTTPRequestHandler):\n"
    )
    VALID = (
        ProjectExample(
            {
                "api/bot.py": _BOT + "    pass\n",
                "vercel.json": '{"builds": [{"src": "api/bot.py", "use": "@vercel/python"},'
                ' {"src": "api/*.py", "use": "@vercel/python"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/bot.py": _BOT + "    pass\n",
                "vercel.json": '{"builds": [\n  {"src": "api/index.py", "use": "@vercel/python"},\n'
                '  {"src": "api/bot.py", "use": "@vercel/python"}\n]}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    2,
                    1,
                    (
                        "build 'api/index.py' matches no file: `vercel build` drops it without "
                        "an error, so the requests routed to it answer 404 NOT_FOUND "
                        "(api/bot.py still deploys)"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        found = vercel_json(ctx.project.root)
        if entry is None or entry.source != "vercel.json" or found is None:
            return  # with no Python build left, PF401 reports the missing file
        config, text, data = found
        builds = data.get("builds")
        built = entry.path.relative_to(ctx.project.root).as_posix()
        for build in builds if isinstance(builds, list) else []:
            src = build.get("src") if isinstance(build, dict) else None
            if not isinstance(src, str) or "python" not in str(build.get("use", "")):
                continue
            if set(src) & set("*?[{") or file_exists(ctx.project.root / src.lstrip("/"), "any"):
                continue
            yield self.at(
                Location(config, line_of(text, f'"{src}"')),
                f"build {src!r} matches no file: `vercel build` drops it without an error, "
                f"so the requests routed to it answer 404 NOT_FOUND ({built} still deploys)",
            )
