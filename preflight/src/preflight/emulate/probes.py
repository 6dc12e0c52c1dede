"""Probes: requests with an expected status, sent cold, warm and concurrently.

Why three ways: a cold instance runs the app's import and lifespan (where most Vercel
crashes live, and the cold-start time users wait for); a warm one shows state kept
between requests; concurrent requests on one instance show shared globals and
connection use that a single request never exercises (F7).
"""

from __future__ import annotations

import json
import re
import statistics
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from preflight.catalogue import CATALOGUE
from preflight.emulate.diagnose import Diagnosis, diagnose, sandbox_network
from preflight.emulate.ipc import LogLine
from preflight.emulate.routes import Router, Target
from preflight.emulate.runtime import FunctionInstance, Response, StartInfo

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CONCURRENCY = 4
EXCERPT = 200


class ProbeSyntaxError(ValueError):
    """A --probe that does not read as `METHOD /path [STATUS] [BODY]`."""


@dataclass(frozen=True)
class Probe:
    """One request and what it must answer (`expect`; None: anything below 500)."""

    method: str
    path: str
    expect: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The default `GET /`: a guess at a path the app serves, which an api-only project
    # (a webhook function under "Other") rightly leaves unrouted.
    guessed: bool = False

    @property
    def label(self) -> str:
        wanted = "" if self.expect is None else f" {self.expect}"
        return f"{self.method} {self.path}{wanted}"

    def met_by(self, status: int) -> bool:
        return status < 500 if self.expect is None else status == self.expect


def _status_and_body(spec: str, rest: list[str]) -> tuple[int | None, str | None]:
    """The third word is the status; without one, only a JSON body may follow.

    Why so strict: `GET /health OK` or `GET /health 2OO` taken as a body would send it
    and accept any status below 500, so a typo'd expectation would pass silently."""
    if not rest:
        return None, None
    if re.fullmatch(r"[1-5][0-9][0-9]", rest[0]):
        return int(rest[0]), " ".join(rest[1:]) or None
    body = " ".join(rest)
    if body[:1] in "{[":
        try:
            json.loads(body)
        except ValueError:
            pass
        else:
            return None, body
    raise ProbeSyntaxError(
        f"probe {spec!r}: {rest[0]!r} is not an HTTP status (100-599); "
        "expected 'METHOD /path [STATUS] [BODY]'"
    )


def parse_probe(spec: str) -> Probe:
    """`GET /health 200`, `POST /items 201 {"title": "x"}`, `GET /` (any status < 500)."""
    parts = spec.strip().split(maxsplit=3)
    if len(parts) < 2:
        raise ProbeSyntaxError(f"probe {spec!r}: expected 'METHOD /path [STATUS] [BODY]'")
    method, path = parts[0].upper(), parts[1]
    if method not in METHODS or not path.startswith("/"):
        raise ProbeSyntaxError(f"probe {spec!r}: expected 'METHOD /path [STATUS] [BODY]'")
    expect, body = _status_and_body(spec, parts[2:])
    headers: dict[str, str] = {}
    if body is not None:
        try:
            json.loads(body)
            headers["content-type"] = "application/json"
        except ValueError:
            headers["content-type"] = "text/plain; charset=utf-8"
    return Probe(method, path, expect, body.encode() if body is not None else None, headers)


@dataclass(frozen=True)
class Outcome:
    """One probe in one mode: what came back and whether it met the expectation."""

    probe: Probe
    mode: str  # "cold" | "warm" | "concurrent"
    status: int
    excerpt: str
    elapsed_ms: float
    ok: bool
    logs: tuple[LogLine, ...] = ()
    error_code: str | None = None  # FUNCTION_INVOCATION_FAILED and friends
    cold_start_ms: float | None = None  # spawn to first response, cold mode only
    init_ms: int | None = None  # the runtime's own initDuration
    user_init_ms: int | None = None  # importing the user's module
    crash: str | None = None  # the traceback / runtime message behind a failure
    diagnosis: Diagnosis | None = None
    attempts: int = 1
    note: str | None = None  # why a step failed beyond its status (journeys)
    # the failure came from the sandbox withholding the network, not from the app
    sandbox_blocked: str | None = None
    full_body: bytes = field(default=b"", repr=False)

    def failed(self, note: str) -> Outcome:
        return replace(self, ok=False, note=note)


