"""PF201's VALID and INVALID examples (rules/dependencies.py): the cases the rule is
held to, each modelled on a public report or on what Vercel's builder installs."""

from __future__ import annotations

from preflight.rules.base import Expect, ProjectExample

_FLASK_CORS_APP = (
    "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app)\n"
)
_FLASK_CORS_UNDECLARED = (
    "'flask_cors' is imported, but no distribution providing it is declared in "
    "requirements.txt: ModuleNotFoundError on Vercel"
)

# passlib[bcrypt] in a uv.lock: bcrypt is installed through passlib's extra (the
# FastAPI tutorials' password hashing), never declared by name.
_PASSLIB_BCRYPT_LOCK = """version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0"
source = { virtual = "." }
dependencies = [{ name = "passlib", extra = ["bcrypt"] }]

[package.metadata]
requires-dist = [{ name = "passlib", extras = ["bcrypt"] }]

[[package]]
name = "bcrypt"
version = "4.2.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "passlib"
version = "1.7.4"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
bcrypt = [{ name = "bcrypt" }]
"""

_DJANGO_WSGI = (
    "import os\nfrom django.core.wsgi import get_wsgi_application\n"
    'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")\n'
    "app = get_wsgi_application()\n"
)
_BROWSER_HELPER = "def get_browser():\n    from flask_cors import CORS\n    return CORS\n"

