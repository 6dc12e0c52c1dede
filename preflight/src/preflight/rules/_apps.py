"""Where the app object is when Vercel cannot see it, so PF401 can name a concrete
export (`app = api`, `app = create_app()`) instead of a generic "export `app`".

Vercel detects only top-level `app` / `application` bindings (entrypoint.rs); these
helpers find what a project built instead: a framework object under another name, an
app factory, an `app` bound inside a `try`/`if` block, or an exported app in a file
Vercel does not look at.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from preflight.app_files import iter_python_files
from preflight.one_pass import remembered
from preflight.project import find_exported_name, parse_file
from preflight.syntax import call_name

FACTORIES = frozenset({"create_app", "make_app", "get_app", "build_app", "get_application"})
# Constructors (last dotted part) whose result is an ASGI / WSGI application.
FRAMEWORKS = frozenset(
    {
        "Flask",
        "FastAPI",
        "Starlette",
        "Quart",
        "Sanic",
        "Litestar",
        "Bottle",
        "App",  # falcon.App
        "API",  # falcon.API (falcon < 3)
        "get_wsgi_application",
        "get_asgi_application",
    }
)


def _constructs_app(value: ast.expr, factories: Iterable[str]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    name = (call_name(value) or "").rsplit(".", 1)[-1]
    if name in {"App", "API"}:  # too generic alone: only falcon's
        return (call_name(value) or "").startswith("falcon.")
    return name in FRAMEWORKS or name in FACTORIES or name in factories


def app_object(tree: ast.Module) -> ast.Assign | None:
    """The top-level `api = FastAPI()` / `server = create_app()` that holds the app
    under a name Vercel does not look for."""
    local_factories = [
        stmt.name
        for stmt in tree.body
        if isinstance(stmt, ast.FunctionDef) and builds_app_inside(stmt)
    ]
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and _constructs_app(stmt.value, local_factories)
        ):
            return stmt
    return None


def assigned_name(stmt: ast.Assign) -> str:
    target = stmt.targets[0]
    assert isinstance(target, ast.Name)
    return target.id


def builds_app_inside(function: ast.FunctionDef) -> bool:
    """A factory: assigns `app`, or returns a framework object (directly or by name)."""
    built: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _constructs_app(node.value, ()):
            built.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in {"app", "application"}:
                    return True
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Name) and node.value.id in built:
                return True
            if _constructs_app(node.value, ()):
                return True
    return False


def binds_app_in_block(tree: ast.Module) -> str | None:
    """`try`/`if`/`with` at top level that assigns or imports `app` (not detected)."""
    kinds = {ast.Try: "try", ast.If: "if", ast.With: "with"}
    for stmt in tree.body:
        kind = next((k for t, k in kinds.items() if isinstance(stmt, t)), None)
        if kind is None:
            continue
        for node in ast.walk(stmt):
            targets: list[str] = []
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.ImportFrom):
                targets = [a.asname or a.name for a in node.names]
            if "app" in targets or "application" in targets:
                return kind
    return None


def required_args(function: ast.FunctionDef) -> bool:
    args = function.args
    positional = args.posonlyargs + args.args
    return len(positional) > len(args.defaults) or any(d is None for d in args.kw_defaults)


def factory_elsewhere(root: Path) -> tuple[Path, ast.FunctionDef] | None:
    """A top-level app factory (create_app, make_app...) anywhere in the project (once
    per check: PF401 and its hint both ask)."""
    return remembered(("factory elsewhere", root), lambda: _factory_elsewhere(root))


def _factory_elsewhere(root: Path) -> tuple[Path, ast.FunctionDef] | None:
    for path in sorted(iter_python_files(root), key=lambda p: (len(p.parts), p)):
        tree = parse_file(path)
        for stmt in tree.body if tree is not None else []:
            if (
                isinstance(stmt, ast.FunctionDef)
                and stmt.name in FACTORIES
                and not required_args(stmt)
            ):
                return path, stmt
    return None


def exports_elsewhere(root: Path) -> list[tuple[Path, str, int]]:
    """Files outside Vercel's candidates that export `app`, shallowest first (once per
    check: PF401 and its hint both ask)."""
    return remembered(("exports elsewhere", root), lambda: _exports_elsewhere(root))


def _exports_elsewhere(root: Path) -> list[tuple[Path, str, int]]:
    found: list[tuple[Path, str, int]] = []
    for path in sorted(iter_python_files(root)):
        tree = parse_file(path)
        exported = find_exported_name(tree) if tree is not None else None
        if exported is not None:
            found.append((path, exported[0], exported[1]))
    # shallowest first: microblog.py before app/tasks.py
    found.sort(key=lambda item: (len(item[0].relative_to(root).parts), item))
    return found


def module_name(path: Path, root: Path) -> str:
    """`shop/web.py` -> `shop.web`; a package's `__init__.py` -> the package."""
    dotted = path.relative_to(root).with_suffix("").as_posix().replace("/", ".")
    return dotted.removesuffix(".__init__")


def handler_assignment(tree: ast.Module) -> ast.Assign | None:
    """`handler = ...` at top level: what Lambda guides export, which Vercel ignores."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id.lower() == "handler"
        ):
            return stmt
    return None


def shadows(root: Path, stem: str) -> bool:
    """A root file or package of this name exists: a new `<stem>.py` would shadow it."""
    return (root / f"{stem}.py").exists() or (root / stem).exists()


def line_containing(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        return None
    return None
