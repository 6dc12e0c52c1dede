"""A person's whole journey through the web UI, in Debian's Chromium driven by Playwright,
against the app started the README way (`todo-api serve`, what `make run` runs) on a
free port with a temporary data folder, and against the app as Vercel runs it:
`preflight run . --serve` (Vercel's builder, its Python runtime in the Lambda-like
sandbox, the edge serving public/ as the CDN does) on Postgres and S3. Screenshots land
in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.harness import ARTIFACTS, ROOT, chromium, serving
from tests.services.ports import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["local", "s3", "preflight"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`todo-api serve --port P` with its own data folder; the base URL once /health answers.

    Files go to the local folder, or to a real S3 server (Ceph RGW) whose bucket lets the
    page's origin upload and download directly (CORS), as a deployment must configure.
    "preflight": the repo under `preflight run . --serve` instead (see _preflight_serve).
    """
    if request.param == "preflight":
        yield from _preflight_serve(request, tmp_path_factory)
        return
    data = tmp_path_factory.mktemp("e2e-data")
    port = free_port()
    storage: dict[str, str] = {}
    if request.param == "s3":
        storage = _s3_storage(request, f"http://127.0.0.1:{port}")
    env = {
        **storage,
        **os.environ,
        "TODO_DATA_DIR": str(data),
        # A container (this machine's kind) requires a configured secret.
        "BETTER_AUTH_SECRET": "e2e-secret-0123456789abcdefghijklmnopqrstuv",
        # Small, so that the journey also takes the presigned-upload path.
        "ATTACHMENT_MAX_DIRECT_BYTES": "2000",
    }
    env.pop("DATABASE_URL", None)
    if not storage:
        env.pop("STORAGE_URL", None)
    # What `make run` (scripts/run) executes once dependencies are in place. Not the script
    # itself: its `uv sync` would rewrite the venv this very test run is using.
    argv = [str(Path(sys.executable).parent / "todo-api"), "serve", "--port", str(port)]
    log_path = data / "server.log"
    with serving(argv, port=port, cwd=ROOT, env=env, log_path=log_path, within=120) as base:
        yield base


def _s3_storage(request: pytest.FixtureRequest, origin: str) -> dict[str, str]:
    """A fresh bucket on the session's RGW that lets `origin` upload and download (CORS)."""
    from todo_api.storage.blobs.s3 import S3BlobStore

    rgw = request.getfixturevalue("rgw")
    storage: dict[str, str] = rgw.env(f"e2e-{uuid.uuid4().hex[:16]}", "files")
    s3 = S3BlobStore.from_url(storage["STORAGE_URL"], storage)
    s3.create_bucket()
    s3.put_cors([origin])
    return storage


