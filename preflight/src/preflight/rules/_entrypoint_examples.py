"""PF401's VALID and INVALID examples (rules/entrypoint.py): the cases the rule is held
to, each modelled on a public report or on what Vercel's builder does."""

from __future__ import annotations

from preflight.rules.base import Expect, ProjectExample

_FLASK = "from flask import Flask\napp = Flask(__name__)\n"
_NEXT = '{"dependencies": {"next": "^14.2.33"}}\n'  # changyoutaxiang/user-experience-project
_HANDLER = (
    "from http.server import BaseHTTPRequestHandler\n\n"
    "class handler(BaseHTTPRequestHandler):\n    pass\n"
)

VALID = (
    ProjectExample({"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}),
    ProjectExample(  # a settings package (alexTamboli/Recipe-Caboodle): the builder imports it
        {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings')\n",
            "config/settings/__init__.py": "from .base import *\n",
            "config/settings/base.py": "WSGI_APPLICATION = 'config.wsgi.application'\n",
            "config/wsgi.py": "application = object()\n",
            "requirements.txt": "Django==5.2.8\n",
        }
    ),
    ProjectExample({"app.py": "app = (\n"}),  # a syntax error is PF1102's finding
    ProjectExample(  # a SPA at the root, its API deployed by Render: MariyaMomin/EchoMind
        {
            "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/index.html"}]}',
            "frontend/package.json": "{}",
            "backend/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "backend/requirements.txt": "fastapi\n",
            "backend/render.yaml": "services: []\n",
        }
    ),
    ProjectExample(  # the same, the Render blueprint at the root: poorval/Finance-Buddy-Notebook
        {
            "vercel.json": '{"rewrites": [{"source": "/api/:p*", "destination": '
            '"https://api.example.com/:p*"}]}',
            "render.yaml": "services:\n  - type: web\n    rootDir: backend\n",
            "backend/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "backend/requirements.txt": "fastapi\n",
        }
    ),
    # api/ files as functions of their own: "Other" pinned, or nothing that makes a
    # new project's preset a Python one, or legacy `builds` naming them
    ProjectExample(
        {
            "api/stats.py": _FLASK,
            "requirements.txt": "flask==3.1.3\n",
            "vercel.json": '{"framework": null}\n',
        }
    ),
    ProjectExample({"api/stats.py": _HANDLER}),
    ProjectExample(  # Next.js wins detection, keeping api/ functions: user-experience-project
        {"api/stats.py": _HANDLER, "requirements.txt": "flask\n", "package.json": _NEXT}
    ),
    ProjectExample(  # a Next.js app with no api/ function: lloydchang/nextjs-fastapi's
        # leftover requirements.txt and python/__init__.py build nothing
        {"requirements.txt": "fastapi\n", "python/__init__.py": "", "package.json": _NEXT}
    ),
    ProjectExample(
        {
            "api/stats.py": _FLASK,
            "requirements.txt": "flask==3.1.3\n",
            "vercel.json": '{"builds": [{"src": "api/*.py", "use": "@vercel/python"}]}\n',
        }
    ),
    ProjectExample({"api/index.py": "from server import app\n"}),
    ProjectExample(
        {
            "index.py": "from http.server import BaseHTTPRequestHandler\n"
            "class handler(BaseHTTPRequestHandler):\n    pass\n"
        }
    ),
)
INVALID = (
    ProjectExample(  # a legacy `builds` src that is not there (Mehwish-data/AI_Mutli_...)
        {
            "Backend/app.py": _FLASK,
            "vercel.json": '{"builds": [\n  {"src": "app.py", "use": "@vercel/python"}\n]}\n',
        },
        expect=(
            Expect(
                "vercel.json",
                2,
                1,
                (
                    "vercel.json entrypoint 'app.py' (no such file): `vercel build` "
                    "drops a build whose src matches no file, so no function is "
                    "deployed and every route 404s"
                ),
            ),
        ),
    ),
    ProjectExample(  # @vercel/python asked to build a shell script (Nitinsharwal/Erp_soft)
        {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'site_cfg.settings')\n",
            "site_cfg/settings.py": "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n",
            "site_cfg/wsgi.py": "application = object()\n",
            "vercel.json": '{"builds": [\n  {"src": "build.sh", "use": "@vercel/python"}\n'
            '], "routes": [{"src": "/(.*)", "dest": "site_cfg/wsgi.py"}]}\n',
        },
        expect=(
            Expect(
                "vercel.json",
                2,
                1,
                (
                    "vercel.json entrypoint 'build.sh' (no such file): `vercel build` "
                    "drops a build whose src matches no file, so no function is "
                    "deployed and every route 404s"
                ),
            ),
        ),
    ),
    ProjectExample(  # a src that exists but is no .py file
        {
            "build.sh": "pip install -r requirements.txt\n",
            "app.py": _FLASK,
            "vercel.json": '{"builds": [\n  {"src": "build.sh", "use": "@vercel/python"}\n]}\n',
        },
        expect=(
            Expect(
                "vercel.json",
                2,
                1,
                (
                    "vercel.json entrypoint 'build.sh' is not a Python file: "
                    "@vercel/python looks for build.sh.py, finds none, and the build fails"
                ),
            ),
        ),
    ),
    ProjectExample(  # a configured entrypoint naming no file
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n\n'
            '[tool.vercel]\nentrypoint = "server:app"\n',
            "web.py": _FLASK,
        },
        expect=(
            Expect(
                "pyproject.toml",
                6,
                1,
                ("[tool.vercel] entrypoint = 'server:app' names no module file: the build fails"),
            ),
        ),
    ),
    ProjectExample(  # a project of its own in a folder: the Root Directory setting
        {"ai-api/app.py": _FLASK, "ai-api/requirements.txt": "flask==3.1.3\n"},
        expect=(
            Expect(
                "ai-api/app.py",
                2,
                1,
                (
                    "no entrypoint where Vercel looks (app.py, index.py, server.py, "
                    "main.py, wsgi.py or asgi.py in the root, src/, app/ or api/); "
                    "candidates: ai-api/app.py (`app`)"
                ),
            ),
        ),
    ),
    ProjectExample(  # api/ functions that hang on the dashboard's preset
        {"api/stats.py": _FLASK, "requirements.txt": "flask==3.1.3\n"},
        expect=(
            Expect(
                "api/stats.py",
                2,
                1,
                (
                    'api/stats.py is a function of its own only under the "Other" '
                    "framework preset (older projects): a new project gets the Python "
                    "preset from requirements.txt, which looks for one app "
                    "entrypoint, finds none, and the build fails"
                ),
            ),
        ),
        fixed={"vercel.json": '{\n  "framework": null\n}\n'},
    ),
    ProjectExample(
        {
            "api/index.py": "from flask import Flask\nflask_app = Flask(__name__)\n"
            "handler = flask_app\n"
        },
        expect=(
            Expect(
                "api/index.py",
                3,
                1,
                (
                    "`handler = flask_app` is not detected: Vercel wants a top-level "
                    "`app` (or a `class handler(BaseHTTPRequestHandler)`), so the "
                    "build fails or api/index.py is served as a static file"
                ),
            ),
        ),
        fixed={
            "api/index.py": "from flask import Flask\nflask_app = Flask(__name__)\n"
            "handler = flask_app\napp = handler\n"
        },
    ),
    ProjectExample(
        {
            "app.py": "from flask import Flask\n\ndef create_app():\n"
            "    app = Flask(__name__)\n    return app\n"
        },
        expect=(
            Expect(
                "app.py",
                3,
                1,
                (
                    "the app is only created inside create_app(): Vercel detects "
                    "top-level names only"
                ),
            ),
        ),
        fixed={
            "app.py": "from flask import Flask\n\ndef create_app():\n"
            "    app = Flask(__name__)\n    return app\napp = create_app()\n"
        },
    ),
    ProjectExample(  # elsewhere, with requirements.txt: a new pyproject.toml would hide it
        {"service/web.py": "app = object()\n", "requirements.txt": "\n"},
        expect=(
            Expect(
                "service/web.py",
                1,
                1,
                (
                    "no entrypoint where Vercel looks (app.py, index.py, server.py, "
                    "main.py, wsgi.py or asgi.py in the root, src/, app/ or api/); "
                    "candidates: service/web.py (`app`)"
                ),
            ),
        ),
        fixed={"index.py": "from service.web import app\n"},
    ),
    ProjectExample(
        {"shop/__init__.py": "import os\n\ndef create_app(config=None):\n    return 1\n"},
        expect=(
            Expect(
                "shop/__init__.py",
                3,
                1,
                (
                    "no entrypoint: the app is built by shop.create_app() but nothing "
                    "Vercel looks at calls it"
                ),
            ),
        ),
        fixed={"index.py": "from shop import create_app\n\napp = create_app()\n"},
    ),
    ProjectExample(  # the app under another name
        {"main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n"},
        expect=(
            Expect(
                "main.py",
                3,
                1,
                (
                    "`api = FastAPI()` is the app, but Vercel detects only a "
                    "top-level `app` or `application`: the build fails or main.py is "
                    "served as a static file"
                ),
            ),
        ),
        fixed={"main.py": "from fastapi import FastAPI\n\napi = FastAPI()\napp = api\n"},
    ),
    ProjectExample(  # a factory that returns another name, called nowhere
        {
            "app.py": "from flask import Flask\n\ndef create_app():\n"
            "    server = Flask(__name__)\n    return server\n"
        },
        expect=(
            Expect(
                "app.py",
                3,
                1,
                (
                    "the app is only created inside create_app(): Vercel detects "
                    "top-level names only"
                ),
            ),
        ),
        fixed={
            "app.py": "from flask import Flask\n\ndef create_app():\n"
            "    server = Flask(__name__)\n    return server\napp = create_app()\n"
        },
    ),
    ProjectExample(  # a factory's result under another name
        {
            "index.py": "from shop import create_app\n\nserver = create_app()\n",
            "shop/__init__.py": "def create_app():\n    return object()\n",
        },
        expect=(
            Expect(
                "index.py",
                3,
                1,
                (
                    "`server = create_app()` is the app, but Vercel detects only a "
                    "top-level `app` or `application`: the build fails or index.py is "
                    "served as a static file"
                ),
            ),
        ),
        fixed={"index.py": "from shop import create_app\n\nserver = create_app()\napp = server\n"},
    ),
    ProjectExample(  # a Lambda adapter: export the ASGI app it wraps
        {
            "api/index.py": "from fastapi import FastAPI\nfrom mangum import Mangum\n\n"
            "api = FastAPI()\nhandler = Mangum(api)\n"
        },
        expect=(
            Expect(
                "api/index.py",
                5,
                1,
                (
                    "`handler = Mangum(api)` is a Lambda adapter; Vercel detects only "
                    "a top-level `app`, so the build fails or the file is served as "
                    "static"
                ),
            ),
        ),
        fixed={
            "api/index.py": "from fastapi import FastAPI\nfrom mangum import Mangum\n\n"
            "api = FastAPI()\napp = api\nhandler = Mangum(api)\n"
        },
    ),
    ProjectExample(  # elsewhere, with a pyproject.toml that has [project]
        {
            "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n',
            "service/web.py": "app = object()\n",
        },
        expect=(
            Expect(
                "service/web.py",
                1,
                1,
                (
                    "no entrypoint where Vercel looks (app.py, index.py, server.py, "
                    "main.py, wsgi.py or asgi.py in the root, src/, app/ or api/); "
                    "candidates: service/web.py (`app`)"
                ),
            ),
        ),
        fixed={
            "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n\n[tool.vercel]\n'
            'entrypoint = "service.web:app"\n'
        },
    ),
)
