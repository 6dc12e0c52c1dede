"""Attachment settings, read from the environment by Settings.from_env like every other
setting (they are `Settings.attachments`), so a test's environment reaches them too.

| variable                     | default                                   |
|------------------------------|-------------------------------------------|
| STORAGE_URL                  | file://<TODO_DATA_DIR>/blobs              |
| STORAGE_ALLOW_EPHEMERAL      | off: on Vercel/Lambda a local folder is   |
|                              | refused (503); `1` keeps files in /tmp,   |
|                              | lost whenever the instance is recycled    |
| ATTACHMENT_MAX_DIRECT_BYTES  | 4194304 (4 MiB: Vercel's body limit 4.5 MB) |
| ATTACHMENT_MAX_BYTES         | 52428800 (50 MiB, presigned uploads)      |
| ATTACHMENT_QUOTA_BYTES       | 104857600 (100 MiB per user)              |
| ATTACHMENT_CONTENT_TYPES     | the list below; `type/*` wildcards allowed |

Reading never raises: a bad value becomes `problem`, answered as a 503 by the
attachment routes only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

MIB = 1024 * 1024

# Documents, images, archives. Not text/html, image/svg+xml or scripts: files are
# served as downloads, but a type that a browser would run is not worth accepting.
DEFAULT_CONTENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/json",
    "application/zip",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "application/vnd.ms-excel",
)
NEVER_ALLOWED = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript")


# A frozen msgspec Struct, not a frozen dataclass: made in C at import (~0.05 ms a
# class, against 0.5-2.5 ms of generated code each), and behaving the same.
class AttachmentConfig(msgspec.Struct, frozen=True):
    data_dir: str | os.PathLike[str]
    storage_url: str | None = None
    serverless: bool = False
    platform: str = "local"
    allow_ephemeral: bool = False
    max_direct_bytes: int = 4 * MIB
    max_bytes: int = 50 * MIB
    quota_bytes: int = 100 * MIB
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    upload_ttl: int = 600
    # How long after its link expired an upload of someone else is swept (an upload
    # started just before expiry may still be arriving).
    upload_grace: int = 300
    download_ttl: int = 300
    problem: str | None = None
    # The AWS_* variables the S3 backend reads (endpoint, region, credentials).
    storage_env: Mapping[str, str] = msgspec.field(default_factory=dict)

    def __repr__(self) -> str:
        """Every field but storage_env: it holds the AWS credentials."""
        shown = (f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__[:-1])
        return f"AttachmentConfig({', '.join(shown)})"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        data_dir: str | os.PathLike[str],
        platform: str = "local",
        serverless: bool = False,
    ) -> AttachmentConfig:
        problems: list[str] = []

        def size(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            if not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:  # not '²'
                problems.append(f"{name} must be a positive number of bytes, got {raw!r}")
                return default
            return int(raw)

        types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
        raw_types = env.get("ATTACHMENT_CONTENT_TYPES", "").strip()
        if raw_types:
            types = tuple(t.strip().lower() for t in raw_types.split(",") if t.strip())
        return cls(
            data_dir=data_dir,
            storage_url=env.get("STORAGE_URL", "").strip() or None,
            serverless=serverless,
            platform=platform,
            allow_ephemeral=env.get("STORAGE_ALLOW_EPHEMERAL", "").strip().lower()
            in ("1", "true", "yes"),
            max_direct_bytes=size("ATTACHMENT_MAX_DIRECT_BYTES", 4 * MIB),
            max_bytes=size("ATTACHMENT_MAX_BYTES", 50 * MIB),
            quota_bytes=size("ATTACHMENT_QUOTA_BYTES", 100 * MIB),
            content_types=types,
            problem="; ".join(problems) or None,
            storage_env={k: v for k, v in env.items() if k.startswith("AWS_")},
        )

    def allows(self, content_type: str) -> bool:
        if content_type in NEVER_ALLOWED:
            return False
        major = content_type.split("/", 1)[0]
        return content_type in self.content_types or f"{major}/*" in self.content_types
