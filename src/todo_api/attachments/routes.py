"""/api/tasks/{task_id}/attachments: files on the caller's own tasks.

Another user's task or file answers 404, like tasks do. Two ways in: multipart through
the function (small files, up to ATTACHMENT_MAX_DIRECT_BYTES, below Vercel's 4.5 MB
body limit) and a presigned upload straight to storage (up to ATTACHMENT_MAX_BYTES)
followed by a completion call. Downloads: a redirect to a short-lived URL on S3, the
bytes streamed from the local folder otherwise; `/url` hands the short-lived link to
clients that cannot follow an authenticated redirect (browsers).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.types import Message

from todo_api.attachments import queries, service, uploads
from todo_api.attachments.files import SNIFF_BYTES, sanitise_filename
from todo_api.attachments.schemas import (
    Attachment,
    AttachmentList,
    DownloadLink,
    PresignedUploadOut,
    UploadRequest,
)
from todo_api.attachments.store import STORAGE_FULL, Runtime, blob_key, blocking
from todo_api.http.decoding import refuse_content_coding
from todo_api.http.problems import (
    FieldError,
    Forbidden,
    InsufficientStorage,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from todo_api.http.responses import json_response
from todo_api.http.routing import Api, Call
from todo_api.ids_and_clock import new_id
from todo_api.storage.blobs import BlobNotFound, BlobStore, content_disposition, is_out_of_room

api = Api(tags=["attachments"])

BASE = "/api/tasks/{task_id}/attachments"
ONE = BASE + "/{attachment_id}"
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the file

# Files are served from the app's own origin: a browser must download, never render.
SAFE_DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}


def _store(call: Call[Any, Any]) -> tuple[Runtime, BlobStore]:
    rt = call.services.attachments()
    return rt, rt.store(call.services.require_secret())


@api.get(BASE, summary="List the files of a task", response=AttachmentList, errors=(404,))
async def list_attachments(call: Call[None, None]) -> AttachmentList:
    rt = call.services.attachments()
    config = rt.config
    items, used = await service.list_attachments(
        call.services, config, call.user.id, call.path["task_id"]
    )
    return AttachmentList(
        items=items,
        max_direct_upload_bytes=config.max_direct_bytes,
        max_upload_bytes=config.max_bytes,
        quota_bytes=config.quota_bytes,
        used_bytes=used,
    )


@api.post(
    BASE,
    summary="Upload a file (multipart/form-data, field `file`)",
    description="For files up to the direct limit (default 4 MiB); larger ones use uploads.",
    response=Attachment,
    status=201,
    errors=(400, 404, 413, 415, 422, 503, 507),
    multipart_file="file",
)
async def upload_attachment(call: Call[None, None]) -> Response:
    rt, store = _store(call)
    config = rt.config
    user_id, task_id = call.user.id, call.path["task_id"]
    await service.require_task(call.services, user_id, task_id)
    request = call.request
    too_large = (
        f"Files up to {config.max_direct_bytes} bytes can be uploaded here; for larger ones "
        f"(up to {config.max_bytes} bytes) use POST {BASE.format(task_id=task_id)}/uploads."
    )
    refuse_content_coding(request)
    limit = config.max_direct_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(too_large)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("Send the file as multipart/form-data in the field `file`")

    try:
        form = await _limited(request, limit, too_large).form(max_files=1, max_fields=10)
    except OSError as exc:  # the parser spools large parts to a temporary file
        if is_out_of_room(exc):
            raise InsufficientStorage(STORAGE_FULL) from None
        raise
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationFailed(
                "No file in the request",
                errors=[FieldError("file", "Attach the file in the multipart field `file`")],
            )
        size = upload.size if upload.size is not None else 0
        if size > config.max_direct_bytes:
            raise PayloadTooLarge(too_large)
        content_type = service.checked_content_type(config, upload.content_type)
        head = await upload.read(SNIFF_BYTES)
        service.check_signature(content_type, head)
        await upload.seek(0)
        filename = sanitise_filename(upload.filename or "")
        await service.check_quota(call.services, config, user_id, size)
        attachment_id = new_id()
        key = blob_key(user_id, task_id, attachment_id)
        info = await blocking(store.put, key, upload.file, content_type=content_type)
    finally:
        await form.close()
    created = await service.record(
        call.services,
        config,
        store,
        user_id=user_id,
        task_id=task_id,
        attachment_id=attachment_id,
        filename=filename,
        content_type=content_type,
        size=info.size,
    )
    location = f"{BASE.format(task_id=task_id)}/{created.id}"
    return json_response(created, status=201, headers={"Location": location})


def _limited(request: Request, limit: int, detail: str) -> Request:
    """The same request, whose body stops with a 413 once it passes `limit` bytes
    (a Content-Length can be absent or lie; chunked bodies have none)."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLarge(detail)
        return message

    return Request(request.scope, receive)


