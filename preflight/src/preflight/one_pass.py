"""Within one check, each file is parsed once and the project tree walked once.

Rules ask the same questions of the tree independently (which files upload? what does
this file define?): on Django's 877 files the entrypoint, exposure, wheels and path rules
walked the tree a dozen times and parsed every file three times, over half of a run. The
answers only hold while the files are unchanged, so they are kept for one scope, not for
the process: `run_check` opens one per check (a `--fix` re-check opens its own), and
outside a scope every call computes afresh as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

T = TypeVar("T")

# Key prefix of a file's parsed tree: `project.parse_file` parses, `Module.parse` offers
# the tree it made from the same text so the file is compiled once.
PARSED = "parsed tree"

_SCOPE: ContextVar[dict[Hashable, object] | None] = ContextVar("preflight_one_pass", default=None)
# The answers of finished scopes, held for a process that ends with os._exit (cli.run):
# freeing Django's million parsed nodes one by one costs ~0.13 s that the exit need not.
_LEFT_FOR_EXIT: list[dict[Hashable, object]] | None = None


@contextmanager
def scope() -> Iterator[None]:
    """Answers computed inside are shared until the block ends."""
    memo: dict[Hashable, object] = {}
    token = _SCOPE.set(memo)
    try:
        yield
    finally:
        _SCOPE.reset(token)
        if _LEFT_FOR_EXIT is not None:
            _LEFT_FOR_EXIT.append(memo)


def leave_for_exit() -> None:
    """From now on, finished scopes' answers are not freed: the process exits without."""
    global _LEFT_FOR_EXIT
    if _LEFT_FOR_EXIT is None:
        _LEFT_FOR_EXIT = []


def table(name: str) -> dict[Hashable, object] | None:
    """The current scope's own dict called `name` (None outside a scope), for answers
    asked per node hundreds of thousands of times a check, where `remembered`'s key tuple
    and closure per question would cost as much as computing the answer again."""
    memo = _SCOPE.get()
    if memo is None:
        return None
    found = memo.get(name)
    if found is None:
        found = memo[name] = {}
    # isinstance narrows for mypy where typing.cast would be a Python call per question
    return found if isinstance(found, dict) else None


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per key within the current scope (every time outside one)."""
    memo = _SCOPE.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return cast("T", memo[key])
