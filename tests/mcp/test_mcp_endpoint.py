"""/mcp against `todo-api serve` in its own process (SQLite and PostgreSQL), driven by
the official SDK's client: every tool, its effect seen through the REST API, per-user
isolation, tool errors, 401s that name the resource metadata, Better Auth tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import anyio
import httpx
import pytest

from tests.core.test_better_auth import BetterAuthServer
from tests.mcp.agent import TOOL_NAMES, agent, call, error_of
from tests.services.app_process import AppProcess

PASSWORD = "correct horse battery staple"


@pytest.fixture
def better_auth() -> Iterator[BetterAuthServer]:
    server = BetterAuthServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def app(app_process: Callable[..., AppProcess], better_auth: BetterAuthServer) -> AppProcess:
    return app_process(AUTH_RATE_LIMIT="off", BETTER_AUTH_URL=better_auth.url + "/")


def register(url: str, email: str) -> str:
    answer = httpx.post(f"{url}/api/auth/register", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["access_token"]
    return token


def rest(url: str, token: str, path: str) -> httpx.Response:
    return httpx.get(url + path, headers={"Authorization": f"Bearer {token}"})


def test_an_agent_manages_its_users_tasks_with_every_tool(app: AppProcess) -> None:
    token = register(app.url, "agent@example.com")

    async def scenario() -> None:
        async with agent(app.url, token) as session:
            tools = (await session.list_tools()).tools
            assert {tool.name for tool in tools} == TOOL_NAMES
            add = next(tool for tool in tools if tool.name == "add_task")
            assert add.input_schema["properties"]["title"]["maxLength"] == 200  # REST's rule
            task = await call(session, "add_task", title="Buy milk", priority="high",
                              due_date="2026-12-24", tags=["home"])  # fmt: skip
            other = await call(session, "add_task", title="File taxes")
            assert rest(app.url, token, f"/api/tasks/{task['id']}").json()["priority"] == "high"
            found = await call(session, "get_task", task_id=task["id"])
            assert found["due_date"] == "2026-12-24"
            changed = await call(session, "update_task", task_id=task["id"], title="Buy oat milk")
            assert changed["priority"] == "high"  # left out: unchanged
            assert (
                rest(app.url, token, f"/api/tasks/{task['id']}").json()["title"] == "Buy oat milk"
            )
            done = await call(session, "complete_task", task_id=task["id"])
            again = await call(session, "complete_task", task_id=task["id"])
            assert done["completed"]
            assert again["completed"]
            completed = await call(session, "list_tasks", status="completed")
            assert [t["id"] for t in completed["items"]] == [task["id"]]
            searched = await call(session, "list_tasks", search="taxes", limit=5)
            assert [t["id"] for t in searched["items"]] == [other["id"]]
            assert await call(session, "delete_task", task_id=task["id"]) == {
                "id": task["id"], "deleted": True}  # fmt: skip
            assert rest(app.url, token, f"/api/tasks/{task['id']}").status_code == 404
            pending = rest(app.url, token, "/api/tasks?status=all").json()["items"]
            assert [t["id"] for t in pending] == [other["id"]]

    anyio.run(scenario)


def test_a_second_user_sees_and_reaches_none_of_the_first_users_tasks(app: AppProcess) -> None:
    first, second = register(app.url, "one@example.com"), register(app.url, "two@example.com")

    async def scenario() -> None:
        async with agent(app.url, first) as session:
            task = await call(session, "add_task", title="Private")
        async with agent(app.url, second) as session:
            assert (await call(session, "list_tasks"))["items"] == []
            for tool in ("get_task", "complete_task", "delete_task"):
                assert await error_of(session, tool, task_id=task["id"]) == "No task with this id"
            assert "No task" in await error_of(session, "update_task", task_id=task["id"],
                                               title="Mine now")  # fmt: skip
        assert rest(app.url, first, f"/api/tasks/{task['id']}").json()["title"] == "Private"

    anyio.run(scenario)


def test_invalid_arguments_are_tool_errors_with_the_problems_detail(app: AppProcess) -> None:
    token = register(app.url, "bad@example.com")

    async def scenario() -> None:
        async with agent(app.url, token) as session:
            text = await error_of(session, "add_task", title="   ", priority="urgent")
            assert text.startswith("Invalid arguments for add_task")
            assert "title:" in text
            assert "priority: Invalid enum value 'urgent'" in text
            assert "Field required" in await error_of(session, "add_task")
            assert "limit" in await error_of(session, "list_tasks", limit=1000)
            assert "NUL" in await error_of(session, "add_task", title="a\x00b")
            unknown = await error_of(session, "get_task", task_id="x", extra=1)
            assert unknown == "Invalid arguments for get_task (arguments: Invalid value)"
            assert "No tool named" in await error_of(session, "drop_database")
            # The session still works after all of that.
            assert (await call(session, "list_tasks"))["items"] == []

    anyio.run(scenario)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged", "Basic eA=="],
    ids=["missing", "garbage", "forged", "not-bearer"],
)
def test_without_a_valid_token_401_names_the_resource_metadata(
    app: AppProcess, authorization: str | None
) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
    answer = httpx.post(app.url + "/mcp", json=initialize, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    challenge = answer.headers["www-authenticate"]
    metadata_url = f"{app.url}/.well-known/oauth-protected-resource"
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{metadata_url}"' in challenge
    metadata = httpx.get(metadata_url).json()
    assert metadata["resource"] == app.url + "/mcp"
    assert metadata["bearer_methods_supported"] == ["header"]


def test_a_better_auth_token_works(app: AppProcess, better_auth: BetterAuthServer) -> None:
    token = better_auth.token(sub="ba-agent-user")

    async def scenario() -> None:
        async with agent(app.url, token) as session:
            await call(session, "add_task", title="From the Next.js chat")

    anyio.run(scenario)
    listed = rest(app.url, token, "/api/tasks").json()["items"]
    assert [task["title"] for task in listed] == ["From the Next.js chat"]
    forged = better_auth.token(sub="ba-agent-user", iss="http://evil.example")
    assert httpx.post(app.url + "/mcp", json={}, headers={
        "Authorization": f"Bearer {forged}"}).status_code == 401  # fmt: skip


def test_other_methods_on_mcp_are_405_not_a_stream(app: AppProcess) -> None:
    token = register(app.url, "get@example.com")
    for method in ("GET", "DELETE"):
        answer = httpx.request(method, app.url + "/mcp", headers={
            "Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 405
        assert answer.headers["allow"] == "POST"
