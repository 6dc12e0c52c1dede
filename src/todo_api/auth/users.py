"""User records: the struct the API returns and the SQL that stores them."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import msgspec

from todo_api.ids_and_clock import new_id, now
from todo_api.storage.connection import Connection, Row


class User(msgspec.Struct, frozen=True):
    id: str
    email: str
    name: str | None
    created_at: dt.datetime


def normalise_email(email: str) -> str:
    """One spelling per address, so lookalikes cannot open a second account: NFKC
    (fullwidth letters -> `ann`, a decomposed `é` -> the composed one), trimmed and
    lowercased (`Ann@Example.com ` is `ann@example.com`)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).strip().lower())


def invisible_in(email: str) -> str | None:
    """The first control or format character (zero-width space, soft hyphen, bidi
    override...) in `email`: it would look like another address, so it is refused."""
    for char in email:
        if unicodedata.category(char) in ("Cc", "Cf"):
            return f"U+{ord(char):04X}"
    return None


def _user(row: Row) -> User:
    return User(id=row["id"], email=row["email"], name=row["name"], created_at=row["created_at"])


def find_by_email(conn: Connection, *, email: str) -> tuple[User, str | None] | None:
    row = conn.fetch_one(
        "SELECT id, email, name, created_at, password_hash FROM users "
        "WHERE email = :email AND auth_source = 'local'",
        email=email,
    )
    return None if row is None else (_user(row), row["password_hash"])


def find_by_id(conn: Connection, *, user_id: str) -> tuple[User, str] | None:
    row = conn.fetch_one(
        "SELECT id, email, name, created_at, auth_source FROM users WHERE id = :id", id=user_id
    )
    return None if row is None else (_user(row), row["auth_source"])


def insert_local(
    conn: Connection, *, email: str, name: str | None, password_hash: str
) -> User | None:
    """A new local account; None when the email is taken, also by a registration that
    committed a moment ago in another request or instance (ON CONFLICT waits for it and
    then does nothing, so the loser of the race is a 409, not a unique-index failure)."""
    created = now()
    values: dict[str, Any] = {
        "id": new_id(),
        "email": email,
        "name": name,
        "password_hash": password_hash,
        "created_at": created,
    }
    changed = conn.execute(
        "INSERT INTO users (id, email, name, password_hash, auth_source, created_at, updated_at) "
        "VALUES (:id, :email, :name, :password_hash, 'local', :created_at, :created_at) "
        "ON CONFLICT (email) WHERE auth_source = 'local' DO NOTHING",
        **values,
    )
    if changed != 1:
        return None
    return User(id=values["id"], email=email, name=name, created_at=created)


def update_password_hash(conn: Connection, *, user_id: str, password_hash: str) -> None:
    conn.execute(
        "UPDATE users SET password_hash = :hash, updated_at = :now WHERE id = :id",
        hash=password_hash,
        now=now(),
        id=user_id,
    )


def ensure_better_auth_user(conn: Connection, *, user_id: str, email: str, name: str | None) -> str:
    """Insert the user unless the id exists; return the auth source of that id."""
    created = now()
    conn.execute(
        "INSERT INTO users (id, email, name, password_hash, auth_source, created_at, updated_at) "
        "VALUES (:id, :email, :name, NULL, 'better_auth', :created, :created) "
        "ON CONFLICT (id) DO NOTHING",
        id=user_id,
        email=email,
        name=name,
        created=created,
    )
    row = conn.fetch_one("SELECT auth_source FROM users WHERE id = :id", id=user_id)
    assert row is not None
    return str(row["auth_source"])
