"""Top-level import names of the distributions installed where preflight runs, read
straight from their metadata folders.

`importlib.metadata.packages_distributions()` gives the same map but was a twelfth of a
check on Django: it parses every distribution's METADATA as an e-mail message for its
name and builds a path object per RECORD line. Here the name comes from the folder
(`Flask_Cors-6.0.1.dist-info`, normalised by the caller) and the top-level names from
`top_level.txt`, else from the first part of each RECORD path, as importlib infers them.
"""

from __future__ import annotations

import csv
import importlib.machinery
import os
import sys
from collections.abc import Iterable, Iterator

# longest first, as inspect.getmodulename tries them (".cpython-312-x86_64-linux-gnu.so")
_SUFFIXES = tuple(sorted(importlib.machinery.all_suffixes(), key=len, reverse=True))


def top_level_names(path: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Import name -> names of the distributions (as their folders spell them) that
    install it, for every `*.dist-info` / `*.egg-info` folder on `path` (sys.path)."""
    found: dict[str, list[str]] = {}
    for folder, name in _metadata_folders(sys.path if path is None else path):
        for top in _declared(folder) or _inferred(folder):
            found.setdefault(top, []).append(name)
    return found


def _metadata_folders(entries: Iterable[str]) -> Iterator[tuple[str, str]]:
    for entry in entries:
        base = entry or "."
        try:
            names = sorted(os.listdir(base))
        except OSError:  # missing, a zip file or unreadable: importlib finds nothing there either
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                folder = os.path.join(base, name)
                if os.path.isdir(folder):
                    yield folder, name.rsplit(".", 1)[0].split("-", 1)[0]


def _declared(folder: str) -> list[str]:
    try:
        with open(os.path.join(folder, "top_level.txt"), encoding="utf-8") as f:
            return f.read().split()
    except (OSError, UnicodeDecodeError):
        return []


def _inferred(folder: str) -> set[str]:
    """What importlib infers without top_level.txt: each RECORD path's first part, or the
    module a top-level file is; names with a dot (`x.dist-info`, `..`) are no imports."""
    try:
        with open(os.path.join(folder, "RECORD"), encoding="utf-8", newline="") as f:
            paths = [row[0] for row in csv.reader(f) if row]
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    names: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p and p != "."]
        if len(parts) > 1:
            names.add(parts[0])
        elif parts:
            names.add(_module_name(parts[0]))
    return {n for n in names if n and "." not in n}


def _module_name(filename: str) -> str:
    """`inspect.getmodulename`: the module a file name imports as ("" when none)."""
    for suffix in _SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return ""
