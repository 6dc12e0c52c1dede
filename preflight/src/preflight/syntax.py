"""Names and shapes of Python syntax that rules and the module model share: dotted names
of calls, the function node types, and the decorator/base-class vocabulary of request
handlers across frameworks.

Why its own module: these take an AST node, not a `Module`, so `source`, `on_vercel`,
`import_reach` and the rules can all use them without importing one another.
"""

from __future__ import annotations

import ast
import warnings

# Decorator attribute names that register a request handler (Flask, FastAPI, Starlette,
# Django REST framework, Quart, Sanic, Bottle, Pyramid).
ROUTE_DECORATORS = frozenset(
    {
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "websocket",
        "api_route",
        "api_view",
        "view_config",
        "endpoint",
    }
)
# Calls whose function arguments are handlers: Route("/x", endpoint), path("x", view).
ROUTE_REGISTRARS = frozenset(
    {"Route", "WebSocketRoute", "path", "re_path", "add_url_rule", "add_api_route", "add_route"}
)
# Base classes whose methods handle requests.
HANDLER_BASES = frozenset(
    {"HTTPEndpoint", "View", "MethodView", "APIView", "BaseHTTPRequestHandler", "Resource"}
)
HANDLER_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "dispatch"}
    | {"do_GET", "do_POST", "do_PUT", "do_PATCH", "do_DELETE", "do_HEAD"}
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def parse_quietly(source: str | bytes, filename: str) -> ast.Module:
    """ast.parse without the parser's warnings about the user's code (`"\\d"`, an invalid
    escape, is a SyntaxWarning from 3.12): each was printed to preflight's stderr once per
    parse of the file, three times a check, and none is a crash on Vercel."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # the same warning before 3.12
        return ast.parse(source, filename=filename)


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None.

    Exact class tests (the parser makes no subclasses): rules ask this of every call
    several times, 200k times a check on Django, and isinstance was half of its cost."""
    if node.__class__ is _NAME:
        return node.id
    parts: list[str] = []
    while node.__class__ is _ATTRIBUTE:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is _NAME:
        parts.append(node.id)
        parts.reverse()
        return ".".join(parts)
    return None


_NAME, _ATTRIBUTE = ast.Name, ast.Attribute


def call_name(call: ast.Call) -> str | None:
    """The dotted name of the called function, e.g. `os.path.join`.

    The code rules each ask it of every call, seven times per call on Django (246k
    questions for 35k calls), so the answer is kept on the call node, with the `func` it
    was read from: a node's attribute is the cheapest memo there is (a one_pass table cost
    a context-variable read and a function call per question), it goes with the tree, and
    a copy whose `func` was replaced (import_calls binds parameters in copies) asks again."""
    func = call.func
    try:
        seen, name = call._preflight_name  # type: ignore[attr-defined]
    except AttributeError:
        seen = None
    if seen is not func:
        name = dotted_name(func)
        call._preflight_name = (func, name)  # type: ignore[attr-defined]
    return name  # type: ignore[no-any-return]


def last_attr(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def is_route_decorator(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr in ROUTE_DECORATORS
    return isinstance(target, ast.Name) and target.id in {"api_view", "view_config"}
