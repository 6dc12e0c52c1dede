"""F11: a module of the import closure that does not compile on the target CPython: the
import raises SyntaxError and the function never starts (PEP 758's `except A, B:` is
valid on 3.14 only)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.deps.platform import version_tuple
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.syntax import parse_quietly


class SyntaxErrorInClosure(ProjectRule):
    """A module the entrypoint imports does not compile on the target CPython."""

    id = "PF1102"
    fid = "F11"
    name = "syntax-error-at-import"
    per_module = True
    severity = Severity.ERROR
    message = "this module does not compile: the import fails and the function never starts"
    fix = "fix the syntax (and check it against the Python version Vercel runs)"

    VALID = (
        ProjectExample({"app.py": "import helpers\napp = 1\n", "helpers.py": "x = 1\n"}),
        ProjectExample(  # PEP 758 syntax, valid on the 3.14 target
            {
                "app.py": "import helpers\napp = 1\n",
                "helpers.py": "try:\n    pass\nexcept KeyError, ValueError:\n    pass\n",
                ".python-version": "3.14\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": "import helpers\napp = 1\n", "helpers.py": "def f(:\n    pass\n"},
            expect=(
                Expect(
                    "helpers.py", 1, 7, "helpers.py SyntaxError: invalid syntax: the import fails"
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for path in ctx.closure.unparsable:
            line, column, why = 1, 1, "cannot be read"
            try:
                parse_quietly(path.read_bytes(), str(path))
            except SyntaxError as exc:
                line, column, why = exc.lineno or 1, exc.offset or 1, f"SyntaxError: {exc.msg}"
            except (RecursionError, MemoryError):
                why = "is nested too deeply for the parser"
            except (OSError, ValueError) as exc:
                why = f"cannot be read ({exc})"
            rel = path.relative_to(ctx.project.root).as_posix()
            running = f"{sys.version_info[0]}.{sys.version_info[1]}"
            if version_tuple(ctx.python) > sys.version_info[:2]:
                # newer syntax (e.g. PEP 758 `except A, B:` in 3.14) is not ours to judge
                ctx.skip(
                    "code rules",
                    f"{rel} does not parse on CPython {running}, "
                    f"older than the target {ctx.python}; run preflight on {ctx.python}",
                )
                continue
            yield self.at(Location(path, line, column), f"{rel} {why}: the import fails")
