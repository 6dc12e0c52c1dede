"""The web UI's files with its Content-Security-Policy as a response header.

The UI ships inside the package (todo_api/web, package data), so a wheel, the Lambda
bundle or a container serves it from any working directory; TODO_PUBLIC_DIR points
elsewhere (a customised copy). public/ at the repo root is a copy of todo_api/web for
Vercel's CDN, kept identical by tests/core/test_ui_files.py; it must be in the upload,
since Vercel serves no file its build command writes there (tests/test_vercel_public.py).

`frame-ancestors` (no framing: clickjacking) only works in a header; browsers ignore
it in a <meta> tag and log an error. On Vercel the CDN serves public/ itself, so
vercel.json sends the same header (a test keeps the two equal).

Starlette's StaticFiles is made at the first request for a UI file, not with the app:
API requests (all of them, on Vercel) never use it, and importing it is a share of the
app's import.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from starlette.types import Message, Receive, Scope, Send

from todo_api.http.plain_errors import problems_for_plain_errors

if TYPE_CHECKING:
    from starlette.staticfiles import StaticFiles

UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https: http:; form-action 'self' https: http:; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class UiFiles:
    """The files of `directory` (index.html for a folder), each with the CSP header."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._files: StaticFiles | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._files is None:
            from starlette.staticfiles import StaticFiles

            self._files = StaticFiles(directory=self.directory, html=True)

        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", UI_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        # A Range it cannot serve is FileResponse's plain-text 400 or empty 416.
        await self._files(scope, receive, problems_for_plain_errors(scope, receive, send_with_csp))


def ui_directory(override: str | None) -> str | None:
    """The folder to serve at `/`: TODO_PUBLIC_DIR when set, else the packaged UI.

    None when the override names no folder: `/` then leads to /docs rather than 404.
    """
    # The package's folder is a plain directory in every install this project supports
    # (wheel, editable, `pip install --target` for Lambda); zip imports are not among them.
    # So a path from __file__ will do: importlib.resources.files() would load zipfile and
    # importlib's readers at every import of the app, for nothing. (os.path, as the rest
    # of the app's import: pathlib was 8 M instructions of it, ~2 %, for two joins.)
    here = os.path.dirname(os.path.realpath(__file__))
    folder = override or os.path.join(os.path.dirname(here), "web")
    return folder if os.path.isdir(folder) else None
