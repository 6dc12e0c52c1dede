"""Brute-force limits on login and register: per account and per client address, a growing
delay then 429 + Retry-After, shared by every instance (in the database on SQLite and
PostgreSQL, or in a real Redis), and the address taken only from what the platform sets."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from starlette.testclient import TestClient

from tests.conftest import services_of
from tests.services.app_process import AppProcess
from todo_api.throttle import Limit

WRONG = {"password": "wrong-password"}


@pytest.fixture(params=["database", "redis"])
def counters(request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings that pick where the counters live (Redis: on top of either database)."""
    if request.param == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url")}
    return {}


def login(client: TestClient | httpx.Client, email: str, password: str, **kw: Any) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password}, **kw)


def register(client: TestClient | httpx.Client, email: str, **kw: Any) -> Any:
    return client.post(
        "/api/auth/register", json={"email": email, "password": "right-password"}, **kw
    )


def assert_limited(response: httpx.Response | httpx2.Response, retry_after: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(retry_after)
    assert response.json()["status"] == 429


def test_failed_logins_meet_a_growing_delay_and_a_correct_one_resets_it(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    client = make_client(**counters)
    assert register(client, "victim@example.com").status_code == 201
    assert register(client, "bystander@example.com").status_code == 201
    for _ in range(6):  # the allowance (5), then one more that starts the delay
        assert login(client, "victim@example.com", "guess").status_code == 401
    assert_limited(login(client, "victim@example.com", "guess"), retry_after=1)
    # While blocked even the right password waits: the block means nothing otherwise.
    assert_limited(login(client, "victim@example.com", "right-password"), retry_after=1)
    # Another account, from the same address, is unaffected.
    assert login(client, "bystander@example.com", "right-password").status_code == 200
    time.sleep(1.05)
    assert login(client, "victim@example.com", "guess").status_code == 401
    assert_limited(login(client, "victim@example.com", "guess"), retry_after=2)  # doubled
    time.sleep(2.05)
    assert login(client, "victim@example.com", "right-password").status_code == 200
    for _ in range(5):  # the correct login gave the account its whole allowance back
        assert login(client, "victim@example.com", "guess").status_code == 401


def test_an_attacker_elsewhere_cannot_lock_the_victim_out(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    # On Vercel the edge's X-Forwarded-For names the client, so one client plays both.
    client = make_client(VERCEL="1", **counters)
    assert register(client, "victim@example.com").status_code == 201
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for _ in range(6):
        assert login(client, "victim@example.com", "guess", headers=attacker).status_code == 401
    for _ in range(10):  # blocked: these count nothing, not even towards the account
        assert_limited(login(client, "victim@example.com", "guess", headers=attacker), 1)
    home = {"X-Forwarded-For": "198.51.100.7"}
    assert login(client, "victim@example.com", "right-password", headers=home).status_code == 200
    # The victim's login cleared their own counter, not the attacker's.
    assert_limited(login(client, "victim@example.com", "guess", headers=attacker), 1)
    for _ in range(5):  # and the victim's address still has its whole allowance
        assert login(client, "victim@example.com", "guess", headers=home).status_code == 401


def test_a_guess_spread_over_many_addresses_meets_the_account_wide_limit(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    client = make_client(VERCEL="1", LOGIN_ATTEMPTS_PER_ACCOUNT_ALL_ADDRESSES="8", **counters)
    assert register(client, "victim@example.com").status_code == 201
    for i in range(9):  # two guesses an address stay far within each address's allowance
        address = {"X-Forwarded-For": f"203.0.113.{i // 2}"}
        assert login(client, "victim@example.com", "guess", headers=address).status_code == 401
    fresh = {"X-Forwarded-For": "203.0.113.200"}
    assert_limited(login(client, "victim@example.com", "guess", headers=fresh), 1)
    # Even the right password waits now: otherwise the limit would only slow wrong guesses.
    assert_limited(login(client, "victim@example.com", "right-password", headers=fresh), 1)
    other = {"X-Forwarded-For": "203.0.113.201"}
    assert login(client, "bystander@example.com", "guess", headers=other).status_code == 401


def test_the_account_wide_limit_defaults_to_twenty_times_the_strict_one(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(VERCEL="1", LOGIN_ATTEMPTS_PER_ACCOUNT="1")
    for i in range(21):  # 20 pass, the 21st starts the delay
        address = {"X-Forwarded-For": f"203.0.113.{i}"}
        assert login(client, "nobody@example.com", "guess", headers=address).status_code == 401
    assert_limited(
        login(client, "nobody@example.com", "guess", headers={"X-Forwarded-For": "192.0.2.9"}), 1
    )


def test_unknown_accounts_are_limited_like_known_ones(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    client = make_client(**counters)
    for _ in range(6):
        assert login(client, "nobody@example.com", "guess").status_code == 401
    assert_limited(login(client, "nobody@example.com", "guess"), retry_after=1)


def test_counters_are_shared_by_instances(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    first, second = make_client(**counters), make_client(**counters)
    assert register(first, "shared@example.com").status_code == 201
    for _ in range(3):
        assert login(first, "shared@example.com", "guess").status_code == 401
        assert login(second, "shared@example.com", "guess").status_code == 401
    assert_limited(login(first, "shared@example.com", "guess"), retry_after=1)
    assert_limited(login(second, "shared@example.com", "guess"), retry_after=1)


def test_registrations_are_limited_per_address(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    client = make_client(AUTH_ATTEMPTS_PER_ADDRESS="3", **counters)
    for i in range(4):
        assert register(client, f"new{i}@example.com").status_code == 201
    assert_limited(register(client, "new9@example.com"), retry_after=1)


def test_registrations_spread_over_many_addresses_meet_the_limit_over_all(
    make_client: Callable[..., TestClient], counters: dict[str, str]
) -> None:
    client = make_client(VERCEL="1", REGISTRATIONS_ALL_ADDRESSES="6", **counters)
    for i in range(7):  # one an address: far within each address's allowance
        address = {"X-Forwarded-For": f"198.51.100.{i}"}
        assert register(client, f"bot{i}@example.com", headers=address).status_code == 201
    fresh = {"X-Forwarded-For": "198.51.100.200"}
    assert_limited(register(client, "bot-next@example.com", headers=fresh), retry_after=1)
    assert login(client, "bot0@example.com", "right-password", headers=fresh).status_code == 200


def test_the_limit_over_all_addresses_defaults_to_twenty_times_the_one_per_address(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(VERCEL="1", AUTH_ATTEMPTS_PER_ADDRESS="1")
    for i in range(21):  # 20 pass, the 21st starts the delay
        address = {"X-Forwarded-For": f"198.51.100.{i}"}
        assert register(client, f"bot{i}@example.com", headers=address).status_code == 201
    last = {"X-Forwarded-For": "192.0.2.9"}
    assert_limited(register(client, "bot-last@example.com", headers=last), retry_after=1)


def test_limits_can_be_turned_off(make_client: Callable[..., TestClient]) -> None:
    client = make_client(AUTH_RATE_LIMIT="off")
    for _ in range(10):
        assert login(client, "nobody@example.com", "guess").status_code == 401


def test_a_forged_forwarded_header_does_not_reset_the_address_limit(
    app_process: Callable[..., AppProcess],
) -> None:
    # The peer (127.0.0.1) is not a trusted proxy here, so X-Forwarded-For is ignored.
    app = app_process(FORWARDED_ALLOW_IPS="192.0.2.1", AUTH_ATTEMPTS_PER_ADDRESS="3")
    with httpx.Client(base_url=app.url, timeout=30) as client:
        for i in range(4):
            forged = {"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"203.0.113.{i}"}
            assert register(client, f"f{i}@example.com", headers=forged).status_code == 201
        assert_limited(
            register(client, "f9@example.com", headers={"X-Forwarded-For": "198.51.100.7"}), 1
        )


def test_a_forged_forwarded_header_does_not_escape_the_per_account_limit(
    app_process: Callable[..., AppProcess],
) -> None:
    # Off Vercel an untrusted peer's X-Forwarded-For is ignored, so rotating it does not
    # make each guess at one account look like it came from a new address.
    app = app_process(FORWARDED_ALLOW_IPS="192.0.2.1")
    with httpx.Client(base_url=app.url, timeout=30) as client:
        assert register(client, "target@example.com").status_code == 201
        for i in range(6):
            forged = {"X-Forwarded-For": f"203.0.113.{i}"}
            answer = login(client, "target@example.com", "guess", headers=forged)
            assert answer.status_code == 401
        forged = {"X-Forwarded-For": "198.51.100.9"}
        assert_limited(login(client, "target@example.com", "guess", headers=forged), 1)


def test_a_trusted_proxy_names_the_client(app_process: Callable[..., AppProcess]) -> None:
    app = app_process(FORWARDED_ALLOW_IPS="127.0.0.1", AUTH_ATTEMPTS_PER_ADDRESS="3")
    with httpx.Client(base_url=app.url, timeout=30) as client:
        one = {"X-Forwarded-For": "203.0.113.1"}
        for i in range(4):
            assert register(client, f"p{i}@example.com", headers=one).status_code == 201
        assert_limited(register(client, "p8@example.com", headers=one), 1)
        other = {"X-Forwarded-For": "203.0.113.2"}
        assert register(client, "p9@example.com", headers=other).status_code == 201


def test_on_vercel_the_edge_forwarded_address_counts(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(VERCEL="1", AUTH_ATTEMPTS_PER_ADDRESS="3")
    one = {"X-Forwarded-For": "203.0.113.1"}
    for i in range(4):
        assert register(client, f"v{i}@example.com", headers=one).status_code == 201
    assert_limited(register(client, "v8@example.com", headers=one), 1)
    other = {"X-Forwarded-For": "203.0.113.2"}
    assert register(client, "v9@example.com", headers=other).status_code == 201


def test_redis_is_imported_only_when_configured(tmp_path: Path) -> None:
    # Cold start: a login with the database's counters never loads the Redis client.
    script = f"""
import sys
from starlette.testclient import TestClient
from todo_api.main import create_app
from todo_api.settings import Settings
settings = Settings.from_env({{
    "DATABASE_URL": "sqlite:///{tmp_path}/t.sqlite3", "TODO_DATA_DIR": "{tmp_path}",
    "BETTER_AUTH_SECRET": "x" * 40, "LOG_LEVEL": "WARNING",
}})
with TestClient(create_app(settings)) as client:
    answer = client.post("/api/auth/login", json={{"email": "a@b.example", "password": "p"}})
    assert answer.status_code == 401, answer.text
print(sorted(name for name in sys.modules if name.split(".")[0] == "redis"))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_attempts_within_the_allowance_never_wait_whatever_order_they_lock_in(
    make_client: Callable[..., TestClient],
) -> None:
    # Concurrent requests read the clock before they queue for the counter's lock, so a
    # later holder can carry an earlier `now`; within the allowance it must still pass
    # (three concurrent sign-ups under Vercel's runtime were refused with "wait 1 s").
    client = make_client()  # the database counters (Redis's script sets no block here)
    throttle = services_of(client).throttle()
    assert throttle is not None, "rate limits are on by default"
    limits = [Limit("order-test:address", 30)]
    assert anyio.run(throttle.store.hit, limits, 1000.0) == 0.0
    assert anyio.run(throttle.store.hit, limits, 999.9) == 0.0
