"""F19: an import of a module that the release a fresh install picks no longer ships.

A loose requirement (`mcp>=1.10.0`, `openai`) takes the newest release on every build; when
a major release deletes a module, the next rebuild of unchanged code fails at import with
ModuleNotFoundError while the build itself succeeds. Only removals read from the wheels are
listed (the module's files are in the last release before and absent from the first one
after), each with where it went.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.deps.closure import ImportUse
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule


@dataclass(frozen=True)
class Removal:
    distribution: str
    module: str  # the dotted module that is gone (its submodules with it)
    removed_in: str  # the first release without it
    instead: str  # what replaced it, for the fix
    source: str  # where the removal is documented or seen


REMOVALS = (
    Removal(
        "mcp",
        "mcp.server.fastmcp",
        "2.0.0",
        "mcp.server.mcpserver",
        "mcp 1.27.1's wheel has mcp/server/fastmcp/, 2.0.0's has mcp/server/mcpserver/ "
        "instead; civictechdc/spicy-regs e1ac3ef (every request FUNCTION_INVOCATION_FAILED "
        "after a rebuild resolved mcp>=1.10.0 to 2.0.0)",
    ),
    Removal(
        "openai",
        "openai.error",
        "1.0.0",
        "the exception classes at the top level (openai.RateLimitError, ...)",
        "openai 0.28.1's wheel has openai/error.py, 1.0.0's does not (the v1 migration guide)",
    ),
    Removal(
        "openai",
        "openai.embeddings_utils",
        "1.0.0",
        "your own cosine similarity, or numpy",
        "openai 0.28.1's wheel has openai/embeddings_utils.py, 1.0.0's does not",
    ),
)


def _version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


class RemovedModule(ProjectRule):
    """An import of a module the installed release of its distribution no longer has."""

    id = "PF1903"
    fid = "F19"
    name = "removed-module"
    severity = Severity.ERROR
    message = "the installed release no longer ships this module: ModuleNotFoundError at import"
    fix = "pin the distribution below the release that removed it, or port to its replacement"
    needs_index = True

    _APP = "from mcp.server.fastmcp import FastMCP\n\napp = FastMCP('x').streamable_http_app()\n"
    VALID = (
        ProjectExample({"api/index.py": _APP, "requirements.txt": "mcp>=1.27.1,<2\n"}),
        ProjectExample(  # guarded: the app copes without it
            {
                "app.py": "try:\n    import openai.error\nexcept ImportError:\n"
                "    openai = None\napp = object()\n",
                "requirements.txt": "openai==1.0.0\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # civictechdc/spicy-regs mcp-server before e1ac3ef
            {"api/index.py": _APP, "requirements.txt": "mcp==2.3.0\n"},
            expect=(
                Expect(
                    "api/index.py",
                    1,
                    1,
                    (
                        "'mcp.server.fastmcp' is not in mcp 2.3.0 (removed in 2.0.0; its "
                        "replacement is mcp.server.mcpserver): this import raises "
                        "ModuleNotFoundError"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        for use in ctx.closure.imports:
            if use.guarded:
                continue  # under try/except ImportError: the app copes without it
            for removal in REMOVALS:
                if use.dotted != removal.module and not use.dotted.startswith(removal.module + "."):
                    continue
                package = packages.get(removal.distribution)
                have = _version(package.version if package else None)
                if have is None or have < Version(removal.removed_in):
                    continue
                yield self._finding(ctx, use, removal, str(have))

    def _finding(self, ctx: CheckContext, use: ImportUse, removal: Removal, have: str) -> Finding:
        # Reached at import through unguarded imports: every request fails; else one feature.
        surely = use.module.path in ctx.closure.required
        return self.at(
            Location(use.module.path, use.node.lineno, use.node.col_offset + 1),
            f"'{removal.module}' is not in {removal.distribution} {have} (removed in "
            f"{removal.removed_in}; its replacement is {removal.instead}): this import raises "
            "ModuleNotFoundError",
            fix=f'pin "{removal.distribution}<{removal.removed_in}" in the manifest, or port '
            f"to {removal.instead}",
            severity=None if surely else Severity.WARNING,
        )
