"""An address differing only in the case of a non-ASCII letter is the same account, on
SQLite and PostgreSQL alike: addresses are folded in Python before they reach either
database, whose own LOWER folds ASCII only (SQLite; PostgreSQL under the C locale)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

PASSWORD = "correct horse"


@pytest.mark.parametrize(
    ("first", "other"),
    [("ÄNNE@BÜRO.DE", "änne@büro.de"), ("σοφία@example.gr", "ΣΟΦΊΑ@EXAMPLE.GR")],
)
def test_an_address_in_other_case_is_the_same_account(
    client: TestClient, first: str, other: str
) -> None:
    created = client.post("/api/auth/register", json={"email": first, "password": PASSWORD})
    assert created.status_code == 201, created.text
    again = client.post("/api/auth/register", json={"email": other, "password": PASSWORD})
    assert again.status_code == 409, again.text
    login = client.post("/api/auth/login", json={"email": other, "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["user"]["id"] == created.json()["user"]["id"]
