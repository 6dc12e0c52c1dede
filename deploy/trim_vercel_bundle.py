"""Vercel's build command: remove from the function's venv what the function never runs.

Why here and not in `excludeFiles`: Vercel's Python builder applies `excludeFiles` only
to the glob of the project's own files. In vercel/vercel packages/python/src/index.ts
(commit 17d9ebaf, lines 1413-1421) `globOptions.ignore` is `predefinedExcludes` plus
`config.excludeFiles` for `glob('**', {cwd: workPath})`, and `predefinedExcludes`
(lines 1372-1389) drops `.vercel/**`, where the venv lives; the installed packages
reach the bundle separately, mirrored from each distribution's RECORD
(src/installed-distributions.ts lines 157-187, `mirrorPackagesIntoVendor`), which no
pattern filters and which skips a listed file that no longer exists (lines 189-200).
@vercel/python 25.0.0, the one `preflight run` uses, is the same (dist/index.js
`packFunctionBundle`, lines 11683-11686 and 10855-10890). Measured with it: a pattern
matching `_vendor/**` and `**/uvicorn/**` left every installed file in the function.
The build command runs after the install, in that venv (`createVenvEnv`: `VIRTUAL_ENV`,
its `bin` first on PATH), so what it deletes does not ship.

What goes, and why it is safe:
- uvicorn and click serve only `todo-api serve`. sse-starlette (under the MCP SDK) tries
  `from uvicorn.main import Server` and carries on without it (ImportError is handled).
- jinja2 and markupsafe come with swagger-ui-bundle-v2; nothing here imports them
  (starlette's templating is never loaded).
- The MCP SDK's client side: jsonschema (with attrs, referencing, rpds-py and
  jsonschema-specifications) is imported only by mcp/client/session.py, lazily, to check
  a server's tool results; httpcore2 (with h11 and truststore) only when an httpx2 client
  sends a request, which the server side never does (its one client, an HttpResource,
  is for resources, and todo_api registers none; h11 is otherwise uvicorn's). msgspec
  imports attrs only for an attrs class, and none can exist without it.
- cffi's Python package and pycparser: they compile C declarations (cdef), which
  nothing does at run time; argon2's compiled bindings load only `_cffi_backend`, which
  stays, with cffi's dist-info (Vercel mirrors a distribution's files from it).
- Type stubs (`*.pyi`): for type checkers, never imported.
- pip: the builder seeds it into the venv (`uv venv --seed`, dist/index.js line 5948)
  and installs vercel-runtime after this command with `uv pip` (line 11527), not pip.
- Swagger UI's files except the two `todo_api.http.docs` serves (its licence stays, in
  the distribution's dist-info, which is not touched).
- Compiled modules' symbol tables and debug sections (`strip --strip-unneeded`, as
  serverless-python-requirements' `slim` does): the dynamic symbols a module is loaded
  and linked by stay in .dynsym, which strip keeps. cryptography's Rust extension goes
  from 14.4 to 11.6 MB. Vercel's build image has gcc, and so binutils' strip
  (vercel.com/docs/deployments/build-image/build-image); without it nothing is stripped.
tests/test_vercel_bundle.py builds with the real builder and checks each of these;
none of them loaded while a served app answered REST, /docs, EdDSA and every MCP tool
(a `sys.modules` dump at exit, 2026-12-03).
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

UNUSED_DISTRIBUTIONS = (
    *("uvicorn", "click", "jinja2", "markupsafe", "pip"),
    *("jsonschema", "jsonschema-specifications", "referencing", "rpds-py", "attrs"),
    *("httpcore2", "h11", "truststore", "pycparser"),
)
# Packages whose distribution stays (for a compiled module beside them) but whose folder goes.
UNUSED_PACKAGES = ("cffi",)
# Keep in step with todo_api.http.docs._SWAGGER_FILES.
SERVED_SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
# Where @vercel/python 25 makes the function's venv (dist/index.js: workPath/.vercel/python/.venv).
BUILDER_VENV = (".vercel", "python", ".venv")


def remove_files(paths: Iterable[Path]) -> int:
    """Delete these files (those that are files); bytes freed."""
    freed = 0
    for path in list(paths):
        if path.is_file():
            freed += path.stat().st_size
            path.unlink()
    return freed


def remove_distribution(site_packages: Path, name: str) -> int:
    """Delete an installed distribution's files (as `pip uninstall` would); bytes freed."""
    found = importlib.metadata.distributions(name=name, path=[str(site_packages)])
    dist = next(iter(found), None)
    if dist is None:
        return 0
    paths = [Path(str(dist.locate_file(entry))) for entry in dist.files or ()]
    freed = remove_files(paths)
    for path in paths:
        _prune_empty(path.parent, site_packages)
    return freed


