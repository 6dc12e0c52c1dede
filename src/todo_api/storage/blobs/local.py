"""The local-folder backend, and the signed URLs the app serves in place of S3's.

Layout under the root: `objects/<key>` holds the bytes, `meta/<key>` the content type,
`tmp/` the files being written (renamed into place, so a reader never sees half a file).
Two trees instead of a sidecar file per blob, so no key can collide with metadata.

Presigned URLs: `<url_base>/<token>`, the token being base64url(JSON claims) + "." +
base64url(HMAC-SHA256(secret, claims)). The claims bind the operation, the key, the
expiry and, for uploads, the content type and maximum size; `verify_token` refuses
anything tampered with or expired.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from todo_api.storage.blobs.interface import (
    CHUNK_SIZE,
    BlobInfo,
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreError,
    InvalidKey,
    PresignedUpload,
    StorageFull,
    is_out_of_room,
    validate_key,
    validate_prefix,
)

Operation = Literal["get", "put"]


class InvalidToken(Exception):
    """A presigned URL that is malformed, tampered with, expired or for another use."""


class TooLarge(BlobStoreError):
    """The upload is larger than the presigned limit."""


@dataclass(frozen=True)
class TokenClaims:
    op: Operation
    key: str
    expires: int
    content_type: str | None = None
    max_size: int | None = None
    filename: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    # Domain-separated, so these tokens never verify as any other HMAC the app makes.
    key = hashlib.sha256(b"todo_api.blobs.v1:" + secret.encode()).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def sign_token(secret: str, claims: TokenClaims) -> str:
    """Serialise and sign `claims`."""
    body = {
        "op": claims.op,
        "k": claims.key,
        "e": claims.expires,
        "ct": claims.content_type,
        "max": claims.max_size,
        "fn": claims.filename,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify_token(
    secret: str, token: str, *, op: Operation, now: float | None = None
) -> TokenClaims:
    """The claims of a valid, unexpired token for `op`; InvalidToken otherwise."""
    payload, sep, mac = token.partition(".")
    # Tokens we sign are base64url; hmac refuses to compare non-ASCII text (TypeError).
    if (
        not token.isascii()
        or not sep
        or not payload
        or not hmac.compare_digest(mac, _mac(secret, payload))
    ):
        raise InvalidToken("the signature does not match")
    try:
        body = json.loads(_unb64(payload))
        claims = TokenClaims(
            op=body["op"],
            key=validate_key(body["k"]),
            expires=int(body["e"]),
            content_type=body.get("ct"),
            max_size=body.get("max"),
            filename=body.get("fn"),
        )
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidKey) as exc:
        raise InvalidToken("the token is malformed") from exc
    if claims.op != op:
        raise InvalidToken(f"the token is not valid for {op}")
    if claims.expires < (time.time() if now is None else now):
        raise InvalidToken("the link has expired")
    return claims


class LocalBlobStore(BlobStore):
    kind = "local"

    def __init__(
        self, root: Path, *, signing_secret: str | None = None, url_base: str = "/api/blobs"
    ) -> None:
        self.root = root.resolve()
        self.description = f"local folder {self.root}"
        self.signing_secret = signing_secret
        self.url_base = url_base.rstrip("/")
        self._made_folders = False  # ensure_writable succeeded: a missing folder is an outage

    # -- paths ---------------------------------------------------------------------

    def _path(self, tree: str, key: str) -> Path:
        validate_key(key)
        base = self.root / tree
        path = base / key
        # validate_key already refuses "..": this also catches a symlink planted inside.
        if not path.resolve().is_relative_to(base.resolve()):
            raise InvalidKey(f"blob key {key!r} escapes the storage folder")
        return path

    def _missing(self, key: str, exc: OSError) -> BlobStoreError:
        """Why `key` could not be opened: gone (BlobNotFound, a 404), or the whole folder
        is (unmounted or deleted after this store made it, replaced by a file): then
        every file is out of reach for now, an outage (a 503), not a deleted file. A
        store that never wrote has no folder yet, and so no file either."""
        if (self.root / "objects").is_dir():
            return BlobNotFound(key)
        if self._made_folders or (self.root.exists() and not self.root.is_dir()):
            return BlobStoreError(f"the storage folder {self.root} is not available: {exc}")
        return BlobNotFound(key)

    def ensure_writable(self) -> None:
        """Create the folders; raise BlobStoreError when the folder cannot be written."""
        try:
            for tree in ("objects", "meta", "tmp"):
                (self.root / tree).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BlobStoreError(f"cannot write to {self.root}: {exc.strerror}") from exc
        self._made_folders = True

    # -- BlobStore -------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        *,
        content_type: str,
        size: int | None = None,
    ) -> BlobInfo:
        return self.put_limited(key, data, content_type=content_type, max_size=None)

    def put_limited(
        self, key: str, data: bytes | BinaryIO, *, content_type: str, max_size: int | None
    ) -> BlobInfo:
        """put, refusing (TooLarge, nothing kept) past `max_size` bytes."""
        target = self._path("objects", key)
        meta = self._path("meta", key)
        self.ensure_writable()
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes | bytearray | memoryview):
                    written = len(data)
                    if max_size is not None and written > max_size:
                        raise TooLarge(f"larger than {max_size} bytes")
                    out.write(data)
                else:
                    while chunk := data.read(CHUNK_SIZE):
                        written += len(chunk)
                        if max_size is not None and written > max_size:
                            raise TooLarge(f"larger than {max_size} bytes")
                        out.write(chunk)
            target.parent.mkdir(parents=True, exist_ok=True)
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps({"content_type": content_type}))
            os.replace(tmp_name, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            if is_out_of_room(exc):
                if not target.exists():
                    with contextlib.suppress(OSError):
                        meta.unlink()  # a new key's half-written metadata
                raise StorageFull(f"no room for {key!r}: {exc}") from exc
            raise
        return BlobInfo(key=key, size=written, content_type=content_type, last_modified=_now())

    def copy(self, source: str, target: str) -> None:
        """Through a temporary file renamed into place, like put: a reader of `target`
        sees the old file or the new one, never half of it."""
        path = self._path("objects", source)
        # The type first: put writes it before the object and delete removes it after,
        # so a source that opens below had this type (read the other way round, a delete
        # racing the copy would leave the copy typed application/octet-stream).
        content_type = self._content_type(source) or "application/octet-stream"
        try:
            stream = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise self._missing(source, exc) from exc
        with stream:
            self.put(target, stream, content_type=content_type)

    def open(self, key: str) -> BlobReader:
        path = self._path("objects", key)
        try:
            stream = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise self._missing(key, exc) from exc
        stat = os.fstat(stream.fileno())
        return BlobReader(stream, self._info(key, stat.st_size, stat.st_mtime))

    def head(self, key: str) -> BlobInfo | None:
        path = self._path("objects", key)
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            missing = self._missing(key, exc)
            if isinstance(missing, BlobNotFound):
                return None
            raise missing from exc
        if not path.is_file():
            return None
        return self._info(key, stat.st_size, stat.st_mtime)

    def delete(self, key: str) -> None:
        for tree in ("objects", "meta"):
            path = self._path(tree, key)
            with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                path.unlink()
            self._prune(path.parent, self.root / tree)

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        validate_prefix(prefix)
        base = self.root / "objects"
        # Walk only the deepest folder the prefix names, not the whole store.
        start = base / prefix.rpartition("/")[0] if "/" in prefix else base
        if not start.is_dir():
            return
        for dirpath, _dirs, files in os.walk(start):
            for name in sorted(files):
                path = Path(dirpath, name)
                key = path.relative_to(base).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                yield BlobInfo(
                    key=key,
                    size=stat.st_size,
                    last_modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                )

    def presign_upload(
        self, key: str, *, content_type: str, max_size: int, expires_in: int = 600
    ) -> PresignedUpload:
        token = self._sign(
            TokenClaims(
                op="put",
                key=validate_key(key),
                expires=int(time.time()) + expires_in,
                content_type=content_type,
                max_size=max_size,
            )
        )
        return PresignedUpload(
            method="PUT",
            url=f"{self.url_base}/{token}",
            headers={"Content-Type": content_type},
            expires_in=expires_in,
            max_size=max_size,
        )

    def presign_download(
        self,
        key: str,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        expires_in: int = 300,
    ) -> str:
        token = self._sign(
            TokenClaims(
                op="get",
                key=validate_key(key),
                expires=int(time.time()) + expires_in,
                content_type=content_type,
                filename=filename,
            )
        )
        return f"{self.url_base}/{token}"

    # -- helpers -----------------------------------------------------------------------

    def _sign(self, claims: TokenClaims) -> str:
        if not self.signing_secret:
            raise BlobStoreError("the local blob store needs a signing secret for URLs")
        return sign_token(self.signing_secret, claims)

    def _content_type(self, key: str) -> str | None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            found = json.loads(self._path("meta", key).read_text()).get("content_type")
            return found if isinstance(found, str) else None
        return None

    def _info(self, key: str, size: int, mtime: float) -> BlobInfo:
        return BlobInfo(
            key=key,
            size=size,
            content_type=self._content_type(key),
            last_modified=datetime.fromtimestamp(mtime, UTC),
        )

    def _prune(self, folder: Path, stop: Path) -> None:
        """Remove folders left empty by a delete, up to (not including) `stop`."""
        stop = stop.resolve()
        folder = folder.resolve()
        while folder != stop and folder.is_relative_to(stop):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent


def _now() -> datetime:
    return datetime.now(UTC)
