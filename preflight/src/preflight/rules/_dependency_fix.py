"""PF201's autofix: declaring a missing distribution in the manifest Vercel installs from.

Why its own module: the rule decides *whether* an import is unprovided; this decides how
one line of requirements.txt or pyproject.toml changes, and `--fix` re-checks the result.
"""

from __future__ import annotations

import re

from preflight.findings import Edit, Fix
from preflight.project import Project, read_toml


def dependency_fix(project: Project, dist: str) -> Fix | None:
    """The edit that declares `dist` where Vercel installs from: a line appended to
    requirements.txt, or an entry in pyproject's [project] dependencies (added to the
    list, or a new list when the table has none); None when the manifest's layout is not
    one a line edit can change safely."""
    manifest = project.manifest
    description = f"add {dist} to the dependencies Vercel installs"
    if manifest is None:
        return Fix.append(project.root / "requirements.txt", dist, description)
    if manifest.kind == "requirements.txt":
        return Fix.append(manifest.path, dist, description)
    if manifest.kind != "pyproject" or not manifest.has_project_table:
        return None
    lines = manifest.path.read_text(encoding="utf-8").splitlines()
    in_project = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            in_project = stripped == "[project]"
            continue
        if in_project and re.match(r"dependencies\s*=\s*\[", stripped):
            if stripped.endswith("["):
                return Fix.insert_after(manifest.path, index + 1, f'    "{dist}",', description)
            if stripped.endswith("]"):
                body = line[: line.rindex("]")].rstrip()
                sep = "" if body.endswith("[") else ", "
                return Fix(
                    manifest.path,
                    (_replace_line(index, f'{body}{sep}"{dist}"]'),),
                    description,
                )
            return None
    data = read_toml(manifest.path) or {}
    if "dependencies" in (data.get("project") or {}):
        return None
    for index, line in enumerate(lines):
        if line.strip() == "[project]":
            return Fix.insert_after(
                manifest.path, index + 1, f'dependencies = ["{dist}"]', description
            )
    return None


def _replace_line(index: int, text: str) -> Edit:
    return Edit(index, index + 1, text + "\n")
