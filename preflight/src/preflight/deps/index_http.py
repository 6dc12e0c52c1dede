"""The HTTP requests the PyPI client sends, and what their failures mean.

Why apart from the client (index.py): this is the network edge (urllib, timeouts, what
a 404 means), while the client decides what to ask and what to cache. urllib is imported
on the first request: urllib.request brings http.client and ssl (~12 ms of every start),
which a check answered from the cache never uses. Every URL is https, built from the
index's address and a normalised name, or a file URL the index gave: no file:// or custom
scheme reaches urlopen.
"""

from __future__ import annotations

import json
from typing import Any

TIMEOUT_SECONDS = 10


class IndexUnavailable(Exception):
    """The index cannot answer: offline with no cached entry, or a network failure."""


class NotOnIndex(IndexUnavailable):
    """The index answered: no such project (HTTP 404)."""


def get_json(url: str) -> dict[str, Any]:
    """A JSON object from the index; NotOnIndex on a 404, IndexUnavailable otherwise."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotOnIndex(f"{url}: not found on PyPI") from exc
        raise IndexUnavailable(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise IndexUnavailable(f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise IndexUnavailable(f"{url}: unexpected answer")
    return data


def get_text(url: str) -> str | None:
    """A text file (a wheel's .metadata); None when it cannot be had."""
    if not url.startswith("https://"):
        return None
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            if response.status != 200:
                return None
            return bytes(response.read()).decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, OSError):
        return None


def get_range(url: str, first: int, last: int) -> bytes | None:
    """Bytes first..last of a file (a wheel's zip directory); None when unavailable."""
    if not url.startswith("https://") or last < first:
        return None
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Range": f"bytes={first}-{last}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError):
        return None
    if response.status == 200:  # the server ignored Range: we got the whole file
        return data[first : last + 1]
    return data


def found_at(url: str) -> bool | None:
    """Whether a HEAD request finds the page: True, False on a 404, None otherwise."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method="HEAD")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
            return True
    except urllib.error.HTTPError as exc:
        return False if exc.code == 404 else None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        return None
