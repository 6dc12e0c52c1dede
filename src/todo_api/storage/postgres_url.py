"""DATABASE_URL for PostgreSQL read as libpq and Neon's dashboard mean it: user, host,
database, TLS (`sslmode`, `sslrootcert`) and the connect timeout, into what pg8000 takes."""

from __future__ import annotations

import ipaddress
import ssl
from urllib.parse import parse_qs, unquote, urlsplit

import msgspec

# A server that stops answering (a hung host, a frozen VM) leaves sockets open, so only a
# timeout ends the wait: seconds to connect, start up and authenticate, unless the URL's
# `connect_timeout` says otherwise.
CONNECT_TIMEOUT = 5.0


class PostgresParams(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    user: str
    password: str | None
    host: str
    port: int
    database: str
    # False: plain text. (pg8000 reads None as "try TLS without verifying", and builds a
    # fresh default context for it on every connection: ~70 ms of loading CA files.)
    ssl_context: ssl.SSLContext | bool
    application_name: str = "todo_api"
    connect_timeout: float = CONNECT_TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> PostgresParams:
        """Parse postgres:// or postgresql:// URLs, including Neon's query options.

        `sslmode=require` (what Neon prints) gets a *verifying* TLS context: pg8000's
        own default would not check the certificate. Without sslmode, loopback hosts
        connect in plain text and anything else uses verified TLS.
        """
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        host = parts.hostname or "localhost"
        sslmode = query.get("sslmode", "")
        context: ssl.SSLContext | bool
        if sslmode == "disable" or (not sslmode and _is_loopback(host)):
            context = False
        else:
            context = ssl.create_default_context(cafile=query.get("sslrootcert"))
        return cls(
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password) if parts.password is not None else None,
            host=host,
            port=parts.port or 5432,
            database=unquote(parts.path.lstrip("/")) or "postgres",
            ssl_context=context,
            application_name=query.get("application_name", "todo_api"),
            connect_timeout=_seconds(query.get("connect_timeout"), CONNECT_TIMEOUT),
        )


def _seconds(raw: str | None, default: float) -> float:
    """libpq's connect_timeout: whole seconds, 0 or less meaning the default here (never
    an endless wait), 2 at least."""
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return max(2.0, float(value)) if value > 0 else default


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
