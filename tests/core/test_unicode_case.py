"""An address differing only in the case of a non-ASCII letter is the same account, on
SQLite and PostgreSQL alike: addresses are folded in Python before they reach either
database, whose own LOWER folds ASCII only (SQLite; PostgreSQL under the C locale).
Searches and tag filters fold all of Unicode on both (tasks/folding.py), for the rows
of this release, for the rows an older release writes meanwhile (by their own text), and
for the rows stored before migration 0006 (folded by it)."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from tests.conftest import Account, services_of
from todo_api.storage import migrate
from todo_api.storage.database import open_backend
from todo_api.tasks.queries import ListFilter, list_page

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


@pytest.mark.parametrize(
    ("query", "title"),
    [("äpfel", "Äpfel kaufen"), ("ÄPFEL KAUFEN", "Äpfel kaufen"), ("strasse", "Zur Straße"),
     ("ZUR STRASSE", "Zur Straße"), ("σοφία", "ΣΟΦΊΑ"), ("été", "ÉTÉ à Paris")],
)  # fmt: skip
def test_a_search_in_any_case_finds_a_non_ascii_title(
    alice: Account, query: str, title: str
) -> None:
    for each in ["Äpfel kaufen", "Zur Straße", "ΣΟΦΊΑ", "ÉTÉ à Paris", "Other"]:
        assert alice.request("POST", "/api/tasks", json={"title": each}).status_code == 201
    found = alice.request("GET", "/api/tasks", params={"q": query}).json()["items"]
    assert [task["title"] for task in found] == [title]


def test_a_description_is_found_in_any_case(alice: Account) -> None:
    body = {"title": "Shopping", "description": "Zwei ÄPFEL\nund Brot"}
    assert alice.request("POST", "/api/tasks", json=body).status_code == 201
    assert alice.request("POST", "/api/tasks", json={"title": "Other"}).status_code == 201
    found = alice.request("GET", "/api/tasks", params={"q": "äpfel"}).json()["items"]
    assert [task["title"] for task in found] == ["Shopping"]


def test_a_tag_in_any_case_finds_only_the_whole_tag(alice: Account) -> None:
    for title, tags in [("a", ["Äpfel"]), ("b", ["Äpfelbaum"]), ("c", ["x", "ÄPFEL"]),
                        ("d", ["Straße"]), ("e", [])]:  # fmt: skip
        created = alice.request("POST", "/api/tasks", json={"title": title, "tags": tags})
        assert created.status_code == 201, created.text
    for tag, titles in [("äpfel", ["a", "c"]), ("STRASSE", ["d"]), ("äpfelbaum", ["b"])]:
        found = alice.request("GET", "/api/tasks", params={"tag": tag, "sort": "title"})
        assert [task["title"] for task in found.json()["items"]] == titles, tag


def _titles(account: Account, **params: str) -> list[str]:
    listed = account.request("GET", "/api/tasks", params=params)
    assert listed.status_code == 200, listed.text
    return [task["title"] for task in listed.json()["items"]]


def test_an_edit_is_what_a_search_finds(alice: Account) -> None:
    task = alice.request("POST", "/api/tasks", json={"title": "Äpfel", "tags": ["Obst"]}).json()
    patched = alice.request("PATCH", f"/api/tasks/{task['id']}", json={"title": "Birnen"})
    assert patched.status_code == 200, patched.text
    toggled = alice.request("PATCH", f"/api/tasks/{task['id']}/complete")
    assert toggled.status_code == 200, toggled.text
    assert _titles(alice, q="BIRNEN") == ["Birnen"]
    assert _titles(alice, q="äpfel") == []
    assert _titles(alice, tag="OBST") == ["Birnen"]


def test_a_row_an_older_release_wrote_is_found_by_its_own_text(alice: Account) -> None:
    """An older release (a preview deployment on the same database) renames a task and
    leaves its folds stale: the search matches the new title, not the folded old one."""
    task = alice.request("POST", "/api/tasks", json={"title": "Äpfel", "tags": ["obst"]}).json()
    services_of(alice.client).database.call(
        lambda conn: conn.execute(
            "UPDATE tasks SET title = 'Birnen', tags = '[\"Korb\"]', version = version + 1 "
            "WHERE id = :id",
            id=task["id"],
        )
    )
    assert _titles(alice, q="birnen") == ["Birnen"]
    assert _titles(alice, q="äpfel") == []
    assert _titles(alice, tag="korb") == ["Birnen"]
    assert _titles(alice, tag="obst") == []
    # A PATCH of the title alone leaves the other folds stale: still compared as stored.
    alice.request("PATCH", f"/api/tasks/{task['id']}", json={"title": "Kirschen"})
    assert _titles(alice, tag="korb") == ["Kirschen"]
    assert _titles(alice, q="kirschen") == ["Kirschen"]


def test_migration_0006_folds_the_tasks_stored_before_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = open_backend(database_url)
    try:
        before = [m for m in migrate.discover() if m.version < 6]
        with monkeypatch.context() as patched:
            patched.setattr(migrate, "discover", lambda: before)
            migrate.apply_migrations(backend)
        with backend.transaction() as conn:
            conn.execute(
                "INSERT INTO users (id, email, auth_source, created_at, updated_at) "
                "VALUES ('u1', 'a@example.com', 'local', :now, :now)",
                now=dt.datetime.now(dt.UTC),
            )
            for n, (title, tags) in enumerate([("Äpfel", '["\\u00c4pfel"]'), ("Other", "[]")]):
                conn.execute(
                    "INSERT INTO tasks (id, user_id, title, tags, created_at, updated_at) "
                    "VALUES (:id, 'u1', :title, :tags, :now, :now)",
                    id=f"t{n}", title=title, tags=tags, now=dt.datetime.now(dt.UTC),
                )  # fmt: skip
        assert migrate.apply_migrations(backend) == [6]
        for search, tag in [("äpfel", None), (None, "ÄPFEL")]:
            spec = ListFilter("all", search, "title", "asc", 50, None, tag)
            found = backend.read(lambda conn: list_page(conn, user_id="u1", spec=spec))  # noqa: B023
            assert [task.title for task, _ in found] == ["Äpfel"], (search, tag)
    finally:
        backend.close()


def test_a_tag_given_twice_in_any_case_is_stored_once_as_first_spelt(alice: Account) -> None:
    created = alice.request(
        "POST", "/api/tasks", json={"title": "t", "tags": ["Work", "home", "work", "WORK", "Home"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["Work", "home"]
    patched = alice.request(
        "PATCH", f"/api/tasks/{created.json()['id']}", json={"tags": ["Straße", "STRASSE", "x"]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["tags"] == ["Straße", "x"]
