"""Where the process is running, which decides what a safe default is.

Serverless platforms give a read-only code directory and an ephemeral /tmp, so the
laptop defaults (SQLite file, ./data folder, a generated dev secret) must be refused
there with a clear error instead of crashing or silently losing data.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping


class Platform(enum.StrEnum):
    LOCAL = "local"
    CONTAINER = "container"
    VERCEL = "vercel"
    LAMBDA = "lambda"

    @property
    def serverless(self) -> bool:
        return self in (Platform.VERCEL, Platform.LAMBDA)


def detect_platform(environ: Mapping[str, str] | None = None) -> Platform:
    """Read the markers each platform sets in the function's environment."""
    env = os.environ if environ is None else environ
    if env.get("VERCEL") == "1" or "VERCEL_ENV" in env:
        return Platform.VERCEL
    if "AWS_LAMBDA_FUNCTION_NAME" in env or "LAMBDA_TASK_ROOT" in env:
        return Platform.LAMBDA
    # Set by our Dockerfile. Not /.dockerenv: development machines run in containers too.
    if env.get("TODO_PLATFORM") == "container":
        return Platform.CONTAINER
    return Platform.LOCAL
