"""What one `preflight run` found, the counterpart of check's `engine.Result`: the
builder's verdict or the probes' outcomes, with the sandbox that produced them, so the
renderers (emulate/render.py) and callers read one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.emulate.build_diagnosis import BuildVerdict
from preflight.emulate.function import BuildFailed, BuiltFunction
from preflight.emulate.probes import ProbeRun
from preflight.emulate.sandbox import Capabilities, Policy


@dataclass
class RunResult:
    """Everything one `preflight run` found, ready to render."""

    source: str
    builder: str
    function: BuiltFunction | None
    caps: Capabilities | None
    policy: Policy | None
    run: ProbeRun | None = None
    build_error: BuildFailed | None = None
    build_verdict: BuildVerdict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.build_error is None and self.run is not None and self.run.ok
