"""Task use cases shared by the main routes and the compatibility routes.

Each function runs one transaction and turns "not there" into NotFound and "changed
since you read it" into PreconditionFailed, so both route sets behave identically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from todo_api.app_context import Services
from todo_api.http.problems import Conflict, NotFound, PreconditionFailed, Unauthorized
from todo_api.http.responses import json_response
from todo_api.storage.connection import Connection
from todo_api.tasks import cursors, idempotency, queries
from todo_api.tasks.queries import ListFilter, Versioned, Versions
from todo_api.tasks.schemas import TaskCreate, TaskListQuery, TaskPage, TaskPatch

NOT_FOUND = "No task with this id"
ACCOUNT_GONE = "The account behind this token no longer exists"
MAX_VERSION = 2**31 - 1  # PostgreSQL INTEGER
MAX_TAGS = 20  # of an If-Match list: one parameter each in the query
_STALE = "The task changed since you read it; fetch it again and retry"


def etag(versioned: Versioned) -> str:
    return f'"{versioned.version}"'


def task_response(versioned: Versioned, status: int = 200) -> Response:
    return json_response(versioned.task, status=status, headers={"ETag": etag(versioned)})


def none_match(request: Request, versioned: Versioned) -> bool:
    """Whether If-None-Match names the current version: RFC 9110 13.1.2 compares weakly
    (`W/"3"` matches `"3"`), takes a list, and `*` matches any (a cache holding several
    versions sends them all; a browser revalidating may send the weak form)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    current = etag(versioned)
    return any(tag.strip().removeprefix("W/") in (current, "*") for tag in header.split(","))


def expected_version(request: Request) -> Versions | None:
    """The versions named by If-Match, any of which will do (RFC 9110 13.1.1: a list of
    strong tags); None when absent or `*`.

    Tags that name no version we could have issued are left out, so an If-Match of only
    those matches nothing: (). That includes weak tags (If-Match compares strongly) and
    numbers past the database's INTEGER column (they would overflow the query).
    """
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    versions: list[int] = []
    for candidate in header.split(",")[:MAX_TAGS]:
        digits = candidate.strip().removeprefix('"').removesuffix('"')
        if candidate.strip() != f'"{digits}"' or not (digits.isascii() and digits.isdigit()):
            continue
        if len(digits) <= len(str(MAX_VERSION)) and int(digits) <= MAX_VERSION:
            versions.append(int(digits))
    return tuple(versions)


async def list_tasks(services: Services, user_id: str, query: TaskListQuery) -> TaskPage:
    order = query.order or queries.DEFAULT_ORDER[query.sort]
    spec = ListFilter(
        status=query.status,
        search=query.q.strip() if query.q and query.q.strip() else None,
        tag=query.tag,
        sort=query.sort,
        order=order,
        limit=query.limit,
        after=cursors.decode(query.cursor, query.sort, order) if query.cursor else None,
    )
    rows = await services.db(
        lambda conn: queries.list_page(conn, user_id=user_id, spec=spec), read_only=True
    )
    items, more = [task for task, _ in rows[: spec.limit]], len(rows) > spec.limit
    last, key = rows[spec.limit - 1] if more else (None, None)
    next_cursor = cursors.encode(last, key, spec.sort, spec.order) if last is not None else None
    return TaskPage(items=items, next_cursor=next_cursor)


async def create_task(
    services: Services, user_id: str, data: TaskCreate, request: Request | None = None
) -> Versioned:
    """Insert a task; with an Idempotency-Key on `request`, at most once per key."""
    fields = msgspec.structs.asdict(data)
    claim = idempotency.claim_of(request, data) if request is not None else None

    def work(conn: Connection) -> Versioned | None:
        if claim is not None:
            earlier = idempotency.replay_or_claim(conn, user_id=user_id, claim=claim)
            if earlier is not None:
                return earlier
        created = queries.insert(conn, user_id=user_id, fields=fields)
        if created is not None and claim is not None:
            idempotency.remember(conn, user_id=user_id, claim=claim, created=created)
        return created

    try:
        created = await services.db(work)
    except idempotency.KeyReused:
        raise Conflict(
            f"This {idempotency.HEADER} was used for a different request; use a new key"
        ) from None
    if created is None:
        raise Unauthorized(ACCOUNT_GONE)
    return created


async def get_task(services: Services, user_id: str, task_id: str) -> Versioned:
    found = await services.db(
        lambda conn: queries.get(conn, user_id=user_id, task_id=task_id), read_only=True
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


async def replace_task(
    services: Services, user_id: str, task_id: str, data: TaskCreate, expected: Versions | None
) -> Versioned:
    return await update_task(services, user_id, task_id, msgspec.structs.asdict(data), expected)


async def patch_task(
    services: Services, user_id: str, task_id: str, data: TaskPatch, expected: Versions | None
) -> Versioned:
    fields = {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }
    if not fields:  # nothing to change: answer like a read, still honouring If-Match
        found = await get_task(services, user_id, task_id)
        if expected is not None and found.version not in expected:
            raise PreconditionFailed(_STALE)
        return found
    return await update_task(services, user_id, task_id, fields, expected)


async def update_task(
    services: Services,
    user_id: str,
    task_id: str,
    fields: dict[str, Any],
    expected: Versions | None,
) -> Versioned:
    def work(conn: Connection) -> Versioned | None:
        return queries.update(
            conn, user_id=user_id, task_id=task_id, fields=fields, expected_version=expected
        )

    return await _changed(services, user_id, task_id, work)


async def toggle_task(
    services: Services, user_id: str, task_id: str, expected: Versions | None
) -> Versioned:
    def work(conn: Connection) -> Versioned | None:
        return queries.toggle_completed(
            conn, user_id=user_id, task_id=task_id, expected_version=expected
        )

    return await _changed(services, user_id, task_id, work)


async def delete_task(
    services: Services, user_id: str, task_id: str, expected: Versions | None
) -> None:
    def work(conn: Connection) -> str | None:
        if queries.delete(conn, user_id=user_id, task_id=task_id, expected_version=expected):
            return None
        return _why_unchanged(conn, user_id, task_id)

    failure = await services.db(work)
    _raise(failure)


async def _changed(
    services: Services,
    user_id: str,
    task_id: str,
    work: Callable[[Connection], Versioned | None],
) -> Versioned:
    def run(conn: Connection) -> Versioned | str:
        result = work(conn)
        return result if result is not None else _why_unchanged(conn, user_id, task_id)

    result = await services.db(run)
    if isinstance(result, str):
        _raise(result)
    assert isinstance(result, Versioned)
    return result


def _why_unchanged(conn: Connection, user_id: str, task_id: str) -> str:
    exists = queries.get(conn, user_id=user_id, task_id=task_id) is not None
    return "stale" if exists else "missing"


def _raise(failure: str | None) -> None:
    if failure == "missing":
        raise NotFound(NOT_FOUND)
    if failure == "stale":
        raise PreconditionFailed(_STALE)
