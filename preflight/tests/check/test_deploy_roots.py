"""Monorepos: the Python app is a Vercel project of its own in a folder (its Root
Directory) or a `services` entry's root, and the repository root deploys no Python.

Modelled on ArielMAJ/fullstack-vue-fastapi-template (frontend/ beside backend/ with its
own vercel.json), tankpkg/tank (a root vercel.json that builds the JS app, apps/python-api
with its own) and vercel-labs/ai-python's examples/apps/web_agent (vercel.json `services`
with `"root": "backend/"`): each was checked at the root and got "no entrypoint" or
"installs nothing" errors for a build that never happens there.
"""

from __future__ import annotations

import json

import pytest

from .conftest import MakeProject
from .test_cli import run

_WSGI = "def app(environ, start_response):\n    return []\n"
_FRONTEND = {"frontend/package.json": '{"dependencies": {"vite": "^7.0.0"}}\n'}


def test_a_backend_with_its_own_vercel_json_is_checked_in_place_of_the_root(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            **_FRONTEND,
            "backend/vercel.json": '{"builds": [{"src": "/api/vercel.py", '
            '"use": "@vercel/python"}]}\n',
            "backend/api/vercel.py": "from api.app import app\n",
            "backend/api/app.py": "import json\n\nopen('state.json', 'w')\n" + _WSGI,
            "backend/requirements.txt": "\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert code == 1
    assert "PF401" not in out  # no "no entrypoint" for the root, which Vercel never builds
    assert "backend/api/app.py:3:1: error PF501 [F5]" in out
    assert (
        "What Vercel will see in backend/ (backend/vercel.json: a Vercel project of its own):"
        in err
    )
    assert "  entrypoint: api/vercel.py:1 exports `app` (named by vercel.json)" in err

    code, out, _ = run([str(root), "-f", "json"], capsys)
    data = json.loads(out)
    assert [(f["rule"], f["path"], f["line"]) for f in data["findings"]] == [
        ("PF501", "backend/api/app.py", 3)
    ]
    assert [(p["folder"], p["why"]) for p in data["projects"]] == [
        ("backend", "backend/vercel.json: a Vercel project of its own")
    ]


def test_a_root_vercel_json_for_the_js_app_leaves_the_python_project_to_its_folder(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "vercel.json": '{"framework": null, "buildCommand": "bun run build"}\n',
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["apps/api"]\n',
            "package.json": '{"name": "mono"}\n',
            "apps/api/vercel.json": "{}\n",
            "apps/api/index.py": _WSGI,
            "apps/api/requirements.txt": "\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert (code, out) == (0, "")  # neither PF301 nor PF401 for the uv workspace root
    assert "What Vercel will see in apps/api/ (apps/api/vercel.json" in err
    assert "No problems found." in err


def test_each_python_service_root_is_checked(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            **_FRONTEND,
            "vercel.json": '{"services": {"frontend": {"root": "frontend/"}, '
            '"backend": {"root": "backend/", "entrypoint": "main:app"}}}\n',
            "backend/main.py": _WSGI,
            "backend/requirements.txt": "\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert (code, out) == (0, "")
    assert "What Vercel will see in backend/ (vercel.json: the root of service 'backend'):" in err
    assert "  entrypoint: main.py:1 exports `app`" in err
    assert "frontend/" not in err.replace("What Vercel will see in backend/", "")


def test_a_root_that_deploys_python_is_checked_as_itself(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": _WSGI,
            "requirements.txt": "\n",
            "examples/demo/vercel.json": "{}\n",
            "examples/demo/index.py": _WSGI,
        }
    )
    code, _, err = run([str(root)], capsys)
    assert code == 0
    assert "What Vercel will see:" in err
    assert "What Vercel will see in" not in err
    assert "  entrypoint: app.py:1" in err


def test_fix_on_a_monorepo_root_names_the_folder_to_run_it_on(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {"backend/vercel.json": "{}\n", "backend/app.py": _WSGI, "backend/requirements.txt": ""}
    )
    code, out, err = run([str(root), "--fix"], capsys)
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"preflight check: error: --fix changes one project: {root} deploys no Python "
        "itself, run it on backend"
    )


def test_a_root_whose_app_file_is_broken_is_still_the_project(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": "app = (\n",  # the build looks here and fails
            "requirements.txt": "\n",
            "examples/demo/vercel.json": "{}\n",
            "examples/demo/index.py": _WSGI,
        }
    )
    code, out, err = run([str(root)], capsys)
    assert code == 1
    assert "app.py:1:" in out
    assert "PF1102" in out
    assert "What Vercel will see in" not in err


def test_a_python_app_folder_beside_a_frontend_is_checked_when_nothing_configures_the_root(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """Modelled on ricardo-agz/vercel-python-code-agent: backend/ (pyproject.toml, an
    `app` in src/server.py) beside frontend/, no vercel.json anywhere: the backend is a
    project whose Root Directory is backend/, and the root, which deploys nothing, got
    PF401 "no entrypoint"."""
    root = make_project(
        {
            **_FRONTEND,
            "backend/pyproject.toml": '[project]\nname = "b"\nversion = "0"\n',
            "backend/src/__init__.py": "",
            "backend/src/server.py": "import json\n\nopen('state.json', 'w')\n" + _WSGI,
            "scripts/seed.py": "print('no app here')\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert code == 1
    assert "PF401" not in out
    assert "backend/src/server.py:3:1: error PF501 [F5]" in out
    assert "What Vercel will see in backend/" in err


def test_a_django_backend_found_through_its_manage_py_is_checked_in_its_folder(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """ketulmehta13/Event-Management-System-Assignment: Vercel's Django detection finds
    backend/manage.py from the root too, but backend/ has its own vercel.json: that is the
    project, and its settings import `project.*` from there."""
    root = make_project(
        {
            **_FRONTEND,
            "backend/vercel.json": '{"builds": [{"src": "project/wsgi.py", '
            '"use": "@vercel/python"}]}\n',
            "backend/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'project.settings')\n",
            "backend/project/__init__.py": "",
            "backend/project/settings.py": "from project.paths import MEDIA\n"
            "INSTALLED_APPS = ['rest_framework_simplejwt']\n"
            "WSGI_APPLICATION = 'project.wsgi.application'\n",
            "backend/project/paths.py": "import os\nMEDIA = 'media'\nos.makedirs(MEDIA)\n",
            "backend/project/wsgi.py": "import os\nfrom django.core.wsgi import "
            "get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'project.settings')\napplication = get_wsgi_application()\n",
            "backend/requirements.txt": "django\n",
        }
    )
    code, out, err = run([str(root)], capsys)
    assert code == 1
    assert "What Vercel will see in backend/ (backend/vercel.json: a Vercel project" in err
    assert "backend/project/paths.py:3:1: error PF501 [F5]" in out  # reached via settings
