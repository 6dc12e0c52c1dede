"""Journeys carry values from one step's answer into the next request."""

from __future__ import annotations

from pathlib import Path

import pytest
from preflight.emulate.journey import JourneyError, extract, load_journey

JOURNEYS = Path(__file__).resolve().parent.parent / "fixtures" / "run" / "journeys"


def test_extract_dotted_paths() -> None:
    doc = {"access_token": "t", "items": [{"id": 3}], "ok": True}
    assert extract(doc, "access_token") == "t"
    assert extract(doc, "items.0.id") == "3"
    assert extract(doc, "ok") == "true"
    assert extract(doc, "items.1.id") is None
    assert extract(None, "x") is None


def test_bad_journey_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("title = 'no steps'\n")
    with pytest.raises(JourneyError, match="step"):
        load_journey(empty)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[step]]\nrequest = 'FETCH /x'\n")
    with pytest.raises(ValueError, match="METHOD"):
        load_journey(bad)
