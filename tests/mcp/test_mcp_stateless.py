"""Stateless for real: two `todo-api serve` processes on one PostgreSQL, one MCP
session whose HTTP requests alternate between them (initialize on one, every call on
the other, and so on): each succeeds, as behind a load balancer or on Vercel."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import anyio
import httpx2
import pytest

from tests.mcp.agent import TOOL_NAMES, agent, call
from tests.mcp.test_mcp_endpoint import register
from tests.services.app_process import AppProcess

pytestmark = pytest.mark.postgres


class Alternating(httpx2.AsyncHTTPTransport):
    """Sends each request to the next instance in turn and counts who answered what."""

    def __init__(self, ports: list[int]) -> None:
        super().__init__()
        self.next_port = itertools.cycle(ports)
        self.answered: Counter[int] = Counter()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = next(self.next_port)
        request.url = request.url.copy_with(port=port)
        response = await super().handle_async_request(request)
        assert response.status_code < 300, (port, response.status_code)
        self.answered[port] += 1
        return response


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_one_session_alternating_between_two_instances(
    app_process: Callable[..., AppProcess],
) -> None:
    first, second = app_process(), app_process()
    token = register(first.url, "roaming@example.com")
    ports = [int(app.url.rsplit(":", 1)[1]) for app in (first, second)]
    transport = Alternating(ports)

    async def scenario() -> None:
        async with agent(first.url, token, transport=transport) as session:
            assert {tool.name for tool in (await session.list_tools()).tools} == TOOL_NAMES
            task = await call(session, "add_task", title="Made on one instance")
            for _ in range(3):  # read back on the other one, and again
                assert (await call(session, "get_task", task_id=task["id"]))["id"] == task["id"]
            await call(session, "complete_task", task_id=task["id"])
            listed = await call(session, "list_tasks", status="completed")
            assert [t["id"] for t in listed["items"]] == [task["id"]]
            await call(session, "delete_task", task_id=task["id"])
            assert (await call(session, "list_tasks"))["items"] == []

    anyio.run(scenario)
    assert set(transport.answered) == set(ports)
    assert min(transport.answered.values()) >= 4  # both did real work, not one by luck
