"""Which uploaded .py files are the app's own code (for rules that read code when no
entrypoint says which files the function imports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from preflight.files import in_site_packages, uploaded_files
from preflight.one_pass import remembered

_NOT_APP_FOLDERS = frozenset({"tests", "test", "build", "dist", "env", ".env"})


def iter_python_files(root: Path) -> Iterable[Path]:
    """Uploaded .py files that are app code: not tests, not build output, not a committed
    virtualenv (listed once per check: the closure and the entrypoint hints each ask)."""
    return iter(remembered(("python files", root), lambda: list(_python_files(root))))


def _python_files(root: Path) -> Iterator[Path]:
    depth = len(root.parts)  # the walk yields paths under root: cheaper than relative_to
    files = list(uploaded_files(root))
    # a committed venv (Nitinsharwal/Erp_soft's erp_envr/) is third-party code: not the app
    venvs = {path.parent.parts[depth:] for path in files if path.name == "pyvenv.cfg"} - {()}
    for path in files:
        folders = path.parts[depth:-1]
        if path.suffix != ".py" or path.name.startswith("test_") or path.name == "conftest.py":
            continue
        if (
            not _NOT_APP_FOLDERS.isdisjoint(folders)
            or any(folders[: len(venv)] == venv for venv in venvs)
            or in_site_packages(folders)
        ):
            continue
        yield path
