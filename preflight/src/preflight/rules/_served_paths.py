"""Whether the app serves a path itself: PF403 asks it of the path a rewrite hands the app.

A route at the path, or code testing the request path against it, means the app was written
for what the preset hands it; a prefix alone serves no request at the bare path.
"""

from __future__ import annotations

import ast
import re

from preflight.context import CheckContext
from preflight.source import Module


def app_names_path(ctx: CheckContext, destination: str) -> str | None:
    """Where the app's code serves the rewritten path itself, as file:line: a route such as
    `@app.get("/api/index")`, or a shim comparing the request path with it.

    Such an app is written for the path the preset hands it: civictechdc/spicy-regs
    (b912bbd) rewrites /mcp to /api/index and its api/index.py maps a path starting with
    "/api/index" back onto the MCP transport's /mcp mount, so the rewrite works. A prefix
    (`APIRouter(prefix="/api")`) serves no request at the bare path: it does not count."""
    # the static part: "/api/index/mcp/$1" is served by whatever serves /api/index/mcp
    path = re.split(r"[?$:(]", destination, maxsplit=1)[0].rstrip("/") or "/"
    for module in ctx.closure.modules:
        for node in module.of(ast.Constant):
            if not isinstance(node.value, str) or node.value.rstrip("/") != path:
                continue
            parent = module.parents.get(node)
            if _tests_or_routes(parent, node) or _names_a_tested_constant(module, parent):
                return f"{module.rel}:{node.lineno}"
    return None


# Calls whose first argument is a path the app answers or a path it tests for:
# methods (`app.get`, `app.mount`, `path.startswith`) and Starlette's route classes.
_PATH_CALLS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "api_route", "add_url_rule",
     "add_api_route", "add_route", "websocket", "mount", "startswith", "removeprefix"}
)  # fmt: skip
_ROUTE_CLASSES = frozenset({"Route", "Mount", "WebSocketRoute"})


def _tests_or_routes(parent: ast.AST | None, node: ast.AST) -> bool:
    if isinstance(parent, ast.Compare):
        return True
    if not isinstance(parent, ast.Call) or parent.args[:1] != [node]:
        return False
    func = parent.func
    if isinstance(func, ast.Attribute):
        return func.attr in _PATH_CALLS or func.attr in _ROUTE_CLASSES
    return isinstance(func, ast.Name) and func.id in _ROUTE_CLASSES


def _names_a_tested_constant(module: Module, parent: ast.AST | None) -> bool:
    """`_FUNCTION_PATH = "/api/index"`, then `path.startswith(_FUNCTION_PATH)`."""
    if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return False
    target = parent.targets[0]
    if not isinstance(target, ast.Name):
        return False
    return any(
        use.id == target.id and _tests_or_routes(module.parents.get(use), use)
        for use in module.of(ast.Name)
        if isinstance(use.ctx, ast.Load)
    )
