"""Where a PF501 write runs and whether anything excuses it: writes visible only once a
call chain's arguments are bound, branches Vercel never takes, `try` blocks that catch the
read-only error, and mkdirs of directories the deploy already ships.

Why apart from the rule: these are the questions, the rule (filesystem.py) gives the
verdict; each answer here names its real-project case in its docstring.
"""

from __future__ import annotations

import ast

from preflight.import_calls import Program
from preflight.import_reach import ruled_out_by_arguments
from preflight.on_vercel import branch_never_runs
from preflight.project_paths import on_disk
from preflight.rules._paths import PathInfo, Where, ships_directory
from preflight.rules._stdlib_names import qualified_call_name
from preflight.rules._writes import written_path
from preflight.source import Chain, Module
from preflight.syntax import FunctionNode, last_attr

# Writes whose target may show only with a chain's arguments bound (see bound_target).
_WRITE_NAMES = frozenset(
    {"mkdir", "makedirs", "open", "write_text", "write_bytes", "touch", "basicConfig", "add"}
    | {"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler"}
)


def with_unresolved(
    module: Module, reach: dict[FunctionNode, Chain], found: list[tuple[ast.AST, PathInfo]]
) -> list[tuple[ast.AST, PathInfo]]:
    """The module's visible writes plus, in functions reached at import, write calls
    whose target is not visible without the chain's arguments."""
    seen = {id(node) for node, _ in found}
    extra: list[tuple[ast.AST, PathInfo]] = [
        (node, PathInfo(Where.UNKNOWN))
        for function in reach
        for node in module.subtree(function)
        if isinstance(node, ast.Call)
        and id(node) not in seen
        and last_attr(node) in _WRITE_NAMES
        and module.enclosing_function(node) is function
    ]
    if not extra:
        return found
    return sorted(
        [*found, *extra], key=lambda f: (getattr(f[0], "lineno", 0), getattr(f[0], "col_offset", 0))
    )


def bound_target(chain: Chain, module: Module, node: ast.Call) -> PathInfo | None:
    """Where the write lands with the constants of each call on the chain bound to the
    parameters (grok2api: `setup_logging()` passes no folder, so the sink falls back to
    `log_dir()`, "logs" under the project)."""
    if module.program is None:
        module.program = Program([module])
    program = module.program
    caller, call = chain[0].module, chain[0].call
    for following in [*(link.call for link in chain[1:]), node]:
        callee = program.callee(caller, call)
        if callee is None:
            return None
        caller, _ = program.bind(caller, call, *callee)
        found = _same_call(caller, following)
        if found is None:
            return None
        call = found
    return written_path(call, caller)


def _same_call(module: Module, call: ast.Call) -> ast.Call | None:
    """The call at the same place in a stand-in module (or the module itself)."""
    for candidate in module.of(ast.Call):
        if (candidate.lineno, candidate.col_offset) == (call.lineno, call.col_offset):
            return candidate
    return None


def runs_on_vercel(chain: Chain, module: Module, node: ast.AST) -> bool:
    """Every call on the way runs on Vercel, none sits in a try that copes with it, and no
    argument on the way switches the write off."""
    if ruled_out_by_arguments(chain, module, node):
        return False
    return not any(
        never_runs_on_vercel(link.module, link.call) or handles_os_error(link.module, link.call)
        for link in chain
    )


def never_runs_on_vercel(module: Module, node: ast.AST) -> bool:
    """Under `if __name__ == "__main__":` or in a branch Vercel never takes."""
    return module.in_main_guard(node) or branch_never_runs(module, node)


def creates_shipped_directory(module: Module, call: ast.AST) -> bool:
    """`os.makedirs(d, exist_ok=True)` / `Path(d).mkdir(exist_ok=True)` on a directory the
    deploy uploads: mkdir of an existing path fails with EEXIST before EROFS on a read-only
    filesystem (checked under bwrap --ro-bind), and exist_ok swallows EEXIST, so nothing
    fails (Guo-Alice/web_insurance app.py:31-33, GET / -> 200 under `preflight run`)."""
    if not isinstance(call, ast.Call):
        return False
    exist_ok = any(
        k.arg == "exist_ok" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )
    name = qualified_call_name(call, module) or ""
    if not exist_ok:
        return False
    if name == "os.makedirs" and call.args:
        target: ast.expr | None = call.args[0]
    elif last_attr(call) == "mkdir" and isinstance(call.func, ast.Attribute):
        target = call.func.value
    else:
        return False
    path = on_disk(target, module) if target is not None else None
    return path is not None and ships_directory(path, module)


def handles_os_error(module: Module, node: ast.AST) -> bool:
    """Inside `try:` whose handler catches the read-only error (OSError and kin): the code
    already copes with a failed write (flaskr's `os.makedirs(instance_path)`). A handler
    that raises again copes with nothing: the request still fails, only the message
    changes (drkostas/hevy2garmin db_sqlite.py:31-43 before #198 turned the EROFS of
    ~/.hevy2garmin into a RuntimeError, which users saw as a 500)."""
    caught = {"OSError", "IOError", "PermissionError", "Exception", "BaseException"}
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Try) and node not in _handler_nodes(module, parent):
            for handler in parent.handlers:
                if any(isinstance(stmt, ast.Raise) for stmt in handler.body):
                    continue
                names = (
                    {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)}
                    if handler.type is not None
                    else {"BaseException"}
                )
                if names & caught:
                    return True
    return False


def _handler_nodes(module: Module, try_stmt: ast.Try) -> set[ast.AST]:
    return {n for h in try_stmt.handlers for n in module.subtree(h)}
