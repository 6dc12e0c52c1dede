"""The functions an ASGI app runs at startup, before it answers its first request.

Vercel's Python runtime serves ASGI apps through a vendored uvicorn whose lifespan is on
("auto" -> LifespanOn, python/vercel-runtime/src/vercel_runtime/_vendor/uvicorn/config.py),
and packages/python/test/fixtures/41-lifespan-events checks that a FastAPI lifespan runs.
So a lifespan, or an `on_event("startup")` handler, runs at every cold start just as
import-time code does. When it raises (a write to the read-only bundle, SQLite created
under /var/task), the result is uvicorn's "Application startup failed. Exiting." and the
whole function fails (F12), not a single request.

Only hooks that name a function are followed: `FastAPI(lifespan=lifespan)`,
`Starlette(on_startup=[init])`, `app.add_event_handler("startup", init)` and
`@app.on_event("startup")`. Each is paired with the call that registers it, and that call
is the link a finding names (StartupLink).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.source import Link, Module
from preflight.syntax import last_attr


class StartupLink(Link):
    """A hook's registering call on a chain: says that what it registers runs at startup."""

    def __str__(self) -> str:
        return f"{super().__str__()} (which runs it at startup)"


def startup_hooks(module: Module) -> Iterator[tuple[ast.Call, str]]:
    """(the registering call, the name of the function it runs at startup), for each
    hook registered while the module is imported."""
    for call in module.import_time_calls:
        for keyword in call.keywords:
            if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                yield call, keyword.value.id
            elif keyword.arg == "on_startup" and isinstance(keyword.value, ast.List | ast.Tuple):
                yield from ((call, e.id) for e in keyword.value.elts if isinstance(e, ast.Name))
        if last_attr(call) == "add_event_handler" and _names_startup(call, 2):
            handler = call.args[1]
            if isinstance(handler, ast.Name):
                yield call, handler.id
    for stmt in module.tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in stmt.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and last_attr(decorator) == "on_event"
                    and _names_startup(decorator, 1)
                ):
                    yield decorator, stmt.name


def _names_startup(call: ast.Call, count: int) -> bool:
    """The call's first argument is the "startup" event (and it has `count` arguments)."""
    first = call.args[0] if len(call.args) == count else None
    return isinstance(first, ast.Constant) and first.value == "startup"
