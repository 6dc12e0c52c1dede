"""F14: reading `public/` from the function. Vercel serves public/** from its CDN and
leaves it out of the function bundle, so the directory does not exist at run time
(`Directory 'public' does not exist`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.findings import Finding, Severity
from preflight.rules._paths import Where, classify
from preflight.rules.base import VERCEL_ONLY, CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import call_name, last_attr

# Calls whose first argument (or `directory=` / `static_folder=`) is read at run time.
_READERS = {
    "open",
    "io.open",
    "StaticFiles",
    "send_from_directory",
    "send_file",
    "FileResponse",
    "Jinja2Templates",
    "static_file",
}
_PATH_READ_METHODS = {"read_text", "read_bytes", "iterdir", "glob", "rglob"}
_DIR_KEYWORDS = {"directory", "static_folder", "template_folder", "path", "root"}


class ReadsPublicDir(CodeRule):
    """A path under public/ handed to a file reader or static-files mount."""

    id = "PF1401"
    fid = "F14"
    name = "reads-public-dir"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "reads public/ at run time: Vercel serves public/ from its CDN, not the function"
    fix = "let the CDN serve public/ (link to /file), or move files the code reads elsewhere"

    VALID = (
        "from starlette.staticfiles import StaticFiles\nassets = StaticFiles(directory='static')\n",
        "import os\nif not os.environ.get('VERCEL'):\n"
        "    from starlette.staticfiles import StaticFiles\n"
        "    ui = StaticFiles(directory='public', html=True)\n",
    )
    INVALID = (
        Invalid(
            "from starlette.staticfiles import StaticFiles\nui = StaticFiles(directory='public')\n",
            line=2,
            column=6,
            message=("reads 'public' at run time: public/ is served by the CDN, not the function"),
        ),
        Invalid(
            "def index(request):\n    return open('public/index.html').read()\n",
            line=2,
            column=12,
            message=(
                "reads 'public/index.html' at run time: public/ is served by the "
                "CDN, not the function"
            ),
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__, static_folder='public')\n",
            2,
            column=7,
            message=("reads 'public' at run time: public/ is served by the CDN, not the function"),
        ),
        Invalid(
            "from pathlib import Path\nHERE = Path(__file__).parent\n"
            "def page(request):\n    return (HERE / 'public' / 'a.html').read_text()\n",
            line=4,
            column=12,
            message=(
                "reads 'public/a.html' at run time: public/ is served by the CDN, not the function"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node in module.of(ast.Call):
            if not isinstance(node, ast.Call):
                continue
            for arg in self._read_paths(node):
                info = classify(arg, module)
                if info.where is Where.BUNDLE and info.first_part == "public":
                    if not module.guarded_by_platform_check(node):
                        yield self.finding(
                            module,
                            node,
                            f"reads '{info.text}' at run time: "
                            "public/ is served by the CDN, not the function",
                        )
                    break

    def _read_paths(self, call: ast.Call) -> list[ast.expr]:
        full = call_name(call) or ""
        method = last_attr(call)
        if (
            isinstance(call.func, ast.Attribute)
            and method in _PATH_READ_METHODS | {"open"}
            and full not in {"io.open", "codecs.open"}
        ):
            return [call.func.value]
        name = full.rsplit(".", 1)[-1]
        if name in _READERS or name == "Flask":
            paths = list(call.args[:1]) if name in _READERS else []
            paths += [k.value for k in call.keywords if k.arg in _DIR_KEYWORDS]
            return paths
        return []
