"""F5: model and data downloads that cache under HOME, which the function cannot write.

Hugging Face, NLTK, torch.hub and whisper download into ~/.cache by default, and DuckDB's
INSTALL into ~/.duckdb/extensions; in the function HOME is read-only (or unset), so the first
download raises unless a /tmp cache is given.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from preflight.call_index import calls_named
from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import call_name, last_attr

# Calls that download into a cache under HOME unless told otherwise, with the keyword
# that moves it and the environment variable the library also honours.
_HOME_CACHES = {
    "from_pretrained": ("cache_dir", "HF_HOME"),
    "SentenceTransformer": ("cache_folder", "HF_HOME"),
    "hf_hub_download": ("cache_dir", "HF_HOME"),
    "snapshot_download": ("cache_dir", "HF_HOME"),
    "nltk.download": ("download_dir", "NLTK_DATA"),
    "torch.hub.load": ("", "TORCH_HOME"),
    "whisper.load_model": ("download_root", "XDG_CACHE_HOME"),
}
# The last parts of the names above: the calls worth a look (call_index).
_HOME_CACHE_NAMES = frozenset(name.rpartition(".")[2] for name in _HOME_CACHES)


class CacheInHome(CodeRule):
    """Model / data downloads that cache under HOME, which is not writable."""

    id = "PF503"
    fid = "F5"
    name = "cache-in-home"
    severity = Severity.WARNING
    message = "downloads into a cache under HOME (~/.cache), which is read-only in the function"
    fix = "pass a cache dir under /tmp (or set the library's env var, e.g. HF_HOME=/tmp/hf)"

    VALID = (
        "from transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('bert-base-uncased', cache_dir='/tmp/hf')\n",
        "import os\nos.environ['HF_HOME'] = '/tmp/hf'\nfrom transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('bert-base-uncased')\n",
        "import nltk\nnltk.download('punkt', download_dir='/tmp/nltk')\n",
        "import duckdb\ncon = duckdb.connect()\ncon.execute(\"SET home_directory='/tmp'\")\n"
        "con.execute('INSTALL httpfs')\n",
        "import sqlite3\nsqlite3.connect(':memory:').execute('INSTALL x')\n",
    )
    INVALID = (
        Invalid(
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base')\n",
            line=2,
            column=5,
            message=(
                "from_pretrained() caches downloads under HOME by default, which "
                "is read-only in the function"
            ),
        ),
        Invalid(
            "import nltk\nnltk.download('punkt')\n",
            line=2,
            column=1,
            message=(
                "nltk.download() caches downloads under HOME by default, which is "
                "read-only in the function"
            ),
        ),
        Invalid(  # civictechdc/spicy-regs mcp-server before 9bd3a96
            "import duckdb\ndef query(sql):\n    con = duckdb.connect()\n"
            "    con.execute('INSTALL httpfs')\n    return con.sql(sql)\n",
            line=4,
            column=5,
            message=(
                "DuckDB's INSTALL downloads the extension into ~/.duckdb under HOME by "
                "default, which is read-only in the function"
            ),
        ),
        Invalid(
            "from sentence_transformers import SentenceTransformer\n"
            "def embed(request):\n    return SentenceTransformer('all-MiniLM-L6-v2')\n",
            line=3,
            column=12,
            message=(
                "SentenceTransformer() caches downloads under HOME by default, "
                "which is read-only in the function"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        yield from self._duckdb_installs(module)
        configured = _env_set_in(module)
        for node in calls_named(module, _HOME_CACHE_NAMES):
            name = call_name(node) or ""
            key = name if name in _HOME_CACHES else (last_attr(node) or "")
            if key not in _HOME_CACHES or (key == "from_pretrained" and not name):
                continue
            keyword, env = _HOME_CACHES[key]
            given = {k.arg for k in node.keywords}
            if (
                (keyword and keyword in given)
                or env in configured
                or "XDG_CACHE_HOME" in configured
            ):
                continue
            yield self.finding(
                module,
                node,
                f"{key}() caches downloads under HOME by default, which is read-only in "
                "the function",
                fix=f"pass {keyword}='/tmp/...'" if keyword else f"set {env} to a /tmp path",
            )

    def _duckdb_installs(self, module: Module) -> Iterator[Finding]:
        """DuckDB's INSTALL (SQL, or install_extension()) downloads the extension under
        HOME unless home_directory or extension_directory is set first (civictechdc/
        spicy-regs 9bd3a96: 'INSTALL httpfs' failed on Vercel with "Can't find the home
        directory at ''" until it ran SET home_directory to a temp dir)."""
        if "duckdb" not in module.imported_tops or _moves_duckdb_home(module):
            return
        for node in module.of(ast.Call):
            method = last_attr(node)
            first = node.args[0] if node.args else None
            sql = first.value if isinstance(first, ast.Constant) else None
            installs = method == "install_extension" or (
                method in {"execute", "sql"} and isinstance(sql, str) and _INSTALL.match(sql)
            )
            if installs:
                yield self.finding(
                    module,
                    node,
                    "DuckDB's INSTALL downloads the extension into ~/.duckdb under HOME by "
                    "default, which is read-only in the function",
                    fix="run SET home_directory='/tmp' (or extension_directory) before INSTALL",
                )


_INSTALL = re.compile(r"\s*(FORCE\s+)?INSTALL\s", re.IGNORECASE)


def _moves_duckdb_home(module: Module) -> bool:
    """The module points DuckDB's home or extension folder elsewhere (SET, or config=)."""
    return any(
        isinstance(node.value, str)
        and ("home_directory" in node.value or "extension_directory" in node.value)
        for node in module.of(ast.Constant)
    ) or "HOME" in _env_set_in(module)


def _env_set_in(module: Module) -> set[str]:
    """Environment variables the module sets (os.environ["X"] = / setdefault("X", ...))."""
    found: set[str] = set()
    for node in module.of(ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                found.add(str(target.slice.value))
    for call in calls_named(module, ("setdefault",)):
        if call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant):
                found.add(str(first.value))
    return found
