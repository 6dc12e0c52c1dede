"""The one connection interface query modules use, whatever the database.

Queries are written once with `:name` parameters, which both sqlite3 and pg8000's
native interface understand; rows come back as dicts with Python values (bool, date,
aware datetime) on both. Query functions never commit: the transaction belongs to the
caller (`Database.run`).
"""

from __future__ import annotations

from typing import Any, Protocol

Row = dict[str, Any]


class Connection(Protocol):
    dialect: str  # "sqlite" | "postgres": the only place callers may branch on it

    def fetch_all(self, sql: str, /, **params: Any) -> list[Row]: ...

    def fetch_one(self, sql: str, /, **params: Any) -> Row | None: ...

    def execute(self, sql: str, /, **params: Any) -> int:
        """Run a statement; return the number of rows it changed."""
        ...


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; answered as 503, never a crash.

    str() is for the log and may name the host, port, database or file; `public` is what
    clients are told, in words only."""

    def __init__(self, detail: str, public: str = "The database is unreachable") -> None:
        super().__init__(detail)
        self.public = public