def excerpt(body: bytes) -> str:
    text = body.decode(errors="replace").strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def outcome_of(probe: Probe, mode: str, response: Response, project: Path | None = None) -> Outcome:
    """What `response` means for `probe`; `project` (the upload) lets the diagnosis tell
    the project's own modules from undeclared dependencies."""
    crash_text = response.crash.message if response.crash else None
    evidence = "\n".join(
        [crash_text or "", response.platform_error or "", *(line.message for line in response.logs)]
    )
    failed = bool(response.error_code) or response.status >= 500
    blocked = sandbox_network(evidence) if failed else None
    return Outcome(
        probe=probe,
        mode=mode,
        status=response.status,
        excerpt=excerpt(response.body),
        elapsed_ms=response.elapsed_ms,
        ok=probe.met_by(response.status),
        logs=response.logs,
        error_code=response.error_code,
        crash=crash_text,
        diagnosis=None if blocked else diagnose(evidence, project) if failed else None,
        sandbox_blocked=blocked,
        full_body=response.body,
    )


UNIQUE = "{unique}"


def send(instance: FunctionInstance, probe: Probe) -> Response:
    """Send once; `{unique}` in the path or body becomes a fresh value on every send, so a
    probe that creates something (`POST /signup ... "u-{unique}@x.io"`) can be replayed
    cold, warm and concurrently without colliding with itself."""
    path, body = probe.path, probe.body
    if UNIQUE in path or (body is not None and UNIQUE.encode() in body):
        value = uuid.uuid4().hex[:12]
        path = path.replace(UNIQUE, value)
        body = body.replace(UNIQUE.encode(), value.encode()) if body is not None else None
    if instance.router is None:
        return instance.request(probe.method, path, body, probe.headers)
    target = instance.router.resolve(probe.method, path)
    if target.kind == "function":
        return instance.request(probe.method, target.path, body, probe.headers)
    return edge_answer(target)


def routing_note(router: Router | None, probe: Probe, outcome: Outcome) -> Outcome:
    """Say why a 404 came back when the build's routes, not the app, decided it: the edge
    found no route to the function, or a rewrite changed the path the app saw; a bare 404
    reads as the app's own.

    A probe the user named without a status asks whether the app answers that path
    without failing: when no route reaches the app at all, the app never answered, so the
    probe fails (AlbertBogdan/telegrambot: legacy routes to /api/webhook.py under the
    flask preset, NOT_FOUND for every path while `check` reports PF403; run said "6 of 6
    passed"). `GET /path 404` still passes, and so does the default `GET /`."""
    if outcome.status != 404 or router is None or outcome.note:
        return outcome
    target = router.resolve(probe.method, probe.path)
    seen = target.path.split("?", 1)[0]
    if target.kind == "not_found":
        why = f"Vercel's edge answered itself: no route of the build sends {probe.path} to the app"
        if probe.expect is None and not probe.guessed:
            return outcome.failed(f"{why} ({CATALOGUE['F21'].anchor})")
    elif target.kind == "function" and seen != probe.path.split("?", 1)[0]:
        why = f"the app saw {seen}, not {probe.path}: the build's routes rewrote the path"
    else:
        return outcome
    return replace(outcome, note=f"{why} ({CATALOGUE['F21'].anchor})")


# Vercel's edge words its own 404 this way (the NOT_FOUND error page).
NOT_FOUND_BODY = b"The page could not be found\n\nNOT_FOUND\n"


def edge_answer(target: Target) -> Response:
    """What the edge answers without the function: a static file, a redirect, or a 404
    because no route (vercel.json rewrites, the preset's catch-all) reaches the app."""
    headers = dict(target.headers)
    if target.kind == "static" and target.file is not None:
        return Response(target.status, headers, target.file.read_bytes(), 0.0, ())
    body = NOT_FOUND_BODY if target.kind == "not_found" and target.status == 404 else b""
    return Response(target.status, headers, body, 0.0, ())


