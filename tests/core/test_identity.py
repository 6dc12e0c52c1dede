"""One person, one account: lookalike emails normalise to the same address or are
refused (issue 11), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

PASSWORD = "correct horse battery"


def _register(client: TestClient, email: str) -> int:
    body = {"email": email, "password": PASSWORD}
    return client.post("/api/auth/register", json=body).status_code


@pytest.mark.parametrize(
    ("first", "lookalike"),
    [
        ("ann@example.com", "\uff41\uff4e\uff4e@example.com"),  # fullwidth letters
        ("ann@example.com", "ann@\uff45xample.com"),
        ("jos\u00e9@example.com", "jose\u0301@example.com"),  # composed vs decomposed
        ("ann@example.com", "ANN@EXAMPLE.COM"),
    ],
)
def test_a_lookalike_is_the_same_account(client: TestClient, first: str, lookalike: str) -> None:
    assert _register(client, first) == 201
    assert _register(client, lookalike) == 409
    login = client.post("/api/auth/login", json={"email": lookalike, "password": PASSWORD})
    assert login.status_code == 200, login.text
    original = client.post("/api/auth/login", json={"email": first, "password": PASSWORD})
    assert login.json()["user"]["id"] == original.json()["user"]["id"]


@pytest.mark.parametrize(
    "email",
    [
        "ann\u200b@example.com",  # zero-width space (format)
        "ann@exa\u00admple.com",  # soft hyphen (format)
        "\u202eann@example.com",  # right-to-left override (format)
        "ann\u0007@example.com",  # bell (control)
        "ann\ufeff@example.com",  # zero-width no-break space / BOM (format)
    ],
)
def test_invisible_characters_are_refused(client: TestClient, email: str) -> None:
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "email"
    assert _register(client, "ann@example.com") == 201  # the real address is still free
