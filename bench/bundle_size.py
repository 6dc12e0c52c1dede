"""Unzipped size of what Vercel / Lambda ship for todo_api, against the seeds' stack.

Both are installed the way the platform's builder does it: wheels for manylinux x86_64
and CPython 3.12, into a fresh folder. todo_api's set is its locked runtime
dependencies (uv.lock, no dev group); the baseline is FastAPI + SQLModel + psycopg 3.
The limit that matters to users is Vercel's 250 MB; our own target is 15 MB. What
ships is what is left after vercel.json's build command (deploy/trim_vercel_bundle.py,
applied here to the same folder); tests/test_vercel_bundle.py checks it against the
real builder's output.

Run: .venv/bin/python bench/bundle_size.py   (writes bench/results/bundle_size.md)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from trim_vercel_bundle import trim  # deploy/ is a script folder, not a package

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


def measure() -> tuple[float, float, float, list[tuple[str, float]]]:
    """(todo_api installed MB, todo_api shipped MB, the seeds' stack MB, largest shipped)."""
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
        installed_mb = size_mb(ours)
        trim(ours)
        install(PEER, peer)
        return installed_mb, size_mb(ours), size_mb(peer), largest(ours)


def vercel_function_mb() -> str:
    """The function folder Vercel's real builder makes (via preflight), or why not measured.

    It adds what the install above lacks: vercel-runtime, the project's own files, and
    whatever the build command leaves in the builder's venv (it seeds pip there).
    """
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "not measured (Node.js/npm missing)"
    from preflight.emulate.session import Builder, build_function

    with tempfile.TemporaryDirectory() as tmp:
        built, _ = build_function(ROOT, Path(tmp), Builder.VERCEL, "3.12", {}, lambda _: None)
        return f"{size_mb(built.task_dir):.1f} MB ({built.builder})"


def main() -> None:
    installed_mb, ours_mb, peer_mb, biggest = measure()
    built = vercel_function_mb()
    rows = "\n".join(f"| {name} | {mb:.1f} MB |" for name, mb in biggest)
    report = f"""# Bundle size (unzipped): what the function ships

Measured {time.strftime("%Y-%m-%d")} with `bench/bundle_size.py` (wheels for manylinux
x86_64, CPython 3.12, as Vercel's builder installs them).

| bundle | size | vs target 15 MB |
|---|---|---|
| todo_api as shipped (after vercel.json's build command) | **{ours_mb:.1f} MB** | {ours_mb / 15:.2f}x |
| todo_api installed (locked runtime dependencies + the package) | {installed_mb:.1f} MB | {installed_mb / 15:.2f}x |
| the seeds' stack (FastAPI + SQLModel + psycopg[binary] + PyJWT + bcrypt + uvicorn) | {peer_mb:.1f} MB | {peer_mb / 15:.2f}x |

The function folder Vercel's builder produces for this repository (`vercel build` as
`preflight run` runs it): {built}.

Largest packages in todo_api's shipped bundle:

| package | size |
|---|---|
{rows}
"""
    out = ROOT / "bench" / "results" / "bundle_size.md"
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    sys.exit(main())
