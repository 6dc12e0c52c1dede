"""One depth-first pass over a parsed module: parents, nodes in pre-order, each subtree's
span and the nodes of each AST class.

Rules iterate these instead of calling ast.walk again and again: on a 100k-line app that
repeated walking was most of the run time. Recursion is twice as fast as an explicit
stack here; pathological nesting falls back to the stack.
"""

from __future__ import annotations

import ast
from ast import AST
from dataclasses import dataclass, field


@dataclass
class TreeIndex:
    nodes: list[ast.AST] = field(default_factory=list)
    start: dict[ast.AST, int] = field(default_factory=dict)
    end: dict[ast.AST, int] = field(default_factory=dict)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict)


def index_tree(tree: ast.AST) -> TreeIndex:
    try:
        return _recursive(tree)
    except RecursionError:
        return _iterative(tree)


def _recursive(tree: ast.AST) -> TreeIndex:
    found = TreeIndex()
    nodes, start, end, parents, by_type = (
        found.nodes,
        found.start,
        found.end,
        found.parents,
        found.by_type,
    )

    def visit(node: ast.AST) -> None:
        start[node] = len(nodes)
        nodes.append(node)
        kind = node.__class__
        same_kind = by_type.get(kind)
        if same_kind is None:
            same_kind = by_type[kind] = []
        same_kind.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, AST):
                        parents[item] = node
                        visit(item)
            elif isinstance(value, AST):
                parents[value] = node
                visit(value)
        end[node] = len(nodes)

    visit(tree)
    return found


def _iterative(tree: ast.AST) -> TreeIndex:
    found = TreeIndex()
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            found.end[node] = len(found.nodes)
            continue
        found.start[node] = len(found.nodes)
        found.nodes.append(node)
        found.by_type.setdefault(type(node), []).append(node)
        stack.append((node, True))
        for child in reversed(list(ast.iter_child_nodes(node))):
            found.parents[child] = node
            stack.append((child, False))
    return found
