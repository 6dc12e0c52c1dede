"""F4: vercel.json `builds` and `functions` runtimes that are not Vercel's own Python builder.

A `builds` entry names an npm package as its builder (`use`). The Vercel CLI installs
any builder it does not bundle from npm (packages/cli/src/util/build/import-builders.ts,
`installBuilders`), and legacy `builds` turn zero-config detection off, so the named
package alone decides what is built. Community builders of the Now 2 era
(`@liudonghua123/now-flask`, `vercel-python-wsgi`, ...) predate the current Builder API
and fail the build (vendz/fmovies-api#1: "must include an `output` property"); a pinned
`@vercel/python@x` is an unmaintained release of Vercel's builder that still builds but
on runtimes Vercel retires. The old `@now/python` name resolves to its last release,
1.2.3 on npm, whose dist/index.js sets `runtime: 'python3.6'` for every function outside
`vercel dev` (read 2026-12-07): a runtime discontinued since 2022-07-18 (version.ts
`allOptions`), so the deploy fails (dycw/vercel-fastapi). A pin npm never had
(`@vercel/python@3.11.0`) or a name in Vercel's scope that is no package
(`@vercel/python3.10`) fails the builder's install (rules/_builder_versions.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules._builder_versions import PUBLISHED
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.vercel_config import PYTHON_BUILDER_WORDS

OFFICIAL = "@vercel/python"


def vercel_json(root: Path) -> tuple[Path, str, dict[str, object]] | None:
    """vercel.json's path, text (for finding lines) and top-level object; None when it is
    missing, unreadable or no JSON object (another rule's business)."""
    config = root / "vercel.json"
    try:
        text = config.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    return (config, text, data) if isinstance(data, dict) else None


def _kind(use: str) -> str | None:
    """None for Vercel's builder, "pinned" for an old release of it, "unpublished" for a
    release npm never had, "retired" for its old name, "misnamed" for a name in Vercel's
    npm scope that is no package, else "community"."""
    if use in {OFFICIAL, OFFICIAL + "@latest"}:
        return None
    if use.split("@")[:2] == ["", "now/python"]:
        return "retired"
    if use.startswith(OFFICIAL + "@"):
        return "unpublished" if never_published(use.split("@")[-1]) else "pinned"
    if use.startswith(OFFICIAL):
        return "misnamed"  # `@vercel/python3.10`: npm answers 404 (read 2026-12-08)
    return "community" if any(word in use for word in PYTHON_BUILDER_WORDS) else None


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
        ProjectExample(  # AaditiAI/similarity_prediction vercel.json:5
            {
                "app.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "app.py", "use": "@vercel/python3.10"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "'@vercel/python3.10' is no package on npm (Vercel's Python builder is "
                        "@vercel/python, the Python version is set elsewhere): installing the "
                        "builder fails and so does the build"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "app.py", "use": "@vercel/python@3.11.0"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "'@vercel/python@3.11.0' names a release of Vercel's Python builder "
                        "that npm never had: installing the builder fails and so does the build"
                    ),
                ),
            ),
        ),
        ProjectExample(  # dycw/vercel-fastapi
            {
                "main.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "main.py", "use": "@now/python"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "'@now/python' is the old name of Vercel's Python builder, whose last "
                        "release (1.2.3) builds every function for python3.6, a runtime "
                        "Vercel and AWS Lambda discontinued: the deploy fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        found = vercel_json(ctx.project.root)
        if found is None:
            return
        config, text, data = found
        builds = data.get("builds")
        for build in builds if isinstance(builds, list) else []:
            use = build.get("use") if isinstance(build, dict) else None
            kind = _kind(use) if isinstance(use, str) else None
            if kind is None:
                continue
            location = Location(config, line_of(text, f'"{use}"'))
            if kind == "misnamed":
                yield self.at(
                    location,
                    f"{use!r} is no package on npm (Vercel's Python builder is "
                    f"{OFFICIAL}, the Python version is set elsewhere): installing the "
                    "builder fails and so does the build",
                    fix=f'use "{OFFICIAL}" and choose the Python version in .python-version',
                )
            elif kind == "unpublished":
                yield self.at(
                    location,
                    f"{use!r} names a release of Vercel's Python builder that npm never had: "
                    "installing the builder fails and so does the build",
                    fix=f'use "{OFFICIAL}"',
                )
            elif kind == "community":
                yield self.at(
                    location,
                    f"{use!r} is a community builder, not Vercel's @vercel/python: it predates "
                    "the current Builder API and the build fails (legacy `builds` also turn "
                    "zero-config detection off)",
                )
            elif kind == "retired":
                yield self.at(
                    location,
                    f"{use!r} is the old name of Vercel's Python builder, whose last release "
                    "(1.2.3) builds every function for python3.6, a runtime Vercel and AWS "
                    "Lambda discontinued: the deploy fails",
                    fix='use "@vercel/python"',
                )
            else:
                yield self.at(
                    location,
                    f"{use!r} pins an old release of Vercel's Python builder: it is "
                    "unmaintained and builds for runtimes Vercel retires",
                    severity=Severity.WARNING,
                )


def never_published(version: str) -> bool:
    """Whether an exact x.y.z pin is missing from npm's list though older than its newest
    (a newer one may postdate the list: no claim)."""
    if not SEMVER.match(version) or version.lstrip("v=") in PUBLISHED:
        return False
    newest = max(tuple(int(n) for n in v.split(".")) for v in PUBLISHED if "-" not in v)
    core = version.lstrip("v=").split("-")[0].split("+")[0]
    return tuple(int(n) for n in core.split(".")) < newest


# node-semver `valid` (what fs-detectors imports): x.y.z, no leading zeros, an optional
# pre-release and build, a leading "v" or "=" tolerated.
SEMVER = re.compile(
    r"^[v=]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
