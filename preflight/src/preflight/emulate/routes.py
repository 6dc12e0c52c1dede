"""The edge's routing: where a request goes in a build output (static file, the function,
a redirect or an error), the one answer `--serve` and the probes share.

Routing follows the Build Output API's phases as far as builds of Python apps use them:
the routes before any `handle`, then the filesystem (static files, the function), then
the `filesystem`/`miss` and `rewrite` phases' routes (`check: true` looks at the
filesystem again), then the `error` phase for what is left (a 404). A route's
`transforms` `request.path` `set` (how @vercel/python 25's catch-all makes "application
routing observe the rewrite") sets the path the function sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from preflight.emulate import build


@dataclass(frozen=True)
class Target:
    """Where a request goes: a static file, the function, or an answer of the edge's own."""

    kind: str  # "static" | "function" | "redirect" | "not_found"
    status: int = 200
    file: Path | None = None  # kind "static"
    path: str = ""  # kind "function": the path (and query) the function sees
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Router:
    """The build output's routes over its static files and the one function run here."""

    routes: list[dict[str, Any]]
    static_dir: Path | None
    function_route: str  # "/api/index": where the function lives in the output's namespace
    phases: dict[str | None, list[dict[str, Any]]] = field(init=False)

    def __post_init__(self) -> None:
        self.phases = {}
        phase: str | None = None
        for route in self.routes:
            if "handle" in route:
                phase = str(route["handle"])
                self.phases.setdefault(phase, [])
                continue
            self.phases.setdefault(phase, []).append(route)

    # the filesystem: static files first, then functions (as Vercel checks them)
    def static_file(self, path: str) -> Path | None:
        if self.static_dir is None:
            return None
        rel = unquote(path).lstrip("/")
        root = self.static_dir.resolve()
        candidate = (root / rel).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def is_function(self, path: str) -> bool:
        """Whether the filesystem phase finds the function at `path`. An output named
        `<dir>/index` also answers `<dir>` and `<dir>/`, as `index.html` does for static
        files (@vercel/python keeps framework functions away from `index` for this reason:
        "the filesystem treats that output as a match for `/`"); vercel/examples'
        python/hello-world answers at /api from api/index.py."""
        route = self.function_route
        bare = path.rstrip("/") or "/"
        if bare == route or path == route + ".py":
            return True
        return route.endswith("/index") and bare == (route.removesuffix("/index") or "/")

    def resolve(self, method: str, raw_target: str) -> Target:
        split = urlsplit(raw_target)
        original = split.path or "/"
        query = split.query
        current = original
        function_path = original
        headers: list[tuple[str, str]] = []

        def apply(phase: str | None, check_each: bool) -> Target | None:
            nonlocal current, function_path, query
            for route in self.phases.get(phase, []):
                methods = route.get("methods")
                if methods and method.upper() not in [str(m).upper() for m in methods]:
                    continue
                match = _match(str(route.get("src", "")), current)
                if match is None:
                    continue
                for name, value in (route.get("headers") or {}).items():
                    headers.append((str(name), _substitute(str(value), match)))
                status = route.get("status")
                dest = route.get("dest")
                if dest is None:
                    if route.get("continue") or not isinstance(status, int):
                        continue  # headers only
                    if 300 <= status < 400:
                        return Target("redirect", status, headers=tuple(headers))
                    return self._error(current, status, headers)
                dest_split = urlsplit(_substitute(str(dest), match))
                if dest_split.scheme:
                    return Target("not_found", 502, headers=tuple(headers))  # external proxy
                # a dest without its leading slash is rooted (cli/src/util/dev/router.ts)
                current = "/" + dest_split.path.lstrip("/")
                if dest_split.query:
                    query = "&".join(q for q in (query, dest_split.query) if q)
                for transform in route.get("transforms") or []:
                    if transform.get("type") == "request.path" and transform.get("op") == "set":
                        function_path = _substitute(str(transform.get("args", "")), match)
                if isinstance(status, int) and status >= 400:
                    return self._error(current, status, headers)
                if route.get("continue"):
                    continue
                if check_each or route.get("check"):
                    hit = self._filesystem(current, function_path, query, headers)
                    if hit is not None:
                        return hit
                    continue
                hit = self._filesystem(current, function_path, query, headers)
                return hit if hit is not None else self._error(original, 404, headers)
            return None

        found = apply(None, check_each=False) if self.phases.get(None) else None
        if found is not None:
            return found
        hit = self._filesystem(current, function_path, query, headers)
        if hit is not None:
            return hit
        for phase in ("filesystem", "miss", "rewrite"):
            found = apply(phase, check_each=True)
            if found is not None:
                return found
        return self._error(original, 404, headers)

    def _filesystem(
        self, path: str, function_path: str, query: str, headers: list[tuple[str, str]]
    ) -> Target | None:
        file = self.static_file(path)
        if file is not None:
            return Target("static", 200, file=file, headers=tuple(headers))
        if self.is_function(path):
            target = function_path + (f"?{query}" if query else "")
            return Target("function", path=target, headers=tuple(headers))
        return None

    def _error(self, path: str, status: int, headers: list[tuple[str, str]]) -> Target:
        for route in self.phases.get("error", []):
            if route.get("status") not in (None, status):
                continue
            match = _match(str(route.get("src", "")), path)
            if match is None or route.get("dest") is None:
                continue
            page = self.static_file(_substitute(str(route["dest"]), match))
            if page is not None:
                return Target("static", status, file=page, headers=tuple(headers))
        return Target("not_found", status, headers=tuple(headers))


def _match(src: str, path: str) -> re.Match[str] | None:
    pattern = src if src.startswith("^") else "^" + src
    pattern = pattern if pattern.endswith("$") else pattern + "$"
    try:
        return re.match(pattern, path)
    except re.error:
        return None


def _substitute(template: str, match: re.Match[str]) -> str:
    def group(m: re.Match[str]) -> str:
        key = m.group(1)
        try:
            value = match.group(int(key)) if key.isdigit() else match.group(key)
        except IndexError:
            return ""
        return value or ""

    return re.sub(r"\$(\d+|[A-Za-z_][A-Za-z0-9_]*)", group, template)


def router_for(workdir: Path) -> Router:
    """The Router of a build in `workdir`: Vercel's output when there is one, else
    public/ + the app. Takes the directory, not the session, so routing needs nothing of
    the session that builds it (the session imports this module)."""
    output = workdir / "src" / ".vercel" / "output"
    config_file = output / "config.json"
    func = build.pick_function(output) if output.is_dir() else None
    if func is not None and config_file.is_file():
        config = json.loads(config_file.read_text())
        routes = config.get("routes") if isinstance(config, dict) else None
        static = output / "static"
        route = "/" + func.relative_to(output / "functions").as_posix().removesuffix(".func")
        return Router(
            [r for r in routes or [] if isinstance(r, dict)],
            static if static.is_dir() else None,
            route,
        )
    # preflight's bundler writes no build output: public/ on the CDN, the rest to the app
    public = workdir / "src" / "public"
    routes = [{"handle": "filesystem"}, {"src": "/(.*)", "dest": "/index"}]
    return Router(routes, public if public.is_dir() else None, "/index")
