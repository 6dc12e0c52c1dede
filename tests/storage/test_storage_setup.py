"""`todo-api storage-setup`: a real bucket on Ceph RGW becomes usable from the browser."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from tests.services.rgw import RGW


def setup_command(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "todo_api", "storage-setup"],
        env={"PATH": os.environ["PATH"], **env}, cwd=cwd,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def cors_preflight(endpoint: str, bucket: str, origin: str) -> httpx.Headers:
    headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
    return httpx.options(f"{endpoint}/{bucket}/some-key", headers=headers, timeout=10).headers


def test_creates_bucket_and_allows_the_frontend(rgw: RGW, tmp_path: Path) -> None:
    bucket = f"setup-{uuid.uuid4().hex[:12]}"
    env = {**rgw.env(bucket), "CORS_ORIGINS": "https://app.example.com"}
    result = setup_command(env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"bucket '{bucket}' ready" in result.stdout
    allowed = cors_preflight(rgw.endpoint, bucket, "https://app.example.com")
    assert allowed.get("access-control-allow-origin") == "https://app.example.com"
    refused = cors_preflight(rgw.endpoint, bucket, "https://evil.example")
    assert "access-control-allow-origin" not in refused
    # Running it again (an existing bucket) is fine.
    assert setup_command(env, tmp_path).returncode == 0


def test_reports_unreachable_storage_in_one_line(tmp_path: Path) -> None:
    env = {
        "STORAGE_URL": "s3://nowhere",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1",
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
    }
    result = setup_command(env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("todo-api storage-setup: ")
    assert "Traceback" not in result.stderr


def test_local_folder_needs_nothing(tmp_path: Path) -> None:
    result = setup_command({"TODO_DATA_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode == 0
    assert "local folder" in result.stdout
