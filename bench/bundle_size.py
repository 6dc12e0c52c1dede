"""Unzipped size of what Vercel / Lambda ship for todo_api, against the seeds' stack.

Both are installed the way the platform's builder does it: wheels for manylinux x86_64
and CPython 3.12, into a fresh folder. todo_api's set is its locked runtime
dependencies (uv.lock, no dev group); the baseline is FastAPI + SQLModel + psycopg 3.
The limit that matters to users is Vercel's 250 MB; our own target is 15 MB.

Run: .venv/bin/python bench/bundle_size.py   (writes bench/results/bundle_size.md)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ["--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.12"]
PEER = ["fastapi", "sqlmodel", "psycopg[binary]", "pyjwt", "bcrypt", "uvicorn"]


def install(requirements: list[str], folder: Path) -> None:
    subprocess.run(["uv", "pip", "install", "-q", "--target", str(folder), *TARGET,
                    "--only-binary", ":all:", *requirements], check=True)  # fmt: skip


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def largest(folder: Path, count: int = 6) -> list[tuple[str, float]]:
    sizes = [(p.name, size_mb(p)) for p in folder.iterdir() if p.is_dir() and
             not p.name.endswith(".dist-info")]  # fmt: skip
    return sorted(sizes, key=lambda item: -item[1])[:count]


def measure() -> tuple[float, float, list[tuple[str, float]]]:
    """(todo_api MB, the seeds' stack MB, todo_api's largest packages)."""
    with tempfile.TemporaryDirectory() as tmp:
        ours, peer = Path(tmp) / "ours", Path(tmp) / "peer"
        locked = subprocess.run(
            ["uv", "export", "--locked", "--no-dev", "--no-emit-project", "--format",
             "requirements-txt", "--no-hashes"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(locked)
        install(["-r", str(requirements)], ours)
        subprocess.run(["uv", "pip", "install", "-q", "--target", str(ours), *TARGET, "--no-deps",
                        str(ROOT)], check=True)  # fmt: skip
        install(PEER, peer)
        return size_mb(ours), size_mb(peer), largest(ours)


def main() -> None:
    ours_mb, peer_mb, biggest = measure()
    rows = "\n".join(f"| {name} | {mb:.1f} MB |" for name, mb in biggest)
    report = f"""# Bundle size (unzipped): what the function ships

Measured {time.strftime("%Y-%m-%d")} with `bench/bundle_size.py` (wheels for manylinux
x86_64, CPython 3.12, as Vercel's builder installs them).

| bundle | size | vs target 15 MB |
|---|---|---|
| todo_api (locked runtime dependencies + the package) | **{ours_mb:.1f} MB** | {ours_mb / 15:.2f}x |
| the seeds' stack (FastAPI + SQLModel + psycopg[binary] + PyJWT + bcrypt + uvicorn) | {peer_mb:.1f} MB | {peer_mb / 15:.2f}x |

Largest packages in todo_api's bundle:

| package | size |
|---|---|
{rows}
"""
    out = ROOT / "bench" / "results" / "bundle_size.md"
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