VALID = (
    ProjectExample({"app.py": _FLASK_CORS_APP, "requirements.txt": "flask\nflask-cors\n"}),
    ProjectExample(
        {
            "app.py": "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
            "from flask import Flask\napp = Flask(__name__)\n",
            "requirements.txt": "flask\n",
        }
    ),
    ProjectExample(  # CNSeniorious000/anniversary-notify: suppressed like a try/except
        {
            "app.py": "from contextlib import suppress\nwith suppress(ImportError):\n"
            "    import ujson\nfrom flask import Flask\napp = Flask(__name__)\n",
            "requirements.txt": "flask\n",
        }
    ),
    ProjectExample(  # the import name is learned from the wheel's file list
        {
            "app.py": "import websocket\napp = 1\n",
            "requirements.txt": "websocket-client==1.8.0\n",
        }
    ),
    ProjectExample(  # ... also for what a declaration pulls in (wagtail's modelcluster)
        {
            "app.py": "import taggit\napp = 1\n",
            "requirements.txt": "django-taggit-labels==0.7.0\n",
        }
    ),
    ProjectExample(  # ... or from the sdist's, when there is no wheel
        {
            "app.py": "import allauth\napp = 1\n",
            "requirements.txt": "django-allauth==65.9.0\n",
        }
    ),
    ProjectExample(  # installed by an extra a dependency asks for, per uv.lock
        {
            "app.py": "import bcrypt\nfrom passlib.context import CryptContext\napp = 1\n",
            "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n'
            'requires-python = ">=3.12"\ndependencies = ["passlib[bcrypt]"]\n',
            "uv.lock": _PASSLIB_BCRYPT_LOCK,
        }
    ),
    ProjectExample(  # a module imported only under a guard is optional as a whole
        {
            "app.py": "try:\n    import monitoring\nexcept ImportError:\n"
            "    monitoring = None\nfrom flask import Flask\napp = Flask(__name__)\n",
            "monitoring.py": "import sentry_sdk\n",
            "requirements.txt": "flask\n",
        }
    ),
    ProjectExample(  # a local-only module, imported only where its file exists
        {
            "app.py": "import os\nif os.path.exists('local_settings.py'):\n"
            "    from local_settings import *\napp = 1\n",
            "requirements.txt": "flask\n",
        }
    ),
    ProjectExample(  # gpt4free-flask-vercel's helper.py: its one caller catches ImportError
        {
            "helper.py": _BROWSER_HELPER,
            "app.py": "import helper\nfrom flask import Flask\napp = Flask(__name__)\n"
            "@app.get('/')\ndef index():\n    try:\n        helper.get_browser()\n"
            "    except ImportError:\n        return 'no browser'\n    return 'ok'\n",
            "requirements.txt": "flask\n",
        }
    ),
    ProjectExample(  # a list built under `if DEBUG:` may never be used on Vercel
        {
            "api/index.py": _DJANGO_WSGI,
            "site_conf/__init__.py": "",
            "site_conf/settings.py": "DEBUG = False\nINSTALLED_APPS = ['django.contrib.auth']\n"
            "if DEBUG:\n    INSTALLED_APPS = [*INSTALLED_APPS, 'debug_toolbar']\n",
            "requirements.txt": "Django==5.2.8\n",
        }
    ),
    ProjectExample(  # Mindtecture/llm-vercel-fastapi-starter: Vercel sets VERCEL=1
        {
            "app.py": "import os\nfrom flask import Flask\nif os.getenv('VERCEL') is None:\n"
            "    from flask_cors import CORS\napp = Flask(__name__)\n",
            "requirements.txt": "flask\n",
        }
    ),
)
INVALID = (
    ProjectExample(  # juriel/vercel-fastapi-admin installs its backend's requirements itself
        {
            "app.py": _FLASK_CORS_APP,
            "requirements.txt": "flask\n",
            "vercel.json": '{"installCommand": "pip install -r backend/requirements.txt"}\n',
        },
        expect=(
            Expect(
                "app.py",
                2,
                1,
                f"{_FLASK_CORS_UNDECLARED}, unless vercel.json's installCommand installs it",
            ),
        ),
        fixed={"requirements.txt": "flask\nflask-cors\n"},
    ),
    ProjectExample(  # Django imports INSTALLED_APPS and MIDDLEWARE as the function starts
        # (mohammadanarul/drf-vercel-django names corsheaders, which it never declares)
        {
            "api/index.py": _DJANGO_WSGI,
            "site_conf/__init__.py": "",
            "site_conf/settings.py": "INSTALLED_APPS = [\n    'django.contrib.auth',\n"
            "    'corsheaders',\n]\n",
            "requirements.txt": "Django==5.2.8\n",
        },
        expect=(
            Expect(
                "site_conf/settings.py",
                3,
                5,
                (
                    "'corsheaders' is named in Django's settings, which import it as the app "
                    "starts, but no distribution providing it is declared in requirements.txt: "
                    "ModuleNotFoundError on Vercel"
                ),
            ),
        ),
        fixed={"requirements.txt": "Django==5.2.8\ndjango-cors-headers\n"},
    ),
    ProjectExample(  # ... but here another caller does not: that route fails
        {
            "helper.py": _BROWSER_HELPER,
            "app.py": "from helper import get_browser as browser\nfrom flask import Flask\n"
            "app = Flask(__name__)\n@app.get('/')\ndef index():\n    try:\n"
            "        browser()\n    except ImportError:\n        return 'none'\n"
            "    return 'ok'\n@app.get('/b')\ndef other():\n    return str(browser())\n",
            "requirements.txt": "flask\n",
        },
        expect=(Expect("helper.py", 2, 5, _FLASK_CORS_UNDECLARED),),
        fixed={"requirements.txt": "flask\nflask-cors\n"},
    ),
    ProjectExample(  # guarded in app.py, but views.py imports it unguarded: required
        {
            "app.py": "try:\n    import monitoring\nexcept ImportError:\n"
            "    monitoring = None\nimport views\nfrom flask import Flask\n"
            "app = Flask(__name__)\n",
            "views.py": "import monitoring\n",
            "monitoring.py": "from flask_cors import CORS\n",
            "requirements.txt": "flask\n",
        },
        expect=(Expect("monitoring.py", 1, 1, _FLASK_CORS_UNDECLARED),),
        fixed={"requirements.txt": "flask\nflask-cors\n"},
    ),
    ProjectExample(
        {"app.py": _FLASK_CORS_APP, "requirements.txt": "flask\n"},
        expect=(Expect("app.py", 2, 1, _FLASK_CORS_UNDECLARED),),
        fixed={"requirements.txt": "flask\nflask-cors\n"},
    ),
    ProjectExample(  # the manifest nearest the entrypoint wins, and is named by its path
        {
            "backend/app.py": _FLASK_CORS_APP,
            "backend/requirements.txt": "flask\n",
            "vercel.json": '{"builds": [{"src": "backend/app.py", "use": "@vercel/python"}]}',
        },
        expect=(
            Expect(
                "backend/app.py",
                2,
                1,
                _FLASK_CORS_UNDECLARED.replace("requirements.txt", "backend/requirements.txt"),
            ),
        ),
        fixed={"backend/requirements.txt": "flask\nflask-cors\n"},
    ),
    ProjectExample(  # installed from git: what it provides is unknown, so a warning
        {
            "app.py": "import shortlink\napp = 1\n",
            "requirements.txt": "git+https://github.com/example-org/shortlink-py.git\n",
        },
        expect=(
            Expect(
                "app.py",
                1,
                1,
                (
                    "'shortlink' is imported and no declared distribution is known to "
                    "provide it; what "
                    "git+https://github.com/example-org/shortlink-py.git installs "
                    "could not be fully learned: fine if one of them provides it, "
                    "else ModuleNotFoundError"
                ),
            ),
        ),
    ),
    ProjectExample(
        {
            "app.py": _FLASK_CORS_APP,
            "pyproject.toml": '[project]\nname = "a"\nversion = "0"\ndependencies = ["flask"]\n'
            '[dependency-groups]\ndev = ["flask-cors"]\n',
        },
        expect=(
            Expect(
                "app.py",
                2,
                1,
                (
                    "'flask_cors' is imported, but flask-cors is only in the dev "
                    "group: Vercel installs only [project.dependencies] (uv sync "
                    "--no-dev), so the import fails"
                ),
            ),
        ),
        fixed={
            "pyproject.toml": (
                "[project]\n"
                'name = "a"\n'
                'version = "0"\n'
                'dependencies = ["flask", "flask-cors"]\n'
                "[dependency-groups]\n"
                'dev = ["flask-cors"]\n'
            )
        },
    ),
    ProjectExample(
        {
            "app.py": "from Models import Todo\napp = 1\n",
            "models.py": "Todo = 1\n",
            "requirements.txt": "flask\n",
        },
        expect=(
            Expect(
                "app.py",
                1,
                1,
                (
                    "'Models' is imported, but the file is models.py: Linux file "
                    "names are case-sensitive, so this works on macOS/Windows and "
                    "fails on Vercel"
                ),
            ),
        ),
    ),
)
