"""Every 4xx/5xx is problem+json with a request id; crashes are logged, not leaked."""

from __future__ import annotations

import logging

import pytest
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import Account, app_of


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["instance"] == response.headers["x-request-id"]


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    response = client.delete("/health")
    assert response.status_code == 405
    assert response.json()["title"] == "Method Not Allowed"


def test_malformed_json_is_400(alice: Account) -> None:
    response = alice.request(
        "POST", "/api/tasks", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_non_json_body_is_415(alice: Account) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = alice.request("POST", "/api/tasks", content=b"title=x", headers=form)
    assert response.status_code == 415


def test_validation_lists_every_field(alice: Account) -> None:
    response = alice.request(
        "POST",
        "/api/tasks",
        json={"title": "", "description": "d" * 1001, "priority": "urgent", "due_date": "soon"},
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"title", "description", "priority", "due_date"}


def test_missing_required_field_is_named(alice: Account) -> None:
    response = alice.request("POST", "/api/tasks", json={"description": "no title"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "title", "message": "Field required"}]


def test_incoming_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_unhandled_exception_is_logged_and_answered_500(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(request: Request) -> None:
        raise RuntimeError("boom in handler")

    app_of(client).router.routes.insert(0, Route("/explode", explode))
    logging.getLogger("todo_api").addHandler(caplog.handler)
    try:
        response = client.get("/explode")
    finally:
        logging.getLogger("todo_api").removeHandler(caplog.handler)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert "boom" not in response.text  # internals are logged, not sent
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError: boom in handler" in logged
    assert body["instance"] in logged
    assert "Traceback" in logged
