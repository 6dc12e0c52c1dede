"""F11 / F15: `os.environ["X"]` read while the module is imported.

A missing variable raises KeyError during import, so the function never starts
(`could not import "..."`, 500 FUNCTION_INVOCATION_FAILED on every request). It works
locally because `.env` is loaded there, but the builder never loads `.env` (F15).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity, first_few
from preflight.on_vercel import evaluate
from preflight.project_paths import ships_file
from preflight.rules import _environ_examples as examples
from preflight.rules._settings_values import required_fields
from preflight.rules.base import CodeRule
from preflight.source import Module
from preflight.syntax import call_name, dotted_name


class EnvironAtImport(CodeRule):
    """A required environment lookup evaluated at import time: `os.environ[...]`,
    `os.getenv("X").method()`, python-decouple's `config("X")` and environs' `env("X")`
    without a default. All three raise during import when the variable is unset, and the
    builder never loads `.env`. A warning, not an error: the variable may well be set in the
    project's settings, and then nothing fails."""

    id = "PF1101"
    fid = "F11"
    name = "environ-at-import"
    severity = Severity.WARNING
    message = "os.environ[...] at import raises KeyError when the variable is not set"
    fix = "read it lazily or use os.environ.get() with a default and report missing config clearly"

    VALID = examples.VALID
    INVALID = examples.INVALID

    def check(self, module: Module) -> Iterator[Finding]:
        yield from self._subscripts(module)
        for call in module.of(ast.Call):
            found = (
                _required_lookup(module, call)
                or _none_to_client(module, call)
                or _wrong_type_read(module, call)
                or _required_settings(module, call)
                or _raised_when_unset(module, call)
                or _converted_when_unset(module, call)
            )
            if found is None or not module.is_import_time(call):
                continue
            key, why = found
            if _checked_first(module, call, key) or _inside_try(module, call, _LOOKUP_ERRORS):
                continue
            yield self.finding(module, call, why)

    def _subscripts(self, module: Module) -> Iterator[Finding]:
        """`os.environ["X"]` and `dotenv_values(...)["X"]` read at import."""
        for node in module.of(ast.Subscript):
            if not (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)):
                continue
            environ = dotted_name(node.value) in _ENVIRON
            env_file = None if environ else _unshipped_dotenv_values(module, node.value)
            if not environ and env_file is None:
                continue
            if not module.is_import_time(node) or _inside_try_keyerror(module, node):
                continue
            key = node.slice
            if _checked_first(module, node, key):
                continue
            shown = repr(key.value) if isinstance(key, ast.Constant) else ast.unparse(key)
            yield self.finding(
                module,
                node,
                f"os.environ[{shown}] at import raises KeyError when it is not set, "
                "and .env is never loaded by the builder"
                if environ
                else f"{ast.unparse(node)} at import raises KeyError: dotenv_values() reads "
                f"{env_file}, which is not in the project, so it gives an empty dict",
            )


# What each required lookup raises, for `except` clauses that already handle it.
_LOOKUP_ERRORS = ("KeyError", "LookupError", "AttributeError", "Exception", "Error")
_ENV_GETS = {"os.getenv", "getenv", "os.environ.get", "environ.get"}
_ENVIRON = {"os.environ", "environ"}
# environs' typed readers: env.str("X"), env.int("X"), ... (environs docs, "Basic usage").
_ENVIRONS_READERS = {"str", "int", "bool", "float", "decimal", "list", "dict", "json", "url"}
_ENVIRONS_READERS |= {"path", "date", "datetime", "timedelta", "uuid", "log_level", "enum"}


