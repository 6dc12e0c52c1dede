"""F14: a Flask template the deploy has, but not where Flask looks for it.

Flask resolves `template_folder` (default "templates") against the folder of the module
that created the app, not against the working directory. Vercel's layout moves that
module: the app that ran as app.py beside templates/ now runs as api/index.py, and Flask
looks in api/templates/. `render_template("index.html")` then raises TemplateNotFound and
the route answers 500, although templates/index.html ships with the deploy. The fix is
`Flask(__name__, template_folder="../templates")`, which Vercel Flask starters carry for
this reason (leonchanwy/flask-vercel api/index.py). Linux file names are also
case-sensitive, so an `Index.html` that macOS or Windows served as "index.html" is not
found on Vercel either.

A template is reported only when the deploy uploads a file of that name elsewhere in the
project, or one that differs only in case. A template that is nowhere may come from an
extension's own folder (Flask-Admin, Flask-Bootstrap). A custom Jinja loader, or a
template folder or root path computed at run time, leaves the question open and nothing
is reported.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from preflight.call_index import calls_named
from preflight.context import CheckContext
from preflight.files import relative_posix, uploaded_files
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module
from preflight.syntax import last_attr

_LOADERS = ("jinja_loader", "jinja_env.loader", "FileSystemLoader", "ChoiceLoader")
_APP = (
    "from flask import Flask, render_template\napp = Flask(__name__{args})\n\n\n"
    "@app.route('/')\ndef home():\n    return render_template('index.html')\n"
)


class TemplateNotWhereFlaskLooks(ProjectRule):
    """`render_template(name)` where the app's template folder lacks the file the deploy
    has elsewhere (or has in another case)."""

    id = "PF1403"
    fid = "F14"
    name = "template-outside-template-folder"
    per_module = True
    severity = Severity.ERROR
    message = "the template is not in the folder Flask looks in: TemplateNotFound, a 500"
    fix = "point template_folder at the folder the templates are in"

    VALID = (
        ProjectExample(
            {
                "api/index.py": _APP.format(args=", template_folder='../templates'"),
                "templates/index.html": "<h1>hi</h1>\n",
                "requirements.txt": "flask==3.1.3\n",
            }
        ),
        ProjectExample(
            {
                "app.py": _APP.format(args=""),
                "templates/index.html": "<h1>hi</h1>\n",
                "requirements.txt": "flask==3.1.3\n",
            }
        ),
        ProjectExample(  # a loader of its own: where it looks is not known here
            {
                "api/index.py": _APP.format(args="")
                + "import jinja2\napp.jinja_loader = jinja2.FileSystemLoader('templates')\n",
                "templates/index.html": "<h1>hi</h1>\n",
                "requirements.txt": "flask==3.1.3\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # the Flask app moved into api/ for Vercel, its templates did not
            {
                "api/index.py": _APP.format(args=""),
                "templates/index.html": "<h1>hi</h1>\n",
                "requirements.txt": "flask==3.1.3\n",
            },
            expect=(
                Expect(
                    "api/index.py",
                    7,
                    28,
                    (
                        "render_template('index.html') looks in api/templates/ (Flask resolves "
                        "template_folder against api/index.py's folder), but the deploy has it "
                        "at templates/index.html: TemplateNotFound, the route answers 500"
                    ),
                ),
            ),
        ),
        ProjectExample(  # named in another case: found on macOS and Windows only
            {
                "app.py": _APP.format(args=""),
                "templates/Index.html": "<h1>hi</h1>\n",
                "requirements.txt": "flask==3.1.3\n",
            },
            expect=(
                Expect(
                    "app.py",
                    7,
                    28,
                    (
                        "render_template('index.html') looks in templates/, which has "
                        "Index.html: Linux file names are case-sensitive, so TemplateNotFound, "
                        "the route answers 500"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        modules = ctx.closure.modules
        if any(loader in m.text for m in modules for loader in _LOADERS):
            return
        folders = _template_folders(modules)
        if not folders:
            return
        root = ctx.project.root
        shipped = {relative_posix(p, root): p for p in uploaded_files(root)}
        for module in modules:
            for node, name in _rendered(module):
                finding = self._finding(root, folders, shipped, module, node, name)
                if finding is not None:
                    yield finding

    def _finding(
        self,
        root: Path,
        folders: list[tuple[Path, Module]],
        shipped: dict[str, Path],
        module: Module,
        node: ast.Constant,
        name: str,
    ) -> Finding | None:
        wanted = [_rel(folder / name, root) for folder, _ in folders]
        if any(w in shipped for w in wanted):
            return None
        where = Location(module.path, node.lineno, node.col_offset + 1)
        folder, app = folders[0]
        looks = _rel(folder, root) + "/"
        folded = {w.lower() for w in wanted}
        twin = next((s for s in shipped if s.lower() in folded), None)
        if twin is not None:
            return self.at(
                where,
                f"render_template('{name}') looks in {looks}, which has "
                f"{twin.rpartition('/')[2] if '/' not in name else twin}: Linux file names are "
                "case-sensitive, so TemplateNotFound, the route answers 500",
                fix=f"name the file {name}, as the code asks for it",
            )
        elsewhere = sorted(s for s in shipped if s.endswith("/" + name))
        if not elsewhere:
            return None
        found = elsewhere[0]
        relative = os.path.relpath(root / found.removesuffix(name), app.path.parent)
        return self.at(
            where,
            f"render_template('{name}') looks in {looks} (Flask resolves template_folder "
            f"against {app.rel}'s folder), but the deploy has it at {found}: "
            "TemplateNotFound, the route answers 500",
            fix=f'Flask(__name__, template_folder="{Path(relative).as_posix()}")',
        )


def _rel(path: Path, root: Path) -> str:
    return relative_posix(Path(os.path.normpath(path)), root)


def _template_folders(modules: list[Module]) -> list[tuple[Path, Module]]:
    """The folders Flask searches (each app's, then each blueprint's), with the module that
    set each one; empty when one of them is not known before run time."""
    apps: list[tuple[Path, Module]] = []
    blueprints: list[tuple[Path, Module]] = []
    for module in modules:
        if not module.imports_anywhere("flask"):
            continue
        for call in calls_named(module, ("Flask", "Blueprint")):
            is_app = last_attr(call) == "Flask"
            named = call.args[0 if is_app else 1] if len(call.args) > (0 if is_app else 1) else None
            keywords = {k.arg: k.value for k in call.keywords}
            if not (isinstance(named, ast.Name) and named.id == "__name__"):
                return []  # root_path follows another import name
            if "root_path" in keywords or None in keywords:
                return []
            value = keywords.get("template_folder")
            if value is None:
                if is_app:
                    apps.append((module.path.parent / "templates", module))
                continue
            if not isinstance(value, ast.Constant):
                return []
            if isinstance(value.value, str):
                (apps if is_app else blueprints).append((module.path.parent / value.value, module))
    return [*apps, *blueprints] if apps else []


def _rendered(module: Module) -> Iterator[tuple[ast.Constant, str]]:
    """Each `render_template("name.html", ...)` with a literal name."""
    for call in calls_named(module, ("render_template",)):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
            yield first, first.value
