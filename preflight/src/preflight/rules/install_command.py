"""F2: an installCommand that replaces the dependency install and installs nothing.

Under a Python preset, @vercel/python reads the project's install command and, when one
is set, runs it *instead of* its own install: "treat it as an override for the default
dependency installation" (packages/python/src/index.ts, `projectInstallCommand` sets
`assumeDepsInstalled`, at 17d9ebaf; the presets are build-utils framework-helpers.ts
`PYTHON_FRAMEWORKS`). Checkora/Checkora sets `"installCommand": "echo 'Python deps
handled by runtime'"` beside a Django requirements.txt: nothing is installed, and the
build fails importing the settings. Under "Other" or legacy `builds` the builder does
not read it, so an unpinned preset makes this a warning. Only a command made wholly of
steps that surely install no Python package is judged (echo, npm install...); a script
or anything unknown may install them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.preset import preset_of
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.builders import vercel_json

# build-utils framework-helpers.ts PYTHON_FRAMEWORKS
_PYTHON_FRAMEWORKS = frozenset({"fastapi", "flask", "django", "python", "fasthtml"})
# Commands that install no Python package (a JavaScript package manager installs
# node_modules; a package.json script that calls pip is looked for separately).
_NO_PYTHON = frozenset(
    {"echo", "true", ":", "exit", "printf", "ls", "cd", "mkdir", "cp", "mv", "rm", "touch"}
    | {"cat", "npm", "yarn", "pnpm", "bun", "npx", "node", "corepack"}
)
_PYTHON_INSTALLERS = re.compile(r"\b(pip3?|uv|poetry|pdm|pipenv|conda|hatch|rye)\b")


_DJANGO = {"manage.py": "import django\n", "requirements.txt": "django==5.2.8\n"}


class InstallCommandSkipsDependencies(ProjectRule):
    """A vercel.json installCommand that stands in for the builder's install and
    installs no Python package."""

    id = "PF208"
    fid = "F2"
    name = "install-command-skips-dependencies"
    targets = VERCEL_ONLY
    message = "the installCommand replaces the dependency install and installs nothing"
    fix = (
        "remove installCommand (the builder installs the manifest itself), or make it "
        "install it (`pip install -r requirements.txt`)"
    )

    VALID = (
        ProjectExample(
            {**_DJANGO, "vercel.json": '{"installCommand": "pip install -r requirements.txt"}'}
        ),
        ProjectExample(  # "Other": the builder installs the manifest and ignores it
            {
                "api/index.py": "app = 1\n",
                "requirements.txt": "flask\n",
                "vercel.json": '{"framework": null, "installCommand": "npm install"}',
            }
        ),
        ProjectExample(  # a script of its own may install anything
            {**_DJANGO, "vercel.json": '{"installCommand": "./install.sh"}'}
        ),
    )
    INVALID = (
        ProjectExample(  # Checkora/Checkora vercel.json:4
            {
                **_DJANGO,
                "vercel.json": '{\n  "framework": "django",\n'
                '  "installCommand": "echo \'Python deps handled by runtime\'"\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    1,
                    (
                        "installCommand \"echo 'Python deps handled by runtime'\" replaces the "
                        "Python builder's install of requirements.txt under the django preset, "
                        "and it installs no Python package: nothing the app imports is "
                        "installed"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        found = vercel_json(ctx.project.root)
        manifest = ctx.project.manifest
        if found is None or manifest is None or manifest.installs_nothing:
            return
        config, text, data = found
        command = data.get("installCommand")
        builds = data.get("builds")
        if not isinstance(command, str) or not command.strip() or builds:
            return  # an empty one is skipped by the builder; `builds` never read it
        preset = preset_of(ctx.project.root)
        if preset.slug not in _PYTHON_FRAMEWORKS or not _installs_no_python(command):
            return
        if _PYTHON_INSTALLERS.search(_package_scripts(ctx)):
            return  # `npm install` may run a script that pip-installs
        where = f"the {preset.slug} preset"
        if not preset.pinned:
            where += ' a new project gets ("Other" ignores the command)'
        yield self.at(
            Location(config, line_of(text, '"installCommand"')),
            f"installCommand {command!r} replaces the Python builder's install of "
            f"{manifest.shown(ctx.project.root)} under {where}, and it installs no Python "
            "package: nothing the app imports is installed",
            severity=None if preset.pinned else Severity.WARNING,
        )


def _installs_no_python(command: str) -> bool:
    """Whether every step of a shell command is one that installs no Python package."""
    for step in re.split(r"&&|\|\||[;|\n]", command):
        try:
            words = shlex.split(step)
        except ValueError:
            return False
        words = [w for w in words if not re.match(r"^[A-Za-z_]\w*=", w)]  # FOO=1 cmd
        if words and (words[0] not in _NO_PYTHON or _PYTHON_INSTALLERS.search(step)):
            return False
    return True


def _package_scripts(ctx: CheckContext) -> str:
    """package.json's scripts as one text (a postinstall may install Python packages)."""
    try:
        return (ctx.project.root / "package.json").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
