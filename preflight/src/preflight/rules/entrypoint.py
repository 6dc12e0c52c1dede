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

from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.preset import PYTHON_PRESETS, detect
from preflight.project import parse_file
from preflight.rules import _entrypoint_examples as examples
from preflight.rules._entrypoint_hints import (
    Hint,
    explain_candidate,
    explain_elsewhere,
    explain_preset_dependent,
    explain_unresolved,
)
from preflight.rules._functions import Framework, api_functions, framework_setting, glob_built
from preflight.rules.base import VERCEL_ONLY, ProjectRule


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
        if glob_built(project.root):
            return  # vercel.json `builds` name the functions: no entrypoint is looked for
        functions = api_functions(project.root)
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
