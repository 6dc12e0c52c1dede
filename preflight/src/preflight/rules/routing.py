"""F4: routing that hides the app's routes.

Split from entrypoint.py: the entrypoint rules ask whether Vercel finds the app; these
ask whether requests reach it with their own path. Both depend on the framework preset
(preflight.preset): a Python preset (fastapi, flask, django, python) sends every path to the
one app through its catch-all and the app sees the path after rewrites; "Other" builds
api/*.py as functions of their own, reachable only at their own path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.preset import PYTHON_PRESETS, preset_of
from preflight.project import Entrypoint
from preflight.rules._functions import line_of
from preflight.rules._rewrite_targets import api_file, rewrites_below, rewrites_to_no_function
from preflight.rules._served_paths import app_names_path
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.vercel_config import read_vercel_config, vercel_config_file


class RewriteToEntrypoint(ProjectRule):
    """A vercel.json rewrite whose destination is the app's own function path.

    @vercel/python 25 ends its routes with a catch-all that sets the request path to the
    path *after* rewrites (`transforms: request.path set /$1`, in its dist/index.js:
    "application routing observes the rewrite"). So `/(.*)` -> `/api/index`, the classic
    recipe from older guides, makes the ASGI/WSGI app see `/api/index` for every request:
    every route but that one answers 404. Without the rewrite the builder already sends
    every path that is not a static file to the app, unchanged. Under "Other" (`"framework":
    null`) the rewrite is how requests reach api/index.py, and the app is not told the
    rewritten path: no finding.
    """

    id = "PF403"
    fid = "F4"
    name = "rewrite-to-entrypoint"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "this rewrite makes the app see its own function path for every request"
    fix = "remove the rewrite: Vercel's builder routes every non-static path to the app as is"

    _APP = "app = object()\n"
    VALID = (
        ProjectExample({"api/index.py": _APP}),
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{"rewrites": [{"source": "/old", "destination": "/new"}]}',
            }
        ),
        ProjectExample(  # legacy builds: no preset, the function keeps the request's path
            {
                "api/index.py": _APP,
                "requirements.txt": "starlette\n",
                "vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}], '
                '"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": _APP,
                "requirements.txt": "starlette\n",
                "vercel.json": '{"framework": null, "rewrites": [{"source": "/(.*)", '
                '"destination": "/api/index"}]}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n",
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(  # a rewrite to another api/ file (007-SARANG/EmotionalCipher): a warning
            {
                "main.py": _APP,
                "api/encrypt.py": "def handler():\n    pass\n",
                "requirements.txt": "starlette\n",
                "vercel.json": '{"rewrites": [{"source": "/api/encrypt", '
                '"destination": "/api/encrypt.py"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "rewriting '/api/encrypt' to '/api/encrypt.py': under a Python preset "
                        "(the 'python' preset a new project gets) api/encrypt.py is no "
                        "function of its own, so those requests reach the app as "
                        "'/api/encrypt.py', a path its routes are unlikely to serve"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "api/index.py": _APP,
                "requirements.txt": "starlette\n",
                "vercel.json": '{\n  "rewrites": [\n    {"source": "/(.*)", '
                '"destination": "/api/index"}\n  ]\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    1,
                    (
                        "rewriting '/(.*)' to '/api/index' makes the app see '/api/index' "
                        "as the path of every request (the 'python' preset a new project "
                        "gets): its routes answer 404"
                    ),
                ),
            ),
        ),
        ProjectExample(  # legacy `routes` to the function (jackyliu/sanic-vercel)
            {
                "api/index.py": _APP,
                "requirements.txt": "sanic==20.12.7\n",
                "vercel.json": '{"routes": [{"src": "/(.*)", "dest": "/api/index"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "routing '/(.*)' to '/api/index': under a Python preset (the 'python' "
                        "preset a new project gets) api/index.py is no function of its own, "
                        "so those requests answer Vercel's 404 NOT_FOUND"
                    ),
                ),
            ),
        ),
        ProjectExample(  # every path to api/index.py's "/api" (Ub207/phase-4-todo backend/)
            {
                "src/main.py": _APP,
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n",
                "requirements.txt": "# the standard library only\n",
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "rewriting '/(.*)' to '/api' makes the app see '/api' as the path of "
                        "every request (the 'python' preset a new project gets) (api/index.py "
                        "is no function of its own there): its routes answer 404"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app/main.py": _APP,
                "pyproject.toml": '[project]\nname = "x"\nversion = "0"\n',
                "vercel.json": '{"rewrites": [{"source": "/api/(.*)", '
                '"destination": "/app/main.py"}]}',
            },
            expect=(
                Expect(
                    "vercel.json",
                    1,
                    1,
                    (
                        "rewriting '/api/(.*)' to '/app/main.py' makes the app see "
                        "'/app/main.py' as the path of every request (the 'python' preset "
                        "a new project gets): its routes answer 404"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        config = vercel_config_file(ctx.project.root)  # vercel.json, .toml or .ts
        if entry is None or entry.name.lower() == "handler" or config is None:
            return
        text = config.read_text(encoding="utf-8", errors="replace")
        for source, destination in rewrites_below(ctx.project.root, entry):
            if app_names_path(ctx, destination) is None:  # under every preset
                yield self.at(
                    Location(config, _line(text, source, destination)),
                    f"rewriting {source!r} to {destination!r}, below the function's own path: "
                    'under "Other" only that exact path reaches the function (Vercel\'s '
                    "edge answers 404 NOT_FOUND), and under a Python preset the app sees that "
                    "path, which it does not serve",
                )
        preset = preset_of(ctx.project.root)
        if not preset.routes_everything_to_app:
            return  # "Other": the rewrite is what routes requests, and the path is kept
        if _legacy_builds(ctx.project.root):
            # `builds` turn the preset off: the builder's config has no framework, and
            # only framework lambdas get the catch-all that copies the rewritten path into
            # the request (vercel/vercel packages/python/src/index.ts:704 `config?.framework`,
            # :2084-2091 early return before the request.path transform, at 17d9ebaf8e).
            return
        shown = "" if preset.pinned else f" (the {preset.slug!r} preset a new project gets)"
        own_paths = _function_paths(ctx.project.root, entry)
        for source, destination in rewrites_to_no_function(ctx.project.root, own_paths):
            if _CATCH_ALL.match(source) and app_names_path(ctx, destination) is None:
                yield self.at(
                    Location(config, _line(text, source, destination)),
                    f"rewriting {source!r} to {destination!r}, which no file makes a "
                    f"function: the app sees {destination!r} for every request{shown}: "
                    "its routes answer 404",
                )
        for source, destination in rewrites_to(ctx.project.root, entry):
            location = Location(config, _line(text, source, destination))
            seen = f"rewriting {source!r} to {destination!r} makes the app see {destination!r}"
            named = app_names_path(ctx, destination)
            if named is not None:
                yield self.at(
                    location,
                    f"{seen}{shown}; the app names that path itself ({named}), so it may "
                    "serve it, but every route it does not map from there answers 404",
                    severity=Severity.WARNING,
                )
                continue
            yield self.at(
                location, f"{seen} as the path of every request{shown}: its routes answer 404"
            )
        for source, destination in routes_to(ctx.project.root, entry):
            file = entry.path.relative_to(ctx.project.root).as_posix()
            yield self.at(
                Location(config, _line(text, source, destination)),
                f"routing {source!r} to {destination!r}: under a Python preset{shown} {file} "
                "is no function of its own, so those requests answer Vercel's 404 NOT_FOUND",
            )
        for source, destination, file in _routes_to_other_files(ctx.project.root, entry):
            yield self.at(
                Location(config, _line(text, source, destination)),
                f"routing {source!r} to {destination!r}: under a Python preset{shown} {file} "
                "is no function of its own (the app is "
                f"{entry.path.relative_to(ctx.project.root).as_posix()}), so those requests "
                "answer Vercel's 404 NOT_FOUND",
            )
        for source, destination, file in _rewrites_to_other_files(ctx.project.root, entry):
            location = Location(config, _line(text, source, destination))
            if _CATCH_ALL.match(source) and app_names_path(ctx, destination) is None:
                # every request: as certain as a rewrite to the app
                yield self.at(
                    location,
                    f"rewriting {source!r} to {destination!r} makes the app see "
                    f"{destination!r} as the path of every request{shown} ({file} is no "
                    "function of its own there): its routes answer 404",
                )
                continue
            yield self.at(
                location,
                f"rewriting {source!r} to {destination!r}: under a Python preset{shown} "
                f"{file} is no function of its own, so those requests reach the app as "
                f"{destination!r}, a path its routes are unlikely to serve",
                severity=Severity.WARNING,
            )


def _line(text: str, source: str, destination: str) -> int:
    """The line of the destination of the rewrite or route from `source`: two rewrites
    to one destination are two findings on their own lines, not both on the first."""
    start = text.find(json.dumps(source))
    if start < 0:
        return line_of(text, json.dumps(destination))
    index = text.find(json.dumps(destination), start)
    return text.count("\n", 0, index) + 1 if index >= 0 else line_of(text, json.dumps(source))


def _legacy_builds(root: Path) -> bool:
    """vercel.json has `builds` and none of them names a Python framework in its config
    (0xIIEST/attend-ease: @vercel/next and @vercel/python builds with a rewrite to
    /api/index.py, which PF403 took for the flask/fastapi preset's catch-all)."""
    builds = (read_vercel_config(root) or {}).get("builds")
    if not isinstance(builds, list) or not builds:
        return False
    return not any(
        isinstance(b, dict)
        and isinstance(b.get("config"), dict)
        and b["config"].get("framework") in PYTHON_PRESETS
        for b in builds
    )


# Sources that match every path (path-to-regexp catch-alls as vercel.json writes them).
_CATCH_ALL = re.compile(r"^/?(\(\.\*\)|\(\.\+\)|:\w+\*|:\w+\(\.\*\))$")


def _rewrites_to_other_files(root: Path, entry: Entrypoint) -> list[tuple[str, str, str]]:
    """Rewrites to another api/*.py than the app's: a Python preset ignores the Python
    runtime for api/ files (frameworks.ts `ignoreRuntimes`), so the destination is only a
    path handed to the app (007-SARANG/EmotionalCipher: /api/encrypt -> /api/encrypt.py
    under the flask preset, whose app serves /encrypt)."""
    rewrites = (read_vercel_config(root) or {}).get("rewrites")
    own = {destination for _, destination in rewrites_to(root, entry)}
    found = []
    for rewrite in rewrites if isinstance(rewrites, list) else []:
        destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
        if not isinstance(destination, str) or destination in own:
            continue
        file = api_file(root, destination.split("?")[0].strip("/"))
        if file is not None:
            found.append((str(rewrite.get("source")), destination, file))
    return found


def _routes_to_other_files(root: Path, entry: Entrypoint) -> list[tuple[str, str, str]]:
    """Legacy `routes` that end at another api/*.py than the app's entrypoint: under a Python
    preset no api/ file is a function of its own, so the route ends at no output and the
    edge answers NOT_FOUND (zhangtyzzz/uni-api: `/(.*)` -> `api/index.py` while the fastapi
    preset's entrypoint is main.py, which imports api/index.py's app; `preflight run` with
    Vercel's builder answers 404 NOT_FOUND for every path)."""
    own = _function_paths(root, entry)
    found = []
    for src, dest in _final_routes(root):
        if dest.split("?")[0] in own:
            continue
        file = api_file(root, dest.split("?")[0].strip("/"))
        if file is not None:
            found.append((src, dest, file))
    return found


def rewrites_to(root: Path, entry: Entrypoint) -> list[tuple[str, str]]:
    """vercel.json rewrites (source, destination) whose destination is the app's function."""
    rewrites = (read_vercel_config(root) or {}).get("rewrites")
    function = "/" + entry.path.relative_to(root).with_suffix("").as_posix()
    targets = {function, function + ".py"}
    if function.endswith("/index"):
        targets |= {function.removesuffix("/index"), function.removesuffix("index")}
    found = []
    for rewrite in rewrites if isinstance(rewrites, list) else []:
        destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
        if isinstance(destination, str) and destination.split("?")[0] in targets:
            found.append((str(rewrite.get("source")), destination))
    return found


def routes_to(root: Path, entry: Entrypoint) -> list[tuple[str, str]]:
    """Legacy vercel.json `routes` (src, dest) that end at the app's own function path.

    A route with a `dest` ends routing there (no `continue`, no `status`): under a Python
    preset the only function is the preset's (`/python`, `/fastapi`...), so `/api/index`
    is no output and the edge answers NOT_FOUND (jackyliu/sanic-vercel: `/(.*)` ->
    `/api/index`, which `preflight run` with Vercel's builder answers 404 NOT_FOUND)."""
    targets = _function_paths(root, entry)
    return [(src, dest) for src, dest in _final_routes(root) if dest.split("?")[0] in targets]


def _final_routes(root: Path) -> Iterator[tuple[str, str]]:
    """Legacy `routes` (src, dest) that end routing at their `dest`: no `continue`, no
    `status`, both strings (anything else is for other rules, or Vercel's to refuse)."""
    routes = (read_vercel_config(root) or {}).get("routes")
    for route in routes if isinstance(routes, list) else []:
        if not isinstance(route, dict) or route.get("continue") or "status" in route:
            continue
        src, dest = route.get("src"), route.get("dest")
        if isinstance(src, str) and isinstance(dest, str):
            yield src, dest


def _function_paths(root: Path, entry: Entrypoint) -> set[str]:
    """The paths that name the entrypoint's file as a function of its own (under "Other")."""
    function = "/" + entry.path.relative_to(root).with_suffix("").as_posix()
    targets = {function, function + ".py", function.lstrip("/"), function.lstrip("/") + ".py"}
    if function.endswith("/index"):
        targets |= {function.removesuffix("/index"), function.removesuffix("index")}
    return targets
