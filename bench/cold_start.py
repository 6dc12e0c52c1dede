"""Cold start and import cost of todo_api against the seeds' FastAPI + SQLModel stack,
measured in the same run on the same Postgres server. Ratios, not absolute times, are
the result: absolute times move with the machine's load.

Cold start = process start -> the first authenticated, validated POST /api/tasks that
writes a row has been answered (lifespan startup included, no server start-up counted:
both apps are driven in-process over ASGI by bench/_first_write.py).

Run: .venv/bin/python bench/cold_start.py [--rounds 9]   (writes bench/results/cold_start.md)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services.postgres import running_server  # noqa: E402
from todo_api.auth import users  # noqa: E402
from todo_api.auth.access_tokens import issue_access_token  # noqa: E402
from todo_api.storage.database import Database  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-0123456789"
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
PEER_VENV = Path.home() / ".cache" / "todo-api-bench" / "fastapi-sqlmodel"
PEER_PACKAGES = ["fastapi", "sqlmodel", "psycopg[binary]", "pyjwt", "uvicorn"]  # uvicorn: served.py


def peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    created = not python.exists()
    if created:
        subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(PEER_VENV)], check=True)
    # Every time: a no-op when present, and a venv from before uvicorn joined gets it.
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), *PEER_PACKAGES],
                   check=True)  # fmt: skip
    if created:
        # Compile once, as a deployment with bytecode would: both sides then start from .pyc.
        subprocess.run([str(python), "-m", "compileall", "-q", str(PEER_VENV)], check=False)
    return python


def first_write(python: Path, app: str, token: str, env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [str(python), str(ROOT / "bench" / "_first_write.py"), app, token],
        env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    wall = (time.perf_counter() - started) * 1000
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["status"] == 201, (app, out.stdout, out.stderr)
    return {"wall_ms": wall, "import_ms": line["import_ms"]}


def process_time(python: Path, code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(python), "-c", code], env=env, check=True, cwd=tempfile.gettempdir())
    return (time.perf_counter() - started) * 1000


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(server: Any, rounds: int) -> dict[str, list[float]]:
    """Samples (ms) of each measure on `server` (a tests.services.postgres server),
    todo_api and the peer alternating within each round."""
    subprocess.run([str(OUR_PYTHON), "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    peer = peer_python()
    base_env = {"PATH": os.environ["PATH"], "BETTER_AUTH_SECRET": SECRET, "LOG_LEVEL": "WARNING"}
    ours_url = server.url(server.create_database())
    peer_url = server.url(server.create_database())
    database = Database(ours_url)
    user = database.call(lambda c: users.insert_local(c, email="b@example.com", name=None,
                                                      password_hash="-"))  # fmt: skip
    database.close()
    assert user is not None
    token = issue_access_token(subject=user.id, email=user.email, secret=SECRET, ttl=3600)
    ours_env = {**base_env, "DATABASE_URL": ours_url}
    peer_env = {**base_env, "DATABASE_URL": peer_url, "PYTHONPATH": str(ROOT / "bench" / "peers")}

    samples: dict[str, list[float]] = {k: [] for k in
        ("ours", "peer", "ours_import", "peer_import", "ours_proc", "starlette_proc", "python_proc")}  # fmt: skip
    first_write(OUR_PYTHON, "todo_api.main:app", token, ours_env)  # warm the OS caches
    first_write(peer, "fastapi_sqlmodel_app:app", token, peer_env)
    imports = [
        ("ours_proc", "import todo_api.main"),
        ("starlette_proc", "from starlette.applications import Starlette; Starlette()"),
    ]
    for index in range(rounds):
        ours = first_write(OUR_PYTHON, "todo_api.main:app", token, ours_env)
        theirs = first_write(peer, "fastapi_sqlmodel_app:app", token, peer_env)
        samples["ours"].append(ours["wall_ms"])
        samples["peer"].append(theirs["wall_ms"])
        samples["ours_import"].append(ours["import_ms"])
        samples["peer_import"].append(theirs["import_ms"])
        # Each leads as often as it follows: the first runs after the peer's process (other
        # files, caches cold) and warms the files of the second, which shares most of them.
        for key, code in imports if index % 2 == 0 else imports[::-1]:
            samples[key].append(process_time(OUR_PYTHON, code, ours_env))
        samples["python_proc"].append(process_time(OUR_PYTHON, "pass", ours_env))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="todo-bench-pg-") as root:
        os.chmod(root, 0o755)
        with running_server(Path(root) / "pg") as server:
            samples = measure(server, args.rounds)

    m = {key: median(values) for key, values in samples.items()}
    cold_ratio = m["ours"] / m["peer"]
    import_ratio = m["ours_proc"] / m["starlette_proc"]
    report = f"""# Cold start and import: todo_api vs the seeds' FastAPI + SQLModel stack

Measured {time.strftime("%Y-%m-%d")} with `bench/cold_start.py --rounds {args.rounds}`
(CPython {sys.version.split()[0]}, medians, both stacks in the same run, same Postgres 15
server on loopback, bytecode compiled for both).

| measure | todo_api | baseline | ratio | target |
|---|---|---|---|---|
| cold start: process start -> first authenticated write answered | {m["ours"]:.0f} ms | {m["peer"]:.0f} ms (FastAPI + SQLModel + psycopg 3) | **{cold_ratio:.2f}x** | <= 0.20x |
| app import inside that process | {m["ours_import"]:.0f} ms | {m["peer_import"]:.0f} ms | {m["ours_import"] / m["peer_import"]:.2f}x | |
| `python -c "import todo_api.main"` (whole process) | {m["ours_proc"]:.0f} ms | {m["starlette_proc"]:.0f} ms (bare Starlette app) | **{import_ratio:.2f}x** | <= 1.1x |
| `python -c pass` | {m["python_proc"]:.0f} ms | | | |
"""
    out = ROOT / "bench" / "results" / "cold_start.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
