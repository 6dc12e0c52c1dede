"""Shared fixtures for `preflight check` tests.

Every test works offline from the committed PyPI cache (fixtures/check/pypi-cache), so
the suite is deterministic. To refresh that cache after changing a fixture, run the
tests once with PREFLIGHT_TEST_ONLINE=1: missing entries are fetched and written there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from preflight.engine import Result, run_check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check"
APPS = FIXTURES / "apps"
CACHE = FIXTURES / "pypi-cache"
ONLINE = os.environ.get("PREFLIGHT_TEST_ONLINE") == "1"

Check = Callable[..., Result]
MakeProject = Callable[[Mapping[str, str | bytes]], Path]


def check_project(path: Path, **kwargs: Any) -> Result:
    kwargs.setdefault("offline", not ONLINE)
    kwargs.setdefault("cache_dir", CACHE)
    return run_check(path, **kwargs)


@pytest.fixture
def check() -> Check:
    return check_project


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    counter = iter(range(1000))

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / f"p{next(counter)}"
        root.mkdir()
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make
