"""Calls into first-party functions with their constant arguments bound.

import_reach says which functions run at import; to know where their writes land, the
arguments must be known too: grok2api's `setup_logging()` (chenyme/grok2api#538) passes no
folder, so `_add_file_sink` falls back to `log_dir()`, which returns
`_resolve_env_path("LOG_DIR", "logs")` under the project: a path visible only through two
calls and a return value. `Program.bind` specialises a function to one call (parameters
replaced by the constants the call passes, or their defaults), and `Program.returns` says
what a call returns, so `classify` can follow paths through first-party helpers.

A bound function is analysed in a small stand-in module: the real module's imports and the
top-level assignments it uses, plus the specialised copy. Every question rules ask of a
module (what a name holds, which branch runs on Vercel) then works unchanged.
"""

from __future__ import annotations

import ast
import copy
import sys
from collections.abc import Iterable

from preflight.import_names import absolute_import, dotted_names
from preflight.on_vercel import UNKNOWN, evaluate
from preflight.source import Module
from preflight.syntax import FunctionNode

_NOT_FIRST_PARTY = frozenset(sys.stdlib_module_names)
_MAX_BOUND = 400  # bound functions per closure: enough for real call chains, bounded cost


class Program:
    """The closure's modules by dotted name, to resolve calls to first-party functions."""

    def __init__(self, modules: Iterable[Module]) -> None:
        self.modules = list(modules)
        self.by_name: dict[str, Module] = {}
        for module in self.modules:
            for name in dotted_names(module.rel):
                self.by_name.setdefault(name, module)
        # a module imported from its own folder (api/main.py as `main`): shortest path wins
        for module in sorted(self.modules, key=lambda m: m.rel.count("/")):
            parts = dotted_names(module.rel)[0].split(".") if dotted_names(module.rel) else []
            for start in range(1, len(parts)):
                if parts[start] not in _NOT_FIRST_PARTY:  # `logging` stays the stdlib's
                    self.by_name.setdefault(".".join(parts[start:]), module)
        self._origin: dict[int, Module] = {}  # stand-in -> the real module it stands for
        self._name_maps: dict[int, dict[str, tuple[Module, FunctionNode]]] = {}
        self._alias_maps: dict[int, dict[str, Module]] = {}
        self._bound: dict[
            tuple[int, tuple[tuple[str, object], ...]], tuple[Module, FunctionNode]
        ] = {}

    def release(self) -> None:
        """Forget every module (see Module.release): the stand-ins point back here."""
        stand_ins = [stand_in for stand_in, _ in self._bound.values()]
        self.modules, self.by_name, self._bound = [], {}, {}
        self._origin, self._name_maps, self._alias_maps = {}, {}, {}
        for stand_in in stand_ins:
            stand_in.release()

    def module_named(self, name: str) -> Module | None:
        return self.by_name.get(name)

    def origin(self, module: Module) -> Module:
        """The real module a stand-in (see `bind`) was made from; any other as it is."""
        return self._origin.get(id(module), module)

    def callee(self, module: Module, call: ast.Call) -> tuple[Module, FunctionNode] | None:
        """The first-party top-level function `call` names, with its module."""
        module = self._origin.get(id(module), module)
        func = call.func
        if isinstance(func, ast.Name):
            return self._names(module).get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            target = self._aliases(module).get(func.value.id)
            if target is not None:
                return _top_level_def(target, func.attr)
        return None

    def _names(self, module: Module) -> dict[str, tuple[Module, FunctionNode]]:
        """Callable names in the module: its own top-level defs and first-party imports."""
        cached = self._name_maps.get(id(module))
        if cached is not None:
            return cached
        names: dict[str, tuple[Module, FunctionNode]] = {}
        for node in module.of(ast.ImportFrom):
            source = absolute_import(module, node)
            target = self.module_named(source) if source else None
            for alias in node.names if target is not None else []:
                found = _top_level_def(target, alias.name) if target is not None else None
                if found is not None:
                    names[alias.asname or alias.name] = found
        for stmt in module.tree.body:
            if isinstance(stmt, FunctionNode):
                names[stmt.name] = (module, stmt)
        self._name_maps[id(module)] = names
        return names

    def _aliases(self, module: Module) -> dict[str, Module]:
        """Local names bound to first-party modules (`import helper`, `import app.log as
        log`, `from app import log`)."""
        cached = self._alias_maps.get(id(module))
        if cached is not None:
            return cached
        aliases: dict[str, Module] = {}
        for node in module.of(ast.Import):
            for alias in node.names:
                # `import a.b` binds `a`, not the module a.b: only `as` or a plain name
                bound = alias.asname or (alias.name if "." not in alias.name else None)
                target = self.module_named(alias.name) if bound else None
                if target is not None and bound:
                    aliases[bound] = target
        for node_from in module.of(ast.ImportFrom):
            source = absolute_import(module, node_from)
            for alias in node_from.names if source else []:
                target = self.module_named(f"{source}.{alias.name}")
                if target is not None:
                    aliases[alias.asname or alias.name] = target
        self._alias_maps[id(module)] = aliases
        return aliases

    def bind(
        self, caller: Module, call: ast.Call, target: Module, fn: FunctionNode
    ) -> tuple[Module, FunctionNode]:
        """`fn` specialised to this call's constants, in its stand-in module (the real
        module and function when nothing is bound: most calls, and no copy to make)."""
        values = _bound_values(caller, call, target, fn)
        if not values:
            return target, fn
        key = (id(fn), tuple(sorted(values.items(), key=lambda kv: kv[0])))
        if key in self._bound:
            return self._bound[key]
        used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
        body: list[ast.stmt] = [
            stmt
            for stmt in target.tree.body
            if isinstance(stmt, ast.Import | ast.ImportFrom)
            or (isinstance(stmt, ast.Assign | ast.AnnAssign) and _binds_any(stmt, used))
        ]
        specialised = _Substitute(values).visit(copy.deepcopy(fn))
        assert isinstance(specialised, FunctionNode)
        tree = ast.Module(body=[*body, specialised], type_ignores=[])
        stand_in = Module(target.path, target.rel, target.text, tree)
        stand_in._index()
        stand_in.closure_tops = target.closure_tops
        stand_in.program = self
        stand_in.__dict__["root"] = target.root
        stand_in.__dict__["env_at_import"] = target.env_at_import
        self._bound[key] = (stand_in, specialised)
        self._origin[id(stand_in)] = target
        return stand_in, specialised

    def returns(self, module: Module, call: ast.Call) -> list[tuple[Module, ast.expr]] | None:
        """What a first-party function returns for this call: (stand-in, expression) for
        each `return`, or None when the call names no such function."""
        found = self.callee(module, call)
        if found is None or len(self._bound) > _MAX_BOUND:
            return None
        target, fn = found
        stand_in, bound_fn = self.bind(module, call, target, fn)
        return [
            (stand_in, node.value)
            for node in stand_in.subtree(bound_fn)
            if isinstance(node, ast.Return)
            and node.value is not None
            and stand_in.enclosing_function(node) is bound_fn
        ]