def _required_lookup(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(key, message) for a lookup that raises at import when the variable is unset:
    `os.getenv("X").strip()` (None has no attribute), python-decouple's `config("X")` and
    environs' `env("X")` / `env.str("X")` without a default (both raise; `.env` is not
    uploaded, so only the project's environment variables can set them)."""
    if len(call.args) != 1 or any(k.arg == "default" for k in call.keywords):
        return None
    key = call.args[0]
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    name = call_name(call) or ""
    if name in _ENV_GETS:
        parent = module.parents.get(call)
        used = (isinstance(parent, ast.Attribute) and parent.value is call) or (
            isinstance(parent, ast.Subscript) and parent.value is call
        )
        if not used or key.value in module.env_at_import or evaluate(call, module) is not None:
            return None
        return key, (
            f"os.getenv({key.value!r}) is None when it is not set, so using its value at "
            "import raises (AttributeError/TypeError) and .env is never loaded by the builder"
        )
    if name == "decouple.config" or (
        name == "config" and _imported_from(module, "config", "decouple")
    ):
        return key, (
            f"config({key.value!r}) without a default raises UndefinedValueError at import "
            "when the variable is not set, and .env is not uploaded"
        )
    if _is_environs_read(module, call):
        return key, (
            f"{ast.unparse(call.func)}({key.value!r}) without a default raises "
            "EnvError at import when the variable is not set, and .env is not uploaded"
        )
    return None


# Clients that raise when given None where the variable was unset: redis parses the URL
# (None has no .startswith/.decode), SQLAlchemy's make_url raises ArgumentError "Expected
# string or URL object, got None", supabase raises "supabase_url is required" and OpenAI
# "The api_key client option must be set" (jupediaz/chatgpt-prompt-splitter api/index.py:15,
# `redis.from_url(os.environ.get('UPSTASH_REDIS_URL'))` at import).
_REJECT_NONE = {
    **dict.fromkeys(("redis.from_url", "Redis.from_url", "redis.Redis.from_url"), "url"),
    **dict.fromkeys(("create_engine", "sqlalchemy.create_engine", "create_async_engine"), "url"),
    **dict.fromkeys(("create_client", "supabase.create_client"), "supabase_url"),
    **dict.fromkeys(("OpenAI", "openai.OpenAI", "AsyncOpenAI", "openai.AsyncOpenAI"), "api_key"),
}


def _none_to_client(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(key, message) for `redis.from_url(URL)` and kin at import where URL is an
    `os.getenv("X")` without a default (directly or through a module-level name)."""
    name = call_name(call) or ""
    param = _REJECT_NONE.get(name)
    if param is None:
        return None
    given = [k.value for k in call.keywords if k.arg == param]
    if param != "api_key" and call.args:
        given.append(call.args[0])
    for value in given:
        if isinstance(value, ast.Name) and _rebound_at_import(module, value.id):
            continue  # `if URL is None: URL = "sqlite:///..."` (AbdulRehman2106/Hackathon-...)
        lookup = module.local_value(value) if isinstance(value, ast.Name) else value
        if not (isinstance(lookup, ast.Call) and (call_name(lookup) or "") in _ENV_GETS):
            continue
        if len(lookup.args) != 1 or lookup.keywords or not isinstance(lookup.args[0], ast.Constant):
            continue  # a default (or something else) is passed
        key = lookup.args[0]
        if key.value in module.env_at_import or evaluate(lookup, module) is not None:
            continue
        return key, (
            f"{name}() gets os.getenv({key.value!r}), None when it is not set, and raises "
            "at import; .env is never loaded by the builder"
        )
    return None


def _unset_getenv(module: Module, call: ast.Call) -> ast.Constant | None:
    """The key of `os.getenv("X")` with no default, None when the call is something else
    or the variable is set at import or by Vercel (VERCEL_URL)."""
    if (call_name(call) or "") not in _ENV_GETS or len(call.args) != 1 or call.keywords:
        return None
    key = call.args[0]
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if key.value in module.env_at_import or evaluate(call, module) is not None:
        return None
    return key


def _converted_when_unset(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(key, message) for `int(os.getenv("X"))` / float(...) at import: TypeError on None
    (GabrielPassosM/team-manager-backend core/settings.py:19)."""
    key = _unset_getenv(module, call)
    parent = module.parents.get(call)
    if key is None or not isinstance(parent, ast.Call) or parent.args[:1] != [call]:
        return None
    if not isinstance(parent.func, ast.Name) or parent.func.id not in {"int", "float"}:
        return None
    return key, (
        f"{parent.func.id}(os.getenv({key.value!r})) raises TypeError at import when the "
        "variable is not set (None), and .env is never loaded by the builder"
    )


def _raised_when_unset(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(key, message) for `X = os.getenv("X")` (or the call itself) tested by an
    import-time `if` whose body raises: `if not BOT_TOKEN: raise ValueError(...)`
    (aErixxx/telegram_bot_vercel api/webhook.py:16-19), the getenv form of os.environ[...]."""
    key = _unset_getenv(module, call)
    if key is None:
        return None
    parent = module.parents.get(call)
    names = (
        {t.id for t in parent.targets if isinstance(t, ast.Name)}
        if isinstance(parent, ast.Assign) and parent.value is call
        else set()
    )
    for test in module.of(ast.If):
        if not module.is_import_time(test) or not any(
            isinstance(stmt, ast.Raise) for stmt in test.body
        ):
            continue
        tested = list(ast.walk(test.test))
        if call in tested or any(isinstance(n, ast.Name) and n.id in names for n in tested):
            return key, (
                f"os.getenv({key.value!r}) is None when it is not set, and the `if` at line "
                f"{test.lineno} raises at import; .env is never loaded by the builder"
            )
    return None


def _rebound_at_import(module: Module, name: str) -> bool:
    """Whether a module-level name gets a fallback at import when it is unset: assigned in
    the body of `if not NAME:` / `if NAME is None:`, or in the `else` of `if NAME:`
    (AbdulRehman2106/Hackathon-Phase-2-Todo-Web). A rewrite under `if NAME and ...:`
    (Sowndharraj-m/vercel-fastapi-deployment's postgres:// fix) runs only when it is set."""
    for node in module.of(ast.Assign):
        if not module.is_import_time(node) or not any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            continue
        child: ast.AST = node
        for test in module.ancestors(node):
            # which branch holds the assignment: the ancestor just below the `if`
            if isinstance(test, ast.If):
                in_body = any(stmt is child for stmt in test.body)
                if _tests_missing(test.test, name) == in_body:
                    return True
            child = test
    return False


def _tests_missing(test: ast.expr, name: str) -> bool | None:
    """True for `not NAME` / `NAME is None` / `NAME == ""`, False for `NAME` / `NAME is
    not None`, None for any other test (a rebinding under it is no fallback)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _tests_missing(test.operand, name)
        return None if inner is None else not inner
    if isinstance(test, ast.Name) and test.id == name:
        return False
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = test.left, test.comparators[0]
        empty = isinstance(right, ast.Constant) and right.value in (None, "")
        if isinstance(left, ast.Name) and left.id == name and empty:
            return isinstance(test.ops[0], ast.Is | ast.Eq)
    return None


_STR_ONLY = frozenset({"split", "rsplit", "strip", "lower", "upper", "replace", "startswith"})


def _wrong_type_read(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(key, message) for a read whose value, when the variable is unset, is not a string
    where a string is needed: `os.environ.get("ALLOWED_HOSTS", [".vercel.app"]).split(",")`
    (the default list has no .split), `os.environ["A"] = os.environ.get("B")` (environ
    takes only strings, and the read gives None)."""
    if (call_name(call) or "") not in _ENV_GETS or call.keywords or not call.args:
        return None
    key = call.args[0]
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if key.value in module.env_at_import or isinstance(evaluate(call, module), str):
        return None  # set at import, or by Vercel (VERCEL_URL), or a string default
    parent = module.parents.get(call)
    default = call.args[1] if len(call.args) > 1 else None
    if isinstance(default, ast.List | ast.Tuple | ast.Dict | ast.Set):
        kind = {ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict"}.get(
            type(default), "a set"
        )
        if isinstance(parent, ast.Attribute) and parent.attr in _STR_ONLY:
            return key, (
                f"os.environ.get({key.value!r}, ...) is its default, {kind}, when the "
                f"variable is not set, and {kind} has no .{parent.attr}(): AttributeError "
                "at import"
            )
    if default is None and isinstance(parent, ast.Assign) and parent.value is call:
        target = parent.targets[0]
        if isinstance(target, ast.Subscript) and dotted_name(target.value) in _ENVIRON:
            return key, (
                f"os.environ.get({key.value!r}) is None when it is not set, and os.environ "
                "takes only strings: TypeError at import"
            )
    return None


def _required_settings(module: Module, call: ast.Call) -> tuple[ast.expr, str] | None:
    """(field, message) for a pydantic-settings class built with required fields."""
    fields = [f for f in required_fields(call, module) if f not in module.env_at_import]
    if not fields:
        return None
    shown = first_few(fields)
    are = "is" if len(fields) == 1 else "are"
    return ast.Constant(fields[0]), (
        f"{ast.unparse(call.func)}() at import raises ValidationError when {shown} (required, "
        f"no default) {are} not set, and .env is never loaded by the builder"
    )


def _unshipped_dotenv_values(module: Module, value: ast.expr) -> str | None:
    """The env file python-dotenv's dotenv_values() reads, when `value` is its result
    (called here or bound to a module-level name: `CFG = dotenv.dotenv_values(".env")`)
    and the file is not in the project: the dict is empty on Vercel, as .env files stay
    out of git (silkbeauty/vercel-fastapi-for-aibookshub apps/utils/u_auth.py:13)."""
    if "dotenv" not in module.imported_tops:
        return None  # one set lookup for the many modules without python-dotenv
    if isinstance(value, ast.Name):
        bound = module.constants.get(value.id)
        value = bound if bound is not None else value
    if not (
        isinstance(value, ast.Call)
        and (call_name(value) or "").rpartition(".")[2] == "dotenv_values"
    ):
        return None
    first = value.args[0] if value.args else None
    for keyword in value.keywords:
        if keyword.arg == "dotenv_path":
            first = keyword.value
    if first is None:
        name = ".env"  # dotenv_values() finds .env by walking up from the caller
    elif isinstance(first, ast.Constant) and isinstance(first.value, str):
        name = first.value
    else:
        return None  # a computed path: where it points is not visible
    return None if ships_file(module, name) else name


def _imported_from(module: Module, name: str, source: str) -> bool:
    return any(
        node.module == source and any((a.asname or a.name) == name for a in node.names)
        for node in module.of(ast.ImportFrom)
    )


def _is_environs_read(module: Module, call: ast.Call) -> bool:
    """`env("X")` or `env.str("X")` where `env = Env()` from environs."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _ENVIRONS_READERS:
        func = func.value
    if not isinstance(func, ast.Name):
        return False
    value = module.constants.get(func.id)
    return (
        isinstance(value, ast.Call)
        and call_name(value) in {"Env", "environs.Env"}
        and module.imports_anywhere("environs")
    )


def _inside_try(module: Module, node: ast.AST, names: tuple[str, ...]) -> bool:
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Try):
            for handler in parent.handlers:
                caught = ast.unparse(handler.type) if handler.type is not None else "Exception"
                if any(name in caught for name in names):
                    return True
    return False


def _checked_first(module: Module, node: ast.AST, key: ast.expr) -> bool:
    """Inside `if os.environ.get("X"):` / `if "X" in os.environ:` (or a conditional
    expression testing it): the lookup cannot raise."""
    wanted = ast.unparse(key)
    for parent in module.ancestors(node):
        if isinstance(parent, ast.If | ast.IfExp | ast.While) and wanted in ast.unparse(
            parent.test
        ):
            return True
        if isinstance(parent, ast.BoolOp) and any(
            wanted in ast.unparse(v) for v in parent.values if v is not node
        ):
            return True
    return False


def _inside_try_keyerror(module: Module, node: ast.AST) -> bool:
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Try):
            for handler in parent.handlers:
                caught = ast.unparse(handler.type) if handler.type is not None else "Exception"
                if any(name in caught for name in ("KeyError", "LookupError", "Exception")):
                    return True
    return False
