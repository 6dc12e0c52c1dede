"""The blob store interface: the `BlobStore` base class, its errors and value types, and
the key rules every backend applies.

Kept apart from the package face (`open_blob_store`) so backends import the interface
without importing the module that imports them.
"""

from __future__ import annotations

import errno
import re
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Literal, Protocol

MAX_KEY_LENGTH = 512
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
CHUNK_SIZE = 64 * 1024


class BlobStoreError(Exception):
    """The store failed (unreachable, refused, misconfigured); message says why."""


class BlobNotFound(BlobStoreError):
    """No blob under that key."""


class StorageFull(BlobStoreError):
    """No room left for the blob (disk full, quota or file size limit); nothing was kept."""


# ENOSPC: disk full; EDQUOT: the owner's quota; EFBIG: a file size limit (RLIMIT_FSIZE).
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_out_of_room(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _NO_ROOM


class InvalidKey(BlobStoreError, ValueError):
    """A key or prefix that could escape its folder or is not one of ours."""


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    content_type: str | None = None
    last_modified: datetime | None = None  # UTC


@dataclass(frozen=True)
class PresignedUpload:
    """What a client needs to upload one file straight to the store.

    POST: send a multipart form with `fields` first and the file last as field `file`.
    PUT: send the raw bytes with `headers`.
    """

    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    expires_in: int = 0
    max_size: int = 0


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def close(self) -> None: ...


class BlobReader:
    """A blob opened for reading: a binary stream plus what the store knows about it.

    Iterate for chunks, or `read(n)`; always close it (it is a context manager).
    """

    def __init__(self, stream: Readable, info: BlobInfo) -> None:
        self._stream = stream
        self.info = info

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._stream.read(CHUNK_SIZE):
            yield chunk

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BlobStore(ABC):
    """Put, read, list and delete blobs; hand out short-lived upload/download URLs."""

    #: "local" or "s3".
    kind: str
    #: A description safe to show in /health (no credentials).
    description: str

    @abstractmethod
    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        *,
        content_type: str,
        size: int | None = None,
    ) -> BlobInfo:
        """Store `data` (bytes or a binary stream read to its end) under `key`."""

    @abstractmethod
    def copy(self, source: str, target: str) -> None:
        """Copy a blob's bytes and content type to `target`, replacing what is there, inside
        the store (S3: CopyObject, no bytes pass through us); raises BlobNotFound.

        Why: a presigned upload link writes its key until it expires, however often it is
        replayed. A completed upload copied to a key no link names cannot be replaced."""

    @abstractmethod
    def open(self, key: str) -> BlobReader:
        """Open a blob for reading; raises BlobNotFound."""

    @abstractmethod
    def head(self, key: str) -> BlobInfo | None:
        """Size and content type of a blob, or None when it does not exist."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete a blob; deleting a missing blob is not an error."""

    @abstractmethod
    def list(self, prefix: str) -> Iterator[BlobInfo]:
        """Every blob whose key starts with `prefix`, with its age (`last_modified`)."""

    @abstractmethod
    def presign_upload(
        self, key: str, *, content_type: str, max_size: int, expires_in: int = 600
    ) -> PresignedUpload:
        """A URL that accepts one upload of at most `max_size` bytes of `content_type`.

        Pass the file's announced size: S3 PUT URLs (used on R2) sign it as the exact
        Content-Length, POST policies and local links accept anything up to it.
        """

    @abstractmethod
    def presign_download(
        self,
        key: str,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        expires_in: int = 300,
    ) -> str:
        """A short-lived URL that downloads the blob as an attachment named `filename`."""

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as reader:
            return reader.read()

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob under `prefix` (which must be non-empty); return the count."""
        prefix = validate_prefix(prefix)
        if not prefix:
            raise InvalidKey("refusing to delete with an empty prefix")
        count = 0
        for info in list(self.list(prefix)):
            self.delete(info.key)
            count += 1
        return count


def validate_key(key: str) -> str:
    """Return `key` when it is a safe relative key, else raise InvalidKey."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey("a blob key must be 1-512 characters")
    for segment in key.split("/"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey(
                f"invalid blob key {key!r}: segments are [A-Za-z0-9._-], no dots first"
            )
    return key


def validate_prefix(prefix: str) -> str:
    """Like validate_key, but empty or ending with `/` is allowed."""
    if prefix == "":
        return prefix
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def content_disposition(filename: str | None, disposition: str = "attachment") -> str:
    """A Content-Disposition value safe for any name: ASCII fallback + RFC 5987 form."""
    if not filename:
        return disposition
    ascii_name = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename
    ).strip()
    ascii_name = ascii_name or "download"
    quoted = urllib.parse.quote(filename, safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
