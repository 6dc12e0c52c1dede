"""F2: an optional import (`try: import x / except ImportError: x = None`) used later
without a check. Locally the package is installed (often as a dev dependency), on
Vercel it is not, and the first request that reaches the use crashes with
`AttributeError: 'NoneType' object has no attribute ...` or a NameError.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception"}


class UnguardedOptionalImport(CodeRule):
    """A name bound in `try: import` whose except branch leaves it None/unbound, used bare."""

    id = "PF203"
    fid = "F2"
    name = "unguarded-optional-import"
    severity = Severity.WARNING
    message = "optional import used without a check: it is None (or unbound) when not installed"
    fix = "declare the package in [project.dependencies], or check `if x is not None` first"

    VALID = (
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
        "def dump(x):\n    return json.dumps(x)\n",
        "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n"
        "def dump(x):\n    if orjson is not None:\n        return orjson.dumps(x)\n"
        "    return b''\n",
        "try:\n    import uvloop\nexcept ImportError:\n    HAVE_UVLOOP = False\nelse:\n"
        "    HAVE_UVLOOP = True\ndef run():\n    if HAVE_UVLOOP:\n        uvloop.install()\n",
    )
    INVALID = (
        Invalid(
            "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n"
            "def dump(x):\n    return orjson.dumps(x)\n",
            line=6,
        ),
        Invalid(
            "try:\n    from flask_cors import CORS\nexcept ImportError:\n    pass\n"
            "def setup(app):\n    CORS(app)\n",
            line=6,
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
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
                    yield self.finding(
                        module,
                        use,
                        f"{name!r} comes from an optional import and is used without a check",
                    )

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


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    return bool(_IMPORT_ERRORS & {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)})


def _imported_names(body: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in stmt.names}
        elif isinstance(stmt, ast.ImportFrom):
            names |= {a.asname or a.name for a in stmt.names if a.name != "*"}
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
