"""The headers the edge adds and strips between client and function, as Vercel's edge
does: hop-by-hop headers and any client-sent `x-vercel-internal-*` never pass, the
`x-forwarded-*`/`x-real-ip`/`x-vercel-id` headers and the runtime's internal ones are
added; on the way back the function's headers pass untouched but for connection ones."""

from __future__ import annotations

from preflight.emulate.http1 import Request, vercel_id
from preflight.emulate.routes import Target

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "content-length",
    }
)


def forwarded_head(
    request: Request,
    target: Target,
    client_ip: str,
    host: str,
    internal: dict[str, str],
    length: int | None,
) -> bytes:
    """The request head sent to the function: the path it sees is the routed one."""
    headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
    headers = [(k, v) for k, v in headers if not k.lower().startswith("x-vercel-internal-")]
    headers += [
        ("x-forwarded-host", host),
        ("x-forwarded-proto", "http"),
        ("x-forwarded-for", client_ip),
        ("x-real-ip", client_ip),
        ("x-vercel-id", vercel_id()),
        *internal.items(),
    ]
    headers.append(
        ("Transfer-Encoding", "chunked") if length is None else ("Content-Length", str(length))
    )
    headers.append(("Connection", "close"))
    head = f"{request.method} {target.path} HTTP/1.1\r\n"
    return (head + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode("latin-1")


def answer_head(status_line: str, got: list[tuple[str, str]]) -> bytes:
    """The function's answer head as the client receives it from the edge."""
    out = [
        (k, v)
        for k, v in got
        if k.lower() not in ("connection", "keep-alive", "server")
        and not k.lower().startswith("x-vercel-internal-")
    ]
    out += [("Server", "Vercel"), ("X-Vercel-Id", vercel_id()), ("X-Vercel-Cache", "MISS")]
    out += [("Connection", "close")]
    line = status_line.replace("HTTP/1.0", "HTTP/1.1", 1)
    return (line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in out) + "\r\n").encode("latin-1")
