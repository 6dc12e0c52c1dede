"""Attachments under concurrency, on SQLite and PostgreSQL with the local folder: the quota
holds for parallel uploads, a signed upload link takes exactly one file, and racing
completions of one upload list it once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from todo_api.main import create_app
from todo_api.settings import Settings

SECRET = "attachment-races-secret-0123456789abcdef"
KB = 1000


@pytest.fixture
def http(
    database_url: str, tmp_path: Path, live_server: Callable[[Any], str]
) -> Iterator[httpx.Client]:
    env = {
        "DATABASE_URL": database_url,
        "TODO_DATA_DIR": str(tmp_path),
        "BETTER_AUTH_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "AUTH_RATE_LIMIT": "off",
        "ATTACHMENT_MAX_DIRECT_BYTES": str(500 * KB),
        "ATTACHMENT_MAX_BYTES": str(500 * KB),
        "ATTACHMENT_QUOTA_BYTES": str(1000 * KB),
    }
    settings = Settings.from_env(env)
    app = create_app(settings)
    with httpx.Client(base_url=live_server(app), timeout=60) as client:
        yield client


def user_and_task(http: httpx.Client) -> tuple[dict[str, str], str]:
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    tokens = http.post("/api/auth/register", json={"email": email, "password": "secret123"})
    auth = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    task = http.post("/api/tasks", json={"title": "files"}, headers=auth)
    return auth, task.json()["id"]


@pytest.mark.parametrize("way", ["direct", "presigned"])
def test_parallel_uploads_stay_within_the_quota(http: httpx.Client, way: str) -> None:
    auth, task = user_and_task(http)
    body = b"a" * (400 * KB)

    def upload(i: int) -> httpx.Response:
        if way == "presigned":  # the quota counts an upload from the moment it is granted
            announce = {"filename": f"f{i}.txt", "content_type": "text/plain", "size": len(body)}
            return http.post(f"/api/tasks/{task}/attachments/uploads", json=announce, headers=auth)
        files = {"file": (f"f{i}.txt", body, "text/plain")}
        return http.post(f"/api/tasks/{task}/attachments", files=files, headers=auth)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(upload, range(8)))
    statuses = sorted(response.status_code for response in answers)
    assert statuses == [201, 201] + [413] * 6, [r.text for r in answers]


def presigned(http: httpx.Client, auth: dict[str, str], task: str) -> dict[str, Any]:
    response = http.post(
        f"/api/tasks/{task}/attachments/uploads",
        json={"filename": "notes.txt", "content_type": "text/plain", "size": 10 * KB},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    upload: dict[str, Any] = response.json()
    assert upload["method"] == "PUT"
    return upload


def put(http: httpx.Client, upload: dict[str, Any], body: bytes) -> httpx.Response:
    headers = {**upload["headers"], "Content-Type": "text/plain"}
    return http.put(upload["url"], content=body, headers=headers)


def test_an_upload_link_accepts_one_of_four_simultaneous_puts(http: httpx.Client) -> None:
    auth, task = user_and_task(http)
    upload = presigned(http, auth, task)
    bodies = [bytes([65 + i]) * (10 * KB) for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda body: put(http, upload, body), bodies))
    statuses = sorted(response.status_code for response in answers)
    assert statuses == [204, 403, 403, 403], [r.text for r in answers]
    winner = bodies[[response.status_code for response in answers].index(204)]
    done = http.post(upload["complete_url"], headers=auth)
    assert done.status_code == 200, done.text
    link = http.get(f"/api/tasks/{task}/attachments/{done.json()['id']}/url", headers=auth)
    assert http.get(link.json()["url"]).content == winner


def test_an_upload_link_is_dead_once_its_attachment_is_deleted(http: httpx.Client) -> None:
    auth, task = user_and_task(http)
    upload = presigned(http, auth, task)
    assert put(http, upload, b"first" * 2000).status_code == 204
    done = http.post(upload["complete_url"], headers=auth).json()
    deleted = http.delete(f"/api/tasks/{task}/attachments/{done['id']}", headers=auth)
    assert deleted.status_code == 204
    again = put(http, upload, b"again" * 2000)
    assert again.status_code == 403
    assert again.headers["content-type"] == "application/problem+json"


def test_a_refused_put_leaves_the_link_usable(http: httpx.Client) -> None:
    auth, task = user_and_task(http)
    upload = presigned(http, auth, task)
    assert put(http, upload, b"x" * (11 * KB)).status_code == 413
    assert put(http, upload, b"y" * (10 * KB)).status_code == 204


def test_racing_completions_list_one_file_and_keep_its_bytes(
    http: httpx.Client, tmp_path: Path
) -> None:
    """Each completion copies the upload to a key of its own: the losers delete their
    copies, never the winner's, and the upload key goes too."""
    auth, task = user_and_task(http)
    upload = presigned(http, auth, task)
    body = b"z" * (10 * KB)
    assert put(http, upload, body).status_code == 204
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: http.post(upload["complete_url"], headers=auth), range(4))
        )
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    assert len({r.text for r in answers}) == 1
    link = http.get(f"/api/tasks/{task}/attachments/{upload['upload_id']}/url", headers=auth)
    assert http.get(link.json()["url"]).content == body
    stored = [p for p in (tmp_path / "blobs" / "objects").rglob("*") if p.is_file()]
    assert len(stored) == 1, stored
    assert not stored[0].name.endswith(".upload")
