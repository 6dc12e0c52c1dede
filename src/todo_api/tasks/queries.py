"""All task SQL. Keyword-only functions, typed results, no commits (the caller's job).

Every statement filters by `user_id`: a task id alone never reaches another user's row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from todo_api.ids_and_clock import new_id, now
from todo_api.storage.connection import Connection, Row
from todo_api.tasks.folding import (
    SEARCH_CONDITION,
    TAG_CONDITION,
    distinct_tags,
    folded_fields,
    folds_after,
    search_params,
    tag_params,
)
from todo_api.tasks.schemas import Task

COLUMNS = (
    "id, title, description, completed, priority, due_date, tags, version, created_at, updated_at"
)

# Sort keys as SQL expressions that order identically on SQLite and Postgres (no NULLs:
# the two place them differently), paired with `id` for a total order.
SORT_EXPRESSIONS = {
    "created": "created_at",
    "title": "LOWER(title)",
    "due_date": "COALESCE(due_date, '9999-12-31')",
    "priority": "CASE priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END",
}
DEFAULT_ORDER = {"created": "desc", "title": "asc", "due_date": "asc", "priority": "desc"}
# The versions an If-Match names (any of them will do); empty when it names none we issued.
Versions = tuple[int, ...]


class Versioned(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    task: Task
    version: int


class ListFilter(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    status: str
    search: str | None
    sort: str
    order: str
    limit: int
    after: tuple[Any, str] | None  # (sort value, id) of the last row of the previous page
    tag: str | None = None


def _task(row: Row) -> Versioned:
    return Versioned(_task_of(row), int(row["version"]))


def _task_of(row: Row) -> Task:
    return Task(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        completed=bool(row["completed"]),
        priority=row["priority"],
        due_date=row["due_date"],
        tags=_decode_tags(row["tags"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _task_of_values(
    id: str, title: str, description: str | None, completed: Any, priority: Any,
    due_date: dt.date | None, tags: str, version: int, created_at: dt.datetime,
    updated_at: dt.datetime,
) -> Task:  # fmt: skip
    """_task_of for a row of COLUMNS in their order (the parameters name them): a page
    of 50 builds no dict per row."""
    return Task(
        id=id,
        title=title,
        description=description,
        completed=bool(completed),
        priority=priority,
        due_date=due_date,
        tags=_decode_tags(tags),
        created_at=created_at,
        updated_at=updated_at,
    )


# The typed decoder reads a row's tags in C (~7x json.loads here); it runs 50 times a page.
_decode_tags = msgspec.json.Decoder(list[str]).decode


def sort_value(task: Task, sort: str, database_key: Any) -> Any:
    """The value SORT_EXPRESSIONS computed for `task` (`database_key`, as the database
    returned it), in the form a cursor keeps. A title's is the database's own
    LOWER(title), never Python's lower(): SQLite lowercases ASCII only, Python all of
    Unicode, PostgreSQL by its locale, and a cursor lowered unlike the rows it stands
    between made pages skip tasks or cycle for ever ("É", "İ", "Σ")."""
    if sort == "title":
        return database_key
    if sort == "created":
        return task.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if sort == "due_date":
        return (task.due_date or dt.date(9999, 12, 31)).isoformat()
    return {"high": 3, "medium": 2, "low": 1}[task.priority]


def insert(conn: Connection, *, user_id: str, fields: dict[str, Any]) -> Versioned | None:
    """The new task; None when the user is gone (a valid token can outlive its account,
    and the foreign key would otherwise fail the whole request)."""
    created = now()
    row = conn.fetch_one(
        "INSERT INTO tasks (id, user_id, title, description, completed, priority, due_date, "
        "tags, title_folded, description_folded, tags_folded, folded_version, version, "
        "created_at, updated_at) SELECT :id, :user_id, :title, :description, :completed, "
        ":priority, :due_date, :tags, :title_folded, :description_folded, :tags_folded, 1, 1, "
        ":now, :now "
        f"WHERE EXISTS (SELECT 1 FROM users WHERE id = :user_id) RETURNING {COLUMNS}",
        id=new_id(),
        user_id=user_id,
        now=created,
        **_stored(fields),
    )
    return None if row is None else _task(row)


def get(conn: Connection, *, user_id: str, task_id: str) -> Versioned | None:
    row = conn.fetch_one(
        f"SELECT {COLUMNS} FROM tasks WHERE id = :id AND user_id = :user_id",
        id=task_id,
        user_id=user_id,
    )
    return None if row is None else _task(row)


def list_page(conn: Connection, *, user_id: str, spec: ListFilter) -> list[tuple[Task, Any]]:
    """Up to spec.limit + 1 rows, each with its sort key as the database computed it
    (for the cursor): the extra row tells the caller another page exists."""
    where = ["user_id = :user_id"]
    params: dict[str, Any] = {"user_id": user_id, "limit": spec.limit + 1}
    if spec.status != "all":
        where.append("completed = TRUE" if spec.status == "completed" else "completed = FALSE")
    if spec.search:
        # Folded in Python, never by the database's LOWER (tasks/folding.py says why).
        where.append(SEARCH_CONDITION)
        params.update(search_params(spec.search))
    if spec.tag:
        # Older rows' tags are matched in their JSON array: the quoted tag is one whole
        # element (a quote inside a tag is escaped, so it cannot end one early).
        where.append(TAG_CONDITION)
        params.update(tag_params(spec.tag, json.dumps(spec.tag)))
    key = SORT_EXPRESSIONS[spec.sort]
    direction = "DESC" if spec.order == "desc" else "ASC"
    if spec.after is not None:
        where.append(f"({key}, id) {'<' if direction == 'DESC' else '>'} (:after_value, :after_id)")
        params["after_value"], params["after_id"] = spec.after
    rows = conn.fetch_values(
        f"SELECT {COLUMNS}, {key} FROM tasks WHERE {' AND '.join(where)} "
        f"ORDER BY {key} {direction}, id {direction} LIMIT :limit",
        **params,
    )
    return [(_task_of_values(*row[:-1]), row[-1]) for row in rows]


def update(
    conn: Connection,
    *,
    user_id: str,
    task_id: str,
    fields: dict[str, Any],
    expected_version: Versions | None,
) -> Versioned | None:
    """Apply `fields`; None when the task is missing or its version moved on."""
    stored = _stored(fields)
    assignments = [f"{name} = :{name}" for name in stored]
    return _update(conn, user_id, task_id, assignments, stored, expected_version)


def toggle_completed(
    conn: Connection, *, user_id: str, task_id: str, expected_version: Versions | None
) -> Versioned | None:
    return _update(conn, user_id, task_id, ["completed = NOT completed"], {}, expected_version)


def _update(
    conn: Connection,
    user_id: str,
    task_id: str,
    assignments: list[str],
    params: dict[str, Any],
    expected_version: Versions | None,
) -> Versioned | None:
    # Comparing the version inside the UPDATE makes If-Match race-free.
    condition = "id = :id AND user_id = :user_id"
    if expected_version is not None:
        matched, named = _version_in(expected_version)
        condition += f" AND {matched}"
        params = {**params, **named}
    sets = ", ".join(
        [*assignments, folds_after(params), "version = version + 1", "updated_at = :now"]
    )
    row = conn.fetch_one(
        f"UPDATE tasks SET {sets} WHERE {condition} RETURNING {COLUMNS}",
        id=task_id,
        user_id=user_id,
        now=now(),
        **params,
    )
    return None if row is None else _task(row)


def delete(
    conn: Connection, *, user_id: str, task_id: str, expected_version: Versions | None
) -> bool:
    condition = "id = :id AND user_id = :user_id"
    params: dict[str, Any] = {"id": task_id, "user_id": user_id}
    if expected_version is not None:
        matched, named = _version_in(expected_version)
        condition += f" AND {matched}"
        params.update(named)
    return conn.execute(f"DELETE FROM tasks WHERE {condition}", **params) == 1


def _version_in(versions: Versions) -> tuple[str, dict[str, int]]:
    """`version IN (...)` with one parameter per version; never true for none."""
    if not versions:
        return "1 = 0", {}
    named = {f"expected_{i}": version for i, version in enumerate(versions)}
    return f"version IN ({', '.join(':' + name for name in named)})", named


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    """The columns `fields` set, their folds included. A tag given twice, in any case,
    is stored once, as first spelt: the tag filter cannot tell the two apart either."""
    if "tags" in fields:
        fields = {**fields, "tags": distinct_tags(fields["tags"])}
    stored = {**fields, **folded_fields(fields)}
    if "tags" in stored:
        stored["tags"] = json.dumps(stored["tags"])
    return stored
