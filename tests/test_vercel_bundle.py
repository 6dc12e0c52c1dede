"""What Vercel's builder ships for todo_api leaves out what the function never runs.

`excludeFiles` cannot reach installed packages (deploy/trim_vercel_bundle.py says why),
so vercel.json's build command removes them from the builder's venv. This builds the
repository with the real builder (@vercel/python, as `preflight run` does) and looks at
the function's files. The last test here calls the built app on its own files alone (a
removed package the function needs fails it); tests/test_vercel_deploy.py proves the
trimmed function serves the journey and /docs under vercel-runtime,
tests/mcp/test_mcp_on_vercel.py /mcp with the SDK's own client.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TRIM = REPO / "deploy" / "trim_vercel_bundle.py"


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built function's `_vendor` folder (its installed packages)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    from preflight.emulate.session import Builder, build_function

    work = tmp_path_factory.mktemp("vercel-build")
    built, _ = build_function(REPO, work, Builder.VERCEL, "3.12", {}, lambda _line: None)
    assert built.builder.startswith("vercel ")
    return built.task_dir / "_vendor"


# (import package, distribution's dist-info prefix) of what the trim removes.
LEFT_OUT = [("uvicorn", "uvicorn"), ("click", "click"), ("jinja2", "jinja2"),
            ("markupsafe", "markupsafe"), ("pip", "pip"), ("jsonschema", "jsonschema"),
            ("jsonschema_specifications", "jsonschema_specifications"),
            ("referencing", "referencing"), ("rpds", "rpds_py"), ("attr", "attrs"),
            ("attrs", "attrs"), ("httpcore2", "httpcore2"), ("h11", "h11"),
            ("truststore", "truststore"), ("pycparser", "pycparser")]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("package", "distribution"), LEFT_OUT, ids=[p for p, _ in LEFT_OUT])
def test_packages_the_function_never_imports_are_left_out(
    vendor: Path, package: str, distribution: str
) -> None:
    assert (vendor / "mcp").is_dir()  # the folder is the right one: the MCP SDK ships
    assert not (vendor / package).exists()
    assert not list(vendor.glob(f"{distribution}-*.dist-info"))


@pytest.mark.slow
def test_cffi_keeps_only_its_compiled_backend_and_no_stubs_ship(vendor: Path) -> None:
    assert not (vendor / "cffi").exists()
    assert list(vendor.glob("_cffi_backend.*.so"))  # argon2's bindings load it
    assert list(vendor.glob("cffi-*.dist-info/RECORD"))  # Vercel mirrors the .so from it
    assert not list(vendor.rglob("*.pyi"))


@pytest.mark.slow
def test_swagger_ui_ships_only_the_files_docs_serves(vendor: Path) -> None:
    package = vendor / "swagger_ui_bundle"
    shipped = [p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc"]
    assert sorted(p.name for p in shipped) == [
        "__init__.py",
        "swagger-ui-bundle.js",
        "swagger-ui.css",
    ]
    assert list(vendor.glob("swagger_ui_bundle_v2-*.dist-info/licenses/*"))  # licence stays


@pytest.mark.slow
def test_compiled_modules_ship_stripped(vendor: Path, tmp_path: Path) -> None:
    """Stripping a shipped module again changes nothing: the build stripped it already
    (cryptography's Rust extension: 14.4 MB as installed, 11.6 MB stripped)."""
    rust = vendor / "cryptography" / "hazmat" / "bindings" / "_rust.abi3.so"
    assert rust.stat().st_size < 13_000_000
    for shipped in [rust, *vendor.glob("pydantic_core/*.so"), *vendor.glob("_cffi_backend*.so")]:
        again = tmp_path / shipped.name
        shutil.copy(shipped, again)
        subprocess.run(["strip", "--strip-unneeded", str(again)], check=True)
        assert again.stat().st_size == shipped.stat().st_size, shipped


def test_stripping_leaves_a_hard_linked_twin_alone(tmp_path: Path) -> None:
    """uv hard-links installed files to its cache, and strip writes back into the same
    inode: the trim must not rewrite the module every other venv (and any process that
    has it mapped) shares."""
    import importlib.util

    if shutil.which("strip") is None:
        pytest.skip("binutils' strip is not installed")
    spec = importlib.util.spec_from_file_location("trim_vercel_bundle", TRIM)
    assert spec is not None
    assert spec.loader is not None
    trim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trim)
    compiled = next(Path(json.__file__).parent.parent.glob("lib-dynload/*.so"))
    twin = tmp_path / "cache" / compiled.name
    twin.parent.mkdir()
    shutil.copy(compiled, twin)
    shipped = tmp_path / "site-packages" / compiled.name
    shipped.parent.mkdir()
    shipped.hardlink_to(twin)
    before = twin.read_bytes()
    trim.strip_shared_objects(shipped.parent)
    assert twin.stat().st_ino != shipped.stat().st_ino
    assert twin.stat().st_nlink == 1
    assert twin.read_bytes() == before


