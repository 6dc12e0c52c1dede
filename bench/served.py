"""Served load: each app under uvicorn in its own process, wrk in another, on an
authenticated GET of one user's 50 tasks. Repetitions are interleaved (every app at
every connection count, then the next round), so a burst of load on this shared machine
lands on all of them alike rather than on whichever ran last.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
LIST_PATH = "/api/tasks?limit=50"
# wrk's done() hook: one JSON line of totals and latency percentiles (microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Peer:
    name: str  # the key in results: "todo_api/sqlite", "fastapi/sqlite", ...
    python: Path
    app: str  # module:attribute for uvicorn
    env: dict[str, str]
    workers: int = 1
    interface: str = "auto"
    seeded: bool = True  # the floor has its 50 tasks in memory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(peer: Peer, log_dir: Path) -> Iterator[str]:
    """The app under uvicorn on a free port until the block ends; yields its base URL."""
    port = free_port()
    command = [str(peer.python), "-m", "uvicorn", peer.app, "--port", str(port),
               "--workers", str(peer.workers), "--interface", peer.interface,
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    log = (log_dir / f"{peer.name.replace('/', '_')}.log").open("wb")
    env = {**os.environ, **peer.env}
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=tempfile.gettempdir())  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{peer.name} exited at start; see {log.name}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{peer.name} did not listen within 60 s; see {log.name}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def request(base: str, path: str, token: str, body: dict[str, object] | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with urllib.request.urlopen(
        urllib.request.Request(base + path, data=data, headers=headers), timeout=30
    ) as response:
        return json.loads(response.read())


def seed(base: str, token: str, count: int = 50) -> None:
    """The same 50 tasks through each app's own POST, then check the list returns them."""
    for n in range(count):
        request(base, "/api/tasks", token, {"title": f"task {n}", "description": "bench"})
    page = request(base, LIST_PATH, token)
    items = page["items"] if isinstance(page, dict) else page
    assert isinstance(items, list), (base, str(page)[:200])
    assert len(items) == count, (base, len(items))


def wrk(base: str, token: str, connections: int, seconds: float) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(min(connections, 2)), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
             "-H", f"Authorization: Bearer {token}", base + LIST_PATH],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    line = json.loads(out.strip().splitlines()[-1])
    return {
        "rps": line["requests"] / (line["duration_us"] / 1e6),
        "p50_ms": line["p50_us"] / 1000,
        "p90_ms": line["p90_us"] / 1000,
        "p99_ms": line["p99_us"] / 1000,
        "errors": line["errors"],
    }


def measure(
    peers: list[Peer], token: str, connections: list[int], seconds: float, rounds: int
) -> dict[str, dict[str, list[dict[str, float]]]]:
    """{peer: {connections: [one sample per round]}}; every server runs throughout."""
    samples: dict[str, dict[str, list[dict[str, float]]]] = {p.name: {} for p in peers}
    with tempfile.TemporaryDirectory(prefix="todo-bench-served-") as logs, \
            contextlib.ExitStack() as stack:  # fmt: skip
        bases = {p.name: stack.enter_context(serving(p, Path(logs))) for p in peers}
        for peer in peers:
            if peer.seeded:
                seed(bases[peer.name], token)
            wrk(bases[peer.name], token, 8, min(seconds, 1.0))  # warm up
        for round_ in range(rounds):
            for conns in connections:
                for peer in peers:
                    sample = wrk(bases[peer.name], token, conns, seconds)
                    samples[peer.name].setdefault(str(conns), []).append(sample)
                    print(f"  round {round_ + 1}/{rounds} c={conns:<2} {peer.name:22s} "
                          f"{sample['rps']:7.0f} req/s  p50 {sample['p50_ms']:.1f} ms",
                          file=sys.stderr, flush=True)  # fmt: skip
    return samples
