"""F5: sessions or caches kept in files beside the code (Flask-Session's filesystem type,
Django's file-based cache and session engines): the function's filesystem is read-only
except /tmp, so the first request that stores one fails."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module


class FileSessionsOrCaches(CodeRule):
    """Framework settings that keep sessions or caches in files next to the code."""

    id = "PF502"
    fid = "F5"
    name = "file-sessions-or-cache"
    severity = Severity.ERROR
    message = "sessions or cache kept in files: the function's filesystem is read-only"
    fix = "use signed-cookie, database or Redis sessions / caches"

    VALID = (
        "SESSION_TYPE = 'redis'\n",
        "SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'\n",
        # without Flask-Session imported, SESSION_TYPE is a key nothing reads: Flask keeps
        # its signed-cookie sessions
        "from flask import Flask\napp = Flask(__name__)\n"
        "app.config['SESSION_TYPE'] = 'filesystem'\n",
    )
    INVALID = (
        Invalid(
            "from flask_session import Session\nSESSION_TYPE = 'filesystem'\n",
            line=2,
            column=16,
            message="SESSION_TYPE = 'filesystem' keeps state in files",
        ),
        Invalid(
            "from flask_session import Session\napp.config['SESSION_TYPE'] = 'filesystem'\n",
            line=2,
            column=30,
            message="SESSION_TYPE = 'filesystem' keeps state in files",
        ),
        Invalid(
            "SESSION_ENGINE = 'django.contrib.sessions.backends.file'\n",
            line=1,
            column=18,
            message="SESSION_ENGINE = 'django.contrib.sessions.backends.file' keeps state in files",
        ),
        Invalid(
            "CACHES = {'default': {\n"
            "    'BACKEND': 'django.core.cache.backends.filebased.FileBasedCache',\n"
            "    'LOCATION': 'cache'}}\n",
            line=2,
            column=16,
            message="BACKEND = 'django.core.cache.backends.filebased.FileBasedCache' "
            "keeps state in files",
        ),
    )

    _VALUES = frozenset(
        {
            "filesystem",
            "django.contrib.sessions.backends.file",
            "django.core.cache.backends.filebased.FileBasedCache",
        }
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node in module.of(ast.Constant):
            if not (isinstance(node, ast.Constant) and node.value in self._VALUES):
                continue
            parent = module.parents.get(node)
            key = _key_for(parent, node)
            if key == "SESSION_TYPE" and not module.imports_anywhere("flask_session"):
                continue  # Flask-Session's key: without the extension nothing reads it
            if key in {"SESSION_TYPE", "SESSION_ENGINE", "BACKEND"}:
                yield self.finding(module, node, f"{key} = {node.value!r} keeps state in files")


def _key_for(parent: ast.AST | None, node: ast.expr) -> str | None:
    """The setting name a constant is assigned to (NAME = v, x['NAME'] = v, {'NAME': v})."""
    if isinstance(parent, ast.Assign):
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            return str(target.slice.value)
    if isinstance(parent, ast.Dict):
        for k, v in zip(parent.keys, parent.values, strict=True):
            if v is node and isinstance(k, ast.Constant):
                return str(k.value)
    if isinstance(parent, ast.keyword):
        return parent.arg
    return None
