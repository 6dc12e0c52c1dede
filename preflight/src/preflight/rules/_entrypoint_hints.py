"""What PF401 says when Vercel finds no entrypoint: the concrete export that fixes it.

Each explanation names where the app is (the object's line, the factory, the file
Vercel does not look at) and a fix that keeps the build working, as a `Hint` the rule
turns into its finding. Kept apart from the rule so its examples and the hint texts can
each be read in one place.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from preflight.findings import Fix, Location, Severity
from preflight.preset import MANIFESTS as PYTHON_MANIFESTS
from preflight.project import ENTRYPOINT_NAMES, Project, find_exported_name, parse_file
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
from preflight.rules._functions import pin_other_preset


@dataclass(frozen=True)
class Hint:
    """Where PF401 points, the cause, and the fix (None: the rule's default)."""

    location: Location
    message: str
    fix: str | None = None
    autofix: Fix | None = None
    severity: Severity | None = None  # None: the rule's (error)


def explain_elsewhere(project: Project) -> Hint | None:
    """No candidate file at all: point at the app (or factory) the project has."""
    root = project.root
    elsewhere = exports_elsewhere(root)
    if elsewhere:
        path, name, line = elsewhere[0]
        module = module_name(path, root)
        listed = ", ".join(f"{p.relative_to(root).as_posix()} (`{n}`)" for p, n, _ in elsewhere[:3])
        message = (
            f"no entrypoint where Vercel looks (app.py, index.py, server.py, main.py, "
            f"wsgi.py or asgi.py in the root, src/, app/ or api/); candidates: {listed}"
        )
        unfixable = _not_importable(path, module, root)
        if unfixable is not None:
            return Hint(Location(path, line), message, fix=unfixable)
        return _entrypoint_at_root(
            project,
            Location(path, line),
            message,
            f"from {module} import {name}",
            configured=f"{module}:{name}",
        )
    factory = factory_elsewhere(root)
    if factory is not None:
        path, node = factory
        module = module_name(path, root)
        message = (
            f"no entrypoint: the app is built by {module}.{node.name}() but nothing "
            "Vercel looks at calls it"
        )
        unfixable = _not_importable(path, module, root)
        if unfixable is not None:
            return Hint(Location(path, node.lineno), message, fix=unfixable)
        return _entrypoint_at_root(
            project,
            Location(path, node.lineno),
            message,
            f"from {module} import {node.name}\n\napp = {node.name}()",
        )
    return None


def _not_importable(path: Path, module: str, root: Path) -> str | None:
    """The fix text when a root file cannot import the app: it sits in a project of its
    own (a folder with its manifest: the Vercel project's Root Directory should be that
    folder), or its path is no module name (`ai-api/app.py`). None when it can."""
    folder = path.parent.relative_to(root).as_posix()
    own_manifest = any((path.parent / m).is_file() for m in PYTHON_MANIFESTS)
    if folder != "." and own_manifest and path.stem in ENTRYPOINT_NAMES:
        return (
            f"{folder}/ is a project of its own: set the Vercel project's Root Directory "
            f"to {folder} (and check that folder: preflight check {folder})"
        )
    if not all(part.isidentifier() for part in module.split(".")):
        rel = path.relative_to(root).as_posix()
        return f"{rel} is not importable by that path: move the app to api/index.py or app.py"
    return None


def _entrypoint_at_root(
    project: Project,
    location: Location,
    message: str,
    code: str,
    configured: str | None = None,
) -> Hint:
    """Point Vercel at the app without breaking the build: `[tool.vercel] entrypoint`
    only in a pyproject.toml that already has [project] (a new pyproject.toml without
    it would hide requirements.txt and install nothing, F3); else a new root file
    Vercel detects, named so it shadows no module or package."""
    root = project.root
    tool = project.pyproject.get("tool")
    has_vercel_table = isinstance(tool, dict) and "vercel" in tool
    if configured is not None and "project" in project.pyproject and not has_vercel_table:
        line = f'entrypoint = "{configured}"'
        return Hint(
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
        return Hint(location, message, fix=f"add a root app.py with `{code}`")
    name = f"{free[0]}.py"
    return Hint(
        location,
        message,
        fix=f"create {name} with `{code.replace(chr(10) * 2, '; ')}`",
        autofix=Fix.append(root / name, code, f"create {name} exporting the app"),
    )


def explain_candidate(path: Path, root: Path) -> Hint:
    """A candidate file without a detected export: say what it has instead."""
    tree = parse_file(path)
    rel = path.relative_to(root).as_posix()
    if tree is None:
        return Hint(Location(path, 1), f"{rel} does not parse, so no `app` is detected")
    obj = app_object(tree)
    handler = handler_assignment(tree)
    if handler is not None:
        return _explain_handler(path, rel, tree, handler, obj)
    if obj is not None:
        name = assigned_name(obj)
        return _alias(
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
            return Hint(
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
        return Hint(
            Location(path, 1),
            f"{rel} binds `app` only inside a top-level `{hidden}` block, which Vercel "
            "does not look into: the build fails or the file is served as static",
            fix="bind it unconditionally at top level, e.g. `from pkg.main import app`",
        )
    return Hint(
        Location(path, 1),
        f"{rel} defines no top-level `app`, `application` or `class handler`",
    )


def _explain_handler(
    path: Path, rel: str, tree: ast.Module, stmt: ast.Assign, obj: ast.Assign | None
) -> Hint:
    value = ast.unparse(stmt.value)
    if "Mangum" in value:
        message = (
            f"`handler = {value}` is a Lambda adapter; Vercel detects only a top-level "
            "`app`, so the build fails or the file is served as static"
        )
        if obj is not None:
            return _alias(path, rel, obj, assigned_name(obj), message, stmt)
        return Hint(
            Location(path, stmt.lineno),
            message,
            fix="export the ASGI app itself: `app = <your FastAPI/Starlette app>`",
        )
    hidden = binds_app_in_block(tree)
    why = f" (the `app` bound inside a top-level `{hidden}` block is not seen either)"
    return _alias(
        path,
        rel,
        stmt,
        "handler",
        f"`handler = {value}` is not detected: Vercel wants a top-level `app` "
        "(or a `class handler(BaseHTTPRequestHandler)`), so the build fails or "
        f"{rel} is served as a static file{why if hidden else ''}",
    )


def _alias(
    path: Path,
    rel: str,
    stmt: ast.Assign,
    name: str,
    message: str,
    at: ast.stmt | None = None,
) -> Hint:
    """The finding at `at` (default: the object's line), fixed by `app = <name>`."""
    end = stmt.end_lineno or stmt.lineno
    return Hint(
        Location(path, (at or stmt).lineno),
        message,
        fix=f"add a plain top-level `app = {name}` after line {end}",
        autofix=Fix.insert_after(path, end, f"app = {name}", f"add `app = {name}` to {rel}"),
    )


def explain_unresolved(project: Project, unresolved: str) -> Hint:
    """A configured entrypoint that names nothing Vercel can import: the build fails
    (entrypoint.ts never falls back to detection). Points at the setting itself."""
    if unresolved.startswith("vercel.json"):
        # the sentence says what Vercel does (project/entrypoint.py `_unusable_src`)
        config = project.root / "vercel.json"
        named = unresolved.split("'")[1] if unresolved.count("'") >= 2 else '"src"'
        line = line_containing(config, named) or line_containing(config, '"src"') or 1
        return Hint(
            Location(config, line),
            unresolved,
            fix=(
                "bind `app` at the top level (e.g. move the import out of the block)"
                if "only inside" in unresolved
                else "point `builds[].src` at the .py file that exports `app`"
            ),
        )
    pyproject = project.root / "pyproject.toml"
    key = "entrypoint" if unresolved.startswith("[tool.vercel]") else "app ="
    return Hint(
        Location(pyproject, line_containing(pyproject, key) or 1),
        f"{unresolved} names no module file: the build fails",
        fix='use "module:object" with a file that exists, e.g. entrypoint = "main:app"',
    )


def explain_preset_dependent(project: Project, functions: list[Path]) -> Hint | None:
    """api/ files are functions under "Other" only. With no preset pinned in vercel.json
    they work on older projects and fail on a new one, whose preset is a Python one as
    soon as a manifest is there: a warning. No manifest: new projects get "Other" too."""
    root = project.root
    manifests = [m for m in PYTHON_MANIFESTS if (root / m).is_file()]
    if not manifests:
        return None
    first = functions[0]
    tree = parse_file(first)
    exported = find_exported_name(tree) if tree is not None else None
    more = f" (and {len(functions) - 1} more)" if len(functions) > 1 else ""
    return Hint(
        Location(first, exported[1] if exported else 1),
        f"{first.relative_to(root).as_posix()}{more} is a function of its own only under "
        'the "Other" framework preset (older projects): a new project gets the Python '
        f"preset from {manifests[0]}, which looks for one app entrypoint, finds none, "
        "and the build fails",
        fix='pin the preset in vercel.json: "framework": null (or add an entrypoint)',
        severity=Severity.WARNING,
        autofix=pin_other_preset(root),
    )
