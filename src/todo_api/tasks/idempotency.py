"""Idempotency-Key for creates (the IETF httpapi draft's header, as Stripe uses it).

The key is claimed in the same transaction as the insert (INSERT ... ON CONFLICT DO
NOTHING): a copy that arrives while the first is running waits for its commit (Postgres
row lock; SQLite's write lock from BEGIN IMMEDIATE) and then finds the stored answer,
so copies sent at once still create one task. The answer kept is the first response's
body, so a retry answers the same even after the task changed. A key reused with a
different body is refused with 409 (the IETF draft suggests 422, but the body is valid:
it is the key that conflicts with its first use); keys are per user, kept for a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import msgspec
from starlette.requests import Request

from todo_api.http.problems import BadRequest
from todo_api.ids_and_clock import now
from todo_api.storage.connection import Connection
from todo_api.tasks.queries import Versioned
from todo_api.tasks.schemas import Task

HEADER = "Idempotency-Key"
KEEP = dt.timedelta(hours=24)
SWEEP_BATCH = 20
_VALID = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces


class Claim(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    key: str
    request_hash: str


class KeyReused(Exception):
    """The key was first used with a different request body."""


def claim_of(request: Request, body: msgspec.Struct) -> Claim | None:
    raw = request.headers.get(HEADER.lower())
    if raw is None:
        return None
    if not _VALID.fullmatch(raw):
        raise BadRequest(f"{HEADER} must be 1 to 255 printable ASCII characters without spaces")
    return Claim(raw, hashlib.sha256(msgspec.json.encode(body)).hexdigest())


def replay_or_claim(conn: Connection, *, user_id: str, claim: Claim) -> Versioned | None:
    """The stored answer of an earlier request with this key, or None after claiming it
    for this one (then `remember` must run in the same transaction)."""
    conn.execute(
        "DELETE FROM idempotency_keys WHERE user_id = :user_id AND key IN (SELECT key FROM "
        "idempotency_keys WHERE user_id = :user_id AND created_at < :cutoff LIMIT :batch)",
        user_id=user_id,
        cutoff=now() - KEEP,
        batch=SWEEP_BATCH,
    )
    claimed = conn.execute(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) "
        "VALUES (:user_id, :key, :hash, :now) ON CONFLICT (user_id, key) DO NOTHING",
        user_id=user_id,
        key=claim.key,
        hash=claim.request_hash,
        now=now(),
    )
    if claimed == 1:
        return None
    row = conn.fetch_one(
        "SELECT request_hash, response, version FROM idempotency_keys "
        "WHERE user_id = :user_id AND key = :key",
        user_id=user_id,
        key=claim.key,
    )
    assert row is not None
    if row["request_hash"] != claim.request_hash or row["response"] is None:
        raise KeyReused
    task = msgspec.json.decode(row["response"], type=Task)
    return Versioned(task=task, version=int(row["version"]))


def remember(conn: Connection, *, user_id: str, claim: Claim, created: Versioned) -> None:
    conn.execute(
        "UPDATE idempotency_keys SET response = :response, version = :version "
        "WHERE user_id = :user_id AND key = :key",
        response=msgspec.json.encode(created.task).decode(),
        version=created.version,
        user_id=user_id,
        key=claim.key,
    )
