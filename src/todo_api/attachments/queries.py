"""All attachment SQL. Keyword-only functions, typed results, no commits.

Every statement filters by `user_id`, so an id alone never reaches another user's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from todo_api.attachments.schemas import Attachment
from todo_api.storage.connection import Connection, Row

COLUMNS = "id, task_id, filename, content_type, size, storage_key, status, expires_at, created_at"


@dataclass(frozen=True)
class Stored:
    attachment: Attachment
    storage_key: str
    status: str
    expires_at: dt.datetime | None


def _stored(row: Row) -> Stored:
    return Stored(
        attachment=Attachment(
            id=row["id"],
            task_id=row["task_id"],
            filename=row["filename"],
            content_type=row["content_type"],
            size=int(row["size"]),
            created_at=row["created_at"],
        ),
        storage_key=row["storage_key"],
        status=row["status"],
        expires_at=row["expires_at"],
    )


def task_exists(conn: Connection, *, user_id: str, task_id: str) -> bool:
    row = conn.fetch_one(
        "SELECT 1 AS found FROM tasks WHERE id = :id AND user_id = :user_id",
        id=task_id,
        user_id=user_id,
    )
    return row is not None


def lock_owner(conn: Connection, *, user_id: str) -> None:
    """Serialise the user's quota-checked inserts until this transaction ends.

    Postgres: without the row lock, parallel uploads each read the same used bytes under
    READ COMMITTED and together pass the quota. SQLite needs nothing: its writers hold
    the database's write lock from BEGIN IMMEDIATE on."""
    if conn.dialect == "postgres":
        conn.fetch_one("SELECT id FROM users WHERE id = :id FOR UPDATE", id=user_id)


def used_bytes(conn: Connection, *, user_id: str) -> int:
    """Bytes counted against the quota: stored files and uploads still in flight."""
    row = conn.fetch_one(
        "SELECT COALESCE(SUM(size), 0) AS used FROM attachments WHERE user_id = :user_id",
        user_id=user_id,
    )
    return int(row["used"]) if row else 0


def insert(
    conn: Connection,
    *,
    id: str,
    user_id: str,
    task_id: str,
    filename: str,
    content_type: str,
    size: int,
    storage_key: str,
    status: str,
    expires_at: dt.datetime | None,
    created_at: dt.datetime,
) -> Stored:
    row = conn.fetch_one(
        "INSERT INTO attachments (id, task_id, user_id, filename, content_type, size, "
        "storage_key, status, expires_at, created_at) VALUES (:id, :task_id, :user_id, "
        ":filename, :content_type, :size, :storage_key, :status, :expires_at, :created_at) "
        f"RETURNING {COLUMNS}",
        id=id,
        task_id=task_id,
        user_id=user_id,
        filename=filename,
        content_type=content_type,
        size=size,
        storage_key=storage_key,
        status=status,
        expires_at=expires_at,
        created_at=created_at,
    )
    assert row is not None
    return _stored(row)


def get(
    conn: Connection, *, user_id: str, task_id: str, attachment_id: str, status: str = "ready"
) -> Stored | None:
    row = conn.fetch_one(
        f"SELECT {COLUMNS} FROM attachments WHERE id = :id AND task_id = :task_id "
        "AND user_id = :user_id AND status = :status",
        id=attachment_id,
        task_id=task_id,
        user_id=user_id,
        status=status,
    )
    return None if row is None else _stored(row)


def list_for_task(conn: Connection, *, user_id: str, task_id: str) -> list[Attachment]:
    rows = conn.fetch_all(
        f"SELECT {COLUMNS} FROM attachments WHERE task_id = :task_id AND user_id = :user_id "
        "AND status = 'ready' ORDER BY created_at, id",
        task_id=task_id,
        user_id=user_id,
    )
    return [_stored(row).attachment for row in rows]


def mark_ready(
    conn: Connection,
    *,
    user_id: str,
    attachment_id: str,
    size: int,
    content_type: str,
    storage_key: str,
) -> Stored | None:
    """List a pending upload, now read from `storage_key` (its completed copy); None when
    it is no longer pending (completed by another request, or gone)."""
    row = conn.fetch_one(
        "UPDATE attachments SET status = 'ready', expires_at = NULL, size = :size, "
        "content_type = :content_type, storage_key = :storage_key WHERE id = :id "
        f"AND user_id = :user_id AND status = 'pending' RETURNING {COLUMNS}",
        id=attachment_id,
        user_id=user_id,
        size=size,
        content_type=content_type,
        storage_key=storage_key,
    )
    return None if row is None else _stored(row)


def claim_upload(conn: Connection, *, storage_key: str) -> bool:
    """Take the one PUT a signed upload link allows; False when another request took it,
    or the upload was completed, deleted or cleaned up. (The key comes from a token we
    signed, so it names the user's own row.)"""
    changed = conn.execute(
        "UPDATE attachments SET upload_started_at = :now WHERE storage_key = :key "
        "AND status = 'pending' AND upload_started_at IS NULL",
        now=dt.datetime.now(dt.UTC),
        key=storage_key,
    )
    return changed == 1


def release_upload(conn: Connection, *, storage_key: str) -> None:
    """Give the PUT back after a refused body (too large, wrong type): the link may retry."""
    conn.execute(
        "UPDATE attachments SET upload_started_at = NULL WHERE storage_key = :key "
        "AND status = 'pending'",
        key=storage_key,
    )


def delete(conn: Connection, *, user_id: str, attachment_id: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM attachments WHERE id = :id AND user_id = :user_id",
            id=attachment_id,
            user_id=user_id,
        )
        == 1
    )


def delete_pending(conn: Connection, *, user_id: str, attachment_id: str) -> bool:
    """Drop an upload that is still pending; a row another completion has listed stays."""
    return (
        conn.execute(
            "DELETE FROM attachments WHERE id = :id AND user_id = :user_id AND status = 'pending'",
            id=attachment_id,
            user_id=user_id,
        )
        == 1
    )


def take_expired_uploads(conn: Connection, *, user_id: str, before: dt.datetime) -> list[str]:
    """Delete the user's pending uploads that expired before `before`; return their keys."""
    rows = conn.fetch_all(
        "DELETE FROM attachments WHERE user_id = :user_id AND status = 'pending' "
        "AND expires_at < :before RETURNING storage_key",
        user_id=user_id,
        before=before,
    )
    return [row["storage_key"] for row in rows]


def take_any_expired_uploads(conn: Connection, *, before: dt.datetime, limit: int) -> list[str]:
    """Like take_expired_uploads for every user (housekeeping, not a user's request):
    uploads whose owners never come back must not stay forever."""
    rows = conn.fetch_all(
        "DELETE FROM attachments WHERE id IN (SELECT id FROM attachments "
        "WHERE status = 'pending' AND expires_at < :before LIMIT :limit) RETURNING storage_key",
        before=before,
        limit=limit,
    )
    return [row["storage_key"] for row in rows]


def known_keys(conn: Connection, *, user_id: str) -> set[str]:
    rows = conn.fetch_all(
        "SELECT storage_key FROM attachments WHERE user_id = :user_id", user_id=user_id
    )
    return {row["storage_key"] for row in rows}
