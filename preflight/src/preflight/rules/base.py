"""The rule interface: one class per rule, with its id, F-id, message, fix and examples.

As in Fixit, a rule's VALID / INVALID examples are its tests (tests/check/test_rules.py
runs every one), so a rule cannot ship without a proof of what it flags and what it
leaves alone. Ids are stable and grouped like bandit's: PF<F-number><nn>, e.g. PF501 is
the first rule for F5. Suppress one with `# preflight: ignore[PF501]` or `[F5]`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from preflight.findings import Finding, Fix, Location, Severity
from preflight.source import Module

if TYPE_CHECKING:
    from preflight.context import CheckContext


@dataclass(frozen=True)
class Invalid:
    """Source that must be flagged, as in Fixit: the finding's 1-based `line` and `column`,
    its exact `message`, and, when the rule carries an autofix, the whole file after it
    (`fixed`). The tests check each one, and RULES.md shows them."""

    code: str
    line: int
    column: int
    message: str
    fixed: str | None = None


@dataclass(frozen=True)
class Expect:
    """One finding a project example must produce: where (file relative to the project,
    1-based line and column) and its exact message."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class ProjectExample:
    """A small project (file name -> content) for project-level rules.

    `expect` lists the findings of INVALID examples (empty for VALID ones); `fixed` maps
    each file the autofixes change or create to its content after `--fix`.
    """

    files: Mapping[str, str]
    expect: tuple[Expect, ...] = ()
    options: Mapping[str, object] = field(default_factory=dict)
    fixed: Mapping[str, str] | None = None


VERCEL_ONLY = frozenset({"vercel"})


class Rule:
    """Base of every rule; subclasses set the class attributes and implement `check`."""

    id: ClassVar[str]
    fid: ClassVar[str]
    name: ClassVar[str]  # kebab-case, for SARIF and docs
    severity: ClassVar[Severity] = Severity.ERROR
    message: ClassVar[str]  # the default cause, one sentence
    fix: ClassVar[str]  # the default remedy, one line
    # Per-rule options with their defaults; `[tool.preflight.rules.PF901]` overrides.
    defaults: ClassVar[Mapping[str, object]] = {}
    # Platforms the rule is about: Vercel's builder rules do not apply to a Lambda zip.
    targets: ClassVar[frozenset[str]] = frozenset({"vercel", "lambda"})

    def __init__(self, options: Mapping[str, object] | None = None) -> None:
        self.options: dict[str, object] = {**self.defaults, **(options or {})}

    def option_float(self, key: str) -> float:
        value = self.options[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{self.id}: option {key!r} must be a number")
        return float(value)

    def option_strings(self, key: str) -> tuple[str, ...]:
        value = self.options[key]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{self.id}: option {key!r} must be a list of strings")
        return tuple(value)

    def at(
        self,
        location: Location,
        message: str | None = None,
        fix: str | None = None,
        severity: Severity | None = None,
        autofix: Fix | None = None,
    ) -> Finding:
        """This rule's finding at `location`; the rule's defaults fill what is not given."""
        return Finding(
            rule_id=self.id,
            fid=self.fid,
            severity=severity or self.severity,
            message=message or self.message,
            fix=fix or self.fix,
            location=location,
            autofix=autofix,
        )


class CodeRule(Rule):
    """A rule that looks at one module of the app's import closure at a time."""

    @staticmethod
    def certainty(module: Module, node: ast.AST) -> Severity:
        """ERROR when the node surely runs (at import, or in a request handler), else
        WARNING: a helper may be a local-only fallback the deployed app never calls."""
        if module.is_import_time(node) or module.on_request_path(node):
            return Severity.ERROR
        return Severity.WARNING

    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check(self, module: Module) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        module: Module,
        node: ast.AST,
        message: str | None = None,
        fix: str | None = None,
        autofix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1
        end_line = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        end_column = end_col + 1 if end_col is not None else None
        location = Location(module.path, line, column, end_line, end_column)
        return self.at(location, message, fix, severity, autofix)


class ProjectRule(Rule):
    """A rule about the project as a whole: manifests, entrypoint, dependencies."""

    VALID: ClassVar[tuple[ProjectExample, ...]] = ()
    INVALID: ClassVar[tuple[ProjectExample, ...]] = ()
    # Whether the rule needs the package index (skipped, and said so, when unavailable).
    needs_index: ClassVar[bool] = False
    # Whether each finding is about one module failing when imported (a syntax error, an
    # import of nothing): with no entrypoint it is only as sure as "the function imports
    # that module" (function_files.unsure_outside_functions), as a code rule's is.
    per_module: ClassVar[bool] = False

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        raise NotImplementedError
