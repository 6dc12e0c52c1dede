"""PF1103: a name read at import and bound nowhere is an error only where it surely runs:
in a module the entrypoint imports, outside any branch (shubham-123-gh/trip_geine's
`Flask(_name_)`); under a branch it is a warning, and a file the app never imports is
not read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import Check, MakeProject


def _levels(check: Check, root: Path) -> dict[tuple[str, int], str]:
    result = check(root, only={"PF1103"})
    assert result.crashes == []
    return {(f.location.path.name, f.location.line): f.severity.value for f in result.findings}


def test_a_typo_in_the_entrypoint_is_an_error(check: Check, make_project: MakeProject) -> None:
    root = make_project(
        {
            "api/app.py": "from flask import Flask\nfrom helpers import cors\n\n"
            "app = Flask(_name_)\ncors(app)\n",
            "api/helpers.py": "def cors(app):\n    return app\nDEFAULTS = dict(origin=ORIGIN)\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    assert _levels(check, root) == {("app.py", 4): "error", ("helpers.py", 3): "error"}


def test_a_branch_is_a_warning_and_an_unimported_file_is_not_read(
    check: Check, make_project: MakeProject
) -> None:
    root = make_project(
        {
            "app.py": "import os\napp = object()\nif os.environ.get('X'):\n    hook(app)\n",
            "scripts/seed.py": "rows = load_rows()\n",
        }
    )
    assert _levels(check, root) == {("app.py", 4): "warning"}


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax parses from CPython 3.12")
def test_type_alias_values_and_bounds_are_lazy(check: Check, make_project: MakeProject) -> None:
    # CPython evaluates `type X = ...` values and `[T: Bound]` bounds on first access only,
    # so a forward reference there is no NameError at import.
    root = make_project(
        {
            "app.py": "app = object()\ntype Rows = list[Row]\n"
            "def first[T: Model](rows: list[T]) -> T:\n    return rows[0]\n"
            "class Row:\n    pass\nclass Model:\n    pass\ntype Later = Missing\n",
        }
    )
    assert _levels(check, root) == {}
