"""F2: an optional import (`try: import x / except ImportError: x = None`) used later
without a check. Locally the package is installed (often as a dev dependency), on
Vercel it is not, and the first request that reaches the use crashes with
`AttributeError: 'NoneType' object has no attribute ...` or a NameError.

A project rule, not a per-module one: a package the winning manifest installs, or one
in the standard library, is there on Vercel, so its fallback never runs (no warning).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.closure import STDLIB
from preflight.deps.declared import RUNTIME
from preflight.deps.mapping import candidates
from preflight.deps.platform import BUILDER_INSTALLED
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception"}
_ORJSON_BARE = (
    "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n"
    "def dump(x):\n    return orjson.dumps(x)\n"
)


class UnguardedOptionalImport(ProjectRule):
    """A name bound in `try: import` whose except branch leaves it None/unbound, used bare."""

    id = "PF203"
    fid = "F2"
    name = "unguarded-optional-import"
    severity = Severity.WARNING
    message = "optional import used without a check: it is None (or unbound) when not installed"
    fix = "declare the package in [project.dependencies], or check `if x is not None` first"

    VALID = (
        ProjectExample(
            {
                "app.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
                "def dump(x):\n    return json.dumps(x)\n"
            }
        ),
        ProjectExample(
            {
                "app.py": "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n"
                "def dump(x):\n    if orjson is not None:\n        return orjson.dumps(x)\n"
                "    return b''\n"
            }
        ),
        ProjectExample(
            {
                "app.py": "try:\n    import uvloop\nexcept ImportError:\n    HAVE_UVLOOP = False\n"
                "else:\n    HAVE_UVLOOP = True\n"
                "def run():\n    if HAVE_UVLOOP:\n        uvloop.install()\n"
            }
        ),
        ProjectExample(  # declared in the manifest Vercel installs: the import succeeds
            {
                "app.py": _ORJSON_BARE,
                "requirements.txt": "orjson\n",
            }
        ),
        ProjectExample(  # in the standard library of every Python Vercel offers
            {
                "app.py": "try:\n    import tomllib\nexcept ImportError:\n    tomllib = None\n"
                "def load(s):\n    return tomllib.loads(s)\n"
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _ORJSON_BARE},
            expect=(
                Expect(
                    "app.py",
                    6,
                    12,
                    (
                        "'orjson' comes from an optional import and is used without a "
                        "check: orjson is not declared (no manifest), so on Vercel it is "
                        "missing"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app.py": "try:\n    from flask_cors import CORS\nexcept ImportError:\n    pass\n"
                "def setup(app):\n    CORS(app)\n",
                "requirements.txt": "flask\n",
            },
            expect=(
                Expect(
                    "app.py",
                    6,
                    5,
                    (
                        "'CORS' comes from an optional import and is used without a "
                        "check: flask_cors is not declared in requirements.txt, so on "
                        "Vercel it is missing"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        installed = {d.name for d in ctx.declared if d.scope == RUNTIME}
        if ctx.target == "vercel":
            installed |= BUILDER_INSTALLED
        manifest = ctx.project.manifest
        target = manifest.shown(ctx.project.root) if manifest else "requirements.txt"
        where = f"is not declared in {target}" if manifest else "is not declared (no manifest)"
        for module in ctx.closure.modules:
            for name, dotted, use in self._unguarded(module):
                top = dotted.split(".")[0]
                if (
                    top in STDLIB
                    or candidates(dotted) & installed
                    or _local(ctx.project.root, module, top)
                ):
                    continue  # there on Vercel: the fallback never runs
                yield self.at(
                    Location(module.path, use.lineno, use.col_offset + 1),
                    f"{name!r} comes from an optional import and is used without a check: "
                    f"{top} {where}, so on Vercel it is missing",
                    fix=f"declare it in {target}, or check `if {name} is not None` first",
                )

    def _unguarded(self, module: Module) -> Iterator[tuple[str, str, ast.Name]]:
        """(bound name, imported module, first unchecked use) per optional import."""
        for stmt in module.of(ast.Try):
            if not isinstance(stmt, ast.Try) or not module.is_import_time(stmt):
                continue
            handlers = [h for h in stmt.handlers if _catches_import_error(h)]
            if not handlers:
                continue
            imported = _imported_names(stmt.body)
            fallback = {n for h in handlers for n in _rebound(h.body)}
            flags = {n for h in handlers for n in _assigned(h.body)} | _assigned(stmt.orelse)
            for name in sorted(imported):
                if name in fallback:
                    continue  # the except branch binds a real fallback
                use = self._first_unguarded_use(module, stmt, name, flags | {name})
                if use is not None:
                    yield name, imported[name], use

    def _first_unguarded_use(
        self, module: Module, try_stmt: ast.Try, name: str, guards: set[str]
    ) -> ast.Name | None:
        inside = set(module.subtree(try_stmt))
        for node in module.of(ast.Name):
            if not (isinstance(node, ast.Name) and node.id == name):
                continue
            if not isinstance(node.ctx, ast.Load) or node in inside:
                continue
            parent = module.parents.get(node)
            if not isinstance(parent, ast.Attribute | ast.Call):
                continue
            if not _guarded(module, node, guards):
                return node
        return None


def _local(root: Path, module: Module, top: str) -> bool:
    """A module of the project itself, beside the importer or at the project root."""
    return any(
        (base / f"{top}.py").is_file() or (base / top / "__init__.py").is_file()
        for base in (module.path.parent, root)
    )


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    return bool(_IMPORT_ERRORS & {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)})


def _imported_names(body: list[ast.stmt]) -> dict[str, str]:
    """Bound name -> the module it comes from, for the imports in a try body."""
    names: dict[str, str] = {}
    for stmt in body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                names[a.asname or a.name.split(".")[0]] = a.name
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for a in stmt.names:
                if a.name != "*":
                    names[a.asname or a.name] = stmt.module
    return names


def _rebound(body: list[ast.stmt]) -> set[str]:
    """Names the except branch binds to something other than None."""
    names: set[str] = set(_imported_names(body))
    for stmt in body:
        if isinstance(stmt, ast.Assign) and not (
            isinstance(stmt.value, ast.Constant) and stmt.value.value in {None, False}
        ):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            names.add(stmt.name)
    return names


def _assigned(body: list[ast.stmt]) -> set[str]:
    return {
        t.id
        for stmt in body
        if isinstance(stmt, ast.Assign)
        for t in stmt.targets
        if isinstance(t, ast.Name)
    }


def _guarded(module: Module, node: ast.AST, guards: set[str]) -> bool:
    for parent in module.ancestors(node):
        tests: list[ast.expr] = []
        if isinstance(parent, ast.If | ast.IfExp | ast.While):
            tests = [parent.test]
        elif isinstance(parent, ast.BoolOp):
            tests = list(parent.values)
        elif isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            # an early `if x is None: raise/return` anywhere in the function guards it
            tests = [n.test for n in module.subtree(parent) if isinstance(n, ast.If)]
        elif isinstance(parent, ast.Try):
            return True  # the caller handles the failure
        for test in tests:
            if any(isinstance(n, ast.Name) and n.id in guards for n in ast.walk(test)):
                return True
    return False