Launcher = Callable[[], FunctionInstance]


def run_outcome(
    instance: FunctionInstance, probe: Probe, mode: str, cold: StartInfo | None = None
) -> Outcome:
    """Send `probe`; with `cold` (the instance's StartInfo) it is the instance's first
    request and the outcome carries the cold-start figures."""
    response = send(instance, probe)
    if response.crash is not None:
        # logs of a dying instance arrive late; take everything it said
        logs = tuple(instance.startup_logs()) + response.logs
        response = replace(response, logs=logs)
    outcome = routing_note(
        instance.router, probe, outcome_of(probe, mode, response, instance.project)
    )
    router = instance.router
    if cold is None or (router and router.resolve(probe.method, probe.path).kind != "function"):
        return outcome  # the edge answered: no visitor waits for this instance's start
    total = None
    if response.crash is None and cold.spawn_to_ready_ms is not None:
        total = cold.spawn_to_ready_ms + response.elapsed_ms
    return replace(
        outcome,
        cold_start_ms=total,
        init_ms=cold.runtime_init_ms,
        user_init_ms=cold.user_init_ms,
    )


def run_cold(launch: Launcher, probe: Probe) -> Outcome:
    """A fresh instance for this one probe: what the first visitor after a deploy gets."""
    with launch() as instance:
        return run_outcome(instance, probe, "cold", instance.start())


def run_warm_and_concurrent(
    launch: Launcher, probes: list[Probe], concurrency: int = CONCURRENCY
) -> tuple[list[Outcome], list[Outcome]]:
    """One instance: each probe once to warm it, once more (warm), then N at a time."""
    warm: list[Outcome] = []
    concurrent: list[Outcome] = []
    with launch() as instance:
        instance.start()
        for probe in probes:
            send(instance, probe)
            warm.append(
                routing_note(
                    instance.router,
                    probe,
                    outcome_of(probe, "warm", send(instance, probe), instance.project),
                )
            )
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for probe in probes:
                responses = list(pool.map(send, [instance] * concurrency, [probe] * concurrency))
                failed = [r for r in responses if not probe.met_by(r.status)]
                worst = failed[0] if failed else max(responses, key=lambda r: r.elapsed_ms)
                outcome = routing_note(
                    instance.router, probe, outcome_of(probe, "concurrent", worst, instance.project)
                )
                concurrent.append(replace(outcome, attempts=len(responses)))
    return warm, concurrent


@dataclass
class ProbeRun:
    """All outcomes of a run, in probe order per mode."""

    cold: list[Outcome] = field(default_factory=list)
    warm: list[Outcome] = field(default_factory=list)
    concurrent: list[Outcome] = field(default_factory=list)
    journey: list[Outcome] = field(default_factory=list)
    journey_steps: int = 0

    @property
    def outcomes(self) -> list[Outcome]:
        return [*self.cold, *self.warm, *self.concurrent, *self.journey]

    @property
    def ok(self) -> bool:
        complete = len(self.journey) == self.journey_steps
        return bool(self.cold or self.journey) and complete and all(o.ok for o in self.outcomes)

    def cold_start_summary(self) -> dict[str, float] | None:
        firsts = [*self.cold, *self.journey[:1]]
        times = [o.cold_start_ms for o in firsts if o.cold_start_ms is not None]
        if not times:
            return None
        return {
            "min_ms": round(min(times), 1),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "samples": len(times),
        }


def run_all(launch: Launcher, probes: list[Probe], concurrency: int = CONCURRENCY) -> ProbeRun:
    """Cold for each probe; warm and concurrent only when the app starts at all."""
    result = ProbeRun(cold=[run_cold(launch, probe) for probe in probes])
    if result.cold and all(o.error_code is None for o in result.cold):
        result.warm, result.concurrent = run_warm_and_concurrent(launch, probes, concurrency)
    return result
