"""Attachment use cases: checks, quota, the blob store and the database kept in step.

Order of writes: bytes first, then the row; deleting: the row first, then the bytes.
Either way a crash leaves at worst a blob without a row, never a row without bytes,
and `clean_orphans` removes such blobs (and abandoned presigned uploads) later.
Blob calls block, so they run in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import TYPE_CHECKING, TypeVar

from todo_api.attachments import queries
from todo_api.attachments.config import DEFAULT_CONTENT_TYPES, AttachmentConfig
from todo_api.attachments.files import matches_signature, normalise_content_type
from todo_api.attachments.queries import Stored
from todo_api.attachments.schemas import Attachment
from todo_api.attachments.store import blob_key, task_prefix, user_prefix
from todo_api.http.problems import (
    ApiError,
    NotFound,
    UnsupportedMediaType,
)
from todo_api.ids_and_clock import now
from todo_api.worker_threads import run_sync

if TYPE_CHECKING:
    from todo_api.app_context import Services
    from todo_api.storage.blobs import BlobStore
    from todo_api.storage.connection import Connection

logger = logging.getLogger("todo_api.attachments")
T = TypeVar("T")

TASK_NOT_FOUND = "No task with this id"
DEFAULT_TYPES_IN_WORDS = (
    "images (PNG, JPEG, GIF, WebP), PDF, plain text, CSV, Markdown, JSON, ZIP, "
    "Word, Excel, PowerPoint and OpenDocument files, or any other file sent as "
    "application/octet-stream"
)
ATTACHMENT_NOT_FOUND = "No file with this id on this task"
ORPHAN_GRACE = dt.timedelta(hours=1)


class QuotaExceeded(ApiError):
    status = 413
    type = "/problems/quota-exceeded"


# -- checks ------------------------------------------------------------------------------


async def require_task(services: Services, user_id: str, task_id: str) -> None:
    def work(conn: Connection) -> bool:
        return queries.task_exists(conn, user_id=user_id, task_id=task_id)

    if not await services.db(work, read_only=True):
        raise NotFound(TASK_NOT_FOUND)


def checked_content_type(config: AttachmentConfig, declared: str | None) -> str:
    content_type = normalise_content_type(declared) or "application/octet-stream"
    if not config.allows(content_type):
        if config.content_types == DEFAULT_CONTENT_TYPES:
            accepted = DEFAULT_TYPES_IN_WORDS
        else:
            accepted = ", ".join(config.content_types)
        raise UnsupportedMediaType(
            f"Files of type {content_type[:100]} are not accepted. Accepted: {accepted}."
        )
    return content_type


def check_signature(content_type: str, head: bytes) -> None:
    if not matches_signature(content_type, head):
        raise UnsupportedMediaType(
            f"The file's content does not match its type {content_type[:100]}; "
            "choose the right file or save it in that format again."
        )


def quota_detail(config: AttachmentConfig, used: int, size: int) -> str:
    return (
        f"This file ({human_size(size)}) would exceed your storage quota: {human_size(used)} of "
        f"{human_size(config.quota_bytes)} used. Delete some files to make room."
    )


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


async def check_quota(services: Services, config: AttachmentConfig, user_id: str, size: int) -> int:
    used = await services.db(lambda conn: queries.used_bytes(conn, user_id=user_id), read_only=True)
    if used + size > config.quota_bytes:
        raise QuotaExceeded(quota_detail(config, used, size))
    return used


# -- use cases ----------------------------------------------------------------------------


async def list_attachments(
    services: Services, config: AttachmentConfig, user_id: str, task_id: str
) -> tuple[list[Attachment], int]:
    def work(conn: Connection) -> tuple[list[Attachment], int] | None:
        if not queries.task_exists(conn, user_id=user_id, task_id=task_id):
            return None
        items = queries.list_for_task(conn, user_id=user_id, task_id=task_id)
        return items, queries.used_bytes(conn, user_id=user_id)

    found = await services.db(work, read_only=True)
    if found is None:
        raise NotFound(TASK_NOT_FOUND)
    return found


def insert_within_quota(
    conn: Connection,
    config: AttachmentConfig,
    *,
    user_id: str,
    task_id: str,
    attachment_id: str,
    filename: str,
    content_type: str,
    size: int,
    key: str,
    status: str,
    expires_at: dt.datetime | None,
) -> Stored | int | None:
    """The new row; or the bytes already used when `size` would pass the quota; or None
    when the task is gone (deleted meanwhile). Runs in the caller's transaction."""
    queries.lock_owner(conn, user_id=user_id)
    if not queries.task_exists(conn, user_id=user_id, task_id=task_id):
        return None
    used = queries.used_bytes(conn, user_id=user_id)
    if used + size > config.quota_bytes:
        return used
    return queries.insert(
        conn,
        id=attachment_id,
        user_id=user_id,
        task_id=task_id,
        filename=filename,
        content_type=content_type,
        size=size,
        storage_key=key,
        status=status,
        expires_at=expires_at,
        created_at=now(),
    )


