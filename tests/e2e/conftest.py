"""A failed browser test explains itself: the page as it was (a screenshot in
test-artifacts/), the messages it showed, and the tail of the server's log, added to the
failure report. A timeout alone ("waiting for the dialog") says what did not happen, not
why: was a request refused, did it hang, did the function restart?"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.e2e.harness import ARTIFACTS, SERVER_LOGS

LOG_TAIL_LINES = 60
MESSAGES = "#notice, #editor-notice, [role=alert], #status"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        page = funcargs.get("page")
        if page is not None:
            report.sections.append(("page at the failure", _page_state(page, item.name)))
        log = SERVER_LOGS.get(str(funcargs.get("server", "")))
        if log is not None and log.exists():
            tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            report.sections.append((f"server log, last {len(tail)} lines", "\n".join(tail)))
    return report


def _page_state(page: object, name: str) -> str:
    """The visible messages and a screenshot's path; never raises (the page may be gone)."""
    from playwright.sync_api import Error, Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"failed-{name}.png".replace("/", "_")
    try:
        page.screenshot(path=str(shot), full_page=True)
        shown = page.locator(MESSAGES).evaluate_all(
            "els => els.filter(e => e.offsetParent !== null)"
            ".map(e => `${e.id || e.getAttribute('role')}: ${e.innerText.trim()}`)"
        )
    except Error as exc:
        return f"the page could not be read: {exc.message}"
    return "\n".join([f"screenshot: {shot}", *(shown or ["no message shown"])])
