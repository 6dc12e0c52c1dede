"""F13: request bodies over 4.5 MB. Vercel answers 413 FUNCTION_PAYLOAD_TOO_LARGE before
the function runs, so an upload endpoint that works locally fails for real files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import dotted_name

LIMIT_BYTES = 4.5 * 1024 * 1024
_LIMIT_KEYS = {"MAX_CONTENT_LENGTH", "DATA_UPLOAD_MAX_MEMORY_SIZE"}
_UPLOAD_ATTRS = {"request.files", "request.FILES", "req.files", "flask.request.files"}


class LargeRequestBody(CodeRule):
    """Handlers that take file uploads, or a body limit configured above 4.5 MB."""

    id = "PF1301"
    fid = "F13"
    name = "request-body-over-limit"
    severity = Severity.WARNING
    message = "file upload through the function: bodies over 4.5 MB are rejected with 413"
    fix = "upload straight to object storage with a presigned URL; send only the key to the API"

    VALID = (
        "def view(request):\n    return request.json\n",
        "MAX_CONTENT_LENGTH = 4 * 1024 * 1024\n",
        # the app caps bodies below Vercel's limit, so the 413 cannot be Vercel's
        "from flask import Flask, request\napp = Flask(__name__)\n"
        "app.config['MAX_CONTENT_LENGTH'] = 200 * 1024\n"
        "@app.post('/upload')\ndef upload():\n    return request.files['file'].filename\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n"
            "@app.post('/upload')\ndef upload():\n    f = request.files['file']\n    return 'ok'\n",
            line=5,
            column=9,
            message=("file upload through the function: bodies over 4.5 MB are rejected with 413"),
        ),
        Invalid(
            "from fastapi import FastAPI, UploadFile\napp = FastAPI()\n"
            "@app.post('/upload')\nasync def upload(file: UploadFile):\n    return {}\n",
            line=4,
            column=18,
            message=("file upload through the function: bodies over 4.5 MB are rejected with 413"),
        ),
        Invalid(
            "MAX_CONTENT_LENGTH = 50 * 1024 * 1024\n",
            line=1,
            column=1,
            message=(
                "MAX_CONTENT_LENGTH allows 50 MB bodies; Vercel rejects anything "
                "over 4.5 MB with 413"
            ),
        ),
        # one handler reading request.files three times is one cause, one finding
        Invalid(
            "def upload(request):\n"
            "    f = request.FILES.getlist('a')[0] if request.FILES.getlist('a') "
            "else request.FILES.getlist('b')[0]\n"
            "    g = request.FILES['c']\n",
            line=2,
            column=9,
            message=("file upload through the function: bodies over 4.5 MB are rejected with 413"),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        assigns: list[ast.Assign | ast.AnnAssign] = [
            *module.of(ast.Assign),
            *module.of(ast.AnnAssign),
        ]
        for assign in assigns:
            yield from self._limit(module, assign)
        if _caps_below_limit(module):
            return
        reported: set[ast.AST | None] = set()  # one finding per handler: one cause
        for node in _uploads(module):
            owner = module.enclosing_function(node)
            if owner not in reported:
                reported.add(owner)
                yield self.finding(module, node)

    def _limit(self, module: Module, node: ast.Assign | ast.AnnAssign) -> Iterator[Finding]:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            key = None
            if isinstance(target, ast.Name):
                key = target.id
            elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                key = str(target.slice.value)
            if key not in _LIMIT_KEYS:
                continue
            value = _evaluate(node.value) if node.value is not None else None
            if value is not None and value > LIMIT_BYTES:
                yield self.finding(
                    module,
                    node,
                    f"{key} allows {value / 1024 / 1024:g} MB bodies; Vercel rejects "
                    "anything over 4.5 MB with 413",
                    fix="keep the limit at or below 4.5 MB and upload large files to storage",
                )


def _caps_below_limit(module: Module) -> bool:
    """The module sets MAX_CONTENT_LENGTH / DATA_UPLOAD_MAX_MEMORY_SIZE at or below 4.5 MB:
    the framework rejects larger bodies itself, so Vercel's limit is never what bites."""
    assigns: list[ast.Assign | ast.AnnAssign] = [*module.of(ast.Assign), *module.of(ast.AnnAssign)]
    for node in assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            key = target.id if isinstance(target, ast.Name) else None
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                key = str(target.slice.value)
            if key not in _LIMIT_KEYS or node.value is None:
                continue
            value = _evaluate(node.value)
            if value is not None and value <= LIMIT_BYTES:
                return True
    return False


def _uploads(module: Module) -> list[ast.AST]:
    """`request.files` reads and `UploadFile` parameters, in source order (so the first
    use in a handler is the one reported)."""
    found: list[ast.AST] = [
        node
        for node in module.of(ast.Attribute)
        if node.attr in {"files", "FILES"} and dotted_name(node) in _UPLOAD_ATTRS
    ]
    found += [
        node
        for node in module.of(ast.arg)
        if node.annotation is not None and "UploadFile" in ast.unparse(node.annotation)
    ]
    return sorted(found, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))


def _evaluate(node: ast.expr) -> float | None:
    """Constant arithmetic like 50 * 1024 * 1024."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left), _evaluate(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.LShift):
            return float(int(left) << int(right))
    return None
