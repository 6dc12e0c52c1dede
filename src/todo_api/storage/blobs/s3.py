"""The S3 backend (AWS S3, Cloudflare R2, Ceph RGW), on the standard library alone.

Why no S3 client library (measured 2026-11-22, CPython 3.12, linux x86_64, warm):

| candidate              | installed size                      | `import` time   |
|------------------------|-------------------------------------|-----------------|
| boto3 + botocore       | ~80 MB                              | (not a fit)     |
| minio 7.2.20           | 15 MB (pycryptodome 12 MB, argon2-cffi, urllib3, certifi) | ~550 ms |
| obstore 0.12.1 (Rust)  | 15 MB (one native module)           | ~24 ms          |
| this module (stdlib)   | 0 bytes (~500 lines of our own)     | ~24 ms (*)      |

(*) http.client + hmac + xml.etree; ssl adds ~22 ms when nothing loaded it before.

The whole Vercel bundle must stay under 15 MB unzipped and the app already needs ~4 MB,
so each library would use the entire budget by itself (minio also ~0.5 s of cold start).
What we need is small: SigV4-signed PUT/GET/HEAD/DELETE, CopyObject, ListObjectsV2, DeleteObjects,
presigned GET/PUT URLs and a POST policy (`_sigv4.py`), sent by the signing client in
`s3_client.py`: one HTTP connection per call, verified TLS, a timeout on every request.
This module is the store: keys under the configured prefix, uploads, listings, deletes.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from todo_api.storage.blobs._sigv4 import Credentials, quote
from todo_api.storage.blobs.interface import (
    CHUNK_SIZE,
    BlobInfo,
    BlobNotFound,
    BlobReader,
    BlobStore,
    BlobStoreError,
    PresignedUpload,
    content_disposition,
    validate_key,
    validate_prefix,
)
from todo_api.storage.blobs.s3_client import DEFAULT_TIMEOUT, S3Client, S3Error, info_from_headers

_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
SPOOL_IN_MEMORY = 8 * 1024 * 1024


class S3BlobStore(BlobStore):
    kind = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint: str | None,
        region: str,
        credentials: Credentials,
        addressing: str | None = None,
        upload_method: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.client = S3Client(
            bucket=bucket,
            endpoint=endpoint,
            region=region,
            credentials=credentials,
            addressing=addressing,
            timeout=timeout,
        )
        self.bucket = bucket
        self.prefix = validate_prefix(prefix.strip("/") + "/" if prefix.strip("/") else "")
        if upload_method is None:
            # Cloudflare R2 does not implement browser POST uploads (PostObject).
            r2 = self.client.hostname.endswith(".r2.cloudflarestorage.com")
            upload_method = "put" if r2 else "post"
        if upload_method not in ("post", "put"):
            raise BlobStoreError(f"S3 upload must be post or put, not {upload_method!r}")
        self.upload_method = upload_method
        self.description = f"s3://{bucket}/{self.prefix} at {self.client.origin}"

    @classmethod
    def from_url(cls, url: str, environ: Mapping[str, str]) -> S3BlobStore:
        parts = urllib.parse.urlsplit(url)
        options = dict(urllib.parse.parse_qsl(parts.query))
        bucket = parts.netloc
        if not bucket:
            raise BlobStoreError(f"STORAGE_URL {url!r} names no bucket (s3://bucket/prefix)")
        access = environ.get("AWS_ACCESS_KEY_ID", "").strip()
        secret = environ.get("AWS_SECRET_ACCESS_KEY", "").strip()
        if not access or not secret:
            raise BlobStoreError(
                "STORAGE_URL is s3:// but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set"
            )
        endpoint = (
            options.get("endpoint")
            or environ.get("AWS_ENDPOINT_URL_S3")
            or environ.get("AWS_ENDPOINT_URL")
            or None
        )
        region = (
            options.get("region")
            or environ.get("AWS_REGION")
            or environ.get("AWS_DEFAULT_REGION")
            or ("auto" if endpoint and "r2.cloudflarestorage.com" in endpoint else "us-east-1")
        )
        return cls(
            bucket=bucket,
            prefix=urllib.parse.unquote(parts.path),
            endpoint=endpoint,
            region=region,
            credentials=Credentials(access, secret, environ.get("AWS_SESSION_TOKEN") or None),
            addressing=options.get("addressing"),
            upload_method=options.get("upload"),
        )

    def _object_path(self, key: str) -> str:
        return self.client.object_path(self.prefix + validate_key(key))

    # -- BlobStore -------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        *,
        content_type: str,
        size: int | None = None,
    ) -> BlobInfo:
        path = self._object_path(key)
        headers = {"Content-Type": content_type}
        if isinstance(data, bytes | bytearray | memoryview):
            payload = bytes(data)
            headers["Content-Length"] = str(len(payload))
            self.client.request(
                "PUT",
                path,
                headers=headers,
                body=payload,
                payload_sha256=hashlib.sha256(payload).hexdigest(),
            )
            return BlobInfo(key=key, size=len(payload), content_type=content_type)
        # A stream: spool it once to learn its length and hash (both are signed).
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            digest = hashlib.sha256()
            length = 0
            while chunk := data.read(CHUNK_SIZE):
                digest.update(chunk)
                spool.write(chunk)
                length += len(chunk)
            spool.seek(0)
            headers["Content-Length"] = str(length)
            self.client.request(
                "PUT", path, headers=headers, body=spool, payload_sha256=digest.hexdigest()
            )
        return BlobInfo(key=key, size=length, content_type=content_type)

    def copy(self, source: str, target: str) -> None:
        """CopyObject: the server copies the bytes and, by default, the content type."""
        source_name = self.prefix + validate_key(source)
        headers = {
            "x-amz-copy-source": quote(f"{self.bucket}/{source_name}", safe="-_.~/"),
            "Content-Length": "0",
        }
        try:
            _, _, data = self.client.request(
                "PUT", self._object_path(target), headers=headers, ok=(200,)
            )
        except S3Error as exc:
            if exc.status == 404 and exc.code in ("NoSuchKey", "NotFound"):
                raise BlobNotFound(source) from exc
            raise
        # S3 may fail a copy after answering 200: the error is then the body.
        root = ET.fromstring(data) if data.strip() else None  # noqa: S314 - our S3 server
        if root is not None and root.tag.rpartition("}")[2] == "Error":
            raise S3Error(200, root.findtext("Code", "Error"), root.findtext("Message", ""))

    def open(self, key: str) -> BlobReader:
        stream, info = self.client.get_stream(self._object_path(key), key)
        return BlobReader(stream, info)

    def head(self, key: str) -> BlobInfo | None:
        try:
            _, headers, _ = self.client.request("HEAD", self._object_path(key), ok=(200,))
        except S3Error as exc:
            if exc.status == 404:
                return None
            raise
        return info_from_headers(key, headers)

    def delete(self, key: str) -> None:
        self.client.request("DELETE", self._object_path(key), ok=(200, 204, 404))

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        validate_prefix(prefix)
        query = {"list-type": "2", "prefix": self.prefix + prefix}
        while True:
            _, _, data = self.client.request(
                "GET", self.client.bucket_path + "/", query=query, ok=(200,)
            )
            root = ET.fromstring(data)  # noqa: S314 - reply of the configured S3 server
            for item in root.iter(f"{_NS}Contents"):
                full_key = item.findtext(f"{_NS}Key", "")
                modified = item.findtext(f"{_NS}LastModified")
                yield BlobInfo(
                    key=full_key[len(self.prefix) :],
                    size=int(item.findtext(f"{_NS}Size", "0")),
                    last_modified=_parse_iso(modified) if modified else None,
                )
            token = root.findtext(f"{_NS}NextContinuationToken")
            if root.findtext(f"{_NS}IsTruncated") != "true" or not token:
                return
            query["continuation-token"] = token

    def delete_prefix(self, prefix: str) -> int:
        """One DeleteObjects call per 1000 keys instead of a request per blob."""
        prefix = validate_prefix(prefix)
        if not prefix:
            return super().delete_prefix(prefix)  # raises InvalidKey
        keys = [info.key for info in self.list(prefix)]
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>'
                + "".join(f"<Object><Key>{escape(self.prefix + k)}</Key></Object>" for k in batch)
                + "</Delete>"
            ).encode()
            md5 = hashlib.md5(body, usedforsecurity=False).digest()
            _, _, data = self.client.request(
                "POST",
                self.client.bucket_path + "/",
                query={"delete": ""},
                headers={
                    "Content-Type": "application/xml",
                    "Content-MD5": base64.b64encode(md5).decode(),
                    "Content-Length": str(len(body)),
                },
                body=body,
                payload_sha256=hashlib.sha256(body).hexdigest(),
                ok=(200,),
            )
            root = ET.fromstring(data)  # noqa: S314 - reply of the configured S3 server
            error = root.find(f"{_NS}Error")
            if error is not None:
                raise S3Error(
                    200,
                    error.findtext(f"{_NS}Code", "Error"),
                    error.findtext(f"{_NS}Message", "DeleteObjects failed"),
                )
        return len(keys)

    def presign_upload(
        self, key: str, *, content_type: str, max_size: int, expires_in: int = 600
    ) -> PresignedUpload:
        """A POST policy (size range + exact type), or where POST is not supported (R2),
        a PUT URL whose signature covers Content-Type and Content-Length: the client
        must then send exactly `max_size` bytes (browsers set Content-Length themselves).
        """
        if self.upload_method == "put":
            headers = {"Content-Type": content_type, "Content-Length": str(max_size)}
            url = self.client.presign(
                "PUT",
                self._object_path(key),
                query={},
                expires_in=expires_in,
                signed_headers=headers,
            )
            return PresignedUpload(
                method="PUT",
                url=url,
                headers={"Content-Type": content_type},
                expires_in=expires_in,
                max_size=max_size,
            )
        fields = self.client.post_policy(
            self.prefix + validate_key(key),
            content_type=content_type,
            max_size=max_size,
            expires_in=expires_in,
        )
        return PresignedUpload(
            method="POST",
            url=f"{self.client.origin}{self.client.bucket_path}/",
            fields=fields,
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
        query = {"response-content-disposition": content_disposition(filename)}
        if content_type:
            query["response-content-type"] = content_type
        return self.client.presign(
            "GET", self._object_path(key), query=query, expires_in=expires_in
        )

    # -- administration (tests, first deployment) ------------------------------------

    def create_bucket(self) -> None:
        """Create the bucket; an existing bucket we own is fine."""
        body = b""
        if self.client.host.endswith("amazonaws.com") and self.client.region != "us-east-1":
            body = (
                "<CreateBucketConfiguration><LocationConstraint>"
                f"{escape(self.client.region)}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        try:
            self.client.request(
                "PUT",
                self.client.bucket_path or "/",
                headers={"Content-Length": str(len(body))},
                body=body,
                payload_sha256=hashlib.sha256(body).hexdigest(),
                ok=(200,),
            )
        except S3Error as exc:
            if exc.code != "BucketAlreadyOwnedByYou":
                raise

    def put_cors(self, origins: Sequence[str]) -> None:
        """Allow browsers on `origins` to POST uploads and GET downloads directly."""
        rules = "".join(f"<AllowedOrigin>{escape(o)}</AllowedOrigin>" for o in origins)
        body = (
            "<CORSConfiguration><CORSRule>"
            f"{rules}<AllowedMethod>GET</AllowedMethod><AllowedMethod>POST</AllowedMethod>"
            "<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>"
            "<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>"
        ).encode()
        self.client.request(
            "PUT",
            self.client.bucket_path + "/",
            query={"cors": ""},
            headers={
                "Content-Type": "application/xml",
                "Content-MD5": base64.b64encode(
                    hashlib.md5(body, usedforsecurity=False).digest()
                ).decode(),
                "Content-Length": str(len(body)),
            },
            body=body,
            payload_sha256=hashlib.sha256(body).hexdigest(),
            ok=(200,),
        )


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
