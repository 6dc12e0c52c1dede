"""Which files the function runs when no entrypoint was detected.

With no entrypoint, the import closure cannot be followed from it, so every Python file is
checked. Nothing says the function imports a given file, though: a script, a second app,
or a folder the build leaves out all count. The api/*.py functions are known, and each of
them is an entrypoint of its own, so the files they import are known to run. For any
other file, an error is only as sure as "the function imports it" (RAJITHAREDDYTIRUTHANI/
b2twin-rag: api/index.py's `handler = LazyApp()` hides the entrypoint, and web_interface.py,
a second app nothing imports, had two PF501 errors).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.closure import build_closure
from preflight.findings import Finding, Severity
from preflight.one_pass import remembered
from preflight.project.entrypoint import preset_builds_no_python
from preflight.rules._functions import legacy_built
from preflight.vercel_config import builders_without_python, read_vercel_config


def reached_without_entrypoint(ctx: CheckContext) -> set[Path] | None:
    """With no entrypoint, the files the api/*.py functions import (each such file is a
    function of its own); None when there is an entrypoint (its closure is what runs)."""
    if ctx.project.entrypoint is not None:
        return None
    root = ctx.project.root
    return remembered(("reached without entrypoint", root), lambda: _reached(root))


def _reached(root: Path) -> set[Path]:
    reached: set[Path] = set()
    for path in functions_without_entrypoint(root):
        if not path.name.startswith(("_", ".")):
            reached |= {m.path for m in build_closure(root, path).modules}
    return reached


def functions_without_entrypoint(root: Path) -> list[Path]:
    """api/*.py, each a function of its own; but legacy `builds` turn zero-config off, so
    then only the files their @vercel/python `src` names are functions (JaesikYun-jax/
    flask-vercel 70b12fc builds api/vercel_handler.py alone: api/admin_login.py's jwt import
    never runs, yet it was an error)."""
    builds = (read_vercel_config(root) or {}).get("builds")
    if isinstance(builds, list) and builds:
        return sorted({path for _, path in legacy_built(root)})
    api = root / "api"
    return sorted(api.glob("*.py")) if api.is_dir() else []


def softened(finding: Finding, depends: str) -> Finding:
    """An error becomes a warning that says what it depends on."""
    if finding.severity != Severity.ERROR:
        return finding
    return dataclasses.replace(
        finding, severity=Severity.WARNING, message=f"{finding.message}, {depends}"
    )


def unsure_outside_functions(
    ctx: CheckContext,
    finding: Finding,
    keep: frozenset[Path] = frozenset(),
    per_module: bool = True,
) -> Finding:
    """With no entrypoint, an error about a module (`per_module`) that no api/*.py
    function (nor `keep`) is known to import becomes a warning that says it depends on
    that import; when vercel.json `builds` name no Python builder at all, every error
    about Python code or dependencies does (the configuration's own, F4, and what is
    published, F18, stay)."""
    if ctx.project.entrypoint is not None or finding.severity != Severity.ERROR:
        return finding
    if finding.fid in {"F4", "F18"}:
        return finding
    others = builders_without_python(ctx.project.root)
    if others is not None:
        return softened(
            finding, f"if Python is deployed: vercel.json `builds` use only {', '.join(others)}"
        )
    preset = preset_builds_no_python(ctx.project.root)
    if preset is not None:
        return softened(
            finding,
            f"if Python is deployed: the {preset} preset builds only api/*.py functions, "
            "and there are none",
        )
    reached = reached_without_entrypoint(ctx)
    path = finding.location.path
    if not per_module or reached is None or path in reached or path in keep:
        return finding
    try:
        rel = path.relative_to(ctx.project.root).as_posix()
    except ValueError:
        return finding
    return softened(
        finding,
        f"if the function imports {rel} (no entrypoint was detected, so which files it "
        "imports is unknown)",
    )
