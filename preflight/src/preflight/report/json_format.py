"""Machine output: the project model, findings, per-rule statuses and phase timings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from preflight import __version__
from preflight.engine import Result
from preflight.files import shown_path


def _rel(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    return None if path is None else shown_path(path, root)


def _project(result: Result) -> dict[str, Any]:
    project = result.project
    root = project.root
    manifest = project.manifest
    entry = project.entrypoint
    return {
        "root": str(root),
        "manifest": manifest
        and {
            "path": _rel(manifest.path, root),
            "kind": manifest.kind,
            "reason": manifest.reason,
            "shadowed": [_rel(p, root) for p in manifest.shadowed],
            "lock": _rel(manifest.lock, root),
        },
        "python": {
            "version": project.python.version,
            "source": project.python.source,
            "path": _rel(project.python.path, root),
        },
        "entrypoint": entry
        and {"path": _rel(entry.path, root), "name": entry.name, "line": entry.line},
    }


def as_dict(result: Result) -> dict[str, Any]:
    root = result.base
    return {
        "tool": {"name": "preflight", "version": __version__},
        "target": result.target,
        "python": result.python,
        "project": _project(result),
        # the Python projects checked in place of the folder given (deploy_roots), each
        # with its folder from there and why it is one; empty when it is one itself
        "projects": [
            {"folder": _rel(p.project.root, root), "why": p.checked_as, **_project(p)}
            for p in result.parts
        ],
        "findings": [
            {
                "rule": f.rule_id,
                "fid": f.fid,
                "severity": f.severity.value,
                "message": f.message,
                "fix": f.fix,
                "path": _rel(f.location.path, root),
                "line": f.location.line,
                "column": f.location.column,
                "autofix": f.autofix.description if f.autofix else None,
            }
            for f in result.findings
        ],
        "checks": [
            {"rule": s.rule_id, "fid": s.fid, "status": s.status, "reason": s.reason}
            for s in result.statuses
        ],
        "skipped": [{"check": c, "reason": r} for c, r in result.skipped],
        # rules that raised (a bug in preflight): the run is incomplete, exit code 3
        "internal_errors": [
            {"rule": c.rule_id, "path": _rel(c.path, root), "error": c.error}
            for c in result.crashes
        ],
        "install": result.install
        and {
            "distributions": result.install[0],
            "estimated_unzipped_bytes": result.install[1],
            "source": result.install[2],
            # true: the size is a lower bound, these distributions were not counted
            "lower_bound": bool(result.install_not_counted),
            "not_counted": list(result.install_not_counted),
        },
        "stats": {
            "files": result.files,
            "lines": result.lines,
            "seconds": {k: round(v, 4) for k, v in result.timings.items()},
        },
    }


def render(result: Result) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"
