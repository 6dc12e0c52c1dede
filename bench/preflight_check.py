"""Benchmark `preflight check` on a generated ~100k-line web app, next to bandit.

    .venv/bin/python bench/preflight_check.py [--lines 100000] [--runs 3] [--online]

Generates a Flask-style project whose entrypoint imports every module (so the whole
tree is in the import closure and every code rule visits every file), checks it with
the committed PyPI cache (offline, CPU only) and, with --online, once more against PyPI
with an empty cache. Bandit runs over the same tree in the same process environment
(installed into the venv for the benchmark only, if missing). Writes
bench/results/preflight_check.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from preflight.engine import run_check

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "preflight" / "tests" / "fixtures" / "check" / "pypi-cache"
RESULTS = ROOT / "bench" / "results" / "preflight_check.md"

MODULE = '''"""Generated module {n}: routes, helpers and a little state, like a real app."""

import json
import os
import tempfile
from pathlib import Path

from flask import Blueprint, jsonify, request

bp{n} = Blueprint("bp{n}", __name__)
SETTINGS_{n} = {{"page_size": int(os.environ.get("PAGE_SIZE", "20"))}}
SCRATCH_{n} = Path(tempfile.gettempdir()) / "module{n}"

'''
BLOCK = '''
class Item{n}_{k}:
    """A record with a few fields."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size

    def to_dict(self) -> dict:
        return {{"name": self.name, "size": self.size, "kind": "item{k}"}}


def validate_{n}_{k}(payload: dict) -> list[str]:
    errors = []
    if not isinstance(payload.get("name"), str):
        errors.append("name must be a string")
    if not isinstance(payload.get("size"), int) or payload["size"] < 0:
        errors.append("size must be a positive integer")
    return errors


@bp{n}.post("/items{n}/{k}")
def create_{n}_{k}():
    payload = request.get_json(silent=True) or {{}}
    problems = validate_{n}_{k}(payload)
    if problems:
        return jsonify(errors=problems), 422
    item = Item{n}_{k}(payload["name"], payload["size"])
    SCRATCH_{n}.mkdir(parents=True, exist_ok=True)
    with open(SCRATCH_{n} / "last.json", "w") as f:
        json.dump(item.to_dict(), f)
    return jsonify(item.to_dict()), 201


@bp{n}.get("/items{n}/{k}")
def list_{n}_{k}():
    size = min(int(request.args.get("limit", SETTINGS_{n}["page_size"])), 100)
    return jsonify([Item{n}_{k}(f"item-{{i}}", i).to_dict() for i in range(size)])
