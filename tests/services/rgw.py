"""A real S3 server for the tests: Ceph RADOS Gateway on a one-OSD memstore cluster.

Started once per test session (≈10-20 s) in a temp dir on free loopback ports, following
shared/recipes.md: a monitor, one OSD on memstore (restarted when it exits at boot, a
known race with its monitor session) and radosgw with the beast frontend, then an S3
user. Skipped with a one-line reason only when the Debian packages are absent
(scripts/system-packages.txt installs them: radosgw, ceph-mon, ceph-osd).

Fixtures: `rgw` (session: endpoint, credentials) and `s3_bucket` (a fresh bucket).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.ports import free_port

BINARIES = (
    "ceph-authtool",
    "monmaptool",
    "ceph-mon",
    "ceph-osd",
    "ceph",
    "radosgw",
    "radosgw-admin",
)
ACCESS_KEY = "TODOTESTACCESSKEY0001"
SECRET_KEY = "todo-test-secret-key-0000000000000000000"
REGION = "us-east-1"


@dataclass(frozen=True)
class RGW:
    endpoint: str
    access_key: str
    secret_key: str
    region: str

    def env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The environment a deployment would set to use `bucket` on this server."""
        return {
            "STORAGE_URL": f"s3://{bucket}/{prefix}",
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
        }


def _wait_port(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


class _Cluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.conf = root / "ceph.conf"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.mon_port = free_port()
        self.rgw_port = free_port()

    def run(self, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
        return result.stdout

    def ceph(self, *args: str, within: float = 30) -> str:
        """A `ceph` CLI call, retried while the monitor is still settling (EPERM/timeouts)."""
        deadline = time.monotonic() + within
        while True:
            try:
                return self.run("ceph", "-c", str(self.conf), "--connect-timeout", "5", *args)
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.out").open("ab")
        # If pytest is killed before its teardown, the daemons go with it (util-linux).
        guard = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []
        proc = subprocess.Popen(
            [*guard, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def write_conf(self, fsid: str) -> None:
        r = self.root
        self.conf.write_text(
            f"""[global]
fsid = {fsid}
mon host = v1:127.0.0.1:{self.mon_port}
mon initial members = a
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = {r}/run
log file = {r}/log/$name.log
admin socket = {r}/run/$name.asok
keyring = {r}/keyring
mon data = {r}/mon/$cluster-$id
osd data = {r}/osd/$cluster-$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
osd crush chooseleaf type = 0
mon max pg per osd = 1000
paxos propose interval = 0.05
[osd]
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:{self.rgw_port}
rgw data = {r}/rgw
"""
        )

    def start(self) -> RGW:
        r = self.root
        for sub in ("run", "log", "mon", "osd", "rgw"):
            (r / sub).mkdir()
        fsid = str(uuid.uuid4())
        self.write_conf(fsid)
        conf = str(self.conf)
        keyring = str(r / "keyring")
        self.run("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", "mon.",
                 "--cap", "mon", "allow *")  # fmt: skip
        monmap = str(r / "monmap")
        self.run("monmaptool", "--create", "--fsid", fsid, "--addv", "a",
                 f"[v1:127.0.0.1:{self.mon_port}]", monmap)  # fmt: skip
        self.run("ceph-mon", "-c", conf, "--mkfs", "-i", "a", "--monmap", monmap,
                 "--keyring", keyring)  # fmt: skip
        self.spawn("mon", "ceph-mon", "-c", conf, "-f", "-i", "a")
        if not _wait_port(self.mon_port, time.monotonic() + 30):
            raise RuntimeError(f"ceph-mon did not listen; see {r}/mon.out")

        osd_uuid = str(uuid.uuid4())
        osd_id = self.ceph("osd", "create", osd_uuid).strip()
        (r / "osd" / f"ceph-{osd_id}").mkdir(parents=True, exist_ok=True)
        self.run("ceph-osd", "-c", conf, "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid)
        self._start_osd(conf, osd_id)

        rgw = self.spawn("rgw", "radosgw", "-c", conf, "-f", "-n", "client.rgw.a")
        deadline = time.monotonic() + 90
        while not _wait_port(self.rgw_port, min(deadline, time.monotonic() + 1)):
            if rgw.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"radosgw did not start; see {r}/rgw.out and {r}/log")
        self.run("radosgw-admin", "-c", conf, "user", "create", "--uid=test",
                 "--display-name=test", f"--access-key={ACCESS_KEY}",
                 f"--secret-key={SECRET_KEY}")  # fmt: skip
        return RGW(f"http://127.0.0.1:{self.rgw_port}", ACCESS_KEY, SECRET_KEY, REGION)

    def _start_osd(self, conf: str, osd_id: str) -> None:
        # The OSD sometimes exits during boot (a race with its monitor session): restart.
        for _attempt in range(10):
            osd = self.spawn(f"osd{_attempt}", "ceph-osd", "-c", conf, "-f", "-i", osd_id)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and osd.poll() is None:
                dump = json.loads(self.ceph("osd", "dump", "--format", "json"))
                if any(o.get("up") == 1 for o in dump.get("osds", [])):
                    return
                time.sleep(0.3)
            with contextlib.suppress(ProcessLookupError):
                osd.kill()
            osd.wait()
        raise RuntimeError(f"ceph-osd never came up; see {self.root}/osd*.out")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def rgw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RGW]:
    """A running Ceph RGW (S3 API) with a test user, for the whole session."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing:
        pytest.skip(f"Ceph RGW not installed (missing {', '.join(missing)}); see recipes.md")
    cluster = _Cluster(tmp_path_factory.mktemp("rgw"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def s3_bucket(rgw: RGW) -> str:
    """A fresh, empty bucket on the session's RGW."""
    from todo_api.storage.blobs.s3 import S3BlobStore

    name = f"test-{uuid.uuid4().hex[:20]}"
    S3BlobStore.from_url(f"s3://{name}", rgw.env(name)).create_bucket()
    return name
