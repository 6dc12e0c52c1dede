"""Warn when a container keeps its SQLite database where the container's removal loses it.

`docker run` without a volume writes the data folder into the container's own
writable layer: everything looks fine until the image is updated or the container is
recreated, and then every account and task is gone. Nothing fails, so nothing would
say so; `todo-api serve` prints one line on stderr at startup instead (it is a warning,
not a refusal: a throwaway demo container is a fine use).

"In a container" is read from the markers runtimes leave (Docker's /.dockerenv,
Podman's /run/.containerenv, a container cgroup of PID 1, or TODO_PLATFORM=container
from our Dockerfile). "On a volume" means the folder sits on a mount of its own in
/proc/self/mountinfo, not on the container's root filesystem and not on a tmpfs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
# Filesystems that live in memory: a mount of one is no more durable than the layer.
MEMORY_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})
_CGROUP_MARKERS = re.compile(r"docker|kubepods|containerd|libpod|lxc|crio")


@dataclass(frozen=True)
class Mount:
    point: str
    fstype: str


def parse_mountinfo(text: str) -> list[Mount]:
    """Mount points and filesystem types from proc(5)'s mountinfo format:
    `36 35 98:0 /root /mnt/point rw,noatime master:1 - ext4 /dev/vda rw`."""
    mounts = []
    for line in text.splitlines():
        before, separator, after = line.partition(" - ")
        fields = before.split()
        if not separator or len(fields) < 5 or not after.split():
            continue
        mounts.append(Mount(point=_unescape(fields[4]), fstype=after.split()[0]))
    return mounts


def _unescape(field: str) -> str:
    """The kernel writes space, tab, newline and backslash in paths as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match[1], 8)), field)


def covering_mount(folder: Path, mounts: list[Mount]) -> Mount | None:
    """The mount a file in `folder` lands on: the longest mount point above it (the
    last one listed wins, as a later mount hides an earlier one on the same point)."""
    best: Mount | None = None
    for mount in mounts:
        point = Path(mount.point)
        if (folder == point or point in folder.parents) and (
            best is None or len(point.parts) >= len(Path(best.point).parts)
        ):
            best = mount
    return best


def container_marker(root: Path, environ: Mapping[str, str]) -> str | None:
    """What says this process runs in a container, or None."""
    if environ.get("TODO_PLATFORM") == "container":
        return "TODO_PLATFORM=container"
    for marker in ("/.dockerenv", "/run/.containerenv"):
        if (root / marker.lstrip("/")).exists():
            return marker
    try:
        cgroup = (root / "proc/1/cgroup").read_text()
    except OSError:
        return None
    return "the cgroup of PID 1" if _CGROUP_MARKERS.search(cgroup) else None


def sqlite_folder(database_url: str) -> Path | None:
    """The folder of a `sqlite:///path` database (relative to the working directory)."""
    if not database_url.startswith("sqlite:///"):
        return None
    return Path(database_url.removeprefix("sqlite:///")).parent


def data_loss_warning(
    database_url: str,
    *,
    environ: Mapping[str, str] | None = None,
    root: Path = Path("/"),
    mountinfo: Path = MOUNTINFO,
) -> str | None:
    """The one-line warning for a container whose SQLite folder is not on a volume."""
    folder = sqlite_folder(database_url)
    if folder is None:
        return None
    marker = container_marker(root, os.environ if environ is None else environ)
    if marker is None:
        return None
    try:
        mounts = parse_mountinfo(mountinfo.read_text())
    except OSError:
        return None  # no /proc (not Linux): nothing to go on, so say nothing
    where = Path(os.path.realpath(folder))
    mount = covering_mount(where, mounts)
    if mount is None:
        return None
    if mount.fstype in MEMORY_FILESYSTEMS:
        reason = f"is on a {mount.fstype} (memory)"
    elif mount.point == "/":
        reason = "is not on a mounted volume"
    else:
        return None
    return (
        f"todo-api: warning: running in a container ({marker}) and the SQLite database's "
        f"folder {where} {reason}: its accounts and tasks are lost when the container is "
        f"removed; mount a volume there (docker run -v todo-data:{where} ...) or set "
        "DATABASE_URL to a PostgreSQL URL"
    )
