"""`preflight check` on this repository's own deployable app (todo_api at the root):
it must come out clean, in CI, or the checker and the app disagree about Vercel."""

from __future__ import annotations

from pathlib import Path

import pytest
from preflight.project import read_toml

from .conftest import Check

ROOT = Path(__file__).resolve().parents[3]


def test_repository_root_has_no_findings(check: Check, tmp_path: Path) -> None:
    data = read_toml(ROOT / "pyproject.toml") or {}
    if data.get("project", {}).get("name") != "todo-api":
        pytest.skip("not inside the todo_api repository")
    # uv.lock makes the dependency checks exact; an empty cache proves no index is needed
    result = check(ROOT, cache_dir=tmp_path / "cache")
    assert [
        f"{f.rule_id} {f.location.path}:{f.location.line} {f.message}" for f in result.findings
    ] == []
    assert result.project.entrypoint is not None
    assert result.skipped == []
