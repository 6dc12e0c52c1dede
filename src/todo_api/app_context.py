"""What handlers share: settings, the database, the limiter and the attachment store.

Built by create_app() from a Settings value (tests inject their own); everything in it
is lazy, so building it touches no network, no disk and no optional module. The module is
the application context, named so, not `services.py`: beside tasks/service.py and
attachments/service.py (one aggregate's operations each) that name read as one more of them.
It holds configuration and resources only: authentication and what it keeps between
requests are auth/authenticate.py's (its Authenticator).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, TypeVar

from todo_api.http.middleware import log_internal
from todo_api.http.problems import InsufficientStorage, ServiceUnavailable
from todo_api.settings import Settings
from todo_api.storage.connection import DatabaseFull, DatabaseUnavailable
from todo_api.storage.database import Database

if TYPE_CHECKING:
    from collections.abc import Callable

    from todo_api.attachments.store import Runtime
    from todo_api.storage.connection import Connection
    from todo_api.throttle import Throttle

logger = logging.getLogger("todo_api")
T = TypeVar("T")


class Services:
    # A plain class, not a @dataclass: generating and exec'ing its __init__, __repr__
    # and __eq__ was the largest single cost of this module's import (issue 13), and
    # nothing compares or prints a Services.
    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._throttle: Throttle | None = None
        self._attachments: Runtime | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        database = Database(settings.database_url, sqlite_busy_timeout=settings.sqlite_busy_timeout)
        return cls(settings=settings, database=database)

    def require_secret(self) -> str:
        if self.settings.secret is None:
            raise ServiceUnavailable(self.settings.secret_problem or "No signing secret")
        return self.settings.secret

    async def db(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T:
        """Run `work` in one transaction; configuration or connection failures -> 503.

        `read_only=True` only for work that never writes: it lets SQLite readers run
        beside a writer instead of queueing for the write lock."""
        if self.settings.database_problem:
            raise ServiceUnavailable(self.settings.database_problem)
        try:
            return await self.database.run(work, read_only=read_only)
        except DatabaseFull as exc:
            log_internal("database full", exc)
            raise InsufficientStorage(exc.public) from None
        except DatabaseUnavailable as exc:
            log_internal("database unavailable", exc)
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            raise ServiceUnavailable(exc.public, headers=headers) from None

    def throttle(self) -> Throttle | None:
        """The brute-force limiter (None when AUTH_RATE_LIMIT=off), built on first use:
        Redis only when REDIS_URL is set, else the database every instance shares."""
        if self.settings.rate_limits is None:
            return None
        with self._lock:
            if self._throttle is None:
                from todo_api.throttle import CounterStore, Throttle

                store: CounterStore
                if self.settings.redis_url:
                    from todo_api.throttle.redis_counters import RedisCounters

                    store = RedisCounters(self.settings.redis_url)
                else:
                    from todo_api.throttle.sql import SqlCounters

                    store = SqlCounters(self)
                self._throttle = Throttle(store)
            return self._throttle

    def attachments(self) -> Runtime:
        """The attachment configuration and blob store (opened on its first use), built
        on first use so requests that never touch files never import the store."""
        from todo_api.attachments.store import Runtime

        with self._lock:
            if self._attachments is None:
                self._attachments = Runtime(self.settings.attachments)
            return self._attachments
