"""Which values are uploaded files, and which functions take them.

Frameworks save uploads with their own helpers rather than `open()`: Werkzeug's
`FileStorage.save(path)` (`request.files["f"].save("uploads/...")` in Flask), Starlette's
`UploadFile` copied with `shutil.copyfileobj(file.file, open(path, "wb"))` or
`aiofiles.open(path, "wb")`. A save into the code folder fails on every upload (the
function's /var/task is read-only), so the write rule needs to know it is an upload.
"""

from __future__ import annotations

import ast

from preflight.source import Module
from preflight.syntax import FunctionNode

_UPLOAD_SOURCES = ("request.files", "request.FILES", "req.files")
_UPLOAD_TYPES = ("FileStorage", "UploadFile", "UploadedFile")


def is_upload(expr: ast.expr, module: Module, depth: int = 0) -> bool:
    """`request.files["f"]`, `request.files.get("f")`, a name bound to one, a loop over
    `request.files.getlist(...)`, or a parameter annotated FileStorage / UploadFile."""
    if depth > 4:
        return False
    if isinstance(expr, ast.Subscript | ast.Call | ast.Attribute):
        return any(source in ast.unparse(expr) for source in _UPLOAD_SOURCES)
    if not isinstance(expr, ast.Name):
        return False
    function = module.enclosing_function(expr)
    if function is None:
        return False
    for arg in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]:
        if arg.arg == expr.id:
            return arg.annotation is not None and _names_upload_type(arg.annotation)
    for node in module.subtree(function):
        if (
            isinstance(node, ast.For | ast.AsyncFor)
            and isinstance(node.target, ast.Name)
            and node.target.id == expr.id
        ):
            return is_upload(node.iter, module, depth + 1)
    value = module.local_value(expr)
    return value is not None and is_upload(value, module, depth + 1)


def takes_uploads(function: FunctionNode, module: Module) -> bool:
    """The function reads uploaded files (a request handler saving what users send)."""
    arguments = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    if any(a.annotation is not None and _names_upload_type(a.annotation) for a in arguments):
        return True
    return any(
        isinstance(node, ast.Attribute) and ast.unparse(node) in _UPLOAD_SOURCES
        for node in module.subtree(function)
    )


def _names_upload_type(annotation: ast.expr) -> bool:
    text = ast.unparse(annotation)
    return any(kind in text for kind in _UPLOAD_TYPES)
