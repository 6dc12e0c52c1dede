"""Runs every enabled rule over one project and collects findings, check statuses and
per-phase timings. The CLI, the tests and the benchmark all go through `run_check`.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from preflight.config import Config, ConfigError, load_config
from preflight.context import CheckContext
from preflight.deps.index import Index, default_cache_dir
from preflight.findings import Finding, Severity
from preflight.project import AVAILABLE_PYTHONS, Project, load_project
from preflight.rules import all_rules
from preflight.rules.base import CodeRule, ProjectRule, Rule

TARGETS = ("vercel", "lambda")


@dataclass(frozen=True)
class CheckStatus:
    """One rule's outcome, so a report never says "all passed" over skipped checks."""

    rule_id: str
    fid: str
    status: str  # "pass" | "fail" | "skipped" | "disabled"
    reason: str = ""


@dataclass
class Result:
    project: Project
    target: str
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

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity is Severity.ERROR for f in self.findings) else 0


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
    """Check the project at `root`. Raises ConfigError for an invalid [tool.preflight].

    `observer` is told each phase as it starts ("parse", "code rules", "index", ...).
    """
    # Parsing allocates millions of AST nodes that all stay alive: the collector's default
    # thresholds rescan them over and over (~20% of a 100k-line run). Restored after.
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return _run_check(root, target, python, offline, cache_dir, only, observer)
    finally:
        gc.set_threshold(*threshold)


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
    chosen_target = target or config.target or "vercel"
    if chosen_target not in TARGETS:
        raise ConfigError(f"unknown target {chosen_target!r}: use vercel or lambda")
    instances = _instantiate(rules, config, only, chosen_target)
    chosen_python = python or config.python or project.python.version
    if chosen_python.count(".") != 1 or not all(p.isdigit() for p in chosen_python.split(".")):
        raise ConfigError(f"--python {chosen_python!r}: use a CPython minor version like 3.12")

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
    findings: list[Finding] = []
    statuses: list[CheckStatus] = []
    code_rules: list[CodeRule] = [r for r in instances if isinstance(r, CodeRule)]
    by_rule: dict[str, list[Finding]] = {r.id: [] for r in instances}

    modules = ctx.closure.modules
    with ctx.phase("code rules"):
        for module in modules:
            for code_rule in code_rules:
                for finding in code_rule.check(module):
                    if not module.suppressed(finding.location.line, code_rule.id, code_rule.fid):
                        by_rule[code_rule.id].append(finding)
    for rule in instances:
        if isinstance(rule, ProjectRule):
            phase = "dependency rules" if rule.needs_index else "project rules"
            with ctx.phase(phase):
                by_rule[rule.id].extend(rule.check(ctx))

    for rule_cls in rules:
        if rule_cls.id not in by_rule:
            if chosen_target not in rule_cls.targets:
                entry = CheckStatus(rule_cls.id, rule_cls.fid, "skipped", "Vercel only")
            else:
                entry = CheckStatus(rule_cls.id, rule_cls.fid, "disabled", "[tool.preflight]")
            statuses.append(entry)
            continue
        found = by_rule[rule_cls.id]
        severity = config.severity_for(rule_cls.id, rule_cls.fid, rule_cls.severity)
        for finding in found:
            # a configured severity overrides the default and any per-finding level
            if severity is not rule_cls.severity:
                finding = dataclasses.replace(finding, severity=severity)
            findings.append(finding)
        reason = _skip_reason(rule_cls, ctx)
        status = "fail" if found else ("skipped" if reason else "pass")
        statuses.append(CheckStatus(rule_cls.id, rule_cls.fid, status, reason))

    findings = sorted(set(findings), key=Finding.sort_key)
    if chosen_python not in AVAILABLE_PYTHONS and chosen_target == "vercel":
        ctx.skip("python", f"CPython {chosen_python} is not offered by Vercel")
    install = None
    if "resolution" in ctx.__dict__:
        from preflight.rules.bundle_size import estimated_bundle_bytes

        resolution = ctx.resolution
        install = (len(resolution.packages), estimated_bundle_bytes(ctx), resolution.source)
    return Result(
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
        install=install,
    )


def _instantiate(
    rules: tuple[type[Rule], ...], config: Config, only: Collection[str] | None, target: str
) -> list[Rule]:
    instances: list[Rule] = []
    for rule in rules:
        options = config.rule_options.get(rule.id, {})
        unknown = set(options) - set(rule.defaults)
        if unknown:
            known = ", ".join(sorted(rule.defaults)) or "none"
            raise ConfigError(
                f"[tool.preflight.rules.{rule.id}] unknown option(s) {', '.join(sorted(unknown))}"
                f" (known: {known})"
            )
        if only is not None and rule.id not in only:
            continue
        if not config.enabled(rule.id, rule.fid):
            continue
        if target not in rule.targets:
            continue
        instance = rule(options)
        for key in options:
            default = rule.defaults[key]
            if type(options[key]) is not type(default) and not (
                isinstance(default, int | float) and isinstance(options[key], int | float)
            ):
                raise ConfigError(
                    f"[tool.preflight.rules.{rule.id}] {key} must be like {default!r}"
                )
        instances.append(instance)
    return instances


def _skip_reason(rule: type[Rule], ctx: CheckContext) -> str:
    needs_index = issubclass(rule, ProjectRule) and rule.needs_index
    if needs_index and "resolution" in ctx.__dict__ and ctx.resolution.unavailable:
        return "package index unavailable for some packages (see skipped checks)"
    return ""
