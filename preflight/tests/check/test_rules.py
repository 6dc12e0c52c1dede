"""Every rule's VALID / INVALID examples are run here (the examples are its tests),
plus the invariants every rule must keep: unique ids, an F-id, a message and a fix."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest
from preflight.findings import Finding
from preflight.rules import all_rules
from preflight.rules.base import CodeRule, Invalid, ProjectExample, ProjectRule, Rule
from preflight.source import Module

from preflight import fix as fixing

from .conftest import Check, MakeProject

CODE_RULES = [r for r in all_rules() if issubclass(r, CodeRule)]
PROJECT_RULES = [r for r in all_rules() if issubclass(r, ProjectRule)]


def _module(tmp_path: Path, code: str) -> Module:
    path = tmp_path / "app.py"
    path.write_text(code, encoding="utf-8")
    module = Module.parse(path, tmp_path)
    assert module is not None, "example does not parse"
    return module


def test_rules_are_discovered_with_unique_ids() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 25


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert re.fullmatch(r"PF\d{3,4}", rule.id)
    assert re.fullmatch(r"F\d{1,2}", rule.fid)
    assert rule.id.startswith(f"PF{rule.fid[1:]}"), "PF<F-number><nn>"
    assert rule.__doc__
    assert rule.message
    assert rule.fix
    assert rule.name
    assert re.fullmatch(r"[a-z0-9-]+", rule.name)


def test_every_rule_has_examples() -> None:
    for rule in all_rules():
        # Examples live on the two kinds of rule; one of neither kind has nowhere to keep them.
        assert issubclass(rule, CodeRule | ProjectRule), f"{rule.id} is neither kind of rule"
        assert rule.VALID, f"{rule.id} has no VALID example"
        assert rule.INVALID, f"{rule.id} has no INVALID example"


CODE_VALID = [(r, code) for r in CODE_RULES for code in r.VALID]
CODE_INVALID = [(r, ex) for r in CODE_RULES for ex in r.INVALID]


@pytest.mark.parametrize(("rule", "code"), CODE_VALID, ids=lambda x: getattr(x, "id", ""))
def test_code_rule_valid(rule: type[CodeRule], code: str, tmp_path: Path) -> None:
    assert list(rule().check(_module(tmp_path, code))) == []


@pytest.mark.parametrize(("rule", "example"), CODE_INVALID, ids=lambda x: getattr(x, "id", ""))
def test_code_rule_invalid(rule: type[CodeRule], example: Invalid, tmp_path: Path) -> None:
    module = _module(tmp_path, example.code)
    findings = list(rule().check(module))
    assert [f.location.line for f in findings] == [example.line], findings
    finding = findings[0]
    assert (finding.rule_id, finding.fid) == (rule.id, rule.fid)
    assert finding.location.column == example.column
    assert finding.message == example.message
    assert (finding.autofix is None) == (example.fixed is None), (
        "an autofix needs its fixed output in the INVALID example, and `fixed` an autofix"
    )
    if example.fixed is not None:
        changes = fixing.plan(findings)
        assert [(c.path, c.new) for c in changes] == [(module.path, example.fixed)]
        fixed = _module(tmp_path / "fixed", example.fixed)
        assert list(rule().check(fixed)) == [], "the fix must remove its finding"


def test_suppression_comment_names_the_rule_or_fid(tmp_path: Path) -> None:
    code = "import os\nA = os.environ['A']  # preflight: ignore[F11]\nB = os.environ['B']\n"
    module = _module(tmp_path, code)
    from preflight.rules.config_env import EnvironAtImport

    rule = EnvironAtImport()
    kept = [
        f for f in rule.check(module) if not module.suppressed(f.location.line, rule.id, rule.fid)
    ]
    assert [f.location.line for f in kept] == [3]
    assert module.suppressed(2, "PF1101", "F11")
    assert not module.suppressed(2, "PF501", "F5")


PROJECT_VALID = [(r, ex) for r in PROJECT_RULES for ex in r.VALID]
PROJECT_INVALID = [(r, ex) for r in PROJECT_RULES for ex in r.INVALID]


def _run_example(
    rule: type[ProjectRule], example: ProjectExample, root: Path, check: Check
) -> list[Finding]:
    result = check(root, only={rule.id}, **dict(example.options))
    assert result.crashes == [], "the rule raised: its examples prove nothing"
    return [f for f in result.findings if f.rule_id == rule.id]


@pytest.mark.parametrize(("rule", "example"), PROJECT_VALID, ids=lambda x: getattr(x, "id", ""))
def test_project_rule_valid(
    rule: type[ProjectRule], example: ProjectExample, make_project: MakeProject, check: Check
) -> None:
    assert _run_example(rule, example, make_project(example.files), check) == []


@pytest.mark.parametrize(("rule", "example"), PROJECT_INVALID, ids=lambda x: getattr(x, "id", ""))
def test_project_rule_invalid(
    rule: type[ProjectRule], example: ProjectExample, make_project: MakeProject, check: Check
) -> None:
    assert example.expect, "an INVALID example must say what it yields"
    root = make_project(example.files)
    findings = _run_example(rule, example, root, check)
    got = sorted(
        (f.location.path.relative_to(root).as_posix(), f.location.line, f.location.column, f)
        for f in findings
    )
    wanted = sorted(example.expect, key=lambda e: (e.path, e.line, e.column))
    assert [g[:3] for g in got] == [(e.path, e.line, e.column) for e in wanted], findings
    for (*_, finding), expect in zip(got, wanted, strict=True):
        assert finding.message == expect.message
    fixable = [f for f in findings if f.autofix is not None]
    assert bool(fixable) == (example.fixed is not None), (
        "an autofix needs its fixed output in the INVALID example, and `fixed` an autofix"
    )
    if example.fixed is not None:
        changes = fixing.plan(fixable)
        assert {c.path.relative_to(root).as_posix(): c.new for c in changes} == example.fixed
        fixing.apply(changes)
        assert _run_example(rule, example, root, check) == [], "the fix must remove its findings"


def test_rules_reference_is_up_to_date() -> None:
    from preflight.rules._docs import rules_markdown

    committed = Path(__file__).resolve().parents[2] / "RULES.md"
    assert committed.read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate with: preflight check --list-rules > preflight/RULES.md"
    )


def test_writes_are_errors_only_where_they_surely_run(tmp_path: Path) -> None:
    from preflight.findings import Severity
    from preflight.rules.database import SqliteInBundle

    code = (
        "import sqlite3\n"
        "def get_db():\n    return sqlite3.connect('app.db')\n"
        "def local_fallback():\n    return sqlite3.connect('dev.db')\n"
        "def view(request):\n    return get_db()\n"
    )
    found = {f.location.line: f.severity for f in SqliteInBundle().check(_module(tmp_path, code))}
    assert found == {3: Severity.ERROR, 5: Severity.WARNING}


def test_a_fix_that_does_not_remove_its_finding_is_refused(
    make_project: MakeProject, check: Check
) -> None:
    from preflight.findings import Fix

    root = make_project({"app.py": "import os\nA = os.environ['A']\napp = 1\n"})
    finding = check(root, only={"PF1101"}).findings[0]
    idle = dataclasses.replace(
        finding, autofix=Fix.append(root / "app.py", "# noted", "add a comment")
    )
    changes, refused = fixing.verified([idle], root, lambda copy: check(copy).findings)
    assert changes == []
    assert [(r.description, r.reason) for r in refused] == [
        ("add a comment", "the re-check still reports PF1101 in app.py")
    ]
    assert (root / "app.py").read_text() == "import os\nA = os.environ['A']\napp = 1\n"


def test_every_autofix_has_a_fixed_example() -> None:
    """A rule that can fix shows it: one INVALID example carries the fixed output."""
    for rule in all_rules():
        if "autofix=" in inspect.getsource(rule):
            assert issubclass(rule, CodeRule | ProjectRule), f"{rule.id} is neither kind of rule"
            fixed = [ex for ex in rule.INVALID if ex.fixed is not None]
            assert fixed, f"{rule.id} can fix: one INVALID example needs its `fixed` output"
