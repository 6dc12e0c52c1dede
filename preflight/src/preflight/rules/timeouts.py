"""F9: handlers that can run past the function's maxDuration (504 TIMEOUT).

Only what is unbounded on its face is flagged: `while True` with no way out, and long
sleeps inside a handler. Bounded retries and short sleeps are left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import ClassVar

from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import call_name

_SLEEPS = {"time.sleep", "sleep", "asyncio.sleep", "anyio.sleep", "gevent.sleep"}


class UnboundedWaitInHandler(CodeRule):
    """`while True:` without break/return, or a long sleep, inside a request handler."""

    id = "PF901"
    fid = "F9"
    name = "unbounded-wait-in-handler"
    severity = Severity.WARNING
    message = "request handler can wait without bound: the function times out (504)"
    fix = "bound the loop (deadline, max attempts) or move the work to a queue / cron"
    defaults: ClassVar[Mapping[str, object]] = {"max-sleep-seconds": 10}

    VALID = (
        "import time\ndef view(request):\n    time.sleep(0.5)\n",
        "def view(request):\n    while True:\n        if done():\n            break\n",
        "import time\ndef worker():\n    while True:\n        time.sleep(60)\n",
    )
    INVALID = (
        Invalid(
            "import time\ndef view(request):\n    time.sleep(30)\n",
            line=3,
            column=5,
            message="handler view() sleeps 30 s per request",
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@app.get('/wait')\n"
            "def wait():\n    while True:\n        poll()\n",
            line=5,
            column=5,
            message="`while True` in handler wait() has no break or return",
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        limit = self.option_float("max-sleep-seconds")
        for handler in module.handlers:
            for node in module.subtree(handler):
                if isinstance(node, ast.While) and _is_forever(node.test) and not _exits(node):
                    yield self.finding(
                        module,
                        node,
                        f"`while True` in handler {handler.name}() has no break or return",
                    )
                elif isinstance(node, ast.Call) and (call_name(node) or "") in _SLEEPS:
                    seconds = _constant_number(node.args[0]) if node.args else None
                    if seconds is not None and seconds >= limit:
                        yield self.finding(
                            module,
                            node,
                            f"handler {handler.name}() sleeps {seconds:g} s per request",
                        )


def _is_forever(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value) is True


def _exits(loop: ast.While) -> bool:
    for node in ast.walk(loop):
        if isinstance(node, ast.Break | ast.Return | ast.Raise):
            # a break of a nested loop does not leave this one
            owner = _owning_loop(loop, node)
            if owner is loop or not isinstance(node, ast.Break):
                return True
    return False


def _owning_loop(root: ast.While, target: ast.AST) -> ast.AST | None:
    def visit(node: ast.AST, loop: ast.AST | None) -> ast.AST | None:
        if node is target:
            return loop
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.For | ast.While | ast.AsyncFor) else loop
            found = visit(child, inner)
            if found is not None:
                return found
        return None

    return visit(root, root)


def _constant_number(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    return None
