"""POST /api/auth/token: the OAuth2 password grant (RFC 6749 4.3) the /docs "Authorize"
dialog uses, form-encoded; the same tokens as /api/auth/login, problem details on error."""

from __future__ import annotations

from starlette.testclient import TestClient

FORM = {"grant_type": "password", "username": "ada@example.com", "password": "correct horse"}


def test_password_grant_logs_in_with_email_and_password(client: TestClient) -> None:
    client.post(
        "/api/auth/register", json={"email": "Ada@example.com", "password": "correct horse"}
    )
    response = client.post("/api/auth/token", data=FORM)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "ada@example.com"


def test_bad_grants_are_problems(client: TestClient) -> None:
    client.post(
        "/api/auth/register", json={"email": "ada@example.com", "password": "correct horse"}
    )
    wrong = client.post("/api/auth/token", data={**FORM, "password": "wrong"})
    assert wrong.status_code == 400  # RFC 6749 section 5.2
    assert wrong.headers["content-type"] == "application/problem+json"
    problem = wrong.json()
    assert problem["detail"] == problem["error_description"] == "Incorrect email or password"
    assert problem["error"] == "invalid_grant"
    unknown = client.post("/api/auth/token", data={**FORM, "username": "nobody@example.com"})
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_grant")
    grant = client.post("/api/auth/token", data={**FORM, "grant_type": "client_credentials"})
    assert grant.status_code == 422
    assert [e["field"] for e in grant.json()["errors"]] == ["grant_type"]
    missing = client.post("/api/auth/token", data={"grant_type": "password"})
    assert {e["field"] for e in missing.json()["errors"]} == {"username", "password"}
    twice = client.post(
        "/api/auth/token",
        content="grant_type=password&username=a&username=b&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 422
    as_json = client.post("/api/auth/token", json=FORM)
    assert as_json.status_code == 415
    assert as_json.headers["content-type"] == "application/problem+json"
    garbage = client.post(
        "/api/auth/token",
        content=b"\xff\xfe=%%",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert garbage.status_code == 400


def test_documented_as_oauth2_password_flow(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    scheme = doc["components"]["securitySchemes"]["password"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/auth/token"
    body = doc["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]
    assert list(body) == ["application/x-www-form-urlencoded"]
    assert {"bearer": []} in doc["paths"]["/api/tasks"]["get"]["security"]
    assert {"password": []} in doc["paths"]["/api/tasks"]["get"]["security"]
