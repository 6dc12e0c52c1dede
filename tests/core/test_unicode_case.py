"""An address differing only in the case of a non-ASCII letter is the same account, on
SQLite and PostgreSQL alike: addresses are folded in Python before they reach either
database, whose own LOWER folds ASCII only (SQLite; PostgreSQL under the C locale).
A search is lowered by the same LOWER as the titles it is matched against, so a title
holding a capital non-ASCII letter is found by its own spelling."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Account

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


@pytest.mark.parametrize(
    ("query", "title"),
    [("Äpfel", "Äpfel kaufen"), ("ÄPFEL", "Äpfel kaufen"), ("Äpfel KAUFEN", "Äpfel kaufen"),
     ("Straße", "Zur Straße"), ("ΣΟΦΊΑ", "ΣΟΦΊΑ")],
)  # fmt: skip
def test_a_title_is_found_by_its_own_non_ascii_spelling(
    alice: Account, query: str, title: str
) -> None:
    for each in ["Äpfel kaufen", "Zur Straße", "ΣΟΦΊΑ", "Other"]:
        created = alice.request("POST", "/api/tasks", json={"title": each})
        assert created.status_code == 201, created.text
    found = alice.request("GET", "/api/tasks", params={"q": query}).json()["items"]
    assert [task["title"] for task in found] == [title]
