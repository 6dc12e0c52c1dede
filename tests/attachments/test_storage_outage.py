"""The local file folder gone from under a running app (an unmounted volume, a folder
replaced by a file): uploads, downloads, signed links and completions answer 503
problem+json with Retry-After and record nothing, where they answered 500 (signed PUT),
404 (downloads: "the file no longer exists") or 409 (completion: "not arrived"); once
the folder is back the same app, links and pending upload serve again, no restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
from starlette.testclient import TestClient

from tests.conftest import Account


def _is_outage(response: httpx2.Response, tmp_path: Path) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert str(tmp_path) not in response.text


def test_while_the_folder_is_gone_503_with_retry_after_then_healed(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = make_client(TODO_DATA_DIR=str(tmp_path / "data"))
    alice = Account(client, "files@example.com")
    task = alice.request("POST", "/api/tasks", json={"title": "with files"}).json()["id"]
    files = f"/api/tasks/{task}/attachments"
    kept = alice.request("POST", files, files={"file": ("a.txt", b"kept", "text/plain")})
    assert kept.status_code == 201, kept.text
    one = f"{files}/{kept.json()['id']}"
    link = alice.request("GET", f"{one}/url").json()["url"]
    wanted = {"filename": "b.txt", "content_type": "text/plain", "size": 4}
    pending = alice.request("POST", f"{files}/uploads", json=wanted).json()
    put = {**pending["headers"], "Content-Type": "text/plain"}
    used = alice.request("GET", files).json()["used_bytes"]  # the file and the reservation

    folder = tmp_path / "data" / "blobs"
    folder.rename(tmp_path / "away")
    folder.write_text("not a folder")
    _is_outage(
        alice.request("POST", files, files={"file": ("c.txt", b"lost", "text/plain")}), tmp_path
    )
    _is_outage(alice.request("GET", one), tmp_path)
    _is_outage(client.get(link), tmp_path)
    _is_outage(client.put(pending["url"], content=b"late", headers=put), tmp_path)
    _is_outage(alice.request("POST", pending["complete_url"]), tmp_path)
    listed = alice.request("GET", files).json()
    assert [item["filename"] for item in listed["items"]] == ["a.txt"]
    assert listed["used_bytes"] == used

    folder.unlink()
    (tmp_path / "away").rename(folder)
    assert alice.request("GET", one).content == b"kept"
    assert client.get(link).content == b"kept"
    assert client.put(pending["url"], content=b"late", headers=put).status_code == 204
    assert alice.request("POST", pending["complete_url"]).status_code == 200
    again = alice.request("POST", files, files={"file": ("c.txt", b"back", "text/plain")})
    assert again.status_code == 201, again.text