def _preflight_serve(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`preflight run . --serve --port P`: the repo built by Vercel's builder, the function
    under vercel-runtime in preflight's sandbox, public/ served by the emulated edge.

    The box has no network but the forwarded host ports: Postgres (a fresh database) and
    the RGW, whose presigned URLs the browser then uses directly, as it would with S3.
    """
    from preflight.emulate import sandbox
    from preflight.emulate.tools import which

    if which("node") is None or which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    caps = sandbox.detect()
    if not caps.sandboxed or not caps.isolated_network:
        pytest.skip(f"preflight's sandbox is unavailable here: {caps.reason or caps.missing}")
    postgres = request.getfixturevalue("postgres_server")
    database_url = postgres.url(postgres.create_database())
    port = free_port()
    storage = _s3_storage(request, f"http://127.0.0.1:{port}")
    rgw_port = urlsplit(storage["AWS_ENDPOINT_URL_S3"]).port
    assert rgw_port is not None
    env = {
        **storage,
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": "e2e-secret-0123456789abcdefghijklmnopqrstuv",
        "ATTACHMENT_MAX_DIRECT_BYTES": "2000",  # the presigned-upload path too
    }
    argv = [sys.executable, "-m", "preflight", "run", ".", "--serve"]
    argv += ["--port", str(port), "--forward-port", str(postgres.port)]
    argv += ["--forward-port", str(rgw_port)]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    # preflight's own source first: an earlier test's `scripts/run` (its `uv sync`) may
    # have dropped the editable install from the venv, console script included.
    pythonpath = os.pathsep.join(
        p for p in (str(ROOT / "preflight" / "src"), os.environ.get("PYTHONPATH")) if p
    )
    log_path = tmp_path_factory.mktemp("e2e-preflight") / "preflight.log"
    host_env = {**os.environ, "PYTHONPATH": pythonpath}
    # 240 s: a first build downloads Vercel's CLI.
    with serving(argv, port=port, cwd=ROOT, env=host_env, log_path=log_path, within=240) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(server: str, browser: object) -> Iterator[object]:
    """A fresh browser context on `server`; a fixture so that a failure report can show
    the page as it was (tests/e2e/conftest.py)."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_whole_journey(
    server: str, page: object, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    kind = request.node.callspec.params["server"]
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmations

    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/favicon.svg")
    assert httpx.get(server + "/favicon.svg").headers["content-type"].startswith("image/svg")

    # Sign up. The browser's own validation stays on; what only the API refuses reads as
    # a sentence, not a validator's wording.
    page.get_by_role("button", name="Sign up").click()
    signup = page.locator("#register-form")
    signup.get_by_label("Name (optional)").fill("Ada")
    signup.get_by_label("Email").fill("not an email")
    signup.get_by_label("Password").fill("correct horse battery")
    signup.get_by_role("button", name="Create account").click()
    assert signup.get_by_label("Email").evaluate("el => el.validity.typeMismatch")
    expect(page.locator("#notice")).to_be_hidden()  # the browser refused it, not the API
    signup.get_by_label("Email").fill("ada@localhost")  # valid to the browser, not to us
    signup.get_by_role("button", name="Create account").click()
    expect(page.locator("#notice-errors")).to_have_text(
        "Enter an email address like name@example.com."
    )
    expect(page.locator("#notice-text")).to_have_text("Some fields need attention:")
    page.get_by_role("button", name="Dismiss message").click()
    signup.get_by_label("Email").fill("ada@example.com")
    signup.get_by_label("Password").fill("correct horse battery")
    signup.get_by_role("button", name="Create account").click()
    expect(page.locator("#whoami")).to_have_text("Ada (ada@example.com)")

    # Add tasks (Enter submits, as a keyboard user would).
    new_task = page.get_by_role("textbox", name="New task")
    for title, priority in [("Buy milk", "high"), ("Write report", "medium"), ("Call mom", "low")]:
        new_task.fill(title)
        page.locator("#new-task").get_by_label("Priority").select_option(priority)
        new_task.press("Enter")
        expect(page.locator(".task .title", has_text=title)).to_be_visible()
    titles = page.locator(".task .title")
    expect(titles).to_have_text(["Call mom", "Write report", "Buy milk"])  # newest first

    # A validation error is shown with its detail, not swallowed.
    new_task.fill("x" * 201)
    new_task.evaluate("el => el.removeAttribute('maxlength')")
    new_task.fill("x" * 201)
    new_task.press("Enter")
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#notice-errors")).to_have_text(
        "The title can be at most 200 characters long."
    )
    page.get_by_role("button", name="Dismiss message").click()
    new_task.fill("   ")  # not empty to the browser; blank to the API
    new_task.press("Enter")
    expect(page.locator("#notice-errors")).to_have_text(
        "Give the task a title (spaces alone do not count)."
    )
    page.get_by_role("button", name="Dismiss message").click()
    new_task.fill("")
    new_task.press("Enter")  # empty: the browser's own validation stops it
    assert new_task.evaluate("el => el.validity.valueMissing")
    expect(page.locator("#notice")).to_be_hidden()

    # Sort, search, complete, filter.
    toolbar = page.locator("#toolbar")
    toolbar.get_by_label("Sort").select_option("title")
    toolbar.get_by_label("Order").select_option("asc")
    expect(titles).to_have_text(["Buy milk", "Call mom", "Write report"])
    toolbar.get_by_label("Search").fill("milk")
    expect(titles).to_have_text(["Buy milk"])
    toolbar.get_by_label("Search").fill("zebra")
    expect(page.locator("#empty")).to_have_text("No tasks match “zebra”.")
    toolbar.get_by_label("Search").fill("")
    expect(titles).to_have_count(3)

    # Slow requests show that something is happening (Chromium adds 1.5 s to each).
    cdp = page.context.new_cdp_session(page)
    slow = {"offline": False, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**slow, "latency": 1500})
    toolbar.get_by_label("Order").select_option("desc")
    expect(page.get_by_text("Loading tasks…")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Working…")).to_be_visible()
    expect(page.locator("#task-list")).to_have_attribute("aria-busy", "true")
    expect(titles).to_have_text(["Write report", "Call mom", "Buy milk"])
    expect(page.get_by_text("Loading tasks…")).to_be_hidden()
    expect(page.locator("#busy")).to_be_hidden()
    cdp.send("Network.emulateNetworkConditions", {**slow, "latency": 0})
    toolbar.get_by_label("Order").select_option("asc")
    expect(titles).to_have_text(["Buy milk", "Call mom", "Write report"])
    # click, not check(): the row is re-rendered with a new label once the API answers.
    page.get_by_role("checkbox", name="Mark completed: Buy milk").click()
    expect(page.get_by_role("checkbox", name="Mark pending: Buy milk")).to_be_checked()
    toolbar.get_by_label("Completed", exact=True).check()
    expect(titles).to_have_text(["Buy milk"])
    toolbar.get_by_label("Pending").check()
    expect(titles).to_have_text(["Call mom", "Write report"])
    toolbar.get_by_label("All").check()
    expect(titles).to_have_count(3)

    # Edit a task in the dialog.
    page.get_by_role("button", name="Edit: Write report").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Write quarterly report")
    dialog.get_by_label("Description").fill("Numbers from Q3")
    dialog.get_by_label("Tags (comma separated)").fill("work, q3")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    row = page.locator(".task", has_text="Write quarterly report")
    expect(row.locator(".description")).to_have_text("Numbers from Q3")
    expect(row.locator(".meta")).to_contain_text("#work #q3")

    # Tags are links to the tasks that carry them.
    row.get_by_role("button", name="Show tasks tagged work").click()
    expect(titles).to_have_text(["Write quarterly report"])
    page.get_by_role("button", name="Clear the tag filter").click()
    expect(titles).to_have_count(3)

    # Due dates: soonest first with undated last, in words near today.
    today = dt.date.today()
    for title, due in [("Call mom", today + dt.timedelta(days=1)), ("Buy milk", today)]:
        page.get_by_role("button", name=f"Edit: {title}").click()
        dialog.get_by_label("Due").fill(due.isoformat())
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_be_hidden()
    toolbar.get_by_label("Sort").select_option("due_date")
    expect(toolbar.get_by_label("Order")).to_have_value("asc")
    expect(titles).to_have_text(["Buy milk", "Call mom", "Write quarterly report"])
    expect(page.locator(".task", has_text="Buy milk").locator(".meta")).to_contain_text("due today")
    expect(page.locator(".task", has_text="Call mom").locator(".meta")).to_contain_text(
        "due tomorrow"
    )
    # The titles read the same in both orders: wait for the reload itself, since it
    # replaces the rows (a rename started before it lands would be wiped).
    with page.expect_response(lambda response: "sort=title" in response.url):
        toolbar.get_by_label("Sort").select_option("title")
    expect(toolbar.get_by_label("Order")).to_have_value("asc")
    expect(page.locator("#task-list")).to_have_attribute("aria-busy", "false")

    # Rename in place: click the title, type, Enter; Escape keeps the old one.
    page.get_by_role("button", name="Rename: Buy milk").click()
    page.get_by_role("textbox", name="New title for: Buy milk").fill("Buy oat milk")
    page.keyboard.press("Enter")
    expect(titles).to_have_text(["Buy oat milk", "Call mom", "Write quarterly report"])
    page.get_by_role("button", name="Rename: Call mom").click()
    page.get_by_role("textbox", name="New title for: Call mom").fill("Something else")
    page.keyboard.press("Escape")
    expect(titles).to_have_text(["Buy oat milk", "Call mom", "Write quarterly report"])

    # Keyboard shortcuts, listed in a dialog.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    expect(toolbar.get_by_label("Search")).to_be_focused()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("n")
    expect(new_task).to_be_focused()
    expect(new_task).to_have_value("")  # the key is not typed into the field
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("New task")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.get_by_role("button", name="Shortcuts").click()
    expect(help_dialog).to_be_visible()
    help_dialog.get_by_role("button", name="Close").click()

    # Attach files: a small one through the API, a larger one by presigned upload.
    small = tmp_path / "notes.txt"
    small.write_text("remember the numbers\n")
    large = tmp_path / "data.csv"
    large.write_text("a,b\n" + "1,2\n" * 1500)  # 6 kB: above the 2000-byte direct limit
    # A file attaches straight from the list, without opening Edit.
    note = tmp_path / "receipt.txt"
    note.write_text("oat milk, 2 l\n")
    page.get_by_label("Attach a file to: Buy oat milk").set_input_files(str(note))
    expect(page.locator("#status")).to_have_text("Attached receipt.txt to Buy oat milk")
    page.get_by_role("button", name="Edit: Buy oat milk").click()
    expect(dialog.locator("#attachment-list")).to_contain_text("receipt.txt")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="Edit: Write quarterly report").click()
    upload = dialog.get_by_label("Attach a file", exact=True)
    for file in (small, large):
        upload.set_input_files(str(file))
        dialog.get_by_role("button", name="Upload").click()
        expect(dialog.locator("#attachment-list")).to_contain_text(file.name)
    expect(dialog.locator("#quota")).to_contain_text("used")

    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Download data.csv").click()
    download = download_info.value
    assert download.suggested_filename == "data.csv"
    assert Path(download.path()).read_text() == large.read_text()

    # A refused file type explains itself.
    page_file = tmp_path / "page.html"
    page_file.write_text("<script>alert(1)</script>")
    upload.set_input_files(str(page_file))
    dialog.get_by_role("button", name="Upload").click()
    expect(dialog.get_by_role("alert")).to_contain_text("text/html are not accepted")
    page.screenshot(path=str(ARTIFACTS / f"e2e-attachments-{kind}.png"))

    dialog.get_by_role("button", name="Remove notes.txt").click()
    expect(dialog.locator("#attachment-list")).not_to_contain_text("notes.txt")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Delete a task; Undo brings it back, and without Undo it is gone for good.
    page.get_by_role("button", name="Delete: Call mom").click()
    expect(titles).to_have_text(["Buy oat milk", "Write quarterly report"])
    page.get_by_role("button", name="Undo").click()
    expect(titles).to_have_text(["Buy oat milk", "Call mom", "Write quarterly report"])
    page.get_by_role("button", name="Delete: Call mom").click()
    expect(titles).to_have_text(["Buy oat milk", "Write quarterly report"])
    expect(page.get_by_role("button", name="Undo")).to_be_hidden(timeout=12_000)
    page.reload()  # newest first again
    expect(titles).to_have_text(["Write quarterly report", "Buy oat milk"])
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    expect(page.locator("#notice")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"e2e-journey-{kind}.png"), full_page=True)

    # On a phone-sized screen the first task is visible without scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    first = page.locator(".task").first.bounding_box()
    assert first is not None
    assert first["y"] + first["height"] <= 844, first
    page.screenshot(path=str(ARTIFACTS / f"e2e-phone-{kind}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})

    # Log out; a wrong password says so; the right one brings the tasks back.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    login = page.locator("#login-form")
    login.get_by_label("Email").fill("ada@example.com")
    login.get_by_label("Password").fill("wrong password")
    login.get_by_role("button", name="Log in").click()
    expect(page.locator("#notice-text")).to_contain_text("Incorrect email or password")
    login.get_by_label("Password").fill("correct horse battery")
    login.get_by_role("button", name="Log in").click()
    expect(titles).to_have_count(2)

    # A reload keeps the session (sessionStorage); the access token is refreshed on 401.
    page.reload()
    expect(titles).to_have_count(2)
    page.evaluate(
        """() => {
            const s = JSON.parse(sessionStorage.getItem('todo.session'));
            s.access = 'expired.or.tampered';
            sessionStorage.setItem('todo.session', JSON.stringify(s));
        }"""
    )
    page.reload()
    expect(titles).to_have_count(2)
    expect(page.locator("#whoami")).to_contain_text("ada@example.com")

    # Once the refresh token is no good either, the page says so and asks to log in.
    page.evaluate(
        """() => {
            const s = JSON.parse(sessionStorage.getItem('todo.session'));
            s.access = 'expired.or.tampered';
            s.refresh = 'revoked';
            sessionStorage.setItem('todo.session', JSON.stringify(s));
        }"""
    )
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("#notice-text")).to_have_text(
        "Your session has ended. Please log in again."
    )

    assert errors == []
