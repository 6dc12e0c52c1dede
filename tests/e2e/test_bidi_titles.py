"""A task title holding bidi controls cannot reorder the text the UI shows around it.
The API now refuses such titles, but rows written before it did still hold them, so the
page isolates titles; the test writes its title into the database as such a row would be.
In Debian's Chromium, against `todo-api serve` with a temporary data folder."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, chromium, serving
from tests.services.ports import free_port

pytestmark = pytest.mark.slow

# An override that is never closed: unisolated, it turns everything after it in the same
# paragraph right-to-left, so the closing quote of "Deleted “…”." would land before it.
TITLE = "\u202eevil title"

# Where the title's characters and the one character after them are drawn inside `root`.
GEOMETRY = """(root, title) => {
  const nodes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  const at = (index, closing) => {
    let seen = 0;
    for (const node of nodes) {
      const len = node.data.length;
      if (index < seen + len || (closing && index === seen + len)) return [node, index - seen];
      seen += len;
    }
    throw new Error(`no character ${index}`);
  };
  const box = (from, to) => {
    const range = document.createRange();
    range.setStart(...at(from, false));
    range.setEnd(...at(to, true));
    return range.getBoundingClientRect();
  };
  const start = root.textContent.indexOf(title);
  const end = start + title.length;
  const shown = box(start + 1, end);  // past the override itself, which has no width
  return { before: box(start - 1, start).right, titleLeft: shown.left,
           titleRight: shown.right, nextLeft: box(end, end + 1).left };
}"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bidi-data")


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "TODO_DATA_DIR": str(data),
        "BETTER_AUTH_SECRET": "e2e-secret-0123456789abcdefghijklmnopqrstuv",
    }
    env.pop("DATABASE_URL", None)
    env.pop("STORAGE_URL", None)
    argv = [str(Path(sys.executable).parent / "todo-api"), "serve", "--port", str(port)]
    log_path = data / "server.log"
    with serving(argv, port=port, cwd=ROOT, env=env, log_path=log_path, within=120) as url:
        yield url


def _retitle_every_task(data: Path, title: str) -> None:
    with sqlite3.connect(data / "todo.sqlite3") as db:
        assert db.execute("UPDATE tasks SET title = ?", (title,)).rowcount == 1


def test_a_title_with_an_unclosed_override_stays_inside_its_own_box(
    server: str, data: Path
) -> None:
    from playwright.sync_api import Browser, expect

    with chromium() as browser:
        assert isinstance(browser, Browser)
        page = browser.new_context(base_url=server).new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmation
        page.goto("/")
        page.get_by_role("button", name="Sign up").click()
        signup = page.locator("#register-form")
        signup.get_by_label("Email").fill("bidi@example.com")
        signup.get_by_label("Password").fill("correct horse battery")
        signup.get_by_role("button", name="Create account").click()
        new_task = page.get_by_role("textbox", name="New task")
        new_task.fill("Stored before titles refused bidi controls")
        new_task.press("Enter")
        expect(page.locator(".task .title")).to_have_count(1)
        _retitle_every_task(data, TITLE)
        page.reload()
        title = page.locator(".task .title")
        expect(title).to_have_text(TITLE)
        assert title.get_attribute("dir") == "auto"
        assert title.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"

        page.locator(".task .delete").click()
        undo = page.locator("#undo-text")
        expect(undo).to_have_text(f"Deleted “{TITLE}”.")
        where = undo.evaluate(GEOMETRY, TITLE)
        # Reading left to right: “, then the title, then ”. , as they are in the text.
        assert where["before"] <= where["titleLeft"] + 0.5, where
        assert where["titleRight"] <= where["nextLeft"] + 0.5, where
