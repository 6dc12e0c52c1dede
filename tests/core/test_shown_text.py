"""Titles, descriptions, tags and account names refuse control and bidi characters on
every route that writes them (a 422 naming the field, nothing stored), as tags did alone
before; descriptions keep their line breaks and tabs; an email's final newline no longer
slips past the pattern. On SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Account

ONE_LINE_REFUSED = {
    "bell": "ring\x07",
    "escape": "\x1b[31mred",
    "tab": "a\tb",
    "line feed": "first\nsecond",
    "final newline": "trailing\n",
    "NEL (C1)": "next\x85line",
    "CSI (C1)": "\x9b2J",
    "DEL": "a\x7fb",
    "right-to-left override": "\u202eevil title",
    "right-to-left isolate": "a\u2067b",
    "right-to-left mark": "a\u200fb",
    "Arabic letter mark": "a\u061cb",
}
NOTES_REFUSED = {
    k: v for k, v in ONE_LINE_REFUSED.items() if k not in ("tab", "line feed", "final newline")
}


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize("text", ONE_LINE_REFUSED.values(), ids=ONE_LINE_REFUSED.keys())
def test_titles_refuse_them_on_every_route(alice: Account, text: str) -> None:
    _refused(alice.request("POST", "/api/tasks", json={"title": text}), "title")
    task = alice.request("POST", "/api/tasks", json={"title": "Kept"}).json()
    for method in ("PUT", "PATCH"):
        response = alice.request(method, f"/api/tasks/{task['id']}", json={"title": text})
        _refused(response, "title")
    compat = alice.request("POST", f"/api/{alice.id}/tasks", json={"title": text})
    _refused(compat, "title")
    assert [t["title"] for t in alice.request("GET", "/api/tasks").json()["items"]] == ["Kept"]


@pytest.mark.parametrize("text", NOTES_REFUSED.values(), ids=NOTES_REFUSED.keys())
def test_descriptions_refuse_them(alice: Account, text: str) -> None:
    body = {"title": "t", "description": text}
    _refused(alice.request("POST", "/api/tasks", json=body), "description")


def test_other_scripts_and_line_breaks_in_notes_stay(alice: Account) -> None:
    body = {"title": "עברית café 日本語", "description": "line one\r\nline\ttwo\n"}
    created = alice.request("POST", "/api/tasks", json=body)
    assert created.status_code == 201, created.text
    assert (created.json()["title"], created.json()["description"]) == (
        body["title"],
        body["description"],
    )
    assert alice.request("POST", "/api/tasks", json={"title": " \t "}).status_code == 422


@pytest.mark.parametrize("text", ONE_LINE_REFUSED.values(), ids=ONE_LINE_REFUSED.keys())
def test_account_names_refuse_them(client: TestClient, text: str) -> None:
    body = {"email": "ann@example.com", "password": "correct horse", "name": text}
    _refused(client.post("/api/auth/register", json=body), "name")
    body["name"] = "Ann O'Neil, עברית"
    assert client.post("/api/auth/register", json=body).status_code == 201


def test_a_final_newline_in_an_email_is_refused_by_its_pattern(client: TestClient) -> None:
    body = {"email": "ann@example.com\n", "password": "correct horse"}
    _refused(client.post("/api/auth/register", json=body), "email")
    body["email"] = " ann@example.com "
    assert client.post("/api/auth/register", json=body).status_code == 201
