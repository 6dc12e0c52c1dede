"""How sure PF501 is that a write next to the code breaks the app, by where it runs: in a
route handler's own body every request to the route fails (an error, as the seeds' sign-up
that appended to users.json); behind a branch or in a helper it depends on the traffic."""

from __future__ import annotations

from preflight.findings import Severity

from .conftest import Check, MakeProject

HANDLER = """\
import json
from flask import Flask, request

app = Flask(__name__)


@app.post("/users")
def add_user():
    {body}
    return "ok"
"""
HELPER = """

def save(users):
    with open("users.json", "w") as f:
        json.dump(users, f)
"""


def _levels(
    check: Check, make_project: MakeProject, body: str, extra: str = ""
) -> list[tuple[int, Severity]]:
    app = HANDLER.format(body=body) + extra
    root = make_project({"app.py": app, "requirements.txt": "flask\n"})
    result = check(root, only={"PF501"})
    return [(f.location.line, f.severity) for f in result.findings]


def test_a_write_in_the_handlers_own_body_is_an_error(
    check: Check, make_project: MakeProject
) -> None:
    body = 'with open("users.json", "w") as f:\n        json.dump(request.get_json(), f)'
    assert _levels(check, make_project, body) == [(9, Severity.ERROR)]
    root = make_project({"app.py": HANDLER.format(body=body), "requirements.txt": "flask\n"})
    assert check(root, only={"PF501"}).exit_code == 1


def test_a_write_behind_a_branch_or_in_a_helper_is_a_warning(
    check: Check, make_project: MakeProject
) -> None:
    branch = 'if request.args.get("keep"):\n        open("users.json", "a").write("x")'
    assert _levels(check, make_project, branch) == [(10, Severity.WARNING)]
    helper = "save(request.get_json())"
    assert _levels(check, make_project, helper, HELPER) == [(14, Severity.WARNING)]


def test_a_download_into_the_code_at_import_is_an_error(
    check: Check, make_project: MakeProject
) -> None:
    # abdulrhmansalama/tumor-prediction app.py: models fetched beside the code at import
    app = (
        "import gdown\nfrom urllib.request import urlretrieve\nimport wget\n"
        "gdown.download('https://drive.google.com/uc?id=x', output='model.h5')\n"
        "urlretrieve('https://example.com/w.bin', 'data/w.bin')\n"
        "wget.download('https://example.com/t.csv', out='t.csv')\napp = object()\n"
    )
    root = make_project({"app.py": app, "requirements.txt": "gdown\nwget\n"})
    found = check(root, only={"PF501"}).findings
    assert [(f.location.line, f.severity) for f in found] == [
        (n, Severity.ERROR) for n in (4, 5, 6)
    ]


def test_an_sqlite_url_at_import_opens_nothing_until_used(
    check: Check, make_project: MakeProject
) -> None:
    """wysdi/fastapi-vercel: `create_engine("sqlite:///./tmp/test.db")` at import, with the
    file shipped. The engine connects on first use, where reads work and writes fail: a
    warning; a database that is not shipped must be created there: every use fails."""
    app = (
        "from sqlalchemy import create_engine\nengine = create_engine('sqlite:///./data.db')\n"
        "app = object()\n"
    )
    shipped = make_project({"app.py": app, "data.db": b"SQLite format 3\x00"})
    missing = make_project({"app.py": app})
    levels = [
        [f.severity for f in check(root, only={"PF801"}).findings] for root in (shipped, missing)
    ]
    assert levels == [[Severity.WARNING], [Severity.ERROR]]


def test_making_the_settings_folder_that_ships_is_no_write(
    check: Check, make_project: MakeProject
) -> None:
    """makedirs(exist_ok=True) of a folder the deploy uploads succeeds on a read-only
    filesystem (EEXIST comes first), however long the path's chain of names: Django's
    BASE_DIR through str() and dirname() (ketulmehta13/Event-Management-System-Assignment
    backend/project/settings.py:90). A folder that does not ship is still an error."""
    settings = (
        "import os\nfrom pathlib import Path\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        "DB_PATH = BASE_DIR / 'db.sqlite3'\n"
        "os.makedirs(os.path.dirname(str(DB_PATH)), exist_ok=True)\n"
        "os.makedirs(os.path.dirname(str(BASE_DIR / 'media' / 'x')), exist_ok=True)\n"
    )
    root = make_project(
        {
            "mysite/__init__.py": "",
            "mysite/settings.py": settings,
            "app.py": "import mysite.settings\nfrom flask import Flask\napp = Flask(__name__)\n",
            "requirements.txt": "flask\n",
        }
    )
    assert [f.location.line for f in check(root, only={"PF501"}).findings] == [6]


STARTUP = """\
import os
from contextlib import asynccontextmanager
from fastapi import FastAPI
{imports}

@asynccontextmanager
async def lifespan(app):
    os.makedirs("uploads", exist_ok=True)
    yield


def init():
    open("startup.log", "a").write("up")


def later():
    open("later.log", "a").write("up")


{app}
"""


