"""The product as a newcomer meets it: the wheel `uv build` makes, installed into a fresh
venv, `todo-api serve` started in an empty folder (no checkout, no public/ beside it).
The web UI and /docs must load and work with every host but loopback out of reach, and
the browser must not even try another host: every request it makes is recorded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.harness import ARTIFACTS, ROOT, chromium, serving
from tests.services.ports import free_port

pytestmark = pytest.mark.slow
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"  # the dev venv's (pyenv shims may lie)
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel and its dependencies, nothing from the repo."""
    work = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}

    def run(*argv: str, cwd: Path = ROOT) -> None:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    run(uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT))
    wheels = list((work / "dist").glob("todo_api-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    run(uv, "venv", "--python", sys.executable, str(venv), cwd=work)
    run(uv, "pip", "install", "--python", str(venv / "bin" / "python"), str(wheels[0]), cwd=work)
    return venv


@pytest.fixture(scope="module")
def server(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    empty = tmp_path_factory.mktemp("empty-folder")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "DATABASE_URL", "STORAGE_URL", "TODO_PUBLIC_DIR"}
    }
    env |= {
        "TODO_DATA_DIR": str(empty / "data"),
        "BETTER_AUTH_SECRET": "e2e-secret-0123456789abcdefghijklmnopqrstuv",
    }
    log_path = tmp_path_factory.mktemp("wheel-log") / "server.log"
    argv = [str(installed / "bin" / "todo-api"), "serve", "--port", str(port)]
    with serving(argv, port=port, cwd=empty, env=env, log_path=log_path, within=60) as base:
        yield base
    assert list(empty.iterdir()) == [empty / "data"], "the app wrote outside its data folder"


@pytest.fixture(scope="module")
def offline_browser() -> Iterator[object]:
    """Chromium whose resolver knows no host but loopback: another host cannot load."""
    rules = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
    with chromium(rules) as instance:
        yield instance


def test_ui_and_docs_from_the_installed_wheel(server: str, offline_browser: object) -> None:
    from playwright.sync_api import Browser, Request, expect

    assert isinstance(offline_browser, Browser)
    context = offline_browser.new_context(base_url=server)
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    context.on("request", record)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("button", name="Sign up").click()
    signup = page.locator("#register-form")
    signup.get_by_label("Email").fill("wheel@example.com")
    signup.get_by_label("Password").fill("correct horse battery")
    signup.get_by_role("button", name="Create account").click()
    new_task = page.get_by_role("textbox", name="New task")
    new_task.fill("Installed from a wheel")
    new_task.press("Enter")
    expect(
        page.get_by_role("checkbox", name="Mark completed: Installed from a wheel")
    ).to_be_visible()

    # /docs: Swagger UI from the package; "Authorize" logs in with email and password.
    page.goto("/docs")
    expect(page.get_by_role("heading", name="todo_api")).to_be_visible()
    page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
    oauth = page.locator(".auth-container", has_text="password (OAuth2, password)")
    oauth.get_by_label("username:").fill("wheel@example.com")
    oauth.get_by_label("password:").fill("correct horse battery")
    oauth.get_by_role("button", name="Apply given OAuth2 credentials").click()
    expect(oauth.get_by_role("button", name="Remove authorization")).to_be_visible()
    oauth.get_by_role("button", name="Close").click()
    listing = page.locator("#operations-tasks-list_tasks")
    listing.locator(".opblock-summary").click()
    listing.get_by_role("button", name="Try it out").click()
    listing.get_by_role("button", name="Execute").click()
    expect(listing.locator(".live-responses-table tbody td.response-col_status")).to_have_text(
        "200"
    )
    expect(listing.locator(".live-responses-table")).to_contain_text("Installed from a wheel")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-wheel-docs.png"), full_page=True)

    elsewhere = [url for url in requested if urlsplit(url).hostname not in LOOPBACK]
    assert elsewhere == [], f"requests left loopback: {elsewhere}"
    assert any(url.endswith("/docs/assets/swagger-ui-bundle.js") for url in requested)
    assert errors == []
    context.close()
