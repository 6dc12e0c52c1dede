"""Which functions run while the app is imported, and through which calls.

A write inside a function fails nothing until something calls it; when a module-level
statement calls it (`setup_logging(...)` in main.py, whose helper creates ./logs), it runs
at every cold start and takes the whole function down: `could not import "app/main.py"`
(chenyme/grok2api#538). Rules therefore ask, for a function, whether an import-time call
reaches it and by which chain of calls, so the finding can name the call the user sees in
the traceback.

Calls are followed by name only where the target is certain: `helper()` to a top-level
function of the same module, `helper()` imported with `from pkg.mod import helper`, and
`mod.helper()` after `import pkg.mod as mod` / `from pkg import mod`. Methods, callbacks
and decorators are not followed: guessing there would report writes that never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from itertools import pairwise

from preflight.on_vercel import UNKNOWN, evaluate
from preflight.source import Chain, Link, Module
from preflight.startup_hooks import StartupLink, startup_hooks
from preflight.syntax import FunctionNode, dotted_name


def reached_at_import(module: Module) -> dict[FunctionNode, Chain]:
    """Every function of `module` that runs at import, with the shortest chain of calls
    from an import-time statement (possibly in another module of the closure)."""
    if module.import_reach is None:
        module.import_reach = _reach(module)
    return module.import_reach


def link_closure(modules: list[Module]) -> None:
    """Tell each module which of its functions other modules call at import.

    Repeated until nothing changes (a chain may cross several modules); after the first
    round only modules whose functions were newly reached are looked at again."""
    index = _module_index(modules)
    imports = {id(m): _imported_functions(m, index) for m in modules}
    todo = [m for m in modules if imports[id(m)]]
    for _ in range(len(modules) + 1):
        changed: dict[int, Module] = {}
        for module in todo:
            imported = imports[id(module)]
            for link, chain, called in _calls_at_import(module):
                target = imported.get(called)
                if target is None:
                    continue
                callee, name = target
                if name not in callee.called_at_import and callee is not module:
                    callee.called_at_import[name] = (*chain, link)
                    callee.import_reach = None
                    changed[id(callee)] = callee
        todo = [m for m in changed.values() if imports[id(m)]]
        if not todo:
            return


def _reach(module: Module) -> dict[FunctionNode, Chain]:
    top = module.top_functions
    reached: dict[FunctionNode, Chain] = {}
    todo: list[FunctionNode] = []
    for name, chain in module.called_at_import.items():
        for function in top.get(name, []):
            if function not in reached:
                reached[function] = chain
                todo.append(function)
    for call in module.import_time_calls:
        for function in _callees(call, top):
            if function not in reached:
                reached[function] = (Link(module, call),)
                todo.append(function)
    for call, name in startup_hooks(module):  # a lifespan runs at every cold start too
        for function in top.get(name, []):
            if function not in reached:
                reached[function] = (StartupLink(module, call),)
                todo.append(function)
    while todo:
        caller = todo.pop(0)
        for call in _calls_in(module, caller):
            for function in _callees(call, top):
                if function not in reached:
                    reached[function] = (*reached[caller], Link(module, call))
                    todo.append(function)
    return reached


def _calls_at_import(module: Module) -> Iterable[tuple[Link, Chain, str]]:
    """Calls that run at import, as links, with the name of what they run: module-level
    ones (no chain), the startup hooks they register (`FastAPI(lifespan=lifespan)` runs
    lifespan), and calls in functions reached at import (with that function's chain)."""
    for call in module.import_time_calls:
        yield Link(module, call), (), dotted_name(call.func) or ""
    for call, name in startup_hooks(module):
        yield StartupLink(module, call), (), name
    for function, chain in reached_at_import(module).items():
        for call in _calls_in(module, function):
            yield Link(module, call), chain, dotted_name(call.func) or ""


def _calls_in(module: Module, function: FunctionNode) -> list[ast.Call]:
    """Calls in the function's own body (not in functions nested in it)."""
    return [
        n
        for n in module.subtree(function)
        if isinstance(n, ast.Call) and module.enclosing_function(n) is function
    ]


def _callees(call: ast.Call, top: dict[str, list[FunctionNode]]) -> list[FunctionNode]:
    return top.get(call.func.id, []) if isinstance(call.func, ast.Name) else []


def _module_index(modules: list[Module]) -> dict[str, Module]:
    """Dotted names -> module, by every suffix of the path (`app.core.db`, `core.db`,
    `db`), since the import path may start at the root, at src/ or at the entrypoint's
    folder; a name two modules could answer to is dropped."""
    index: dict[str, Module] = {}
    ambiguous: set[str] = set()
    for module in modules:
        parts = module.rel.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for start in range(len(parts)):
            key = ".".join(parts[start:])
            if key in index and index[key] is not module:
                ambiguous.add(key)
            index[key] = module
    return {k: v for k, v in index.items() if k and k not in ambiguous}


def _imported_functions(module: Module, index: dict[str, Module]) -> dict[str, tuple[Module, str]]:
    """Names this module calls that are functions of other local modules:
    `helper` -> (that module, "helper"), `mod.helper` -> (mod, "helper")."""
    found: dict[str, tuple[Module, str]] = {}
    for node in module.of(ast.ImportFrom):
        base = _absolute(module, node)
        if base is None:
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            submodule = index.get(f"{base}.{alias.name}" if base else alias.name)
            if submodule is not None:
                _add_module_alias(found, local, submodule)
            target = index.get(base)
            if target is not None and alias.name in target.top_functions:
                found[local] = (target, alias.name)
    for imp in module.of(ast.Import):
        for alias in imp.names:
            target = index.get(alias.name)
            if target is not None:
                _add_module_alias(found, alias.asname or alias.name, target)
    return found


def _add_module_alias(found: dict[str, tuple[Module, str]], local: str, target: Module) -> None:
    for name in target.top_functions:
        found[f"{local}.{name}"] = (target, name)


def _absolute(module: Module, node: ast.ImportFrom) -> str | None:
    """The dotted module a `from ... import` names, relative ones resolved from the
    importing module's path."""
    if not node.level:
        return node.module
    package = module.rel.split("/")[:-1]
    if node.level - 1 > len(package):
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def ruled_out_by_arguments(chain: Chain, module: Module, node: ast.AST) -> bool:
    """A function on the chain runs `node` (or the next call) only under `if flag:` /
    `if not flag:` on one of its parameters, and the call passes a value that Vercel
    evaluates the other way: `setup_logging(file_logging=os.getenv("LOG_FILE", "") == "1")`
    never adds the file sink."""
    steps: list[tuple[Link, Module, ast.AST]] = [
        (link, nxt.module, nxt.call) for link, nxt in pairwise(chain)
    ]
    if chain:
        steps.append((chain[-1], module, node))
    for link, where, inner in steps:
        function = where.enclosing_function(inner)
        if function is None:
            continue
        for test, in_body in _branches(where, inner, function):
            negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
            name = test.operand if isinstance(test, ast.UnaryOp) and negated else test
            if not isinstance(name, ast.Name):
                continue
            value = _argument(link, function, name.id)
            if value is not UNKNOWN and (bool(value) != negated) != in_body:
                return True  # the branch holding the write is not the one taken
    return False


def _branches(module: Module, node: ast.AST, function: FunctionNode) -> list[tuple[ast.expr, bool]]:
    """(test, node is in the body) for each `if` between the node and the function."""
    found: list[tuple[ast.expr, bool]] = []
    child: ast.AST = node
    for parent in module.ancestors(node):
        if parent is function:
            break
        if isinstance(parent, ast.If):
            if any(child is s for s in parent.body):
                found.append((parent.test, True))
            elif any(child is s for s in parent.orelse):
                found.append((parent.test, False))
        child = parent
    return found


def _argument(link: Link, function: FunctionNode, param: str) -> object:
    """What the call passes for `param`, evaluated on Vercel (the default when omitted)."""
    args = [*function.args.posonlyargs, *function.args.args]
    names = [a.arg for a in args]
    if param not in names and param not in {a.arg for a in function.args.kwonlyargs}:
        return UNKNOWN
    for keyword in link.call.keywords:
        if keyword.arg == param:
            return evaluate(keyword.value, link.module)
        if keyword.arg is None:
            return UNKNOWN  # **kwargs: cannot tell
    if param in names and names.index(param) < len(link.call.args):
        if any(isinstance(a, ast.Starred) for a in link.call.args):
            return UNKNOWN
        return evaluate(link.call.args[names.index(param)], link.module)
    return UNKNOWN