'''
BLOCK_LINES = BLOCK.count("\n")


def generate(target_lines: int, where: Path) -> tuple[int, int]:
    """Write the project; returns (files, lines)."""
    blocks_per_module = 5
    module_lines = MODULE.count("\n") + blocks_per_module * BLOCK_LINES
    count = max(1, target_lines // module_lines)
    pkg = where / "webapp"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    lines = 0
    for n in range(count):
        text = MODULE.format(n=n) + "".join(
            BLOCK.format(n=n, k=k) for k in range(blocks_per_module)
        )
        (pkg / f"module{n}.py").write_text(text)
        lines += text.count("\n")
    imports = "".join(f"from webapp.module{n} import bp{n}\n" for n in range(count))
    registers = "".join(f"app.register_blueprint(bp{n})\n" for n in range(count))
    index = f"from flask import Flask\n\n{imports}\napp = Flask(__name__)\n{registers}"
    (where / "app.py").write_text(index)
    (where / "requirements.txt").write_text("flask==3.1.3\n")
    (where / ".python-version").write_text("3.12\n")
    return count + 2, lines + index.count("\n")


def time_preflight(project: Path, runs: int, cache: Path, offline: bool) -> dict[str, float]:
    totals: list[float] = []
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        start = time.perf_counter()
        result = run_check(project, offline=offline, cache_dir=cache)
        totals.append(time.perf_counter() - start)
        for phase, seconds in result.timings.items():
            phases.setdefault(phase, []).append(seconds)
        if result.findings:
            raise SystemExit(f"generated app should be clean, got {result.findings[:3]}")
    out = {"total": statistics.median(totals)}
    out.update({k: statistics.median(v) for k, v in phases.items()})
    return out


def ensure_bandit() -> str | None:
    """bandit in its own venv under the user cache: never a dependency of the project,
    and out of reach of `uv sync`, which prunes .venv to the lock."""
    venv = Path.home() / ".cache" / "preflight-bench" / "bandit-venv"
    bandit = venv / "bin" / "bandit"
    if bandit.exists():
        return str(bandit)
    uv = shutil.which("uv")
    if uv is None:
        return None
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=False)
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "bandit"],
        check=False,
    )
    return str(bandit) if bandit.exists() else None


def time_bandit(bandit: str, project: Path, runs: int) -> float:
    totals = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [bandit, "-r", str(project), "-q", "-f", "json", "-o", "/dev/null"],
            check=False,
            capture_output=True,
        )
        totals.append(time.perf_counter() - start)
    return statistics.median(totals)


def bandit_version(bandit: str) -> str:
    done = subprocess.run([bandit, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "bandit"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--online", action="store_true", help="also time a cold PyPI cache")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "app"
        files, lines = generate(args.lines, project)
        warm = time_preflight(project, args.runs, CACHE, offline=True)
        print(f"preflight: {warm['total']:.2f} s for {files} files, {lines} lines", file=sys.stderr)
        cold = None
        if args.online:
            cold = time_preflight(project, 1, Path(tmp) / "empty-cache", offline=False)
        bandit = ensure_bandit()
        version = bandit_version(bandit) if bandit else "bandit (not installed)"
        bandit_seconds = time_bandit(bandit, project, args.runs) if bandit else None

    rows = [
        "# `preflight check` benchmark",
        "",
        f"Command: `.venv/bin/python bench/preflight_check.py --lines {args.lines} "
        f"--runs {args.runs}{' --online' if args.online else ''}`  ",
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}, {os.cpu_count()} CPUs, load "
        f"average {load:.1f} at start (a shared machine: other work was running); "
        f"median of {args.runs} runs.",
        "",
        f"Generated project: {files} files, {lines} lines (a Flask app whose entrypoint "
        "imports every module, so all of it is in the import closure and every rule "
        "visits every file). Both tools parse every file once and run their own rules: "
        "bandit its security plugins, preflight its F-id rules plus the project model and "
        "dependency resolution.",
        "",
        "| tool | seconds | files/s | lines/s |",
        "|---|---|---|---|",
        f"| preflight check (warm cache, offline) | {warm['total']:.2f} | "
        f"{files / warm['total']:.0f} | {lines / warm['total']:.0f} |",
    ]
    if cold is not None:
        rows.append(
            f"| preflight check (empty cache, PyPI) | {cold['total']:.2f} | "
            f"{files / cold['total']:.0f} | {lines / cold['total']:.0f} |"
        )
    if bandit_seconds is not None:
        rows.append(
            f"| {version} (`-r`, all plugins) | {bandit_seconds:.2f} | "
            f"{files / bandit_seconds:.0f} | {lines / bandit_seconds:.0f} |"
        )
    rows += [
        "",
        "Per phase (preflight, warm cache):",
        "",
        "| phase | seconds | share |",
        "|---|---|---|",
    ]
    for phase, seconds in warm.items():
        if phase != "total":
            rows.append(f"| {phase} | {seconds:.3f} | {seconds / warm['total']:.0%} |")
    if cold is not None:
        rows += [
            "",
            f"Cold cache: the index phase took {cold.get('index', 0):.2f} s "
            "(one request per distribution in the install set, then cached).",
        ]
    text = "\n".join(rows) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
