"""Tasks: CRUD, validation, filters, search, sorting, cursor pages, ETags, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Account


def create(account: Account, **fields: Any) -> dict[str, Any]:
    response = account.request("POST", "/api/tasks", json={"title": "A task", **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_read_update_delete(alice: Account) -> None:
    task = create(alice, title="Buy milk", description="2 litres", priority="high",
                  due_date="2026-12-24", tags=["home", "shop"])  # fmt: skip
    assert task["completed"] is False
    assert task["created_at"].endswith("Z")
    read = alice.request("GET", f"/api/tasks/{task['id']}")
    assert read.status_code == 200
    assert read.json() == task
    put = alice.request("PUT", f"/api/tasks/{task['id']}", json={"title": "Buy oat milk"})
    assert put.status_code == 200
    replaced = put.json()
    assert replaced["title"] == "Buy oat milk"
    assert replaced["description"] is None  # PUT replaces: omitted fields reset
    assert replaced["tags"] == []
    patch = alice.request("PATCH", f"/api/tasks/{task['id']}", json={"description": "1 litre"})
    assert patch.json()["title"] == "Buy oat milk"
    assert patch.json()["description"] == "1 litre"
    assert alice.request("DELETE", f"/api/tasks/{task['id']}").status_code == 204
    assert alice.request("GET", f"/api/tasks/{task['id']}").status_code == 404


def test_toggle_complete(alice: Account) -> None:
    task = create(alice)
    first = alice.request("PATCH", f"/api/tasks/{task['id']}/complete")
    assert first.json()["completed"] is True
    second = alice.request("PATCH", f"/api/tasks/{task['id']}/complete")
    assert second.json()["completed"] is False


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "x" * 1001}, "description"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "due_date": "31/12/2026"}, "due_date"),
        ({"title": "ok", "tags": ["x" * 51]}, "tags"),
        ({"title": "ok", "tags": ["fine", "evil\u202egnp.exe"]}, "tags"),  # right-to-left override
        ({"title": "ok", "tags": ["a\u2067b"]}, "tags"),  # right-to-left isolate
        ({"title": "ok", "tags": ["a\u200fb"]}, "tags"),  # right-to-left mark
        ({"title": "ok", "tags": ["tab\there"]}, "tags"),  # C0
        ({"title": "ok", "tags": ["next\x85line"]}, "tags"),  # C1
        ({"title": "ok", "tags": ["trailing\n"]}, "tags"),
        ({"title": "ok", "completed": "yes"}, "completed"),
    ],
)
def test_field_limits(alice: Account, fields: dict[str, Any], bad_field: str) -> None:
    response = alice.request("POST", "/api/tasks", json=fields)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [bad_field]


def test_tags_refuse_bidi_controls_on_every_route_and_keep_other_scripts(alice: Account) -> None:
    task = create(alice, tags=["café", "日本語", "עברית"])
    assert task["tags"] == ["café", "日本語", "עברית"]
    for method in ("PATCH", "PUT"):
        body = {"title": "t", "tags": ["\u202eevil"]}
        response = alice.request(method, f"/api/tasks/{task['id']}", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == ["tags"]
    response = alice.request("GET", "/api/tasks", params={"tag": "a\u2066b"})
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["tag"]
    assert alice.request("GET", f"/api/tasks/{task['id']}").json()["tags"] == task["tags"]


def test_title_at_limits_is_accepted(alice: Account) -> None:
    assert create(alice, title="x" * 200, description="d" * 1000)["title"] == "x" * 200


def test_status_filter_and_search(alice: Account) -> None:
    done = create(alice, title="Write report")
    alice.request("PATCH", f"/api/tasks/{done['id']}/complete")
    create(alice, title="Call the plumber", description="about the 100% leak_fix")
    create(alice, title="Water plants")

    def titles(**params: str) -> list[str]:
        response = alice.request("GET", "/api/tasks", params={"sort": "title", **params})
        assert response.status_code == 200, response.text
        return [task["title"] for task in response.json()["items"]]

    assert titles(status="completed") == ["Write report"]
    assert titles(status="pending") == ["Call the plumber", "Water plants"]
    assert titles(q="PLUMB") == ["Call the plumber"]
    assert titles(q="100%") == ["Call the plumber"]  # LIKE wildcards are literal
    assert titles(q="_") == ["Call the plumber"]
    assert titles(q="nothing matches") == []


def test_tag_filter_matches_whole_tags(alice: Account) -> None:
    """The UI's clickable tags: `tag=` keeps tasks carrying that exact tag (any case)."""
    create(alice, title="Quarterly report", tags=["work", "q3"])
    create(alice, title="Homework", tags=["homework"])
    create(alice, title="Quote", tags=['say "work"', "café", "100%"])
    create(alice, title="Untagged")

    def titles(tag: str) -> list[str]:
        response = alice.request("GET", "/api/tasks", params={"sort": "title", "tag": tag})
        assert response.status_code == 200, response.text
        return [task["title"] for task in response.json()["items"]]

    assert titles("work") == ["Quarterly report"]
    assert titles("WORK") == ["Quarterly report"]
    assert titles("wor") == []
    assert titles('say "work"') == ["Quote"]
    assert titles("café") == ["Quote"]
    assert titles("100") == []
    assert titles("%") == []


