"""Migrations (locked, once per database), the migrate command, and Neon-style URLs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.services.postgres import PostgresServer
from todo_api.storage.database import Database, open_backend
from todo_api.storage.migrate import apply_migrations, discover


def test_concurrent_cold_starts_apply_each_migration_once(postgres_url: str) -> None:
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def cold_start() -> None:
        backend = open_backend(postgres_url)
        try:
            results.append(apply_migrations(backend))
        except BaseException as exc:
            errors.append(exc)
        finally:
            backend.close()

    threads = [threading.Thread(target=cold_start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    applied = sorted(version for result in results for version in result)
    assert applied == [m.version for m in discover()]  # each once, by one of the six
    database = Database(postgres_url)
    rows = database.call(lambda conn: conn.fetch_all("SELECT version FROM schema_migrations"))
    assert len(rows) == len(discover())
    database.close()


def _migrate_command(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "todo_api", "migrate"],
        env={"PATH": os.environ["PATH"], **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_command(database_url: str, tmp_path: Path) -> None:
    first = _migrate_command({"DATABASE_URL": database_url}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("applied migrations: 0001")
    second = _migrate_command({"DATABASE_URL": database_url}, tmp_path)
    assert second.stdout.strip() == "database is up to date"


def test_migrate_command_reports_unreachable_database(tmp_path: Path) -> None:
    result = _migrate_command({"DATABASE_URL": "postgres://u:hunter2@127.0.0.1:1/db"}, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("todo-api migrate: cannot connect to Postgres at 127.0.0.1:1")
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_neon_style_url_verified_tls_and_scram(postgres_server: PostgresServer) -> None:
    url = postgres_server.neon_style_url(postgres_server.create_database())
    database = Database(url)
    assert database.ping() > 0
    database.ensure_migrated()
    ssl_in_use = database.call(
        lambda conn: conn.fetch_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    )
    assert ssl_in_use == {"ssl": True}
    database.close()


def test_certificates_are_verified(postgres_server: PostgresServer) -> None:
    # The server's certificate is self-signed: without the CA the connection must fail.
    url = postgres_server.neon_style_url("postgres").split("&sslrootcert=")[0]
    database = Database(url)
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        database.ping()
