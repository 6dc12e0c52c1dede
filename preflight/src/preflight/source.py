"""One parsed Python module plus the facts every code rule asks about it.

Rules need the same answers again and again (is this node run at import time? is it
inside a request handler? what does this module-level name hold?), so they are computed
once per module here instead of in each rule.
"""

from __future__ import annotations

import ast
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol, TypeVar, cast

from preflight.ast_index import index_tree, positions
from preflight.files import relative_posix
from preflight.one_pass import PARSED, remembered
from preflight.suppression import suppresses
from preflight.syntax import (
    HANDLER_BASES,
    HANDLER_METHODS,
    ROUTE_REGISTRARS,
    FunctionNode,
    call_name,
    dotted_name,
    is_main_guard,
    is_route_decorator,
    last_attr,
    parse_quietly,
)

N = TypeVar("N", bound=ast.AST)


class Program(Protocol):
    """The closure's first-party modules and functions, as rules follow calls into them
    (import_calls.Program), declared beside the Module that holds one: no import cycle."""

    def callee(self, module: Module, call: ast.Call) -> tuple[Module, FunctionNode] | None:
        """The first-party top-level function `call` names, with its module."""

    def bind(
        self, caller: Module, call: ast.Call, target: Module, fn: FunctionNode
    ) -> tuple[Module, FunctionNode]:
        """`fn` specialised to the constants this call passes."""

    def returns(self, module: Module, call: ast.Call) -> list[tuple[Module, ast.expr]] | None:
        """What a first-party function returns for this call, per `return`."""

    def release(self) -> None:
        """Forget the modules once the check is done (see Module.release)."""

    def module_named(self, name: str) -> Module | None: ...  # a closure module by dotted name


@dataclass(frozen=True)
class Link:
    """One call on the way from import time to a function (import_reach finds them)."""

    module: Module
    call: ast.Call

    def __str__(self) -> str:
        name = dotted_name(self.call.func) or "call"
        return f"{name}() at {self.module.rel}:{self.call.lineno}"


Chain = tuple[Link, ...]


