"""An import inside a function whose every caller catches ImportError.

`def get_browser(): from undetected_chromedriver import Chrome` is an optional feature
when each call of get_browser() sits under `try: ... except ImportError:` (gpt4free's
helper.py and its one caller, needs_auth/OpenaiChat.py): without the distribution the
call fails into the handler and the app goes on, as an import under such a try does.
Only top-level functions with at least one first-party call found are judged; a call
made some other way (a callback, getattr) is invisible here, so a function with no call
found keeps its import's verdict.
"""

from __future__ import annotations

import ast

from preflight.call_index import calls_named
from preflight.deps.closure import Closure, ImportUse, is_guarded
from preflight.one_pass import remembered
from preflight.source import Module
from preflight.syntax import FunctionNode


def guarded_by_callers(closure: Closure, use: ImportUse) -> bool:
    """Whether `use` sits in a top-level function every found call of which is guarded."""
    function = use.module.enclosing_function(use.node)
    if function is None or function not in use.module.tree.body:
        return False
    guards = _call_guards(closure, use.module, function)
    return bool(guards) and all(guards)


def _call_guards(closure: Closure, module: Module, function: FunctionNode) -> list[bool]:
    """For each first-party call of `function` in the closure, whether it is guarded
    (an alias, `from helper import get_browser as browser`, counts as its name)."""

    def compute() -> list[bool]:
        guards: list[bool] = []
        for caller in closure.modules:
            program = caller.program
            if program is None:
                continue
            # only a call by the function's name or an alias of it can resolve to it:
            # resolving every call of Django's closure took ~0.06 s per function asked
            names = {function.name} | {
                alias.asname
                for node in caller.of(ast.ImportFrom)
                for alias in node.names
                if alias.name == function.name and alias.asname
            }
            for call in calls_named(caller, names):
                found = program.callee(caller, call)
                if found is not None and found[0] is module and found[1] is function:
                    guards.append(is_guarded(caller, call))
        return guards

    return remembered(("caller guards", module.path, function.lineno), compute)
