"""Which import names a distribution file installs, read from its file list.

A wheel's names are its top-level members. An sdist has no installed layout, so its
names are guessed from its tree (`pkg-1.0/src/foo/__init__.py` -> `foo`), preferring
the `top_level.txt` setuptools writes into `*.egg-info/`. Over-guessing is the safe
direction: a name here only ever lets an import count as provided, so it can hide a
missing dependency but never invent one (django-allauth 65.0-65.9 ships only an sdist
and installs `allauth`: without this, every Django project using it got a false PF201).
"""

from __future__ import annotations

import io
import tarfile

# Tree folders of an sdist that are never installed as import names.
_NOT_INSTALLED = {"tests", "test", "docs", "doc", "examples", "example", "benchmarks", "scripts"}
# Top-level scripts of an sdist that only build or test it.
_BUILD_SCRIPTS = {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py"}


def zip_member_names(directory: bytes) -> list[str]:
    """Member names from a zip's central directory (the bytes it starts with)."""
    names: list[str] = []
    position = 0
    while directory[position : position + 4] == b"PK\x01\x02":
        name_length = int.from_bytes(directory[position + 28 : position + 30], "little")
        extra = int.from_bytes(directory[position + 30 : position + 32], "little")
        comment = int.from_bytes(directory[position + 32 : position + 34], "little")
        raw = directory[position + 46 : position + 46 + name_length]
        names.append(raw.decode("utf-8", "replace"))
        position += 46 + name_length + extra + comment
    return names


def central_directory_span(tail: bytes, size: int) -> tuple[int, int] | None:
    """(offset, length) of the central directory, from the last bytes of a zip file."""
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return None
    length = int.from_bytes(tail[end + 12 : end + 16], "little")
    offset = int.from_bytes(tail[end + 16 : end + 20], "little")
    if offset + length > size:
        return None
    return offset, length


def wheel_top_levels(members: list[str]) -> list[str]:
    """Import names a wheel installs ("pkg/x.py" -> "pkg", "mod.py" -> "mod")."""
    return sorted({_wheel_top(m) for m in members} - {""})


def _wheel_top(member: str) -> str:
    head = member.split("/", 1)[0]
    if head.endswith((".dist-info", ".data")) or head.startswith("__"):
        return ""
    if "/" not in member:
        if head.endswith(".py"):
            return head[:-3]
        if head.endswith((".so", ".pyd")):
            return head.split(".", 1)[0]
        return ""
    return head


def tar_sdist_members(data: bytes) -> tuple[list[str], str | None]:
    """(member names, top_level.txt text if any) of a .tar.gz sdist; ([], None) if bad."""
    names: list[str] = []
    top_level: str | None = None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                names.append(member.name)
                if member.isfile() and member.name.endswith(".egg-info/top_level.txt"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        top_level = handle.read(65536).decode("utf-8", "replace")
    except (tarfile.TarError, OSError, EOFError):
        return [], None
    return names, top_level


def sdist_top_levels(members: list[str], top_level_txt: str | None = None) -> list[str]:
    """Import names an sdist installs, from top_level.txt or else from its tree."""
    names: set[str] = set()
    if top_level_txt:
        names |= {line.strip() for line in top_level_txt.splitlines() if line.strip()}
    for member in members:
        parts = member.split("/")[1:]  # drop the `name-version/` folder
        if parts and parts[0] in {"src", "lib", "python"} and len(parts) > 1:
            parts = parts[1:]
        if not parts or not parts[-1]:
            continue
        if len(parts) == 1:
            if parts[0].endswith(".py") and parts[0] not in _BUILD_SCRIPTS:
                names.add(parts[0][:-3])
            continue
        source = parts[-1].endswith((".py", ".pyi", ".so", ".pyx"))
        if source and parts[0] not in _NOT_INSTALLED and parts[0].isidentifier():
            names.add(parts[0])
    return sorted(names)
