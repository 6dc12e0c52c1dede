"""F17: Django settings whose ALLOWED_HOSTS admit no host Vercel serves the app on.

Django checks the Host header of every request against ALLOWED_HOSTS (with DEBUG on,
an empty list admits only localhost), and answers 400 Bad Request (DisallowedHost)
otherwise. Vercel does not touch the setting (no ALLOWED_HOSTS anywhere in
packages/python), so a list of local names only (`[]`, `['localhost', '127.0.0.1']`, the
default of `startproject`) makes every request to `*.vercel.app` a 400.
gy0kuroo/Botilleria_render sets `ALLOWED_HOSTS = []` and appends only Render's
RENDER_EXTERNAL_HOSTNAME. A name that is not local may be a custom domain: no finding.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.on_vercel import branch_never_runs
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.source import Module

# names a request to a deployment never carries as its Host ("0.0.0." + "0": ruff's S104
# reads a bare literal of it as a bind address)
_LOCAL = frozenset({"", "localhost", ".localhost", "127.0.0.1", "0.0.0." + "0", "[::1]", "::1"})
_SETTING = "ALLOWED_HOSTS"


def _settings_assignments(module: Module) -> list[ast.Assign]:
    """Top-level `ALLOWED_HOSTS = ...` of a module that is a Django settings module."""
    names = {
        t.id
        for s in module.tree.body
        if isinstance(s, ast.Assign)
        for t in s.targets
        if isinstance(t, ast.Name)
    }
    if "INSTALLED_APPS" not in names:
        return []
    return [
        s
        for s in module.tree.body
        if isinstance(s, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == _SETTING for t in s.targets)
    ]


def _local_only(value: ast.expr) -> bool:
    """A literal list or tuple of host strings, every one a local name."""
    if not isinstance(value, ast.List | ast.Tuple):
        return False
    hosts = [e.value for e in value.elts if isinstance(e, ast.Constant)]
    if len(hosts) != len(value.elts) or not all(isinstance(h, str) for h in hosts):
        return False
    return all(_never_vercel(str(h).strip().lower()) for h in hosts)


# Other platforms' domains: a host under one can never be a Vercel deployment's (only a
# custom domain can be both). grant8827/ggfmdbms lists only '.railway.app' and local names.
_OTHER_PLATFORMS = (
    "railway.app",
    "onrender.com",
    "herokuapp.com",
    "pythonanywhere.com",
    "fly.dev",
    "azurewebsites.net",
    "netlify.app",
)


def _never_vercel(host: str) -> bool:
    """A local name, or one under another platform's domain."""
    name = host.lstrip("*").lstrip(".")
    return host in _LOCAL or any(
        name == suffix or name.endswith("." + suffix) for suffix in _OTHER_PLATFORMS
    )


def _mentions(module: Module) -> list[ast.AST]:
    """Uses of the setting that run on Vercel (`if RENDER_EXTERNAL_HOSTNAME:` does not)."""
    names: list[ast.AST] = [n for n in module.of(ast.Name) if n.id == _SETTING]
    names += [n for n in module.of(ast.Attribute) if n.attr == _SETTING]
    return [n for n in names if not branch_never_runs(module, n, dashboard_may_set=True)]


def _adds_a_real_host(module: Module, mention: ast.AST) -> bool:
    """The statement of the mention names a host a deployment can carry
    (`ALLOWED_HOSTS.append('.vercel.app')`, `ALLOWED_HOSTS += ['shop.example.com']`)."""
    statement = next((p for p in module.ancestors(mention) if isinstance(p, ast.stmt)), None)
    if statement is None or isinstance(statement, ast.If | ast.For | ast.While | ast.Try):
        return False
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and ("." in n.value or n.value == "*")
        and n.value.strip().lower() not in _LOCAL
        for n in ast.walk(statement)
    )


