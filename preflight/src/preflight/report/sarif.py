"""SARIF 2.1.0 for GitHub code scanning: one run, every rule described, results with
repository-relative URIs under %SRCROOT% (what code scanning resolves against).

%SRCROOT% is the working directory when the project lies inside it, else the project:
code scanning wants paths from the repository root, and CI (the GitHub Action) runs in
the checkout, so `preflight check backend -f sarif` must name `backend/app.py`, not
`app.py`, or the alert lands on a file that does not exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from preflight import __version__
from preflight.catalogue import CATALOGUE
from preflight.engine import Result
from preflight.findings import Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _uri(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_uri()


def _source_root(project: Path) -> Path:
    cwd = Path.cwd().resolve()
    return cwd if project.resolve().is_relative_to(cwd) else project


def _help(fix: str, fid: str) -> dict[str, str]:
    """The rule's fix, then its failure mode as the catalogue explains it."""
    f = CATALOGUE[fid]
    where = f"{fid} {f.title}, explained in {f.anchor}"
    return {
        "text": f"{fix}. {where}: {f.cause} Fix: {f.fix}",
        "markdown": f"{fix}\n\n**{where}**\n\n- Why: {f.cause}\n- Fix: {f.fix}",
    }


def as_dict(result: Result) -> dict[str, Any]:
    root = _source_root(result.base)
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.message},
            "fullDescription": {"text": (r.__doc__ or r.message).strip()},
            "help": _help(r.fix, r.fid),
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
            "properties": {"tags": [r.fid, "serverless", "vercel"]},
        }
        for r in rules
    ]
    results = []
    for f in result.findings:
        loc = f.location
        region: dict[str, int] = {"startLine": max(loc.line, 1)}
        if loc.column > 0:
            region["startColumn"] = loc.column
        if loc.end_line and loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
            if loc.end_column and (loc.end_line > loc.line or loc.end_column > loc.column):
                region["endColumn"] = loc.end_column
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": index[f.rule_id],
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message}. Fix: {f.fix}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": _uri(loc.path, root),
                                "uriBaseId": "%SRCROOT%",
                            },
                            **({} if loc.path.is_dir() else {"region": region}),
                        }
                    }
                ],
                "properties": {"fid": f.fid},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "preflight",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not result.crashes,
                        "toolExecutionNotifications": [
                            *(
                                {"level": "note", "message": {"text": f"skipped {c}: {r}"}}
                                for c, r in result.skipped
                            ),
                            *(
                                {
                                    "level": "error",
                                    "message": {
                                        "text": f"internal error in {c.rule_id}: {c.error}"
                                    },
                                }
                                for c in result.crashes
                            ),
                        ],
                    }
                ],
            }
        ],
    }


def render(result: Result) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"
