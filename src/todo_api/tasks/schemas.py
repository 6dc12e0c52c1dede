"""Task bodies: what the API returns and accepts. Limits here are the API's contract."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from todo_api.shown_text import END, NOT_IN_NOTES, NOT_ON_ONE_LINE, only_allowed

Priority = Literal["low", "medium", "high"]
# A title must show something: one character that is no space ("   " is refused). The
# spaces are spelled out because Python's \s (here) and ECMAScript's (clients reading
# /openapi.json) differ, and the two must agree on what is blank. Like tags, titles hold
# no control or bidi characters (todo_api/shown_text.py says why).
SPACES = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_X = NOT_ON_ONE_LINE
Title = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=f"^[^{_X}]*[^{_X}{SPACES}][^{_X}]*{END}",
        description="Not blank; no control characters or bidi controls",
        examples=["Renew passport"],
    ),
]
# The examples are what /docs pre-fills in "Try it out": a task a person would write.
Description = Annotated[
    str,
    msgspec.Meta(
        max_length=1000,
        pattern=only_allowed(NOT_IN_NOTES),
        description="Line breaks and tabs, but no other control characters or bidi controls",
        examples=["Photo booth on the high street first"],
    ),
]
Tag = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=50,
        pattern=only_allowed(NOT_ON_ONE_LINE),
        description="No control characters or bidi controls",
        examples=["errands"],
    ),
]
Tags = Annotated[
    list[Tag],
    msgspec.Meta(max_length=20, description="Up to 20; a tag repeated in any case is kept once"),
]
SortKey = Literal["created", "title", "due_date", "priority"]


class Task(msgspec.Struct):
    id: str
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: dt.date | None
    tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskCreate(msgspec.Struct):
    """POST (and PUT, which replaces every field: omitted ones take these defaults)."""

    title: Title
    description: Description | None = None
    completed: bool = False
    priority: Priority = "medium"
    due_date: dt.date | None = None
    tags: Tags = msgspec.field(default_factory=list)


class TaskPatch(msgspec.Struct):
    """PATCH: only the fields present change."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    completed: bool | msgspec.UnsetType = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    due_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


# Named so the MCP list_tasks tool takes exactly what GET /api/tasks takes.
Status = Literal["all", "pending", "completed"]
Search = Annotated[str, msgspec.Meta(max_length=200)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=100)]
Cursor = Annotated[str, msgspec.Meta(max_length=500)]


class TaskListQuery(msgspec.Struct):
    status: Status = "all"
    q: Search | None = None
    tag: Annotated[Tag, msgspec.Meta(description="Only tasks with this tag")] | None = None
    sort: SortKey = "created"
    order: Literal["asc", "desc"] | None = None
    limit: PageSize = 50
    cursor: Cursor | None = None


class TaskPage(msgspec.Struct):
    items: list[Task]
    next_cursor: str | None