class AllowedHostsLocalOnly(ProjectRule):
    """Django's ALLOWED_HOSTS lists only local names: every request gets a 400."""

    id = "PF1702"
    fid = "F17"
    name = "django-allowed-hosts"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "ALLOWED_HOSTS admits no Vercel host: every request answers 400 Bad Request"
    fix = "add '.vercel.app' (and your domain) to ALLOWED_HOSTS"

    _WSGI = (
        "import os\nfrom django.core.wsgi import get_wsgi_application\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
        "application = get_wsgi_application()\n"
    )
    _MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"

    VALID = (
        ProjectExample(
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "INSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['127.0.0.1', '.vercel.app']\n",
            }
        ),
        ProjectExample(  # a custom domain
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "INSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['shop.example.com']\n",
            }
        ),
        ProjectExample(  # the local list, then the deployment's host added on Vercel
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "import os\nINSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['localhost']\nif os.environ.get('VERCEL'):\n"
                "    ALLOWED_HOSTS.append('.vercel.app')\n",
            }
        ),
        ProjectExample(  # the project's own switch: its dashboard may set PRODUCTION
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "import os\nINSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['localhost']\nif os.environ.get('PRODUCTION'):\n"
                "    ALLOWED_HOSTS = ['shop.example.com']\n",
            }
        ),
        ProjectExample(  # vincenttommi/Stage-0-Backend--Internship: django_heroku sets ['*']
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "import django_heroku\nINSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['localhost']\ndjango_heroku.settings(locals())\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # gy0kuroo/Botilleria_render boti/settings.py:30
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "import os\nINSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\nALLOWED_HOSTS = []\n"
                "RENDER = os.environ.get('RENDER_EXTERNAL_HOSTNAME')\nif RENDER:\n"
                "    ALLOWED_HOSTS.append(RENDER)\n",
            },
            expect=(
                Expect(
                    "site_cfg/settings.py",
                    4,
                    1,
                    (
                        "ALLOWED_HOSTS = [] admits no host Vercel serves the app on "
                        "(*.vercel.app): Django answers 400 Bad Request (DisallowedHost) to "
                        "every request"
                    ),
                ),
            ),
        ),
        ProjectExample(  # grant8827/ggfmdbms ggfm_dbs_project/settings.py:38
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "INSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['.railway.app', '127.0.0.1', 'localhost']\n",
            },
            expect=(
                Expect(
                    "site_cfg/settings.py",
                    3,
                    1,
                    (
                        "ALLOWED_HOSTS = ['.railway.app', '127.0.0.1', 'localhost'] admits no "
                        "host Vercel serves the app on (*.vercel.app): Django answers 400 Bad "
                        "Request (DisallowedHost) to every request"
                    ),
                ),
            ),
        ),
        ProjectExample(  # a host from the environment: the dashboard may set it
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "import os\nINSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\nALLOWED_HOSTS = []\n"
                "ALLOWED_HOSTS += os.environ.get('HOSTS', '').split(',')\n",
            },
            expect=(
                Expect(
                    "site_cfg/settings.py",
                    4,
                    1,
                    (
                        "ALLOWED_HOSTS = [] admits no host Vercel serves the app on "
                        "(*.vercel.app) unless code below adds one: Django answers 400 Bad "
                        "Request (DisallowedHost) to every request"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "manage.py": _MANAGE,
                "site_cfg/__init__.py": "",
                "site_cfg/wsgi.py": _WSGI,
                "site_cfg/settings.py": "INSTALLED_APPS = []\n"
                "WSGI_APPLICATION = 'site_cfg.wsgi.application'\n"
                "ALLOWED_HOSTS = ['localhost', '127.0.0.1']\n",
            },
            expect=(
                Expect(
                    "site_cfg/settings.py",
                    3,
                    1,
                    (
                        "ALLOWED_HOSTS = ['localhost', '127.0.0.1'] admits no host Vercel "
                        "serves the app on (*.vercel.app): Django answers 400 Bad Request "
                        "(DisallowedHost) to every request"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.project.entrypoint is None:
            return  # which settings module runs is unknown
        found = [(m, a) for m in ctx.closure.modules for a in _settings_assignments(m)]
        if len(found) != 1:
            return  # none, or several settings modules: which one runs is not ours to say
        module, assign = found[0]
        if not _local_only(assign.value) or module.guarded_by_platform_check(assign):
            return
        if any(isinstance(n, ast.ImportFrom) and n.names[0].name == "*" for n in module.tree.body):
            return  # a star import may bring the setting from elsewhere
        if any(n.id in {"locals", "globals", "vars"} for n in module.of(ast.Name)):
            return  # django_heroku.settings(locals()) rewrites ALLOWED_HOSTS itself
        mentions = [(m, n) for m in ctx.closure.modules for n in _mentions(m)]
        if any(_adds_a_real_host(m, n) for m, n in mentions if n not in assign.targets):
            return  # a later statement admits a host of the deployment's
        others = len(mentions) - 1
        shown = ast.unparse(assign.value)
        if others == 0:
            yield self.at(
                Location(module.path, assign.lineno, assign.col_offset + 1),
                f"ALLOWED_HOSTS = {shown} admits no host Vercel serves the app on "
                "(*.vercel.app): Django answers 400 Bad Request (DisallowedHost) to every "
                "request",
            )
        else:
            yield self.at(
                Location(module.path, assign.lineno, assign.col_offset + 1),
                f"ALLOWED_HOSTS = {shown} admits no host Vercel serves the app on "
                "(*.vercel.app) unless code below adds one: Django answers 400 Bad Request "
                "(DisallowedHost) to every request",
                severity=Severity.WARNING,
            )
