"""Write a run's result (emulate/result.py RunResult) for people (text) or machines (JSON).

The text says what was built by which builder, what the sandbox enforced and what it
did not, each probe in each mode, and for every failure what Vercel users would see
(`500 FUNCTION_INVOCATION_FAILED`), the traceback, the F-id and the fix.
"""

from __future__ import annotations

import json
from typing import Any

from preflight.catalogue import CATALOGUE
from preflight.emulate.build_diagnosis import BuildVerdict
from preflight.emulate.diagnose import Diagnosis
from preflight.emulate.function import BuildFailed
from preflight.emulate.probes import Outcome, ProbeRun
from preflight.emulate.result import RunResult
from preflight.emulate.sandbox import Capabilities, Policy


def _diagnosis_json(d: Diagnosis | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "id": d.fid,
        "title": d.title,
        "cause": d.cause,
        "fix": d.fix,
        "location": d.location,
        "docs": CATALOGUE[d.fid].anchor,  # the F-id explained in preflight/FAILURES.md
    }


def _outcome_json(o: Outcome) -> dict[str, Any]:
    return {
        "probe": o.probe.label,
        "mode": o.mode,
        "status": o.status,
        "expected": o.probe.expect,
        "ok": o.ok,
        "error_code": o.error_code,
        "body_excerpt": o.excerpt,
        "elapsed_ms": round(o.elapsed_ms, 1),
        "cold_start_ms": None if o.cold_start_ms is None else round(o.cold_start_ms, 1),
        "runtime_init_ms": o.init_ms,
        "user_init_ms": o.user_init_ms,
        "requests": o.attempts,
        "logs": [{"stream": line.stream, "message": line.message} for line in o.logs],
        "traceback": o.crash,
        "note": o.note,
        "diagnosis": _diagnosis_json(o.diagnosis),
        "sandbox_blocked": o.sandbox_blocked,
    }


def sandbox_lines(caps: Capabilities | None, policy: Policy | None) -> tuple[str, list[str]]:
    """One line on what is enforced, plus the list of what is not checked."""
    if caps is None or policy is None:
        return "not started", []
    if not caps.sandboxed:
        memory = f"; memory {policy.memory_mb} MB" if caps.memory_limit else ""
        return caps.reason + memory, list(caps.missing)
    parts = ["read-only /, code at /var/task", f"{policy.tmp_mb} MB private /tmp"]
    if caps.memory_limit:
        parts.append(f"memory {policy.memory_mb} MB")
    if caps.isolated_network:
        ports = ", ".join(str(p) for p in policy.forward_ports)
        parts.append("network: loopback only" + (f" + forwarded {ports}" if ports else ""))
    return "bubblewrap: " + "; ".join(parts), list(caps.missing)


def to_json(result: RunResult) -> str:
    enforced, missing = sandbox_lines(result.caps, result.policy)
    fn = result.function
    doc: dict[str, Any] = {
        "ok": result.ok,
        "source": result.source,
        "builder": result.builder,
        "function": None
        if fn is None
        else {
            "entrypoint": fn.entrypoint,
            "handler": fn.handler,
            "python": fn.python,
            "vercel_runtime": fn.runtime_version,
            "max_duration_s": fn.max_duration_s,
        },
        "sandbox": {"enforced": enforced, "not_checked": missing},
        "build_error": _build_error_json(result),
        "probes": [] if result.run is None else [_outcome_json(o) for o in result.run.outcomes],
        "cold_start": None if result.run is None else result.run.cold_start_summary(),
        "notes": result.notes,
    }
    return json.dumps(doc, indent=2)


def _build_error_json(result: RunResult) -> dict[str, Any] | None:
    if result.build_error is None:
        return None
    verdict = result.build_verdict or BuildVerdict()
    return {
        "message": result.build_error.message,
        "diagnosis": _diagnosis_json(verdict.diagnosis),
        "this_machine": verdict.machine,  # the build failed here for a reason of this machine
        "build_command": verdict.command,  # the project's own build step that failed
        "builder_output": log_tail(result.build_error.log),
    }


LOG_TAIL = 20


def log_tail(log: str) -> str:
    """The builder's last lines of output, as the user would read them in Vercel's log."""
    lines = [line for line in log.rstrip().splitlines() if line.strip()]
    return "\n".join(lines[-LOG_TAIL:])


def _build_failure_text(error: BuildFailed, verdict: BuildVerdict) -> list[str]:
    """The verdict on a failed build: why (this machine, the build command, or a failure
    mode), then the builder's own output so nothing rests on preflight's reading alone."""
    lines = ["", f"FAIL build: {error.message}"]
    if verdict.diagnosis is not None:
        lines.extend(_diagnosis_text(verdict.diagnosis, "  "))
    lines.append("  builder output (last lines):")
    lines.extend(_indent(log_tail(error.log), "    | "))
    lines.append("")
    if verdict.machine is not None:
        lines.append(
            f"Build failed on this machine ({verdict.machine}): not a verdict on the app; "
            "no probe was sent, and on Vercel this build may succeed."
        )
    elif verdict.command is not None:
        lines.append(
            f"Build failed in the project's build command {verdict.command}: no probe was "
            "sent; on Vercel the deployment fails if the command fails there too."
        )
    else:
        lines.append("Build failed: no probe was sent (on Vercel the deployment fails).")
    return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _diagnosis_text(d: Diagnosis, indent: str) -> list[str]:
    where = f" ({d.location})" if d.location else ""
    return [
        f"{indent}{d.fid} {d.title}{where}: {d.cause}",
        f"{indent}fix: {d.fix}",
        f"{indent}more: {CATALOGUE[d.fid].anchor}",
    ]


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line for line in text.rstrip().splitlines()]


