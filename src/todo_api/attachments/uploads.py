"""Presigned uploads: a pending row and a link straight to storage, then a completion
that checks the file and lists it.

A presigned link (S3 PUT URL or POST policy) writes its key as often as it is sent until
it expires; S3 has no single-use links. So a completed upload does not stay where the
link writes: completion copies it inside the store (S3 CopyObject) from the upload key
to a fresh key of its own that no link names, checks the copy, points the row at it and
deletes the upload key. A replay after completion writes a key nobody reads, which the
orphan sweep removes. The copy is what gets checked, so a replay racing the completion
cannot swap in unchecked bytes either; and each completion copies to a key of its own,
so two completions racing never overwrite the winner's file.

Rows from before this scheme keep working: downloads read whatever key the row names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from todo_api.attachments import queries
from todo_api.attachments.config import AttachmentConfig
from todo_api.attachments.files import SNIFF_BYTES, matches_signature, normalise_content_type
from todo_api.attachments.queries import Stored
from todo_api.attachments.schemas import Attachment
from todo_api.attachments.service import (
    TASK_NOT_FOUND,
    QuotaExceeded,
    check_signature,
    clean_orphans,
    forget_blob,
    human_size,
    insert_within_quota,
    quota_detail,
)
from todo_api.attachments.store import blocking, completed_key, upload_key
from todo_api.http.problems import (
    ApiError,
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from todo_api.ids_and_clock import new_id, now
from todo_api.storage.blobs import BlobInfo, BlobNotFound

if TYPE_CHECKING:
    from todo_api.app_context import Services
    from todo_api.storage.blobs import BlobStore
    from todo_api.storage.connection import Connection

NO_UPLOAD = "No upload in progress with this id on this task"


class Gone(ApiError):
    status = 410


class UploadIncomplete(ApiError):
    status = 409
    type = "/problems/upload-incomplete"


async def create_upload(
    services: Services,
    config: AttachmentConfig,
    store: BlobStore,
    *,
    user_id: str,
    task_id: str,
    filename: str,
    content_type: str,
    size: int,
) -> tuple[Stored, Any]:
    """A pending row and a presigned upload bound to its upload key, type and size."""
    if size > config.max_bytes:
        raise ValidationFailed(
            "The upload cannot be accepted",
            errors=[FieldError("size", f"Files are limited to {human_size(config.max_bytes)}.")],
        )
    await clean_orphans(services, config, store, user_id)
    attachment_id = new_id()
    key = upload_key(user_id, task_id, attachment_id)
    expires = now() + dt.timedelta(seconds=config.upload_ttl)

    def work(conn: Connection) -> Stored | int | None:
        return insert_within_quota(
            conn, config, user_id=user_id, task_id=task_id, attachment_id=attachment_id,
            filename=filename, content_type=content_type, size=size, key=key,
            status="pending", expires_at=expires,
        )  # fmt: skip

    result = await services.db(work)
    if result is None:
        raise NotFound(TASK_NOT_FOUND)
    if not isinstance(result, Stored):
        raise QuotaExceeded(quota_detail(config, result, size))
    presigned = await blocking(
        store.presign_upload,
        key,
        content_type=content_type,
        max_size=size,
        expires_in=config.upload_ttl,
    )
    return result, presigned


async def complete_upload(
    services: Services,
    store: BlobStore,
    *,
    user_id: str,
    task_id: str,
    upload_id: str,
) -> Attachment:
    """Copy the uploaded file to a key of its own, check the copy, list it."""

    def find(conn: Connection) -> tuple[Stored | None, Stored | None]:
        pending = queries.get(
            conn, user_id=user_id, task_id=task_id, attachment_id=upload_id, status="pending"
        )
        ready = queries.get(conn, user_id=user_id, task_id=task_id, attachment_id=upload_id)
        return pending, ready

    pending, ready = await services.db(find, read_only=True)
    if ready is not None:  # completing twice answers the same
        return ready.attachment
    if pending is None:
        raise NotFound(NO_UPLOAD)
    key = completed_key(user_id, task_id, upload_id)
    try:
        await _copy_arrived(services, store, user_id, pending, key)
        info = await _checked_copy(services, store, user_id, pending, key)

        def work(conn: Connection) -> Stored | None:
            return queries.mark_ready(
                conn,
                user_id=user_id,
                attachment_id=upload_id,
                size=info.size,
                content_type=pending.attachment.content_type,
                storage_key=key,
            )

        done = await services.db(work)
    except ApiError:
        # A completion racing ours may have listed the file and deleted the upload key
        # under our copy: then this one answers what that one listed.
        await forget_blob(store, key)
        if winner := await _listed(services, find):
            return winner
        raise
    except BaseException:
        await forget_blob(store, key)
        raise
    if done is None:  # another completion won (its own copy), or the row went away
        await forget_blob(store, key)
        if winner := await _listed(services, find):
            return winner
        raise NotFound(NO_UPLOAD)
    # From now on the link writes a key no row names: a replay cannot replace the file.
    await forget_blob(store, pending.storage_key)
    return done.attachment


async def _listed(
    services: Services, find: Callable[[Connection], tuple[Stored | None, Stored | None]]
) -> Attachment | None:
    """The attachment as listed now, when a completion (maybe another) has listed it."""
    _, ready = await services.db(find, read_only=True)
    return None if ready is None else ready.attachment


async def _copy_arrived(
    services: Services, store: BlobStore, user_id: str, pending: Stored, key: str
) -> None:
    """Copy the upload key to `key`; a file that never arrived is a 409, or a 410 once
    the link has expired (the upload is then dropped)."""
    try:
        await blocking(store.copy, pending.storage_key, key)
    except BlobNotFound:
        if pending.expires_at is not None and pending.expires_at < now():
            await _drop(services, store, user_id, pending)
            raise Gone(
                "The upload link expired before the file arrived; start a new upload."
            ) from None
        raise UploadIncomplete(
            "The file has not arrived in storage yet: send it to the upload URL first, "
            "then complete the upload."
        ) from None


async def _checked_copy(
    services: Services, store: BlobStore, user_id: str, pending: Stored, key: str
) -> BlobInfo:
    """The copy's size, type and first bytes against what was announced; a mismatch
    drops the upload (row and upload key) and raises the problem."""
    info = await blocking(store.head, key)
    declared = pending.attachment
    if info is None:  # deleted between the copy and now: nothing to list
        raise UploadIncomplete("The file vanished from storage; send it again.")
    if info.size > declared.size:
        await _drop(services, store, user_id, pending)
        raise PayloadTooLarge(f"The file is larger than the {declared.size} bytes announced.")
    stored_type = normalise_content_type(info.content_type)
    if stored_type is not None and stored_type != declared.content_type:
        await _drop(services, store, user_id, pending)
        raise UnsupportedMediaType(
            f"The file was stored as {stored_type}, not the announced {declared.content_type}."
        )
    head = await blocking(_read_head, store, key)
    if not matches_signature(declared.content_type, head):
        await _drop(services, store, user_id, pending)
        check_signature(declared.content_type, head)
    return info


def _read_head(store: BlobStore, key: str) -> bytes:
    with store.open(key) as reader:
        return reader.read(SNIFF_BYTES)


async def _drop(services: Services, store: BlobStore, user_id: str, pending: Stored) -> None:
    await services.db(
        lambda conn: queries.delete_pending(
            conn, user_id=user_id, attachment_id=pending.attachment.id
        )
    )
    await forget_blob(store, pending.storage_key)
