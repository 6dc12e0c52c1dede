"""Option types shared by the subcommands: enum choices whose environment defaults are
validated like the flag itself (argparse never checks `choices` against a default, so
`PREFLIGHT_FORMAT=xml` used to crash deep inside), and boolean environment switches.
"""

from __future__ import annotations

import argparse
import enum
import os
from collections.abc import Callable
from typing import TypeVar

from preflight.errors import UsageError

E = TypeVar("E", bound=enum.StrEnum)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def enum_type(kind: type[E], env: str | None = None) -> Callable[[str], E]:
    """An argparse `type` for a str enum; argparse applies it to a string default too,
    so a default read from `env` is validated when it is used, with the variable named."""

    def parse(value: str) -> E:
        try:
            return kind(value.strip().lower())
        except ValueError:
            origin = f" (from {env})" if env and os.environ.get(env) == value else ""
            choices = ", ".join(member.value for member in kind)
            raise argparse.ArgumentTypeError(f"{value!r}{origin} is not one of {choices}") from None

    parse.__name__ = kind.__name__.lower()
    return parse


def metavar(kind: type[enum.StrEnum]) -> str:
    return "{" + ",".join(member.value for member in kind) + "}"


def env_flag(name: str) -> bool:
    """A boolean environment switch; anything but a clear yes/no is a usage error."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"{name}={os.environ[name]!r}: use 1 or 0")