def test_a_write_in_a_startup_hook_fails_every_cold_start(
    check: Check, make_project: MakeProject
) -> None:
    """Vercel's runtime drives the ASGI lifespan (its vendored uvicorn, lifespan "auto";
    vercel/vercel packages/python/test/fixtures/41-lifespan-events), so a write in a
    lifespan or a startup handler is uvicorn's "Application startup failed": an error named
    with the call that registers the hook. A function nothing registers stays a warning."""
    hooks = {
        "app = FastAPI(lifespan=lifespan)": [8],
        "from starlette.applications import Starlette\napp = Starlette(on_startup=[init])": [13],
        "app = FastAPI()\napp.add_event_handler('startup', init)": [13],
        "app = FastAPI()\n\n@app.on_event('startup')\ndef boot():\n    init()": [13],
    }
    for app, lines in hooks.items():
        root = make_project(
            {"app.py": STARTUP.format(imports="", app=app), "requirements.txt": "fastapi\n"}
        )
        found = check(root, only={"PF501"}).findings
        errors = [f.location.line for f in found if f.severity is Severity.ERROR]
        assert errors == lines, app
        assert all("at startup" in f.message for f in found if f.severity is Severity.ERROR)
        assert [f.location.line for f in found if f.severity is Severity.WARNING] == [
            n for n in (8, 13, 17) if n not in lines
        ], app


def test_with_no_entrypoint_an_error_depends_on_the_function_importing_the_file(
    check: Check, make_project: MakeProject
) -> None:
    """RAJITHAREDDYTIRUTHANI/b2twin-rag: `handler = LazyApp()` hides the entrypoint, so
    every file is checked; a write in a file no api/*.py function imports is a warning that
    says so, one in a file a function imports stays an error."""
    write = "import os\nos.makedirs('out')\n"
    root = make_project(
        {
            "api/index.py": "import helper\nhandler = object()\n",
            "api/helper.py": write,
            "tool.py": write,
            "requirements.txt": "flask\n",
        }
    )
    found = {f.location.path.name: f for f in check(root, only={"PF501"}).findings}
    assert found["helper.py"].severity is Severity.ERROR
    assert found["tool.py"].severity is Severity.WARNING
    assert found["tool.py"].message.endswith(
        "if the function imports tool.py (no entrypoint was detected, so which files it "
        "imports is unknown)"
    )


def test_a_lifespan_imported_from_another_module_runs_at_startup(
    check: Check, make_project: MakeProject
) -> None:
    root = make_project(
        {
            "app/__init__.py": "",
            "app/lifecycle.py": STARTUP.format(imports="", app=""),
            "app/main.py": "from fastapi import FastAPI\nfrom app.lifecycle import lifespan\n"
            "app = FastAPI(lifespan=lifespan)\n",
            "requirements.txt": "fastapi\n",
        }
    )
    found = check(root, only={"PF501"}).findings
    assert [(f.location.line, f.severity) for f in found] == [
        (8, Severity.ERROR),
        (13, Severity.WARNING),
        (17, Severity.WARNING),
    ]
    assert "through FastAPI() at app/main.py:3 (which runs it at startup)" in found[0].message


def test_making_a_shipped_folder_named_in_the_app_config_is_no_write(
    check: Check, make_project: MakeProject
) -> None:
    """leonchanwy/flask-vercel api/index.py:9-13: the folder comes through
    app.config["UPLOAD_FOLDER"], and uploads/ ships, so the makedirs succeeds; saving an
    upload there still fails."""
    app = (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n"
        "app.config['UPLOAD_FOLDER'] = 'uploads'\n"
        "os.makedirs(app.config['UPLOAD_FOLDER'], exist_ok=True)\n\n"
        "@app.post('/up')\ndef up():\n"
        "    request.files['f'].save(os.path.join(app.config['UPLOAD_FOLDER'], 'x'))\n"
        "    return 'ok'\n"
    )
    shipped = make_project({"app.py": app, "uploads/a.mp3": "x", "requirements.txt": "flask\n"})
    missing = make_project({"app.py": app, "requirements.txt": "flask\n"})
    lines = [
        [f.location.line for f in check(root, only={"PF501"}).findings]
        for root in (shipped, missing)
    ]
    assert lines == [[9], [5, 9]]


def test_with_no_entrypoint_a_syntax_error_outside_the_functions_is_a_warning(
    check: Check, make_project: MakeProject
) -> None:
    """AbdullWasay/BoostTribePro: the root deploys JavaScript functions only, and
    backend/server.py (Render's) has an IndentationError: nothing on Vercel imports it.
    The same error in the candidate that was meant to run stays an error."""
    broken = "def f():\n    if True:\n    pass\n"
    root = make_project(
        {"backend/server.py": broken, "main.py": broken, "requirements.txt": "flask\n"}
    )
    found = {f.location.path.name: f for f in check(root, only={"PF1102"}).findings}
    assert found["server.py"].severity is Severity.WARNING
    assert "if the function imports backend/server.py" in found["server.py"].message
    assert found["main.py"].severity is Severity.ERROR


def test_builds_without_a_python_builder_deploy_no_python(
    check: Check, make_project: MakeProject
) -> None:
    """Avishkar74/nextjs-fastapi-your-chat: `builds` hold only @vercel/next, so api/index.py
    (the Railway backend) is never built: no entrypoint, and its errors are warnings."""
    root = make_project(
        {
            "api/index.py": "from flask import Flask\nimport flask_cors\napp = Flask(__name__)\n",
            "requirements.txt": "flask\n",
            "package.json": '{"dependencies": {"next": "15.0.0"}}',
            "vercel.json": '{"builds": [{"src": "package.json", "use": "@vercel/next"}]}',
        }
    )
    result = check(root, only={"PF201", "PF401"})
    assert result.project.entrypoint is None
    assert [(f.rule_id, f.severity) for f in result.findings] == [("PF201", Severity.WARNING)]
    assert result.findings[0].message.endswith(
        "if Python is deployed: vercel.json `builds` use only @vercel/next"
    )
