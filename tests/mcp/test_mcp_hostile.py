"""Whatever a token holder posts to /mcp is answered below 500: broken JSON, a body too
large, a wrong content type, nesting too deep, an unknown protocol version. The SDK
answers these as JSON-RPC errors (the MCP spec's form), tool arguments as tool errors;
what it refuses before JSON-RPC begins (the body size, the content type) is a problem
(it answered bare text with no Content-Type). JSON that is no JSON-RPC message (a
batch, `params` that is no object) is JSON-RPC's Invalid Request, not the SDK's pydantic
report (which echoed the input and named pydantic's version)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

CALL = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_task","arguments":'
CASES = {
    "broken JSON": (b"{not json", {}),
    "a batch": (b'[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]', {}),
    "5 MB": (b'{"a":"' + b"x" * 5_000_000 + b'"}', {}),
    "text/plain": (b"{}", {"Content-Type": "text/plain"}),
    "arguments not an object": (CALL + b"[1]}}", {}),
    "params not an object": (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}', {}),
    "nested 5000 deep": (CALL + b'{"title":' + b"[" * 5000 + b"]" * 5000 + b"}}}", {}),
    "unknown protocol version": (
        b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
        {"Mcp-Protocol-Version": "1999-01-01"},
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_hostile_posts_get_a_4xx_or_an_error_message(
    make_client: Callable[..., TestClient], case: str
) -> None:
    client = make_client(AUTH_RATE_LIMIT="off")
    body = {"email": "hostile@example.com", "password": "correct horse battery"}
    token = client.post("/api/auth/register", json=body).json()["access_token"]
    content, extra = CASES[case]
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Mcp-Protocol-Version": "2025-11-25",
        **extra,
    }
    answer = client.post("/mcp", content=content, headers=headers)
    assert answer.status_code < 500, answer.text[:300]
    # JSON either way: a JSON-RPC error, or a problem for what the SDK refuses as HTTP
    assert answer.headers["content-type"] in ("application/json", "application/problem+json")
    assert isinstance(answer.json(), dict), answer.text[:300]
    for internal in ("pydantic", "input_value", "JSONRPCRequest"):
        assert internal not in answer.text, answer.text[:300]
    if answer.status_code == 200:  # a JSON-RPC error or a tool error, never a result
        reply = answer.json()
        assert "error" in reply or reply["result"]["isError"], reply


@pytest.mark.parametrize("case", ["a batch", "params not an object"])
def test_json_that_is_no_request_is_invalid_request(
    make_client: Callable[..., TestClient], case: str
) -> None:
    client = make_client(AUTH_RATE_LIMIT="off")
    account = {"email": "batch@example.com", "password": "correct horse battery"}
    token = client.post("/api/auth/register", json=account).json()["access_token"]
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    answer = client.post("/mcp", content=CASES[case][0], headers=headers)
    assert answer.status_code == 400
    assert int(answer.headers["content-length"]) == len(answer.content)
    error = answer.json()["error"]
    assert error["code"] == -32600
    assert error["message"].startswith("Invalid Request")
