"""What a file claims to be: a safe display name and a content type we can vouch for.

File names are only ever shown and sent back in Content-Disposition; storage keys are
ids. Still, a name is cleaned of paths, control characters and bidi tricks so that
what the user sees is what they get.
"""

from __future__ import annotations

import re
import unicodedata

from todo_api.shown_text import NOT_ON_ONE_LINE

MAX_FILENAME = 200
# What no title may hold (todo_api/shown_text.py), NUL and the zero-width characters.
_CONTROL = re.compile(f"[\\x00{NOT_ON_ONE_LINE}\\u200b-\\u200d]")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")

# Leading bytes of formats that browsers or viewers interpret; a file declared as one of
# these must start like one (an "image/png" that is really HTML is refused).
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
}
SNIFF_BYTES = 16


def sanitise_filename(name: str) -> str:
    """A display name without directories, control or invisible characters."""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name)
    name = " ".join(name.split())  # collapse whitespace, trim
    name = name.lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name or "file"


def normalise_content_type(value: str | None) -> str | None:
    """`Image/PNG; charset=x` -> `image/png`; None when it is not a media type at all."""
    if not value:
        return None
    media = value.split(";", 1)[0].strip().lower()
    return media if _MEDIA_TYPE.match(media) else None


def matches_signature(content_type: str, head: bytes) -> bool:
    """False when `head` (the first bytes) contradicts the declared `content_type`."""
    signatures = _SIGNATURES.get(content_type)
    if signatures is None:
        return True
    if content_type == "image/webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    return any(head.startswith(sig) for sig in signatures)
