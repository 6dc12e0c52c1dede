"""Case-blind search and tag filters that fold all of Unicode, on every database.

SQLite's LOWER folds ASCII only, and PostgreSQL's folds by the database's locale (none
under the C locale), so `LOWER(title) LIKE LOWER(:q)` missed "Äpfel kaufen" for the
search "äpfel", and tags, stored as ASCII-escaped JSON ("\\u00c4pfel"), missed every
other case of a non-ASCII tag. Python folds instead: each task keeps its title,
description and tags case-folded (str.casefold, so "STRASSE" also finds "Straße") in
columns of their own (migration 0006), written with the text they fold, and the search
and the tag are folded the same way before they are compared.

An older release can still write to the same database (a preview deployment, or the
instances of the last deploy during a rollout): it does not know these columns, so its
writes leave them empty or stale. Each write of ours records the version the folds are
of (`folded_version`); an older release bumps `version` alone. A row whose folds are not
of its current version is compared as before, by LOWER of its own text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from todo_api.storage.connection import Connection

# Between and around folded tags: a control character, which tags may not hold
# (todo_api/shown_text.py), so a tag is found only as a whole one.
TAG_SEPARATOR = "\x1f"

_FOLDS_CURRENT = "folded_version = version"
SEARCH_CONDITION = (
    f"CASE WHEN {_FOLDS_CURRENT} THEN "
    "(title_folded LIKE :pattern ESCAPE '\\' "
    "OR COALESCE(description_folded, '') LIKE :pattern ESCAPE '\\') "
    "ELSE (LOWER(title) LIKE LOWER(:plain_pattern) ESCAPE '\\' "
    "OR LOWER(COALESCE(description, '')) LIKE LOWER(:plain_pattern) ESCAPE '\\') END"
)
TAG_CONDITION = (
    f"CASE WHEN {_FOLDS_CURRENT} THEN tags_folded LIKE :tag ESCAPE '\\' "
    "ELSE LOWER(tags) LIKE :plain_tag ESCAPE '\\' END"
)
_FOLDS = ("title_folded", "description_folded", "tags_folded")


def distinct_tags(tags: Sequence[str]) -> list[str]:
    """`tags` without repeats, compared folded ("Work" repeats "work"), first kept."""
    seen: set[str] = set()
    kept = []
    for tag in tags:
        folded = tag.casefold()
        if folded not in seen:
            seen.add(folded)
            kept.append(tag)
    return kept


def fold_tags(tags: Sequence[str]) -> str:
    """Every tag folded, each between separators: "" for no tags."""
    if not tags:
        return ""
    return TAG_SEPARATOR + TAG_SEPARATOR.join(tag.casefold() for tag in tags) + TAG_SEPARATOR


def folded_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The folded columns for the fields a write sets (a PATCH sets some of them)."""
    folded: dict[str, Any] = {}
    if "title" in fields:
        folded["title_folded"] = fields["title"].casefold()
    if "description" in fields:
        description = fields["description"]
        folded["description_folded"] = None if description is None else description.casefold()
    if "tags" in fields:
        folded["tags_folded"] = fold_tags(fields["tags"])
    return folded


def folds_after(assigned: dict[str, Any]) -> str:
    """An UPDATE's assignment of `folded_version` (`version` goes up by one with it):
    the folds are current after it if it writes all three, or if they were current and
    it writes some (a PATCH of the title) or none (a toggle). Folds an older release left
    stale stay so, and the row is compared by its own text, until all three are written."""
    if all(fold in assigned for fold in _FOLDS):
        return "folded_version = version + 1"
    return f"folded_version = CASE WHEN {_FOLDS_CURRENT} THEN version + 1 END"


def search_params(search: str) -> dict[str, str]:
    """SEARCH_CONDITION's parameters: the search anywhere in the title or description."""
    return {
        "pattern": "%" + _escape_like(search.casefold()) + "%",
        "plain_pattern": "%" + _escape_like(search) + "%",
    }


def tag_params(tag: str, stored_json: str) -> dict[str, str]:
    """TAG_CONDITION's parameters: the tag as one whole element. `stored_json` is the
    tag as the tags column's JSON spells it, for rows whose folds are not current."""
    return {
        "tag": "%" + _escape_like(TAG_SEPARATOR + tag.casefold() + TAG_SEPARATOR) + "%",
        "plain_tag": "%" + _escape_like(stored_json.lower()) + "%",
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Tasks folded per statement by fold_stored_tasks: 5 parameters each, far below
# SQLite's 32766 and PostgreSQL's 65535.
_BATCH = 500


def fold_stored_tasks(conn: Connection) -> None:
    """Migration 0006's data: the folds of every task stored before it, a batch of rows
    per UPDATE (one round trip each, not one per task, on a distant PostgreSQL)."""
    after = ""
    while True:
        rows = conn.fetch_values(
            "SELECT id, title, description, tags, version FROM tasks WHERE id > :after "
            "ORDER BY id LIMIT :batch",
            after=after,
            batch=_BATCH,
        )
        if not rows:
            return
        params: dict[str, Any] = {}
        values = []
        for n, (task_id, title, description, tags, version) in enumerate(rows):
            fields = {"title": title, "description": description, "tags": json.loads(tags)}
            folded = folded_fields(fields)
            params.update(
                {
                    f"id{n}": task_id,
                    f"t{n}": folded["title_folded"],
                    f"d{n}": folded["description_folded"],
                    f"g{n}": folded["tags_folded"],
                    f"v{n}": int(version),
                }
            )
            values.append(f"(:id{n}, :t{n}, :d{n}, :g{n}, :v{n})")
        # VALUES names its columns column1... on both SQLite and PostgreSQL.
        conn.execute(
            "UPDATE tasks SET title_folded = v.column2, description_folded = v.column3, "
            "tags_folded = v.column4, folded_version = CAST(v.column5 AS INTEGER) "
            f"FROM (VALUES {', '.join(values)}) AS v WHERE tasks.id = v.column1",
            **params,
        )
        after = rows[-1][0]
