"""Benchmark `preflight check` on Django's source tree (issue 13's reference), next to bandit.

    .venv/bin/python bench/preflight_check.py [--tree django|generated] [--lines 100000]
                                              [--runs 3] [--online]

`--tree django` (the default) checks Django 5.2.19's package as its sdist ships it (877
app files, ~153k lines; downloaded once from PyPI into the user cache, sha256-checked):
a real tree with no entrypoint, so every file is in the closure and every code rule
visits it. `--tree generated` writes a Flask-style project of `--lines` lines whose
entrypoint imports every module. Both tools run as the user runs them, one process per
run (`preflight check --offline` against the committed PyPI cache, `bandit -r`),
interleaved so the shared machine's load falls on both alike; the median of `--runs`.
The per-phase split comes from one extra in-process run. With --online, once more
against PyPI with an empty cache. Writes bench/results/preflight_check.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

from preflight.engine import run_check

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "preflight" / "tests" / "fixtures" / "check" / "pypi-cache"
RESULTS = ROOT / "bench" / "results" / "preflight_check.md"
BENCH_CACHE = Path.home() / ".cache" / "preflight-bench"
DJANGO = "5.2.19"
DJANGO_SDIST = f"django-{DJANGO}.tar.gz"
# PEP 691's JSON form of the simple index names every file's address (the
# files.pythonhosted.org/packages/source/ shortcut is not served by every mirror).
SIMPLE_INDEX = "https://pypi.org/simple/django/"
DJANGO_SHA256 = "ad03d8abc51dbff95ebf34b27123cf0c26a3b62db7ba0cd520783686362533d1"

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


def _sdist_url() -> str:
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    index = json.loads(_download(SIMPLE_INDEX, accept))
    for entry in index["files"]:
        if entry["filename"] == DJANGO_SDIST:
            return str(entry["url"])
    raise SystemExit(f"{SIMPLE_INDEX}: no {DJANGO_SDIST}")


def _download(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return bytes(response.read())


def django_tree(where: Path) -> tuple[int, int]:
    """Django's package and pyproject.toml from its sdist; returns (files, lines) of .py."""
    sdist = BENCH_CACHE / f"django-{DJANGO}.tar.gz"
    if not sdist.exists():
        sdist.parent.mkdir(parents=True, exist_ok=True)
        data = _download(_sdist_url())
        if hashlib.sha256(data).hexdigest() != DJANGO_SHA256:
            raise SystemExit(f"{DJANGO_SDIST}: sha256 mismatch")
        sdist.write_bytes(data)
    prefix = f"django-{DJANGO}/"
    with tarfile.open(sdist) as archive:
        members = [
            m
            for m in archive.getmembers()
            if m.name.startswith(prefix + "django/") or m.name == prefix + "pyproject.toml"
        ]
        for member in members:
            member.name = member.name.removeprefix(prefix)
        archive.extractall(where, members=members, filter="data")
    sources = list((where / "django").rglob("*.py"))
    return len(sources), sum(p.read_bytes().count(b"\n") for p in sources)


