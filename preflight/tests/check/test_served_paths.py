"""PF403 and an app that serves the path a rewrite hands it (a mount, a route class)."""

from __future__ import annotations

from .conftest import Check, MakeProject

_MCP = "from starlette.applications import Starlette\nfrom starlette.routing import Mount\n"


def test_a_rewrite_below_the_function_to_a_mounted_path_is_no_error(
    check: Check, make_project: MakeProject
) -> None:
    # civictechdc/spicy-regs rewrote /mcp to /api/index/mcp; an app that mounts its
    # transport at that very path serves it under a Python preset
    root = make_project(
        {
            "api/index.py": _MCP + "inner = Starlette()\n"
            "app = Starlette(routes=[Mount('/api/index/mcp', app=inner)])\n",
            "requirements.txt": "starlette\n",
            "vercel.json": '{"rewrites": [{"source": "/mcp/(.*)", '
            '"destination": "/api/index/mcp/$1"}]}',
        }
    )
    findings = check(root, only={"PF403"}).findings
    assert [f.severity.value for f in findings] == []


def test_the_same_rewrite_to_an_app_that_serves_only_mcp_is_an_error(
    check: Check, make_project: MakeProject
) -> None:
    root = make_project(
        {
            "api/index.py": _MCP + "inner = Starlette()\n"
            "app = Starlette(routes=[Mount('/mcp', app=inner)])\n",
            "requirements.txt": "starlette\n",
            "vercel.json": '{"rewrites": [{"source": "/mcp/(.*)", '
            '"destination": "/api/index/mcp/$1"}]}',
        }
    )
    (finding,) = check(root, only={"PF403"}).findings
    assert finding.severity.value == "error"
    assert "below the function's own path" in finding.message
