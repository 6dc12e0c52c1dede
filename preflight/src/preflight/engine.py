"""Runs every enabled rule over one project and collects findings, check statuses and
per-phase timings. The CLI, the tests and the benchmark all go through `run_check`.

A rule that raises is a bug in preflight, not a finding: it is recorded as a
`RuleCrash` (the other rules still run and report) and the exit code says so (3).
"""

from __future__ import annotations

import dataclasses
import enum
import gc
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from preflight import one_pass
from preflight.config import Config, ConfigError, Target, load_config
from preflight.context import CheckContext
from preflight.deps.index import Index, default_cache_dir
from preflight.errors import ExitCode, format_traceback, one_line
from preflight.findings import Finding, Severity
from preflight.function_files import unsure_outside_functions
from preflight.project import AVAILABLE_PYTHONS, Project, load_project
from preflight.rules import all_rules
from preflight.rules.base import CodeRule, ProjectRule, Rule
from preflight.source import Module
from preflight.suppression import FileLines

T = TypeVar("T")


class Status(enum.StrEnum):
    PASSED = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    DISABLED = "disabled"
    CRASHED = "crashed"  # the rule raised: a bug in preflight, see Result.crashes


@dataclass(frozen=True)
class CheckStatus:
    """One rule's outcome, so a report never says "all passed" over skipped checks."""

    rule_id: str
    fid: str
    status: Status
    reason: str = ""


@dataclass(frozen=True)
class RuleCrash:
    """A rule raised: which rule, on which file (code rules), the exception in one line."""

    rule_id: str
    path: Path | None
    error: str
    traceback: str


@dataclass
class Result:
    project: Project
    target: Target
    python: str
    findings: list[Finding]
    statuses: list[CheckStatus]
    skipped: list[tuple[str, str]]
    timings: dict[str, float]
    files: int
    lines: int
    rules: tuple[type[Rule], ...] = field(default=())
    # (distributions, estimated unzipped bytes, "uv.lock" | "index") when resolved
    install: tuple[int, int, str] | None = None
    # distributions the install size could not count: `install`'s size is a lower bound
    install_not_counted: tuple[str, ...] = ()
    crashes: list[RuleCrash] = field(default_factory=list)
    # Set by `combine`: the folder the user named, which paths are shown from, and the
    # check of each Python project found in it (deploy_roots), with what made it one.
    shown_from: Path | None = None
    parts: tuple[Result, ...] = ()
    checked_as: str = ""

    @property
    def base(self) -> Path:
        """The folder report paths are relative to."""
        return self.shown_from or self.project.root

    @property
    def exit_code(self) -> ExitCode:
        if self.crashes:
            return ExitCode.INTERNAL  # incomplete: never passed off as clean or as findings
        if any(f.severity is Severity.ERROR for f in self.findings):
            return ExitCode.FINDINGS
        return ExitCode.OK


def run_check(
    root: Path,
    *,
    target: str | None = None,
    python: str | None = None,
    offline: bool = False,
    cache_dir: Path | None = None,
    only: Collection[str] | None = None,
    observer: Callable[[str], None] | None = None,
) -> Result:
    """Check the project at `root`. Raises ConfigError for an invalid [tool.preflight]
    or option value.

    `observer` is told each phase as it starts ("parse", "code rules", "index", ...).
    """
    # Parsing allocates millions of AST nodes that all stay alive until the check ends:
    # the collector would only rescan them (43 passes, 5% of a Django run, after raised
    # thresholds had already saved ~20%). So it is off for the run: the trees are freed
    # by reference counting when the check returns (Module.release breaks their cycles),
    # and the next collection finds the little cyclic garbage a run leaves.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with one_pass.scope():  # the tree is read as it is now, once
            return _run_check(root, target, python, offline, cache_dir, only, observer)
    finally:
        if enabled:
            gc.enable()


