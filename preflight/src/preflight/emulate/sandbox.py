"""A Lambda-shaped box for the function process: bubblewrap, plus pasta for ports.

What Lambda gives a function and what this reproduces: a read-only filesystem with the
code at /var/task; a private, writable /tmp of 512 MB; a HOME nobody can write; only the
environment variables configured; a memory cap; no way out to the network except what
preflight forwards (here: chosen host loopback ports, e.g. a test Postgres, via pasta).

The function process starts behind a gate (a pipe it reads one byte from before
importing anything) so pasta's forwards exist before the app's import-time code runs;
bwrap's own --block-fd would do, but pasta cannot join the namespace while bwrap holds
the child there. Without root, network namespaces are out of reach for the HTTP client,
so the box shares the host network and says so; without bwrap there is no box at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from preflight.emulate.errors import EmulatorError
from preflight.emulate.tools import which

TASK_ROOT = "/var/task"
IPC_MOUNT = "/var/runtime/ipc"  # where the runtime's IPC socket appears inside the box
SANDBOX_HOME = "/home/sbx_user1051"  # Lambda's user; absent, under a read-only root
GATE_ENV = "__PREFLIGHT_GATE_FD"
BOX_TMP = "/tmp"  # noqa: S108 - the box's own private tmpfs, not the host's /tmp


@dataclass(frozen=True)
class Policy:
    """Limits of one function instance (Vercel defaults: 2 GB memory, 512 MB /tmp)."""

    memory_mb: int = 2048
    tmp_mb: int = 512
    forward_ports: tuple[int, ...] = ()  # host loopback TCP ports the function may reach
    hide: tuple[Path, ...] = ()  # host directories the function must not see (the source)


@dataclass(frozen=True)
class Capabilities:
    """What this machine can enforce; `missing` lists what is then NOT checked."""

    bwrap: bool
    isolated_network: bool
    memory_limit: bool
    missing: tuple[str, ...] = field(default=())
    reason: str = ""

    @property
    def sandboxed(self) -> bool:
        return self.bwrap


def _bwrap_works(bwrap: Path) -> str | None:
    try:
        proc = subprocess.run(
            [
                str(bwrap),
                "--ro-bind",
                "/",
                "/",
                "--size",
                str(1 << 20),
                "--tmpfs",
                BOX_TMP,
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--unshare-pid",
                "--die-with-parent",
                "--",
                "/bin/true",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "bwrap failed"
    return None


def detect() -> Capabilities:
    """Probe bwrap, pasta, prlimit and privileges once; say precisely what is missing."""
    missing: list[str] = []
    bwrap = which("bwrap")
    if bwrap is None:
        problem: str | None = "bwrap not found (Debian: apt-get install bubblewrap)"
    else:
        problem = _bwrap_works(bwrap)
    memory = which("prlimit") is not None
    if problem is not None:
        missing = [
            "read-only filesystem (writes into the code folder and HOME succeed here)",
            "512 MB private /tmp",
            "hiding this machine's files from the function",
            "network isolation (the function can reach any host)",
        ]
        if not memory:
            missing.append("memory limit (prlimit not found)")
        return Capabilities(
            bwrap=False,
            isolated_network=False,
            memory_limit=memory,
            missing=tuple(missing),
            reason=f"sandbox unavailable: {problem}",
        )
    isolated = os.geteuid() == 0
    if not isolated:
        missing.append("network isolation (needs root to enter the box's network namespace)")
    elif which("pasta") is None:
        missing.append("forwarded ports (pasta not found; Debian: apt-get install passt)")
    if not memory:
        missing.append("memory limit (prlimit not found)")
    return Capabilities(
        bwrap=True, isolated_network=isolated, memory_limit=memory, missing=tuple(missing)
    )


def bwrap_argv(
    bwrap: Path,
    python: Path,
    task_dir: Path,
    ipc_dir: Path,
    policy: Policy,
    isolate_network: bool,
) -> list[str]:
    """The bwrap command line (without the command inside the box)."""
    argv = [
        str(bwrap),
        "--ro-bind", "/", "/",
        "--tmpfs", "/var",
        "--ro-bind", "/var/lib", "/var/lib",
        "--ro-bind", str(task_dir), TASK_ROOT,
        "--ro-bind", str(ipc_dir), IPC_MOUNT,
        "--remount-ro", "/var",
        "--size", str(policy.tmp_mb * 1024 * 1024), "--tmpfs", BOX_TMP,
    ]  # fmt: skip
    interpreter_root = python.resolve().parent.parent
    for hidden in policy.hide:
        if hidden.is_dir() and not interpreter_root.is_relative_to(hidden):
            argv += ["--tmpfs", str(hidden), "--remount-ro", str(hidden)]
    if interpreter_root.is_relative_to(BOX_TMP):  # e.g. a uv-managed Python under /tmp
        argv += ["--ro-bind", str(interpreter_root), str(interpreter_root)]
    argv += [
        "--dev", "/dev", "--proc", "/proc",
        "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--cap-drop", "ALL", "--die-with-parent", "--new-session",
        "--chdir", TASK_ROOT,
    ]  # fmt: skip
    if isolate_network:
        argv.append("--unshare-net")
    return argv


def _read_info(fd: int, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
        try:
            info = json.loads(buf)
        except ValueError:
            continue
        if isinstance(info, dict):
            return info
    raise EmulatorError(f"bwrap did not report its child ({buf[:200]!r})")


CLONE_NEWNET = 0x40000000  # <sched.h>; os.CLONE_NEWNET only exists from 3.12


def enter_net_namespace(fd: int) -> None:
    """setns(fd, CLONE_NEWNET) for the calling thread. `os.setns` is CPython 3.12+; the
    package supports 3.11 too, where libc's setns(2) is called directly."""
    if sys.version_info >= (3, 12):
        os.setns(fd, os.CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


class BoxedProcess:
    """The function's process, in the box or (when unavailable) directly on the host."""

    def __init__(
        self,
        popen: subprocess.Popen[bytes],
        netns_pid: int | None,
        pasta_pidfile: Path | None,
    ) -> None:
        self.popen = popen
        self.netns_pid = netns_pid
        self._pasta_pidfile = pasta_pidfile

    def connect(self, port: int, timeout: float) -> socket.socket:
        """A TCP connection to 127.0.0.1:port *inside* the box's network namespace.

        setns() moves only the calling thread, so a short-lived thread enters the
        namespace, creates the socket (which stays bound to that namespace) and exits.
        """
        if self.netns_pid is None:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        result: list[socket.socket | BaseException] = []
        path = f"/proc/{self.netns_pid}/ns/net"

        def enter_and_connect() -> None:
            try:
                fd = os.open(path, os.O_RDONLY)
                try:
                    enter_net_namespace(fd)
                finally:
                    os.close(fd)
                result.append(socket.create_connection(("127.0.0.1", port), timeout=timeout))
            except BaseException as exc:  # handed to the caller's thread below
                result.append(exc)

        thread = threading.Thread(target=enter_and_connect, name="preflight-netns")
        thread.start()
        thread.join()
        outcome = result[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def stop(self) -> None:
        """Kill the function and its pasta; idempotent."""
        if self.popen.poll() is None:
            self.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        if self._pasta_pidfile is not None:
            try:
                pid = int(self._pasta_pidfile.read_text().strip())
                os.kill(pid, 9)
            except (OSError, ValueError):
                pass
            self._pasta_pidfile = None


def _start_pasta(pid: int, ports: tuple[int, ...], pidfile: Path) -> None:
    pasta = which("pasta")
    if pasta is None:
        raise EmulatorError("pasta not found (Debian: apt-get install passt) to forward ports")
    spec = ",".join(str(p) for p in ports)
    argv = [str(pasta), "--runas", "0", "-q", "--netns", f"/proc/{pid}/ns/net"]
    argv += ["-T", spec, "-P", str(pidfile)]
    last = ""
    for _ in range(50):  # the namespace may not be joinable for the first few ms
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        if proc.returncode == 0:
            return
        last = " ".join(line for line in proc.stderr.splitlines() if "syslog" not in line).strip()
        time.sleep(0.02)
    raise EmulatorError(f"pasta could not forward ports {spec}: {last}")


def spawn(
    command: list[str],
    env: dict[str, str],
    task_dir: Path,
    ipc_dir: Path,
    python: Path,
    policy: Policy,
    caps: Capabilities,
) -> BoxedProcess:
    """Start `command` (argv[0] a host path) with exactly `env`, boxed as far as possible.

    `command` must read one byte from the fd named by $__PREFLIGHT_GATE_FD before doing
    anything else; spawn opens the gate once the network forwards are in place.
    """
    gate_r, gate_w = os.pipe()
    info_r = info_w = -1
    argv = list(command)
    full_env = dict(env)
    full_env[GATE_ENV] = str(gate_r)
    pass_fds: list[int] = [gate_r]
    if caps.bwrap:
        bwrap = which("bwrap")
        assert bwrap is not None
        info_r, info_w = os.pipe()
        pass_fds.append(info_w)
        argv = [
            *bwrap_argv(bwrap, python, task_dir, ipc_dir, policy, caps.isolated_network),
            "--info-fd",
            str(info_w),
            "--",
            *command,
        ]
    if caps.memory_limit:
        prlimit = which("prlimit")
        assert prlimit is not None
        argv = [str(prlimit), f"--as={policy.memory_mb * 1024 * 1024}", "--", *argv]
    try:
        popen = subprocess.Popen(
            argv,
            env=full_env,
            cwd=task_dir,
            pass_fds=pass_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        os.close(gate_w)
        raise EmulatorError(f"cannot start the function process: {exc}") from exc
    finally:
        os.close(gate_r)
        if info_w >= 0:
            os.close(info_w)
    boxed = BoxedProcess(popen, None, None)
    try:
        if caps.bwrap:
            info = _read_info(info_r, timeout=30)
            child = info.get("child-pid")
            if not isinstance(child, int):
                raise EmulatorError("bwrap reported no child pid")
            if caps.isolated_network:
                boxed.netns_pid = child
                if policy.forward_ports:
                    boxed._pasta_pidfile = ipc_dir.parent / "pasta.pid"
                    _start_pasta(child, policy.forward_ports, boxed._pasta_pidfile)
        os.write(gate_w, b"g")
    except BaseException:
        boxed.stop()
        raise
    finally:
        os.close(gate_w)
        if info_r >= 0:
            os.close(info_r)
    return boxed