async def record(
    services: Services,
    config: AttachmentConfig,
    store: BlobStore,
    *,
    user_id: str,
    task_id: str,
    attachment_id: str,
    filename: str,
    content_type: str,
    size: int,
) -> Attachment:
    """Insert the row of a file already stored, within the quota; else remove the file."""
    key = blob_key(user_id, task_id, attachment_id)

    def work(conn: Connection) -> Stored | int | None:
        return insert_within_quota(
            conn, config, user_id=user_id, task_id=task_id, attachment_id=attachment_id,
            filename=filename, content_type=content_type, size=size, key=key,
            status="ready", expires_at=None,
        )  # fmt: skip

    try:
        result = await services.db(work)
    except BaseException:
        await forget_blob(store, key)
        raise
    if isinstance(result, Stored):
        return result.attachment
    await forget_blob(store, key)
    if result is None:
        raise NotFound(TASK_NOT_FOUND)
    raise QuotaExceeded(quota_detail(config, result, size))


async def get_attachment(
    services: Services, user_id: str, task_id: str, attachment_id: str
) -> Stored:
    def work(conn: Connection) -> Stored | None:
        return queries.get(conn, user_id=user_id, task_id=task_id, attachment_id=attachment_id)

    found = await services.db(work, read_only=True)
    if found is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return found


async def delete_attachment(
    services: Services, store: BlobStore, user_id: str, task_id: str, attachment_id: str
) -> None:
    found = await get_attachment(services, user_id, task_id, attachment_id)
    await services.db(
        lambda conn: queries.delete(conn, user_id=user_id, attachment_id=attachment_id)
    )
    await forget_blob(store, found.storage_key)


async def delete_task_files(services: Services, user_id: str, task_id: str) -> None:
    """After a task is deleted (its rows cascade): remove its files. Never raises:
    deleting a task must work even when file storage is down or not configured."""
    try:
        store = services.attachments().store(services.require_secret())
        await run_sync(functools.partial(store.delete_prefix, task_prefix(user_id, task_id)))
    except Exception as exc:  # clean_orphans catches what is left behind
        logger.warning("could not delete the files of task %s: %s", task_id, exc)


async def clean_orphans(
    services: Services, config: AttachmentConfig, store: BlobStore, user_id: str
) -> None:
    """Remove abandoned presigned uploads (the user's, and a batch of anyone's) and the
    user's blobs that have no row. Runs when an upload starts: serverless has no cron."""
    cutoff = now() - ORPHAN_GRACE
    others_cutoff = now() - dt.timedelta(seconds=config.upload_grace)

    def take_expired(conn: Connection) -> list[str]:
        mine = queries.take_expired_uploads(conn, user_id=user_id, before=now())
        return mine + queries.take_any_expired_uploads(conn, before=others_cutoff, limit=50)

    try:
        expired = await services.db(take_expired)
        known = await services.db(
            lambda conn: queries.known_keys(conn, user_id=user_id), read_only=True
        )

        def sweep() -> None:
            for key in expired:
                store.delete(key)
            for info in store.list(user_prefix(user_id)):
                old = info.last_modified is not None and info.last_modified < cutoff
                if info.key not in known and old:
                    store.delete(info.key)

        await run_sync(sweep)
    except Exception as exc:
        logger.warning("orphan clean-up failed for a user: %s", exc)


async def forget_blob(store: BlobStore, key: str) -> None:
    try:
        await run_sync(functools.partial(store.delete, key))
    except Exception as exc:
        logger.warning("could not delete blob %s (left for clean-up): %s", key, exc)
