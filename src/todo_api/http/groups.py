"""Route groups that import their module on the first request for one of their paths.

A request imports only the code it runs: a cold start answering /health never loads
argon2 or the attachment code, and a first task write never loads the login routes.
Each group owns a path pattern; tests check that every operation of a module falls
in its own group's pattern and in no earlier one.
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import TYPE_CHECKING, Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, NoMatchFound, Route, Router
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from todo_api.http.routing import Operation


class RouteGroup(BaseRoute):
    def __init__(self, pattern: str, module: str) -> None:
        self.pattern = pattern
        self.module = module
        # Compiled on the first path that starts with the pattern's literal head: the
        # seven groups' patterns cost 3 M instructions to compile (a cold start's app
        # import is ~450 M), and a request meets only the groups before its own.
        self._head = _literal_head(pattern)
        self._regex: re.Pattern[str] | None = None
        self._router: Router | None = None
        self._lock = threading.Lock()

    def operations(self) -> list[Operation]:
        operations: list[Operation] = importlib.import_module(self.module).api.operations
        return operations

    def router(self) -> Router:
        with self._lock:
            if self._router is None:
                self._router = Router(
                    routes=[op.route() for op in self.operations()], redirect_slashes=False
                )  # redirects would use the Host header
            return self._router

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path = get_route_path(scope)
        if not path.startswith(self._head):
            return Match.NONE, {}
        if self._regex is None:
            self._regex = re.compile(self.pattern)
        return (Match.FULL, {}) if self._regex.match(path) else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # What the inner Router would do, in one pass over the routes instead of two (one
        # for the 405 check, one in the Router): the first full match handles it; the
        # Router's own 404 (HTTPException -> problem+json) when nothing matches; but a
        # 405 of our own, as the Router's would name only the first route of the path
        # (one Route per operation).
        router = self.router()
        for route in router.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        matches = [route.matches(scope)[0] for route in router.routes]
        if Match.PARTIAL in matches:
            raise HTTPException(405, headers={"Allow": _allowed(router.routes, matches)})
        await router.default(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # todo_api never builds URLs by route name


def _literal_head(pattern: str) -> str:
    """The text every match of `pattern` starts with: its characters up to the first one
    with a meaning in a regex, or "" when the pattern has a top-level alternative."""
    depth, escaped, in_class = 0, False, False
    for char in pattern:  # a `|` outside any group or class splits the whole pattern
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return ""
    for index, char in enumerate(pattern):
        if char in "\\.^$*+?{}[]()|":
            return pattern[:index]
    return pattern


def _allowed(routes: list[BaseRoute], matches: list[Match]) -> str:
    """Every method of the path the client meant: the most literal template that matched
    (`/attachments/uploads` rather than `/attachments/{attachment_id}`)."""
    paths = [r for r, m in zip(routes, matches, strict=True) if m is Match.PARTIAL]
    candidates = [route for route in paths if isinstance(route, Route)]
    fewest = min(route.path.count("{") for route in candidates)
    methods = {
        method
        for route in candidates
        if route.path.count("{") == fewest
        for method in route.methods or ()
    }
    return ", ".join(sorted(methods))
