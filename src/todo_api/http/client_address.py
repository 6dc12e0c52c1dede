"""The client's address, from what the platform vouches for and never from a header any
client can set.

On Vercel the edge overwrites `X-Forwarded-For` with the address it saw ("we currently
overwrite the X-Forwarded-For header and do not forward external IPs",
https://vercel.com/docs/headers/request-headers#x-forwarded-for), so there it is the
client. Everywhere else the server's peer is used: uvicorn (`todo-api serve`) replaces
it from `X-Forwarded-For` only for proxies listed in FORWARDED_ALLOW_IPS, and Mangum on
Lambda takes API Gateway's `sourceIp`. IPv6 addresses count per /64, the block one
subscriber usually gets, so rotating within it does not reset a limit.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from todo_api.platform import Platform


def client_address(request: Request, platform: Platform) -> str:
    raw = None
    if platform is Platform.VERCEL:
        forwarded = request.headers.get("x-forwarded-for", "")
        raw = forwarded.split(",", 1)[0].strip() or None
    if raw is None:
        client = request.scope.get("client")
        raw = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
