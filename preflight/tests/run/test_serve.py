"""`preflight run --serve`: the good app behind the emulated edge, driven over real HTTP.

One `preflight run good --serve` process serves the whole module (one build); the last
test stops it with SIGTERM. The routing of configs the good app does not have (an edge
404, a custom 404 page, a redirect) is checked on the Router directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from preflight.emulate import sandbox
from preflight.emulate.routes import Router

from .conftest import FIXTURES

pytestmark = pytest.mark.slow


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text()


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap orphans)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture(scope="module")
def served(
    needs_vercel: None,
    needs_sandbox: sandbox.Capabilities,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    stderr = tmp_path_factory.mktemp("serve") / "stderr.txt"
    with stderr.open("w") as err:
        # preflight from its source, whether or not the venv still has it installed
        src = str(Path(sandbox.__file__).resolve().parents[2])
        pythonpath = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", "preflight", "run", str(FIXTURES / "good"), "--serve"],
            env={**os.environ, "PYTHONPATH": pythonpath},
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # printed once the function is up
        assert url.startswith("http://127.0.0.1:"), stderr.read_text()
        yield Served(proc, url, stderr)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_static_files_come_from_the_static_output(served: Served) -> None:
    index = httpx.get(served.url + "/")
    assert index.status_code == 200
    assert "served from public/ by the CDN" in index.text
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["x-vercel-cache"] == "HIT"
    again = httpx.get(served.url + "/", headers={"if-none-match": index.headers["etag"]})
    assert again.status_code == 304
    hello = httpx.get(served.url + "/hello.txt")
    assert hello.text == "a static file\n"
    assert hello.headers["content-type"].startswith("text/plain")


def test_api_paths_reach_the_function(served: Served) -> None:
    health = httpx.get(served.url + "/health?x=1")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "greeting": ""}
    assert health.headers["server"] == "Vercel"
    assert not any(h.startswith("x-vercel-internal") for h in health.headers)
    # a body near the limit is streamed through whole, both ways (chunked in, too)
    big = {"blob": "x" * 4_000_000}
    echo = httpx.post(served.url + "/echo", json=big, timeout=30)
    assert echo.status_code == 201
    assert echo.json() == {"echo": big}

    def chunks() -> Iterator[bytes]:
        yield b'{"chunked": '
        yield b"true}"

    chunked = httpx.post(served.url + "/echo", content=chunks())
    assert chunked.json() == {"echo": {"chunked": True}}
    assert "health probe served" in served.log()  # the function's logs go to stderr


def test_the_functions_headers_pass_intact(served: Served) -> None:
    moved = httpx.get(served.url + "/moved")
    assert moved.status_code == 303
    assert moved.headers["location"] == "/health"
    assert moved.headers["etag"] == '"v1"'
    cookies = moved.headers.get_list("set-cookie")
    assert [c.split(";")[0] for c in cookies] == ["a=1", "b=2"]
    assert "HttpOnly" in cookies[1]


def test_missing_asset_goes_where_the_routes_say(served: Served) -> None:
    # the good app's build output rewrites every filesystem miss to the function
    missing = httpx.get(served.url + "/missing.css")
    assert missing.status_code == 404
    assert missing.text == "Not Found"  # Starlette's answer, not the edge's
    assert "x-vercel-error" not in missing.headers


def test_body_over_the_limit_is_413(served: Served) -> None:
    too_big = httpx.post(served.url + "/echo", content=b"x" * 4_600_000, timeout=30)
    assert too_big.status_code == 413
    assert too_big.headers["x-vercel-error"] == "FUNCTION_PAYLOAD_TOO_LARGE"
    assert "FUNCTION_PAYLOAD_TOO_LARGE" in too_big.text


def test_a_dead_function_restarts_cold(served: Served) -> None:
    handlers = [pid for pid in _descendants(served.proc.pid) if "vc__handler" in _cmdline(pid)]
    assert handlers
    for pid in handlers:
        # the sandbox's wrapper and the runtime both match: killing one may end the other
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    assert httpx.get(served.url + "/health").status_code == 200
    assert "the function process exited" in served.log()
    assert served.log().count("function ready (cold start") == 2


def test_sigterm_stops_everything(served: Served) -> None:  # last: ends the server
    children = _descendants(served.proc.pid)
    assert children
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=15) == 0
    assert "stopped" in served.log()
    time.sleep(0.2)
    assert [pid for pid in children if _running(pid)] == []


# -- routing of other configs (no build needed) ------------------------------------------
def _router(tmp_path: Path, routes: list[dict[str, object]]) -> Router:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True, exist_ok=True)
    (static / "index.html").write_text("home")
    (static / "css" / "app.css").write_text("body{}")
    (static / "404.html").write_text("custom 404")
    return Router(json.loads(json.dumps(routes)), static, "/api/index")


REPO_LIKE: list[dict[str, object]] = [
    {"handle": "filesystem"},
    {"src": "^/api/(.*)$", "dest": "/api/index", "check": True},
    {"handle": "error"},
    {"status": 404, "src": "^(?!/api).*$", "dest": "/404.html"},
]


def test_router_static_function_and_edge_404(tmp_path: Path) -> None:
    router = _router(tmp_path, REPO_LIKE)
    assert router.resolve("GET", "/").file == tmp_path / "static" / "index.html"
    assert router.resolve("GET", "/css/app.css").kind == "static"
    api = router.resolve("POST", "/api/tasks?page=2")
    assert (api.kind, api.path) == ("function", "/api/tasks?page=2")  # the original path
    missing = router.resolve("GET", "/css/missing.css")
    assert (missing.kind, missing.status, missing.file) == (
        "static",
        404,
        tmp_path / "static" / "404.html",
    )
    outside = router.resolve("GET", "/../../etc/passwd")
    assert (outside.status, outside.file) == (404, tmp_path / "static" / "404.html")


def test_router_without_error_page_and_with_redirects(tmp_path: Path) -> None:
    routes: list[dict[str, object]] = [
        {"src": "/old", "status": 308, "headers": {"Location": "/new"}},
        {"handle": "filesystem"},
        {"src": "/(.*)", "dest": "/api/index"},
    ]
    router = _router(tmp_path, routes)
    moved = router.resolve("GET", "/old")
    assert (moved.kind, moved.status, moved.headers) == ("redirect", 308, (("Location", "/new"),))
    assert router.resolve("GET", "/anything/else").path == "/anything/else"
    bare = _router(tmp_path, [{"handle": "filesystem"}])
    (tmp_path / "static" / "404.html").unlink()
    assert (bare.resolve("GET", "/nope").kind, bare.resolve("GET", "/nope").status) == (
        "not_found",
        404,
    )


def test_a_dest_without_leading_slash_is_rooted_as_vercel_does(tmp_path: Path) -> None:
    # Legacy `routes` written `"dest": "api/index.py"` (Paul193247/three-player-chess) reach
    # the function: Vercel prefixes the slash (packages/cli/src/util/dev/router.ts).
    router = Router([{"src": "/(.*)", "dest": "api/index.py"}], None, "/api/index.py")
    target = router.resolve("GET", "/board?x=1")
    assert (target.kind, target.path) == ("function", "/board?x=1")
