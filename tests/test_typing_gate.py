"""The typing gate of issue 14: mypy strict covers both products and their tests, for the
oldest CPython either package declares, and the tests carry no `type: ignore`.

Why a test: `make test` runs mypy with pyproject's configuration, so a path dropped from
`files` or a `python_version` left behind when Requires-Python moves silently narrows what
it proves (3.11-only syntax slipping in under python_version 3.12, say). A test that
passes a deliberately wrong type says so with `typing.cast` or a typed helper instead of
an ignore, so the reason is in the code.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [ROOT / "pyproject.toml", ROOT / "preflight" / "pyproject.toml"]
CHECKED = ["src", "preflight/src", "tests", "preflight/tests"]
TEST_ROOTS = [ROOT / "tests", ROOT / "preflight" / "tests"]
# The sample apps preflight reads are users' projects, not our code (mypy and ruff skip them).
FIXTURES = ROOT / "preflight" / "tests" / "fixtures"


def _mypy() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(PACKAGES[0].read_text())["tool"]["mypy"]
    return config


def _oldest_python(requires: str) -> Version:
    """The oldest 3.x series Requires-Python admits: '3.N.99' stands for the series, so a
    floor such as >=3.11.2 still counts 3.11 and an upper bound never hides the oldest."""
    spec = SpecifierSet(requires)
    return min(Version(f"3.{minor}") for minor in range(40) if f"3.{minor}.99" in spec)


def test_mypy_is_strict_over_both_products_and_their_tests() -> None:
    config = _mypy()
    assert config["strict"] is True
    assert set(CHECKED) <= set(config["files"]), config["files"]


def test_mypy_targets_the_oldest_python_the_packages_declare() -> None:
    declared = [tomllib.loads(p.read_text())["project"]["requires-python"] for p in PACKAGES]
    oldest = min(_oldest_python(requires) for requires in declared)
    assert Version(_mypy()["python_version"]) == oldest, declared


def test_oldest_python_reads_floors_and_ceilings() -> None:
    assert _oldest_python(">=3.11") == Version("3.11")
    assert _oldest_python(">=3.11.2,<3.14") == Version("3.11")
    assert _oldest_python("~=3.12") == Version("3.12")


def test_tests_carry_no_type_ignore() -> None:
    ignore = re.compile(r"#\s*type:\s*ignore")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for root in TEST_ROOTS
        for path in sorted(root.rglob("*.py"))
        if not path.is_relative_to(FIXTURES)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ignore.search(line)
    ]
    assert not found, found
