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
`allOptions`), so the deploy fails (dycw/vercel-fastapi).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

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
    """None for Vercel's builder, "pinned" for an old release of it, "retired" for its old
    name, else "community"."""
    if use == OFFICIAL:
        return None
    if use.split("@")[:2] == ["", "now/python"]:
        return "retired"
    if use.startswith(OFFICIAL + "@"):
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
            if kind == "community":
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


# node-semver `valid` (what fs-detectors imports): x.y.z, no leading zeros, an optional
# pre-release and build, a leading "v" or "=" tolerated.
_SEMVER = re.compile(
    r"^[v=]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


class FunctionRuntime(ProjectRule):
    """A vercel.json `functions` entry whose `runtime` Vercel refuses or cannot build.

    `functions.<glob>.runtime` names an npm package *with its version*, the community
    runtime model (`vercel-php@0.7.3`). fs-detectors detect-builders.ts
    `validateFunctions` takes the text after the last `@` and refuses the configuration
    unless it is a valid semver ("Function Runtimes must have a valid version",
    `invalid_function_runtime`), so `vercel-python@3.10` or a bare `@vercel/python` stops
    the deploy before anything is built. Python needs no `runtime` there at all: the
    builder is chosen from the file, and the Python version from .python-version or
    requires-python.
    """

    id = "PF406"
    fid = "F4"
    name = "function-runtime"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "this functions runtime is refused: the deploy fails"
    fix = 'remove "runtime" (the Python version comes from .python-version)'

    VALID = (
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"functions": {"api/*.py": {"maxDuration": 30}}}',
            }
        ),
        ProjectExample(
            {
                "api/index.php": "<?php\n",
                "vercel.json": '{"functions": {"api/*.php": {"runtime": "vercel-php@0.7.3"}}}',
            }
        ),
    )
    INVALID = (
        ProjectExample(  # diegoribera-gif/RentaCar: a Python version where semver goes
            {
                "app.py": "app = 1\n",
                "vercel.json": '{\n  "functions": {\n    "app.py": {\n'
                '      "runtime": "vercel-python@3.10"\n    }\n  }\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    4,
                    1,
                    (
                        "functions runtime 'vercel-python@3.10' has no valid version "
                        "('3.10' is not semver x.y.z): Vercel refuses the configuration "
                        "(invalid_function_runtime) and nothing deploys"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"functions": {"api/*.py": {"runtime": "python3.12"}}}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "functions runtime 'python3.12' has no valid version ('python3.12' "
                        "is not semver x.y.z): Vercel refuses the configuration "
                        "(invalid_function_runtime) and nothing deploys"
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
        functions = data.get("functions")
        for settings in functions.values() if isinstance(functions, dict) else []:
            runtime = settings.get("runtime") if isinstance(settings, dict) else None
            if not isinstance(runtime, str):
                continue
            tag = runtime.split("@")[-1]  # detect-builders.ts: `${func.runtime}`.split('@').pop()
            if _SEMVER.match(tag):
                continue
            yield self.at(
                Location(config, line_of(text, f'"{runtime}"')),
                f"functions runtime {runtime!r} has no valid version ({tag!r} is not semver "
                "x.y.z): Vercel refuses the configuration (invalid_function_runtime) and "
                "nothing deploys",
            )


def _js_truthy(value: object) -> bool:
    """JavaScript's truthiness, which the CLI's test uses: `{}` and `[]` count as set."""
    return value not in (None, False, 0, "") and value == value  # NaN is falsy too


class FunctionsAndBuilds(ProjectRule):
    """vercel.json sets both `functions` and `builds`, which Vercel refuses outright.

    packages/cli/src/util/validate-config.ts `validateConfig` returns FUNCTIONS_AND_BUILDS
    ("The `functions` property cannot be used in conjunction with the `builds` property")
    whenever `config.functions && config.builds`, before any builder runs; `vercel build`
    64.0.2 stops there (seen under `preflight run`). Projects add `functions` for
    maxDuration or memory beside legacy `builds` copied from an old tutorial.
    """

    id = "PF407"
    fid = "F4"
    name = "functions-and-builds"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "vercel.json sets both functions and builds: Vercel refuses it"
    fix = "drop `builds` (zero-config finds the app, `functions` keeps its settings) or `functions`"

    VALID = (
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"functions": {"api/index.py": {"maxDuration": 30}}}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api.py": "from flask import Flask\napp = Flask(__name__)\n",
                "requirements.txt": "flask==3.1.3\n",
                "vercel.json": '{\n  "builds": [{"src": "api.py", "use": "@vercel/python"}],\n'
                '  "functions": {"api.py": {"maxDuration": 60}},\n'
                '  "routes": [{"src": "/api/(.*)", "dest": "api.py"}]\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    3,
                    (
                        "vercel.json sets both `functions` and `builds`: Vercel refuses the "
                        "configuration before building anything (FUNCTIONS_AND_BUILDS) and "
                        "nothing deploys"
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
        if not (_js_truthy(data.get("functions")) and _js_truthy(data.get("builds"))):
            return
        index = text.find('"functions"')
        line = text.count("\n", 0, index) + 1 if index >= 0 else 1
        column = index - text.rfind("\n", 0, index) if index >= 0 else 1
        yield self.at(
            Location(config, line, column),
            "vercel.json sets both `functions` and `builds`: Vercel refuses the configuration "
            "before building anything (FUNCTIONS_AND_BUILDS) and nothing deploys",
        )
