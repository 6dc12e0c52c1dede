"""The web UI ships in the package and is served from any working directory.

public/ stays at the repo root, in git, because Vercel's CDN serves that folder before
the function, and only as uploaded: a build command cannot make it from the package
(tests/test_vercel_public.py shows that with Vercel's builder and cites its source). It
is a copy of src/todo_api/web (the source of truth), and the first test fails the
moment the two differ.
"""

from __future__ import annotations

import filecmp
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "src" / "todo_api" / "web"
PUBLIC = ROOT / "public"


def test_public_is_an_exact_copy_of_the_packaged_ui() -> None:
    packaged = sorted(p.name for p in PACKAGED.iterdir())
    public = sorted(p.name for p in PUBLIC.iterdir())
    assert public == packaged, "public/ must hold exactly the files of src/todo_api/web"
    _, mismatch, errors = filecmp.cmpfiles(PACKAGED, PUBLIC, packaged, shallow=False)
    assert mismatch == errors == [], (
        f"public/ differs from src/todo_api/web in {mismatch + errors}: "
        "edit src/todo_api/web, then `cp src/todo_api/web/* public/`"
    )


def test_ui_is_served_outside_the_checkout(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no public/ here
    monkeypatch.delenv("TODO_PUBLIC_DIR", raising=False)
    client = make_client()
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 200
    assert "<title>Todo</title>" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert client.get("/app.js").headers["content-type"].startswith("text/javascript")


def test_public_dir_overrides_the_packaged_ui(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "index.html").write_text("<title>Ours</title>")
    monkeypatch.setenv("TODO_PUBLIC_DIR", str(custom))
    assert "<title>Ours</title>" in make_client().get("/").text
    monkeypatch.setenv("TODO_PUBLIC_DIR", str(tmp_path / "missing"))
    missing = make_client().get("/", follow_redirects=False)
    assert (missing.status_code, missing.headers["location"]) == (307, "/docs")
