"""Versions compared as PEP 440 says, not as spelled: a pin `googletrans==4.0.0-rc1`, a
uv.lock entry and the index's `4.0.0rc1` are one release (it was "no such release")."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version


def normal_version(version: str) -> str:
    """PEP 440's normal form ("4.0.0-rc1" -> "4.0.0rc1", "v1.0" -> "1.0"), so a pin, a
    lock and the index name one release alike; an invalid version is kept as written."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def same_version(a: str, b: str) -> bool:
    """PEP 440 equality (2.0 == 2.0.0 == v2.0); invalid versions compare as written."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b
