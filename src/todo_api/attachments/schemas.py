"""Attachment bodies: what the API returns and accepts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec


class Attachment(msgspec.Struct):
    id: str
    task_id: str
    filename: str
    content_type: str
    size: int
    created_at: dt.datetime


class AttachmentList(msgspec.Struct):
    items: list[Attachment]
    # Limits, so a client can choose the upload path and say what is allowed.
    max_direct_upload_bytes: int
    max_upload_bytes: int
    quota_bytes: int
    used_bytes: int


class UploadRequest(msgspec.Struct):
    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    content_type: Annotated[str, msgspec.Meta(min_length=3, max_length=127)]
    # Documented as an integer (http.openapi.apply_deployment_limits, with its maximum,
    # ATTACHMENT_MAX_BYTES); decoded as a number because JSON Schema counts 1.0 as an
    # integer too. The route refuses fractions.
    size: Annotated[float, msgspec.Meta(ge=0)]


class PresignedUploadOut(msgspec.Struct):
    """Send the file with `method` to `url`: POST as multipart with `fields` first and the
    file last (field `file`), PUT as the raw body with `headers`. Then call complete."""

    upload_id: str
    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str]
    headers: dict[str, str]
    max_size: int
    expires_at: dt.datetime
    complete_url: str


class DownloadLink(msgspec.Struct):
    url: str
    expires_in: int
