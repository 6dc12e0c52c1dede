"""Configuration: environment variables (and `.env` when present) -> a frozen Settings.

Reading settings never raises. What is missing or wrong is collected in
`Settings.problems`, reported by /health and by a 503 problem+json on the routes that
need it, so a misconfigured deployment answers with the reason instead of dying at
import with FUNCTION_INVOCATION_FAILED.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

import msgspec

from todo_api.attachments.config import AttachmentConfig
from todo_api.http.public_origin import parse_public_url
from todo_api.platform import Platform, detect_platform

MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = "dev-secret"  # noqa: S105 (a file name)
DEFAULT_SQLITE_BUSY_TIMEOUT = 10.0


# Both are frozen msgspec Structs, not frozen dataclasses: made in C at import (~0.05 ms
# a class, against 0.5-2.5 ms of generated code each), and behaving the same.
ACCOUNT_WIDE_FACTOR = 20  # the account-wide login allowance's default, times per_account


class RateLimits(msgspec.Struct, frozen=True):
    """Attempts that pass before delays begin: failed logins per account from one client
    address (counted per pair, so guesses from elsewhere cannot lock a user out of their
    own network), failed logins per account from all addresses together (looser: it stops
    a guess spread over many addresses, at the price of the lockout the first avoids),
    login or register attempts per client address (shared NATs and offices need headroom),
    and registrations from all addresses together (an attacker with many addresses would
    otherwise open accounts, and spend a password hash each, without end; the price: while
    one does, sign-ups wait for everyone)."""

    per_account: int = 5
    per_account_all_addresses: int = ACCOUNT_WIDE_FACTOR * 5
    per_address: int = 30
    registrations_all_addresses: int = ACCOUNT_WIDE_FACTOR * 30


class Settings(msgspec.Struct, frozen=True):
    platform: Platform
    data_dir: str  # a path; os.path, not pathlib, keeps the app's import smaller
    database_url: str
    # None when no usable secret exists: auth routes answer 503 with `secret_problem`.
    secret: str | None
    secret_problem: str | None
    # Set when DATABASE_URL is needed but missing: data routes answer 503 with it.
    database_problem: str | None
    better_auth_url: str | None
    cors_origins: tuple[str, ...]
    access_token_ttl: int
    refresh_token_ttl: int
    password_min_length: int
    log_level: str
    # Limits, content types and STORAGE_URL; its own `problem` is a 503 on the attachment
    # routes only, so it is not among `problems` (a bad quota must not fail /health).
    attachments: AttachmentConfig
    # Configuration errors that make the service unusable (health answers 503).
    problems: tuple[str, ...] = ()
    # Brute-force limits (todo_api/throttle); None when AUTH_RATE_LIMIT=off.
    rate_limits: RateLimits | None = msgspec.field(default_factory=RateLimits)
    redis_url: str | None = None  # rate-limit counters in Redis instead of the database
    sentry_dsn: str | None = None  # errors and 5xx go to Sentry (todo_api.monitoring)
    # Seconds a SQLite writer waits for another writer's lock before answering 503.
    sqlite_busy_timeout: float = DEFAULT_SQLITE_BUSY_TIMEOUT
    # The origin named in absolute URLs (todo_api/http/public_origin.py); None: derived.
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment; `.env` is loaded only for os.environ."""
        if environ is None:
            _load_dotenv()
            environ = os.environ
        env = environ
        platform = detect_platform(env)
        problems: list[str] = []
        database_problem = None

        data_dir = os.path.expanduser(env.get("TODO_DATA_DIR") or "data")
        database_url = env.get("DATABASE_URL", "").strip()
        if not database_url:
            if platform.serverless:
                database_problem = (
                    f"DATABASE_URL is not set: on {platform.value} the filesystem is "
                    "read-only and ephemeral, so the local SQLite default cannot keep data; "
                    "set DATABASE_URL to a Postgres URL (e.g. Neon)"
                )
                problems.append(database_problem)
            database_url = f"sqlite:///{os.path.join(data_dir, 'todo.sqlite3')}"

        secret, secret_problem = _resolve_secret(env, platform, data_dir)
        if secret_problem:
            problems.append(secret_problem)
        public_url, public_url_problem = parse_public_url(env.get("PUBLIC_URL", ""))
        if public_url_problem:
            problems.append(public_url_problem)

        return cls(
            platform=platform,
            data_dir=data_dir,
            database_url=database_url,
            secret=secret,
            secret_problem=secret_problem,
            database_problem=database_problem,
            better_auth_url=(env.get("BETTER_AUTH_URL") or "").strip() or None,
            cors_origins=_split(env.get("CORS_ORIGINS", "http://localhost:3000")),
            access_token_ttl=_int(env, "ACCESS_TOKEN_TTL", 900, problems),
            refresh_token_ttl=_int(env, "REFRESH_TOKEN_TTL", 30 * 24 * 3600, problems),
            password_min_length=_int(env, "PASSWORD_MIN_LENGTH", 6, problems),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            attachments=AttachmentConfig.from_env(
                env, data_dir=data_dir, platform=platform.value, serverless=platform.serverless
            ),
            rate_limits=_rate_limits(env, problems),
            redis_url=(env.get("REDIS_URL") or "").strip() or None,
            sentry_dsn=(env.get("SENTRY_DSN") or "").strip() or None,
            sqlite_busy_timeout=_seconds(
                env, "SQLITE_BUSY_TIMEOUT", DEFAULT_SQLITE_BUSY_TIMEOUT, problems
            ),
            public_url=public_url,
            problems=tuple(problems),
        )


