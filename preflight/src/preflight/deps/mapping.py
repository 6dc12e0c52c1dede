"""Which distribution provides an import name.

Most distributions install a module of (nearly) their own name: `flask_cors` comes from
`Flask-Cors`, and PEP 503 normalisation makes those equal. The exceptions that matter
in web apps are listed below; a distribution's own top-level names (from a cached
`top_level` entry, or from the metadata of an environment where it is installed) add to
that, so a name is only reported missing when nothing declared can provide it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from packaging.utils import canonicalize_name

from preflight.deps.installed import top_level_names

# import name -> distributions known to provide it (names not equal after normalisation).
KNOWN: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "jwt": ("pyjwt",),
    "nacl": ("pynacl",),
    "dotenv": ("python-dotenv",),
    "bs4": ("beautifulsoup4",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python"),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "dateutil": ("python-dateutil",),
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "psycopg": ("psycopg", "psycopg-binary"),
    "MySQLdb": ("mysqlclient",),
    "mysql": ("mysql-connector-python",),
    "argon2": ("argon2-cffi",),
    "multipart": ("python-multipart",),
    "python_multipart": ("python-multipart",),
    "jose": ("python-jose",),
    "magic": ("python-magic",),
    "attr": ("attrs",),
    "pkg_resources": ("setuptools",),
    "setuptools": ("setuptools",),
    "git": ("gitpython",),
    "Crypto": ("pycryptodome",),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyopenssl",),
    "google": ("protobuf", "google-api-core", "google-cloud-storage", "google-auth"),
    "googleapiclient": ("google-api-python-client",),
    "dns": ("dnspython",),
    "serial": ("pyserial",),
    "socks": ("pysocks",),
    "slugify": ("python-slugify",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "telegram": ("python-telegram-bot",),
    "discord": ("discord-py",),
    "fitz": ("pymupdf",),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "lxml": ("lxml",),
    "markdown": ("markdown",),
    "memcache": ("python-memcached",),
    "pymongo": ("pymongo",),
    "bson": ("pymongo",),
    "gridfs": ("pymongo",),
    "redis": ("redis",),
    "rest_framework": ("djangorestframework",),
    "corsheaders": ("django-cors-headers",),
    "debug_toolbar": ("django-debug-toolbar",),
    "environ": ("django-environ",),
    "dj_database_url": ("dj-database-url",),
    "whitenoise": ("whitenoise",),
    "flask_sqlalchemy": ("flask-sqlalchemy",),
    "sqlalchemy": ("sqlalchemy",),
    "starlette": ("starlette", "fastapi"),
    "pydantic_core": ("pydantic-core", "pydantic"),
    "typing_extensions": ("typing-extensions",),
    "werkzeug": ("werkzeug", "flask"),
    "jinja2": ("jinja2", "flask"),
    "itsdangerous": ("itsdangerous", "flask"),
    "click": ("click", "flask"),
    "markupsafe": ("markupsafe",),
    "anyio": ("anyio", "starlette"),
    "h11": ("h11",),
    "websockets": ("websockets",),
    "win32api": ("pywin32",),
    "zmq": ("pyzmq",),
    "Xlib": ("python-xlib",),
    "usb": ("pyusb",),
    "grpc": ("grpcio",),
    "mpl_toolkits": ("matplotlib",),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "torch": ("torch",),
    "faiss": ("faiss-cpu",),
    "stripe": ("stripe",),
    "openai": ("openai",),
    "mangum": ("mangum",),
    "aws_lambda_powertools": ("aws-lambda-powertools",),
    "ldap": ("python-ldap",),
    "msgpack": ("msgpack",),
    "snappy": ("python-snappy",),
    "jsonpath_ng": ("jsonpath-ng",),
}


def candidates(dotted: str, extra: Iterable[tuple[str, str]] = ()) -> set[str]:
    """Canonical distribution names that may provide `dotted` (an import's dotted name).

    `extra` holds (import name, distribution) pairs learned elsewhere (cache, lock).
    """
    top = dotted.split(".")[0]
    names: set[str] = {canonicalize_name(top)}
    names |= set(KNOWN.get(top, ()))
    names |= set(installed_top_levels().get(top, ()))
    names |= {dist for name, dist in extra if name == top}
    # `vercel.queue` from vercel-queue, `google.cloud.storage` from google-cloud-storage:
    # namespace packages are named after their dotted path.
    parts = dotted.split(".")
    for end in range(2, len(parts) + 1):
        names.add(canonicalize_name("-".join(parts[:end])))
    return {str(canonicalize_name(n)) for n in names}


@cache
def installed_top_levels() -> dict[str, tuple[str, ...]]:
    """importlib.metadata's map for whatever environment preflight runs in (read the
    cheap way, see deps.installed).

    Helps when the user runs preflight inside their app's venv; adds candidates only,
    so it can never invent a finding.
    """
    mapping = top_level_names()
    return {k: tuple(canonicalize_name(d) for d in v) for k, v in mapping.items()}


def named_like(distribution: str, tops: Iterable[str]) -> bool:
    """Whether a distribution's name holds one of these import names (django-modelcluster
    and `modelcluster`, pyjwt and `jwt`): the pulled-in distributions worth reading the
    file lists of when an import nothing else explains may come from one of them."""
    return any(top.lower().replace("_", "-") in distribution for top in tops)
