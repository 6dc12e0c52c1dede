"""Turns bench/run.py's samples into ratios against the issue's targets, a text summary
and PNG plots. Medians over rounds; spread is the min-max of the rounds."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

# (key, what, target, "<=" or ">=") in the order README quotes them.
TARGETS = [
    (
        "served_vs_fastapi_c8",
        "served list-50 req/s vs FastAPI + SQLModel (1 worker, c=8)",
        3.0,
        ">=",
    ),
    ("served_vs_floor_c8", "served list-50 req/s vs bare Starlette floor (c=8)", 0.35, ">="),
    ("inproc_pg_list_vs_bare", "in-process list-50 on PostgreSQL vs bare pg8000", 1.5, "<="),
    ("health_vs_select1", "/health vs bare pg8000 SELECT 1", 2.0, "<="),
    ("cold_start_vs_stack", "cold start vs FastAPI + SQLModel", 0.20, "<="),
    ("import_vs_starlette", "import todo_api.main vs bare Starlette (process)", 1.1, "<="),
    ("bundle_vs_stack", "bundle (unzipped) vs the seeds' stack", 0.5, "<="),
]


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(),
            "python": sys.version.split()[0], "system": platform.platform(),
            "load_at_start": os.getloadavg()}  # fmt: skip


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    served = {
        peer: {c: {"rps": spread([s["rps"] for s in samples]),
                   "p50_ms": spread([s["p50_ms"] for s in samples]),
                   "p99_ms": spread([s["p99_ms"] for s in samples]),
                   "errors": sum(s["errors"] for s in samples)}
               for c, samples in by_conns.items()}
        for peer, by_conns in results["served"].items()
    }  # fmt: skip

    def rps(peer: str, conns: str) -> float:
        return float(served[peer][conns]["rps"]["median"])

    def ratio(mine: float, theirs: float) -> float:
        return mine / theirs if theirs else float("inf")  # a peer that served nothing

    ratios: dict[str, float] = {}
    for conns in served["todo_api/sqlite"]:
        pairs = {
            "served_vs_fastapi": ("todo_api/sqlite", "fastapi/sqlite"),
            "served_vs_floor": ("todo_api/sqlite", "floor/memory"),
            "served_x2_vs_fastapi_x2": ("todo_api/sqlite x2", "fastapi/sqlite x2"),
            "served_pg_vs_flask": ("todo_api/postgres", "flask/postgres"),
        }
        for name, (mine, theirs) in pairs.items():
            ratios[f"{name}_c{conns}"] = ratio(rps(mine, conns), rps(theirs, conns))
    pg = {k: statistics.median(v) for k, v in results["in_process"]["postgres"].items()}
    ratios["inproc_pg_list_vs_bare"] = pg["list50"] / pg["bare_list50"]
    ratios["health_vs_select1"] = pg["health"] / pg["bare_select1"]
    # The stricter floors (bench/in_process.py): one-round-trip driver, framework + hop + ping.
    if "bare_list50_1rt" in pg:
        ratios["inproc_pg_list_vs_1rt"] = pg["list50"] / pg["bare_list50_1rt"]
        ratios["health_vs_framework_floor"] = pg["health"] / pg["floor_health_select1"]
    cold = {k: statistics.median(v) for k, v in results["cold_start"].items()}
    ratios["cold_start_vs_stack"] = cold["ours"] / cold["peer"]
    ratios["import_vs_starlette"] = cold["ours_proc"] / cold["starlette_proc"]
    ratios["bundle_vs_stack"] = results["bundle"]["ours_mb"] / results["bundle"]["peer_mb"]
    return {"served": served, "ratios": ratios,
            "in_process_ms": {db: {k: spread(v) for k, v in samples.items()}
                              for db, samples in results["in_process"].items()},
            "cold_start_ms": {k: spread(v) for k, v in results["cold_start"].items()}}  # fmt: skip


def text(results: dict[str, Any]) -> str:
    summary, m = results["summary"], results["machine"]
    lines = [f"todo_api bench, {results['started']}, {m['cpu']} x{m['cores']}, CPython {m['python']}, "
             f"load at start {m['load_at_start'][0]:.1f}, {results['elapsed_s']} s", ""]  # fmt: skip
    for key, what, target, sense in TARGETS:
        value = summary["ratios"][key]
        met = value >= target if sense == ">=" else value <= target
        lines.append(
            f"{'ok ' if met else 'MISS'} {value:6.2f}x  (target {sense} {target}x)  {what}"
        )
    for key, what in (("inproc_pg_list_vs_1rt", "list-50 vs a one-round-trip pg8000 query"),
                      ("health_vs_framework_floor", "/health vs bare Starlette + thread hop + SELECT 1")):  # fmt: skip
        if key in summary["ratios"]:
            lines.append(f"     {summary['ratios'][key]:6.2f}x  {what}")
    lines += ["", "served list-50, median req/s [min-max] / p50 ms:"]
    for peer, by_conns in summary["served"].items():
        cells = [f"c={c}: {v['rps']['median']:.0f} [{v['rps']['min']:.0f}-{v['rps']['max']:.0f}]"
                 f" / {v['p50_ms']['median']:.1f}" for c, v in by_conns.items()]  # fmt: skip
        lines.append(f"  {peer:20s} " + "   ".join(cells))
    for db, figures in summary["in_process_ms"].items():
        lines.append(f"in process ({db}), median ms: " + ", ".join(
            f"{k} {v['median']:.3f}" for k, v in figures.items()))  # fmt: skip
    bundle = results["bundle"]
    lines.append(
        f"bundle: todo_api {bundle['ours_mb']:.1f} MB, seeds' stack {bundle['peer_mb']:.1f} MB"
    )
    return "\n".join(lines)


def plot(results: dict[str, Any], stem: Path) -> list[Path]:
    """<stem>-served.png (req/s and p50 by connections) and <stem>-ratios.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = results["summary"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for peer, by_conns in summary["served"].items():
        conns = [int(c) for c in by_conns]
        rps = [v["rps"] for v in by_conns.values()]
        mid = [r["median"] for r in rps]
        err = [[r["median"] - r["min"] for r in rps], [r["max"] - r["median"] for r in rps]]
        style = "--" if "x2" in peer else "-"
        left.errorbar(conns, mid, yerr=err, marker="o", linestyle=style, capsize=3, label=peer)
        right.plot(conns, [v["p50_ms"]["median"] for v in by_conns.values()], marker="o",
                   linestyle=style, label=peer)  # fmt: skip
    left.set(xscale="log", yscale="log", xlabel="connections (wrk)", ylabel="requests/s",
             title="GET /api/tasks?limit=50 (median, min-max)")  # fmt: skip
    right.set(xscale="log", yscale="log", xlabel="connections (wrk)", ylabel="p50 latency (ms)",
              title="latency")  # fmt: skip
    for axis in (left, right):
        axis.set_xticks([1, 8, 32], ["1", "8", "32"])
        axis.grid(alpha=0.3)
    left.legend(fontsize=7)
    fig.suptitle(
        f"{results['machine']['cpu']} x{results['machine']['cores']}, {results['started']}",
        fontsize=9,
    )
    fig.tight_layout()
    served_png = stem.with_name(stem.name + "-served.png")
    fig.savefig(served_png, dpi=110)
    plt.close(fig)

    fig, axis = plt.subplots(figsize=(9, 4))
    names = [what for _, what, _, _ in TARGETS]
    values = [summary["ratios"][key] for key, _, _, _ in TARGETS]
    met = [v >= t if s == ">=" else v <= t for v, (_, _, t, s) in zip(values, TARGETS, strict=True)]
    axis.barh(names, values, color=["tab:green" if ok else "tab:red" for ok in met])
    for row, (_, _, target, sense) in enumerate(TARGETS):
        axis.plot([target, target], [row - 0.4, row + 0.4], color="black")
        axis.text(max(values[row], target) * 1.05, row, f"{values[row]:.2f}x ({sense} {target}x)",
                  va="center", fontsize=8)  # fmt: skip
    axis.set(
        xscale="log", xlabel="ratio (black line: target)", title="todo_api against its targets"
    )
    axis.invert_yaxis()
    fig.tight_layout()
    ratios_png = stem.with_name(stem.name + "-ratios.png")
    fig.savefig(ratios_png, dpi=110)
    plt.close(fig)
    return [served_png, ratios_png]
