"""The origin this service names in absolute URLs it hands out, never the request's Host.

Some answers must carry an absolute URL: the `resource_metadata` of /mcp's 401 and the
`resource` of its metadata document (RFC 9728 asks for absolute URLs there). Built from
the request's `Host` (or `X-Forwarded-Host`), anyone could make the service advertise
their own server, and a shared cache would hand that answer to other clients.

So the origin comes, in order, from PUBLIC_URL; on Vercel and Lambda from `Host`, which
there is vouched for by the platform (its edge and API Gateway route by host name, so
only the deployment's own names arrive); elsewhere from the address of the socket the
request came in on, which the client cannot choose beyond picking one of our own
interfaces. Behind a reverse proxy that address is an internal one: set PUBLIC_URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # settings import this module: keep it free of starlette
    from starlette.requests import Request

    from todo_api.platform import Platform

DEFAULT_PORTS = {"http": 80, "https": 443}


def public_origin(request: Request, platform: Platform, public_url: str | None) -> str:
    """`scheme://host[:port]` (plus PUBLIC_URL's path, if it has one), no trailing slash."""
    if public_url:
        return public_url
    if platform.serverless:
        return str(request.base_url).rstrip("/")
    scheme = request.scope.get("scheme")
    scheme = scheme if scheme in DEFAULT_PORTS else "http"
    server = request.scope.get("server")
    if not server or not isinstance(server[1], int):  # a unix socket, or no socket at all
        return f"{scheme}://localhost"
    host, port = str(server[0]), server[1]
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if DEFAULT_PORTS[scheme] == port else f"{scheme}://{host}:{port}"


def parse_public_url(raw: str) -> tuple[str | None, str | None]:
    """PUBLIC_URL -> (the URL without a trailing slash, None) or (None, the problem)."""
    value = raw.strip().rstrip("/")
    if not value:
        return None, None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or not value.isascii()
        or any(c.isspace() or c in '"<>\\' for c in value)
    ):
        return None, (
            f"PUBLIC_URL must be an http(s) origin such as https://todo.example.com, "
            f"got {raw[:80]!r}"
        )
    return value, None
