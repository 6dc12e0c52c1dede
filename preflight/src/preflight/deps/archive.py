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
import zlib
from dataclasses import dataclass

# Tree folders of an sdist that are never installed as import names.
_NOT_INSTALLED = {"tests", "test", "docs", "doc", "examples", "example", "benchmarks", "scripts"}
# Top-level scripts of an sdist that only build or test it.
_BUILD_SCRIPTS = {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py"}


@dataclass(frozen=True)
class ZipMember:
    """One entry of a zip's central directory: enough to fetch just its bytes."""

    name: str
    offset: int  # of its local header
    compressed: int  # size of its data as stored
    method: int  # 0 stored, 8 deflated


def zip_members(directory: bytes) -> list[ZipMember]:
    """The entries of a zip's central directory (the bytes it starts with)."""
    members: list[ZipMember] = []
    position = 0
    while directory[position : position + 4] == b"PK\x01\x02":
        field = directory[position : position + 46]
        name_length = int.from_bytes(field[28:30], "little")
        extra = int.from_bytes(field[30:32], "little")
        comment = int.from_bytes(field[32:34], "little")
        raw = directory[position + 46 : position + 46 + name_length]
        members.append(
            ZipMember(
                raw.decode("utf-8", "replace"),
                int.from_bytes(field[42:46], "little"),
                int.from_bytes(field[20:24], "little"),
                int.from_bytes(field[10:12], "little"),
            )
        )
        position += 46 + name_length + extra + comment
    return members


def zip_member_data(chunk: bytes, member: ZipMember) -> bytes | None:
    """A member's content from the bytes at its local header (None if not readable)."""
    if chunk[:4] != b"PK\x03\x04" or len(chunk) < 30:
        return None
    start = 30 + int.from_bytes(chunk[26:28], "little") + int.from_bytes(chunk[28:30], "little")
    data = chunk[start : start + member.compressed]
    if len(data) < member.compressed:
        return None
    if member.method == 0:
        return data
    if member.method == 8:
        try:
            return zlib.decompressobj(-15).decompress(data)
        except zlib.error:
            return None
    return None


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


def tar_sdist_members(data: bytes) -> tuple[list[str], dict[str, str]]:
    """(member names, metadata texts) of a .tar.gz sdist; ([], {}) if bad. The texts are
    keyed by what they are (`_sdist_text_key`): top_level.txt, requires.txt, PKG-INFO."""
    names: list[str] = []
    texts: dict[str, str] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                names.append(member.name)
                key = _sdist_text_key(member.name)
                if member.isfile() and key is not None and key not in texts:
                    handle = archive.extractfile(member)
                    if handle is not None:
                        texts[key] = handle.read(65536).decode("utf-8", "replace")
    except (tarfile.TarError, OSError, EOFError):
        return [], {}
    return names, texts


def _sdist_text_key(member: str) -> str | None:
    parts = member.split("/")
    if len(parts) == 2 and parts[1] == "PKG-INFO":
        return "PKG-INFO"  # the sdist's own metadata, at its root
    if len(parts) >= 3 and parts[-2].endswith(".egg-info"):
        if parts[-1] in {"top_level.txt", "requires.txt"}:
            return parts[-1]
        if parts[-1] == "PKG-INFO":
            return "egg-info/PKG-INFO"
    return None


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


# Sources an sdist compiles when it is built (setuptools extensions, Cython, Rust/pyo3,
# meson/CMake builds); without any, building it needs no compiler.
_COMPILED_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90")
_BUILD_FILES = {"Cargo.toml", "meson.build", "CMakeLists.txt"}


def sdist_needs_rust(members: list[str]) -> bool:
    """Whether the sdist builds Rust code (a Cargo.toml or .rs sources): Vercel's build
    image has gcc and make but no cargo, so such a build fails there ("Cargo, the Rust
    package manager, is not installed", binjie09/duckduckgo-api#25)."""
    return any(m.endswith(".rs") or m.rsplit("/", 1)[-1] == "Cargo.toml" for m in members)


def sdist_compiles(members: list[str]) -> bool:
    """Whether building the sdist compiles anything (judged from its file names)."""
    return any(
        m.endswith(_COMPILED_SUFFIXES) or m.rsplit("/", 1)[-1] in _BUILD_FILES for m in members
    )