@api.post(
    BASE + "/uploads",
    summary="Start a presigned upload straight to file storage",
    description=(
        "Returns a URL bound to this file's size and content type, valid for a few minutes. "
        "Send the file there, then call the returned complete_url."
    ),
    body=UploadRequest,
    response=PresignedUploadOut,
    status=201,
    errors=(404, 413, 415, 422, 503),
)
async def start_upload(call: Call[UploadRequest, None]) -> PresignedUploadOut:
    rt, store = _store(call)
    config = rt.config
    body = call.body
    task_id = call.path["task_id"]
    if not body.size.is_integer():
        raise ValidationFailed(
            "The request body is invalid", errors=[FieldError("size", "A whole number of bytes")]
        )
    content_type = service.checked_content_type(config, body.content_type)
    pending, presigned = await uploads.create_upload(
        call.services,
        config,
        store,
        user_id=call.user.id,
        task_id=task_id,
        filename=sanitise_filename(body.filename),
        content_type=content_type,
        size=int(body.size),
    )
    upload_id = pending.attachment.id
    assert pending.expires_at is not None
    return PresignedUploadOut(
        upload_id=upload_id,
        method=presigned.method,
        url=presigned.url,
        fields=presigned.fields,
        headers=presigned.headers,
        max_size=presigned.max_size,
        expires_at=pending.expires_at,
        complete_url=f"{BASE.format(task_id=task_id)}/uploads/{upload_id}/complete",
    )


@api.post(
    BASE + "/uploads/{upload_id}/complete",
    summary="Finish a presigned upload: check the stored file and list it",
    response=Attachment,
    errors=(404, 409, 410, 413, 415, 503),
)
async def complete_upload(call: Call[None, None]) -> Attachment:
    _, store = _store(call)
    return await uploads.complete_upload(
        call.services,
        store,
        user_id=call.user.id,
        task_id=call.path["task_id"],
        upload_id=call.path["upload_id"],
    )


@api.get(
    ONE,
    summary="Download a file",
    description="S3: 302 to a short-lived URL. Local folder: the bytes, as an attachment.",
    errors=(404, 503),
    extra_responses={302: "Redirect to a short-lived download URL"},
)
async def download_attachment(call: Call[None, None]) -> Response:
    rt, store = _store(call)
    found = await service.get_attachment(
        call.services, call.user.id, call.path["task_id"], call.path["attachment_id"]
    )
    att = found.attachment
    if store.kind != "local":
        url = await blocking(
            store.presign_download,
            found.storage_key,
            filename=att.filename,
            content_type=att.content_type,
            expires_in=rt.config.download_ttl,
        )
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
    try:
        reader = await blocking(store.open, found.storage_key)
    except BlobNotFound:
        raise NotFound("The file is missing from storage") from None

    def chunks() -> Iterator[bytes]:
        with reader:
            yield from reader

    headers = dict(SAFE_DOWNLOAD_HEADERS)
    headers["Content-Disposition"] = content_disposition(att.filename)
    headers["Content-Length"] = str(reader.info.size)
    return StreamingResponse(chunks(), headers=headers, media_type=att.content_type)


@api.get(
    ONE + "/url",
    summary="A short-lived download link (for browsers: no token needed to follow it)",
    response=DownloadLink,
    errors=(404, 503),
)
async def download_link(call: Call[None, None]) -> DownloadLink:
    rt, store = _store(call)
    found = await service.get_attachment(
        call.services, call.user.id, call.path["task_id"], call.path["attachment_id"]
    )
    ttl = rt.config.download_ttl
    url = await blocking(
        store.presign_download,
        found.storage_key,
        filename=found.attachment.filename,
        content_type=found.attachment.content_type,
        expires_in=ttl,
    )
    return DownloadLink(url=url, expires_in=ttl)


@api.delete(ONE, summary="Delete a file", status=204, errors=(404, 503))
async def delete_attachment(call: Call[None, None]) -> None:
    _, store = _store(call)
    await service.delete_attachment(
        call.services, store, call.user.id, call.path["task_id"], call.path["attachment_id"]
    )


# The local folder's stand-in for S3's presigned URLs: the signed token is the
# authorisation, so these take no bearer token.
@api.get(
    "/api/blobs/{token}",
    summary="Download through a signed link (local file storage only)",
    auth=False,
    errors=(403, 404),
)
async def signed_download(call: Call[None, None]) -> Response:
    from todo_api.storage.blobs.local import LocalBlobStore
    from todo_api.storage.blobs.local_http import serve_download

    _, store = _store(call)
    if not isinstance(store, LocalBlobStore):
        raise NotFound("Signed links are served by the storage service, not this API")
    return await serve_download(store, call.path["token"])


@api.put(
    "/api/blobs/{token}",
    summary="Upload through a signed link (local file storage only)",
    auth=False,
    status=204,
    errors=(403, 404, 413, 507),
)
async def signed_upload(call: Call[None, None]) -> Response:
    from todo_api.storage.blobs.local import InvalidToken, LocalBlobStore, verify_token
    from todo_api.storage.blobs.local_http import serve_upload

    _, store = _store(call)
    if not isinstance(store, LocalBlobStore):
        raise NotFound("Signed links are served by the storage service, not this API")
    token = call.path["token"]
    try:
        key = verify_token(store.signing_secret or "", token, op="put").key
    except InvalidToken:
        return await serve_upload(store, token, call.request)  # answers why it is refused
    # Exactly one PUT per link, also when several arrive at once, and none once the
    # upload was completed or deleted: the pending row is the link's state.
    if not await call.services.db(lambda conn: queries.claim_upload(conn, storage_key=key)):
        raise Forbidden("This upload link has already been used or its upload was cancelled.")
    stored = False
    try:
        response = await serve_upload(store, token, call.request)
        stored = response.status_code == 204
        return response
    finally:  # refused, or the client hung up mid-body: the link takes the next PUT
        if not stored:
            await call.services.db(lambda conn: queries.release_upload(conn, storage_key=key))
