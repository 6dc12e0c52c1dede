"""Which file and exported name Vercel's runtime will import.

Mirrors packages/python/src/entrypoint.ts (candidate files and directories,
`[tool.vercel] entrypoint`, `[project.scripts] app`, Django's manage.py) and
packages/python-analysis/crates/vercel_python_analysis/src/entrypoint.rs (which
top-level statements export `app` / `application` / `handler`), paths as of the 2026-08
monorepo. Nothing here raises on a broken project: a broken project is what the rules report.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.app_files import iter_python_files
from preflight.files import file_exists
from preflight.one_pass import PARSED, remembered
from preflight.preset import CATCH_ALL, PYTHON_PRESETS, preset_of
from preflight.syntax import parse_quietly
from preflight.vercel_config import builders_without_python, read_vercel_config

# packages/python/src/entrypoint.ts: PYTHON_ENTRYPOINT_FILENAMES / PYTHON_ENTRYPOINT_DIRS.
# The search order is directory-major: every name in '' before any name in src/.
ENTRYPOINT_NAMES = ("app", "index", "server", "main", "wsgi", "asgi")
ENTRYPOINT_DIRS = ("", "src", "app", "api")

# entrypoint.rs: names a top-level assignment, def or `from x import` must bind.
EXPORTED_NAMES = ("app", "application")


@dataclass(frozen=True)
class Entrypoint:
    """The file and exported name Vercel's runtime will import."""

    path: Path
    name: str  # "app" | "application" | "handler"
    line: int
    # "tool.vercel.entrypoint" | "vercel.json" | "candidate" | "project.scripts" | "django"
    source: str = "candidate"


def find_exported_name(tree: ast.Module) -> tuple[str, int] | None:
    """The name Vercel detects in a module, with its line; None if it detects none.

    Mirrors entrypoint.rs `find_app_or_handler_impl`: only top-level statements count;
    `app`/`application` bound by a plain or annotated assignment to a bare name, a def,
    or `from x import ... as app`; or a class named `handler` in any case. So
    `handler = app`, `import app`, `app, x = ...` and an `app` built inside a function
    are not detected.
    """
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id in EXPORTED_NAMES:
                    return target.id, stmt.lineno
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name) and stmt.target.id in EXPORTED_NAMES:
                return stmt.target.id, stmt.lineno
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            # entrypoint.rs matches Stmt::FunctionDef, which in ruff's AST covers async def.
            if stmt.name in EXPORTED_NAMES:
                return stmt.name, stmt.lineno
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                bound = alias.asname or alias.name
                if bound in EXPORTED_NAMES:
                    return bound, stmt.lineno
        elif isinstance(stmt, ast.ClassDef) and stmt.name.lower() == "handler":
            return stmt.name, stmt.lineno
    return None


def parse_file(path: Path) -> ast.Module | None:
    """Parse a Python file, None when unreadable or not valid Python (once per check:
    callers only read the tree)."""
    return remembered((PARSED, path), lambda: _parse_file(path))


