"""The codebase gates of issue 14, for both products: module size, complexity, import cycles.

Why a test: these are the habits that let the next engineer change one fact in one place,
and they erode one reasonable-looking commit at a time. A gate that runs with the suite
names the module or function the moment it crosses the line. Known violations are listed
by name below, each with its reason and issue, so the list can only shrink: an entry that
no longer applies fails too, and a new violation is never absorbed silently.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
MAX_D_BLOCKS = 3


@dataclass(frozen=True)
class Product:
    """A top-level package: the directory holding it and its import name."""

    name: str
    source_root: Path

    @property
    def package_dir(self) -> Path:
        return self.source_root / self.name


PRODUCTS = [
    Product("todo_api", ROOT / "src"),
    Product("preflight", ROOT / "preflight" / "src"),
]

# Modules allowed over MAX_LINES for now: path relative to ROOT -> reason (issue).
OVERSIZED: dict[str, str] = {}

# Blocks allowed to rate E or F for now: "path:qualified name" -> reason (issue).
E_OR_F_ALLOWED: dict[str, str] = {}

# Blocks rated D beyond the MAX_D_BLOCKS budget, for now: "path:qualified name" -> reason.
D_OVER_BUDGET: dict[str, str] = {}

# Import cycles allowed for now: the sorted modules of the cycle -> reason (issue).
CYCLES_ALLOWED: dict[tuple[str, ...], str] = {}


def _modules(product: Product) -> Iterator[Path]:
    yield from sorted(product.package_dir.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(product: Product, path: Path) -> str:
    parts = list(path.relative_to(product.source_root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_no_module_is_over_the_line_limit() -> None:
    over = {
        _relative(path): len(path.read_text().splitlines())
        for product in PRODUCTS
        for path in _modules(product)
        if len(path.read_text().splitlines()) > MAX_LINES
    }
    new = {path: lines for path, lines in over.items() if path not in OVERSIZED}
    assert not new, f"modules over {MAX_LINES} lines (split along their seams): {new}"
    stale = sorted(set(OVERSIZED) - set(over))
    assert not stale, f"now under {MAX_LINES} lines, remove from OVERSIZED: {stale}"


def _blocks(product: Product) -> Iterator[tuple[str, str, int]]:
    """(path:qualified name, radon rank, complexity) for every function, method and class."""
    for path in _modules(product):
        for block in cc_visit(path.read_text()):
            name = getattr(block, "fullname", block.name)
            yield f"{_relative(path)}:{name}", cc_rank(block.complexity), block.complexity


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.name)
def test_complexity_stays_readable(product: Product) -> None:
    blocks = list(_blocks(product))
    worst = {key: score for key, rank, score in blocks if rank in {"E", "F"}}
    new = {key: score for key, score in worst.items() if key not in E_OR_F_ALLOWED}
    assert not new, f"blocks rated E or F by radon (break into named phases): {new}"
    prefix = _relative(product.package_dir) + "/"
    stale = sorted(key for key in E_OR_F_ALLOWED if key.startswith(prefix) and key not in worst)
    assert not stale, f"no longer rated E or F, remove from E_OR_F_ALLOWED: {stale}"
    rated_d = {key: score for key, rank, score in blocks if rank == "D"}
    counted = {key: score for key, score in rated_d.items() if key not in D_OVER_BUDGET}
    assert len(counted) <= MAX_D_BLOCKS, (
        f"{len(counted)} blocks rated D in {product.name}, at most {MAX_D_BLOCKS}: {counted}"
    )
    stale = sorted(key for key in D_OVER_BUDGET if key.startswith(prefix) and key not in rated_d)
    assert not stale, f"no longer rated D, remove from D_OVER_BUDGET: {stale}"


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The absolute names one import statement loads; `from x import y` yields x and x.y."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph(product: Product) -> dict[str, set[str]]:
    """Module -> the product's modules it imports anywhere: top level, in functions, or
    under TYPE_CHECKING, since each of them ties the two modules together for a reader.

    `from pkg import name` is an edge to the submodule `pkg.name` when there is one, else
    to `pkg` itself (its `__init__`): a package face is a module like any other.
    """
    paths = {_module_name(product, path): path for path in _modules(product)}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _imported(module, is_package, node)
            if isinstance(node, ast.ImportFrom):
                base, members = names[0], names[1:]
                found = [name for name in members if name in paths]
                if len(found) < len(members) and base in paths:
                    found.append(base)
                names = found
            edges.update(name for name in names if name in paths and name != module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.name)
def test_no_import_cycles(product: Product) -> None:
    found = cycles(import_graph(product))
    new = [group for group in found if group not in CYCLES_ALLOWED]
    assert not new, f"import cycles (move the shared interface into its own module): {new}"
    stale = [
        group
        for group in CYCLES_ALLOWED
        if group[0].split(".")[0] == product.name and group not in found
    ]
    assert not stale, f"cycle gone, remove from CYCLES_ALLOWED: {stale}"


def test_the_cycle_finder_sees_lazy_and_type_only_imports(tmp_path: Path) -> None:
    """The gate would pass vacuously if it missed the imports that hide cycles."""
    package = tmp_path / "demo"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from demo.sub.leaf import Leaf\n")
    (package / "sub" / "leaf.py").write_text("class Leaf: ...\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo import b\n"
    )
    (package / "b.py").write_text("def f():\n    from .a import x\n    from .sub import Leaf\n")
    (package / "c.py").write_text("from demo.sub import Leaf\n")
    (package / "lone.py").write_text("import demo.c\n")
    demo = Product("demo", tmp_path)
    graph = import_graph(demo)
    assert graph["demo.b"] == {"demo.a", "demo.sub"}
    assert graph["demo.lone"] == {"demo.c"}
    assert cycles(graph) == [("demo.a", "demo.b")]
