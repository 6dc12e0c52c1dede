"""A free loopback port, for every server the tests start.

The machine is shared by several test runs at once, so no test hard-codes a port: the
kernel picks one that is free now. It can be taken again before the server binds it;
the servers here start within a second, and a clash fails loudly (address in use).
"""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