def _run_check(
    root: Path,
    target: str | None,
    python: str | None,
    offline: bool,
    cache_dir: Path | None,
    only: Collection[str] | None,
    observer: Callable[[str], None] | None,
) -> Result:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    project = load_project(root)
    timings["project"] = time.perf_counter() - start

    rules = all_rules()
    config = load_config(project, {r.id for r in rules}, {r.fid for r in rules})
    chosen_target = _choose_target(target, config)
    instances = _instantiate(rules, config, only, chosen_target)
    chosen_python = _choose_python(python, config, project)
    ctx = CheckContext(
        project=project,
        config=config,
        target=chosen_target,
        python=chosen_python,
        python_from_cli=(python or config.python) is not None,
        index=Index(cache_dir or default_cache_dir(), offline=offline),
        timings=timings,
        observer=observer,
    )
    runs = _RuleRuns(instances)
    modules = ctx.closure.modules
    runs.code_rules(ctx, modules)
    runs.project_rules(ctx)
    findings, statuses = _collect(rules, runs, ctx)
    if chosen_python not in AVAILABLE_PYTHONS and chosen_target is Target.VERCEL:
        ctx.skip("python", f"CPython {chosen_python} is not offered by Vercel")
    result = Result(
        project=project,
        target=chosen_target,
        python=chosen_python,
        findings=findings,
        statuses=statuses,
        skipped=ctx.skipped,
        timings=timings,
        files=len(modules),
        lines=sum(m.text.count("\n") + 1 for m in modules),
        rules=rules,
        install=_install_summary(ctx),
        install_not_counted=_install_not_counted(ctx),
        crashes=runs.crashes,
    )
    for module in modules:
        module.release()  # the Result holds no tree: refcounting frees them now
    return result


# A rule's status over several projects: the most telling one wins.
_STATUS_WEIGHT = {
    Status.CRASHED: 4,
    Status.FAIL: 3,
    Status.SKIPPED: 2,
    Status.PASSED: 1,
    Status.DISABLED: 0,
}


def combine(parts: list[Result], base: Path) -> Result:
    """One result for the Python projects checked in place of `base` (each part keeps its
    own project model for the summary): findings of all, each rule's worst status."""
    first = parts[0]
    statuses: dict[str, CheckStatus] = {}
    for part in parts:
        for status in part.statuses:
            held = statuses.get(status.rule_id)
            if held is None or _STATUS_WEIGHT[status.status] > _STATUS_WEIGHT[held.status]:
                statuses[status.rule_id] = status
    timings: dict[str, float] = {}
    for part in parts:
        for phase, seconds in part.timings.items():
            timings[phase] = timings.get(phase, 0.0) + seconds
    return dataclasses.replace(
        first,
        findings=sorted({f for p in parts for f in p.findings}, key=Finding.sort_key),
        statuses=list(statuses.values()),
        skipped=[s for p in parts for s in p.skipped],
        timings=timings,
        files=sum(p.files for p in parts),
        lines=sum(p.lines for p in parts),
        crashes=[c for p in parts for c in p.crashes],
        shown_from=base.resolve(),
        parts=tuple(parts),
    )


def _choose_target(target: str | None, config: Config) -> Target:
    chosen = target or config.target or Target.VERCEL
    try:
        return Target(chosen)
    except ValueError:
        raise ConfigError(f"unknown target {chosen!r}: use vercel or lambda") from None


def _choose_python(python: str | None, config: Config, project: Project) -> str:
    chosen = python or config.python or project.python.version
    if chosen.count(".") != 1 or not all(p.isdigit() for p in chosen.split(".")):
        raise ConfigError(f"--python {chosen!r}: use a CPython minor version like 3.12")
    return chosen


class _RuleRuns:
    """Each enabled rule's findings, with inline suppressions applied and crashes kept
    apart: one rule raising must not hide what the others found."""

    def __init__(self, instances: list[Rule]) -> None:
        self.instances = instances
        self.found: dict[str, list[Finding]] = {r.id: [] for r in instances}
        self.crashes: list[RuleCrash] = []
        self._lines = FileLines()

    def code_rules(self, ctx: CheckContext, modules: Iterable[Module]) -> None:
        code_rules = [r for r in self.instances if isinstance(r, CodeRule)]
        with ctx.phase("code rules"):
            for module in modules:
                for rule in code_rules:
                    for finding in self._guarded(rule, rule.check, module, module.path):
                        if not module.suppressed(finding.location.line, rule.id, rule.fid):
                            self.found[rule.id].append(unsure_outside_functions(ctx, finding))

    def project_rules(self, ctx: CheckContext) -> None:
        # a candidate that exports nothing (or does not parse) is the file meant to run
        candidates = frozenset(ctx.project.candidates_without_export)
        for rule in self.instances:
            if isinstance(rule, ProjectRule):
                with ctx.phase("dependency rules" if rule.needs_index else "project rules"):
                    for finding in self._guarded(rule, rule.check, ctx, None):
                        loc = finding.location
                        if not self._lines.suppressed(loc.path, loc.line, rule.id, rule.fid):
                            self.found[rule.id].append(
                                unsure_outside_functions(
                                    ctx, finding, candidates, per_module=rule.per_module
                                )
                            )

    def _guarded(
        self, rule: Rule, check: Callable[[T], Iterator[Finding]], subject: T, path: Path | None
    ) -> list[Finding]:
        """The rule's findings, or none and a RuleCrash when it raises (a partial list
        from a crashed rule is dropped: it may be the wrong half)."""
        try:
            return list(check(subject))
        except Exception as exc:  # a bug in one rule; the others still run
            self.crashes.append(RuleCrash(rule.id, path, one_line(exc), format_traceback(exc)))
            return []

    def crashed(self, rule_id: str) -> bool:
        return any(c.rule_id == rule_id for c in self.crashes)


