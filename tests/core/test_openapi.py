"""/openapi.json is a valid OpenAPI 3.1 document describing every route; /docs serves."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from tests.conftest import app_of
from todo_api.http.groups import RouteGroup
from todo_api.main import ROUTE_GROUPS, operations


def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_document_is_valid_openapi_3_1(client: TestClient) -> None:
    doc = document(client)
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_api_route_is_described(client: TestClient) -> None:
    doc = document(client)
    served = {
        (method.lower(), route.path)
        for group in app_of(client).routes
        if isinstance(group, RouteGroup)
        for route in group.router().routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    described = {(method, path) for path, item in doc["paths"].items() for method in item}
    # JSON-RPC over /mcp and its RFC 9728 metadata are served but not OpenAPI operations.
    undocumented = {(op.method.lower(), op.path) for op in operations() if not op.documented}
    assert undocumented == {
        ("post", "/mcp"),
        ("get", "/.well-known/oauth-protected-resource"),
        ("get", "/.well-known/oauth-protected-resource/mcp"),
    }
    assert served - undocumented == described
    assert len(described) >= 20


def test_each_operation_lives_in_its_own_route_group() -> None:
    # Lazy groups dispatch on path patterns: an operation that an earlier group's pattern
    # also matched would be unreachable.
    # Through RouteGroup.matches, whose literal-head check comes before the pattern.
    groups = [RouteGroup(pattern, module) for pattern, module in ROUTE_GROUPS]
    for _, module in ROUTE_GROUPS:
        for op in RouteGroup("", module).operations():
            scope = {"type": "http", "path": re.sub(r"{[^}]+}", "x1", op.path), "root_path": ""}
            owner = next(g.module for g in groups if g.matches(scope)[0] is Match.FULL)
            assert owner == module, (op.path, owner)


def test_a_group_pattern_is_compiled_only_for_paths_with_its_literal_head() -> None:
    auth, alternatives = RouteGroup(r"/api/auth/", "x"), RouteGroup(r"/a$|/b(/|$)", "y")
    assert auth.matches({"type": "http", "path": "/api/tasks", "root_path": ""})[0] is Match.NONE
    assert auth._regex is None
    for path, expected in (("/b/", Match.FULL), ("/a", Match.FULL), ("/c", Match.NONE)):
        assert alternatives.matches({"type": "http", "path": path, "root_path": ""})[0] is expected


def test_errors_are_problem_details(client: TestClient) -> None:
    doc = document(client)
    problem_ref = "#/components/schemas/Problem"
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if re.fullmatch(r"[45]\d\d", status):
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema["$ref"] == problem_ref, (method, path, status)


def test_request_schemas_carry_the_limits(client: TestClient) -> None:
    schemas = document(client)["components"]["schemas"]
    title = schemas["TaskCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 200)
    assert schemas["TaskCreate"]["required"] == ["title"]


def test_docs_page(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


def test_docs_load_nothing_from_another_host(client: TestClient) -> None:
    """Every script and stylesheet of /docs is served here (swagger-ui-bundle-v2)."""
    page = client.get("/docs")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, page.text
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by this app"
        response = client.get(asset)
        assert response.status_code == 200, asset
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert client.get("/docs/assets/../pyproject.toml").status_code == 404
    missing = client.get("/docs/assets/index.j2")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_try_it_out_starts_from_realistic_examples(client: TestClient) -> None:
    """Swagger UI pre-fills request bodies from `examples`; "string" helps nobody."""
    schemas = document(client)["components"]["schemas"]
    for schema, field in [
        ("TaskCreate", "title"),
        ("TaskCreate", "description"),
        ("RegisterRequest", "email"),
        ("RegisterRequest", "password"),
        ("LoginRequest", "email"),
        ("PasswordGrant", "username"),
    ]:
        prop = schemas[schema]["properties"][field]
        options = prop.get("anyOf", [prop])
        examples = [e for option in options for e in option.get("examples", [])]
        assert examples, (schema, field)
        assert "string" not in examples, (schema, field)
    assert schemas["TaskCreate"]["properties"]["tags"]["items"]["examples"] == ["errands"]
