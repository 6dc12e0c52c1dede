"""F2: an absolute import of a module that lives only in the entrypoint's own folder.

`python backend/app.py` puts backend/ on sys.path, so `from routes.auth import bp` finds
backend/routes/ locally. Vercel's function does not run the file as a script: its handler
sits at the bundle root and loads the entrypoint from its path (vercel-runtime resolver.py
`spec_from_file_location`, handler template in packages/python/src/index.ts at
17d9ebaf8e), so sys.path holds /var/task and the vendored packages, never the entrypoint's
folder. amadaganzon09-bit/flask-vercel-deployment builds backend/app.py and crashed with
"No module named 'routes'" (reproduced by `preflight run` with Vercel's builder and
runtime) until 298baf4 appended the folder to sys.path.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.closure import is_guarded
from preflight.files import relative_posix
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module
from preflight.vercel_config import vercel_config_file

_APP = "from flask import Flask\nfrom routes.auth import bp\napp = Flask(__name__)\n"
_BUILDS = '{"builds": [{"src": "backend/app.py", "use": "@vercel/python"}]}'


class ImportFromEntrypointFolder(ProjectRule):
    """`import x` where x exists only beside an entrypoint that is not at the root."""

    id = "PF205"
    fid = "F2"
    name = "import-from-entrypoint-folder"
    per_module = True
    severity = Severity.ERROR
    message = "this module is found only beside the entrypoint, which is not on sys.path"
    fix = "import it through its folder (backend.routes), or put the folder on sys.path first"
    needs_index = True

    VALID = (
        ProjectExample(  # the folder is put on sys.path first (298baf4's fix)
            {
                "backend/app.py": "import os, sys\n"
                "sys.path.append(os.path.dirname(os.path.abspath(__file__)))\n" + _APP,
                "backend/routes/auth.py": "bp = None\n",
                "requirements.txt": "flask\n",
                "vercel.json": _BUILDS,
            }
        ),
        ProjectExample(  # imported through the folder, from the root
            {
                "backend/app.py": _APP.replace("from routes.auth", "from backend.routes.auth"),
                "backend/routes/auth.py": "bp = None\n",
                "requirements.txt": "flask\n",
                "vercel.json": _BUILDS,
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "backend/app.py": _APP,
                "backend/routes/auth.py": "bp = None\n",
                "requirements.txt": "flask\n",
                "vercel.json": _BUILDS,
            },
            expect=(
                Expect(
                    "backend/app.py",
                    2,
                    1,
                    (
                        "'routes' is found only beside the entrypoint (backend/routes): the "
                        "function's sys.path holds the project root (/var/task), not backend/, "
                        "so this import raises ModuleNotFoundError"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry, root = ctx.project.entrypoint, ctx.project.root
        if entry is None or entry.path.parent == root or _puts_paths_on_sys_path(ctx):
            return
        folder = entry.path.parent
        # a stdlib module or an installed distribution resolves without the folder
        # (grok2api's `import platform` beside app/platform/ is the standard library's)
        elsewhere = set(sys.stdlib_module_names) | {
            name.replace("-", "_") for name in ctx.resolution.names
        }
        reported: set[str] = set(elsewhere)
        for module in ctx.closure.modules:
            for node, top in _absolute_imports(module):
                if top.lower() in reported or top in reported:
                    continue
                if module.in_main_guard(node) or is_guarded(module, node):
                    continue
                beside = _local(folder, top)
                if beside is None or _local(root, top) or _local(root / "src", top):
                    continue
                reported.add(top)
                at_import = module.path in ctx.closure.required and _top_level(module, node)
                yield self.at(
                    Location(module.path, node.lineno, node.col_offset + 1),
                    f"{top!r} is found only beside the entrypoint "
                    f"({relative_posix(beside, root)}): the function's sys.path holds the "
                    f"project root (/var/task), not {relative_posix(folder, root)}/, so this "
                    "import raises ModuleNotFoundError",
                    severity=None if at_import else Severity.WARNING,
                )


def _absolute_imports(module: Module) -> Iterator[tuple[ast.stmt, str]]:
    for node in module.of(ast.Import):
        for alias in node.names:
            yield node, alias.name.split(".")[0]
    for found in module.of(ast.ImportFrom):
        if found.level == 0 and found.module:
            yield found, found.module.split(".")[0]


def _local(folder: Path, top: str) -> Path | None:
    for candidate in (folder / top, folder / f"{top}.py"):
        if candidate.exists():
            return candidate
    return None


def _top_level(module: Module, node: ast.AST) -> bool:
    """Runs when the module is imported (not inside a function or class body)."""
    return not any(
        isinstance(p, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for p in module.ancestors(node)
    )


def _puts_paths_on_sys_path(ctx: CheckContext) -> bool:
    """Any sys.path / site change in the app, or a PYTHONPATH in the config: then which
    folders are searched is the app's own business, and no finding is certain."""
    config = vercel_config_file(ctx.project.root)
    if config is not None and "PYTHONPATH" in config.read_text(errors="replace"):
        return True
    for module in ctx.closure.modules:
        for node in module.of(ast.Attribute):
            if node.attr == "path" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                return True
            if node.attr == "addsitedir":
                return True
    return False
