"""Pagination cursors: the last row's (sort value, id), base64url JSON.

A cursor comes back from the client, so it is input like any other: each value must be
what `queries.sort_value` produces for its sort key (type, range, canonical form), or
the database would be asked to compare a timestamp with a dict, or an integer that
overflows it; anything else is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from todo_api.http.problems import BadRequest
from todo_api.tasks import queries
from todo_api.tasks.schemas import Task

NOT_OURS = "The cursor is not one this API issued"
MAX_ID = 64
MAX_TITLE = 400  # titles are <= 200 characters; lower() can lengthen a few (İ -> i̇)


def encode(task: Task, database_key: Any, sort: str, order: str) -> str:
    """The cursor after `task`, whose sort key the database computed as `database_key`."""
    payload = json.dumps([sort, order, queries.sort_value(task, sort, database_key), task.id])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(cursor: str, sort: str, order: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        c_sort, c_order, value, task_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error):
        raise BadRequest(NOT_OURS) from None
    if (c_sort, c_order) != (sort, order):
        raise BadRequest("The cursor belongs to a different sort order; start again without it")
    if not _plain_text(task_id, MAX_ID) or not _valid_value(sort, value):
        raise BadRequest(NOT_OURS)
    return value, task_id


def _plain_text(value: Any, longest: int) -> bool:
    """A string a database can compare: short, no NUL, and no lone surrogate (JSON's
    `\\ud800` escape decodes to one, and neither driver can encode it)."""
    if not isinstance(value, str) or len(value) > longest or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_value(sort: str, value: Any) -> bool:
    """Whether `value` is exactly what sort_value() gives for some task."""
    if sort == "priority":
        return type(value) is int and value in (1, 2, 3)
    if sort == "title":
        return _plain_text(value, MAX_TITLE)
    if not _plain_text(value, 40):
        return False
    text = str(value)
    try:
        if sort == "due_date":
            return dt.date.fromisoformat(text).isoformat() == text
        moment = dt.datetime.fromisoformat(text)
        # An offset can carry a moment past year 1 or 9999 in UTC: OverflowError.
        canonical = moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
    except (ValueError, OverflowError):
        return False
    return moment.tzinfo is not None and canonical == text
