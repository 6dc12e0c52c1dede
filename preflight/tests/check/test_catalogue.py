"""One failure catalogue: every F-id a rule or a diagnosis names is explained, and the
shipped FAILURES.md is the catalogue's own rendering."""

from __future__ import annotations

from pathlib import Path

from preflight.catalogue import CATALOGUE, to_markdown
from preflight.emulate.diagnose import PATTERNS
from preflight.rules import all_rules

FAILURES_MD = Path(__file__).resolve().parents[2] / "FAILURES.md"


def test_every_rule_and_diagnosis_names_a_catalogued_failure() -> None:
    named = {r.fid for r in all_rules()} | {p.fid for p in PATTERNS}
    assert named - CATALOGUE.keys() == set()
    assert list(CATALOGUE) == [f"F{n}" for n in range(1, 22)]


def test_failures_md_is_up_to_date() -> None:
    assert FAILURES_MD.read_text() == to_markdown(), (
        "regenerate with: python -m preflight.catalogue > preflight/FAILURES.md"
    )
    assert '<a id="f21"></a>' in to_markdown()
