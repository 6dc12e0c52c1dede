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
    # When set, the module stays and only these names left it: `from module import Name`
    # raises ImportError for them, `import module` still works.
    names: frozenset[str] = frozenset()
    pin: str = ""  # the requirement that still works, when not "<removed_in"


# The names langchain 0.3.30's langchain/__init__.py still served through its __getattr__
# (with a deprecation warning); 1.0.0's __init__.py defines only __version__.
_LANGCHAIN_ROOT_NAMES = frozenset(
    [
        "MRKLChain",
        "ReActChain",
        "SelfAskWithSearchChain",
        "ConversationChain",
        "LLMBashChain",
        "LLMChain",
        "LLMCheckerChain",
        "LLMMathChain",
        "QAWithSourcesChain",
        "VectorDBQA",
        "VectorDBQAWithSourcesChain",
        "InMemoryDocstore",
        "Wikipedia",
        "Anthropic",
        "Banana",
        "CerebriumAI",
        "Cohere",
        "ForefrontAI",
        "GooseAI",
        "HuggingFaceHub",
        "HuggingFaceTextGenInference",
        "LlamaCpp",
        "Modal",
        "OpenAI",
        "Petals",
        "PipelineAI",
        "SagemakerEndpoint",
        "StochasticAI",
        "Writer",
        "HuggingFacePipeline",
        "FewShotPromptTemplate",
        "Prompt",
        "PromptTemplate",
        "BasePromptTemplate",
        "ArxivAPIWrapper",
        "GoldenQueryAPIWrapper",
        "GoogleSearchAPIWrapper",
        "GoogleSerperAPIWrapper",
        "PowerBIDataset",
        "SearxSearchWrapper",
        "WikipediaAPIWrapper",
        "WolframAlphaAPIWrapper",
        "SQLDatabase",
        "FAISS",
        "ElasticVectorSearch",
        "verbose",
        "debug",
        "llm_cache",
    ]
)


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
    Removal(
        "aiogram",
        "aiogram.utils.executor",
        "3.0.0",
        "Dispatcher.start_polling(bot), or aiogram.webhook.aiohttp_server for webhooks",
        "aiogram 2.25.2's wheel has aiogram/utils/executor.py, 3.0.0's does not",
    ),
    Removal(
        "aiogram",
        "aiogram.contrib",
        "3.0.0",
        "aiogram.fsm.storage (MemoryStorage, RedisStorage) and Router middlewares",
        "aiogram 2.25.2's wheel has aiogram/contrib/, 3.0.0's does not",
    ),
    Removal(
        "aiogram",
        "aiogram.dispatcher.filters",
        "3.0.0",
        "aiogram.filters",
        "aiogram 2.25.2's wheel has aiogram/dispatcher/filters/, 3.0.0's does not",
    ),
    Removal(
        "aiogram",
        "aiogram.dispatcher",
        "3.0.0",
        "aiogram.Dispatcher, aiogram.fsm.context.FSMContext",
        "aiogram 2.25.2's aiogram/dispatcher/__init__.py imports these from .dispatcher, "
        "3.0.0's is empty",
        names=frozenset({"Dispatcher", "FSMContext", "DEFAULT_RATE_LIMIT"}),
    ),
    Removal(
        "langchain",
        "langchain",
        "1.0.0",
        "langchain_openai.OpenAI, langchain_core.prompts.PromptTemplate, langchain_classic "
        "for the chains",
        "langchain 0.3.30's langchain/__init__.py serves these names through __getattr__, "
        "1.0.0's defines only __version__; FrancoRebel/SlackAI_Chatbot_1.0 api/bot.py "
        "(`from langchain import OpenAI, LLMChain, PromptTemplate` under an unpinned langchain). "
        "The pin is <0.2.0: from 0.2.0 on, langchain no longer depends on langchain-community, "
        "which __getattr__ imports OpenAI and the other integrations from",
        names=_LANGCHAIN_ROOT_NAMES,
        pin="langchain<0.2.0",
    ),
)


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
            Location(use.module.path, use.node.lineno, use.node.col_offset + 1),
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
