"""pg8000's connection with the per-query costs that were ours to pay removed.

Profiled on a page of 50 tasks, pg8000 1.31 spent more than the query itself on three
things this subclass changes, each without changing what the server runs or returns:

- one round trip per statement instead of three: pg8000 sends Parse, waits, sends
  Describe, waits, then Bind + Execute. The extended protocol lets all of them go before
  one Sync (the server answers them in order, and an error skips the rest up to the
  Sync, as before); it is still one unnamed statement, parsed and planned per run, so
  nothing is cached on the server (no stale plans after a migration, nothing a
  transaction-mode pooler such as Neon's PgBouncer has to track);
- the rewrite of `:name` placeholders, a character-by-character loop in Python, once
  per SQL text instead of once per call (the texts are our own fixed SQL, never data);
- timestamptz and date values read with `fromisoformat` (C, ~1 us) instead of strptime
  (~40 us; a page holds 100 timestamps), falling back to pg8000's parser for what it
  refuses (infinity, BC dates).

And two costs at the first connection, imports pg8000 makes for what few connections
use. scramp (with asn1crypto's X.509 parser and importlib.metadata) serves only a server
that asks for SCRAM (Neon does; a trust or md5 server never), and pg8000 reads
`scramp.ScramClient` only then; dateutil.tz (zoneinfo, sysconfig, importlib.resources,
ctypes) serves only dateutil's parser, pg8000's fallback for timestamps strptime refuses,
which reads `tz.<name>` only while parsing such a value. Together about a sixth of a cold
start's first write. So each is deferred (todo_api/deferred_imports.py: a stand-in in
sys.modules that imports the module at the first attribute read) before pg8000 is
imported. For the stand-ins to come first, pg8000 is imported through this module only
(postgres.py takes its errors from here).

A third cost is pg8000's own `__version__`: pg8000.core runs `importlib.metadata.version(
"pg8000")` at import and uses the answer for nothing else. Importing importlib.metadata
(importlib.resources, zipfile, csv) and parsing pg8000's METADATA (88 kB, its whole
README after the headers) cost 40 M instructions, 7 % of a cold start's first write
(callgrind). So, for the length of `import pg8000` only and when nothing has imported it
yet, importlib.metadata is a stand-in whose `version()` reads the Version header of the
package's own dist-info (the value importlib.metadata would return) and whose every other
attribute imports the real module, as above; it leaves sys.modules right after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import os
import sys
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from typing import Any

from todo_api.deferred_imports import ImportedOnFirstUse, defer


class _MetadataWhileImporting(ImportedOnFirstUse):
    """importlib.metadata during `import pg8000`: version() without the real module."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec)
        # A package's own: `from importlib.metadata import version` reads __path__ first,
        # which would otherwise import the real module through __getattr__.
        self.__path__ = list(spec.submodule_search_locations or ())

    def version(self, distribution_name: str) -> str:
        found = _dist_info_version(distribution_name)
        if found is not None:
            return found
        real_version: Callable[[str], str] = self.__getattr__("version")
        return real_version(distribution_name)


def _dist_info_version(name: str) -> str | None:
    """The Version header of the METADATA beside package `name`, or None when that is not
    one plain `<name>-<version>.dist-info` folder (importlib.metadata then answers)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.dirname(next(iter(spec.submodule_search_locations)))
    try:
        with os.scandir(folder) as entries:
            found = [e.path for e in entries if e.name.startswith(f"{name}-")
                     and e.name.endswith(".dist-info")]  # fmt: skip
        if len(found) != 1:
            return None
        with open(os.path.join(found[0], "METADATA"), encoding="utf-8") as metadata:
            for line in metadata:
                if not line.strip():  # the headers end; the long description follows
                    break
                if line.startswith("Version:"):
                    return line.removeprefix("Version:").strip()
    except OSError:
        pass
    return None


def _metadata_while_importing() -> _MetadataWhileImporting | None:
    if "importlib.metadata" in sys.modules:
        return None  # already paid for
    spec = importlib.util.find_spec("importlib.metadata")
    if spec is None:
        return None
    stand_in = _MetadataWhileImporting(spec)
    sys.modules["importlib.metadata"] = stand_in
    return stand_in


defer("scramp")
defer("dateutil.tz")
_metadata = _metadata_while_importing()

import pg8000.native  # noqa: E402  # after the stand-ins
from pg8000 import converters, core  # noqa: E402
from pg8000.native import DatabaseError, InterfaceError  # noqa: E402  # for postgres.py

if _metadata is not None and sys.modules.get("importlib.metadata") is _metadata:
    del sys.modules["importlib.metadata"]  # pg8000 is in: from now on, the real module
del _metadata

__all__ = ["Connection", "DatabaseError", "InterfaceError"]

_to_statement = functools.lru_cache(maxsize=512)(pg8000.native.to_statement)


def _timestamptz_in(text: str) -> dt.datetime | str:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        result: dt.datetime | str = converters.timestamptz_in(text)
        return result


def _date_in(text: str) -> dt.date | str:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        result: dt.date | str = converters.date_in(text)
        return result


class Connection(pg8000.native.Connection):  # type: ignore[misc]  # pg8000 is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_in_adapter(converters.TIMESTAMPTZ, _timestamptz_in)
        self.register_in_adapter(converters.DATE, _date_in)

    def close(self) -> None:
        """pg8000's close, then the socket's file object: pg8000 drops that unclosed
        when its goodbye cannot be sent (the server is gone or stopped answering, also
        during a failed startup, which closes this way), and the socket stays open while
        the file object lives: one file descriptor lost per outage-struck connection."""
        sock_file = self._sock
        try:
            super().close()
        finally:
            if sock_file is not None:
                with contextlib.suppress(Exception):
                    sock_file.close()

    def run(self, sql: str, stream: Any = None, types: Any = None, **params: Any) -> Any:
        if not params or stream is not None or types is not None:
            return super().run(sql, stream=stream, types=types, **params)
        statement, make_vals = _statement(sql)
        self._context = self.execute_unnamed(statement, make_vals(params))
        return self._context.rows

    def execute_unnamed(
        self, statement: str, vals: Any = (), oids: Any = (), stream: Any = None
    ) -> Any:
        if stream is not None:
            return super().execute_unnamed(statement, vals, oids=oids, stream=stream)
        context = core.Context(statement)
        self.send_PARSE(core.NULL_BYTE, statement, oids)
        self.send_DESCRIBE_STATEMENT(core.NULL_BYTE)
        self.send_BIND(core.NULL_BYTE, core.make_params(self.py_types, vals))
        self.send_EXECUTE()
        core._write(self._sock, core.SYNC_MSG)
        core._flush(self._sock)
        self.handle_messages(context)
        return context


def _statement(sql: str) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
    result: tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = _to_statement(sql)
    return result
