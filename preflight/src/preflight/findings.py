"""What a check reports: a finding at a location, with its rule, F-id and fix.

Kept apart from the rules and the report formats so both depend on this one small
vocabulary, not on each other.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.StrEnum):
    """How sure we are that the app crashes: only `error` makes the exit code 1."""

    ERROR = "error"  # the deploy fails or the function crashes
    WARNING = "warning"  # crashes under conditions we cannot see statically
    NOTE = "note"  # advice; never fails a run

    @property
    def rank(self) -> int:
        return {Severity.ERROR: 3, Severity.WARNING: 2, Severity.NOTE: 1}[self]


@dataclass(frozen=True, order=True)
class Location:
    """A file and a 1-based line / column span inside it (column 0 = whole line)."""

    path: Path
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Edit:
    """Replace lines [start, end) (0-based) of a file with `text`; start == end inserts."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A safe, mechanical change to one file, as line edits so several fixes compose."""

    path: Path
    edits: tuple[Edit, ...]
    description: str

    @classmethod
    def insert_after(cls, path: Path, line: int, text: str, description: str) -> Fix:
        """Insert `text` (one or more lines) after 1-based `line` (0 = at the top)."""
        return cls(path, (Edit(line, line, _nl(text)),), description)

    @classmethod
    def append(cls, path: Path, text: str, description: str) -> Fix:
        return cls(path, (Edit(-1, -1, _nl(text)),), description)

    @classmethod
    def replace_file(cls, path: Path, text: str, description: str) -> Fix:
        return cls(path, (Edit(0, -1, _nl(text)),), description)


def _nl(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def first_few(names: Sequence[str], count: int = 3) -> str:
    """`a, b, c, ...`: the first names of a list a message names, and whether there are more."""
    return ", ".join(names[:count]) + (", ..." if len(names) > count else "")


@dataclass(frozen=True)
class Finding:
    """One problem, ready for any report format."""

    rule_id: str  # "PF501"
    fid: str  # "F5"
    severity: Severity
    message: str  # the cause, one sentence
    fix: str  # what to do, one line
    location: Location
    autofix: Fix | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.path), loc.line, loc.column, self.rule_id)
