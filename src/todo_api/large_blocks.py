"""Large blocks go back to the operating system when freed (glibc's malloc).

glibc serves a block over its mmap threshold (128 KiB at start) with mmap and unmaps it
on free, but when such a block is freed it raises the threshold to that block's size, so
later blocks of that size are carved from a malloc arena instead. An arena is shared by
several threads and keeps what they free: argon2's 19 MiB buffer per hash then stays
resident, and once another thread's small blocks land in the freed space the next hash
takes a second 19 MiB beside it (seen: an instance 55 -> 74 MB in one step under the
mixed load of tests/core/test_scale_out.py, in about a third of the runs). Fixing the
threshold (mallopt M_MMAP_THRESHOLD turns the raising off) keeps every block of 1 MiB
and over in its own mapping, so a process's memory stays flat after a hash.

A no-op where the C library has no mallopt (musl, macOS).
"""

from __future__ import annotations

from functools import cache

_M_MMAP_THRESHOLD = -3  # glibc <malloc.h>
_THRESHOLD = 1 << 20  # smaller than any buffer we hash with, larger than most requests'


@cache
def return_to_os_when_freed() -> None:
    """Called once before the first large allocation that would stay behind (argon2)."""
    import ctypes  # only here: a cold start that never hashes does not load it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
