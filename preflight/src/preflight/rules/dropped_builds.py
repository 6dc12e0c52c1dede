"""F4: Python `builds` entries beside the entrypoint's that break: a src that matches no
file is silently not built (DroppedBuild); a file that exports no app fails the whole
build (BuildWithoutApp)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.files import file_exists
from preflight.findings import Finding, Location, Severity
from preflight.project import find_exported_name, parse_file
from preflight.rules._functions import legacy_built, line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.builders import OFFICIAL, vercel_json


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


class BuildWithoutApp(ProjectRule):
    """A Python `builds` file beside the entrypoint that exports no app or handler.

    `vercel build` runs @vercel/python once per build (cli build/index.ts `expandBuild`,
    one build per matched file), and for a configured entrypoint `detectPythonEntrypoint`
    returns PYTHON_ENTRYPOINT_NOT_FOUND ('Could not find a top-level "app",
    "application", or "handler"', packages/python/src/entrypoint.ts), which index.ts
    throws: the deploy fails, its good functions with it. AaronTech112/Xinvest builds
    XinvestProject/wsgi.py and also manage.py; a glob such as `api/*.py` builds each
    helper module it matches. Zero-config does not (detect-builders.ts skips a file
    `isPythonEntrypoint` rejects), and a pinned old builder is PF405's business.
    """

    id = "PF414"
    fid = "F4"
    name = "build-without-app"
    targets = VERCEL_ONLY
    message = "a vercel.json build's file exports no app or handler: the build fails"
    fix = "remove the build (a script or helper is no function), or export `app` from the file"

    _SITE = "from flask import Flask\napp = Flask(__name__)\n"
    VALID = (
        ProjectExample(
            {
                "index.py": _SITE,
                "vercel.json": '{"builds": [{"src": "index.py", "use": "@vercel/python"}]}',
                "manage.py": "import sys\n",
            }
        ),
        ProjectExample(  # zero-config: a helper in api/ is no function
            {"api/index.py": _SITE, "api/helpers.py": "def f():\n    pass\n"}
        ),
    )
    INVALID = (
        ProjectExample(  # AaronTech112/Xinvest vercel.json
            {
                "site/wsgi.py": "application = object()\n",
                "manage.py": "import sys\n",
                "vercel.json": '{"builds": [\n  {"src": "site/wsgi.py", "use": "@vercel/python"},'
                '\n  {"src": "manage.py", "use": "@vercel/python"}\n]}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    1,
                    (
                        "build 'manage.py' has no top-level `app`, `application` or `handler`: "
                        "@vercel/python stops with PYTHON_ENTRYPOINT_NOT_FOUND and the whole "
                        "deploy fails"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "api/index.py": _SITE,
                "api/helpers.py": "def f():\n    pass\n",
                "vercel.json": '{"builds": [{"src": "api/*.py", "use": "@vercel/python"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "build 'api/*.py' matches api/helpers.py, which has no top-level `app`, "
                        "`application` or `handler`: @vercel/python stops with "
                        "PYTHON_ENTRYPOINT_NOT_FOUND and the whole deploy fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        found = vercel_json(ctx.project.root)
        if found is None:
            return
        config, text, _ = found
        entry = ctx.project.entrypoint
        if entry is None and ctx.project.unresolved_entrypoint is not None:
            return  # PF401 names the build that yields no function
        for src, path in legacy_built(ctx.project.root, uses=(OFFICIAL, OFFICIAL + "@latest")):
            tree = parse_file(path)
            if (entry is not None and path == entry.path) or tree is None:
                continue  # PF401 judges the entrypoint, PF1102 a file that does not parse
            if find_exported_name(tree) is not None:
                continue
            rel = path.relative_to(ctx.project.root).as_posix()
            named = repr(src) if rel == src.lstrip("/") else f"{src!r} matches {rel}, which"
            yield self.at(
                Location(config, line_of(text, f'"{src}"')),
                f"build {named} has no top-level `app`, `application` or `handler`: "
                "@vercel/python stops with PYTHON_ENTRYPOINT_NOT_FOUND and the whole deploy "
                "fails",
            )
