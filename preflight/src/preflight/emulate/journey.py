"""Journeys: probes that carry state from one step to the next (log in, then use the token).

A single `--probe` cannot express "register, log in, create a task with the token you
got". A journey file (TOML) lists steps; each step may capture values from its JSON
answer and later steps use them as `{name}` in the path, headers or body. `{run}` is a
per-run unique string (for e-mail addresses that must not exist yet). All steps go to
one instance, started fresh, so the first step also measures the cold start.

    [[step]]
    request = "POST /api/auth/register 201"
    json = {email = "u-{run}@example.com", password = "correct horse battery"}
    capture = {token = "access_token"}

    [[step]]
    request = "GET /api/tasks 200"
    headers = {Authorization = "Bearer {token}"}
"""

from __future__ import annotations

import json
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.emulate.probes import Launcher, Outcome, Probe, parse_probe, run_outcome

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class JourneyError(ValueError):
    """A journey file that cannot be read or does not follow the format."""


@dataclass(frozen=True)
class Step:
    """One request of a journey, still with `{placeholders}`."""

    request: str  # "METHOD /path [STATUS]"
    json_body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    capture: dict[str, str] = field(default_factory=dict)  # name -> dotted JSON path


def load_journey(path: Path) -> list[Step]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise JourneyError(f"{path}: {exc}") from exc
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        raise JourneyError(f"{path}: expected one or more [[step]] tables")
    loaded = []
    for number, raw in enumerate(steps, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("request"), str):
            raise JourneyError(f"{path}: step {number} needs request = 'METHOD /path [STATUS]'")
        parse_probe(_PLACEHOLDER.sub("x", raw["request"]))  # syntax check now, not mid-run
        loaded.append(
            Step(
                request=raw["request"],
                json_body=raw.get("json"),
                headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
                capture={str(k): str(v) for k, v in (raw.get("capture") or {}).items()},
            )
        )
    return loaded


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Replace known `{name}` placeholders in every string of a JSON-like value."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def extract(document: Any, dotted: str) -> str | None:
    """`access_token`, `data.items.0.id`: a value from a JSON document, as text."""
    current = document
    for part in dotted.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current if isinstance(current, str) else json.dumps(current)


def run_journey(launch: Launcher, steps: list[Step]) -> list[Outcome]:
    """Run the steps in order on one fresh instance; stop at the first failing step."""
    values = {"run": uuid.uuid4().hex[:12]}
    outcomes: list[Outcome] = []
    with launch() as instance:
        info = instance.start()
        for step in steps:
            base = parse_probe(_fill(step.request, values))
            headers = dict(_fill(step.headers, values))
            body = None
            if step.json_body is not None:
                body = json.dumps(_fill(step.json_body, values)).encode()
                headers.setdefault("content-type", "application/json")
            probe = Probe(base.method, base.path, base.expect, body or base.body, headers)
            outcome = run_outcome(instance, probe, "journey", info if not outcomes else None)
            missing = []
            if outcome.ok and step.capture:
                try:
                    document = json.loads(outcome.full_body)
                except ValueError:
                    document = None
                for name, dotted in step.capture.items():
                    found = extract(document, dotted)
                    if found is None:
                        missing.append(dotted)
                    else:
                        values[name] = found
            if missing:
                outcome = outcome.failed(f"answer has no {', '.join(missing)} to capture")
            outcomes.append(outcome)
            if not outcome.ok:
                break
    return outcomes