def test_sorting(alice: Account) -> None:
    create(alice, title="b", priority="low", due_date="2026-03-01")
    create(alice, title="a", priority="high")
    create(alice, title="C", priority="medium", due_date="2026-01-01")

    def order(**params: str) -> list[str]:
        response = alice.request("GET", "/api/tasks", params=params)
        return [task["title"] for task in response.json()["items"]]

    assert order(sort="title") == ["a", "b", "C"]
    assert order(sort="title", order="desc") == ["C", "b", "a"]
    assert order(sort="priority") == ["a", "C", "b"]
    assert order(sort="due_date") == ["C", "b", "a"]  # no due date sorts last
    assert order(sort="created") == ["C", "a", "b"]  # newest first
    assert order(sort="created", order="asc") == ["b", "a", "C"]


@pytest.mark.parametrize("sort", ["created", "title", "due_date", "priority"])
def test_cursor_pagination_visits_every_task_once(alice: Account, sort: str) -> None:
    priorities = ["low", "medium", "high"]
    created = {
        create(
            alice,
            title=f"task {i % 4}",
            priority=priorities[i % 3],
            due_date=None if i % 2 else f"2026-0{1 + i % 3}-01",
        )["id"]
        for i in range(11)
    }
    seen: list[str] = []
    cursor = None
    while True:
        params = {"sort": sort, "limit": "3", **({"cursor": cursor} if cursor else {})}
        page = alice.request("GET", "/api/tasks", params=params).json()
        seen.extend(task["id"] for task in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(created)
    assert set(seen) == created


# Titles whose lowercase Python, SQLite (ASCII only) and PostgreSQL (its locale) disagree on.
UNICODE_TITLES = ["a", "A", "é", "É", "E", "e", "İ", "i", "I", "ß", "SS", "ss", "Σ", "\u03c3", "ς",
                  "Ω", "ǅ", "Ǆ", "ﬁ", "fi", "z", "Z", "Ä", "ä", "e\u0301"]  # fmt: skip


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_by_title_visit_every_unicode_title_once_and_end(alice: Account, order: str) -> None:
    """The cursor carried Python's lower() of the last title, the query compared the
    database's LOWER(): on SQLite the pages cycled É -> İ -> ... for ever."""
    created = {create(alice, title=title)["id"] for title in UNICODE_TITLES}
    one_page = alice.request("GET", "/api/tasks", params={"sort": "title", "order": order})
    seen: list[str] = []
    cursor = None
    for _ in range(len(created)):  # more pages than tasks would be a cycle
        params = {
            "sort": "title",
            "order": order,
            "limit": "2",
            **({"cursor": cursor} if cursor else {}),
        }
        page = alice.request("GET", "/api/tasks", params=params).json()
        seen.extend(task["id"] for task in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None, "the pages never end"
    assert seen == [task["id"] for task in one_page.json()["items"]]
    assert set(seen) == created


def test_bad_query_parameters(alice: Account) -> None:
    response = alice.request("GET", "/api/tasks", params={"limit": "1000", "sort": "colour"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"limit", "sort"}
    bad_cursor = alice.request("GET", "/api/tasks", params={"cursor": "!!!"})
    assert bad_cursor.status_code == 400


def test_if_none_match_compares_weakly_and_takes_lists_and_star(alice: Account) -> None:
    """RFC 9110 13.1.2: these all answered 200 with the whole task."""
    url = f"/api/tasks/{create(alice)['id']}"
    etag = alice.request("GET", url).headers["etag"]
    for header in (f"W/{etag}", f'"0", {etag}', "*", f' W/"0" ,W/{etag}'):
        answer = alice.request("GET", url, headers={"If-None-Match": header})
        assert answer.status_code == 304, header
        assert answer.headers["etag"] == etag
    for header in ('"0"', 'W/"0", "999"', etag.strip('"'), "x" * 5000):
        assert alice.request("GET", url, headers={"If-None-Match": header}).status_code == 200


def test_if_match_takes_a_list_and_compares_strongly(alice: Account) -> None:
    """RFC 9110 13.1.1: a list matches when any tag does; only the first was read, so a
    client sending the versions it had seen got 412 with the current one among them."""
    url = f"/api/tasks/{create(alice)['id']}"
    etag = alice.request("GET", url).headers["etag"]
    for form in ('"999", {}', 'W/"0", {}'):  # the current version among others
        header = form.format(etag)
        changed = alice.request(
            "PATCH", url, json={"title": "listed"}, headers={"If-Match": header}
        )
        assert changed.status_code == 200, header
        etag = changed.headers["etag"]
    for header in (f"W/{etag}", '"0", "999"', ", ".join(['"0"'] * 30 + [etag])):
        refused = alice.request("PATCH", url, json={"title": "stale"}, headers={"If-Match": header})
        assert refused.status_code == 412, header
        assert refused.headers["content-type"] == "application/problem+json"
    gone = alice.request("DELETE", url, headers={"If-Match": f'"1", {etag}'})
    assert gone.status_code == 204


def test_etag_and_if_match(alice: Account) -> None:
    task = create(alice)
    url = f"/api/tasks/{task['id']}"
    etag = alice.request("GET", url).headers["etag"]
    assert alice.request("GET", url, headers={"If-None-Match": etag}).status_code == 304
    # Tab 1 saves with the version it read...
    first = alice.request("PATCH", url, json={"title": "tab 1"}, headers={"If-Match": etag})
    assert first.status_code == 200
    assert first.headers["etag"] != etag
    # ...tab 2 still holds the old version: refused, nothing overwritten.
    second = alice.request("PATCH", url, json={"title": "tab 2"}, headers={"If-Match": etag})
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert alice.request("GET", url).json()["title"] == "tab 1"
    stale_delete = alice.request("DELETE", url, headers={"If-Match": etag})
    assert stale_delete.status_code == 412
    stale_toggle = alice.request("PATCH", url + "/complete", headers={"If-Match": etag})
    assert stale_toggle.status_code == 412
    fresh = first.headers["etag"]
    assert alice.request("DELETE", url, headers={"If-Match": fresh}).status_code == 204


def test_tasks_are_private(alice: Account, bob: Account) -> None:
    task = create(alice, title="alice's secret")
    url = f"/api/tasks/{task['id']}"
    attempts = [
        bob.request("GET", url),
        bob.request("PUT", url, json={"title": "mine now"}),
        bob.request("PATCH", url, json={"title": "mine now"}),
        bob.request("PATCH", url + "/complete"),
        bob.request("DELETE", url),
    ]
    assert [r.status_code for r in attempts] == [404] * 5
    assert bob.request("GET", "/api/tasks").json()["items"] == []
    untouched = alice.request("GET", url).json()
    assert untouched["title"] == "alice's secret"
    assert untouched["completed"] is False


def test_compat_routes(alice: Account, bob: Account) -> None:
    base = f"/api/{alice.id}/tasks"
    created = alice.request("POST", base, json={"title": "phase two"})
    assert created.status_code == 201
    task_id = created.json()["id"]
    listing = alice.request("GET", base)
    assert [t["id"] for t in listing.json()] == [task_id]  # a plain array
    updated = alice.request("PUT", f"{base}/{task_id}", json={"description": "merged"})
    assert updated.json()["title"] == "phase two"
    assert updated.json()["description"] == "merged"
    toggled = alice.request("PATCH", f"{base}/{task_id}/complete")
    assert toggled.json()["completed"] is True
    assert alice.request("GET", f"{base}/{task_id}").status_code == 200
    # Bob naming Alice's id in the path: 403 on every route.
    attempts = [
        bob.request("GET", base),
        bob.request("POST", base, json={"title": "x"}),
        bob.request("GET", f"{base}/{task_id}"),
        bob.request("PUT", f"{base}/{task_id}", json={"title": "x"}),
        bob.request("PATCH", f"{base}/{task_id}/complete"),
        bob.request("DELETE", f"{base}/{task_id}"),
    ]
    assert [r.status_code for r in attempts] == [403] * 6
    # Bob's own id with Alice's task id: 404, as on /api/tasks.
    assert bob.request("GET", f"/api/{bob.id}/tasks/{task_id}").status_code == 404
    assert alice.request("DELETE", f"{base}/{task_id}").status_code == 204