def _header(result: RunResult, missing: list[str], enforced: str) -> list[str]:
    """Which build, which sandbox (and what it could not enforce), and the notes."""
    lines = [f"preflight run {result.source}"]
    fn = result.function
    if fn is not None:
        lines.append(
            f"  build    {result.builder}: {fn.entrypoint or '?'} on Python {fn.python}, "
            f"vercel-runtime {fn.runtime_version or '?'}"
        )
    else:
        lines.append(f"  build    {result.builder}")
    lines.append(f"  sandbox  {enforced}")
    lines.extend(f"           NOT checked: {item}" for item in missing)
    lines.extend(f"  note     {note}" for note in result.notes)
    return lines


def _timing(o: Outcome) -> str:
    if o.mode == "concurrent":
        return f"  x{o.attempts} at once, slowest {_ms(o.elapsed_ms)}"
    cold = ""
    if o.cold_start_ms is not None:
        cold = (
            f"  cold start {_ms(o.cold_start_ms)} (runtime init {_ms(o.init_ms)}, "
            f"app import {_ms(o.user_init_ms)})"
        )
    return f"  {_ms(o.elapsed_ms)}{cold}"


def _outcome_lines(o: Outcome) -> list[str]:
    """One probe: its line, then the body or, when it failed, the diagnosis and evidence."""
    mark = "ok  " if o.ok else "FAIL"
    status = f"{o.status} {o.error_code}" if o.error_code else str(o.status)
    lines = [f"{mark} {o.mode:<10} {o.probe.label:<28} -> {status}{_timing(o)}"]
    if o.excerpt and not o.error_code:
        lines.append(f"       body: {o.excerpt}")
    if o.note:
        lines.append(f"       {o.note}")
    if o.ok:
        lines.extend(f"       log [{log.stream}] {log.message.strip()}" for log in o.logs)
        return lines
    if o.diagnosis is not None:
        lines.extend(_diagnosis_text(o.diagnosis, "       "))
    if o.sandbox_blocked is not None:
        lines.extend(_blocked_text(o.sandbox_blocked))
    if o.crash:
        lines.append("       runtime said:")
        lines.extend(_indent(o.crash, "         | "))
    lines.extend(
        f"       log [{log.stream}] {log.message.rstrip()}" for log in o.logs if log.message.strip()
    )
    return lines


def _blocked_text(line: str) -> list[str]:
    return [
        f"       not a verdict on the app: it was denied the network ({line})",
        "       this sandbox lets the function reach only ports given with --forward-port, "
        "where Vercel's reach the internet;",
        "       run the service locally (a database) and pass --forward-port PORT with "
        "--env pointing the app at 127.0.0.1:PORT.",
    ]


def _summary(run: ProbeRun, missing: list[str]) -> list[str]:
    """The verdict line, and what this machine could not check."""
    passed = sum(1 for o in run.outcomes if o.ok)
    summary = run.cold_start_summary()
    cold = ""
    if summary is not None:
        cold = f"; cold start median {summary['median_ms']:.0f} ms over {summary['samples']}"
    verdict = "All probes met their expectations" if run.ok else "Some probes FAILED"
    if run.ok and missing:
        verdict = f"Probes met their expectations WITHOUT {len(missing)} sandbox check(s)"
    skipped = ""
    if not run.warm and any(o.error_code for o in run.cold):
        skipped = " (warm and concurrent skipped: the function never started)"
    if len(run.journey) < run.journey_steps:
        skipped += f" (journey stopped after step {len(run.journey)} of {run.journey_steps})"
    blocked = sum(1 for o in run.outcomes if not o.ok and o.sandbox_blocked)
    if blocked:
        skipped += (
            f" ({blocked} failed only because the sandbox withheld the network: "
            "not a verdict on the app)"
        )
    lines = [f"{verdict}: {passed} of {len(run.outcomes)} passed{cold}{skipped}."]
    if missing:
        lines.append("Not checked here: " + "; ".join(missing) + ".")
    return lines


def to_text(result: RunResult) -> str:
    """The report a person reads: header, then the failed build or each probe, then the
    verdict."""
    enforced, missing = sandbox_lines(result.caps, result.policy)
    lines = _header(result, missing, enforced)
    if result.build_error is not None:
        lines.extend(
            _build_failure_text(result.build_error, result.build_verdict or BuildVerdict())
        )
        return "\n".join(lines) + "\n"
    run = result.run
    assert run is not None
    lines.append("")
    for o in run.outcomes:
        lines.extend(_outcome_lines(o))
    lines.append("")
    lines.extend(_summary(run, missing))
    return "\n".join(lines) + "\n"
