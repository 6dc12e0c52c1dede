"""F4 / F18: no entrypoint Vercel can detect.

Vercel looks for {app,index,server,main,wsgi,asgi}.py in '', src/, app/ and api/ and
accepts a file only if a top-level statement binds `app` or `application` (assignment,
def, `from x import`) or defines a class named `handler`
(packages/python/src/entrypoint.ts, python-analysis/.../entrypoint.rs). `handler = app`
and an app built only inside a factory function are not detected: the build fails, or
the file is published as a static file and every route 404s (F18). api/*.py files that
are functions of their own (the "Other" preset, legacy `builds`) need no entrypoint:
see rules/_functions.py; whether they work then hangs on the preset, which is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.preset import MANIFESTS, PYTHON_PRESETS, detect
from preflight.project import Project, api_function_files, parse_file
from preflight.project.manifest import walk_up
from preflight.rules import _entrypoint_examples as examples
from preflight.rules._apps import exports_elsewhere, factory_elsewhere
from preflight.rules._entrypoint_hints import (
    Hint,
    explain_candidate,
    explain_elsewhere,
    explain_preset_dependent,
    explain_unresolved,
)
from preflight.rules._functions import Framework, framework_setting, glob_built
from preflight.rules.base import VERCEL_ONLY, ProjectRule
from preflight.vercel_config import builders_without_python


class NoEntrypoint(ProjectRule):
    """Nothing Vercel would import: explains which candidate failed and why."""

    id = "PF401"
    fid = "F4"
    name = "no-detectable-entrypoint"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "no Python entrypoint Vercel can detect"
    fix = (
        "export a top-level `app` in app.py, index.py, main.py... (or set [tool.vercel] entrypoint)"
    )

    VALID = examples.VALID
    INVALID = examples.INVALID

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        project = ctx.project
        if project.entrypoint is not None:
            return
        if project.unresolved_entrypoint is not None:
            yield self._finding(explain_unresolved(project, project.unresolved_entrypoint))
            return
        if glob_built(project.root) or builders_without_python(project.root) is not None:
            return  # vercel.json `builds` name the functions: no entrypoint is looked for
        functions = api_function_files(project.root)
        framework = framework_setting(project.root)
        if functions and framework.slug not in PYTHON_PRESETS:
            # pinned, or a non-Python preset detected (Next.js wins): it keeps them functions
            detected = None if framework.pinned else detect(project.root)
            if not framework.pinned and detected in {None, *PYTHON_PRESETS}:
                hint = explain_preset_dependent(project, functions)
                if hint is not None:
                    yield self._finding(hint)
            return
        if not functions and _builds_no_python(project.root, framework):
            return
        if not functions and _python_is_another_project(project.root, framework, project):
            return
        for candidate in project.candidates_without_export:
            if parse_file(candidate) is None and ctx.config.enabled("PF1102", "F11"):
                continue  # one finding per cause: PF1102 reports the syntax error itself
            yield self._finding(explain_candidate(candidate, project.root))
        if not project.candidates_without_export:
            hint = explain_elsewhere(project)
            yield self.at(Location(project.root, 1)) if hint is None else self._finding(hint)

    def _finding(self, hint: Hint) -> Finding:
        return self.at(
            hint.location, hint.message, hint.fix, severity=hint.severity, autofix=hint.autofix
        )


def _builds_no_python(root: Path, framework: Framework) -> bool:
    """A non-Python preset with no api/ function builds no Python at all (a Next.js app's
    leftover requirements.txt): a new project gets the detected preset, and an older one
    "Other", which builds only api/ files. "Other" pinned in vercel.json keeps the check."""
    preset = framework.slug if framework.pinned else detect(root)
    return preset is not None and preset not in PYTHON_PRESETS


def _python_is_another_project(root: Path, framework: Framework, project: Project) -> bool:
    """The root is configured for Vercel (a vercel.json) but nothing there makes it a
    Python deploy (no preset, no manifest, no api/), and every candidate belongs to a
    folder with a manifest of its own that another host deploys (render.yaml, a Procfile,
    a Dockerfile): MariyaMomin/EchoMind's Vite SPA at the root, its FastAPI backend/ on
    Render. Vercel builds no Python from this root, and the backend is not meant to run
    there. (A folder without another host's file wants its Root Directory set, and a root
    without a vercel.json may be what the user means to deploy: both stay errors.)"""
    if framework.pinned or detect(root) is not None or not (root / "vercel.json").is_file():
        return False  # without a vercel.json, the root may be what the user means to deploy
    candidates = list(project.candidates_without_export)
    candidates += [path for path, _, _ in exports_elsewhere(root)]
    factory = factory_elsewhere(root)
    candidates += [factory[0]] if factory is not None else []
    return bool(candidates) and all(_deployed_elsewhere(root, c) for c in candidates)


# Files that say a folder is deployed by another host (Render, Heroku and kin, a
# container platform, Fly.io, Railway, App Engine).
_OTHER_HOSTS = ("render.yaml", "Procfile", "Dockerfile", "fly.toml", "railway.json", "app.yaml")


def _deployed_elsewhere(root: Path, candidate: Path) -> bool:
    """The nearest folder above `candidate` (below the root) with a manifest of its own
    holds another host's deploy file."""
    for folder in walk_up(root, candidate.parent):
        if folder == root:
            return False
        if any((folder / name).is_file() for name in MANIFESTS):
            own = any((folder / name).is_file() for name in _OTHER_HOSTS)
            return own or folder.relative_to(root).as_posix() in _render_roots(root)
    return False


_ROOT_DIR = re.compile(r"^\s*rootDir:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def _render_roots(root: Path) -> set[str]:
    """The folders a root-level render.yaml deploys (`rootDir: backend`: poorval/Finance-
    Buddy-Notebook's FastAPI backend/ on Render, while the root vercel.json only rewrites
    /api to it)."""
    try:
        text = (root / "render.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {found.strip("/").removeprefix("./") for found in _ROOT_DIR.findall(text)}
