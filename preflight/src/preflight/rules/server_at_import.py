"""F9: a server started while the module is imported: the import never ends.

`app.run()` (Flask, Quart, Sanic, Dash, Flask-SocketIO), `uvicorn.run(app)`,
`waitress.serve(app)` or aiohttp's `web.run_app(app)` at module level, outside
`if __name__ == "__main__":`, starts a server that serves forever while Vercel's runtime
is still importing the module to find the app (vercel-runtime's vc_init.py imports the
entrypoint, then serves what it exports). The import never returns, so every request waits
on a start-up that never ends and fails on its time limit (`preflight run` under Vercel's
own runtime: "the function did not start within the time limit"). `python app.py` works
on a laptop, which is why the guard is easy to forget.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.call_index import calls_named
from preflight.findings import Finding, Severity
from preflight.on_vercel import branch_never_runs
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import call_name

# Functions that serve until the process ends.
_SERVE_CALLS = frozenset(
    {"uvicorn.run", "waitress.serve", "web.run_app", "aiohttp.web.run_app", "bjoern.run"}
)
# Classes whose instances' .run() / .run_server() serve until the process ends.
_SERVER_APPS = frozenset({"Flask", "Quart", "Sanic", "Dash", "SocketIO", "FlaskApp"})
_SERVE_METHODS = frozenset({"run", "run_server"})
_SERVE_NAMES = _SERVE_METHODS | {name.rpartition(".")[2] for name in _SERVE_CALLS}
# Parents under which a statement may not run at every import.
_CONDITIONAL = (
    ast.If,
    ast.IfExp,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Match,
    ast.BoolOp,
    ast.comprehension,
)


def _server_apps(module: Module) -> set[str]:
    """Module-level names bound to a server app (`app = Flask(__name__)`)."""
    names: set[str] = set()
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
            callee = (call_name(stmt.value) or "").rpartition(".")[2]
            if callee in _SERVER_APPS:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


class ServerStartedAtImport(CodeRule):
    """A development server started at import: Vercel's import of the app never ends."""

    id = "PF902"
    fid = "F9"
    name = "server-started-at-import"
    severity = Severity.ERROR
    message = "a server starts while the module is imported: the function never starts"
    fix = 'put the call under `if __name__ == "__main__":` (Vercel imports `app` and serves it)'

    VALID = (
        "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n"
        "    app.run(debug=True)\n",
        "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "def main():\n    uvicorn.run(app)\n",
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "if not os.environ.get('VERCEL'):\n    app.run()\n",
        "import subprocess\nsubprocess.run(['true'])\n",  # not a server
    )
    INVALID = (
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@app.get('/')\n"
            "def index():\n    return 'hi'\napp.run(host='0.0.0.0', port=5000)\n",
            line=6,
            column=1,
            message=(
                "app.run() starts a server while the module is imported: Vercel's import "
                "of the app never ends, so the function never starts (every request "
                "fails on the start-up time limit)"
            ),
        ),
        Invalid(
            "import uvicorn\nfrom fastapi import FastAPI\nfrom config import settings\n"
            "app = FastAPI()\nif settings.serve:\n    uvicorn.run(app, port=settings.port)\n",
            line=6,
            column=5,
            message=(
                "uvicorn.run() starts a server while the module is imported, when this "
                "branch runs: Vercel's import of the app would never end, so the function "
                "would never start"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        apps: set[str] | None = None
        for call in calls_named(module, _SERVE_NAMES):
            name = call_name(call) or ""
            head, _, method = name.rpartition(".")
            if name not in _SERVE_CALLS:
                if method not in _SERVE_METHODS or "." in head or not head:
                    continue
                apps = _server_apps(module) if apps is None else apps
                if head not in apps:
                    continue
            if not module.is_import_time(call) or branch_never_runs(module, call):
                continue
            if any(isinstance(p, _CONDITIONAL) for p in module.ancestors(call)):
                yield self.finding(
                    module,
                    call,
                    f"{name}() starts a server while the module is imported, when this "
                    "branch runs: Vercel's import of the app would never end, so the "
                    "function would never start",
                    severity=Severity.WARNING,
                )
            else:
                yield self.finding(
                    module,
                    call,
                    f"{name}() starts a server while the module is imported: Vercel's "
                    "import of the app never ends, so the function never starts (every "
                    "request fails on the start-up time limit)",
                )
