"""A branch is judged by what its test holds on Vercel when the test reads a settings
class's attribute or a name imported from another first-party module, as it is when it
reads a variable of its own module (on_vercel._followed)."""

from __future__ import annotations

from .conftest import Check, MakeProject

CONFIG = """import os


class Config:
    FLASK_ENVIRONMENT = os.getenv("FLASK_ENV")
    PRODUCTION = os.getenv("PRODUCTION")
    ON_RENDER = os.getenv("RENDER")


ENV = os.getenv("FLASK_ENV", "production")
"""
LOGGER = """import logging
from api.config import {imported}

logger = logging.getLogger("app")
if {test}:
    logger.addHandler(logging.FileHandler("app.log"))
"""


def _writes(check: Check, make_project: MakeProject, imported: str, test: str) -> list[int]:
    """JunaidMovido/flask-vercel api/logger.py: the log file only in development."""
    root = make_project(
        {
            "api/__init__.py": "",
            "api/config.py": CONFIG,
            "api/logger.py": LOGGER.format(imported=imported, test=test),
            "api/index.py": "from flask import Flask\nfrom api.logger import logger\n"
            "app = Flask(__name__)\n",
            "requirements.txt": "flask\n",
        }
    )
    return [f.location.line for f in check(root, only={"PF501"}).findings]


def test_a_settings_class_attribute_or_imported_name_rules_a_write_out(
    check: Check, make_project: MakeProject
) -> None:
    assert _writes(check, make_project, "Config", 'Config.FLASK_ENVIRONMENT == "development"') == []
    assert _writes(check, make_project, "ENV", 'ENV == "development"') == []


def test_a_branch_vercel_takes_still_writes(check: Check, make_project: MakeProject) -> None:
    """`ENV` defaults to "production" where FLASK_ENV is unset: this branch runs."""
    assert _writes(check, make_project, "ENV", 'ENV == "production"') == [6]


def test_a_project_switch_read_through_a_class_is_the_dashboards(
    check: Check, make_project: MakeProject
) -> None:
    """`if Config.PRODUCTION:` reads a variable of the project's own: the dashboard may set
    it, so the hosts it adds count (PF1702 says nothing)."""
    assert check(make_project(_django("Config.PRODUCTION")), only={"PF1702"}).findings == []


def test_another_hosts_switch_read_through_a_class_is_off(
    check: Check, make_project: MakeProject
) -> None:
    """`if Config.ON_RENDER:` reads RENDER, which only Render sets: on Vercel the hosts
    stay local, and every request is refused (PF1702)."""
    files = _django("Config.ON_RENDER")
    assert [f.rule_id for f in check(make_project(files), only={"PF1702"}).findings] == ["PF1702"]


def _django(test: str) -> dict[str, str]:
    """A Django site whose settings add the deployed host only when `test` holds."""
    return {
        "mysite/__init__.py": "",
        "mysite/config.py": CONFIG,
        "mysite/settings.py": "from mysite.config import Config\nINSTALLED_APPS = []\n"
        "WSGI_APPLICATION = 'mysite.wsgi.application'\nROOT_URLCONF = 'mysite.urls'\n"
        f"ALLOWED_HOSTS = ['localhost']\nif {test}:\n    ALLOWED_HOSTS.append('.vercel.app')\n",
        "mysite/urls.py": "urlpatterns = []\n",
        "mysite/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "app = get_wsgi_application()\n",
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'mysite.settings')\n",
        "requirements.txt": "django\n",
    }
