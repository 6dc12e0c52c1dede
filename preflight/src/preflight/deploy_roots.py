"""Where the Python deploys of a repository are, when the folder checked is not one.

Vercel builds a project from its Root Directory (a project setting) and reads only the
vercel.json there. A monorepo whose FastAPI app sits in backend/ beside a Vite or Next.js
frontend is deployed as a project whose Root Directory is backend/, and its vercel.json
says so by being there (ArielMAJ/fullstack-vue-fastapi-template, Ub207/phase-4-todo,
tankpkg/tank's apps/python-api behind a root vercel.json that builds the JS app). The
same goes for each example app of a library (vercel-labs/ai-python's examples/apps/*).
A vercel.json `services` entry names a service's folder itself: `"root": "backend/"`
(packages/fs-detectors/src/services/resolve-v2.ts `resolveConfiguredService` scopes the
entrypoint and framework detection to that root and builds with it as the workspace).

Checking the repository root of such a project reports a build that never happens there
("no entrypoint", "installs nothing"), so `preflight check` checks those folders instead,
and says so. Only when the folder given deploys no Python itself: an app entrypoint, a
configured one, a legacy `builds` entry or api/ functions there keep it the project.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from preflight.files import CLI_DEFAULT_IGNORES, holds_python
from preflight.project import find_exported_name, load_project, parse_file
from preflight.project.manifest import MANIFEST_ORDER, walk_up
from preflight.vercel_config import read_vercel_config, vercel_config_file

# How deep a nested Vercel project may sit (examples/apps/web_agent is 3).
_MAX_DEPTH = 4
_NOT_PROJECTS = frozenset({*CLI_DEFAULT_IGNORES, "site-packages", "dist", "build"})


@dataclass(frozen=True)
class DeployRoot:
    """A folder Vercel builds as a Python project, and what says it is one."""

    path: Path
    reason: str


def deploy_roots(root: Path) -> tuple[DeployRoot, ...]:
    """The Python projects to check in place of `root`; empty when `root` is one itself
    (or when nothing under it is one: the rules then explain what is missing)."""
    root = root.resolve()
    if deploys_python(root) and not _entrypoint_in_nested_project(root):
        return ()
    found = list(_services(root, root))
    for folder in _nested_vercel_projects(root):
        if any(folder == r.path or folder.is_relative_to(r.path) for r in found):
            continue
        services = list(_services(folder, root))
        if services:
            found.extend(services)
        elif deploys_python(folder):
            config = _config_name(folder, root)
            found.append(DeployRoot(folder, f"{config}: a Vercel project of its own"))
    if not found and vercel_config_file(root) is None:
        found.extend(_nested_python_apps(root))
    return tuple(found)


def _entrypoint_in_nested_project(root: Path) -> bool:
    """The root's entrypoint lies in a folder with a Vercel configuration of its own, as
    Django's is found through a manage.py one level down: that folder is the project its
    vercel.json describes (ketulmehta13/Event-Management-System-Assignment: backend/
    holds manage.py and a vercel.json beside a Vite frontend/, and checked from the root
    its settings' imports resolved nowhere), unless the root has a configuration too."""
    entry = load_project(root).entrypoint
    if entry is None or vercel_config_file(root) is not None:
        return False
    folders = walk_up(root, entry.path.parent)  # up to the root, which was looked at
    return any(f != root and vercel_config_file(f) is not None for f in folders)


def _nested_python_apps(root: Path) -> Iterator[DeployRoot]:
    """Folders with a Python manifest and an app Vercel finds in them, under a root with
    no Vercel configuration that deploys nothing itself: such a folder can only be deployed
    as a project's Root Directory (ricardo-agz/vercel-python-code-agent: backend/ holds
    pyproject.toml and src/server.py's `app` beside frontend/, and the root has neither).
    The shallowest on each branch; a folder holding one is not searched further."""
    level = [root]
    for _ in range(_MAX_DEPTH):
        below: list[Path] = []
        for folder in level:
            for child in _subfolders(folder):
                if _has_manifest(child) and load_project(child).entrypoint is not None:
                    rel = child.relative_to(root).as_posix()
                    yield DeployRoot(
                        child, f"{rel}/: a Python app, deployed with {rel}/ as Root Directory"
                    )
                else:
                    below.append(child)
        level = below


def _config_name(folder: Path, root: Path) -> str:
    config = vercel_config_file(folder)
    return (config or folder / "vercel.json").relative_to(root).as_posix()


def _has_manifest(folder: Path) -> bool:
    return any((folder / name).is_file() for name in MANIFEST_ORDER)


def deploys_python(folder: Path) -> bool:
    """Whether a build of `folder` makes a Python function: an app entrypoint Vercel
    finds or is told (even a broken one: a configured path that resolves to nothing, an
    app.py that exports nothing or does not parse), a legacy `builds` entry for
    @vercel/python, or api/*.py functions (rules/_functions.py)."""
    project = load_project(folder)
    if project.entrypoint is not None or project.unresolved_entrypoint is not None:
        return True
    if project.candidates_without_export:
        return True  # the build looks there and fails: PF401 / PF1102 say why
    builds = (read_vercel_config(folder) or {}).get("builds")
    if isinstance(builds, list) and any(
        isinstance(b, dict) and "python" in str(b.get("use", "")) for b in builds
    ):
        return True
    return any(_exports(path) for path in (folder / "api").rglob("*.py"))


def _exports(path: Path) -> bool:
    tree = parse_file(path)
    return tree is not None and find_exported_name(tree) is not None


def _services(folder: Path, root: Path) -> Iterator[DeployRoot]:
    """vercel.json `services` whose `root` holds Python (a frontend service has none)."""
    services = (read_vercel_config(folder) or {}).get("services")
    if not isinstance(services, dict):
        return
    for name, service in services.items():
        where = service.get("root") if isinstance(service, dict) else None
        if not isinstance(where, str) or where.startswith("/") or ".." in where.split("/"):
            continue
        path = (folder / where).resolve()
        if path != folder and path.is_dir() and holds_python(path):
            config = (folder / "vercel.json").relative_to(root).as_posix()
            yield DeployRoot(path, f"{config}: the root of service {name!r}")


def _nested_vercel_projects(root: Path) -> Iterator[Path]:
    """Folders under `root` with a Vercel configuration (vercel.json, .toml or .ts:
    nakafaai/nakafa.com's apps/cas has only a vercel.ts), shallowest first, not inside installed
    packages, caches or hidden folders."""
    level = [root]
    for _ in range(_MAX_DEPTH):
        below: list[Path] = []
        for folder in level:
            for child in _subfolders(folder):
                if vercel_config_file(child) is not None:
                    yield child
                below.append(child)
        level = below


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as listing:
            return sorted(
                Path(entry.path)
                for entry in listing
                if entry.is_dir(follow_symlinks=False)
                and entry.name[0] != "."
                and entry.name not in _NOT_PROJECTS
                and not (Path(entry.path) / "pyvenv.cfg").exists()
            )
    except OSError:
        return []
