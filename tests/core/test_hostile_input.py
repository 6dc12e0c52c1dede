"""Hostile input answers 4xx problem+json, never a 5xx, on SQLite and on PostgreSQL
(issue 11: each of these answered 500 when the API was attacked)."""

from __future__ import annotations

import base64
import gzip
import json
import resource
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.conftest import Account, services_of

JSON = {"Content-Type": "application/json"}
BODY_ROUTES = ["/api/tasks", "/api/auth/login", "/api/auth/register", "/api/auth/refresh"]


def _is_problem(response: httpx2.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_deeply_nested_json_is_400(alice: Account, path: str) -> None:
    for body in (b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1"):
        _is_problem(alice.request("POST", path, content=body, headers=JSON), 400, 422)


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_invalid_utf8_in_json_is_400(alice: Account, path: str) -> None:
    for body in (b'{"title": "\xff\xfe"}', b'{"email": "a\xc3@x.org", "password": 1}', b"\xff"):
        _is_problem(alice.request("POST", path, content=body, headers=JSON), 400, 422)


def test_nul_in_text_fields_is_422(alice: Account) -> None:
    nul = "a\u0000b"
    created = alice.request("POST", "/api/tasks", json={"title": "fine"})
    task_id = created.json()["id"]
    attempts = [
        ("POST", "/api/tasks", {"title": nul}),
        ("POST", "/api/tasks", {"title": "t", "description": nul}),
        ("POST", "/api/tasks", {"title": "t", "tags": [nul]}),
        ("PATCH", f"/api/tasks/{task_id}", {"title": nul}),
        ("PUT", f"/api/tasks/{task_id}", {"title": nul}),
        ("POST", "/api/auth/login", {"email": nul, "password": "whatever long"}),
        ("POST", "/api/auth/register", {"email": "n@x.org", "password": nul * 8}),
        ("POST", "/api/auth/register", {"email": "n@x.org", "password": "long pw!", "name": nul}),
        ("POST", "/api/auth/refresh", {"refresh_token": nul}),
    ]
    for method, path, body in attempts:
        response = alice.request(method, path, json=body)
        _is_problem(response, 422)
        assert "NUL" in response.text


def test_nul_in_query_and_path_is_4xx(alice: Account) -> None:
    _is_problem(alice.request("GET", "/api/tasks", params={"q": "a\x00"}), 400, 422)
    _is_problem(alice.request("GET", "/api/tasks", params={"cursor": "a\x00"}), 400, 422)
    for method in ("GET", "DELETE", "PATCH"):
        response = alice.request(method, "/api/tasks/ab%00cd", json={})
        _is_problem(response, 400, 404)
    _is_problem(alice.request("GET", "/api/tasks/ab%00cd/attachments"), 400, 404)


def _cursor(values: object) -> str:
    """Any JSON value as the API encodes a cursor: forged ones need not be the right shape."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "order", "value"),
    [
        ("created", "desc", "not a time"),
        ("created", "desc", 12),
        ("created", "desc", {"a": 1}),
        ("due_date", "asc", "31-12-2020"),
        ("due_date", "asc", [1]),
        ("title", "asc", 5),
        ("priority", "desc", "high"),
        ("priority", "desc", 10**30),
        ("priority", "desc", 1.5),
        ("title", "asc", "a\u0000"),
        ("title", "asc", "\ud800"),  # a lone surrogate: no driver can encode it
        ("title", "asc", "a\udfff"),
        ("created", "desc", "9999-12-31T23:59:59-14:00"),  # past year 9999 in UTC
        ("created", "desc", "0001-01-01T00:00:00+14:00"),  # before year 1 in UTC
    ],
)
def test_forged_cursor_is_400(alice: Account, sort: str, order: str, value: object) -> None:
    alice.request("POST", "/api/tasks", json={"title": "one"})
    cursor = _cursor([sort, order, value, "someid"])
    response = alice.request("GET", "/api/tasks", params={"sort": sort, "cursor": cursor})
    _is_problem(response, 400)


def test_cursor_with_wrong_shape_is_400(alice: Account) -> None:
    a_time = "2020-01-01T00:00:00.000000+00:00"
    for values in (
        [1, 2],
        ["created", "desc", a_time, 7],
        "x",
        ["created", "desc", a_time, "\udc00"],
    ):
        response = alice.request("GET", "/api/tasks", params={"cursor": _cursor(values)})
        _is_problem(response, 400)


def test_if_match_beyond_integer_range_is_412(alice: Account) -> None:
    task_id = alice.request("POST", "/api/tasks", json={"title": "one"}).json()["id"]
    for version in ("2147483648", "9" * 30, "9" * 5000):
        headers = {"If-Match": f'"{version}"'}
        response = alice.request(
            "PATCH", f"/api/tasks/{task_id}", json={"title": "x"}, headers=headers
        )
        _is_problem(response, 412)
        response = alice.request("DELETE", f"/api/tasks/{task_id}", headers=headers)
        _is_problem(response, 412)


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"9" * 5000])
def test_a_number_no_field_can_hold_is_422_not_too_deep(alice: Account, number: bytes) -> None:
    """Valid JSON, but out of every number type's range: it said "nested too deeply"."""
    for path, body in (
        ("/api/tasks", b'{"title": "t", "priority": %s}'),
        ("/api/auth/register", b'{"email": "n@x.org", "password": "long pw!", "name": %s}'),
    ):
        response = alice.request("POST", path, content=body % number, headers=JSON)
        _is_problem(response, 422)
        assert "range" in response.text
        assert "nested" not in response.text


def test_title_of_spaces_is_422(alice: Account) -> None:
    _is_problem(alice.request("POST", "/api/tasks", json={"title": "   "}), 422)
    _is_problem(alice.request("POST", "/api/tasks", json={"title": "\t\n "}), 422)
    _is_problem(alice.request("POST", "/api/tasks", json={"title": "\u3000\x1c\ufeff"}), 422)
    task_id = alice.request("POST", "/api/tasks", json={"title": "one"}).json()["id"]
    _is_problem(alice.request("PATCH", f"/api/tasks/{task_id}", json={"title": "  "}), 422)
    _is_problem(alice.request("PUT", f"/api/tasks/{task_id}", json={"title": " "}), 422)


def test_token_of_a_deleted_user_is_401(client: TestClient, alice: Account) -> None:
    services = services_of(client)
    services.database.call(
        lambda conn: conn.execute("DELETE FROM users WHERE id = :id", id=alice.id)
    )
    for method, path, body in [
        ("POST", "/api/tasks", {"title": "orphan"}),
        ("GET", "/api/auth/me", None),
    ]:
        response = alice.request(method, path, json=body)
        _is_problem(response, 401)
        assert "no longer exists" in response.json()["detail"]
    # reads need no account row: they find nothing, like a new account
    assert alice.request("GET", "/api/tasks").json()["items"] == []


def test_non_ascii_signed_blob_link_is_403(client: TestClient) -> None:
    for token in ("é.é", "abc.ü", "ß"):
        _is_problem(client.get(f"/api/blobs/{token}"), 403, 404)
        _is_problem(client.put(f"/api/blobs/{token}", content=b"x"), 403, 404)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 400_000


def test_upload_that_fills_the_disk_is_507_and_leaves_nothing(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    """The process may write at most a few hundred kB more (RLIMIT_FSIZE): writing the
    file fails with EFBIG exactly as a full disk fails with ENOSPC."""
    client = make_client(ATTACHMENT_MAX_DIRECT_BYTES="1000000")
    account = Account(client, "disk@example.com")
    task_id = account.request("POST", "/api/tasks", json={"title": "t"}).json()["id"]
    files_root = tmp_path / "data"
    before = {p for p in files_root.rglob("*") if p.is_file()}
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        response = account.request(
            "POST",
            f"/api/tasks/{task_id}/attachments",
            files={"file": ("big.png", PNG, "image/png")},
        )
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    _is_problem(response, 507, 503)
    leftover = {
        p for p in files_root.rglob("*") if p.is_file() and p not in before and p.stat().st_size
    }
    assert not [p for p in leftover if "sqlite" not in p.name], leftover
    listed = account.request("GET", f"/api/tasks/{task_id}/attachments").json()
    assert listed["items"] == []
    # and once there is room again, the same upload works
    again = account.request(
        "POST", f"/api/tasks/{task_id}/attachments", files={"file": ("big.png", PNG, "image/png")}
    )
    assert again.status_code == 201, again.text


def test_signed_upload_that_fills_the_disk_is_507_and_the_link_still_works(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    """The local folder's stand-in for a presigned PUT, with the same size limit."""
    client = make_client()
    account = Account(client, "signed-disk@example.com")
    task_id = account.request("POST", "/api/tasks", json={"title": "t"}).json()["id"]
    body = b"%PDF-1.7 " + b"x" * 400_000
    start = account.request(
        "POST",
        f"/api/tasks/{task_id}/attachments/uploads",
        json={"filename": "r.pdf", "content_type": "application/pdf", "size": len(body)},
    )
    assert start.status_code == 201, start.text
    upload = start.json()
    headers = {**upload["headers"], "Content-Type": "application/pdf"}
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        full = client.put(upload["url"], content=body, headers=headers)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    _is_problem(full, 507)
    objects = tmp_path / "data"
    kept = [p for p in objects.rglob("*") if p.is_file() and "sqlite" not in p.name]
    assert not [p for p in kept if p.stat().st_size >= 100_000], kept
    # nothing was kept, so the same link takes the file once there is room
    assert client.put(upload["url"], content=body, headers=headers).status_code == 204
    done = account.request("POST", upload["complete_url"])
    assert done.status_code == 200, done.text


@pytest.mark.parametrize(
    ("range_", "status"), [("bytes=5-1", 400), ("bytes=99999999-", 416), ("bytes=x", 400)]
)
def test_a_range_the_ui_files_cannot_serve_is_a_problem(
    client: TestClient, range_: str, status: int
) -> None:
    """Starlette's FileResponse answered these in plain text (400) or with no body (416)."""
    for path in ("/app.js", "/"):
        response = client.get(path, headers={"Range": range_})
        _is_problem(response, status)
        assert response.json()["status"] == status
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        if status == 416:
            assert response.headers["content-range"].startswith("bytes */")


@pytest.mark.parametrize("query", ["limit=1&limit=100", "status=completed&status=all", "q=a&q=b"])
def test_a_query_parameter_given_twice_is_422(alice: Account, query: str) -> None:
    # One reading the first and another the last would see two different requests.
    response = alice.request("GET", "/api/tasks?" + query)
    _is_problem(response, 422)
    name = query.split("=", 1)[0]
    assert response.json()["errors"] == [{"field": name, "message": "Send this parameter once"}]
    assert alice.request("GET", f"/api/tasks?{name}=1&other={name}").status_code != 500


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate, gzip"])
def test_a_compressed_body_is_415_naming_its_encoding(alice: Account, coding: str) -> None:
    task = alice.request("POST", "/api/tasks", json={"title": "t"}).json()
    compressed = {"Content-Encoding": coding}
    answers = [
        alice.request("POST", "/api/tasks", content=gzip.compress(b'{"title": "x"}'),
                      headers={**JSON, **compressed}),
        alice.request("POST", f"/api/tasks/{task['id']}/attachments",
                      files={"file": ("a.txt", b"hi", "text/plain")}, headers=compressed),
    ]  # fmt: skip
    for answer in answers:
        _is_problem(answer, 415)
        assert "Content-Encoding" in answer.json()["detail"]
        assert answer.headers["accept-encoding"] == "identity"
    identity = alice.request("POST", "/api/tasks", json={"title": "y"},
                             headers={"Content-Encoding": "identity"})  # fmt: skip
    assert identity.status_code == 201, identity.text
