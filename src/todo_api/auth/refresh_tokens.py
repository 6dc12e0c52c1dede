"""Refresh tokens: opaque, stored only as SHA-256, rotated on every use.

Each login starts a family. Refreshing retires the presented token and issues its
successor in the same family; presenting a retired token again means it was copied,
so the whole family is revoked (RFC 9700's reuse detection) and the caller must log in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from todo_api.ids_and_clock import new_id, now
from todo_api.storage.connection import Connection


@dataclass(frozen=True)
class Presented:
    user_id: str
    family_id: str
    token_id: str
    usable: bool  # False: expired or already rotated/revoked


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(conn: Connection, *, user_id: str, ttl: int, family_id: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    created = now()
    conn.execute(
        "INSERT INTO refresh_tokens (id, token_hash, user_id, family_id, expires_at, created_at) "
        "VALUES (:id, :hash, :user_id, :family_id, :expires_at, :created_at)",
        id=new_id(),
        hash=_digest(token),
        user_id=user_id,
        family_id=family_id or new_id(),
        expires_at=created + dt.timedelta(seconds=ttl),
        created_at=created,
    )
    return token


def lookup(conn: Connection, *, token: str) -> Presented | None:
    row = conn.fetch_one(
        "SELECT id, user_id, family_id, expires_at, revoked_at FROM refresh_tokens "
        "WHERE token_hash = :hash",
        hash=_digest(token),
    )
    if row is None:
        return None
    usable = row["revoked_at"] is None and row["expires_at"] > now()
    return Presented(row["user_id"], row["family_id"], row["id"], usable)


def retire(conn: Connection, *, token_id: str) -> bool:
    """Mark one token used; False when a concurrent request retired it first."""
    changed = conn.execute(
        "UPDATE refresh_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
        now=now(),
        id=token_id,
    )
    return changed == 1


def revoke_family(conn: Connection, *, family_id: str) -> None:
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = :now "
        "WHERE family_id = :family AND revoked_at IS NULL",
        now=now(),
        family=family_id,
    )
