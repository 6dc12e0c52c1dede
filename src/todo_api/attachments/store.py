"""Where an app's attachments live: the blob store, opened once per app on first use
(Services.attachments() holds it),
the keys files get in it, and store calls run off the event loop.

Store failures become problems here, in words: a full store is a 507, any other failure
a 503, and what exactly failed (hosts, buckets, folders) goes to the log only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from todo_api.attachments.config import AttachmentConfig
from todo_api.http.middleware import log_internal
from todo_api.http.problems import InsufficientStorage, ServiceUnavailable
from todo_api.worker_threads import run_sync

if TYPE_CHECKING:
    from todo_api.storage.blobs import BlobStore

T = TypeVar("T")

STORAGE_DOWN = "File storage is unreachable or refused the request; try again shortly"
STORAGE_FULL = "File storage is full; nothing was kept. Try again later or a smaller file"
EPHEMERAL_BASE = Path("/tmp")  # noqa: S108 - the one writable folder on serverless
EPHEMERAL_ROOT = EPHEMERAL_BASE / "todo_api-blobs"  # used only when explicitly allowed
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_-]{0,63}")


@dataclass
class Runtime:
    """The app's attachment configuration and its blob store, opened on first use."""

    config: AttachmentConfig
    _store: BlobStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def opened(self) -> bool:
        """`store()` answers without touching a disk or a network: opened before, or
        refused by the configuration alone."""
        return self._store is not None or bool(self.config.problem)

    def store(self, secret: str) -> BlobStore:
        """The blob store, or a 503 saying what to configure."""
        if self.config.problem:
            raise ServiceUnavailable(self.config.problem)
        with self._lock:
            if self._store is None:
                self._store = self._open(secret)
            return self._store

    def _open(self, secret: str) -> BlobStore:
        from todo_api.storage.blobs import BlobStoreError, open_blob_store
        from todo_api.storage.blobs.local import LocalBlobStore

        config = self.config
        url = config.storage_url
        local = url is None or url.startswith("file:")
        if local and config.serverless:
            if not config.allow_ephemeral:
                raise ServiceUnavailable(
                    f"File storage is not configured: on {config.platform} the local disk is "
                    "read-only or wiped between invocations, so uploads would be lost. Set "
                    "STORAGE_URL=s3://bucket/prefix with AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL_S3 for R2 or Ceph), or "
                    "STORAGE_ALLOW_EPHEMERAL=1 to keep files in /tmp for a demo."
                )
            url = url or EPHEMERAL_ROOT.as_uri()
        try:
            store = open_blob_store(
                url, data_dir=config.data_dir, signing_secret=secret, environ=config.storage_env
            )
            if isinstance(store, LocalBlobStore):
                if config.serverless and not store.root.is_relative_to(EPHEMERAL_BASE):
                    log_internal("storage folder not writable here", str(store.root))
                    raise ServiceUnavailable(
                        f"STORAGE_URL points at a folder, but on {config.platform} only "
                        f"{EPHEMERAL_BASE} is writable (and ephemeral); use s3://bucket/prefix"
                    )
                store.ensure_writable()
        except BlobStoreError as exc:
            log_internal("file storage unavailable", exc)
            raise ServiceUnavailable(STORAGE_DOWN) from None
        return store


def blob_key(user_id: str, task_id: str, attachment_id: str) -> str:
    return f"{task_prefix(user_id, task_id)}{attachment_id}"


def upload_key(user_id: str, task_id: str, attachment_id: str) -> str:
    """Where a presigned upload link writes: replayable until it expires, so never the
    key a completed attachment is read from (see `uploads.py`)."""
    return f"{blob_key(user_id, task_id, attachment_id)}.upload"


def completed_key(user_id: str, task_id: str, attachment_id: str) -> str:
    """A key of the attachment's own that no upload link names, fresh per completion, so
    two completions racing never write the same key."""
    return f"{blob_key(user_id, task_id, attachment_id)}.{secrets.token_urlsafe(9)}"


def user_prefix(user_id: str) -> str:
    return f"u/{_segment(user_id)}/"


def task_prefix(user_id: str, task_id: str) -> str:
    return f"{user_prefix(user_id)}t/{_segment(task_id)}/"


def _segment(value: str) -> str:
    """Ids as key segments; anything unusual (e.g. external user ids) is hashed."""
    if _SAFE_SEGMENT.fullmatch(value):
        return value
    return "h" + hashlib.sha256(value.encode()).hexdigest()[:32]


async def blocking(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blob store call in a worker thread; a store failure is a 503."""
    from todo_api.storage.blobs import BlobNotFound, BlobStoreError, StorageFull

    def call() -> T:
        return func(*args, **kwargs)

    try:
        return await run_sync(call)
    except BlobNotFound:
        raise
    except StorageFull as exc:
        log_internal("file storage full", exc)
        raise InsufficientStorage(STORAGE_FULL) from None
    except (BlobStoreError, OSError) as exc:  # OSError: EIO, EACCES, a stale NFS handle...
        log_internal("file storage failed", exc)
        raise ServiceUnavailable(STORAGE_DOWN) from None
