"""A real Redis server for the test session (Debian's `redis-server`), in the foreground
on a free loopback port with persistence off; `redis_url` gives each test its own
logical database, emptied first. `private_redis` is a server of the test's own, which it
may `stop()` and `start()` again on the same port (outage tests)."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.ports import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
_databases = itertools.cycle(range(16))


@dataclass(frozen=True)
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("redis-server did not answer PING")


def _launch(port: int, directory: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port, process)
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return process


def _require_redis() -> None:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server not found (apt-get install redis-server)")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    _require_redis()
    directory = tempfile.mkdtemp(prefix="todo-api-redis-")
    try:
        port = free_port()
        process = _launch(port, directory)
        yield RedisServer(port, process)
        process.terminate()
        process.wait(10)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class PrivateRedis:
    """A Redis server of one test's own: `stop()` kills it (an outage: its data goes
    too, persistence being off), `start()` brings a fresh one up on the same port."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = _launch(self.port, directory)

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def start(self) -> None:
        if self.process is None:
            self.process = _launch(self.port, self.directory)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    _require_redis()
    directory = tempfile.mkdtemp(prefix="todo-api-redis-private-")
    try:
        server = PrivateRedis(directory)
        yield server
        server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    import redis

    url = redis_server.url(next(_databases))
    redis.Redis.from_url(url).flushdb()
    return url
