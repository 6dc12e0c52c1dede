"""One depth-first pass over a parsed module: parents, nodes in pre-order, each subtree's
span and the nodes of each AST class.

Rules iterate these instead of calling ast.walk again and again: on a 100k-line app that
repeated walking was most of the run time. This pass is itself a sixth of a check on
Django, so it visits only what can hold a node: each class's fields are read from its
grammar signature once (`Call(expr func, expr* args, keyword* keywords)`), names,
strings and numbers are never looked at, and the context and operator leaves (`Load`,
`Add`, `Eq`: one shared instance per kind, a third of all nodes, no position and no
children) are left out, since their parent and span would be meaningless. Recursion is
twice as fast as an explicit stack here; pathological nesting falls back to the stack.
"""

from __future__ import annotations

import ast
import re
from array import array
from ast import AST
from collections.abc import Iterator
from dataclasses import dataclass, field


def positions() -> array[int]:
    """A compact list of positions: a dict of ends held an int object and an entry per
    node, a third of the index's memory (77 -> 54 MB on Django's trees)."""
    return array("l")


@dataclass
class TreeIndex:
    nodes: list[ast.AST] = field(default_factory=list)
    start: dict[ast.AST, int] = field(default_factory=dict)
    # end[i]: where the subtree of the node at position i ends (nodes[i:end[i]])
    end: array[int] = field(default_factory=positions)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict)


# Leaves shared by every use (the parser hands out one `Load()`): never indexed.
_SHARED_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
# Field types of the grammar that never hold an indexed node.
_NOT_NODES = frozenset(
    {"identifier", "string", "constant", "int", "expr_context", "operator", "boolop"}
    | {"unaryop", "cmpop"}
)
_SIGNATURE = re.compile(r"^\w+\((.*)\)$")
_FIELD = re.compile(r"^(\w+)([*?]?) (\w+)$")

# Per class: (field, holds a list) for each field that may hold an indexed node.
_children: dict[type[AST], tuple[tuple[str, bool], ...]] = {}
# The entry of a class whose signature did not parse: its children are found by
# ast.iter_child_nodes, as any value may be a leaf. An identity test per node, where a
# set of such classes cost a hash lookup for each of Django's 420k nodes.
_UNSURE: tuple[tuple[str, bool], ...] = (("", False),)


def _child_fields(kind: type[AST]) -> tuple[tuple[str, bool], ...]:
    """The fields of `kind` that may hold nodes, from its grammar signature (the class
    docstring CPython generates from Python.asdl); every field when it does not parse."""
    found: list[tuple[str, bool]] = []
    signature = _SIGNATURE.match((kind.__doc__ or "").strip())
    parts = [p.strip() for p in signature.group(1).split(",")] if signature else []
    parsed = [_FIELD.match(p) for p in parts if p]
    if signature is None or None in parsed or len(parsed) != len(kind._fields):
        _children[kind] = _UNSURE
        return _UNSURE
    for match in parsed:
        assert match is not None
        type_name, quantifier, name = match.groups()
        if type_name not in _NOT_NODES:
            found.append((name, quantifier == "*"))
    _children[kind] = fields = tuple(found)
    return fields


def index_tree(tree: ast.AST) -> TreeIndex:
    try:
        return _recursive(tree)
    except RecursionError:
        return _iterative(tree)


def _recursive(tree: ast.AST) -> TreeIndex:
    found = TreeIndex()
    _visit(tree, found.nodes, found.start, found.end, found.parents, found.by_type)
    return found


def _visit(
    node: ast.AST,
    nodes: list[ast.AST],
    start: dict[ast.AST, int],
    end: array[int],
    parents: dict[ast.AST, ast.AST],
    by_type: dict[type[ast.AST], list[ast.AST]],
) -> None:
    """A module-level function taking the tables, not a closure over them: a closure
    that calls itself is a reference cycle, which would keep every indexed node alive
    until the collector runs (and it does not run during a check, see engine)."""
    position = start[node] = len(nodes)
    nodes.append(node)
    end.append(0)
    kind = node.__class__
    try:  # free in 3.12 when nothing is raised: once per class and tree it is
        by_type[kind].append(node)
    except KeyError:
        by_type[kind] = [node]
    fields = _children.get(kind)
    if fields is None:
        fields = _child_fields(kind)
    if fields is _UNSURE:
        for child in _indexed_children(node):
            parents[child] = node
            _visit(child, nodes, start, end, parents, by_type)
        end[position] = len(nodes)
        return
    for name, many in fields:
        # A field typed as nodes holds a node or None (`expr?`, a `**d` key of a Dict):
        # `is not None` is a third of the pass cheaper than isinstance per value.
        value = getattr(node, name, None)
        if many:
            for item in value or ():
                if item is not None:
                    parents[item] = node
                    _visit(item, nodes, start, end, parents, by_type)
        elif value is not None:
            parents[value] = node
            _visit(value, nodes, start, end, parents, by_type)
    end[position] = len(nodes)


def _iterative(tree: ast.AST) -> TreeIndex:
    found = TreeIndex()
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            found.end[found.start[node]] = len(found.nodes)
            continue
        found.start[node] = len(found.nodes)
        found.nodes.append(node)
        found.end.append(0)
        found.by_type.setdefault(type(node), []).append(node)
        stack.append((node, True))
        for child in reversed(list(_indexed_children(node))):
            found.parents[child] = node
            stack.append((child, False))
    return found


def _indexed_children(node: ast.AST) -> Iterator[ast.AST]:
    return (c for c in ast.iter_child_nodes(node) if not isinstance(c, _SHARED_LEAVES))
