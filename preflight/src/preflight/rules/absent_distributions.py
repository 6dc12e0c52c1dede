"""F19: a declaration PyPI has no project or release for: the build's install fails.

The builder installs from PyPI. A name it does not have (`python==3.10` at
AaditiAI/similarity_prediction requirements.txt:43, as if a line chose the interpreter;
`sqlite3` or `tkinter`, which are the standard library) or an exact pin of a release
that was never uploaded (`flask==9.9`, a local `+cpu` build without its index) stops uv
with "not found in the package registry" / "there is no version of ...", and nothing
is deployed. Only the index's own answer counts (a 404, or a project page without the
version): offline with nothing cached, or with an index, a wheel folder or a source of
its own in the manifest (deps/sources.py), no claim.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.deps.sources import other_source
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.vercel_config import own_install_step

_INTERPRETER = frozenset({"python", "python3", "cpython"})


class AbsentDistribution(ProjectRule):
    """A runtime declaration the index says it cannot serve."""

    id = "PF1904"
    fid = "F19"
    name = "not-on-pypi"
    message = "PyPI has no such distribution or release: the build's install fails"
    fix = (
        "correct the name or the version (`pip index versions NAME` lists the releases), "
        "or name the index that serves it (--extra-index-url, [tool.uv.index])"
    )
    needs_index = True

    VALID = (
        ProjectExample({"app.py": "app = 1\n", "requirements.txt": "flask==3.0.0\n"}),
        ProjectExample(  # a private package from the index the file names
            {
                "app.py": "app = 1\n",
                "requirements.txt": (
                    "--extra-index-url https://pkgs.example.com/simple\npython==3.10\n"
                ),
            }
        ),
        ProjectExample(  # a workspace member: uv takes it from the folder
            {
                "app.py": "app = 1\n",
                "pyproject.toml": (
                    '[project]\nname = "site"\nversion = "1"\ndependencies = ["python"]\n'
                    '[tool.uv.sources]\npython = { path = "./python" }\n'
                ),
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "flask==3.0.0\npython==3.10\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "PyPI has no project named 'python': the build's install stops "
                        "and nothing is deployed"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "Flask-Script==2.0.4\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "PyPI has no release 2.0.4 of flask-script (the newest is 2.0.6): the "
                        "build's install stops and nothing is deployed"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is None or ctx.resolution.source != "index":
            return
        # the project's own installCommand may bring an index with it (PIP_* variables)
        own_install = own_install_step(ctx.project.root)
        for declared, why in ctx.resolution.absent:
            if other_source(manifest, ctx.project.root, declared.name) is not None:
                continue
            outcome = (
                f"the build's install stops unless the project's own {own_install} "
                "points it at another index"
                if own_install
                else "the build's install stops and nothing is deployed"
            )
            yield self.at(
                Location(declared.path, declared.line),
                f"{why}: {outcome}",
                fix=_fix(declared.name),
                severity=Severity.WARNING if own_install else None,
            )


def _fix(name: str) -> str | None:
    """The remedy when the line was never a distribution; None for the rule's own."""
    if name in _INTERPRETER:
        return (
            "remove the line: the Python version is chosen by .python-version or "
            "requires-python, not installed as a package"
        )
    if name.replace("-", "_") in sys.stdlib_module_names:
        return f"remove the line: {name} is part of Python's standard library"
    return None