def _parse_file(path: Path) -> ast.Module | None:
    try:
        return parse_quietly(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None


def _exported(path: Path) -> tuple[str, int] | None:
    if not file_exists(path):
        return None
    tree = parse_file(path)
    return find_exported_name(tree) if tree is not None else None


def _resolve_module_attr(root: Path, value: str) -> tuple[Path, str] | None:
    # entrypoint.ts `resolveModuleAttrEntrypoint`: "pkg.mod:obj" -> pkg/mod.py or
    # pkg/mod/__init__.py under the project root.
    match = re.search(r"([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_]\w*)", value)
    if not match:
        return None
    rel = match.group(1).replace(".", "/")
    for candidate in (root / f"{rel}.py", root / rel / "__init__.py"):
        if file_exists(candidate):
            return candidate, match.group(2)
    return None


def _line_of(path: Path, name: str) -> int:
    tree = parse_file(path)
    if tree is not None:
        for stmt in tree.body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and node.id == name:
                    return stmt.lineno
                if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
                    return stmt.lineno
    return 1


def find_entrypoint(
    root: Path, pyproject: Mapping[str, Any]
) -> tuple[Entrypoint | None, tuple[Path, ...], str | None]:
    from_json, problem = _vercel_json_entrypoint(root)
    if problem is not None:
        return None, (), problem
    if builders_without_python(root) is not None:
        return None, (), None  # only other builders run: nothing is searched for
    if from_json is not None:
        path = root / from_json
        found = _exported(path)
        if found is None:
            return None, (), _unusable_src(from_json, file_exists(path), _nested_export(path))
        return Entrypoint(path, found[0], found[1], "vercel.json"), (), None
    tool = pyproject.get("tool")
    vercel = tool.get("vercel") if isinstance(tool, dict) else None
    configured = vercel.get("entrypoint") if isinstance(vercel, dict) else None
    if configured is not None:
        # entrypoint.ts `getVercelToolsEntrypoint`: a configured value that resolves to no
        # file is a hard build error, never a fallback to detection.
        resolved = _resolve_module_attr(root, str(configured))
        if resolved is None:
            return None, (), f"[tool.vercel] entrypoint = {configured!r}"
        path, name = resolved
        return Entrypoint(path, name, _line_of(path, name), "tool.vercel.entrypoint"), (), None

    if preset_builds_no_python(root):
        return None, (), None  # no search runs, and no api/*.py function exists

    without: list[Path] = []
    for directory in ENTRYPOINT_DIRS:
        for stem in ENTRYPOINT_NAMES:
            candidate = root / directory / f"{stem}.py"
            if not candidate.is_file():
                continue
            found = _exported(candidate)
            if found is not None:
                return Entrypoint(candidate, found[0], found[1]), tuple(without), None
            without.append(candidate)

    django = _django_entrypoint(root)
    if django is not None:
        return django, tuple(without), None

    # entrypoint.ts: `[project.scripts] app` is the legacy fallback after detection.
    project = pyproject.get("project")
    scripts = project.get("scripts") if isinstance(project, dict) else None
    app_script = scripts.get("app") if isinstance(scripts, dict) else None
    if isinstance(app_script, str):
        resolved = _resolve_module_attr(root, app_script)
        if resolved is None:
            return None, tuple(without), f"[project.scripts] app = {app_script!r}"
        path, name = resolved
        return Entrypoint(path, name, _line_of(path, name), "project.scripts"), tuple(without), None
    return None, tuple(without), None


# The characters that make a `builds[].src` a glob for minimatch (cli build/index.ts
# `expandBuild` matches every uploaded file against it).
_GLOB_CHARS = frozenset("*?[{")


def _vercel_json_entrypoint(root: Path) -> tuple[str | None, str | None]:
    """A Python file named as the function in vercel.json, and why the named builds
    yield no function when none of them can.

    Legacy `builds[].src` with @vercel/python, or `experimentalServices.*.entrypoint`
    (packages/python/src/entrypoint.ts `detectPythonEntrypoint(configuredEntrypoint)`).
    `builds` turn zero-config detection off (cli build/index.ts: `builds.length > 0`
    skips `detectBuilders`), so when every @vercel/python build names something that
    is no Python file, nothing else is searched: the problem is the answer. A glob src
    is glob_built's (rules/_functions.py) and ends the search without a problem.
    """
    try:
        data = json.loads((root / "vercel.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    candidates: list[object] = []
    builds = data.get("builds")
    for build in builds if isinstance(builds, list) else []:
        if isinstance(build, dict) and "python" in str(build.get("use", "")):
            candidates.append(build.get("src"))
    services = data.get("experimentalServices")
    if isinstance(services, dict):
        candidates += [s.get("entrypoint") for s in services.values() if isinstance(s, dict)]
    problem = None
    globbed = False
    for value in candidates:
        if not isinstance(value, str):
            continue
        src = value.lstrip("/")
        if _GLOB_CHARS & set(src):
            globbed = True
        elif src.endswith(".py") and file_exists(root / src):
            return src, None
        else:
            # cli build/index.ts `expandBuild`: a src that matches no uploaded file yields
            # no build, so the next build's file is the function (Khairul888/telegram-
            # assistant: api/index.py is gone, api/bot.py still builds)
            problem = problem or _unusable_src(src, file_exists(root / src))
    return None, None if globbed else problem


def api_function_files(root: Path) -> list[Path]:
    """api/**/*.py files that export an app or handler (fs-detectors detect-builders.ts
    `maybeGetApiBuilder`: not under a `_` or `.` segment, and `isPythonEntrypoint`): each
    is a function of its own under a preset that keeps the api runtime."""
    found = []
    for path in iter_python_files(root):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("api/") and "/_" not in rel and "/." not in rel and _exported(path):
            found.append(path)
    return sorted(found)


def preset_builds_no_python(root: Path) -> str | None:
    """The preset's name when it is a non-Python framework's (nextjs, vite...) and the
    project has no api/*.py function: such a preset runs no Python entrypoint search, only
    api/ files become functions, so no Python is deployed (Chiranjeevi005/DataPilot-AI:
    a detected nextjs preset, and src/server.py is the Render backend's). Remembered for
    the check: every error outside a function asks it."""
    return remembered(("preset builds no python", root), lambda: _preset_builds_no_python(root))


def _preset_builds_no_python(root: Path) -> str | None:
    slug = preset_of(root).slug
    if slug is None or slug in PYTHON_PRESETS or slug in CATCH_ALL:
        return None
    if (read_vercel_config(root) or {}).get("builds"):
        return None  # legacy builds name the functions; no preset applies
    return None if api_function_files(root) else slug


def _nested_export(path: Path) -> tuple[str, str] | None:
    """The block (`try`, `if`, `with`) that binds `app` / `application` one level below
    the top, where entrypoint.rs does not look (Hillan007/Moodly-2.0 and RoggerMS/Crunevo2
    api/index.py: `try: from x import app`)."""
    tree = parse_file(path) if file_exists(path) else None
    for stmt in tree.body if tree is not None else []:
        if isinstance(stmt, ast.Try | ast.If | ast.With):
            found = find_exported_name(ast.Module(body=list(stmt.body), type_ignores=[]))
            if found is not None:
                return found[0], type(stmt).__name__.lower()
    return None


def _unusable_src(src: str, exists: bool, nested: tuple[str, str] | None = None) -> str:
    """What Vercel does with a named function file it cannot use, in one sentence."""
    if nested is not None:
        return (
            f"vercel.json entrypoint {src!r} binds `{nested[0]}` only inside a `{nested[1]}` "
            "block: Vercel reads top-level statements only, so the build fails"
        )
    if not exists:
        # cli build/index.ts `expandBuild`: a src no uploaded file matches yields no
        # build at all; the deploy succeeds with nothing behind the routes.
        return (
            f"vercel.json entrypoint {src!r} (no such file): `vercel build` drops a build "
            "whose src matches no file, so no function is deployed and every route 404s"
        )
    if not src.endswith(".py"):
        # entrypoint.ts `detectPythonEntrypoint`: a configured file without .py gets the
        # suffix appended, so "build.sh" is looked up as "build.sh.py".
        return (
            f"vercel.json entrypoint {src!r} is not a Python file: @vercel/python looks "
            f"for {src}.py, finds none, and the build fails"
        )
    return f"vercel.json entrypoint {src!r} (no top-level app in it): the build fails"


def _django_entrypoint(root: Path) -> Entrypoint | None:
    # entrypoint.ts `detectDjangoPythonEntrypoint`: a manage.py naming
    # DJANGO_SETTINGS_MODULE in the root or an immediate subdirectory; the Django hook
    # (packages/python/src/django.ts) then follows WSGI_APPLICATION / ASGI_APPLICATION.
    dirs = [root, *sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] != ".")]
    for base in dirs:
        manage = base / "manage.py"
        try:
            text = manage.read_text(encoding="utf-8")
        except OSError:
            continue
        match = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", text)
        if "DJANGO_SETTINGS_MODULE" not in text or match is None:
            continue
        app_match = _application_setting(base, match.group(1), depth=0)
        if app_match is None:
            continue
        module = base / (app_match.group(1).replace(".", "/") + ".py")
        if module.is_file():
            name = app_match.group(2)
            return Entrypoint(module, name, _line_of(module, name), "django")
    return None


_APPLICATION = re.compile(r"^(?:WSGI|ASGI)_APPLICATION\s*=\s*['\"]([\w.]+)\.(\w+)['\"]", re.M)
_STAR_IMPORT = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+\*", re.M)


def _application_setting(base: Path, dotted: str, depth: int) -> re.Match[str] | None:
    """WSGI_APPLICATION / ASGI_APPLICATION of the settings module `dotted`: a module or a
    package (config/settings/__init__.py), through its `from .base import *` imports. The
    builder imports the settings (django.ts `getDjangoSettings`), so a split settings
    package works there (alexTamboli/Recipe-Caboodle's config/settings/base.py)."""
    path = base / dotted.replace(".", "/")
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        try:
            text = candidate.read_text(encoding="utf-8")
        except OSError:
            continue
        found = _APPLICATION.search(text)
        if found is not None or depth >= 3:
            return found
        package = dotted if candidate.name == "__init__.py" else dotted.rpartition(".")[0]
        for source in _STAR_IMPORT.findall(text):
            name = source.lstrip(".")
            up = len(source) - len(name) - 1  # `from .base` is the package itself, `..` its parent
            parts = package.split(".")
            target = ".".join([*parts[: len(parts) - up], name]) if up >= 0 else source
            found = _application_setting(base, target, depth + 1) if name else None
            if found is not None:
                return found
        return None
    return None
