"""Paths kept in a pydantic-settings class are followed across modules, as a deploy runs
them: the field's default is where the write lands when its variable is unset."""

from __future__ import annotations

from .conftest import Check, MakeProject

CONFIG = """from functools import lru_cache
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    UPLOAD_DIR: str = "{where}"


settings = Settings()


@lru_cache
def get_settings():
    return Settings()
"""
ROUTES = """import os
from fastapi import FastAPI, UploadFile
from app.config import {imported}

app = FastAPI()


@app.post("/upload")
async def upload(file: UploadFile):
    {binding}
    with open(os.path.join(settings.UPLOAD_DIR, file.filename), "wb") as out:
        out.write(await file.read())
"""
MESSAGE = (
    "saves uploads to './uploads' inside the deployed code (/var/task is read-only): "
    "every upload fails"
)


def _uploads(check: Check, make_project: MakeProject, where: str, factory: bool) -> list[str]:
    routes = ROUTES.format(
        imported="get_settings" if factory else "settings",
        binding="settings = get_settings()" if factory else "pass",
    )
    root = make_project(
        {
            "app/__init__.py": "",
            "app/config.py": CONFIG.format(where=where),
            "main.py": routes,
            "requirements.txt": "fastapi\npydantic-settings\npython-multipart\n",
        }
    )
    return [f.message for f in check(root).findings if f.rule_id == "PF501"]


def test_an_imported_settings_instance(check: Check, make_project: MakeProject) -> None:
    assert _uploads(check, make_project, "./uploads", factory=False) == [MESSAGE]
    assert _uploads(check, make_project, "/tmp/uploads", factory=False) == []


def test_settings_built_by_a_cached_factory(check: Check, make_project: MakeProject) -> None:
    """Sowndharraj-m/vercel-fastapi-deployment: `settings = get_settings()` in the route."""
    assert _uploads(check, make_project, "./uploads", factory=True) == [MESSAGE]
    assert _uploads(check, make_project, "/tmp/uploads", factory=True) == []


REQUIRED = """from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env.production")
    DATABASE_URL: str


settings = Settings()
"""


def test_required_settings_at_import_unless_an_env_file_ships(
    check: Check, make_project: MakeProject
) -> None:
    """YahyaAhmedKhan/fastapi-vercel: a field without a default raises ValidationError at
    import when its variable is unset; an env file in the project may supply it, as
    pydantic-settings reads that file itself at run time."""
    files = {
        "app.py": "import config\nfrom fastapi import FastAPI\napp = FastAPI()\n",
        "config.py": REQUIRED,
        "requirements.txt": "fastapi\npydantic-settings\n",
    }
    bare = check(make_project(files), only={"PF1101"}).findings
    assert [(f.location.line, f.message.split(" when ")[0]) for f in bare] == [
        (9, "Settings() at import raises ValidationError")
    ]
    shipped = make_project({**files, ".env.production": "DATABASE_URL=postgres://x\n"})
    assert check(shipped, only={"PF1101"}).findings == []


def test_required_settings_of_a_class_imported_from_another_module(
    check: Check, make_project: MakeProject
) -> None:
    """luizweb/langchain-nextjs-fastapi-template: the class is defined in app/settings.py
    and built at import in app/database.py, through the package's re-export too."""
    cls = REQUIRED.replace('env_file=".env.production"', 'env_file=".env"').removesuffix(
        "settings = Settings()\n"
    )
    files = {
        "app/__init__.py": "from app.settings import Settings\n",
        "app/settings.py": cls,
        "app/database.py": "from app.settings import Settings\n\nsettings = Settings()\n",
        "app/cache.py": "from app import Settings\n\nsettings = Settings()\n",
        "main.py": "import app.database\nimport app.cache\nfrom fastapi import FastAPI\n"
        "app = FastAPI()\n",
        "requirements.txt": "fastapi\npydantic-settings\n",
    }
    found = check(make_project(files), only={"PF1101"}).findings
    assert sorted((f.location.path.name, f.location.line) for f in found) == [
        ("cache.py", 3),
        ("database.py", 3),
    ]
    assert (
        check(make_project({**files, ".env": "DATABASE_URL=x\n"}), only={"PF1101"}).findings == []
    )
