"""PF1903's table (rules/removed_modules.py): each module, or each name of a module, that a
release of its distribution removed, read from the wheels before and after, with what
replaced it."""

from __future__ import annotations

from dataclasses import dataclass


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
        "werkzeug",
        "werkzeug.urls",
        "3.0.0",
        "urllib.parse (quote, unquote, urlencode, urlsplit, urljoin)",
        "werkzeug 2.3.8's werkzeug/urls.py defines these, 3.0.0's keeps only iri_to_uri and "
        "uri_to_iri (F19's `cannot import name 'url_quote' from 'werkzeug.urls'`)",
        names=frozenset(
            {"url_quote", "url_quote_plus", "url_unquote", "url_unquote_plus", "url_encode"}
            | {"url_decode", "url_parse", "url_unparse", "url_join", "url_fix", "URL"}
            | {"url_encode_stream", "url_decode_stream", "BaseURL", "BytesURL"}
        ),
    ),
    Removal(
        "flask",
        "flask",
        "3.0.0",
        "markupsafe.Markup and markupsafe.escape; flask.g or flask.globals for the stacks",
        "flask 2.3.3's flask/__init__.py serves these through __getattr__ with a deprecation "
        "warning, 3.0.0's only __version__",
        names=frozenset(
            {"Markup", "escape", "_app_ctx_stack", "_request_ctx_stack", "signals_available"}
        ),
    ),
    Removal(
        "jinja2",
        "jinja2",
        "3.1.0",
        "markupsafe.Markup and markupsafe.escape; pass_context, pass_environment and "
        "pass_eval_context for the decorators",
        "jinja2 3.0.3's jinja2/__init__.py imports these, 3.1.0's does not",
        names=frozenset(
            {"Markup", "escape", "contextfilter", "contextfunction", "environmentfilter"}
            | {"environmentfunction", "evalcontextfilter", "evalcontextfunction"}
        ),
    ),
    Removal(
        "itsdangerous",
        "itsdangerous",
        "2.1.0",
        "PyJWT (jwt.encode/jwt.decode with an exp claim), or URLSafeTimedSerializer",
        "itsdangerous 2.0.1's itsdangerous/__init__.py imports these from .jws, 2.1.0's has "
        "no jws module (pallets/itsdangerous#294)",
        names=frozenset({"TimedJSONWebSignatureSerializer", "JSONWebSignatureSerializer"}),
    ),
    Removal(
        "pydantic",
        "pydantic",
        "2.0.0",
        "pydantic_settings.BaseSettings (the pydantic-settings distribution)",
        "pydantic 1.10.13's pydantic/__init__.py imports BaseSettings, 2.0's __getattr__ "
        "raises PydanticImportError, an ImportError, for it (pydantic/_migration.py)",
        names=frozenset({"BaseSettings"}),
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
    Removal(
        "setuptools",
        "pkg_resources",
        "82.0.0",
        "importlib.metadata (versions, entry points) and importlib.resources (files)",
        "setuptools 81.0.0's wheel has pkg_resources/, 82.0.0's and every later one's have "
        "none (read 2026-12-08); a fresh install takes the newest setuptools",
    ),
)
