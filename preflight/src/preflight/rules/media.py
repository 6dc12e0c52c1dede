"""F5 / F17: Django file fields saving into MEDIA_ROOT inside the deployed code.

A `FileField` / `ImageField` saves through the default storage, FileSystemStorage at
MEDIA_ROOT. With MEDIA_ROOT under the project (`BASE_DIR / "media"`, or unset: the working
directory /var/task), every save raises `OSError: [Errno 30] Read-only file system:
'/var/task/media'` (snipher-marube/django-ecommerce#41), so every upload fails, in the admin
too. The field lives in models.py and MEDIA_ROOT in settings.py, so this is a project rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.call_index import calls_named
from preflight.context import CheckContext
from preflight.findings import Finding, Location
from preflight.rules._paths import PathInfo, Where, classify, describe
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module
from preflight.syntax import call_name

_FIELDS = frozenset({"FileField", "ImageField"})
# Settings that move the default storage elsewhere (S3, Cloudinary, GCS, ...): any value
# but FileSystemStorage means the files do not land in MEDIA_ROOT.
_STORAGE_SETTINGS = frozenset({"DEFAULT_FILE_STORAGE", "STORAGES"})
_SETTINGS = "INSTALLED_APPS = ['app']\nMEDIA_URL = '/media/'\n"
_MODELS = "from django.db import models\nclass Photo(models.Model):\n"


def _moves_storage(module: Module) -> bool:
    """The module sets the default storage to something else than FileSystemStorage
    (weii1501/django-webtinhoc's local_settings.py names FileSystemStorage: still local)."""
    return any(
        "FileSystemStorage" not in ast.unparse(module.constants[key])
        for key in _STORAGE_SETTINGS & module.constants.keys()
    )


class MediaInCode(ProjectRule):
    """Django file fields whose storage is a MEDIA_ROOT inside /var/task."""

    id = "PF504"
    fid = "F5"
    name = "media-root-in-code"
    message = "uploaded files are saved in MEDIA_ROOT inside the deployed code: every upload fails"
    fix = "store media in object storage (django-storages, Vercel Blob) via STORAGES['default']"

    VALID = (
        ProjectExample(  # the bucket set by a settings module of its own (Recipe-Caboodle)
            {
                "settings/__init__.py": "from .base import *\nfrom .production import *\n",
                "settings/base.py": _SETTINGS + "MEDIA_ROOT = 'media'\n",
                "settings/production.py": "from .base import INSTALLED_APPS\n"
                "INSTALLED_APPS += ['cloudinary_storage']\n"
                "DEFAULT_FILE_STORAGE = 'cloudinary_storage.storage.MediaCloudinaryStorage'\n",
                "models.py": "import settings\n"
                + _MODELS
                + "    image = models.ImageField(upload_to='p')\n",
            }
        ),
        ProjectExample(  # media in a bucket
            {
                "settings.py": _SETTINGS + "STORAGES = {'default': {'BACKEND': "
                "'storages.backends.s3.S3Storage'}}\nMEDIA_ROOT = 'media'\n",
                "models.py": _MODELS + "    image = models.ImageField(upload_to='p')\n",
            }
        ),
        ProjectExample(
            {
                "settings.py": _SETTINGS + "MEDIA_ROOT = '/tmp/media'\n",
                "models.py": _MODELS + "    image = models.ImageField(upload_to='p')\n",
            }
        ),
        ProjectExample(  # the field names its own storage
            {
                "settings.py": _SETTINGS + "MEDIA_ROOT = 'media'\n",
                "models.py": _MODELS + "    image = models.ImageField(storage=bucket)\n",
            }
        ),
        ProjectExample({"settings.py": _SETTINGS + "MEDIA_ROOT = 'media'\n"}),  # no file field
        ProjectExample(  # a serializer's or a form's field validates, stores nothing
            {
                "settings.py": _SETTINGS + "MEDIA_ROOT = 'media'\n",
                "serializer.py": "from rest_framework import serializers\n"
                "class Upload(serializers.Serializer):\n    image = serializers.ImageField()\n",
                "forms.py": "from django.forms import Form, FileField\n"
                "class Upload(Form):\n    doc = FileField()\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "settings.py": "from pathlib import Path\nBASE_DIR = Path(__file__).resolve()"
                ".parent\n" + _SETTINGS + "MEDIA_ROOT = BASE_DIR / 'media'\n",
                "models.py": _MODELS + "    image = models.ImageField(upload_to='p')\n"
                "    doc = models.FileField(upload_to='d')\n",
            },
            expect=(
                Expect(
                    "models.py",
                    3,
                    13,
                    (
                        "models.ImageField saves uploads to MEDIA_ROOT, 'media' inside "
                        "the deployed code (/var/task is read-only): every upload fails"
                    ),
                ),
            ),  # one cause, one finding: at the first field
        ),
        ProjectExample(  # MEDIA_ROOT unset: the working directory, /var/task; naming
            # FileSystemStorage keeps it local (weii1501/django-webtinhoc's local_settings.py)
            {
                "settings.py": _SETTINGS,
                "local_settings.py": "DEFAULT_FILE_STORAGE = "
                "'django.core.files.storage.FileSystemStorage'\n",
                "models.py": _MODELS + "    doc = models.FileField(upload_to='d')\n",
            },
            expect=(
                Expect(
                    "models.py",
                    3,
                    11,
                    (
                        "models.FileField saves uploads to MEDIA_ROOT, a file inside the "
                        "deployed code (/var/task is read-only): every upload fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        modules = ctx.closure.modules
        settings = [m for m in modules if "INSTALLED_APPS" in m.constants]
        # a split settings package may set the storage in a module of its own that only
        # extends INSTALLED_APPS (alexTamboli/Recipe-Caboodle's settings/production.py)
        if not settings or any(_moves_storage(m) for m in modules):
            return
        where = _media_root(settings)
        if where is None or not where.read_only:
            return
        for module in modules:
            field = _first_file_field(module)
            if field is not None:
                yield self.at(
                    Location(module.path, field.lineno, field.col_offset + 1),
                    f"{call_name(field)} saves uploads to MEDIA_ROOT, {describe(where)}: "
                    "every upload fails",
                )
                return


def _media_root(settings: list[Module]) -> PathInfo | None:
    """Where MEDIA_ROOT points (Django's default '' is the working directory), or None
    when it is set to something we cannot follow."""
    for module in settings:
        value = module.constants.get("MEDIA_ROOT")
        if value is not None:
            where = classify(value, module)
            return None if where.where is Where.UNKNOWN else where
    return PathInfo(Where.BUNDLE, None)


def _first_file_field(module: Module) -> ast.Call | None:
    for call in calls_named(module, _FIELDS):
        head, _, name = (call_name(call) or "").rpartition(".")
        own_storage = any(k.arg == "storage" for k in call.keywords)
        field = isinstance(module.parents.get(call), ast.Assign | ast.AnnAssign)
        if (
            name in _FIELDS
            and field
            and not own_storage
            and not _validates_only(module, head, name)
        ):
            return call
    return None


def _validates_only(module: Module, head: str, name: str) -> bool:
    """A form's or a DRF serializer's field of that name, which validates the upload and
    stores nothing (AaditiAI/similarity_prediction app/serializer.py:5,
    `serializers.ImageField()`): only a model field saves to MEDIA_ROOT."""
    if head:
        return head.rpartition(".")[2] in _VALIDATING
    for node in module.of(ast.ImportFrom):
        if any((a.asname or a.name) == name for a in node.names):
            source = node.module or ""
            return source.rpartition(".")[2] in _VALIDATING or source.startswith("rest_framework")
    return False


_VALIDATING = frozenset({"serializers", "forms"})
