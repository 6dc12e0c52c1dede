"""Find the host tools the emulator drives: a CPython of the wanted version, uv, node, npm.

pyenv shims are skipped on purpose: they resolve through the caller's pyenv settings and
misbehave when called from another directory, which is exactly what a build does.
"""

from __future__ import annotations

import glob
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from preflight.emulate.errors import EmulatorError


def _path_without_shims() -> str:
    entries = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(e for e in entries if e and "/.pyenv/shims" not in e)


def which(name: str) -> Path | None:
    """`shutil.which` that never answers with a pyenv shim."""
    found = shutil.which(name, path=_path_without_shims())
    return Path(found) if found else None


def _works(python: Path, version: str) -> bool:
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def find_python(version: str) -> Path:
    """A working `python<version>` interpreter (CPython X.Y), or EmulatorError.

    Order: $PREFLIGHT_PYTHON_<X_Y>, PATH, pyenv versions, /usr/bin, then `uv python find`.
    Symlinks are resolved: a virtualenv's `python3.12` (an activated .venv, often inside
    the very project being checked) becomes its base interpreter, which the sandbox can
    see and which brings no installed packages along.
    """
    override = os.environ.get(f"PREFLIGHT_PYTHON_{version.replace('.', '_')}")
    candidates: list[Path] = [Path(override)] if override else []
    on_path = which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = str(home / "versions" / f"{version}*" / "bin" / f"python{version}")
    candidates.extend(Path(p) for p in sorted(glob.glob(pattern), reverse=True))
    candidates.append(Path(f"/usr/bin/python{version}"))
    for candidate in candidates:
        if candidate.is_file() and _works(candidate, version):
            return candidate.resolve()
    try:
        out = subprocess.run(
            [str(find_uv()), "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except EmulatorError:
        out = None
    if out is not None and out.returncode == 0:
        found = Path(out.stdout.strip())
        if _works(found, version):
            return found.resolve()
    raise EmulatorError(
        f"no CPython {version} found; install it (e.g. `uv python install {version}`) "
        f"or set PREFLIGHT_PYTHON_{version.replace('.', '_')}"
    )


def find_uv() -> Path:
    """A real uv binary (never a pyenv shim), for the builder's PATH and the bundler.

    Tried in order: the one installed with preflight (PyPI `uv`), uv beside this Python,
    on PATH, in ~/.local/bin and ~/.cargo/bin, then in pyenv's versions. The later places
    matter when something (`uv sync` in the same venv) removed preflight's own copy.
    """
    try:
        # imported by name: the binary, not the (untyped, optional) module, is what we need
        uv = importlib.import_module("uv")
        found = Path(uv.find_uv_bin())
        if found.is_file():
            return found
    except (ImportError, FileNotFoundError):
        pass
    home = Path.home()
    pyenv = Path(os.environ.get("PYENV_ROOT", home / ".pyenv"))
    candidates = [
        Path(sys.executable).parent / "uv",
        which("uv"),
        home / ".local" / "bin" / "uv",
        home / ".cargo" / "bin" / "uv",
        *(Path(p) for p in sorted(glob.glob(str(pyenv / "versions" / "*" / "bin" / "uv")))),
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise EmulatorError("uv not found; install it with `pip install uv`")
