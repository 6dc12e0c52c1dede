"""`todo-api serve` and `todo-api migrate` (also `python -m todo_api ...`).

Exit codes: 0 success, 1 the command failed (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from todo_api import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo-api", description="The todo_api backend.")
    parser.add_argument("--version", action="version", version=f"todo-api {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API (uvicorn)")
    # PORT and WEB_CONCURRENCY are what Railway, Fly.io, Cloud Run and Heroku-likes set.
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="interface (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=_port, default=_env_int("PORT", 8000), help="port (default $PORT or 8000)"
    )
    serve.add_argument(
        "--workers",
        type=_workers,
        default=_env_int("WEB_CONCURRENCY", 1),
        help="worker processes (default $WEB_CONCURRENCY or 1)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=_migrate)

    storage = commands.add_parser(
        "storage-setup",
        help="create the S3 bucket if missing and allow CORS_ORIGINS to upload/download",
    )
    storage.add_argument(
        "--no-create", action="store_true", help="the bucket exists; only set its CORS rules"
    )
    storage.set_defaults(handler=_storage_setup)
    return parser


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() else default  # not '²'


# argparse prints these as "argument --port: ..." and exits 2, where uvicorn would end
# in a traceback (bind(): OverflowError for the port; idna: UnicodeError for the host).
def _port(raw: str) -> int:
    return _bounded_int(raw, 0, 65535, "a port is a number from 0 to 65535")


def _workers(raw: str) -> int:
    return _bounded_int(raw, 1, 1024, "worker processes number from 1 to 1024")


def _bounded_int(raw: str, lowest: int, highest: int, rule: str) -> int:
    if not raw.isascii() or not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise argparse.ArgumentTypeError(f"{rule}, not {raw!r}")
    return int(raw)


def _host(raw: str) -> str:
    try:
        raw.encode("idna")
    except UnicodeError:  # an empty label (a..b) or one over 63 characters
        raise argparse.ArgumentTypeError(f"{raw!r} is not a host name or address") from None
    return raw


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from todo_api.container_data import data_loss_warning
    from todo_api.settings import Settings

    # Once, here, rather than in create_app: each of --workers N would repeat it.
    warning = data_loss_warning(Settings.from_env().database_url)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    print(_where(args.host, args.port), flush=True)

    from todo_api.http.server_protocol import ProblemH11Protocol

    uvicorn.run(
        "todo_api.main:app",
        http=ProblemH11Protocol,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        proxy_headers=True,
        log_level="info",
        timeout_graceful_shutdown=20,
    )
    return 0


def _where(host: str, port: int) -> str:
    """The three addresses a newcomer wants first, before uvicorn's own lines."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (compared)
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    return f"todo-api: web UI {base}/  API docs {base}/docs  health {base}/health"


def _migrate(args: argparse.Namespace) -> int:
    from todo_api.settings import Settings
    from todo_api.storage.connection import DatabaseUnavailable
    from todo_api.storage.database import open_backend
    from todo_api.storage.migrate import apply_migrations

    settings = Settings.from_env()
    if settings.database_problem:
        print(f"todo-api migrate: {settings.database_problem}", file=sys.stderr)
        return 1
    try:
        backend = open_backend(
            settings.database_url, sqlite_busy_timeout=settings.sqlite_busy_timeout
        )
        applied = apply_migrations(backend)
        backend.close()
    except DatabaseUnavailable as exc:
        print(f"todo-api migrate: {exc}", file=sys.stderr)
        return 1
    if applied:
        print(f"applied migrations: {', '.join(f'{v:04d}' for v in applied)}")
    else:
        print("database is up to date")
    return 0


def _storage_setup(args: argparse.Namespace) -> int:
    """Browsers upload and download attachments directly: the bucket needs CORS rules."""
    from todo_api.settings import Settings
    from todo_api.storage.blobs import BlobStoreError, open_blob_store
    from todo_api.storage.blobs.s3 import S3BlobStore

    settings = Settings.from_env()
    try:
        files = settings.attachments
        store = open_blob_store(
            files.storage_url, data_dir=settings.data_dir, environ=files.storage_env
        )
        if not isinstance(store, S3BlobStore):
            print("storage is a local folder: nothing to set up")
            return 0
        if not args.no_create:
            store.create_bucket()
        store.put_cors(settings.cors_origins)
    except BlobStoreError as exc:
        print(f"todo-api storage-setup: {exc}", file=sys.stderr)
        return 1
    print(f"bucket {store.bucket!r} ready; CORS allows {', '.join(settings.cors_origins)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