@dataclass
class Module:
    """A parsed source file of the app (the unit code rules look at)."""

    path: Path
    rel: str  # path relative to the project root, POSIX style, for reports
    text: str
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict, repr=False)
    nodes: list[ast.AST] = field(default_factory=list, repr=False)
    _start: dict[ast.AST, int] = field(default_factory=dict, repr=False)
    _end: array[int] = field(default_factory=positions, repr=False)
    _by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict, repr=False)
    # Top-level names imported anywhere in the app's import closure (set by the closure
    # builder): a setting that needs an extension matters only when it is imported.
    closure_tops: frozenset[str] = field(default=frozenset(), repr=False)
    # Top-level functions of this module that other modules call at import, with the
    # chain of calls (set by import_reach.link_closure), and the memo of what runs at import.
    called_at_import: dict[str, Chain] = field(default_factory=dict, repr=False)
    import_reach: dict[FunctionNode, Chain] | None = field(default=None, repr=False)
    # The closure's modules, to follow calls into first-party functions (import_calls).
    program: Program | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, path: Path, root: Path) -> Module | None:
        try:
            text = path.read_text(encoding="utf-8")
            tree = parse_quietly(text, str(path))
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        try:
            rel = relative_posix(path, root)
        except ValueError:
            rel = path.as_posix()
        if not _declares_encoding(text):  # then the bytes parse to this same tree
            remembered((PARSED, path), lambda: tree)
        module = cls(path, rel, text, tree)
        module._index()
        return module

    def release(self) -> None:
        """Drop the links to the rest of the closure (Program, call chains): as reference
        cycles they kept a finished check's million AST nodes for the collector's next full
        pass (~1 s on Django, at exit) instead of freeing them when the check returns."""
        program, self.program = self.program, None
        if program is not None:
            program.release()
        self.called_at_import = {}
        self.import_reach = None

    def _index(self) -> None:
        """One pass over the tree: parents, pre-order nodes, spans (see ast_index)."""
        found = index_tree(self.tree)
        self.nodes, self._start, self._end = found.nodes, found.start, found.end
        self.parents, self._by_type = found.parents, found.by_type

    def of(self, kind: type[N]) -> list[N]:
        """Every node of exactly this AST class, in source order (no isinstance scan)."""
        return cast("list[N]", self._by_type.get(kind, []))

    def subtree(self, node: ast.AST) -> list[ast.AST]:
        """The node and everything under it (like ast.walk, in pre-order)."""
        start = self._start[node]
        return self.nodes[start : self._end[start]]

    @cached_property
    def root(self) -> Path:
        """The project root (the function's working directory, /var/task)."""
        depth = len(Path(self.rel).parts)
        return self.path.parents[depth - 1] if 0 < depth <= len(self.path.parents) else Path()

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def imported_tops(self) -> frozenset[str]:
        """Top-level names this module imports (`flask_session` for `from flask_session
        import Session`)."""
        names = {a.name.split(".")[0] for n in self.of(ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in self.of(ast.ImportFrom) if n.module}
        return frozenset(names)

    @cached_property
    def env_at_import(self) -> dict[str, object]:
        """Variables the module assigns a constant at import (`os.environ["X"] = "1"`,
        `os.environ.setdefault("X", "1")`): on Vercel they hold that value afterwards."""
        found: dict[str, object] = {}
        for node in self.of(ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and dotted_name(target.value) in {"os.environ", "environ"}
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(node.value, ast.Constant)
                    and self.is_import_time(node)
                ):
                    found[str(target.slice.value)] = node.value.value
        for call in self.of(ast.Call):
            if call_name(call) in {"os.environ.setdefault", "environ.setdefault"} and call.args:
                key = call.args[0]
                value = call.args[1] if len(call.args) > 1 else None
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant):
                    found.setdefault(str(key.value), value.value)
        return found

    @cached_property
    def top_functions(self) -> dict[str, list[FunctionNode]]:
        """Functions defined at module level, by name (what a bare `name()` call runs)."""
        found: dict[str, list[FunctionNode]] = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                found.setdefault(stmt.name, []).append(stmt)
        return found

    @cached_property
    def import_time_calls(self) -> list[ast.Call]:
        """Calls that run while the module is imported (not in a function or lambda, not
        under `if __name__ == "__main__":`), found by jumping over those subtrees."""
        calls: list[ast.Call] = []
        nodes, end, position = self.nodes, self._end, 0
        while position < len(nodes):
            node = nodes[position]
            if isinstance(node, _DEFERRED) or (
                isinstance(node, ast.If) and is_main_guard(node.test)
            ):
                position = end[position]  # runs later, if ever: not one node of it is looked at
                continue
            if isinstance(node, ast.Call):
                calls.append(node)
            position += 1
        return calls

    def imports_anywhere(self, top: str) -> bool:
        return top in self.imported_tops or top in self.closure_tops

    # --- structure ------------------------------------------------------------------

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for parent in self.ancestors(node):
            if isinstance(parent, FunctionNode):
                return parent
        return None

    def is_import_time(self, node: ast.AST) -> bool:
        """True when the node runs while the module is imported (cold start)."""
        for parent in self.ancestors(node):
            if isinstance(parent, FunctionNode | ast.Lambda):
                return False
            if isinstance(parent, ast.If) and is_main_guard(parent.test):
                return False
        return True

    def in_main_guard(self, node: ast.AST) -> bool:
        """Under `if __name__ == "__main__":`, which never runs in the function."""
        return any(isinstance(p, ast.If) and is_main_guard(p.test) for p in self.ancestors(node))

    def in_handler(self, node: ast.AST) -> FunctionNode | None:
        """The request handler this node runs in (any enclosing level), if any."""
        for parent in self.ancestors(node):
            if isinstance(parent, FunctionNode) and parent in self.handlers:
                return parent
        return None

    def guarded_by_platform_check(self, node: ast.AST) -> bool:
        """Inside an `if` that tests where the code runs (VERCEL, Lambda, read-only...)."""
        for parent in self.ancestors(node):
            if isinstance(parent, ast.If | ast.IfExp):
                test = ast.unparse(parent.test)
                if re.search(r"VERCEL|LAMBDA|SERVERLESS|platform|READ_?ONLY|readonly", test):
                    return True
        return False

    @cached_property
    def handlers(self) -> frozenset[FunctionNode]:
        registered: set[str] = set()
        for call in self.of(ast.Call):
            if last_attr(call) in ROUTE_REGISTRARS:
                candidates = list(call.args[1:2])
                candidates += [
                    k.value for k in call.keywords if k.arg in {"endpoint", "view_func", "view"}
                ]
                for arg in candidates:
                    name = dotted_name(arg)
                    if name:
                        registered.add(name.rsplit(".", 1)[-1])
        found: set[FunctionNode] = set()
        functions: list[FunctionNode] = [*self.of(ast.FunctionDef), *self.of(ast.AsyncFunctionDef)]
        for node in functions:
            if node.name in registered or any(is_route_decorator(d) for d in node.decorator_list):
                found.add(node)
                continue
            args = node.args.posonlyargs + node.args.args
            first = [a.arg for a in args if a.arg not in {"self", "cls"}][:1]
            if first and first[0] in {"request", "req"}:
                found.add(node)
                continue
            parent = self.parents.get(node)
            if isinstance(parent, ast.ClassDef) and node.name in HANDLER_METHODS:
                bases = {(dotted_name(b) or "").rsplit(".", 1)[-1] for b in parent.bases}
                if bases & HANDLER_BASES:
                    found.add(node)
        return frozenset(found)

    @cached_property
    def request_functions(self) -> frozenset[FunctionNode]:
        """Handlers plus the functions of this module they call (by name, transitively):
        code that surely runs on requests, as opposed to helpers nothing here calls."""
        by_name: dict[str, list[FunctionNode]] = {}
        functions: list[FunctionNode] = [*self.of(ast.FunctionDef), *self.of(ast.AsyncFunctionDef)]
        for function in functions:
            by_name.setdefault(function.name, []).append(function)
        reached: set[FunctionNode] = set(self.handlers)
        todo = list(reached)
        while todo:
            function = todo.pop()
            for node in self.subtree(function):
                if isinstance(node, ast.Call):
                    name = last_attr(node)
                    for callee in by_name.get(name or "", []):
                        if callee not in reached:
                            reached.add(callee)
                            todo.append(callee)
        return frozenset(reached)

    def runs_with_its_handler(self, node: ast.AST) -> bool:
        """True when the node is in a route handler's own body and no branch, loop or
        except clause stands between: every request the route gets runs it."""
        for parent in self.ancestors(node):
            if isinstance(parent, FunctionNode):
                return parent in self.handlers
            if isinstance(parent, _CONDITIONAL):
                return False
        return False

    def on_request_path(self, node: ast.AST) -> bool:
        functions = self.request_functions
        return any(isinstance(p, FunctionNode) and p in functions for p in self.ancestors(node))

    @cached_property
    def constants(self) -> dict[str, ast.expr]:
        """Module-level names bound exactly once by a plain assignment."""
        seen: dict[str, ast.expr] = {}
        dupes: set[str] = set()
        for stmt in self.tree.body:
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    if target.id in seen:
                        dupes.add(target.id)
                    seen[target.id] = value
        return {k: v for k, v in seen.items() if k not in dupes}

    def local_values(self, name: ast.Name) -> list[ast.expr]:
        """Every value a non-parameter local name is assigned in its function (empty at
        module level or for a parameter)."""
        function = self.enclosing_function(name)
        if function is None:
            return []
        params = {a.arg for a in self.subtree(function.args) if isinstance(a, ast.arg)}
        if name.id in params:
            return []
        return [
            node.value
            for node in self.subtree(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
        ]

    def local_value(self, name: ast.Name) -> ast.expr | None:
        """What a name holds where it is used: a single local assignment, else a constant."""
        function = self.enclosing_function(name)
        if function is not None:
            params = {a.arg for a in self.subtree(function.args) if isinstance(a, ast.arg)}
            if name.id in params:
                return None
            values = [
                node.value
                for node in self.subtree(function)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
            ]
            if len(values) == 1:
                return values[0]
            if values:
                return None
        return self.constants.get(name.id)

    # --- suppression ----------------------------------------------------------------

    def suppressed(self, line: int, rule_id: str, fid: str) -> bool:
        """`# preflight: ignore` or `# preflight: ignore[F5, PF702]` on the line."""
        return 0 < line <= len(self.lines) and suppresses(self.lines[line - 1], rule_id, fid)


# Code that is defined at import but runs later, when called.
_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# Statements and expressions whose body may not run when the code around them does.
_CONDITIONAL = (
    ast.If,
    ast.IfExp,
    ast.Match,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ExceptHandler,
    ast.BoolOp,
    ast.Lambda,
    ast.comprehension,
)


def _declares_encoding(text: str) -> bool:
    """A BOM or a PEP 263 coding line: parsing the file's bytes could differ from `text`."""
    return text.startswith("\ufeff") or any("coding" in line for line in text.split("\n", 2)[:2])
