"""F4: vercel.json `functions` settings Vercel refuses: a runtime that is no valid or
published builder version (FunctionRuntime), `functions` beside `builds`
(FunctionsAndBuilds)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.builders import OFFICIAL, SEMVER, never_published, vercel_json


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
        ProjectExample(  # dinesh4012/flass vercel.json: 3.1.60 was followed by 4.0.0
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"functions": {"api/*.py": {"runtime": "@vercel/python@3.11.0"}}}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "functions runtime '@vercel/python@3.11.0' names a release of Vercel's "
                        "Python builder that npm never had: installing it fails and nothing "
                        "deploys"
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
            if runtime.startswith(OFFICIAL + "@") and never_published(tag):
                yield self.at(
                    Location(config, line_of(text, f'"{runtime}"')),
                    f"functions runtime {runtime!r} names a release of Vercel's Python "
                    "builder that npm never had: installing it fails and nothing deploys",
                )
                continue
            if SEMVER.match(tag):
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
