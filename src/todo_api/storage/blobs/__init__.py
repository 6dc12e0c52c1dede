"""Blob storage: one interface, two backends chosen by `STORAGE_URL`.

- `file:///path` (the default is `<data_dir>/blobs`): a local folder; presigned URLs are
  HMAC-signed, expiring tokens that the app itself serves (`local_http.py`).
- `s3://bucket/prefix`: any S3 API (AWS S3, Cloudflare R2, Ceph RGW), configured by the
  usual AWS variables (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` /
  `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
  `AWS_SESSION_TOKEN`); query parameters on the URL (`endpoint`, `region`,
  `addressing=path|virtual`, `upload=post|put`) override them. Presigned uploads are
  POST policies, except on R2 (no POST support) where they are PUT URLs.

The interface (base class, errors, key rules) is in `interface.py`. This package is
standalone: it imports nothing else from todo_api, and no backend is
imported before `open_blob_store` asks for it. Every call is blocking (file IO or one
HTTP request); async code runs it in a worker thread.

Keys are chosen by the application (ids, never user file names) and validated here:
segments of `[A-Za-z0-9._-]` that do not start with a dot, joined by `/`. So `..`,
absolute paths, backslashes and empty segments are refused before any backend sees
them.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from todo_api.storage.blobs.interface import (
    BlobInfo,
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreError,
    InvalidKey,
    PresignedUpload,
    StorageFull,
    content_disposition,
    is_out_of_room,
    validate_key,
    validate_prefix,
)

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobReader",
    "BlobStore",
    "BlobStoreError",
    "InvalidKey",
    "PresignedUpload",
    "StorageFull",
    "content_disposition",
    "is_out_of_room",
    "open_blob_store",
    "validate_key",
    "validate_prefix",
]


def open_blob_store(
    url: str | None,
    *,
    data_dir: str | os.PathLike[str],
    signing_secret: str | None = None,
    local_url_base: str = "/api/blobs",
    environ: Mapping[str, str] | None = None,
) -> BlobStore:
    """The store for `url` (`file:///...` or `s3://bucket/prefix`); None means local.

    `signing_secret` signs the local backend's presigned URLs (ignored for S3).
    Raises BlobStoreError with a message naming the setting when `url` is unusable.
    """
    env = os.environ if environ is None else environ
    url = (url or "").strip()
    if not url:
        url = Path(data_dir, "blobs").resolve().as_uri()
    try:
        parsed = urllib.parse.urlsplit(url)
    except ValueError as exc:  # an unclosed [ (IPv6 host)
        raise BlobStoreError(f"STORAGE_URL {url!r} is not a valid URL: {exc}") from None
    if parsed.scheme == "file":
        from todo_api.storage.blobs.local import LocalBlobStore

        if parsed.netloc not in ("", "localhost"):
            raise BlobStoreError(f"STORAGE_URL {url!r}: a file URL has no host (file:///path)")
        path = urllib.parse.unquote(parsed.path)
        if "\x00" in path:  # no file system takes one: os calls raise ValueError
            raise BlobStoreError(f"STORAGE_URL {url!r}: a file path has no NUL (%00)")
        return LocalBlobStore(
            Path(path),
            signing_secret=signing_secret,
            url_base=local_url_base,
        )
    if parsed.scheme == "s3":
        from todo_api.storage.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(url, env)
    raise BlobStoreError(
        f"STORAGE_URL {url!r} is not supported: use file:///path or s3://bucket/prefix"
    )
