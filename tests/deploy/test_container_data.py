"""A container on the SQLite default without a volume loses its data when it is
replaced: `todo-api serve` says so in one line on stderr at startup. The detection is
tested on real mountinfo text (a Docker container's with and without a volume, and
this machine's own), the warning through `todo-api serve` itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.services.app_process import start, stop
from todo_api.container_data import (
    Mount,
    container_marker,
    covering_mount,
    data_loss_warning,
    parse_mountinfo,
)

MOUNTINFO = Path(__file__).parent / "mountinfo"
# /proc/self/mountinfo of `docker run -v todo-data:/app/data todo-api` (Docker 24,
# overlay2): the root is the container's overlay, the volume an ext4 mount of its own.
DOCKER_WITH_VOLUME = (MOUNTINFO / "docker-with-volume.txt").read_text().strip()
# The same container run without -v: /app/data is part of the overlay.
DOCKER_WITHOUT_VOLUME = "\n".join(
    line for line in DOCKER_WITH_VOLUME.splitlines() if " /app/data " not in line
)
# A volume on a path with a space (the kernel writes it as \040), and --tmpfs /app/data.
ESCAPED = DOCKER_WITHOUT_VOLUME + (
    "\n624 612 8:1 /vol /srv/my\\040data rw,relatime - ext4 /dev/sda1 rw"
    "\n625 612 0:60 / /app/data rw,nosuid,nodev - tmpfs tmpfs rw,size=65536k"
)
CONTAINER = {"TODO_PLATFORM": "container"}


def warning_for(tmp_path: Path, mountinfo: str, url: str, env: dict[str, str]) -> str | None:
    path = tmp_path / "mountinfo"
    path.write_text(mountinfo + "\n")
    return data_loss_warning(url, environ=env, root=tmp_path / "root", mountinfo=path)


def test_mountinfo_is_parsed_with_the_kernels_escapes() -> None:
    mounts = parse_mountinfo(ESCAPED)
    assert mounts[0] == Mount("/", "overlay")
    assert Mount("/srv/my data", "ext4") in mounts
    assert covering_mount(Path("/srv/my data/db"), mounts) == Mount("/srv/my data", "ext4")
    assert covering_mount(Path("/srv/my"), mounts) == Mount("/", "overlay")
    # /app/data-old is not under /app/data: path components, not string prefixes.
    with_volume = parse_mountinfo(DOCKER_WITH_VOLUME)
    assert covering_mount(Path("/app/data-old"), with_volume) == Mount("/", "overlay")
    assert covering_mount(Path("/app/data/x"), with_volume) == Mount("/app/data", "ext4")


def test_a_folder_on_the_containers_own_layer_is_warned_about(tmp_path: Path) -> None:
    url = "sqlite:////app/data/todo.sqlite3"
    warning = warning_for(tmp_path, DOCKER_WITHOUT_VOLUME, url, CONTAINER)
    assert warning is not None
    assert "/app/data is not on a mounted volume" in warning
    assert "docker run -v todo-data:/app/data" in warning
    assert "\n" not in warning
    assert warning_for(tmp_path, DOCKER_WITH_VOLUME, url, CONTAINER) is None


def test_a_tmpfs_is_no_volume(tmp_path: Path) -> None:
    warning = warning_for(tmp_path, ESCAPED, "sqlite:////app/data/todo.sqlite3", CONTAINER)
    assert warning is not None
    assert "is on a tmpfs (memory)" in warning


def test_only_sqlite_in_a_container_is_warned_about(tmp_path: Path) -> None:
    postgres = "postgresql://todo@db.internal/todo"
    assert warning_for(tmp_path, DOCKER_WITHOUT_VOLUME, postgres, CONTAINER) is None
    # No container marker under this root and no TODO_PLATFORM: a laptop, say nothing.
    (tmp_path / "root").mkdir()
    sqlite = "sqlite:////app/data/todo.sqlite3"
    assert warning_for(tmp_path, DOCKER_WITHOUT_VOLUME, sqlite, {}) is None


@pytest.mark.parametrize(
    ("marker", "content", "expected"),
    [
        (".dockerenv", "", "/.dockerenv"),
        ("run/.containerenv", 'engine="podman-4.9"\n', "/run/.containerenv"),
        ("proc/1/cgroup", "0::/kubepods/besteffort/pod1f2e/0a9b\n", "the cgroup of PID 1"),
        ("proc/1/cgroup", "12:pids:/docker/0f3e9a\n", "the cgroup of PID 1"),
        ("proc/1/cgroup", "0::/init.scope\n", None),
    ],
)
def test_container_markers(tmp_path: Path, marker: str, content: str, expected: str | None) -> None:
    (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / marker).write_text(content)
    assert container_marker(tmp_path, {}) == expected


def test_this_machines_own_mountinfo_is_read(tmp_path: Path) -> None:
    # Whatever this machine mounts, its root mount is found and tmp_path lands on a mount.
    mounts = parse_mountinfo(Path("/proc/self/mountinfo").read_text())
    assert any(mount.point == "/" for mount in mounts)
    assert covering_mount(tmp_path, mounts) is not None


def serve_output(tmp_path: Path, **env: str) -> str:
    """`todo-api serve` started and stopped; what it wrote to stdout and stderr."""
    app = start({"BETTER_AUTH_SECRET": "x" * 40, "LOG_LEVEL": "INFO", **env}, tmp_path)
    stop(app)
    return app.log.read_text()


def _folder_on_root(tmp_path: Path) -> bool:
    mounts = parse_mountinfo(Path("/proc/self/mountinfo").read_text())
    covering = covering_mount(tmp_path, mounts)
    return covering is not None and covering.point == "/"


def test_serve_warns_in_one_line_for_a_container_without_a_volume(tmp_path: Path) -> None:
    if not _folder_on_root(tmp_path):
        pytest.skip("the temp folder is on a mount of its own here, so it counts as a volume")
    output = serve_output(tmp_path, TODO_PLATFORM="container")
    lines = [line for line in output.splitlines() if "todo-api: warning" in line]
    assert len(lines) == 1, output
    assert f"folder {tmp_path.resolve() / 'data'} is not on a mounted volume" in lines[0]
    assert "Traceback" not in output


def test_serve_on_a_tmpfs_data_folder_warns(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    mounts = parse_mountinfo(Path("/proc/self/mountinfo").read_text())
    if covering_mount(shm, mounts) != Mount(str(shm), "tmpfs"):
        pytest.skip("/dev/shm is not a tmpfs here")
    data = shm / f"todo-test-{tmp_path.name}"
    try:
        output = serve_output(tmp_path, TODO_PLATFORM="container", TODO_DATA_DIR=str(data))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    assert f"folder {data} is on a tmpfs (memory)" in output, output


@pytest.mark.postgres
def test_serve_on_postgres_says_nothing(tmp_path: Path, postgres_url: str) -> None:
    output = serve_output(tmp_path, TODO_PLATFORM="container", DATABASE_URL=postgres_url)
    assert "todo-api: warning" not in output
    assert "Uvicorn running" in output or "Application startup complete" in output, output
