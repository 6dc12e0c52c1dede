"""The web UI's files (public/) with its Content-Security-Policy as a response header.

`frame-ancestors` (no framing: clickjacking) only works in a header; browsers ignore
it in a <meta> tag and log an error. On Vercel the CDN serves public/ itself, so
vercel.json sends the same header (a test keeps the two equal).
"""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https: http:; form-action 'self' https: http:; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class UiFiles(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", UI_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_csp)
