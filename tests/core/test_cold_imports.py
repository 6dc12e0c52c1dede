"""What the app's import and its first requests load: only what they use (issue 13).

Two regressions this guards, both found by `python -X importtime`: PyJWT imports
`cryptography` whenever it is installed (the MCP SDK installs it), which put ~100 ms of
imports on the first authenticated request; and importlib.resources.files() loaded
zipfile and importlib's readers at every import of the app. And the app's import leaves
auth/authenticate.py for the first authenticated request, which makes the app's
Authenticator. Starlette's StaticFiles waits for the first request for a UI file, and
the app's import uses os.path, not pathlib (8 M instructions, ~2 % of that import).
msgspec.inspect waits for /openapi.json (todo_api/deferred_imports.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
HEAVY = ("jwt", "cryptography", "zipfile", "importlib.resources", "importlib.readers",
         "todo_api.auth.authenticate", "starlette.staticfiles", "pathlib")
def loaded(): return sorted(n for n in HEAVY if n in sys.modules)
def deferred(): return type(sys.modules["msgspec.inspect"]).__name__ == "ImportedOnFirstUse"

import todo_api.main
print("after import:", loaded(), deferred())
from starlette.testclient import TestClient
from todo_api.settings import Settings

settings = Settings.from_env({{"TODO_DATA_DIR": {data!r}, "BETTER_AUTH_SECRET": "x" * 40,
                              "LOG_LEVEL": "WARNING", "AUTH_RATE_LIMIT": "off"}})
with TestClient(todo_api.main.create_app(settings)) as client:
    body = {{"email": "cold@example.com", "password": "correct horse battery"}}
    assert client.post("/api/auth/register", json=body).status_code == 201
    token = client.post("/api/auth/login", json=body).json()["access_token"]
    auth = {{"Authorization": "Bearer " + token}}
    assert client.post("/api/tasks", json={{"title": "cold"}}, headers=auth).status_code == 201
    assert client.get("/api/tasks", headers=auth).status_code == 200
    assert client.get("/api/tasks", headers={{"Authorization": "Bearer x.y.z"}}).status_code == 401
    # Not zipfile or importlib.resources: the test client's httpx loads them.
    print("after REST:", sorted(n for n in ("jwt", "cryptography", "starlette.staticfiles")
                                if n in sys.modules), deferred())
    assert client.get("/openapi.json").status_code == 200  # msgspec.inspect's one user
    print("after /openapi.json:", deferred())
"""


def test_import_and_first_requests_load_no_jwt_library_or_zipfile(tmp_path: Path) -> None:
    script = SCRIPT.format(data=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        "after import: [] True",
        "after REST: [] True",
        "after /openapi.json: False",
    ]
