"""F4: vercel.json `builds` that do not use Vercel's own Python builder.

A `builds` entry names an npm package as its builder (`use`). The Vercel CLI installs
any builder it does not bundle from npm (packages/cli/src/util/build/import-builders.ts,
`installBuilders`), and legacy `builds` turn zero-config detection off, so the named
package alone decides what is built. Community builders of the Now 2 era
(`@liudonghua123/now-flask`, `vercel-python-wsgi`, ...) predate the current Builder API
and fail the build (vendz/fmovies-api#1: "must include an `output` property"); a pinned
`@vercel/python@x` or the old `@now/python` name is an unmaintained release of Vercel's
builder that still builds but on runtimes Vercel retires.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

OFFICIAL = "@vercel/python"


def _kind(use: str) -> str | None:
    """None for Vercel's builder, "pinned" for an old release of it, else "community"."""
    if use == OFFICIAL:
        return None
    if use.startswith(OFFICIAL + "@") or use.split("@")[:2] == ["", "now/python"]:
        return "pinned"
    python_words = ("python", "flask", "django", "fastapi", "wsgi", "asgi")
    return "community" if any(word in use for word in python_words) else None


class ForeignBuilder(ProjectRule):
    """A `builds` entry whose builder is not Vercel's current @vercel/python."""

    id = "PF405"
    fid = "F4"
    name = "foreign-python-builder"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "this builder is not Vercel's @vercel/python: the build fails"
    fix = 'use "@vercel/python" (or drop `builds`: zero-config detects the app)'

    VALID = (
        ProjectExample(
            {
                "app.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "app.py", "use": "@vercel/python"}]}',
            }
        ),
        ProjectExample(
            {
                "app.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "public/**", "use": "@vercel/static"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(  # vendz/fmovies-api#1
            {
                "app.py": "app = 1\n",
                "vercel.json": '{\n  "builds": [\n    {"src": "app.py",\n'
                '     "use": "@liudonghua123/now-flask"}\n  ]\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    4,
                    1,
                    (
                        "'@liudonghua123/now-flask' is a community builder, not Vercel's "
                        "@vercel/python: it predates the current Builder API and the "
                        "build fails (legacy `builds` also turn zero-config detection "
                        "off)"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "app.py", "use": "@vercel/python@3.0.0"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "'@vercel/python@3.0.0' pins an old release of Vercel's Python "
                        "builder: it is unmaintained and builds for runtimes Vercel "
                        "retires"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        config = ctx.project.root / "vercel.json"
        try:
            text = config.read_text(encoding="utf-8")
            builds = json.loads(text).get("builds")
        except (OSError, ValueError, AttributeError):
            return  # no vercel.json, or another rule's business
        for build in builds if isinstance(builds, list) else []:
            use = build.get("use") if isinstance(build, dict) else None
            kind = _kind(use) if isinstance(use, str) else None
            if kind is None:
                continue
            index = text.find(f'"{use}"')
            location = Location(config, text.count("\n", 0, index) + 1 if index >= 0 else 1)
            if kind == "community":
                yield self.at(
                    location,
                    f"{use!r} is a community builder, not Vercel's @vercel/python: it predates "
                    "the current Builder API and the build fails (legacy `builds` also turn "
                    "zero-config detection off)",
                )
            else:
                yield self.at(
                    location,
                    f"{use!r} pins an old release of Vercel's Python builder: it is "
                    "unmaintained and builds for runtimes Vercel retires",
                    severity=Severity.WARNING,
                )
