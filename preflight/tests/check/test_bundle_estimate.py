"""The bundle-size estimate says when it is only a lower bound: a distribution whose
own requirements or size cannot be learned is named, and no size is claimed as total
(anudeep2710/text-summarizer: ~147 MB estimated for a GBs install)."""

from __future__ import annotations

import json

from preflight.report import Format, render

from .conftest import Check, MakeProject

_APP = "from flask import Flask\napp = Flask(__name__)\n"
_VCS = "git+https://github.com/example-org/shortlink-py.git"


def _installs_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("  installs:"))


def test_unknown_requirements_make_the_estimate_a_lower_bound(
    make_project: MakeProject, check: Check
) -> None:
    root = make_project({"app.py": _APP, "requirements.txt": f"flask==3.1.3\n{_VCS}\n"})
    result = check(root)
    line = _installs_line(render(result, Format.TEXT))
    assert "at least ~" in line
    assert f"not counted: what {_VCS} installs" in line
    install = json.loads(render(result, Format.JSON))["install"]
    assert install["lower_bound"] is True
    assert install["not_counted"] == [_VCS]


def test_a_release_the_index_cannot_describe_is_named(
    make_project: MakeProject, check: Check
) -> None:
    # offline and not in the committed cache: the index cannot say what it depends on
    root = make_project({"app.py": _APP, "requirements.txt": "flask==3.1.3\nnot-cached-x==1.0\n"})
    line = _installs_line(render(check(root), Format.TEXT))
    assert "at least ~" in line
    assert "not-cached-x" in line


def test_a_fully_known_install_claims_its_size(make_project: MakeProject, check: Check) -> None:
    root = make_project({"app.py": _APP, "requirements.txt": "flask==3.1.3\n"})
    result = check(root)
    line = _installs_line(render(result, Format.TEXT))
    assert "at least" not in line
    assert "not counted" not in line
    assert json.loads(render(result, Format.JSON))["install"]["lower_bound"] is False


def test_a_size_error_over_a_partial_estimate_says_at_least(
    make_project: MakeProject, check: Check
) -> None:
    root = make_project(
        {"app.py": _APP, "requirements.txt": f"sentence-transformers==2.2.2\n{_VCS}\n"}
    )
    (finding,) = [f for f in check(root).findings if f.rule_id == "PF1001"]
    assert "at least ~" in finding.message
    assert _VCS in finding.message


def test_the_projects_own_files_count_and_cannot_move_to_tmp(
    check: Check, make_project: MakeProject
) -> None:
    """2100090151/nirvaanaa commits a Windows virtualenv as env/ (397 MB): @vercel/python
    leaves out only venv/ and .venv/ (predefinedExcludes), so it ships, and over 225 MiB
    the project's own files fail the build. The same weight in venv/ or public/ does not."""
    root = make_project({"app.py": _APP, "requirements.txt": "flask==3.1.3\n"})
    for folder in ("venv", "public"):
        (root / folder).mkdir()
        with (root / folder / "big.bin").open("wb") as file:
            file.truncate(300 * 1024 * 1024)  # sparse: the size without the disk
    assert check(root, only={"PF1001", "PF2001"}).findings == []
    (root / "env" / "Lib").mkdir(parents=True)
    with (root / "env" / "Lib" / "big.bin").open("wb") as file:
        file.truncate(300 * 1024 * 1024)
    found = check(root, only={"PF1001", "PF2001"}).findings
    assert [(f.rule_id, f.location.path.name) for f in found] == [("PF1001", "env")]
    assert found[0].message.startswith("the project's own files are ~300 MiB, most in env/")