def time_phases(project: Path, cache: Path, offline: bool) -> dict[str, float]:
    """One in-process run: where the time goes, phase by phase."""
    start, cpu = time.perf_counter(), time.process_time()
    result = run_check(project, offline=offline, cache_dir=cache)
    out = {"total": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    out.update(result.timings)
    return out


def tool_env() -> dict[str, str]:
    """The environment both tools run in: with bytecode caches, as an install leaves them.
    pip and pipx compile a package's modules when they install it; this machine sets
    PYTHONDONTWRITEBYTECODE=1 and uv installs without compiling, so each run would
    otherwise compile every module it imports from source (~0.3 s of preflight's run).
    The caches go under the user cache (PYTHONPYCACHEPREFIX), never into the repository,
    and one untimed run of each tool writes them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_CACHE / "pycache")
    return env


def time_cli(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run. CPU time (user + system of the child) is
    the fairer figure on a shared machine: a neighbour's load stretches wall time of
    whichever tool happens to run then, not the work each tool does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, env=tool_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def preflight_command(project: Path, cache: Path) -> list[str]:
    preflight = Path(sys.executable).with_name("preflight")
    return [str(preflight), "check", str(project), "--offline", "--cache-dir", str(cache)]


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


def bandit_command(bandit: str, project: Path) -> list[str]:
    return [bandit, "-r", str(project), "-q", "-f", "json", "-o", "/dev/null"]


def bandit_version(bandit: str) -> str:
    done = subprocess.run([bandit, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "bandit"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", choices=["django", "generated"], default="django")
    parser.add_argument("--lines", type=int, default=100_000, help="size of --tree generated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--online", action="store_true", help="also time a cold PyPI cache")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "app"
        if args.tree == "django":
            project.mkdir()
            files, lines = django_tree(project)
        else:
            files, lines = generate(args.lines, project)
        bandit = ensure_bandit()
        version = bandit_version(bandit) if bandit else "bandit (not installed)"
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        time_cli(preflight_command(project, CACHE))  # untimed: writes the bytecode caches
        if bandit:
            time_cli(bandit_command(bandit, project))
        for _ in range(args.runs):  # interleaved: a load spike hits both tools alike
            ours.append(time_cli(preflight_command(project, CACHE)))
            if bandit:
                theirs.append(time_cli(bandit_command(bandit, project)))
        warm = time_phases(project, CACHE, offline=True)
        print(f"preflight: {ours} (wall, CPU) s for {files} files", file=sys.stderr)
        cold = None
        if args.online:
            cold = time_phases(project, Path(tmp) / "empty-cache", offline=False)
    text = report(args, load, files, lines, version, ours, theirs, warm, cold)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 0


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def _row(tool: str, runs: list[tuple[float, float]], files: int, lines: int) -> str:
    cpu = statistics.median(c for _, c in runs)
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (
        f"| {tool} | {_spread(walls)} | {_spread(cpus)} | {files / cpu:.0f} | {lines / cpu:.0f} |"
    )


def report(
    args: argparse.Namespace,
    load: float,
    files: int,
    lines: int,
    version: str,
    ours: list[tuple[float, float]],
    theirs: list[tuple[float, float]],
    warm: dict[str, float],
    cold: dict[str, float] | None,
) -> str:
    """The Markdown of bench/results/preflight_check.md."""
    tree = (
        f"Django {DJANGO}'s package from its PyPI sdist: {files} files, {lines} lines (no "
        "entrypoint, so every file is in the closure and every code rule visits it)"
        if args.tree == "django"
        else f"generated Flask app: {files} files, {lines} lines (its entrypoint imports "
        "every module, so every code rule visits every file)"
    )
    rows = [
        "# `preflight check` benchmark",
        "",
        f"Command: `.venv/bin/python bench/preflight_check.py --tree {args.tree}"
        f"{f' --lines {args.lines}' if args.tree == 'generated' else ''} --runs {args.runs}"
        f"{' --online' if args.online else ''}`  ",
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}, {os.cpu_count()} CPUs, load "
        f"average {load:.1f} at start (a shared machine: other work was running); "
        f"median (min-max) of {args.runs} runs, each tool a fresh process, interleaved, "
        "after one untimed run of each; both with bytecode caches, as an install leaves "
        "them (bench/preflight_check.py `tool_env`).",
        "",
        f"Tree: {tree}. Both tools parse every file and run their own rules: bandit its "
        "security plugins, preflight its rules plus the project model and dependency "
        "resolution (offline, committed PyPI cache). Both run on one core.",
        "",
        "| tool | wall s | CPU s | files/CPU s | lines/CPU s |",
        "|---|---|---|---|---|",
        _row("preflight check (warm cache, offline)", ours, files, lines),
    ]
    if theirs:
        rows.append(_row(f"{version} (`-r`, all plugins)", theirs, files, lines))
        wall = statistics.median(w for w, _ in theirs) / statistics.median(w for w, _ in ours)
        cpu = statistics.median(c for _, c in theirs) / statistics.median(c for _, c in ours)
        # each interleaved pair ran under the same load: its ratio is the spread to quote
        cpus = [b[1] / a[1] for a, b in zip(ours, theirs, strict=True)]
        walls = [b[0] / a[0] for a, b in zip(ours, theirs, strict=True)]
        rows += [
            "",
            f"**preflight is {cpu:.1f}x faster than bandit in CPU time, {wall:.1f}x in wall "
            f"time** (target 5x); per interleaved pair {min(cpus):.1f}-{max(cpus):.1f}x CPU, "
            f"{min(walls):.1f}-{max(walls):.1f}x wall.",
        ]
    rows += [
        "",
        f"Per phase (preflight, one in-process run, {warm['total']:.2f} s wall, "
        f"{warm['cpu']:.2f} s CPU; phases in wall time):",
        "",
        "| phase | seconds | share |",
        "|---|---|---|",
    ]
    for phase, seconds in warm.items():
        if phase not in {"total", "cpu"}:
            rows.append(f"| {phase} | {seconds:.3f} | {seconds / warm['total']:.0%} |")
    rows += [
        "",
        "Why one process: the per-file work is not independent. Code rules follow calls into "
        "other modules' functions (import_calls.Program: `returns`, `callee`) and along "
        "import-time call chains whose links hold other modules' call nodes (import_reach), "
        "so a forked worker that parsed only its share of the files could not run its rules "
        "without the other trees, and moving trees between processes or out of an on-disk "
        "cache costs what parsing does (unpickling Django's trees: 3.9 s vs 4.1 s to parse, "
        "load 7.6). Within one check each file is parsed once and the tree walked once "
        "(preflight/one_pass.py); around the parse, the CLI imports only `check`'s code, the "
        "upload walk lists folders with os.scandir and rules out most paths with one joined "
        "ignore regex, and the environment's top-level names come from the dist-info folders,"
        " not importlib.metadata (0.3 s less).",
        "",
        "What is left is mostly CPython's own parser, which bandit pays too: `ast.parse` of "
        "these files is about half of a check, indexing the trees a quarter of the parse "
        "phase, then the rules and ~0.15 s of interpreter start and imports. The command "
        "ends with os._exit once its report is out, the collector off (cli.run): freeing "
        "the trees node by node was ~0.13 s, 0.90x the time in paired runs. Measured and "
        "dropped (2026-12-07): forking after the parse so a child runs the code rules on "
        "three quarters of the modules. The project rules then redo the per-module analyses "
        "the code rules had left in the shared memo (0.27 -> 0.53 s), and the child, "
        "copy-on-write, took 0.66 s for what took 0.42 s in one process: no wall time won. "
        "The rules that look for a handful of called names ask a per-module index of calls "
        "by the last part of the name (preflight/call_index.py) instead of every call "
        "(code rules 0.41-0.51 -> 0.37-0.40 s in process, 2026-12-07).",
    ]
    if cold is not None:
        rows += [
            "",
            f"Cold cache: {cold['total']:.2f} s in process, of which the index phase took "
            f"{cold.get('index', 0):.2f} s (one request per distribution, then cached).",
        ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.exit(main())
