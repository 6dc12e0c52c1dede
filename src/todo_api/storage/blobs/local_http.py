"""HTTP endpoints that stand in for S3's presigned URLs when blobs are in a local folder.

`GET <base>/<token>` streams the blob as an attachment; `PUT <base>/<token>` stores the
request body under the key the token names, if its Content-Type is the signed one and
it is no larger than the signed maximum. Anything else answers a problem+json 403
(like S3's AccessDenied), 413 or 404. Mount `blob_routes(store)` at the app's root, or
call `serve_download` / `serve_upload` from routes of your own.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from todo_api.storage.blobs.interface import (
    BlobNotFound,
    BlobStoreError,
    StorageFull,
    content_disposition,
    is_out_of_room,
)
from todo_api.storage.blobs.local import (
    InvalidToken,
    LocalBlobStore,
    TooLarge,
    verify_token,
)

SPOOL_IN_MEMORY = 1024 * 1024

# Files uploaded by users are served from the app's own origin: never let a browser
# render them as a page of ours (stored XSS), only download them.
_SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=60",
}


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status, media_type="application/problem+json")


def _unavailable() -> Response:
    """The folder itself is out of reach (an unmounted volume): the link stays good."""
    response = _problem(503, "Service Unavailable", "File storage is unavailable; try again.")
    response.headers["Retry-After"] = "5"
    return response


async def serve_download(store: LocalBlobStore, token: str) -> Response:
    """Answer `GET <base>/<token>`: the blob as an attachment, or a problem."""
    try:
        claims = verify_token(store.signing_secret or "", token, op="get")
    except InvalidToken as exc:
        return _problem(403, "Forbidden", f"This download link is not valid: {exc}.")
    try:
        reader = await run_in_threadpool(store.open, claims.key)
    except BlobNotFound:
        return _problem(404, "Not Found", "The file no longer exists.")
    except (BlobStoreError, OSError):  # OSError: EIO, EACCES, a stale NFS handle...
        return _unavailable()

    def chunks() -> Iterator[bytes]:
        with reader:
            yield from reader

    headers = dict(_SAFE_HEADERS)
    headers["Content-Disposition"] = content_disposition(claims.filename)
    headers["Content-Length"] = str(reader.info.size)
    media_type = claims.content_type or reader.info.content_type or "application/octet-stream"
    return StreamingResponse(chunks(), headers=headers, media_type=media_type)


async def serve_upload(store: LocalBlobStore, token: str, request: Request) -> Response:
    """Answer `PUT <base>/<token>`: store the body if it matches what was signed."""
    try:
        claims = verify_token(store.signing_secret or "", token, op="put")
    except InvalidToken as exc:
        return _problem(403, "Forbidden", f"This upload link is not valid: {exc}.")
    sent_type = request.headers.get("content-type", "")
    if sent_type != claims.content_type:
        return _problem(
            403, "Forbidden", f"This upload link accepts Content-Type {claims.content_type!r} only."
        )
    # One upload per link: once the file is there (and possibly checked and listed), a
    # leaked link must not replace it with something else.
    try:
        if await run_in_threadpool(store.head, claims.key) is not None:
            return _problem(403, "Forbidden", "This upload link has already been used.")
    except (BlobStoreError, OSError):
        return _unavailable()
    limit = claims.max_size or 0
    too_large = _problem(413, "Content Too Large", f"The file is larger than {limit} bytes.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        return too_large
    try:
        return await _receive_upload(store, claims.key, request, sent_type, limit)
    except StorageFull:
        return _problem(507, "Insufficient Storage", "File storage is full; nothing was kept.")
    except (BlobStoreError, OSError) as exc:  # OSError: spooling the body to a temporary file
        if is_out_of_room(exc):
            return _problem(507, "Insufficient Storage", "File storage is full; nothing was kept.")
        return _unavailable()


async def _receive_upload(
    store: LocalBlobStore, key: str, request: Request, content_type: str, limit: int
) -> Response:
    too_large = _problem(413, "Content Too Large", f"The file is larger than {limit} bytes.")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                return too_large
            spool.write(chunk)
        spool.seek(0)
        try:
            await run_in_threadpool(
                store.put_limited,
                key,
                spool,  # type: ignore[arg-type]
                content_type=content_type,
                max_size=limit,
            )
        except TooLarge:
            return too_large
    return Response(status_code=204)


def blob_routes(store: LocalBlobStore) -> list[Route]:
    """GET and PUT routes for `store`'s presigned URLs (at `store.url_base`)."""

    async def download(request: Request) -> Response:
        return await serve_download(store, request.path_params["token"])

    async def upload(request: Request) -> Response:
        return await serve_upload(store, request.path_params["token"], request)

    path = f"{store.url_base}/{{token}}"
    return [
        Route(path, download, methods=["GET", "HEAD"]),
        Route(path, upload, methods=["PUT"]),
    ]
