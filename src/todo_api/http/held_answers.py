"""An answer held back until its last body part, so that it can be rewritten whole.

Libraries send some of their errors in their own words and formats (Starlette's
FileResponse, the MCP SDK's transport); an ASGI `send` wrapper is the one place this API
sees them, and a body may come in several parts, so a rewrite needs all of it first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import Message, Send

Rewrite = Callable[[Message, bytes], Awaitable[None]]


def hold_answers(send: Send, picks: Callable[[Message], bool], rewrite: Rewrite) -> Send:
    """`send`, except that an answer whose `http.response.start` `picks` is collected to
    its last body part and handed to `rewrite(start, body)`, which sends what replaces
    it. Every other answer passes through as it comes."""
    held: list[Message] = []

    async def send_or_hold(message: Message) -> None:
        if message["type"] == "http.response.start" and picks(message):
            held.append(message)
            return
        if not held:
            await send(message)
            return
        held.append(message)
        if message.get("more_body", False):
            return
        await rewrite(held[0], b"".join(part.get("body", b"") for part in held[1:]))

    return send_or_hold
