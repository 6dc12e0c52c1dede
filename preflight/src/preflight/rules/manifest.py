"""F3 and F2 (stale lock): which manifest Vercel installs from, and whether it is current.

Vercel takes the pyproject.toml nearest to the entrypoint even when it has no [project]
table (then it installs nothing: "No project table found"), and ignores every other
manifest in that directory (packages/python-analysis/src/manifest/package.ts). With a
uv.lock beside it, the lock is installed `--frozen` (packages/python/src/index.ts), so
a dependency missing from the lock is missing in production.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.deps.declared import RUNTIME, declared_in, unparsable_requirements
from preflight.deps.platform import marker_environment
from preflight.findings import Finding, Fix, Location, Severity, first_few
from preflight.project import REQUIREMENTS_FILES, manifest_encoding, read_manifest_text
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

_APP = "from flask import Flask\napp = Flask(__name__)\n"
_PROJECT = '[project]\nname = "a"\nversion = "0"\n'


class PyprojectWithoutProject(ProjectRule):
    """The winning pyproject.toml has no [project] table, so nothing is installed."""

    id = "PF301"
    fid = "F3"
    name = "pyproject-without-project-table"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "pyproject.toml has no [project] table: Vercel uses it anyway and installs nothing"
    fix = "add a [project] table with your dependencies (or remove pyproject.toml)"

    VALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": _PROJECT + 'dependencies = ["flask"]\n',
            }
        ),
        ProjectExample({"app.py": _APP, "requirements.txt": "flask\n"}),
        ProjectExample(  # not uploaded, so never the manifest (amnaMahmoodObs/robotics-book)
            {
                "app.py": _APP,
                "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
                ".vercelignore": ".env\npyproject.toml\n",
                "requirements.txt": "flask\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
                "requirements.txt": "flask\n",
            },
            expect=(
                Expect(
                    "pyproject.toml",
                    1,
                    1,
                    (
                        "pyproject.toml has no [project] table, yet it wins over "
                        "requirements.txt: Vercel ignores requirements.txt and installs "
                        "nothing"
                    ),
                ),
            ),
            fixed={
                "pyproject.toml": (
                    "[tool.ruff]\n"
                    "line-length = 100\n"
                    "\n"
                    "[project]\n"
                    'name = "p0"\n'
                    'version = "0.1.0"\n'
                    'requires-python = ">=3.12"\n'
                    "dependencies = [\n"
                    '    "flask",\n'
                    "]\n"
                )
            },
        ),
        ProjectExample(
            {"app.py": _APP, "pyproject.toml": '[project]\nname = "a"\ndependencies = [\n'},
            expect=(
                Expect(
                    "pyproject.toml",
                    3,
                    1,
                    (
                        "pyproject.toml does not parse (Invalid value (at end of "
                        "document)): the build fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is None or manifest.kind != "pyproject" or manifest.has_project_table:
            return
        try:
            text = manifest.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # package.ts: PYTHON_PYPROJECT_PARSE_ERROR fails the build
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
            if "end of document" in str(exc):
                line = max(1, len(text.splitlines()))
            yield self.at(
                Location(manifest.path, line),
                f"pyproject.toml does not parse ({exc}): the build fails",
                fix="fix the TOML syntax",
            )
            return
        message = self.message
        if manifest.shadowed:
            hidden = ", ".join(p.name for p in manifest.shadowed)
            message = (
                f"pyproject.toml has no [project] table, yet it wins over {hidden}: "
                f"Vercel ignores {hidden} and installs nothing"
            )
        yield self.at(Location(manifest.path, 1), message, autofix=_project_table(ctx))


def _project_table(ctx: CheckContext) -> Fix | None:
    """A [project] table carrying the requirements of the manifest it hides, so uv (which
    Vercel runs) installs them. No [build-system] is added: uv then installs only the
    dependencies, not the directory as a package."""
    manifest = ctx.project.manifest
    if manifest is None or "project" in ctx.project.pyproject:
        return None
    requirements = [
        d.raw
        for path in manifest.shadowed
        if "requirements" in path.name
        for d in declared_in(path)
        if d.scope == RUNTIME and d.url is None
    ]
    if not requirements:
        return None
    name = re.sub(r"[^a-z0-9]+", "-", ctx.project.root.name.lower()).strip("-") or "app"
    deps = "".join(f"    {json.dumps(r)},\n" for r in dict.fromkeys(requirements))
    table = (
        f'\n[project]\nname = "{name}"\nversion = "0.1.0"\n'
        f'requires-python = ">={ctx.project.python.version}"\ndependencies = [\n{deps}]'
    )
    return Fix.append(manifest.path, table, "add a [project] table with the hidden requirements")


class ManifestEncoding(ProjectRule):
    """A manifest Vercel's builder cannot read: UTF-16, or UTF-8 with a byte-order mark."""

    id = "PF303"
    fid = "F3"
    name = "manifest-not-plain-utf8"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "the manifest is not plain UTF-8: the build fails before installing anything"
    fix = "save it as UTF-8 without a byte-order mark"

    VALID = (ProjectExample({"app.py": _APP, "requirements.txt": "flask\n"}),)
    INVALID = (
        ProjectExample(
            {"app.py": _APP, "requirements.txt": "\ufeffflask\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "requirements.txt is UTF-8 with a byte-order mark: Vercel reads "
                        "it as plain UTF-8 and the build fails with "
                        "PYTHON_REQUIREMENTS_PARSE_ERROR"
                    ),
                ),
            ),
            fixed={"requirements.txt": "flask\n"},
        ),
        ProjectExample(
            {"app.py": _APP, "pyproject.toml": "\ufeff" + _PROJECT + 'dependencies = ["flask"]\n'},
            expect=(
                Expect(
                    "pyproject.toml",
                    1,
                    1,
                    (
                        "pyproject.toml is UTF-8 with a byte-order mark: Vercel reads it "
                        "as plain UTF-8 and the build fails with "
                        "PYTHON_CONFIG_PARSE_ERROR"
                    ),
                ),
            ),
            fixed={"pyproject.toml": _PROJECT + 'dependencies = ["flask"]\n'},
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        # package.ts reads every manifest as UTF-8 (fs.ts `readFileTextIfExists`): a
        # requirements file then fails uv's requirements parser, a pyproject.toml,
        # Pipfile or Pipfile.lock the TOML / JSON parser (checked with
        # @vercel/python-analysis 0.14.0, tests/check/test_oracle.py).
        if manifest is None:
            return
        encoding = manifest_encoding(manifest.path)
        text = read_manifest_text(manifest.path)
        if encoding is None or text is None:
            return
        code = (
            "PYTHON_REQUIREMENTS_PARSE_ERROR"
            if manifest.kind in REQUIREMENTS_FILES
            else "PYTHON_CONFIG_PARSE_ERROR"
        )
        yield self.at(
            Location(manifest.path, 1),
            f"{manifest.path.name} is {encoding}: Vercel reads it as plain UTF-8 and the "
            f"build fails with {code}",
            autofix=Fix.replace_file(
                manifest.path, text.replace("\r\n", "\n"), "re-save it as plain UTF-8"
            ),
        )


class UnparsableRequirement(ProjectRule):
    """A line of the requirements file Vercel installs from that is no requirement."""

    id = "PF304"
    fid = "F3"
    name = "unparsable-requirement"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "this line is not a requirement: the build fails with PYTHON_REQUIREMENTS_PARSE_ERROR"
    fix = "write one PEP 508 requirement per line (name, optional extras, `==1.2`), or delete it"

    VALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "requirements.txt": "# pinned\n--index-url https://pypi.org/simple\n"
                "flask==3.1.3 --hash=sha256:abc\nrequests>=2,<3 ; python_version >= '3.8'\n"
                "git+https://github.com/pallets/click.git#egg=click\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # A-gif449/file-storage: the PowerShell that wrote the file, pasted in
            {
                "app.py": _APP,
                "requirements.txt": '@"\nflask==3.1.3\n"@ | Out-File -FilePath '
                '"requirements.txt"\n',
            },
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    "requirements.txt:1 `@\"` is not a requirement: Vercel's builder stops "
                    "with PYTHON_REQUIREMENTS_PARSE_ERROR (and 1 more such line)",
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is None or manifest.kind not in REQUIREMENTS_FILES:
            return
        if manifest_encoding(manifest.path) is not None:
            return  # unreadable as a whole: PF303
        bad = unparsable_requirements(manifest.path)
        if not bad:
            return
        line, text = bad[0]
        more = (
            f" (and {len(bad) - 1} more such line{'s' if len(bad) > 2 else ''})"
            if len(bad) > 1
            else ""
        )
        yield self.at(
            Location(manifest.path, line),
            f"{manifest.path.name}:{line} `{text[:60]}` is not a requirement: Vercel's builder "
            f"stops with PYTHON_REQUIREMENTS_PARSE_ERROR{more}",
        )


class ShadowedManifest(ProjectRule):
    """Another manifest beside the winner declares packages the winner lacks."""

    id = "PF302"
    fid = "F3"
    name = "shadowed-manifest"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "this manifest is ignored by Vercel: another one in the same directory wins"
    fix = "keep one manifest: move these requirements into the one Vercel reads"
    needs_index = True  # the winner's install set, transitive dependencies included

    VALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": _PROJECT + 'dependencies = ["flask"]\n',
                "requirements.txt": "flask\n",
            }
        ),
        ProjectExample(  # a `uv export` of the same pyproject: flask's own dependencies
            {
                "app.py": _APP,
                "pyproject.toml": _PROJECT + 'dependencies = ["flask"]\n',
                "requirements.txt": "flask\nwerkzeug\ncolorama ; sys_platform == 'win32'\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": _PROJECT + 'dependencies = ["flask"]\n',
                "requirements.txt": "flask\nflask-cors\n",
            },
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "requirements.txt is ignored (pyproject.toml wins), so flask-cors "
                        "will not be installed"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is None or not manifest.has_project_table:
            return
        runtime = {d.name for d in ctx.declared if d.scope == RUNTIME}
        resolution = ctx.resolution
        if not (resolution.unavailable or resolution.incomplete):
            # what the winner installs, its dependencies too: a `uv export` or pip-compile
            # of the same pyproject lists those, and they are installed all the same
            # (athrael-soju/nextjs-fastapi-colpali-template, dycw/vercel-fastapi)
            runtime |= resolution.names
        env = marker_environment(ctx.python)
        for path in manifest.shadowed:
            extra = [
                d
                for d in declared_in(path)
                if d.scope == RUNTIME and d.name not in runtime and d.applies(env)
            ]
            if extra:
                names = first_few([d.raw for d in extra])
                yield self.at(
                    Location(path, extra[0].line),
                    f"{path.name} is ignored ({manifest.path.name} wins), so {names} "
                    "will not be installed",
                )
