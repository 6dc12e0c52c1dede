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
- pip: the builder seeds it into the venv (`uv venv --seed`, dist/index.js line 5948)
  and installs vercel-runtime after this command with `uv pip` (line 11527), not pip.
- Swagger UI's files except the two `todo_api.http.docs` serves (its licence stays, in
  the distribution's dist-info, which is not touched).
tests/test_vercel_bundle.py builds with the real builder and checks each of these.
"""

from __future__ import annotations

import importlib.metadata
import sys
import sysconfig
from pathlib import Path

UNUSED_DISTRIBUTIONS = ("uvicorn", "click", "jinja2", "markupsafe", "pip")
# Keep in step with todo_api.http.docs._SWAGGER_FILES.
SERVED_SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
# Where @vercel/python 25 makes the function's venv (dist/index.js: workPath/.vercel/python/.venv).
BUILDER_VENV = (".vercel", "python", ".venv")


def remove_distribution(site_packages: Path, name: str) -> int:
    """Delete an installed distribution's files (as `pip uninstall` would); bytes freed."""
    found = importlib.metadata.distributions(name=name, path=[str(site_packages)])
    dist = next(iter(found), None)
    if dist is None:
        return 0
    freed = 0
    paths = [Path(str(dist.locate_file(entry))) for entry in dist.files or ()]
    for path in paths:
        if path.is_file():
            freed += path.stat().st_size
            path.unlink()
    for path in paths:
        _prune_empty(path.parent, site_packages)
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


def trim(site_packages: Path) -> int:
    """Everything above, in one site-packages folder; bytes freed."""
    freed = trim_swagger_ui(site_packages)
    return freed + sum(remove_distribution(site_packages, n) for n in UNUSED_DISTRIBUTIONS)


def main() -> None:
    # Only the builder's own venv (<project>/.vercel/python/.venv): run by hand in a
    # developer's .venv it would take `todo-api serve` away.
    if sys.prefix == sys.base_prefix or Path(sys.prefix).parts[-3:] != BUILDER_VENV:
        sys.exit(f"trim_vercel_bundle: {sys.prefix} is not Vercel's build venv; nothing removed")
    freed = trim(Path(sysconfig.get_paths()["purelib"]))
    print(f"trim_vercel_bundle: {freed / 1e6:.1f} MB left out of the function")


if __name__ == "__main__":
    main()
