"""Ids and timestamps for new records, shared by every aggregate.

They lived in auth/users.py, so tasks, attachments and idempotency imported the user
module for two one-liners; here they belong to no aggregate, and a reader looking for
how ids are minted or which clock stamps a row finds one module named for it.
"""

from __future__ import annotations

import datetime as dt
import secrets


def new_id() -> str:
    """Opaque, URL-safe, unguessable ids (never sequential numbers in URLs)."""
    return secrets.token_urlsafe(12)


def now() -> dt.datetime:
    """The current time in UTC: stored timestamps are always aware and in one zone."""
    return dt.datetime.now(dt.UTC)
