"""A real PostgreSQL 15 server for the test session (binaries from Debian's package).

One server per session (~1 s to start), a fresh database per test. The server also
speaks TLS with a self-signed certificate and has a SCRAM-authenticated user over
`hostssl`, so Neon-style URLs (`sslmode=require&channel_binding=require`) are tested
against the real thing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.ports import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SCRAM_USER = "neon_user"
SCRAM_PASSWORD = "s3cret-Passw0rd"


@dataclass(frozen=True)
class PostgresServer:
    port: int
    ca_file: Path
    data: Path | None = None  # set by running_server: stop() and start() use it
    options: str = ""
    log: Path | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def neon_style_url(self, database: str) -> str:
        """What Neon's dashboard prints, plus the test CA (the cert is self-signed)."""
        return (
            f"postgres://{SCRAM_USER}:{SCRAM_PASSWORD}@localhost:{self.port}/{database}"
            f"?sslmode=require&channel_binding=require&sslrootcert={self.ca_file}"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        return result.stdout.strip()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (an outage; `fast` ends every session as a restart does)."""
        assert self.data is not None
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def pause(self) -> None:
        """Freeze the server and its sessions (SIGSTOP): connections stay open and the
        kernel still accepts new ones, but nothing answers, as with a hung host."""
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in reversed(self._processes()):
            os.kill(pid, signal.SIGCONT)

    def _processes(self) -> list[int]:
        """The children (sessions, background workers), then the postmaster."""
        assert self.data is not None
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # Fields after the command's closing parenthesis: state, then the parent.
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [*children, postmaster]

    def start(self) -> None:
        assert self.data is not None
        assert self.log is not None
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                     "-o", self.options, "start")  # fmt: skip

    def create_database(self) -> str:
        name = "t_" + secrets.token_hex(6)
        self.psql(f"CREATE DATABASE {name} OWNER {SCRAM_USER}")
        return name


def _as_postgres(*args: str, timeout: float = 60) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                   capture_output=True, timeout=timeout)  # fmt: skip


def _self_signed_cert(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "server.crt", directory / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@contextlib.contextmanager
def running_server(root: Path) -> Iterator[PostgresServer]:
    data, sockets = root / "data", root / "sock"
    data.mkdir(parents=True)
    sockets.mkdir()
    cert, key = _self_signed_cert(root)
    shutil.chown(root, "postgres", "postgres")
    for path in (data, sockets, cert, key):
        shutil.chown(path, "postgres", "postgres")
    key.chmod(0o600)
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
    hba = data / "pg_hba.conf"
    hba.write_text(
        f"hostssl all {SCRAM_USER} 127.0.0.1/32 scram-sha-256\n"
        f"hostssl all {SCRAM_USER} ::1/128 scram-sha-256\n"
        "local all all trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
        "host all postgres ::1/128 trust\n"
    )
    port = free_port()
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=localhost -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c ssl=on "
        f"-c ssl_cert_file={cert} -c ssl_key_file={key} -c max_connections=200"
    )
    log = root / "postgres.log"
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options,
                 "start")  # fmt: skip
    server = PostgresServer(port=port, ca_file=cert, data=data, options=options, log=log)
    try:
        server.psql(f"CREATE ROLE {SCRAM_USER} LOGIN PASSWORD '{SCRAM_PASSWORD}' CREATEDB")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # a test may have stopped it
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")


def _server_in_temp_dir(prefix: str) -> Iterator[PostgresServer]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
    # Not pytest's tmp_path: its parent is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with running_server(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from _server_in_temp_dir("todo-api-pg-")


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A server of the test's own, which the test may stop and start (outages)."""
    yield from _server_in_temp_dir("todo-api-pg-private-")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A URL to a new, empty database owned by the SCRAM user."""
    return postgres_server.url(postgres_server.create_database())
