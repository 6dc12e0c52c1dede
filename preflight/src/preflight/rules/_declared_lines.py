"""The manifest line a finding about an installed distribution points at.

A distribution nobody declared (a dependency of a dependency) is changed through the
declaration that pulls it in, so that line is the one shown: Health-AI's mysqlclient came
from `mysql==0.0.3`, but findings pointed at line 1 of its requirements.txt.
"""

from __future__ import annotations

from preflight.context import CheckContext
from preflight.deps.declared import Declared
from preflight.deps.resolve import Resolved
from preflight.findings import Location


def declared_as(ctx: CheckContext, resolved: Resolved) -> tuple[Location, str]:
    """Where `resolved` is declared, and the words naming who pulls it in ("" when it is
    declared itself)."""
    if resolved.via is not None:
        return _declaration_location(ctx, resolved.via), ""
    parent = _pulled_in_by(ctx, resolved.name)
    if parent is None:
        return _declaration_location(ctx, None), " (a dependency of your dependencies)"
    return _declaration_location(ctx, parent.via), f" (a dependency of {parent.name})"


def _pulled_in_by(ctx: CheckContext, name: str) -> Resolved | None:
    """The first declared distribution whose dependencies, followed down, reach `name`."""
    packages = ctx.resolution.packages
    for top in packages.values():
        if top.via is None:
            continue
        seen = {top.name}
        todo = list(top.requires)
        while todo:
            current = todo.pop()
            if current == name:
                return top
            if current not in seen and current in packages:
                seen.add(current)
                todo.extend(packages[current].requires)
    return None


def _declaration_location(ctx: CheckContext, via: Declared | None) -> Location:
    if via is not None:
        return Location(via.path, via.line)
    manifest = ctx.project.manifest
    return Location(manifest.path if manifest else ctx.project.root / "pyproject.toml", 1)
