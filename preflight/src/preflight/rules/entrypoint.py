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
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Fix, Location, Severity
from preflight.project import Project, parse_file
from preflight.rules._apps import (
    FACTORIES,
    app_object,
    assigned_name,
    binds_app_in_block,
    builds_app_inside,
    exports_elsewhere,
    factory_elsewhere,
    handler_assignment,
    line_containing,
    module_name,
    required_args,
    shadows,
)
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule


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
        ProjectExample({"app.py": "app = (\n"}),  # a syntax error is PF1102's finding
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
                    "the app is only created inside create_app(): Vercel detects top-level names "
                    "only",
                ),
            ),
            fixed={
                "app.py": "from flask import Flask\n\ndef create_app():\n"
                "    app = Flask(__name__)\n    return app\napp = create_app()\n"
            },
        ),
        ProjectExample(  # elsewhere, with requirements.txt: a new pyproject.toml would hide it
            {"service/web.py": "app = object()\n", "requirements.txt": "\n"},
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
            fixed={"index.py": "from shop import create_app\n\napp = create_app()\n"},
        ),
        ProjectExample(  # the app under another name
            {"main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n"},
            expect=(Expect("main.py", 3),),
            fixed={"main.py": "from fastapi import FastAPI\n\napi = FastAPI()\napp = api\n"},
        ),
        ProjectExample(  # a factory that returns another name, called nowhere
            {
                "app.py": "from flask import Flask\n\ndef create_app():\n"
                "    server = Flask(__name__)\n    return server\n"
            },
            expect=(Expect("app.py", 3),),
            fixed={
                "app.py": "from flask import Flask\n\ndef create_app():\n"
                "    server = Flask(__name__)\n    return server\napp = create_app()\n"
            },
        ),
        ProjectExample(  # a factory's result under another name
            {
                "index.py": "from shop import create_app\n\nserver = create_app()\n",
                "shop/__init__.py": "def create_app():\n    return object()\n",
            },
            expect=(Expect("index.py", 3),),
            fixed={
                "index.py": "from shop import create_app\n\nserver = create_app()\napp = server\n"
            },
        ),
        ProjectExample(  # a Lambda adapter: export the ASGI app it wraps
            {
                "api/index.py": "from fastapi import FastAPI\nfrom mangum import Mangum\n\n"
                "api = FastAPI()\nhandler = Mangum(api)\n"
            },
            expect=(Expect("api/index.py", 5),),
            fixed={
                "api/index.py": "from fastapi import FastAPI\nfrom mangum import Mangum\n\n"
                "api = FastAPI()\napp = api\nhandler = Mangum(api)\n"
            },
        ),
        ProjectExample(  # elsewhere, with a pyproject.toml that has [project]
            {
                "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n',
                "service/web.py": "app = object()\n",
            },
            expect=(Expect("service/web.py", 1),),
            fixed={
                "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n\n[tool.vercel]\n'
                'entrypoint = "service.web:app"\n'
            },
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        project = ctx.project
        if project.entrypoint is not None:
            return
        if project.unresolved_entrypoint is not None:
            pyproject = project.root / "pyproject.toml"
            yield self.at(
                Location(pyproject, line_containing(pyproject, "entrypoint") or 1),
                f"{project.unresolved_entrypoint} names no module file: the build fails",
                fix='use "module:object" with a file that exists, e.g. entrypoint = "main:app"',
            )
            return
        for candidate in project.candidates_without_export:
            if parse_file(candidate) is None and ctx.config.enabled("PF1102", "F11"):
                continue  # one finding per cause: PF1102 reports the syntax error itself
            yield self._explain(candidate, ctx.project.root)
        if not project.candidates_without_export:
            yield self._elsewhere(project)

    def _elsewhere(self, project: Project) -> Finding:
        """No candidate file at all: point at the app (or factory) the project has."""
        root = project.root
        elsewhere = exports_elsewhere(root)
        if elsewhere:
            path, name, line = elsewhere[0]
            module = module_name(path, root)
            listed = ", ".join(
                f"{p.relative_to(root).as_posix()} (`{n}`)" for p, n, _ in elsewhere[:3]
            )
            return self._entrypoint_at_root(
                project,
                Location(path, line),
                f"no entrypoint where Vercel looks (app.py, index.py, server.py, main.py, "
                f"wsgi.py or asgi.py in the root, src/, app/ or api/); candidates: {listed}",
                f"from {module} import {name}",
                configured=f"{module}:{name}",
            )
        factory = factory_elsewhere(root)
        if factory is not None:
            path, node = factory
            module = module_name(path, root)
            return self._entrypoint_at_root(
                project,
                Location(path, node.lineno),
                f"no entrypoint: the app is built by {module}.{node.name}() but nothing "
                "Vercel looks at calls it",
                f"from {module} import {node.name}\n\napp = {node.name}()",
            )
        return self.at(Location(root, 1))

    def _entrypoint_at_root(
        self,
        project: Project,
        location: Location,
        message: str,
        code: str,
        configured: str | None = None,
    ) -> Finding:
        """Point Vercel at the app without breaking the build: `[tool.vercel] entrypoint`
        only in a pyproject.toml that already has [project] (a new pyproject.toml without
        it would hide requirements.txt and install nothing, F3); else a new root file
        Vercel detects, named so it shadows no module or package."""
        root = project.root
        tool = project.pyproject.get("tool")
        has_vercel_table = isinstance(tool, dict) and "vercel" in tool
        if configured is not None and "project" in project.pyproject and not has_vercel_table:
            line = f'entrypoint = "{configured}"'
            return self.at(
                location,
                message,
                fix=f"add to pyproject.toml: [tool.vercel] {line}",
                autofix=Fix.append(
                    root / "pyproject.toml",
                    f"\n[tool.vercel]\n{line}",
                    f"set [tool.vercel] {line} in pyproject.toml",
                ),
            )
        free = [n for n in ("index", "main", "server") if not shadows(root, n)]
        if not free:
            return self.at(location, message, fix=f"add a root app.py with `{code}`")
        name = f"{free[0]}.py"
        return self.at(
            location,
            message,
            fix=f"create {name} with `{code.replace(chr(10) * 2, '; ')}`",
            autofix=Fix.append(root / name, code, f"create {name} exporting the app"),
        )

    def _explain(self, path: Path, root: Path) -> Finding:
        """A candidate file without a detected export: say what it has instead."""
        tree = parse_file(path)
        rel = path.relative_to(root).as_posix()
        if tree is None:
            return self.at(Location(path, 1), f"{rel} does not parse, so no `app` is detected")
        obj = app_object(tree)
        handler = handler_assignment(tree)
        if handler is not None:
            return self._explain_handler(path, rel, tree, handler, obj)
        if obj is not None:
            name = assigned_name(obj)
            return self._alias(
                path,
                rel,
                obj,
                name,
                f"`{name} = {ast.unparse(obj.value)}` is the app, but Vercel detects only a "
                f"top-level `app` or `application`: the build fails or {rel} is served as a "
                "static file",
            )
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef) and builds_app_inside(stmt):
                call = f"{stmt.name}()"
                fixable = stmt.name in FACTORIES and not required_args(stmt)
                return self.at(
                    Location(path, stmt.lineno),
                    f"the app is only created inside {stmt.name}(): Vercel detects top-level "
                    "names only",
                    fix=f"add `app = {call}` at the end of {rel}",
                    autofix=Fix.append(path, f"app = {call}", f"add `app = {call}` to {rel}")
                    if fixable
                    else None,
                )
        hidden = binds_app_in_block(tree)
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

    def _explain_handler(
        self, path: Path, rel: str, tree: ast.Module, stmt: ast.Assign, obj: ast.Assign | None
    ) -> Finding:
        value = ast.unparse(stmt.value)
        if "Mangum" in value:
            message = (
                f"`handler = {value}` is a Lambda adapter; Vercel detects only a top-level "
                "`app`, so the build fails or the file is served as static"
            )
            if obj is not None:
                return self._alias(path, rel, obj, assigned_name(obj), message, stmt)
            return self.at(
                Location(path, stmt.lineno),
                message,
                fix="export the ASGI app itself: `app = <your FastAPI/Starlette app>`",
            )
        hidden = binds_app_in_block(tree)
        why = f" (the `app` bound inside a top-level `{hidden}` block is not seen either)"
        return self._alias(
            path,
            rel,
            stmt,
            "handler",
            f"`handler = {value}` is not detected: Vercel wants a top-level `app` "
            "(or a `class handler(BaseHTTPRequestHandler)`), so the build fails or "
            f"{rel} is served as a static file{why if hidden else ''}",
        )

    def _alias(
        self,
        path: Path,
        rel: str,
        stmt: ast.Assign,
        name: str,
        message: str,
        at: ast.stmt | None = None,
    ) -> Finding:
        """The finding at `at` (default: the object's line), fixed by `app = <name>`."""
        end = stmt.end_lineno or stmt.lineno
        return self.at(
            Location(path, (at or stmt).lineno),
            message,
            fix=f"add a plain top-level `app = {name}` after line {end}",
            autofix=Fix.insert_after(path, end, f"app = {name}", f"add `app = {name}` to {rel}"),
        )
