"""`[tool.preflight]` in the checked project's pyproject.toml.

    [tool.preflight]
    disable = ["PF702", "F9"]            # rule ids or whole F-ids
    severity = { PF1101 = "error" }      # per rule id or F-id: error | warning | note
    target = "vercel"                    # default for --target
    python = "3.12"                      # default for --python
    [tool.preflight.rules.PF901]         # options that reach the rule (see each rule)
    max-sleep-seconds = 30
    [tool.preflight.probes]              # read by `preflight run`; ignored here

Unknown rule ids or bad values are a usage error (exit 2) rather than silently ignored:
a typo in `disable` must not turn a check off without saying so.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.errors import UsageError
from preflight.findings import Severity
from preflight.project import Project

# `probes` and `run` belong to `preflight run`; accepted here so one table serves both.
KNOWN_KEYS = frozenset({"disable", "severity", "rules", "target", "python", "probes", "run"})


class Target(enum.StrEnum):
    """The platform a check is for; Vercel-builder rules do not apply to a Lambda zip."""

    VERCEL = "vercel"
    LAMBDA = "lambda"


class ConfigError(UsageError):
    """`[tool.preflight]` (or an option) is invalid; the message names the key and the fix."""


@dataclass(frozen=True)
class Config:
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    target: Target | None = None
    python: str | None = None

    def enabled(self, rule_id: str, fid: str) -> bool:
        return rule_id not in self.disable and fid not in self.disable

    def severity_for(self, rule_id: str, fid: str, default: Severity) -> Severity:
        return self.severity.get(rule_id) or self.severity.get(fid) or default


def load_config(project: Project, known_ids: set[str], known_fids: set[str]) -> Config:
    tool = project.pyproject.get("tool")
    table = tool.get("preflight") if isinstance(tool, dict) else None
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError("[tool.preflight] must be a table")
    where = "[tool.preflight]"
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(KNOWN_KEYS))})"
        )

    def check_id(value: Any, key: str) -> str:
        text = str(value).upper()
        if text not in known_ids and text not in known_fids:
            raise ConfigError(f"{where} {key}: unknown rule or F-id {value!r}")
        return text

    disable_raw = table.get("disable", [])
    if not isinstance(disable_raw, list):
        raise ConfigError(f'{where} disable must be a list of rule ids, e.g. ["PF702"]')
    disable = frozenset(check_id(v, "disable") for v in disable_raw)

    severity_raw = table.get("severity", {})
    if not isinstance(severity_raw, dict):
        raise ConfigError(f'{where} severity must be a table, e.g. {{ PF1101 = "error" }}')
    severity: dict[str, Severity] = {}
    for key, value in severity_raw.items():
        try:
            severity[check_id(key, "severity")] = Severity(str(value).lower())
        except ValueError:
            raise ConfigError(
                f"{where} severity.{key}: {value!r} is not error, warning or note"
            ) from None

    options_raw = table.get("rules", {})
    if not isinstance(options_raw, dict):
        raise ConfigError(f"{where} rules must be a table of per-rule tables")
    options: dict[str, Mapping[str, object]] = {}
    for key, value in options_raw.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{where} rules.{key} must be a table of options")
        options[check_id(key, "rules")] = dict(value)

    target_raw = table.get("target")
    try:
        target = None if target_raw is None else Target(target_raw)
    except ValueError:
        raise ConfigError(f"{where} target: {target_raw!r} is not vercel or lambda") from None
    python = table.get("python")
    if python is not None and not isinstance(python, str):
        raise ConfigError(f'{where} python must be a string like "3.12"')
    return Config(disable, severity, options, target, python)