def remove_package(site_packages: Path, name: str) -> int:
    """Delete one import package's folder, leaving its distribution's other files; bytes freed."""
    folder = site_packages / name
    if not folder.is_dir():
        return 0
    freed = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    shutil.rmtree(folder)
    return freed


def _prune_empty(folder: Path, site_packages: Path) -> None:
    """Drop `folder` and its parents while empty, stopping at site-packages."""
    while folder != site_packages and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def trim_swagger_ui(site_packages: Path) -> int:
    """Delete Swagger UI's files the docs page never loads; bytes freed."""
    freed = 0
    for folder in (site_packages / "swagger_ui_bundle" / "vendor").glob("swagger-ui-*"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name not in SERVED_SWAGGER_FILES:
                freed += path.stat().st_size
                path.unlink()
    return freed


def strip_shared_objects(site_packages: Path) -> int:
    """Strip every ELF shared object's unneeded symbols and debug sections; bytes freed.
    0 when binutils' strip is not installed, after saying so."""
    strip = shutil.which("strip")
    if strip is None:
        print("trim_vercel_bundle: no strip on PATH; compiled modules ship unstripped")
        return 0
    objects = [p for p in site_packages.rglob("*.so*") if p.is_file() and _is_elf(p)]
    before = sum(p.stat().st_size for p in objects)
    for path in objects:
        _own_copy(path)
    for start in range(0, len(objects), 200):  # a bounded command line
        batch = [str(p) for p in objects[start : start + 200]]
        subprocess.run([strip, "--strip-unneeded", *batch], check=True)
    return before - sum(p.stat().st_size for p in objects)


def _own_copy(path: Path) -> None:
    """Give a hard-linked file an inode of its own before strip rewrites it.

    uv installs by hard-linking its cache, and binutils' strip keeps a file's links by
    writing the stripped bytes back into the same inode: every venv sharing that cache
    entry got its module rewritten under whatever process had it mapped. The bench's
    parent, holding msgspec's, crashed with SIGSEGV in the next garbage collection, as
    did test runs beside it (2026-12-08). A copy renamed over the path leaves the shared
    inode alone.
    """
    if path.stat().st_nlink < 2:
        return
    copy = path.with_name(path.name + ".own")
    shutil.copy2(path, copy)
    copy.replace(path)


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def trim(site_packages: Path) -> int:
    """Everything above, in one site-packages folder; bytes freed."""
    freed = trim_swagger_ui(site_packages)
    freed += sum(remove_distribution(site_packages, n) for n in UNUSED_DISTRIBUTIONS)
    freed += sum(remove_package(site_packages, name) for name in UNUSED_PACKAGES)
    freed += remove_files(site_packages.rglob("*.pyi"))
    return freed + strip_shared_objects(site_packages)


def main() -> None:
    # Only the builder's own venv (<project>/.vercel/python/.venv): run by hand in a
    # developer's .venv it would take `todo-api serve` away.
    if sys.prefix == sys.base_prefix or Path(sys.prefix).parts[-3:] != BUILDER_VENV:
        sys.exit(f"trim_vercel_bundle: {sys.prefix} is not Vercel's build venv; nothing removed")
    freed = trim(Path(sysconfig.get_paths()["purelib"]))
    print(f"trim_vercel_bundle: {freed / 1e6:.1f} MB left out of the function")


if __name__ == "__main__":
    main()