class _Substitute(ast.NodeTransformer):
    """Replace reads of the bound parameters by their constant values."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            value = self.values[node.id]
            assert isinstance(value, _CONSTANT_TYPES)
            return ast.copy_location(ast.Constant(value), node)
        return node


_CONSTANT_TYPES = (str, int, float, bool, type(None))


def _bound_values(
    caller: Module, call: ast.Call, target: Module, fn: FunctionNode
) -> dict[str, object]:
    """Parameter -> constant for this call: the arguments we can evaluate on Vercel, else
    the parameter's default; parameters reassigned in the body are left alone."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    if positional and positional[0].arg in {"self", "cls"}:
        return {}
    assigned = {
        t.id
        for node in ast.walk(fn)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    }
    values: dict[str, object] = {}
    defaults = dict(
        zip(
            [a.arg for a in positional][len(positional) - len(args.defaults) :],
            args.defaults,
            strict=True,
        )
    )
    defaults |= {
        a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    }
    for name, default in defaults.items():
        value = evaluate(default, target)
        if value is not UNKNOWN and isinstance(value, _CONSTANT_TYPES):
            values[name] = value
    passed: dict[str, ast.expr] = {}
    for param, arg in zip(positional, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            return {}
        passed[param.arg] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            return {}
        passed[keyword.arg] = keyword.value
    for name, expr in passed.items():
        value = evaluate(expr, caller)
        if value is not UNKNOWN and isinstance(value, _CONSTANT_TYPES):
            values[name] = value
        else:
            values.pop(name, None)
    return {k: v for k, v in values.items() if k not in assigned}


def _binds_any(stmt: ast.Assign | ast.AnnAssign, names: set[str]) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return any(isinstance(t, ast.Name) and t.id in names for t in targets)


def _top_level_def(module: Module, name: str) -> tuple[Module, FunctionNode] | None:
    for stmt in module.tree.body:
        if isinstance(stmt, FunctionNode) and stmt.name == name:
            return module, stmt
    return None
