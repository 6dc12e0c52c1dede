"""The signing S3 client: where the bucket is (endpoint, addressing), and one SigV4-signed
HTTP request per call, on the standard library alone (see `s3.py` for why).

Kept apart from the store so the store reads as blob operations, and this module as
the wire: TLS verified by `ssl.create_default_context()`, a timeout on every request,
S3's XML errors turned into `S3Error`.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import IO

from todo_api.storage.blobs._sigv4 import (
    EMPTY_SHA256,
    Credentials,
    post_policy_fields,
    presign_url,
    quote,
    sign_headers,
)
from todo_api.storage.blobs.interface import BlobInfo, BlobNotFound, BlobStoreError

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
DEFAULT_TIMEOUT = 15.0


class S3Error(BlobStoreError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"S3 answered {status} {code}: {message}".rstrip(": "))
        self.status = status
        self.code = code


class ResponseStream:
    """An HTTP response body that closes its connection when closed."""

    def __init__(self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse):
        self._conn = conn
        self._resp = resp

    def read(self, size: int = -1, /) -> bytes:
        return self._resp.read(None if size < 0 else size)

    def close(self) -> None:
        self._resp.close()
        self._conn.close()


class S3Client:
    """Signed requests to one bucket of one S3 server."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint: str | None,
        region: str,
        credentials: Credentials,
        addressing: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not _BUCKET.fullmatch(bucket):
            raise BlobStoreError(f"{bucket!r} is not a valid S3 bucket name")
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.timeout = timeout
        aws = endpoint is None
        base = urllib.parse.urlsplit(endpoint or f"https://s3.{region}.amazonaws.com")
        if base.scheme not in ("http", "https") or not base.hostname:
            raise BlobStoreError(f"S3 endpoint {endpoint!r} must be an http(s) URL")
        self.hostname = base.hostname
        if addressing is None:
            # AWS prefers virtual-hosted buckets; other servers (R2, RGW, MinIO) are
            # reliably reachable path-style. Dots in a name break the TLS wildcard.
            addressing = "virtual" if aws and "." not in bucket else "path"
        if addressing not in ("path", "virtual"):
            raise BlobStoreError(f"S3 addressing must be path or virtual, not {addressing!r}")
        self.scheme = base.scheme
        netloc = base.netloc.rpartition("@")[2]
        if addressing == "virtual":
            self.host = f"{bucket}.{netloc}"
            self.bucket_path = ""
        else:
            self.host = netloc
            self.bucket_path = f"/{bucket}"
        # Keep the base path of an endpoint behind a reverse proxy.
        self.bucket_path = base.path.rstrip("/") + self.bucket_path

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"

    def object_path(self, name: str) -> str:
        """The request path of the object `name` (the full key, store prefix included)."""
        return f"{self.bucket_path}/{quote(name, safe='-_.~/')}"

    def _connect(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            import ssl

            return http.client.HTTPSConnection(
                self.host, timeout=self.timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.host, timeout=self.timeout)

    def _signed(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        payload_sha256: str,
    ) -> dict[str, str]:
        return sign_headers(
            method=method,
            host=self.host,
            path=path or "/",
            query=query,
            headers=headers,
            payload_sha256=payload_sha256,
            credentials=self.credentials,
            region=self.region,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | IO[bytes] | None = None,
        payload_sha256: str = EMPTY_SHA256,
        ok: tuple[int, ...] = (200, 204),
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One signed request, its body read whole; a status outside `ok` is an S3Error."""
        conn = self._connect()
        query = dict(query or {})
        signed = self._signed(method, path, query, headers or {}, payload_sha256)
        target = (path or "/") + ("?" + _query_string(query) if query else "")
        try:
            conn.request(method, target, body=body, headers=signed)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            raise BlobStoreError(f"S3 at {self.origin} unreachable: {exc}") from exc
        finally:
            conn.close()
        if resp.status not in ok:
            raise _error(resp.status, data)
        return resp.status, resp.headers, data

    def get_stream(self, path: str, key: str) -> tuple[ResponseStream, BlobInfo]:
        """GET an object without reading it: the body streams until the caller closes it."""
        signed = self._signed("GET", path, {}, {}, EMPTY_SHA256)
        conn = self._connect()
        try:
            conn.request("GET", path, headers=signed)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise BlobStoreError(f"S3 at {self.origin} unreachable: {exc}") from exc
        if resp.status != 200:
            data = resp.read()
            conn.close()
            if resp.status == 404:
                raise BlobNotFound(key)
            raise _error(resp.status, data)
        return ResponseStream(conn, resp), info_from_headers(key, resp.headers)

    def presign(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str],
        expires_in: int,
        signed_headers: Mapping[str, str] | None = None,
    ) -> str:
        return presign_url(
            method=method,
            scheme=self.scheme,
            host=self.host,
            path=path,
            query=query,
            credentials=self.credentials,
            region=self.region,
            expires_in=expires_in,
            signed_headers=signed_headers,
        )

    def post_policy(
        self, name: str, *, content_type: str, max_size: int, expires_in: int
    ) -> dict[str, str]:
        return post_policy_fields(
            bucket=self.bucket,
            key=name,
            content_type=content_type,
            max_size=max_size,
            credentials=self.credentials,
            region=self.region,
            expires_in=expires_in,
        )


def _query_string(query: Mapping[str, str]) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(query.items()))


def _error(status: int, data: bytes) -> S3Error:
    code, message = {404: "NoSuchKey", 403: "AccessDenied"}.get(status, "Error"), ""
    if data:
        try:
            root = ET.fromstring(data)  # noqa: S314 - reply of the configured S3 server
            code = root.findtext("Code") or code
            message = root.findtext("Message") or ""
        except ET.ParseError:
            message = data[:200].decode("utf-8", "replace")
    return S3Error(status, code, message)


def info_from_headers(key: str, headers: http.client.HTTPMessage) -> BlobInfo:
    modified = headers.get("Last-Modified")
    return BlobInfo(
        key=key,
        size=int(headers.get("Content-Length", "0")),
        content_type=headers.get("Content-Type"),
        last_modified=parsedate_to_datetime(modified).astimezone(UTC) if modified else None,
    )
