"""F14: reading `public/` from the function. Vercel serves public/** from its CDN and
leaves it out of the function bundle, so the directory does not exist at run time
(`Directory 'public' does not exist`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from preflight.call_index import calls_named
from preflight.context import CheckContext
from preflight.deps.closure import is_guarded, search_roots, tests_presence
from preflight.files import relative_posix
from preflight.findings import Finding, Location, Severity
from preflight.rules._paths import Where, classify
from preflight.rules.base import VERCEL_ONLY, CodeRule, Expect, Invalid, ProjectExample, ProjectRule
from preflight.source import Module
from preflight.syntax import call_name, last_attr

# Calls whose first argument (or `directory=` / `static_folder=`) is read at run time.
_READERS = {
    "open",
    "io.open",
    "StaticFiles",
    "send_from_directory",
    "send_file",
    "FileResponse",
    "Jinja2Templates",
    "static_file",
}
_PATH_READ_METHODS = {"read_text", "read_bytes", "iterdir", "glob", "rglob"}
# The last parts of the calls _read_paths reads a path from (call_index).
_READ_NAMES = frozenset(
    {n.rpartition(".")[2] for n in _READERS} | _PATH_READ_METHODS | {"open", "Flask"}
)
_DIR_KEYWORDS = {"directory", "static_folder", "template_folder", "path", "root"}


class ReadsPublicDir(CodeRule):
    """A path under public/ handed to a file reader or static-files mount."""

    id = "PF1401"
    fid = "F14"
    name = "reads-public-dir"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "reads public/ at run time: Vercel serves public/ from its CDN, not the function"
    fix = "let the CDN serve public/ (link to /file), or move files the code reads elsewhere"

    VALID = (
        "from starlette.staticfiles import StaticFiles\nassets = StaticFiles(directory='static')\n",
        "import os\nif not os.environ.get('VERCEL'):\n"
        "    from starlette.staticfiles import StaticFiles\n"
        "    ui = StaticFiles(directory='public', html=True)\n",
        # Monipoo0904/calendar-mcp-server main.py:1050: mounted only where the folder is
        "import os\nfrom starlette.staticfiles import StaticFiles\n"
        "if os.path.isdir('public'):\n    ui = StaticFiles(directory='public', html=True)\n",
    )
    INVALID = (
        Invalid(
            "from starlette.staticfiles import StaticFiles\nui = StaticFiles(directory='public')\n",
            line=2,
            column=6,
            message=("reads 'public' at run time: public/ is served by the CDN, not the function"),
        ),
        Invalid(
            "def index(request):\n    return open('public/index.html').read()\n",
            line=2,
            column=12,
            message=(
                "reads 'public/index.html' at run time: public/ is served by the "
                "CDN, not the function"
            ),
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__, static_folder='public')\n",
            2,
            column=7,
            message=("reads 'public' at run time: public/ is served by the CDN, not the function"),
        ),
        Invalid(
            "from pathlib import Path\nHERE = Path(__file__).parent\n"
            "def page(request):\n    return (HERE / 'public' / 'a.html').read_text()\n",
            line=4,
            column=12,
            message=(
                "reads 'public/a.html' at run time: public/ is served by the CDN, not the function"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node in calls_named(module, _READ_NAMES):
            for arg in self._read_paths(node):
                info = classify(arg, module)
                if info.where is Where.BUNDLE and info.first_part == "public":
                    if not module.guarded_by_platform_check(node) and not _if_present(module, node):
                        yield self.finding(
                            module,
                            node,
                            f"reads '{info.text}' at run time: "
                            "public/ is served by the CDN, not the function",
                        )
                    break

    def _read_paths(self, call: ast.Call) -> list[ast.expr]:
        full = call_name(call) or ""
        method = last_attr(call)
        if (
            isinstance(call.func, ast.Attribute)
            and method in _PATH_READ_METHODS | {"open"}
            and full not in {"io.open", "codecs.open"}
        ):
            return [call.func.value]
        name = full.rsplit(".", 1)[-1]
        if name in _READERS or name == "Flask":
            paths = list(call.args[:1]) if name in _READERS else []
            paths += [k.value for k in call.keywords if k.arg in _DIR_KEYWORDS]
            return paths
        return []


def _if_present(module: Module, node: ast.AST) -> bool:
    """Under `if os.path.isdir(public_dir):` and the like: on Vercel the test is False and
    the read never runs (Monipoo0904/calendar-mcp-server main.py:1050 and 1058)."""
    return any(
        isinstance(parent, ast.If) and tests_presence(parent.test)
        for parent in module.ancestors(node)
    )


class ImportsPublicModule(ProjectRule):
    """An import of a first-party module that lives under a public/ folder.

    @vercel/python leaves `**/public/**` out of every function it builds, whatever the
    preset (packages/python/src/index.ts `predefinedExcludes`, since vercel/vercel #14000,
    2025-09), so `from public.usage import USAGE` works locally and raises
    ModuleNotFoundError on Vercel (ultrasev/vercel-python-fastapi's main.py, which deployed
    before that change). A guarded import (try/except ImportError) copes and is left alone.
    """

    id = "PF1402"
    fid = "F14"
    name = "imports-public-module"
    per_module = True
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "imports a module from public/, which Vercel leaves out of the function"
    fix = "move the module out of public/ (public/ is for files the CDN serves)"

    _MAIN = "from fastapi import FastAPI\nfrom public.usage import USAGE\napp = FastAPI()\n"
    VALID = (
        ProjectExample({"main.py": _MAIN.replace("public.", "content."), "content/usage.py": ""}),
        ProjectExample(
            {
                "main.py": "try:\n    from public.usage import USAGE\nexcept ImportError:\n"
                "    USAGE = ''\napp = 1\n",
                "public/usage.py": "USAGE = ''\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"main.py": _MAIN, "public/__init__.py": "", "public/usage.py": "USAGE = ''\n"},
            expect=(
                Expect(
                    "main.py",
                    2,
                    1,
                    (
                        "imports 'public.usage' (public/usage.py), which @vercel/python leaves "
                        "out of the function with everything under public/: "
                        "ModuleNotFoundError as the function starts"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "main.py": "app = 1\n\ndef page():\n    from web.public import strings\n",
                "web/public/strings.py": "",
            },
            expect=(
                Expect(
                    "main.py",
                    4,
                    5,
                    (
                        "imports 'web.public.strings' (web/public/strings.py), which "
                        "@vercel/python leaves out of the function with everything under "
                        "public/: ModuleNotFoundError when it runs"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        if entry is None:
            return  # which modules the function imports is unknown
        root = ctx.project.root
        roots = search_roots(root, entry.path)
        for module in ctx.closure.modules:
            if "public" in module.rel.split("/")[:-1]:
                continue  # left out itself: whoever imports it is the finding
            for node in module.of(ast.Import) + module.of(ast.ImportFrom):
                yield from self._public_imports(module, node, roots, root)

    def _public_imports(
        self, module: Module, node: ast.Import | ast.ImportFrom, roots: list[Path], root: Path
    ) -> Iterator[Finding]:
        if isinstance(node, ast.ImportFrom) and (node.level or not node.module):
            return
        if module.in_main_guard(node) or is_guarded(module, node):
            return
        if isinstance(node, ast.ImportFrom):  # `from web.public import strings`: a submodule
            names = [f"{node.module}.{a.name}" for a in node.names] + [str(node.module)]
        else:
            names = [a.name for a in node.names]
        for name in names:
            found = _public_file(name, roots, root)
            if found is not None:
                name, file = found
                when = "as the function starts" if _at_import(module, node) else "when it runs"
                yield self.at(
                    Location(module.path, node.lineno, node.col_offset + 1),
                    f"imports {name!r} ({file}), which @vercel/python leaves out of the "
                    f"function with everything under public/: ModuleNotFoundError {when}",
                )
                return  # one finding per statement


def _public_file(name: str, roots: list[Path], root: Path) -> tuple[str, str] | None:
    """The module and project file `name` resolves to when a folder on its way is named
    public (the longest importable prefix: `public.usage.USAGE` is public/usage.py)."""
    parts = name.split(".")
    if "public" not in parts[:-1] and parts[-1] != "public":
        return None
    for base in roots:
        for k in range(len(parts), 0, -1):
            for candidate in (
                base.joinpath(*parts[:k], "__init__.py"),
                base.joinpath(*parts[: k - 1], f"{parts[k - 1]}.py"),
            ):
                if candidate.is_file() and "public" in candidate.relative_to(base).parts[:-1]:
                    return ".".join(parts[:k]), relative_posix(candidate, root)
    return None


def _at_import(module: Module, node: ast.AST) -> bool:
    """Whether the statement runs when the module is imported (not inside a def)."""
    parent = module.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return False
        parent = module.parents.get(parent)
    return True
