"""The blob store contract, run against both backends: a local folder (its presigned URLs
served over real HTTP by uvicorn) and a real S3 server (Ceph RGW)."""

from __future__ import annotations

import io
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from todo_api.storage.blobs import (
    BlobNotFound,
    BlobStore,
    BlobStoreError,
    InvalidKey,
    PresignedUpload,
    content_disposition,
    open_blob_store,
)
from todo_api.storage.blobs.local import (
    InvalidToken,
    LocalBlobStore,
    TokenClaims,
    sign_token,
    verify_token,
)
from todo_api.storage.blobs.local_http import blob_routes
from todo_api.storage.blobs.s3 import S3BlobStore

SECRET = "test-secret-that-is-long-enough-0123456789"


@dataclass
class Backend:
    store: BlobStore
    base_url: str  # where relative presigned URLs resolve

    def url(self, url: str) -> str:
        return urllib.parse.urljoin(self.base_url, url)


@pytest.fixture(params=["local", "s3", "s3-put"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The local folder; S3 with POST-policy uploads; S3 with PUT uploads (as on R2)."""
    if request.param == "local":
        store = open_blob_store(
            f"file://{tmp_path}/blobs", data_dir=tmp_path, signing_secret=SECRET
        )
        assert isinstance(store, LocalBlobStore)
        base = request.getfixturevalue("live_server")(Starlette(routes=blob_routes(store)))
        return Backend(store, base)
    rgw = request.getfixturevalue("rgw")
    bucket = request.getfixturevalue("s3_bucket")
    upload = "?upload=put" if request.param == "s3-put" else ""
    store = open_blob_store(
        f"s3://{bucket}/some/prefix{upload}", data_dir=tmp_path, environ=rgw.env(bucket)
    )
    return Backend(store, rgw.endpoint)


def upload(backend: Backend, presigned: PresignedUpload, body: bytes, content_type: str) -> int:
    """Upload as a browser would; return the HTTP status."""
    url = backend.url(presigned.url)
    if presigned.method == "POST":
        fields = dict(presigned.fields)
        fields["Content-Type"] = content_type
        files = {"file": ("upload.bin", body, content_type)}
        return httpx.post(url, data=fields, files=files, timeout=10).status_code
    headers = dict(presigned.headers)
    headers["Content-Type"] = content_type
    return httpx.put(url, content=body, headers=headers, timeout=10).status_code


def test_put_get_head_delete(backend: Backend) -> None:
    store = backend.store
    info = store.put("u1/t1/a1", b"hello world", content_type="text/plain")
    assert info.size == 11
    head = store.head("u1/t1/a1")
    assert head is not None
    assert (head.size, head.content_type) == (11, "text/plain")
    assert store.exists("u1/t1/a1")
    with store.open("u1/t1/a1") as reader:
        assert reader.info.size == 11
        assert b"".join(reader) == b"hello world"

    store.delete("u1/t1/a1")
    assert store.head("u1/t1/a1") is None
    assert not store.exists("u1/t1/a1")
    with pytest.raises(BlobNotFound):
        store.open("u1/t1/a1")
    store.delete("u1/t1/a1")  # deleting twice is fine


def test_copy_is_a_snapshot_of_the_source(backend: Backend) -> None:
    """What completing a presigned upload relies on: the copy keeps the bytes and type it
    was made from, whatever is later written to the source, and replaces the target."""
    store = backend.store
    store.put("u1/t1/a1.upload", b"the original", content_type="application/pdf")
    store.put("u1/t1/a1.done", b"an older target", content_type="text/plain")
    store.copy("u1/t1/a1.upload", "u1/t1/a1.done")
    store.put("u1/t1/a1.upload", b"a replayed upload", content_type="application/pdf")
    assert store.read_bytes("u1/t1/a1.done") == b"the original"
    head = store.head("u1/t1/a1.done")
    assert head is not None
    assert (head.size, head.content_type) == (12, "application/pdf")
    with pytest.raises(BlobNotFound):
        store.copy("u1/t1/missing", "u1/t1/other")
    assert store.head("u1/t1/other") is None


def test_put_stream_of_unknown_length(backend: Backend) -> None:
    data = bytes(range(256)) * 1000  # 256 kB, several chunks
    backend.store.put("big/one", io.BytesIO(data), content_type="application/octet-stream")
    assert backend.store.read_bytes("big/one") == data
    head = backend.store.head("big/one")
    assert head is not None
    assert head.size == len(data)


def test_list_and_delete_prefix(backend: Backend) -> None:
    store = backend.store
    for key in ("u1/t1/a", "u1/t1/b", "u1/t2/c", "u2/t1/d"):
        store.put(key, key.encode(), content_type="text/plain")

    listed = {info.key: info for info in store.list("u1/")}
    assert set(listed) == {"u1/t1/a", "u1/t1/b", "u1/t2/c"}
    now = datetime.now(UTC)
    for info in listed.values():
        assert info.last_modified is not None
        assert now - timedelta(minutes=5) < info.last_modified < now + timedelta(minutes=5)
    assert {i.key for i in store.list("u1/t1/")} == {"u1/t1/a", "u1/t1/b"}
    assert list(store.list("nobody/")) == []

    assert store.delete_prefix("u1/t1/") == 2
    assert {i.key for i in store.list("")} == {"u1/t2/c", "u2/t1/d"}
    with pytest.raises(InvalidKey):
        store.delete_prefix("")


def test_presigned_upload_then_download(backend: Backend) -> None:
    store = backend.store
    # The announced size: a maximum for POST policies, exact for PUT URLs (R2).
    presigned = store.presign_upload("u1/t1/up", content_type="image/png", max_size=9)
    assert upload(backend, presigned, b"\x89PNG fake", "image/png") in (200, 201, 204)
    head = store.head("u1/t1/up")
    assert head is not None
    assert (head.size, head.content_type) == (9, "image/png")

    url = store.presign_download("u1/t1/up", filename="Zoë's photo.png", content_type="image/png")
    resp = httpx.get(backend.url(url), timeout=10)
    assert resp.status_code == 200
    assert resp.content == b"\x89PNG fake"
    assert resp.headers["content-type"] == "image/png"
    assert resp.headers["content-disposition"] == content_disposition("Zoë's photo.png")
    assert "filename*=UTF-8''Zo%C3%AB%27s%20photo.png" in resp.headers["content-disposition"]


def test_presigned_upload_refuses_too_large(backend: Backend) -> None:
    presigned = backend.store.presign_upload("u1/big", content_type="text/plain", max_size=10)
    status = upload(backend, presigned, b"x" * 11, "text/plain")
    assert status in (400, 403, 413)
    assert backend.store.head("u1/big") is None
    assert upload(backend, presigned, b"x" * 10, "text/plain") in (200, 201, 204)


def test_presigned_upload_refuses_other_content_type(backend: Backend) -> None:
    presigned = backend.store.presign_upload("u1/typed", content_type="image/png", max_size=100)
    assert upload(backend, presigned, b"<script>", "text/html") == 403
    assert backend.store.head("u1/typed") is None


def test_tampered_and_expired_urls_are_refused(backend: Backend) -> None:
    store = backend.store
    store.put("u1/secret", b"mine", content_type="text/plain")
    store.put("u2/secret", b"theirs", content_type="text/plain")
    good = store.presign_download("u1/secret", filename="s.txt")
    assert httpx.get(backend.url(good), timeout=10).status_code == 200

    # Point a valid signature at another user's key.
    other = good.replace("u1/secret", "u2/secret").replace("u1%2Fsecret", "u2%2Fsecret")
    if other == good:  # local tokens carry the key inside the signed payload
        other = _tamper(good)
    assert httpx.get(backend.url(other), timeout=10).status_code == 403
    assert httpx.get(backend.url(_tamper(good)), timeout=10).status_code == 403

    expired = store.presign_download("u1/secret", expires_in=1)
    time.sleep(2.2)
    assert httpx.get(backend.url(expired), timeout=10).status_code == 403

    presigned = store.presign_upload("u1/new", content_type="text/plain", max_size=100)
    forged = PresignedUpload(
        method=presigned.method,
        url=_tamper(presigned.url) if presigned.method == "PUT" else presigned.url,
        fields={**presigned.fields, "key": "some/prefix/u2/new"} if presigned.fields else {},
        headers=presigned.headers,
    )
    assert upload(backend, forged, b"data", "text/plain") == 403
    assert store.head("u2/new") is None


# Local only: an S3 POST policy cannot be made single-use (its short expiry bounds it).
@pytest.mark.parametrize("backend", ["local"], indirect=True)
def test_local_upload_links_work_once(backend: Backend) -> None:
    presigned = backend.store.presign_upload("u1/once", content_type="text/plain", max_size=10)
    assert upload(backend, presigned, b"first", "text/plain") == 204
    assert upload(backend, presigned, b"second", "text/plain") == 403
    assert backend.store.read_bytes("u1/once") == b"first"


def _tamper(url: str) -> str:
    """Flip one character of the signature (the last hex digit / token character)."""
    last = url[-1]
    return url[:-1] + ("A" if last != "A" else "B")


BAD_KEYS = [
    "",
    "../escape",
    "a/../../escape",
    "/etc/passwd",
    "a//b",
    ".hidden",
    "a/./b",
    "a\\..\\b",
    "a/b/",
    "nul\x00byte",
    "x" * 600,
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_traversal_and_odd_keys_are_refused(backend: Backend, key: str) -> None:
    store = backend.store
    with pytest.raises(InvalidKey):
        store.put(key, b"x", content_type="text/plain")
    with pytest.raises(InvalidKey):
        store.open(key)
    with pytest.raises(InvalidKey):
        store.head(key)
    with pytest.raises(InvalidKey):
        store.delete(key)
    with pytest.raises(InvalidKey):
        store.presign_download(key)
    with pytest.raises(InvalidKey):
        store.presign_upload(key, content_type="text/plain", max_size=1)
    if key not in ("", "a/b/"):
        with pytest.raises(InvalidKey):
            list(store.list(key))


def test_local_store_stays_inside_its_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs", signing_secret=SECRET)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("do not read")
    (tmp_path / "blobs" / "objects").mkdir(parents=True)
    (tmp_path / "blobs" / "objects" / "link").symlink_to(outside)
    with pytest.raises(InvalidKey):
        store.open("link/victim")
    with pytest.raises(InvalidKey):
        store.put("link/new", b"x", content_type="text/plain")
    assert not (outside / "new").exists()


def test_tokens_sign_and_verify() -> None:
    claims = TokenClaims(op="get", key="u1/a", expires=int(time.time()) + 60, filename="a.txt")
    token = sign_token(SECRET, claims)
    assert verify_token(SECRET, token, op="get") == claims
    with pytest.raises(InvalidToken, match="not valid for put"):
        verify_token(SECRET, token, op="put")
    with pytest.raises(InvalidToken, match="signature"):
        verify_token("another-secret-another-secret-0000000", token, op="get")
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token, op="get", now=time.time() + 120)
    payload, _, mac = token.partition(".")
    forged = sign_token(SECRET, TokenClaims(op="get", key="u2/a", expires=claims.expires))
    with pytest.raises(InvalidToken):
        verify_token(SECRET, forged.partition(".")[0] + "." + mac, op="get")
    for junk in ("", ".", "abc", "abc.def", payload + "."):
        with pytest.raises(InvalidToken):
            verify_token(SECRET, junk, op="get")


def test_open_blob_store_urls(tmp_path: Path) -> None:
    default = open_blob_store(None, data_dir=tmp_path)
    assert isinstance(default, LocalBlobStore)
    assert default.root == (tmp_path / "blobs").resolve()
    with pytest.raises(BlobStoreError, match="signing secret"):
        default.presign_download("a")
    with pytest.raises(BlobStoreError, match="not supported"):
        open_blob_store("ftp://host/x", data_dir=tmp_path)
    with pytest.raises(BlobStoreError, match="AWS_ACCESS_KEY_ID"):
        open_blob_store("s3://bucket/p", data_dir=tmp_path, environ={})

    creds = {"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"}
    aws = open_blob_store("s3://my-bucket/files", data_dir=tmp_path, environ=creds)
    assert isinstance(aws, S3BlobStore)
    assert (aws.client.host, aws.client.bucket_path, aws.prefix) == (
        "my-bucket.s3.us-east-1.amazonaws.com",
        "",
        "files/",
    )
    r2 = open_blob_store(
        "s3://my-bucket",
        data_dir=tmp_path,
        environ={**creds, "AWS_ENDPOINT_URL_S3": "https://acct.r2.cloudflarestorage.com"},
    )
    assert isinstance(r2, S3BlobStore)
    assert (r2.client.host, r2.client.bucket_path, r2.client.region) == (
        "acct.r2.cloudflarestorage.com",
        "/my-bucket",
        "auto",
    )
    assert "SK" not in repr(r2.client.credentials)
    overridden = open_blob_store(
        "s3://b-1/?region=eu-west-3&addressing=path",
        data_dir=tmp_path,
        environ={**creds, "AWS_REGION": "us-west-2"},
    )
    assert isinstance(overridden, S3BlobStore)
    assert (overridden.client.host, overridden.client.region) == (
        "s3.eu-west-3.amazonaws.com",
        "eu-west-3",
    )
