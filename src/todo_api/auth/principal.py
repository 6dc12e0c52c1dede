"""Who is calling: taken from a verified token, without a database round trip."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    id: str
    email: str


ANONYMOUS = Principal(id="", email="")
