"""Task bodies: what the API returns and accepts. Limits here are the API's contract."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

Priority = Literal["low", "medium", "high"]
# A title must show something: one character that is no space ("   " is refused). The
# spaces are spelled out because Python's \s (here) and ECMAScript's (clients reading
# /openapi.json) differ, and the two must agree on what is blank.
SPACES = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
Title = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=f"[^{SPACES}]",
        description="Not blank",
        examples=["Renew passport"],
    ),
]
# The examples are what /docs pre-fills in "Try it out": a task a person would write.
Description = Annotated[
    str, msgspec.Meta(max_length=1000, examples=["Photo booth on the high street first"])
]
# A tag shows inline beside other text, so it may hold no C0/C1 control characters and no
# bidi marks, embeddings, overrides or isolates (U+061C, U+200E-200F, U+202A-202E,
# U+2066-2069): one of those would reorder what the UI shows after it, as a file name or
# an email would (both refuse them too). NUL is left to the body decoder, which names it.
# Escapes both Python's and ECMAScript's regexes read alike; the pattern ends in a
# lookahead, not $, which in Python also matches before a final newline.
NOT_IN_TAG = r"\x01-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
Tag = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=50,
        pattern=f"^[^{NOT_IN_TAG}]*(?![\\s\\S])",
        description="No control characters or bidi controls",
        examples=["errands"],
    ),
]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=20)]
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
