"""Characters refused in text the service stores to show people, in one place.

A C0/C1 control character (a backspace, an escape, NEL) or a bidi mark, embedding,
override or isolate (U+061C, U+200E-200F, U+202A-202E, U+2066-2069) in a title, tag,
name or note would change what the UI, a terminal or a log shows around it: an unclosed
right-to-left override reverses the rest of the line. So request schemas refuse them
(422 naming the field) and file names, which arrive in multipart headers, lose them.

The classes are regex fragments that Python's and ECMAScript's regexes read alike, since
clients check the same patterns from /openapi.json. Patterns end in END, a lookahead,
never `$`: in Python `$` also matches before a final newline, so `"a\\n"` would pass.
NUL is left to the body decoder, which names it.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
C1_CONTROLS = r"\x7f-\x9f"
# Titles, tags, names: shown on one line, so no tab or line break either.
NOT_ON_ONE_LINE = r"\x01-\x1f" + C1_CONTROLS + BIDI_CONTROLS
# Descriptions: several lines, so tab, line feed and carriage return are allowed.
NOT_IN_NOTES = r"\x01-\x08\x0b\x0c\x0e-\x1f" + C1_CONTROLS + BIDI_CONTROLS
END = r"(?![\s\S])"


def only_allowed(refused: str) -> str:
    """A pattern matching a whole string holding none of the `refused` class."""
    return f"^[^{refused}]*{END}"


_ONE_LINE = re.compile(only_allowed(NOT_ON_ONE_LINE))


def fits_one_line(text: str) -> bool:
    """Whether `text` may be shown as a title, tag or name is: for text that reaches us
    outside a request schema (a Better Auth token's `name`)."""
    return _ONE_LINE.match(text) is not None
