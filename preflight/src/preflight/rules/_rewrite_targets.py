"""What a vercel.json rewrite's destination names: a path below the function's own, an
api/ file, or no function at all. PF403 (routing.py) turns these into findings.
"""

from __future__ import annotations

from pathlib import Path

from preflight.files import file_exists
from preflight.project import Entrypoint
from preflight.vercel_config import read_vercel_config


def rewrites_below(root: Path, entry: Entrypoint) -> list[tuple[str, str]]:
    """Rewrites to a path under the entrypoint file's function path (`/api/index/mcp`).

    A zero-config function's route matches its path exactly (fs-detectors
    detect-builders.ts createRouteFromPath: `^/api(/|/index|/index\\.py)?$` for
    api/index.py, at 17d9ebaf8e), so nothing answers below it; civictechdc/spicy-regs
    rewrote /mcp to /api/index/mcp and every request answered NOT_FOUND (its PR #64)."""
    rewrites = (read_vercel_config(root) or {}).get("rewrites")
    function = "/" + entry.path.relative_to(root).with_suffix("").as_posix()
    prefixes = (function + "/", function + ".py/")
    found = []
    for rewrite in rewrites if isinstance(rewrites, list) else []:
        destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
        if isinstance(destination, str) and destination.split("?")[0].startswith(prefixes):
            found.append((str(rewrite.get("source")), destination))
    return found


def api_file(root: Path, path: str) -> str | None:
    """The api/ file whose function path `path` is under "Other": `api/x.py` itself,
    `api/x` for api/x.py, and `api` or `api/x` for an index.py in that folder (zero-config
    functions drop `/index`: fs-detectors detect-builders.ts `createRouteFromPath` at
    17d9ebaf8e). Ub207/phase-4-todo's backend rewrites every path to `/api`."""
    if path != "api" and not path.startswith("api/"):
        return None
    files = [path] if path.endswith(".py") else [f"{path}.py", f"{path}/index.py"]
    return next((f for f in files if file_exists(root / f)), None)


def rewrites_to_no_function(root: Path, own: set[str]) -> list[tuple[str, str]]:
    """Rewrites to an /api path that no file makes a function and no static file serves
    (am-eric-kweyunga/sarufi-flask-vercel rewrites /(.*) to /api/index beside a root
    index.py app and has no api/ folder). `own` holds the app's own function paths."""
    rewrites = (read_vercel_config(root) or {}).get("rewrites")
    found = []
    for rewrite in rewrites if isinstance(rewrites, list) else []:
        destination = rewrite.get("destination") if isinstance(rewrite, dict) else None
        if not isinstance(destination, str):
            continue
        path = destination.split("?")[0]
        if path in own or "$" in path or ":" in path or "(" in path:
            continue
        bare = path.strip("/")
        if bare != "api" and not bare.startswith("api/"):
            continue
        if api_file(root, bare) is None and not _static(root, bare):
            found.append((str(rewrite.get("source")), destination))
    return found


def _static(root: Path, path: str) -> bool:
    """A file of any kind at that path (or with an extension: api/index.js), or under
    public/: something other than the Python app may answer there."""
    for base in (root, root / "public"):
        target = base / path
        if file_exists(target, "any") or any(target.parent.glob(f"{target.name}.*")):
            return True
    return False
