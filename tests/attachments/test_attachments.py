"""Attachment routes through the real app, on both backends: a local folder and a real
S3 server (Ceph RGW). Presigned URLs are followed over real HTTP where they point at S3."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from starlette.applications import Starlette

from todo_api.main import create_app
from todo_api.settings import Settings
from todo_api.storage.blobs import BlobStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
SECRET = "attachments-test-secret-0123456789abcdef"
LIMITS = {
    "ATTACHMENT_MAX_DIRECT_BYTES": "1000",
    "ATTACHMENT_MAX_BYTES": "5000",
    "ATTACHMENT_QUOTA_BYTES": "8000",
}


@dataclass
class Env:
    client: httpx.Client  # the app over real HTTP (base_url set)
    app: Starlette
    kind: str
    tmp: Path

    def store(self) -> BlobStore:
        store: BlobStore = self.app.state.services.attachments().store(SECRET)
        return store

    def user(self) -> dict[str, str]:
        email = f"u{uuid.uuid4().hex[:10]}@example.com"
        resp = self.client.post(
            "/api/auth/register", json={"email": email, "password": "correct horse battery"}
        )
        assert resp.status_code == 201, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def task(self, auth: dict[str, str], title: str = "with files") -> str:
        resp = self.client.post("/api/tasks", json={"title": title}, headers=auth)
        assert resp.status_code == 201, resp.text
        task_id: str = resp.json()["id"]
        return task_id

    def upload(
        self,
        auth: dict[str, str],
        task_id: str,
        body: bytes,
        *,
        filename: str = "photo.png",
        content_type: str = "image/png",
    ) -> httpx.Response:
        return self.client.post(
            f"/api/tasks/{task_id}/attachments",
            files={"file": (filename, body, content_type)},
            headers=auth,
        )

    def send_presigned(self, upload: dict[str, Any], body: bytes, content_type: str) -> int:
        """What a browser does with the presigned upload the API returned."""
        if upload["method"] == "POST":  # S3 POST policy, straight to the S3 server
            fields = {**upload["fields"], "Content-Type": content_type}
            files = {"file": ("f", body, content_type)}
            return self.client.post(upload["url"], data=fields, files=files).status_code
        headers = {**upload["headers"], "Content-Type": content_type}
        return self.client.put(upload["url"], content=body, headers=headers).status_code

    def fetch(self, url: str) -> httpx.Response:
        """Follow a download link (relative: the app's; absolute: S3's), unauthenticated."""
        return self.client.get(url)


def _make_env(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    kind: str,
    extra: dict[str, str],
    **attachments: Any,
) -> Iterator[Env]:
    """The app over HTTP; `attachments` overrides fields of Settings.attachments that no
    variable sets (upload_ttl, upload_grace)."""
    env = {"TODO_DATA_DIR": str(tmp_path), "BETTER_AUTH_SECRET": SECRET, **LIMITS, **extra}
    if kind.startswith("s3"):
        # S3 with Postgres, the local folder with SQLite: the deployed and the laptop pairs.
        env.setdefault("DATABASE_URL", request.getfixturevalue("postgres_url"))
        rgw = request.getfixturevalue("rgw")
        env.update(rgw.env(request.getfixturevalue("s3_bucket"), "attachments"))
        if kind == "s3-put":  # presigned PUT instead of POST, as on Cloudflare R2
            env["STORAGE_URL"] += "?upload=put"
    settings = Settings.from_env(env)
    settings = msgspec.structs.replace(
        settings, attachments=msgspec.structs.replace(settings.attachments, **attachments)
    )
    app = create_app(settings)
    base = request.getfixturevalue("live_server")(app)
    with httpx.Client(base_url=base, timeout=15, follow_redirects=False) as client:
        yield Env(client, app, kind, tmp_path)


@pytest.fixture(params=["local", "s3", "s3-put"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    yield from _make_env(request, tmp_path, request.param, {})


def test_upload_list_download_delete(env: Env) -> None:
    auth = env.user()
    task_id = env.task(auth)
    resp = env.upload(auth, task_id, PNG, filename="Holiday photo.png")
    assert resp.status_code == 201, resp.text
    att = resp.json()
    assert att["filename"] == "Holiday photo.png"
    assert (att["task_id"], att["content_type"], att["size"]) == (task_id, "image/png", len(PNG))
    assert resp.headers["location"] == f"/api/tasks/{task_id}/attachments/{att['id']}"

    listing = env.client.get(f"/api/tasks/{task_id}/attachments", headers=auth).json()
    assert [a["id"] for a in listing["items"]] == [att["id"]]
    assert listing["used_bytes"] == len(PNG)
    assert listing["max_direct_upload_bytes"] == 1000
    assert listing["quota_bytes"] == 8000

    one = f"/api/tasks/{task_id}/attachments/{att['id']}"
    download = env.client.get(one, headers=auth)
    if env.kind != "local":
        assert download.status_code == 302
        followed = env.fetch(download.headers["location"])
    else:
        assert download.status_code == 200
        assert download.headers["x-content-type-options"] == "nosniff"
        followed = download
    assert followed.content == PNG
    assert 'filename="Holiday photo.png"' in followed.headers["content-disposition"]
    assert followed.headers["content-disposition"].startswith("attachment")

    link = env.client.get(one + "/url", headers=auth).json()
    assert link["expires_in"] > 0
    assert env.fetch(link["url"]).content == PNG  # no bearer token needed

    assert env.client.delete(one, headers=auth).status_code == 204
    assert env.client.get(one, headers=auth).status_code == 404
    assert list(env.store().list("")) == []


def test_direct_upload_checks(env: Env) -> None:
    auth = env.user()
    task_id = env.task(auth)
    base = f"/api/tasks/{task_id}/attachments"

    too_big = env.upload(auth, task_id, PNG + b"\x00" * 1000)
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert "/uploads" in too_big.json()["detail"]  # says what to do instead

    html = env.upload(auth, task_id, b"<script>alert(1)</script>", content_type="text/html")
    assert html.status_code == 415
    assert "text/html" in html.json()["detail"]

    disguised = env.upload(auth, task_id, b"<html><script>x</script>", content_type="image/png")
    assert disguised.status_code == 415
    assert "does not match" in disguised.json()["detail"]

    no_file = env.client.post(base, data={"other": "x"}, files={"x": ("a", b"a")}, headers=auth)
    assert no_file.status_code == 422
    assert no_file.json()["errors"][0]["field"] == "file"

    not_multipart = env.client.post(base, content=PNG, headers=auth)
    assert not_multipart.status_code == 415

    sneaky = env.upload(
        auth, task_id, b"hello", filename="../../etc/\u202eevil.txt", content_type="text/plain"
    )
    assert sneaky.status_code == 201, sneaky.text
    assert sneaky.json()["filename"] == "evil.txt"

    listed = env.client.get(base, headers=auth).json()["items"]
    assert [a["filename"] for a in listed] == ["evil.txt"]


def test_presigned_upload_flow(env: Env) -> None:
    auth = env.user()
    task_id = env.task(auth)
    base = f"/api/tasks/{task_id}/attachments"
    body = b"%PDF-1.7 " + b"x" * 2000  # over the direct limit, under the presigned one

    start = env.client.post(
        base + "/uploads",
        json={"filename": "report.pdf", "content_type": "application/pdf", "size": len(body)},
        headers=auth,
    )
    assert start.status_code == 201, start.text
    upload = start.json()
    assert upload["method"] == ("POST" if env.kind == "s3" else "PUT")
    assert upload["max_size"] == len(body)

    # Completing before the file arrived says so, and keeps the upload open.
    early = env.client.post(upload["complete_url"], headers=auth)
    assert early.status_code == 409
    assert "not arrived" in early.json()["detail"]

    # The URL is bound to the announced size and type.
    assert env.send_presigned(upload, body + b"more", "application/pdf") in (400, 403, 413)
    assert env.send_presigned(upload, body, "text/html") == 403
    assert env.send_presigned(upload, body, "application/pdf") in (200, 201, 204)

    done = env.client.post(upload["complete_url"], headers=auth)
    assert done.status_code == 200, done.text
    assert (done.json()["filename"], done.json()["size"]) == ("report.pdf", len(body))
    again = env.client.post(upload["complete_url"], headers=auth)
    assert again.json() == done.json()
    items = env.client.get(base, headers=auth).json()["items"]
    assert [a["id"] for a in items] == [upload["upload_id"]]

    too_big = env.client.post(
        base + "/uploads",
        json={"filename": "big.bin", "content_type": "application/zip", "size": 5001},
        headers=auth,
    )
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "size"
    bad_type = env.client.post(
        base + "/uploads",
        json={"filename": "x.svg", "content_type": "image/svg+xml", "size": 10},
        headers=auth,
    )
    assert bad_type.status_code == 415


def test_presigned_upload_with_wrong_content_is_dropped(env: Env) -> None:
    auth = env.user()
    task_id = env.task(auth)
    fake = b"<html>not a png</html>"
    upload = env.client.post(
        f"/api/tasks/{task_id}/attachments/uploads",
        json={"filename": "a.png", "content_type": "image/png", "size": len(fake)},
        headers=auth,
    ).json()
    assert env.send_presigned(upload, fake, "image/png") in (200, 201, 204)
    resp = env.client.post(upload["complete_url"], headers=auth)
    assert resp.status_code == 415
    assert list(env.store().list("")) == []
    assert env.client.post(upload["complete_url"], headers=auth).status_code == 404


def test_a_replayed_upload_link_cannot_replace_the_completed_file(env: Env) -> None:
    """S3 presigned links write their key until they expire: a leaked link replayed after
    completion must not change what the attachment downloads."""
    auth = env.user()
    task_id = env.task(auth)
    original = b"%PDF-1.7 the original " + b"o" * 200
    forged = b"%PDF-1.7 the replayed " + b"r" * 200  # same size: PUT URLs sign the length
    upload = env.client.post(
        f"/api/tasks/{task_id}/attachments/uploads",
        json={"filename": "a.pdf", "content_type": "application/pdf", "size": len(original)},
        headers=auth,
    ).json()
    assert env.send_presigned(upload, original, "application/pdf") in (200, 201, 204)
    done = env.client.post(upload["complete_url"], headers=auth)
    assert done.status_code == 200, done.text

    replay = env.send_presigned(upload, forged, "application/pdf")
    # The local folder refuses a spent link; S3 takes it, into a key nobody reads.
    assert replay == 403 if env.kind == "local" else replay in (200, 201, 204)
    one = f"/api/tasks/{task_id}/attachments/{done.json()['id']}"

    def downloaded() -> bytes:
        link = env.client.get(one + "/url", headers=auth).json()["url"]
        direct = env.client.get(one, headers=auth)
        via_route = env.fetch(direct.headers["location"]) if direct.status_code == 302 else direct
        assert via_route.content == env.fetch(link).content
        return via_route.content

    assert downloaded() == original
    # Completing again answers the same and does not pick up the replayed bytes.
    assert env.client.post(upload["complete_url"], headers=auth).json() == done.json()
    assert downloaded() == original
    # Deleting the task leaves nothing behind, replayed upload included.
    assert env.client.delete(f"/api/tasks/{task_id}", headers=auth).status_code == 204
    assert list(env.store().list("")) == []


def test_quota(env: Env) -> None:
    auth = env.user()
    task_id = env.task(auth)
    body = b"t" * 900
    for _ in range(8):
        assert env.upload(auth, task_id, body, content_type="text/plain").status_code == 201
    over = env.upload(auth, task_id, body, content_type="text/plain")
    assert over.status_code == 413
    problem = over.json()
    assert problem["type"] == "/problems/quota-exceeded"
    assert "quota" in problem["detail"]
    presigned = env.client.post(
        f"/api/tasks/{task_id}/attachments/uploads",
        json={"filename": "a.txt", "content_type": "text/plain", "size": 900},
        headers=auth,
    )
    assert presigned.status_code == 413
    # Quota is per user: someone else still has room.
    other = env.user()
    assert env.upload(other, env.task(other), body, content_type="text/plain").status_code == 201


def test_other_users_files_are_invisible(env: Env) -> None:
    alice, bob = env.user(), env.user()
    task_id = env.task(alice)
    att = env.upload(alice, task_id, PNG).json()
    upload = env.client.post(
        f"/api/tasks/{task_id}/attachments/uploads",
        json={"filename": "a.txt", "content_type": "text/plain", "size": 3},
        headers=alice,
    ).json()
    base = f"/api/tasks/{task_id}/attachments"
    one = f"{base}/{att['id']}"
    assert env.client.get(base, headers=bob).status_code == 404
    assert env.client.get(one, headers=bob).status_code == 404
    assert env.client.get(one + "/url", headers=bob).status_code == 404
    assert env.client.delete(one, headers=bob).status_code == 404
    assert env.upload(bob, task_id, PNG).status_code == 404
    assert env.client.post(upload["complete_url"], headers=bob).status_code == 404
    # Bob's own task with Alice's attachment id: still nothing.
    bob_task = env.task(bob)
    assert (
        env.client.get(f"/api/tasks/{bob_task}/attachments/{att['id']}", headers=bob).status_code
        == 404
    )
    assert env.client.get(one, headers={}).status_code == 401
    assert env.client.get(one, headers=alice).status_code in (200, 302)


def test_deleting_a_task_deletes_its_files(env: Env) -> None:
    auth = env.user()
    doomed, kept = env.task(auth, "doomed"), env.task(auth, "kept")
    for task_id in (doomed, doomed, kept):
        assert env.upload(auth, task_id, PNG).status_code == 201
    assert len(list(env.store().list(""))) == 3
    assert env.client.delete(f"/api/tasks/{doomed}", headers=auth).status_code == 204
    assert len(list(env.store().list(""))) == 1
    assert env.client.get(f"/api/tasks/{doomed}/attachments", headers=auth).status_code == 404
    listing = env.client.get(f"/api/tasks/{kept}/attachments", headers=auth).json()
    assert (len(listing["items"]), listing["used_bytes"]) == (1, len(PNG))


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_abandoned_uploads_are_cleaned(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    for env in _make_env(request, tmp_path, kind, {}, upload_ttl=2):
        auth = env.user()
        task_id = env.task(auth)
        start = {"filename": "a.txt", "content_type": "text/plain", "size": 900}
        base = f"/api/tasks/{task_id}/attachments/uploads"
        abandoned = env.client.post(base, json=start, headers=auth).json()
        assert env.send_presigned(abandoned, b"x" * 900, "text/plain") in (200, 201, 204)
        time.sleep(3.2)  # the link expires, the upload is never completed
        assert env.client.post(base, json=start, headers=auth).status_code == 201
        keys = [info.key for info in env.store().list("")]
        assert not any(abandoned["upload_id"] in key for key in keys)  # upload key included
        gone = env.client.post(abandoned["complete_url"], headers=auth)
        assert gone.status_code == 404


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_uploads_abandoned_by_others_are_cleaned_too(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    for env in _make_env(request, tmp_path, kind, {}, upload_ttl=2, upload_grace=0):
        quitter, other = env.user(), env.user()
        start = {"filename": "a.txt", "content_type": "text/plain", "size": 3}
        task_id = env.task(quitter)
        abandoned = env.client.post(
            f"/api/tasks/{task_id}/attachments/uploads", json=start, headers=quitter
        ).json()
        assert env.send_presigned(abandoned, b"abc", "text/plain") in (200, 201, 204)
        # The quitter never comes back; after the link expired, someone else uploads.
        time.sleep(3.2)
        late = env.client.post(
            f"/api/tasks/{env.task(other)}/attachments/uploads", json=start, headers=other
        )
        assert late.status_code == 201
        keys = [info.key for info in env.store().list("")]
        assert not any(abandoned["upload_id"] in key for key in keys)  # upload key included


def test_signed_local_links_refuse_tampering(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    for env in _make_env(request, tmp_path, "local", {}):
        auth = env.user()
        task_id = env.task(auth)
        att = env.upload(auth, task_id, PNG).json()
        url = env.client.get(
            f"/api/tasks/{task_id}/attachments/{att['id']}/url", headers=auth
        ).json()["url"]
        assert env.client.get(url).status_code == 200
        tampered = url[:-1] + ("A" if url[-1] != "A" else "B")
        resp = env.client.get(tampered)
        assert resp.status_code == 403
        assert resp.headers["content-type"] == "application/problem+json"
        assert env.client.put(url, content=b"x").status_code == 403  # a GET link cannot upload


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, 503),
        ({"STORAGE_ALLOW_EPHEMERAL": "1"}, 201),
    ],
)
def test_serverless_refuses_the_local_folder(
    request: pytest.FixtureRequest, tmp_path: Path, extra: dict[str, str], expected: int
) -> None:
    env_vars = {
        "VERCEL": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "STORAGE_URL": (tmp_path / "ephemeral").as_uri(),
        **extra,
    }
    for env in _make_env(request, tmp_path, "local", env_vars):
        auth = env.user()
        task_id = env.task(auth)
        resp = env.upload(auth, task_id, PNG)
        assert resp.status_code == expected, resp.text
        if expected == 503:
            assert "STORAGE_URL=s3://" in resp.json()["detail"]
            # Tasks keep working, and deleting one is not blocked by the missing storage.
            assert env.client.delete(f"/api/tasks/{task_id}", headers=auth).status_code == 204
