"""Memory a login leaves behind: argon2 takes 19 MiB per hash, and a process that kept
that buffer (glibc hands a freed block of that size back to an arena, not the system)
was ~20 MB bigger after its second login and grew a second buffer under mixed load
(tests/core/test_scale_out.py). On serverless, memory is part of the bill."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.services.app_process import start, stop

MiB = 2**20


def test_logins_hand_the_hash_buffer_back(tmp_path: Path) -> None:
    app = start({}, tmp_path)
    try:
        with httpx.Client(base_url=app.url, timeout=30) as client:
            client.get("/health")
            before = app.rss()
            account = {"email": "mem@example.com", "password": "a long enough password"}
            assert client.post("/api/auth/register", json=account).status_code == 201
            for _ in range(4):
                assert client.post("/api/auth/login", json=account).status_code == 200
            wrong = {**account, "password": "not the password"}
            assert client.post("/api/auth/login", json=wrong).status_code == 401
            after = app.rss()
        # Imports of the login path cost a few MB; a kept buffer would add 19 MiB more.
        assert after - before < 12 * MiB, f"{before / MiB:.1f} -> {after / MiB:.1f} MB"
    finally:
        stop(app)
