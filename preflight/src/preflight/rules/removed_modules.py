"""F19: an import of a module, or of a name from a module, that the release a fresh install
picks no longer ships.

A loose requirement (`mcp>=1.10.0`, `openai`, `langchain`) takes the newest release on every
build; when a major release deletes a module, or the names a module exported, the next
rebuild of unchanged code fails at import (ModuleNotFoundError, or ImportError for `from pkg
import Name`) while the build itself succeeds. Only removals read from the wheels are listed
(the module's files, or the names in its source, are in the last release before and absent
from the first one after), each with where it went.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.deps.closure import ImportUse
from preflight.findings import Finding, Severity
from preflight.rules._removals import REMOVALS, Removal
from preflight.rules.base import Expect, ProjectExample, ProjectRule


def _version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


class RemovedModule(ProjectRule):
    """An import of a module, or of a name from one, that the installed release of its
    distribution no longer has."""

    id = "PF1903"
    fid = "F19"
    name = "removed-module"
    severity = Severity.ERROR
    message = "the installed release no longer ships this module or name: the import fails"
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
        ProjectExample(  # the module stays: only the names listed left it
            {
                "api/index.py": "import langchain\nfrom langchain import __version__\n"
                "from langchain.agents import create_agent\napp = object()\n",
                "requirements.txt": "langchain==1.0.0\n",
            }
        ),
        ProjectExample(  # guarded, as the module case
            {
                "api/index.py": "try:\n    from langchain import OpenAI\nexcept ImportError:\n"
                "    OpenAI = None\napp = object()\n",
                "requirements.txt": "langchain==1.0.0\n",
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
        ProjectExample(  # aiogram 2 code on aiogram 3: a submodule named by `from`, a name
            {
                "api/index.py": "from aiogram.utils import executor, markdown\n"
                "from aiogram.dispatcher import FSMContext\napp = object()\n",
                "requirements.txt": "aiogram==3.13.1\n",
            },
            expect=(
                Expect(
                    "api/index.py",
                    1,
                    1,
                    (
                        "'aiogram.utils.executor' is not in aiogram 3.13.1 (removed in 3.0.0; "
                        "its replacement is Dispatcher.start_polling(bot), or "
                        "aiogram.webhook.aiohttp_server for webhooks): this import raises "
                        "ImportError"
                    ),
                ),
                Expect(
                    "api/index.py",
                    2,
                    1,
                    (
                        "'FSMContext' is not in aiogram 3.13.1's aiogram.dispatcher module "
                        "(removed in 3.0.0; its replacement is aiogram.Dispatcher, "
                        "aiogram.fsm.context.FSMContext): this import raises ImportError"
                    ),
                ),
            ),
        ),
        ProjectExample(  # pallets/itsdangerous#294: Flask tutorials' password-reset tokens
            {
                "app.py": "from flask import Flask\n"
                "from itsdangerous import TimedJSONWebSignatureSerializer as Serializer\n"
                "app = Flask(__name__)\n",
                "requirements.txt": "flask==3.1.3\nitsdangerous==2.2.0\n",
            },
            expect=(
                Expect(
                    "app.py",
                    2,
                    1,
                    (
                        "'TimedJSONWebSignatureSerializer' is not in itsdangerous 2.2.0's "
                        "itsdangerous module (removed in 2.1.0; its replacement is PyJWT "
                        "(jwt.encode/jwt.decode with an exp claim), or URLSafeTimedSerializer): "
                        "this import raises ImportError"
                    ),
                ),
            ),
        ),
        ProjectExample(  # FrancoRebel/SlackAI_Chatbot_1.0 api/bot.py, unpinned langchain
            {
                "api/index.py": "import os\nfrom langchain import OpenAI, chains, PromptTemplate\n"
                "app = object()\n",
                "requirements.txt": "langchain==1.0.0\n",
            },
            expect=(
                Expect(
                    "api/index.py",
                    2,
                    1,
                    (
                        "'OpenAI', 'PromptTemplate' are not in langchain 1.0.0's langchain module "
                        "(removed in 1.0.0; its replacement is langchain_openai.OpenAI, "
                        "langchain_core.prompts.PromptTemplate, langchain_classic for the "
                        "chains): this import raises ImportError"
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
                gone = _gone(use, removal)
                if not gone:
                    continue
                package = packages.get(removal.distribution)
                have = _version(package.version if package else None)
                if have is None or have < Version(removal.removed_in):
                    continue
                yield self._finding(ctx, use, gone, removal, str(have))

    def _finding(
        self, ctx: CheckContext, use: ImportUse, gone: list[str], removal: Removal, have: str
    ) -> Finding:
        # Reached at import through unguarded imports: every request fails; else one feature.
        surely = use.module.path in ctx.closure.required
        quoted = ", ".join(f"'{name}'" for name in gone)
        if removal.names:
            verb = "is" if len(gone) == 1 else "are"
            what = f"{quoted} {verb} not in {removal.distribution} {have}'s {removal.module} module"
            error = "ImportError"
        else:
            what = f"{quoted} is not in {removal.distribution} {have}"
            # `from parent import gone` finds parent and raises the plain ImportError
            error = "ModuleNotFoundError" if _within(use.dotted, removal.module) else "ImportError"
        return self.at(
            use.location,
            f"{what} (removed in {removal.removed_in}; its replacement is {removal.instead}): "
            f"this import raises {error}",
            fix=f'pin "{removal.pin or f"{removal.distribution}<{removal.removed_in}"}" in the '
            f"manifest, or port to {removal.instead}",
            severity=None if surely else Severity.WARNING,
        )


def _gone(use: ImportUse, removal: Removal) -> list[str]:
    """What of the removal the import asks for: the module (imported, or named as a submodule
    by `from parent import name`), or the removed names a `from module import ...` lists (one
    finding for the statement: Python stops at the first)."""
    node = use.node
    if not removal.names:
        # `from aiogram.utils import executor` imports the submodule as a name
        subs = (
            [f"{use.dotted}.{a.name}" for a in node.names]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        if any(_within(name, removal.module) for name in [use.dotted, *subs]):
            return [removal.module]
        return []
    if use.dotted != removal.module or not isinstance(node, ast.ImportFrom):
        return []
    return [alias.name for alias in node.names if alias.name in removal.names]


def _within(dotted: str, module: str) -> bool:
    """`dotted` is the module or one of its submodules."""
    return dotted == module or dotted.startswith(module + ".")
