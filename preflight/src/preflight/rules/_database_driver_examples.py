"""PF207's VALID and INVALID examples (rules/database_drivers.py), each modelled on a
public project or report."""

from __future__ import annotations

from preflight.rules.base import Expect, ProjectExample

_WSGI = (
    "import os\nfrom django.core.wsgi import get_wsgi_application\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n"
    "app = get_wsgi_application()\n"
)
_PG = "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'db'}}\n"
_FLASK = (
    "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\napp = Flask(__name__)\n"
    "app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://u:p@db.example.com/app'\n"
    "db = SQLAlchemy(app)\n"
)
VALID = (
    ProjectExample(
        {
            "api/wsgi.py": _WSGI,
            "site1/settings.py": _PG,
            "requirements.txt": "django==5.2.8\npsycopg2-binary==2.9.10\n",
        }
    ),
    ProjectExample(  # Django still maps its pre-1.9 name to the postgresql backend
        {
            "api/wsgi.py": _WSGI,
            "site1/settings.py": _PG.replace("postgresql", "postgresql_psycopg2"),
            "requirements.txt": "django==5.2.8\npsycopg2-binary==2.9.10\n",
        }
    ),
    ProjectExample(  # the engine comes from the environment: not known here
        {
            "api/wsgi.py": _WSGI,
            "site1/settings.py": "import dj_database_url\n" + _PG + "DATABASES['default'] = "
            "dj_database_url.config()\n",
            "requirements.txt": "django==5.2.8\ndj-database-url==2.3.0\n",
        }
    ),
    ProjectExample(  # PyMySQL standing in for MySQLdb, set up as the settings load
        {
            "api/wsgi.py": _WSGI,
            "site1/__init__.py": "import pymysql\npymysql.install_as_MySQLdb()\n",
            "site1/settings.py": "DATABASES = {'default': "
            "{'ENGINE': 'django.db.backends.mysql'}}\n",
            "requirements.txt": "django==5.2.8\npymysql==1.1.1\n",
        }
    ),
    ProjectExample(
        {
            "app.py": _FLASK.replace("postgresql://", "postgresql+pg8000://"),
            "requirements.txt": "flask==3.1.3\nflask-sqlalchemy==3.1.1\nsqlalchemy==2.0.41\n"
            "pg8000==1.31.2\n",
        }
    ),
)
INVALID = (
    ProjectExample(  # zwayzo/django-vercel backend/settings.py: no driver declared
        {
            "api/wsgi.py": _WSGI,
            "site1/settings.py": _PG,
            "requirements.txt": "django==5.2.8\n",
        },
        expect=(
            Expect(
                "site1/settings.py",
                1,
                36,
                (
                    "ENGINE 'django.db.backends.postgresql' loads psycopg or psycopg2, and "
                    "neither is installed: every request that touches the database answers "
                    '500 (ImproperlyConfigured: "Error loading psycopg2 or psycopg module")'
                ),
            ),
        ),
    ),
    ProjectExample(  # 61124/django-vercel-app: PyMySQL, set up only where manage.py runs
        {
            "api/wsgi.py": _WSGI,
            "manage.py": "import pymysql\npymysql.install_as_MySQLdb()\n",
            "site1/settings.py": "DATABASES = {'default': "
            "{'ENGINE': 'django.db.backends.mysql'}}\n",
            "requirements.txt": "django==5.2.8\npymysql==1.1.1\n",
        },
        expect=(
            Expect(
                "site1/settings.py",
                1,
                36,
                (
                    "ENGINE 'django.db.backends.mysql' loads MySQLdb, and it is not "
                    "installed: every request that touches the database answers 500 "
                    '(ImproperlyConfigured: "Error loading MySQLdb module")'
                ),
            ),
        ),
    ),
    ProjectExample(  # drkostas/hevy2garmin#357: a fresh Vercel + Neon deploy
        {
            "app.py": _FLASK,
            "requirements.txt": "flask==3.1.3\nflask-sqlalchemy==3.1.1\nsqlalchemy==2.0.41\n",
        },
        expect=(
            Expect(
                "app.py",
                4,
                41,
                (
                    "a postgresql:// URL makes SQLAlchemy import psycopg2, and it is not "
                    "installed: creating the engine raises ModuleNotFoundError"
                ),
            ),
        ),
    ),
    ProjectExample(  # Heroku's and Vercel Postgres' scheme, which SQLAlchemy 1.4 dropped
        {
            "app.py": _FLASK.replace("postgresql://", "postgres://"),
            "requirements.txt": "flask==3.1.3\nflask-sqlalchemy==3.1.1\nsqlalchemy==2.0.41\n"
            "psycopg2-binary==2.9.10\n",
        },
        expect=(
            Expect(
                "app.py",
                4,
                41,
                (
                    "SQLAlchemy 2.0.41 has no 'postgres' dialect (the alias was dropped in "
                    "1.4): creating the engine raises NoSuchModuleError (\"Can't load "
                    'plugin: sqlalchemy.dialects:postgres")'
                ),
            ),
        ),
    ),
)