def _collect(
    rules: tuple[type[Rule], ...], runs: _RuleRuns, ctx: CheckContext
) -> tuple[list[Finding], list[CheckStatus]]:
    """Findings at their configured severity, and one status per rule."""
    findings: list[Finding] = []
    statuses: list[CheckStatus] = []
    for rule in rules:
        if rule.id not in runs.found:
            reason = "Vercel only" if ctx.target not in rule.targets else "[tool.preflight]"
            status = Status.SKIPPED if ctx.target not in rule.targets else Status.DISABLED
            statuses.append(CheckStatus(rule.id, rule.fid, status, reason))
            continue
        found = runs.found[rule.id]
        severity = ctx.config.severity_for(rule.id, rule.fid, rule.severity)
        # a configured severity overrides the default and any per-finding level
        if severity is not rule.severity:
            found = [dataclasses.replace(f, severity=severity) for f in found]
        findings.extend(found)
        statuses.append(_status(rule, found, runs, ctx))
    return sorted(set(findings), key=Finding.sort_key), statuses


def _status(
    rule: type[Rule], found: list[Finding], runs: _RuleRuns, ctx: CheckContext
) -> CheckStatus:
    if runs.crashed(rule.id):
        return CheckStatus(rule.id, rule.fid, Status.CRASHED, "internal error (see above)")
    if found:
        return CheckStatus(rule.id, rule.fid, Status.FAIL)
    needs_index = issubclass(rule, ProjectRule) and rule.needs_index
    if needs_index and "resolution" in ctx.__dict__ and ctx.resolution.unavailable:
        reason = "the install set is partly unknown (see skipped checks)"
        return CheckStatus(rule.id, rule.fid, Status.SKIPPED, reason)
    return CheckStatus(rule.id, rule.fid, Status.PASSED)


def _install_summary(ctx: CheckContext) -> tuple[int, int, str] | None:
    """What the dependency rules resolved, if any of them ran (nothing is resolved here)."""
    if "resolution" not in ctx.__dict__:
        return None
    from preflight.rules.bundle_size import estimated_bundle_bytes

    resolution = ctx.resolution
    return (len(resolution.packages), estimated_bundle_bytes(ctx), resolution.source)


def _install_not_counted(ctx: CheckContext) -> tuple[str, ...]:
    if "resolution" not in ctx.__dict__:
        return ()
    from preflight.rules.bundle_size import estimate

    return estimate(ctx).not_counted


def _instantiate(
    rules: tuple[type[Rule], ...], config: Config, only: Collection[str] | None, target: Target
) -> list[Rule]:
    instances: list[Rule] = []
    for rule in rules:
        options = config.rule_options.get(rule.id, {})
        _check_options(rule, options)
        if only is not None and rule.id not in only:
            continue
        if config.enabled(rule.id, rule.fid) and target in rule.targets:
            instances.append(rule(options))
    return instances


def _check_options(rule: type[Rule], options: Mapping[str, object]) -> None:
    """Unknown or mistyped `[tool.preflight.rules.<ID>]` options are a usage error."""
    unknown = set(options) - set(rule.defaults)
    if unknown:
        known = ", ".join(sorted(rule.defaults)) or "none"
        raise ConfigError(
            f"[tool.preflight.rules.{rule.id}] unknown option(s) {', '.join(sorted(unknown))}"
            f" (known: {known})"
        )
    for key, value in options.items():
        default = rule.defaults[key]
        numbers = isinstance(default, int | float) and isinstance(value, int | float)
        if type(value) is not type(default) and not numbers:
            raise ConfigError(f"[tool.preflight.rules.{rule.id}] {key} must be like {default!r}")
