"""Where the build's installer may find a distribution other than PyPI.

A declaration PyPI has no project or release for fails the install (PF1904) only when
nothing else serves it: an index or a folder of wheels named in a requirements file
(`--extra-index-url`, `--find-links`), uv's settings (`[tool.uv] index`, `uv.toml`),
a source of its own (`[tool.uv.sources]`, a Pipfile `path`/`git` entry), or the
installer's environment variables set in vercel.json. The project's dashboard variables
cannot be seen, so the rule's message names that way out too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from preflight.deps.declared import requirement_options
from preflight.project import Manifest, read_manifest_text, read_toml
from preflight.vercel_config import read_vercel_config

# pip's and uv's options that add a place to find distributions (or drop PyPI)
_REQUIREMENT_OPTIONS = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--no-index",
)
_UV_KEYS = ("index", "index-url", "extra-index-url", "find-links", "default-index")
_ENV_KEYS = frozenset(
    {
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_FIND_LINKS",
        "UV_INDEX",
        "UV_INDEX_URL",
        "UV_EXTRA_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_FIND_LINKS",
    }
)
# a source entry in a Pipfile that is not the index
_PIPFILE_SOURCE_KEYS = ("path", "file", "git", "hg", "svn", "bzr", "index")


def other_source(manifest: Manifest, root: Path, name: str) -> str | None:
    """What besides PyPI may serve `name` to the build ("--extra-index-url in
    requirements.txt"), None when PyPI is the only place the installer looks."""
    path = manifest.path
    if manifest.kind == "pyproject":
        found = _pyproject_source(read_toml(path) or {}, canonicalize_name(name))
    elif manifest.kind == "Pipfile":
        found = _pipfile_source(read_toml(path) or {}, canonicalize_name(name))
    elif manifest.kind == "Pipfile.lock":
        found = _pipfile_lock_source(path)
    else:  # requirements.txt, requirements.in, requirements/prod.txt
        found = next(
            (
                f"{option.split()[0].split('=')[0]} in {where.name}"
                for where, option in requirement_options(path)
                if option.startswith(_REQUIREMENT_OPTIONS) and "pypi.org" not in option
            ),
            None,
        )
    return found or _uv_toml_source(path.parent) or _environment_source(root)


def _pyproject_source(data: dict[str, Any], name: str) -> str | None:
    tool = _table(data, "tool")
    uv = _table(tool, "uv")
    sources = _table(uv, "sources")
    if any(canonicalize_name(str(key)) == name for key in sources):
        return "[tool.uv.sources]"
    if any(uv.get(key) for key in _UV_KEYS):
        return "[tool.uv] index settings"
    for other in ("poetry", "pdm"):
        table = tool.get(other)
        if isinstance(table, dict) and table.get("source"):
            return f"[tool.{other}.source]"
    return None


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _pipfile_source(data: dict[str, Any], name: str) -> str | None:
    for entry in data.get("source") or ():
        if isinstance(entry, dict) and "pypi.org" not in str(entry.get("url", "pypi.org")):
            return "a [[source]] in Pipfile"
    for key in ("packages", "dev-packages"):
        table = data.get(key)
        if not isinstance(table, dict):
            continue
        for declared, spec in table.items():
            if canonicalize_name(str(declared)) != name or not isinstance(spec, dict):
                continue
            if any(source in spec for source in _PIPFILE_SOURCE_KEYS):
                return "its own entry in Pipfile"
    return None


def _pipfile_lock_source(path: Path) -> str | None:
    try:
        data = json.loads(read_manifest_text(path) or "")
    except ValueError:
        return None
    meta = data.get("_meta") if isinstance(data, dict) else None
    sources = meta.get("sources") if isinstance(meta, dict) else None
    for entry in sources if isinstance(sources, list) else ():
        if isinstance(entry, dict) and "pypi.org" not in str(entry.get("url", "pypi.org")):
            return "a source in Pipfile.lock"
    return None


def _uv_toml_source(folder: Path) -> str | None:
    data = read_toml(folder / "uv.toml") or {}
    return "uv.toml" if any(data.get(key) for key in _UV_KEYS) else None


def _environment_source(root: Path) -> str | None:
    config = read_vercel_config(root) or {}
    build = config.get("build")
    tables = [config.get("env"), build.get("env") if isinstance(build, dict) else None]
    for table in tables:
        if isinstance(table, dict):
            for key in table:
                if str(key) in _ENV_KEYS:
                    return f"{key} in vercel.json"
    return None
