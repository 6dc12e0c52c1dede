"""Every rule, found by walking this package (adding a rule is adding a class)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from preflight.rules.base import CodeRule, ProjectRule, Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Rule classes of every module under preflight.rules, ordered by id."""
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value not in (Rule, CodeRule, ProjectRule)
                and value.__module__ == module.__name__
            ):
                if value.id in found:
                    raise RuntimeError(f"duplicate rule id {value.id}")
                found[value.id] = value
    return tuple(found[k] for k in sorted(found, key=_id_key))


def _id_key(rule_id: str) -> tuple[int, str]:
    digits = "".join(c for c in rule_id if c.isdigit())
    return (int(digits[:-2] or 0), rule_id)