def test_the_trim_refuses_any_venv_but_the_builders(tmp_path: Path) -> None:
    venv = tmp_path / "project" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(TRIM)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"trim_vercel_bundle: {venv} is not Vercel's build venv; nothing removed"
    )


@pytest.mark.slow
def test_the_projects_own_copies_of_what_is_installed_stay_out(vendor: Path) -> None:
    # src/ is installed into _vendor (the copy that is imported; src is never on the
    # path), uv.lock is read by the build only, the Markdown by people.
    shipped = sorted(p.name for p in vendor.parent.iterdir())
    assert shipped == [".python-version", ".vercelignore", "_vendor", "api", "pyproject.toml",
                       "vc__handler__python.py", "vercel.json"]  # fmt: skip
    assert (vendor / "todo_api" / "main.py").is_file()


# Runs in the built function's folder alone (python -I -S: no site-packages but _vendor;
# -B: it writes no bytecode there), calling the app as an ASGI server would: REST, /docs,
# and MCP tools over JSON-RPC.
PROBE = """
import asyncio, json, os, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/_vendor"]
os.environ.update(TODO_DATA_DIR=sys.argv[2], BETTER_AUTH_SECRET="b" * 40, AUTH_RATE_LIMIT="off",
                  LOG_LEVEL="WARNING")
from api.index import app

async def call(method, path, body=None, token=None):
    sent, raw = [], json.dumps(body).encode() if body is not None else b""
    async def receive():
        if not sent and not receive.done:
            receive.done = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()
    receive.done = False
    headers = [(b"host", b"fn.example"), (b"content-type", b"application/json"),
               (b"accept", b"application/json, text/event-stream"),
               (b"mcp-protocol-version", b"2025-11-25")]
    if token:
        headers.append((b"authorization", b"Bearer " + token.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "https", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("fn.example", 443)}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

def rpc(method, **params):
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}

async def main():
    user = {"email": "fn@example.com", "password": "correct horse battery"}
    status, body = await call("POST", "/api/auth/register", user)
    token = json.loads(body)["access_token"]
    answers = {"register": status, "tasks": (await call("GET", "/api/tasks", token=token))[0],
               "docs": (await call("GET", "/docs"))[0],
               "swagger": (await call("GET", "/docs/assets/swagger-ui-bundle.js"))[0]}
    tools = json.loads((await call("POST", "/mcp", rpc("tools/list"), token))[1])
    answers["tools"] = sorted(tool["name"] for tool in tools["result"]["tools"])
    added = rpc("tools/call", name="add_task", arguments={"title": "from the bundle"})
    result = json.loads((await call("POST", "/mcp", added, token))[1])["result"]
    answers["added"] = result["structuredContent"]["title"]
    answers["from_vendor"] = all(sys.argv[1] in (getattr(m, "__file__", None) or sys.argv[1])
                                 for m in list(sys.modules.values())
                                 if "site-packages" in (getattr(m, "__file__", None) or ""))
    print(json.dumps(answers))

asyncio.run(main())
"""


@pytest.mark.slow
def test_the_trimmed_function_answers_rest_docs_and_mcp_on_its_own_files(
    vendor: Path, tmp_path: Path
) -> None:
    if sys.version_info[:2] != (3, 12):
        pytest.skip("the function is built for CPython 3.12")
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", PROBE, str(vendor.parent), str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    answers = json.loads(proc.stdout.splitlines()[-1])
    assert answers == {
        "register": 201, "tasks": 200, "docs": 200, "swagger": 200,
        "tools": ["add_task", "complete_task", "delete_task", "get_task", "list_tasks",
                  "update_task"],
        "added": "from the bundle", "from_vendor": True,
    }  # fmt: skip
