"""Every todo_api speed figure in one go, peers included, into bench/results/<date>.json
and PNG plots (bench/report.py), with a summary on stdout.

    make bench                   # scripts/bench: installs wrk, PostgreSQL, the bench group; full run (~10 min)
    ./scripts/bench --quick      # every step once, small (~2 min)

One PostgreSQL server is started for the run (tests/services/postgres.py). Served load:
each app under uvicorn in its own process, wrk (Debian's `wrk`) in another, 1, 8 and 32
connections, one worker and two; interleaved rounds, medians with min-max spread. Then
in-process costs against the bare driver, cold start and import, the bundle, and (unless
--skip-preflight) bench/preflight_check.py as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import bundle_size  # noqa: E402
import cold_start  # noqa: E402
import report  # noqa: E402
import served  # noqa: E402

from tests.services.postgres import running_server  # noqa: E402
from todo_api.auth import users  # noqa: E402
from todo_api.auth.access_tokens import issue_access_token  # noqa: E402
from todo_api.storage.database import Database  # noqa: E402

SECRET = cold_start.SECRET


def our_databases(urls: list[str]) -> str:
    """Migrate each of our databases and give them one user of the same id; its token."""
    user_id = None
    for url in urls:
        database = Database(url)
        database.ensure_migrated()
        if user_id is None:
            user = database.call(
                lambda c: users.insert_local(
                    c, email="bench@example.com", name=None, password_hash="-"
                )
            )
            assert user is not None
            user_id = user.id
        else:
            database.call(
                lambda c, uid=user_id: c.execute(
                    "INSERT INTO users (id, email, name, password_hash, auth_source, created_at, "
                    "updated_at) VALUES (:id, 'bench@example.com', NULL, '-', 'local', :t, :t)",
                    id=uid,
                    t=dt.datetime.now(dt.UTC),
                )
            )
        database.close()
    assert user_id is not None
    return issue_access_token(
        subject=user_id, email="bench@example.com", secret=SECRET, ttl=24 * 3600
    )


def peers(sqlite_ours: str, sqlite_peer: str, pg_ours: str, pg_flask: str) -> list[served.Peer]:
    env = {
        "BETTER_AUTH_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "bench" / "peers"),
    }
    ours, fastapi = cold_start.OUR_PYTHON, cold_start.peer_python()
    app, peer_app = "todo_api.main:app", "fastapi_sqlmodel_app:app"
    return [
        served.Peer("todo_api/sqlite", ours, app, {**env, "DATABASE_URL": sqlite_ours}),
        served.Peer("fastapi/sqlite", fastapi, peer_app, {**env, "DATABASE_URL": sqlite_peer}),
        served.Peer("floor/memory", ours, "starlette_floor:app", env, seeded=False),
        served.Peer("todo_api/postgres", ours, app, {**env, "DATABASE_URL": pg_ours}),
        served.Peer(
            "flask/postgres",
            ours,
            "flask_pg8000_app:app",
            {**env, "DATABASE_URL": pg_flask},
            interface="wsgi",
        ),
        # Started after their one-worker twins, on the same (already seeded) files.
        served.Peer(
            "todo_api/sqlite x2",
            ours,
            app,
            {**env, "DATABASE_URL": sqlite_ours},
            workers=2,
            seeded=False,
        ),
        served.Peer(
            "fastapi/sqlite x2",
            fastapi,
            peer_app,
            {**env, "DATABASE_URL": sqlite_peer},
            workers=2,
            seeded=False,
        ),
    ]


def in_process(url: str, rounds: int, calls: int) -> dict[str, list[float]]:
    """bench/in_process.py in a fresh process of our venv, so nothing earlier warms it."""
    out = subprocess.run(
        [
            str(cold_start.OUR_PYTHON),
            str(ROOT / "bench" / "in_process.py"),
            url,
            str(rounds),
            str(calls),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def preflight_figure(quick: bool) -> dict[str, Any]:
    args = ["--runs", "1", "--lines", "20000"] if quick else []
    done = subprocess.run(
        [str(cold_start.OUR_PYTHON), str(ROOT / "bench" / "preflight_check.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return {"exit": done.returncode, "report": done.stdout[-4000:], "stderr": done.stderr[-1000:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, 1 s loads, no preflight")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each wrk load")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--skip-preflight", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (./scripts/bench installs it)", file=sys.stderr)
        return 2
    seconds, rounds = (1.0, 1) if args.quick else (args.seconds, args.rounds)
    connections = [1, 8, 32]
    started = time.monotonic()
    results: dict[str, Any] = {
        "machine": report.machine(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": {
            "seconds": seconds,
            "rounds": rounds,
            "connections": connections,
            "quick": args.quick,
        },
    }
    with tempfile.TemporaryDirectory(prefix="todo-bench-") as root:
        os.chmod(root, 0o755)
        with running_server(Path(root) / "pg") as server:
            sqlite_ours = f"sqlite:///{root}/ours.db"
            pg_ours = server.url(server.create_database())
            token = our_databases([sqlite_ours, pg_ours])
            print("served load (wrk):", file=sys.stderr)
            results["served"] = served.measure(
                peers(
                    sqlite_ours,
                    f"sqlite:///{root}/fastapi.db",
                    pg_ours,
                    server.url(server.create_database()),
                ),
                token,
                connections,
                seconds,
                rounds,
            )
            print("in process, cold start:", file=sys.stderr)
            calls = 100 if args.quick else 400
            results["in_process"] = {
                "postgres": in_process(server.url(server.create_database()), max(rounds, 3), calls),
                "sqlite": in_process(f"sqlite:///{root}/inproc.db", max(rounds, 3), calls),
            }
            results["cold_start"] = cold_start.measure(server, 3 if args.quick else 9)
    print("bundle:", file=sys.stderr)
    installed_mb, ours_mb, peer_mb, biggest = bundle_size.measure()
    # ours_mb: what ships (after the Vercel build command's trim); installed_mb: before it.
    results["bundle"] = {"ours_mb": ours_mb, "installed_mb": installed_mb, "peer_mb": peer_mb,
                         "largest": biggest}  # fmt: skip
    if not (args.quick or args.skip_preflight):
        print("preflight check vs bandit (bench/preflight_check.py):", file=sys.stderr)
        results["preflight_check"] = preflight_figure(args.quick)
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    results["summary"] = report.summarise(results)
    stem = "quick-" if args.quick else ""
    day = dt.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}{day}.json").write_text(json.dumps(results, indent=1) + "\n")
    report.plot(results, args.out / f"{stem}{day}")
    print(report.text(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