def _resolve_secret(
    env: Mapping[str, str], platform: Platform, data_dir: str
) -> tuple[str | None, str | None]:
    """BETTER_AUTH_SECRET, or on a laptop a generated one kept in the data folder."""
    configured = env.get("BETTER_AUTH_SECRET", "")
    if configured:
        if len(configured.encode()) < MIN_SECRET_BYTES:
            return None, (
                f"BETTER_AUTH_SECRET is {len(configured.encode())} bytes; at least "
                f"{MIN_SECRET_BYTES} are required (generate one with `openssl rand -base64 32`)"
            )
        return configured, None
    if platform in (Platform.VERCEL, Platform.LAMBDA, Platform.CONTAINER):
        return None, (
            "BETTER_AUTH_SECRET is not set: tokens cannot be signed "
            "(generate one with `openssl rand -base64 32`)"
        )
    return _dev_secret(data_dir)


def _dev_secret(data_dir: str) -> tuple[str | None, str | None]:
    """A per-checkout development secret, so `make run` needs no configuration."""
    path = os.path.join(data_dir, DEV_SECRET_FILE)
    try:
        if os.path.exists(path):
            return _read_text(path), None
        os.makedirs(data_dir, exist_ok=True)
        value = secrets.token_urlsafe(48)
        # O_EXCL: two processes starting at once must not each write a different secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        return value, None
    except FileExistsError:
        return _read_text(path), None
    except OSError as exc:
        # Reported by /health too: name the setting, not the absolute path.
        return None, f"cannot keep a development secret in TODO_DATA_DIR: {exc.strerror}"


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read().strip()


def _rate_limits(env: Mapping[str, str], problems: list[str]) -> RateLimits | None:
    switch = env.get("AUTH_RATE_LIMIT", "on").strip().lower()
    if switch in ("off", "0", "false", "no"):
        return None
    if switch not in ("on", "1", "true", "yes", ""):
        problems.append(f"AUTH_RATE_LIMIT must be on or off, got {switch!r}")
    defaults = RateLimits()
    per_account = _int(env, "LOGIN_ATTEMPTS_PER_ACCOUNT", defaults.per_account, problems)
    per_address = _int(env, "AUTH_ATTEMPTS_PER_ADDRESS", defaults.per_address, problems)
    return RateLimits(
        per_account=per_account,
        per_account_all_addresses=_int(
            env,
            "LOGIN_ATTEMPTS_PER_ACCOUNT_ALL_ADDRESSES",
            ACCOUNT_WIDE_FACTOR * per_account,
            problems,
        ),
        per_address=per_address,
        registrations_all_addresses=_int(
            env, "REGISTRATIONS_ALL_ADDRESSES", ACCOUNT_WIDE_FACTOR * per_address, problems
        ),
    )


def _split(value: str) -> tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())


def _int(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be an integer, got {raw!r}")
        return default
    if value <= 0:
        problems.append(f"{name} must be positive, got {value}")
        return default
    return value


def _seconds(env: Mapping[str, str], name: str, default: float, problems: list[str]) -> float:
    """A positive, finite number of seconds (fractions allowed: tests wait 0.2 s)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name} must be a number of seconds, got {raw[:40]!r}")
        return default
    if not 0 < value < 3600:  # also refuses nan and inf
        problems.append(f"{name} must be between 0 and 3600 seconds, got {raw[:40]!r}")
        return default
    return value


def _load_dotenv() -> None:
    """Read ./.env if there is one; real environment variables win."""
    if not os.path.exists(".env"):
        return
    from dotenv import load_dotenv

    load_dotenv(".env", override=False)
