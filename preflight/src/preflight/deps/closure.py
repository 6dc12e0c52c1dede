"""The app's import closure: the local modules the entrypoint pulls in, and the
third-party names they import.

Only this closure ships and runs, so code rules look only here (tests, scripts and
tooling in the same repository are not the function) and every third-party name here
must be installed. Local modules are found the way the function finds them: from the
entrypoint's directory, the project root and src/ (the builder installs the project
itself into _vendor, so a src layout works).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from preflight.app_files import iter_python_files
from preflight.call_index import calls_named
from preflight.deps.local_modules import package_parts, resolve_local, resolve_local_exact
from preflight.findings import Location
from preflight.import_calls import Program
from preflight.import_reach import link_closure
from preflight.project_paths import on_disk
from preflight.source import Module
from preflight.syntax import call_name

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class ImportUse:
    """A third-party import: its top-level name, the dotted name, and where it is."""

    top: str
    dotted: str
    module: Module
    node: ast.stmt | ast.expr  # the import, or the string of a setting that names the module
    guarded: bool  # under try/except ImportError, `if TYPE_CHECKING` or `if os.path.exists(..)`

    @property
    def location(self) -> Location:
        """Where a finding about this import points: the statement, 1-based column."""
        return Location(self.module.path, self.node.lineno, self.node.col_offset + 1)


@dataclass
class Closure:
    modules: list[Module] = field(default_factory=list)
    imports: list[ImportUse] = field(default_factory=list)
    unparsable: list[Path] = field(default_factory=list)
    # Modules the entrypoint reaches through unguarded imports only: an ImportError
    # raised in one of them reaches no guard and takes the function down (empty without
    # an entrypoint, when what the function imports is unknown).
    required: frozenset[Path] = frozenset()


def search_roots(root: Path, entry: Path | None) -> list[Path]:
    """Where a local import is looked for, in the order the function's sys.path has them:
    the project root (/var/task) first, then src/ (installed into _vendor). The
    entrypoint's folder is not on sys.path (PF205), but is searched last so what only it
    has is still followed and reported: a name both have is the root's
    (AbhijithSyoft/Echoblog_backend: api/db.py's `from config import` is the root
    config.py, and api/config.py's pydantic_settings import never runs)."""
    roots = [root, root / "src"]
    roots += [entry.parent] if entry is not None else []
    unique: list[Path] = []
    for r in roots:
        if r.is_dir() and r not in unique:
            unique.append(r)
    return unique


def build_closure(root: Path, entry: Path, beside: Iterable[Path] = ()) -> Closure:
    """Follow imports from the entrypoint through local modules; `beside` are the other
    functions the same deploy builds (api/*.py under "Other", further `builds`), whose
    closures ship and run as well."""
    others = [path for path in beside if path != entry]
    roots = search_roots(root, entry)
    roots += [p.parent for p in others if p.parent not in roots]
    closure = Closure()
    seen: set[Path] = set()
    todo = [*others, entry]
    edges: dict[Path, list[tuple[Path, bool]]] = {}  # importer -> (local module, guarded)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        module = _admit(closure, path, root, roots)
        if module is None:
            continue
        out = edges.setdefault(path, [])
        for name in _string_module_refs(module):
            out.extend((local, False) for local in resolve_local(name, roots))
        for name in _dotted_strings(module):
            out.extend((local, False) for local in resolve_local_exact(name, roots))
        for node, name, guarded, probe in _imports(module):
            if module.in_main_guard(node):
                continue  # `python app.py` only: never imported by the function
            local = resolve_local(name, roots)
            if local:
                out.extend((found, is_guarded(module, node)) for found in local)
            elif not probe:  # a probe is only a guess at a local submodule (`from pkg import sub`)
                closure.imports.extend(_third_party(module, node, name, guarded, roots))
        closure.imports.extend(_settings_uses(module, roots))
        todo.extend(local for local, _ in out)
    closure.required = frozenset().union(*(_required(edges, e) for e in [entry, *others]))
    closure.imports = _guard_optional_modules(closure.imports, closure.required)
    closure.modules.sort(key=lambda m: m.rel)
    _share_imports(closure)
    return closure


def _admit(closure: Closure, path: Path, root: Path, roots: list[Path]) -> Module | None:
    """Parse `path` into the closure (or its unparsable list); take its sys.path folders."""
    module = Module.parse(path, root)
    if module is None:
        closure.unparsable.append(path)
        return None
    closure.modules.append(module)
    _add_sys_path_dirs(module, roots)
    return module


def _required(edges: dict[Path, list[tuple[Path, bool]]], entry: Path) -> frozenset[Path]:
    """The entrypoint and every local module it reaches through unguarded imports."""
    required = {entry}
    todo = [entry]
    while todo:
        for target, guarded in edges.get(todo.pop(), ()):
            if not guarded and target not in required:
                required.add(target)
                todo.append(target)
    return frozenset(required)


def _guard_optional_modules(uses: list[ImportUse], required: frozenset[Path]) -> list[ImportUse]:
    """A local module the function reaches only through guarded imports (`try: from app
    import monitoring` / `except ImportError:`, this repo's own Sentry reporter) is optional
    as a whole: an ImportError raised by any of its own imports propagates to that guard.
    So its third-party imports count as guarded; one unguarded path makes it required."""
    return [
        use
        if use.guarded or use.module.path in required
        else dataclasses.replace(use, guarded=True)
        for use in uses
    ]


def _share_imports(closure: Closure) -> None:
    tops = frozenset().union(*(m.imported_tops for m in closure.modules))
    program = Program(closure.modules)
    for module in closure.modules:
        module.closure_tops = tops
        module.program = program
    link_closure(closure.modules)


def all_modules(root: Path) -> Closure:
    """Every Python file outside tests and tool folders, with their third-party imports
    (when there is no entrypoint: one run still shows every missing dependency)."""
    closure = Closure()
    roots = search_roots(root, None)
    for path in sorted(iter_python_files(root)):
        module = _admit(closure, path, root, roots)
        if module is None:
            continue
        # Without an entrypoint the folder the app runs from is unknown: any folder
        # between the file and the root may be it (a Backend/ with utils/ beside bots/).
        # (the walk found `path` under root: its first rel-depth parents end at root)
        here = [*roots, *path.parents[: module.rel.count("/") + 1]]
        for node, name, guarded, probe in _imports(module):
            if not probe and not module.in_main_guard(node) and not resolve_local(name, here):
                closure.imports.extend(_third_party(module, node, name, guarded, here))
        closure.imports.extend(_settings_uses(module, here))
    _share_imports(closure)
    return closure


_SYS_PATH_ADDS = {"sys.path.insert": 1, "sys.path.append": 0}


def _add_sys_path_dirs(module: Module, roots: list[Path]) -> None:
    """Project folders the module puts on sys.path at import (`sys.path.insert(0,
    os.path.join(os.path.dirname(__file__), "..", "backend"))`, 03shraddha/now-reading
    api/index.py): later imports resolve there first, as in Python."""
    for call in calls_named(module, ("insert", "append")):
        index = _SYS_PATH_ADDS.get(call_name(call) or "")
        if index is None or len(call.args) <= index or not module.is_import_time(call):
            continue
        folder = on_disk(call.args[index], module)
        if folder is not None and folder.is_dir() and folder not in roots:
            roots.insert(0, folder)


def _third_party(
    module: Module, node: ast.stmt | ast.expr, name: str, guarded: bool, roots: list[Path]
) -> list[ImportUse]:
    """The import as a third-party use, or nothing when it is stdlib or a local name."""
    top = name.split(".")[0]
    if not top or top in STDLIB or _is_local_top(top, roots, module.path):
        return []
    return [ImportUse(top, name, module, node, guarded)]


def _imports(module: Module) -> Iterable[tuple[ast.stmt, str, bool, bool]]:
    """(statement, dotted name, guarded, probe-only) for every import in the module."""
    package = package_parts(module)
    for node in _import_nodes(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, is_guarded(module, node), False
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                if node.level - 1 > len(package):
                    continue
                prefix = ".".join([*base, node.module] if node.module else base)
                # `from . import x` may import submodule x
                for alias in node.names:
                    yield node, f"{prefix}.{alias.name}" if prefix else alias.name, True, True
                if prefix:
                    yield node, prefix, True, True
                continue
            if node.module:
                for alias in node.names:
                    yield node, f"{node.module}.{alias.name}", True, True
                yield node, node.module, is_guarded(module, node), False


_SETTING_MODULES = {"ROOT_URLCONF", "WSGI_APPLICATION", "ASGI_APPLICATION"}
_SETTING_LISTS = {"INSTALLED_APPS", "MIDDLEWARE"}
_APP_SUBMODULES = ("apps", "models", "views", "urls", "admin", "signals")


def _string_module_refs(module: Module) -> Iterable[str]:
    """Modules named in strings that frameworks import for you (Django's settings, URLconf,
    apps, middleware; importlib.import_module("x")); only local ones are followed."""
    for call in calls_named(module, _MODULE_REF_CALLS):
        yield from _call_module_ref(call)
    for assign in module.of(ast.Assign):
        if isinstance(assign, ast.Assign) and len(assign.targets) == 1:
            yield from _setting_module_refs(assign)


_MODULE_REF_CALLS = ("setdefault", "import_module", "include")


def _call_module_ref(node: ast.Call) -> Iterable[str]:
    """`import_module("x")`, `include("x.urls")`, `os.environ.setdefault(..., "x.settings")`:
    `node` is one of the calls named so (call_index.calls_named, _MODULE_REF_CALLS)."""
    if not node.args:
        return
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = node.args[-1] if attr == "setdefault" else node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        yield first.value


def _setting_module_refs(node: ast.Assign) -> Iterable[str]:
    """Django settings naming modules: ROOT_URLCONF = "x.urls", INSTALLED_APPS = [...]."""
    target = node.targets[0]
    key = target.id if isinstance(target, ast.Name) else ""
    value = node.value
    if key in _SETTING_MODULES and isinstance(value, ast.Constant):
        if isinstance(value.value, str):
            yield value.value
            yield value.value.rsplit(".", 1)[0]
    elif key in _SETTING_LISTS and isinstance(value, ast.List | ast.Tuple):
        for element in value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value
                yield element.value.rsplit(".", 1)[0]
                yield from (f"{element.value}.{sub}" for sub in _APP_SUBMODULES)


def _settings_uses(module: Module, roots: list[Path]) -> list[ImportUse]:
    """The third-party modules the module's Django settings name (see _settings_apps)."""
    return [
        use
        for string, name in _settings_apps(module)
        if not resolve_local(name, roots)
        for use in _third_party(module, string, name, False, roots)
    ]


def _settings_apps(module: Module) -> Iterable[tuple[ast.Constant, str]]:
    """Modules Django imports as it starts (`get_wsgi_application()` populates the apps
    and loads the middleware): each string of a top-level `INSTALLED_APPS = [...]` or
    `MIDDLEWARE = [...]`, as (the string, the module's top-level name). A missing one is
    the cold start's ModuleNotFoundError ('corsheaders' with no django-cors-headers).
    Only plain top-level lists: one built under an `if DEBUG:` may never be used."""
    for statement in module.tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, value = statement.targets[0], statement.value
        if not isinstance(target, ast.Name) or target.id not in _SETTING_LISTS:
            continue
        for element in value.elts if isinstance(value, ast.List | ast.Tuple) else ():
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                top = element.value.split(".")[0]
                if top.isidentifier():
                    yield element, top


def _import_nodes(module: Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = [*module.of(ast.Import), *module.of(ast.ImportFrom)]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?::[A-Za-z_]\w*)?$")


def _dotted_strings(module: Module) -> Iterable[str]:
    """String constants that name a module ("pkg.routes", "pkg.main:app"): apps that load
    route modules lazily by name still ship and run them."""
    for node in module.of(ast.Constant):
        value = node.value
        if isinstance(value, str) and len(value) < 200 and _DOTTED.match(value):
            yield value.split(":", 1)[0]


def _is_local_top(top: str, roots: list[Path], importer: Path) -> bool:
    # `from x import y` where x.py sits beside the importer but outside the search roots
    return (
        (importer.parent / f"{top}.py").is_file()
        or (importer.parent / top).is_dir()
        or any((r / top).is_dir() or (r / f"{top}.py").is_file() for r in roots)
    )


def is_guarded(module: Module, node: ast.AST) -> bool:
    """Under try/except ImportError (or Exception), `if TYPE_CHECKING` or a presence test."""
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Try):
            for handler in parent.handlers:
                caught = ast.unparse(handler.type) if handler.type is not None else "Exception"
                if (
                    "ImportError" in caught
                    or "ModuleNotFoundError" in caught
                    or caught == "Exception"
                ):
                    return True
        if isinstance(parent, ast.If) and tests_presence(parent.test):
            return True
        if isinstance(parent, ast.With) and any(_suppresses_import_error(w) for w in parent.items):
            return True  # `with contextlib.suppress(ImportError):` (CNSeniorious000)
    return False


def _suppresses_import_error(item: ast.withitem) -> bool:
    call = item.context_expr
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name | ast.Attribute):
        return False
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr
    caught = {ast.unparse(arg) for arg in call.args}
    return name == "suppress" and bool(caught & {"ImportError", "ModuleNotFoundError", "Exception"})


# `if os.path.exists("local_settings.py"):`, `if find_spec("x"):`: the import runs only
# where the file or module is there (a local-only config module, an optional extra).
_PRESENCE_TESTS = {"exists", "isfile", "is_file", "isdir", "is_dir", "find_spec", "find_loader"}


def tests_presence(test: ast.expr) -> bool:
    """Whether a test asks if a file, folder or module is there (or TYPE_CHECKING)."""
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and node.id == "TYPE_CHECKING":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "TYPE_CHECKING":
            return True
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _PRESENCE_TESTS:
                return True
    return False
