"""GET /health: is this instance able to serve? Never raises, whatever is wrong.

Anyone can call it, so it says what is wrong in words (database unreachable, storage
not configured) and never where: hosts, ports, database names and folders go to the
log with the request id."""

from __future__ import annotations

from typing import Any

import msgspec

from todo_api import __version__
from todo_api.http.middleware import log_internal
from todo_api.http.problems import RETRY_SOON, ApiError, Problem
from todo_api.http.responses import json_response, problem_response
from todo_api.http.routing import Api, Call
from todo_api.storage.connection import DatabaseUnavailable
from todo_api.worker_threads import run_sync

api = Api(tags=["health"])


class DatabaseHealth(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" | "error" | "not configured"
    dialect: str
    latency_ms: float | None = None
    error: str | None = None


class StorageHealth(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" | "unavailable"
    backend: str | None = None  # "local" | "s3"
    error: str | None = None


class Health(msgspec.Struct):
    # "ok", or "degraded" when only attachment storage is unusable (tasks still work).
    status: str
    version: str
    platform: str
    database: DatabaseHealth
    storage: StorageHealth


class HealthProblem(Problem):
    """503 body: a problem document that still carries the individual checks."""

    problems: list[str] = msgspec.field(default_factory=list)
    database: DatabaseHealth | None = None
    storage: StorageHealth | None = None
    version: str = __version__


@api.get(
    "/health",
    summary="Liveness and readiness: database reachable, configuration complete",
    response=Health,
    auth=False,
    errors=(503,),
)
async def health(call: Call[None, None]) -> object:
    settings = call.services.settings
    database, storage = await _checks(call)
    problems = list(settings.problems)
    if database.status == "error" and database.error:
        problems.append(database.error)
    if problems:
        problem = HealthProblem(
            type="/problems/unavailable",
            title="Service Unavailable",
            status=503,
            detail="; ".join(problems),
            problems=problems,
            database=database,
            storage=storage,
        )
        return problem_response(problem, headers={"Cache-Control": "no-store", **RETRY_SOON})
    body = Health(
        status="ok" if storage.status == "ok" else "degraded",
        version=__version__,
        platform=settings.platform.value,
        database=database,
        storage=storage,
    )
    return json_response(body, headers={"Cache-Control": "no-store"})


async def _checks(call: Call[Any, Any]) -> tuple[DatabaseHealth, StorageHealth]:
    """Both checks, on the event loop where nothing blocks (an idle connection's ping, a
    store opened before); what blocks (the driver, the filesystem) takes one trip to a
    worker thread for both, not one each: a hop costs about what a ping on loopback does."""
    database = await _database_on_loop(call)
    storage = _check_storage(call) if _storage_opened(call) else None
    if database is not None and storage is not None:
        return database, storage
    known_database, known_storage = database, storage
    return await run_sync(
        lambda: (known_database or _check_database(call), known_storage or _check_storage(call))
    )


async def _database_on_loop(call: Call[Any, Any]) -> DatabaseHealth | None:
    """The database's state without a worker thread where the backend can ping so
    (Database.ping_on_loop); None where only `_check_database` on a thread can tell."""
    services = call.services
    dialect = services.database.dialect
    if services.settings.database_problem:
        return DatabaseHealth(status="not configured", dialect=dialect)
    try:
        latency = await services.database.ping_on_loop()
    except Exception as exc:  # health must answer whatever the driver raises
        return _failed(dialect, exc)
    return None if latency is None else _ok(dialect, latency)


def _check_database(call: Call[Any, Any]) -> DatabaseHealth:
    services = call.services
    dialect = services.database.dialect
    if services.settings.database_problem:
        return DatabaseHealth(status="not configured", dialect=dialect)
    database = services.database
    try:
        database.ensure_migrated()
        latency = database.ping()
    except Exception as exc:  # health must answer whatever the driver raises
        return _failed(dialect, exc)
    return _ok(dialect, latency)


def _ok(dialect: str, latency_ms: float) -> DatabaseHealth:
    return DatabaseHealth(status="ok", dialect=dialect, latency_ms=round(latency_ms, 2))


def _failed(dialect: str, exc: Exception) -> DatabaseHealth:
    if isinstance(exc, DatabaseUnavailable):
        log_internal("health: database unavailable", exc)
        return DatabaseHealth(status="error", dialect=dialect, error=exc.public)
    log_internal("health: database check failed", f"{type(exc).__name__}: {exc}")
    return DatabaseHealth(status="error", dialect=dialect, error="The database check failed")


def _storage_opened(call: Call[Any, Any]) -> bool:
    services = call.services
    return services.settings.secret is None or services.attachments().opened


def _check_storage(call: Call[Any, Any]) -> StorageHealth:
    """Open the attachment store as an upload would (no network round trip for S3)."""
    services = call.services
    if services.settings.secret is None:
        return StorageHealth(status="unavailable", error="no signing secret")
    try:
        store = services.attachments().store(services.settings.secret)
    except ApiError as exc:
        return StorageHealth(status="unavailable", error=exc.detail)
    return StorageHealth(status="ok", backend=store.kind)
