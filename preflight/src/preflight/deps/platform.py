"""The target platform's wheel tags and marker environment.

Vercel installs with `uv sync --python-platform x86_64-unknown-linux-gnu`
(packages/python/src/uv.ts UV_LINUX_TARGET), which uv defines as manylinux_2_28 x86_64;
AWS Lambda's Python runtimes (Amazon Linux 2023, glibc 2.34) accept the same wheels.
"""

from __future__ import annotations

import re
from functools import cache

from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

GLIBC_MINOR = 28
PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(GLIBC_MINOR, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
PLATFORM_LABEL = "manylinux x86_64 (glibc 2.28)"
# Distributions in every Vercel bundle whatever the manifest says: the builder creates its
# venv with `uv venv --seed` (vercel/vercel packages/python/src/utils.ts: "--seed installs
# pip into the venv") and installs its own runtime; seen with vercel 64.0.2 (pip 7.2 MB,
# vercel_runtime 2.1 MB in the bundle). Importing them never fails on Vercel.
BUILDER_INSTALLED = frozenset({"pip", "vercel-runtime"})


def version_tuple(python: str) -> tuple[int, int]:
    major, minor = python.split(".")[:2]
    return int(major), int(minor)


@cache
def target_tags(python: str) -> frozenset[Tag]:
    """Every wheel tag the target CPython on manylinux x86_64 accepts."""
    version = version_tuple(python)
    interpreter = f"cp{version[0]}{version[1]}"
    tags = set(cpython_tags(version, platforms=PLATFORMS))
    tags |= set(compatible_tags(version, interpreter, platforms=PLATFORMS))
    return frozenset(tags)


def wheel_tags(filename: str) -> frozenset[Tag] | None:
    try:
        return frozenset(parse_wheel_filename(filename)[3])
    except InvalidWheelFilename:
        return None


def wheel_fits(filename: str, python: str) -> bool:
    tags = wheel_tags(filename)
    return tags is not None and bool(tags & target_tags(python))


def is_binary_wheel(filename: str) -> bool:
    tags = wheel_tags(filename)
    return tags is not None and any(t.platform != "any" for t in tags)


def marker_environment(python: str) -> dict[str, str]:
    """PEP 508 marker values of the target (Linux x86_64 CPython)."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "linux",
        "extra": "",
    }


_SO_TAG = re.compile(r"\.(cpython-(\d)(\d+)[a-z]*-([\w-]+)|abi3|cp(\d)(\d+)-[\w]+)\.(so|pyd)$")


def binary_mismatch(filename: str, python: str, head: bytes) -> str | None:
    """Why a compiled extension file cannot load on the target, or None if it can."""
    lower = filename.lower()
    if lower.endswith(".dylib"):
        return "a macOS library (.dylib)"
    if lower.endswith((".pyd", ".dll")):
        return "a Windows extension (.pyd/.dll)"
    match = _SO_TAG.search(lower)
    if match and match.group(2):
        got = f"{match.group(2)}.{match.group(3)}"
        platform = match.group(4)
        if "darwin" in platform:
            return f"built for macOS (CPython {got})"
        if "x86_64-linux" not in platform:
            return f"built for {platform} (CPython {got})"
        if got != python:
            return f"built for CPython {got}, the function runs {python}"
    if head[:4] in {b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xce\xfa\xed\xfe"}:
        return "a macOS (Mach-O) binary"
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        machine = int.from_bytes(head[18:20], "little")
        if machine != 62:  # EM_X86_64
            return "an ELF binary for another CPU (not x86_64)"
    return None


def describe_tags(filename: str) -> str:
    tags = wheel_tags(filename)
    if not tags:
        return filename
    return ", ".join(sorted({f"{t.interpreter}-{t.platform}" for t in tags})[:3])


__all__ = ["BUILDER_INSTALLED", "PLATFORM_LABEL", "Tag", "parse_tag", "target_tags", "wheel_fits"]
