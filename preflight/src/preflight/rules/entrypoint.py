"""F4 / F18: no entrypoint Vercel can detect.

Vercel looks for {app,index,server,main,wsgi,asgi}.py in '', src/, app/ and api/ and
accepts a file only if a top-level statement binds `app` or `application` (assignment,
def, `from x import`) or defines a class named `handler`
(packages/python/src/entrypoint.ts, python-analysis/.../entrypoint.rs). `handler = app`
and an app built only inside a factory function are not detected: the build fails, or
the file is published as a static file and every route 404s (F18).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.closure import iter_python_files
from preflight.findings import Finding, Fix, Location, Severity
from preflight.project import (
    find_exported_name,
    parse_file,
)
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.source import call_name

_FACTORIES = {"create_app", "make_app", "get_app", "build_app", "get_application"}


class NoEntrypoint(ProjectRule):
    """Nothing Vercel would import: explains which candidate failed and why."""

    id = "PF401"
    fid = "F4"
    name = "no-detectable-entrypoint"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "no Python entrypoint Vercel can detect"
    fix = (
        "export a top-level `app` in app.py, index.py, main.py... (or set [tool.vercel] entrypoint)"
    )

    VALID = (
        ProjectExample({"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}),
        ProjectExample({"api/index.py": "from server import app\n"}),
        ProjectExample(
            {
                "index.py": "from http.server import BaseHTTPRequestHandler\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n"
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/index.py": "from flask import Flask\nflask_app = Flask(__name__)\n"
                "handler = flask_app\n"
            },
            expect=(
                Expect(
                    "api/index.py",
                    3,
                    1,
                    "`handler = flask_app` is not detected: Vercel wants a top-level `app` (or "
                    "a `class handler(BaseHTTPRequestHandler)`), so the build fails or "
                    "api/index.py is served as a static file",
                ),
            ),
            fixed={
                "api/index.py": "from flask import Flask\nflask_app = Flask(__name__)\n"
                "handler = flask_app\napp = handler\n"
            },
        ),
        ProjectExample(
            {
                "app.py": "from flask import Flask\n\ndef create_app():\n"
                "    app = Flask(__name__)\n    return app\n"
            },
            expect=(
                Expect(
                    "app.py",
                    3,
                    1,
                    "`app` is only created inside create_app(): Vercel detects top-level names "
                    "only",
                ),
            ),
            fixed={
                "app.py": "from flask import Flask\n\ndef create_app():\n"
                "    app = Flask(__name__)\n    return app\napp = create_app()\n"
            },
        ),
        ProjectExample(
            {"service/web.py": "app = object()\n"},
            expect=(
                Expect(
                    "service/web.py",
                    1,
                    1,
                    "no entrypoint where Vercel looks (app.py, index.py, server.py, main.py, "
                    "wsgi.py or asgi.py in the root, src/, app/ or api/); candidates: "
                    "service/web.py (`app`)",
                ),
            ),
        ),
        ProjectExample(
            {"shop/__init__.py": "import os\n\ndef create_app(config=None):\n    return 1\n"},
            expect=(
                Expect(
                    "shop/__init__.py",
                    3,
                    1,
                    "no entrypoint: the app is built by shop.create_app() but nothing Vercel "
                    "looks at calls it",
                ),
            ),
            fixed={"api/index.py": "from shop import create_app\n\napp = create_app()\n"},
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        project = ctx.project
        if project.entrypoint is not None:
            return
        if project.unresolved_entrypoint is not None:
            pyproject = project.root / "pyproject.toml"
            yield self.at(
                Location(pyproject, _line_containing(pyproject, "entrypoint") or 1),
                f"{project.unresolved_entrypoint} names no module file: the build fails",
                fix='use "module:object" with a file that exists, e.g. entrypoint = "main:app"',
            )
            return
        if project.candidates_without_export:
            for candidate in project.candidates_without_export:
                yield self._explain(candidate, ctx)
            return
        elsewhere = _exports_elsewhere(project.root)
        if elsewhere:
            # shallowest first: microblog.py before app/tasks.py
            elsewhere.sort(key=lambda item: (len(item[0].relative_to(project.root).parts), item))
            path, name, line = elsewhere[0]
            module = path.relative_to(project.root).with_suffix("").as_posix().replace("/", ".")
            listed = ", ".join(
                f"{p.relative_to(project.root).as_posix()} (`{n}`)" for p, n, _ in elsewhere[:3]
            )
            yield self.at(
                Location(path, line),
                f"no entrypoint where Vercel looks (app.py, index.py, server.py, main.py, "
                f"wsgi.py or asgi.py in the root, src/, app/ or api/); candidates: {listed}",
                fix=f'add to pyproject.toml: [tool.vercel] entrypoint = "{module}:{name}"',
            )
            return
        factory = _factory_elsewhere(project.root)
        if factory is not None:
            path, node = factory
            function = node.name
            module = path.relative_to(project.root).with_suffix("").as_posix().replace("/", ".")
            module = module.removesuffix(".__init__")
            index = project.root / "api" / "index.py"
            yield self.at(
                Location(path, node.lineno),
                f"no entrypoint: the app is built by {module}.{function}() but nothing "
                "Vercel looks at calls it",
                fix=f"create api/index.py with `from {module} import {function}` and "
                f"`app = {function}()`",
                autofix=Fix.append(
                    index,
                    f"from {module} import {function}\n\napp = {function}()",
                    f"create api/index.py exporting app = {function}()",
                ),
            )
            return
        yield self.at(Location(project.root, 1))

    def _explain(self, path: Path, ctx: CheckContext) -> Finding:
        tree = parse_file(path)
        rel = path.relative_to(ctx.project.root).as_posix()
        if tree is None:
            return self.at(Location(path, 1), f"{rel} does not parse, so no `app` is detected")
        for stmt in tree.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id.lower() == "handler"
            ):
                value = ast.unparse(stmt.value)
                if "Mangum" in value:
                    return self.at(
                        Location(path, stmt.lineno),
                        f"`handler = {value}` is a Lambda adapter; Vercel detects only a "
                        "top-level `app`, so the build fails or the file is served as static",
                        fix="export the ASGI app itself: `app = <your FastAPI/Starlette app>`",
                    )
                hidden = _binds_app_in_block(tree)
                why = (
                    f" (the `app` bound inside a top-level `{hidden}` block is not seen either)"
                    if hidden
                    else ""
                )
                return self.at(
                    Location(path, stmt.lineno),
                    f"`handler = {value}` is not detected: Vercel wants a top-level `app` "
                    "(or a `class handler(BaseHTTPRequestHandler)`), so the build fails or "
                    f"{rel} is served as a static file{why}",
                    fix=f"add a plain top-level `app = handler` after line {stmt.lineno}",
                    autofix=Fix.insert_after(
                        path,
                        stmt.end_lineno or stmt.lineno,
                        "app = handler",
                        f"add `app = handler` to {rel}",
                    ),
                )
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef) and _builds_app_inside(stmt):
                call = f"{stmt.name}()"
                fixable = stmt.name in _FACTORIES and not _required_args(stmt)
                return self.at(
                    Location(path, stmt.lineno),
                    f"`app` is only created inside {stmt.name}(): Vercel detects top-level "
                    "names only",
                    fix=f"add `app = {call}` at the end of {rel}",
                    autofix=Fix.append(path, f"app = {call}", f"add `app = {call}` to {rel}")
                    if fixable
                    else None,
                )
        hidden = _binds_app_in_block(tree)
        if hidden:
            return self.at(
                Location(path, 1),
                f"{rel} binds `app` only inside a top-level `{hidden}` block, which Vercel "
                "does not look into: the build fails or the file is served as static",
                fix="bind it unconditionally at top level, e.g. `from pkg.main import app`",
            )
        return self.at(
            Location(path, 1),
            f"{rel} defines no top-level `app`, `application` or `class handler`",
        )


def _binds_app_in_block(tree: ast.Module) -> str | None:
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


def _builds_app_inside(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in {"app", "application"}:
                    return True
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            name = call_name(node.value) or ""
            if name.rsplit(".", 1)[-1] in {"Flask", "FastAPI", "Starlette", "Quart", "Sanic"}:
                return True
    return False


def _required_args(function: ast.FunctionDef) -> bool:
    args = function.args
    positional = args.posonlyargs + args.args
    return len(positional) > len(args.defaults) or any(d is None for d in args.kw_defaults)


def _line_containing(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        return None
    return None


def _factory_elsewhere(root: Path) -> tuple[Path, ast.FunctionDef] | None:
    """A top-level app factory (create_app, make_app...) anywhere in the project."""
    for path in sorted(iter_python_files(root), key=lambda p: (len(p.parts), p)):
        tree = parse_file(path)
        for stmt in tree.body if tree is not None else []:
            if (
                isinstance(stmt, ast.FunctionDef)
                and stmt.name in _FACTORIES
                and not _required_args(stmt)
            ):
                return path, stmt
    return None


def _exports_elsewhere(root: Path) -> list[tuple[Path, str, int]]:
    found: list[tuple[Path, str, int]] = []
    for path in sorted(iter_python_files(root)):
        tree = parse_file(path)
        exported = find_exported_name(tree) if tree is not None else None
        if exported is not None:
            found.append((path, exported[0], exported[1]))
    return found


class HandlerNotRequestHandler(ProjectRule):
    """The exported `handler` class is not a BaseHTTPRequestHandler subclass."""

    id = "PF402"
    fid = "F4"
    name = "handler-class-not-request-handler"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "`class handler` must subclass http.server.BaseHTTPRequestHandler"
    fix = "subclass BaseHTTPRequestHandler, or export an ASGI/WSGI `app` instead"

    VALID = (
        ProjectExample(
            {
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n"
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"api/index.py": "class Handler:\n    def do_GET(self):\n        pass\n"},
            expect=(
                Expect(
                    "api/index.py",
                    1,
                    1,
                    "`class Handler` is what Vercel will call, but it does not subclass "
                    "BaseHTTPRequestHandler: every request fails",
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        if entry is None or entry.name.lower() != "handler":
            return
        tree = parse_file(entry.path)
        for stmt in tree.body if tree is not None else []:
            if isinstance(stmt, ast.ClassDef) and stmt.name == entry.name:
                # only a class with no base at all is surely wrong: an imported base may
                # itself derive from BaseHTTPRequestHandler
                bases = {ast.unparse(b) for b in stmt.bases}
                if bases <= {"object"}:
                    yield self.at(
                        Location(entry.path, stmt.lineno),
                        f"`class {stmt.name}` is what Vercel will call, but it does not "
                        "subclass BaseHTTPRequestHandler: every request fails",
                    )


class RewriteToEntrypoint(ProjectRule):
    """A vercel.json rewrite whose destination is the app's own function path.

    @vercel/python 25 ends its routes with a catch-all that sets the request path to the
    path *after* rewrites (`transforms: request.path set /$1`, in its dist/index.js:
    "application routing observes the rewrite"). So `/(.*)` -> `/api/index`, the classic
    recipe from older guides, makes the ASGI/WSGI app see `/api/index` for every request:
    every route but that one answers 404. Without the rewrite the builder already sends
    every path that is not a static file to the app, unchanged.
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
        ProjectExample(
            {
                "api/index.py": "from http.server import BaseHTTPRequestHandler\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n",
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{\n  "rewrites": [\n    {"source": "/(.*)", '
                '"destination": "/api/index"}\n  ]\n}\n',
            },
            expect=(("vercel.json", 3),),
        ),
        ProjectExample(
            {
                "app/main.py": _APP,
                "vercel.json": '{"rewrites": [{"source": "/api/(.*)", '
                '"destination": "/app/main.py"}]}',
            },
            expect=(("vercel.json", 1),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        config = ctx.project.root / "vercel.json"
        if entry is None or entry.name.lower() == "handler" or not config.is_file():
            return
        try:
            text = config.read_text(encoding="utf-8")
            rewrites = json.loads(text).get("rewrites", [])
        except (OSError, ValueError, AttributeError):
            return  # an unreadable vercel.json is another rule's business
        function = "/" + entry.path.relative_to(ctx.project.root).with_suffix("").as_posix()
        targets = {function, function + ".py"}
        if function.endswith("/index"):
            targets |= {function.removesuffix("/index"), function.removesuffix("index")}
        for rewrite in rewrites if isinstance(rewrites, list) else []:
            destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
            if isinstance(destination, str) and destination.split("?")[0] in targets:
                line = _line_of(text, f'"{destination}"')
                yield self.at(
                    Location(config, line),
                    f"rewriting {rewrite.get('source')!r} to {destination!r} makes the app "
                    f"see {destination!r} as the path of every request: its routes answer 404",
                )


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1
