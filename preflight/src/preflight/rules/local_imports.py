"""F2: a relative import of a first-party module that is not there.

`from .scan.models import Finding` in api/analyze/rescan.py needs api/analyze/scan/ to
be a package holding models.py. When scan is a plain module (scan.py) or nothing at all,
the import raises ModuleNotFoundError as the function starts: tankpkg/tank before
b0f40c12 ("correct import paths in rescan.py"), which `preflight run` reproduces with
the runtime's "'api.analyze.scan' is not a package". Locally a test that never imports
the module, or a stale folder left on disk, hides it.

Relative imports only: they always name the project's own files, so a missing one is
certain, where an absolute `import utils` may be a distribution (PF201's question).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.closure import is_guarded
from preflight.files import relative_posix
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module

_APP = "from fastapi import FastAPI\napp = FastAPI()\n"


class MissingLocalModule(ProjectRule):
    """`from .x.y import z` where the project has no x/y.py (or x is a module)."""

    id = "PF204"
    fid = "F2"
    name = "missing-local-module"
    per_module = True
    severity = Severity.ERROR
    message = "a relative import names a module the project does not have"
    fix = "point the import at the module's real place (or add the missing file)"

    VALID = (
        ProjectExample(
            {
                "index.py": "from api.main import app\n",
                "api/__init__.py": "",
                "api/main.py": "from .routes.items import router\n" + _APP,
                "api/routes/__init__.py": "",
                "api/routes/items.py": "router = None\n",
            }
        ),
        ProjectExample(  # `from . import x` and attributes of a module are not checked
            {
                "index.py": "from api.main import app\n",
                "api/__init__.py": "VERSION = 1\n",
                "api/main.py": "from . import VERSION\nfrom .util import helper\n" + _APP,
                "api/util.py": "def helper():\n    pass\n",
            }
        ),
        ProjectExample(  # guarded: the app copes with its absence
            {
                "index.py": "from api.main import app\n",
                "api/__init__.py": "",
                "api/main.py": "try:\n    from .local_settings import DEBUG\n"
                "except ImportError:\n    DEBUG = False\n" + _APP,
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "index.py": "from api.main import app\n",
                "api/__init__.py": "",
                "api/main.py": "from .scan.models import Finding\n" + _APP,
                "api/scan.py": "x = 1\n",
            },
            expect=(
                Expect(
                    "api/main.py",
                    1,
                    1,
                    "`from .scan.models import` fails at import: api/scan.py is a module, "
                    "not a package, so api.scan.models does not exist",
                ),
            ),
        ),
        ProjectExample(
            {
                "index.py": "from api.main import app\n",
                "api/__init__.py": "",
                "api/main.py": _APP + "from .helpers import slugify\n",
            },
            expect=(
                Expect(
                    "api/main.py",
                    3,
                    1,
                    "`from .helpers import` fails at import: the project has no "
                    "api/helpers.py and no api/helpers/ folder",
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        closure = ctx.closure
        for module in closure.modules:
            failed_import = False  # the first failing import stops the module: one finding
            for node in module.of(ast.ImportFrom):
                if not node.level or not node.module or is_guarded(module, node):
                    continue
                problem = _missing(module, node)
                at_import = module.is_import_time(node)
                if problem is None or (at_import and failed_import):
                    continue
                failed_import = failed_import or at_import
                when = "at import" if at_import else "when it runs"
                certain = at_import and module.path in closure.required
                yield self.at(
                    Location(module.path, node.lineno, node.col_offset + 1),
                    f"`from {'.' * node.level}{node.module} import` fails {when}: {problem}",
                    severity=None if certain else Severity.WARNING,
                )


def _missing(module: Module, node: ast.ImportFrom) -> str | None:
    """Why the module a relative import names does not exist, or None when it does."""
    base = module.path.parent
    for _ in range(node.level - 1):
        base = base.parent
    root = module.root
    if base != root and root not in base.parents:
        return None  # beyond the project: Python's own "beyond top-level package" error
    parts = (node.module or "").split(".")
    current = base
    for index, part in enumerate(parts):
        if (current / part).is_dir():
            current = current / part
            continue
        dotted = ".".join([*_package_names(base, root), *parts])
        if (current / f"{part}.py").is_file() or any(current.glob(f"{part}.*.so")):
            if index == len(parts) - 1:
                return None
            return (
                f"{relative_posix(current / f'{part}.py', root)} is a module, not a package, so "
                f"{dotted} does not exist"
            )
        return (
            f"the project has no {relative_posix(current / f'{part}.py', root)} and no "
            f"{relative_posix(current / part, root)}/ folder"
        )
    return None


def _package_names(base: Path, root: Path) -> list[str]:
    return list(base.relative_to(root).parts) if base != root else []
